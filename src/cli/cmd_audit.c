/* palisade audit verify [--key FILE] [--strict] [FILE] */
#include "cli/commands.h"
#include "output/audit.h"

#include "common/err.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void audit_usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: palisade audit verify [--key FILE] [--strict] [FILE]\n\n"
	    "Checks the hash-chained audit log (default %s): every record must carry\n"
	    "the next sequence number, chain to the previous record's hash and hash to its\n"
	    "own. Prints OK with the record count, or the first bad line and what mismatched.\n\n"
	    "Options:\n"
	    "  --key FILE  the HMAC key the log was written with (required for keyed logs)\n"
	    "  --strict    treat an incomplete last line (a writer crashed mid-append) as a\n"
	    "              failure; by default it is reported and the exit status is 0\n"
	    "  -h, --help  show this help\n\n"
	    "Exit status: 0 valid, 1 invalid or unreadable, 2 usage.\n",
	    OUT_AUDIT_DEFAULT_PATH);
}

static int audit_verify(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"key", required_argument, NULL, 'k'},
	    {"strict", no_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *key = NULL;
	bool strict = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'k':
			key = optarg;
			break;
		case 's':
			strict = true;
			break;
		case 'h':
			audit_usage(stdout);
			return PAL_EXIT_OK;
		default:
			audit_usage(stderr);
			return PAL_EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "palisade audit verify: give at most one log file (see --help)\n");
		return PAL_EXIT_USAGE;
	}
	const char *path = optind < argc ? argv[optind] : OUT_AUDIT_DEFAULT_PATH;
	struct pal_err err = {0};
	struct out_audit_report rep;
	if (out_audit_verify_file(path, key, &rep, &err) < 0) {
		fprintf(stderr, "palisade audit verify: %s\n", err.msg);
		return PAL_EXIT_FAILURE;
	}
	switch (rep.verdict) {
	case OUT_AUDIT_VALID:
		printf("%s: OK, %" PRIu64 " records (last seq %" PRIu64 ", hash %.16s)\n", path,
		       rep.records, rep.last_seq, rep.last_hash);
		return PAL_EXIT_OK;
	case OUT_AUDIT_TORN:
		printf("%s: %s, %" PRIu64 " records intact; line %" PRIu64 " is torn: %" PRIu64
		       " bytes of an incomplete last write (a writer crashed mid-append; the next "
		       "append cuts it off and records that it did)\n",
		       path, strict ? "NOT OK" : "OK", rep.records, rep.bad_line, rep.torn_bytes);
		return strict ? PAL_EXIT_FAILURE : PAL_EXIT_OK;
	case OUT_AUDIT_INVALID:
		break;
	}
	printf("%s: INVALID at line %" PRIu64 ": %s (%" PRIu64 " valid records before it)\n", path,
	       rep.bad_line, rep.what, rep.records);
	return PAL_EXIT_FAILURE;
}

int cmd_audit(int argc, char **argv)
{
	if (argc < 2) {
		audit_usage(stderr);
		return PAL_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		audit_usage(stdout);
		return PAL_EXIT_OK;
	}
	if (!strcmp(argv[1], "verify"))
		return audit_verify(argc - 1, argv + 1);
	fprintf(stderr, "palisade audit: unknown subcommand '%s' (see 'palisade audit --help')\n",
		argv[1]);
	return PAL_EXIT_USAGE;
}
