/* palisade policy: check a policy file, print key fingerprints. */
#include "cli/commands.h"
#include "common/cleanup.h"
#include "supply/supply.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: palisade policy check FILE...\n"
		"       palisade policy fingerprint PUBKEY...\n\n"
		"check        validates the trust section of policy files (scopes, keys and the\n"
		"             key files they name, requirements); errors read FILE:LINE:COL.\n"
		"             Prints 'FILE: OK' per valid file; exit status 1 if any is invalid.\n"
		"fingerprint  prints sha256:<hex> of a public key, the form trust.revoked uses.\n");
}

static int check(int argc, char **argv)
{
	int rc = PAL_EXIT_OK;
	for (int i = 0; i < argc; i++) {
		struct pal_err err = {0};
		struct sup_policy *p = NULL;
		if (sup_policy_load(argv[i], &p, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = PAL_EXIT_FAILURE;
			continue;
		}
		printf("%s: OK (%zu scope(s), %zu key(s)%s)\n", argv[i], p->n_scopes, p->n_keys,
		       p->has_trust ? "" : ", no trust section: every image is accepted");
		sup_policy_free(p);
	}
	return rc;
}

static int fingerprint(int argc, char **argv)
{
	int rc = PAL_EXIT_OK;
	for (int i = 0; i < argc; i++) {
		struct pal_err err = {0};
		EVP_PKEY *k = NULL;
		if (sup_key_load_public(argv[i], &k, &err) < 0) {
			fprintf(stderr, "palisade policy fingerprint: %s\n", err.msg);
			rc = PAL_EXIT_FAILURE;
			continue;
		}
		char fp[SUP_DIGEST_MAX];
		sup_key_fingerprint(k, fp);
		printf("%s  %s  %s\n", fp, sup_key_type(k), argv[i]);
		EVP_PKEY_free(k);
	}
	return rc;
}

int cmd_policy(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PAL_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		usage(stdout);
		return PAL_EXIT_OK;
	}
	bool help = argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));
	if (!strcmp(sub, "check") || !strcmp(sub, "fingerprint")) {
		if (help) {
			usage(stdout);
			return PAL_EXIT_OK;
		}
		if (argc < 3) {
			fprintf(stderr, "palisade policy %s: give at least one file\n", sub);
			return PAL_EXIT_USAGE;
		}
		return sub[0] == 'c' ? check(argc - 2, argv + 2) : fingerprint(argc - 2, argv + 2);
	}
	fprintf(stderr, "palisade policy: unknown subcommand '%s' (check, fingerprint)\n", sub);
	return PAL_EXIT_USAGE;
}
