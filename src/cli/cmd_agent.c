/* palisade agent: the node's security agent (sensor → rules → enforcement →
 * alerts). The work is in src/agent/; this file reads the command line. */
#include "agent/agent.h"
#include "agent/config.h"
#include "cli/commands.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <stdlib.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: palisade agent [--config FILE] [-r FILE|DIR]... [-o FILE]\n"
		"                      [--ready-file PATH] [--check] [--log-level LEVEL]\n\n"
		"Watches every process on the node with the eBPF sensor, evaluates the rules,\n"
		"carries out their actions (kill_process, kill_container, freeze_container) and\n"
		"publishes alerts as JSON lines in Falco's shape. Needs root.\n\n"
		"Options:\n"
		"  -c, --config FILE     configuration (default %s when it exists;\n"
		"                        built-in defaults otherwise)\n"
		"  -r, --rules FILE|DIR  add a rules file or a directory of *.yaml (repeatable);\n"
		"                        with rule files the built-in ruleset loads only when\n"
		"                        the configuration says rules.builtin: true\n"
		"  -o, --output FILE     add a JSON-lines file output\n"
		"  --ready-file PATH     write our pid to PATH once attached and the rules loaded\n"
		"  --check               load the configuration and the rules, report, exit\n"
		"  --log-level LEVEL     error, warning, info (default) or debug\n"
		"  -h, --help            this help\n\n"
		"Signals: SIGHUP re-reads the configuration and the rules (a bad file keeps\n"
		"everything running; outputs, audit, metrics and sensor settings apply at the\n"
		"next start) and reopens file outputs; SIGTERM or SIGINT drains the outputs and\n"
		"exits 0, with the final counters as a {\"palisade.agent.stats\":...} line on\n"
		"stderr.\n"
		"Reference: docs/agent.md.\n",
		AGT_CONFIG_DEFAULT_PATH);
}

int cmd_agent(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"config", required_argument, NULL, 'c'}, {"rules", required_argument, NULL, 'r'},
	    {"output", required_argument, NULL, 'o'}, {"ready-file", required_argument, NULL, 'R'},
	    {"check", no_argument, NULL, 'C'},	      {"log-level", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	const char *config = NULL, *log_level = NULL;
	char **rules = NULL, **files = NULL;
	struct agt_run_opts ro = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:r:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'r':
			pal_strv_push(&rules, optarg);
			break;
		case 'o':
			pal_strv_push(&files, optarg);
			break;
		case 'R':
			ro.ready_file = optarg;
			break;
		case 'C':
			ro.check_only = true;
			break;
		case 'l':
			log_level = optarg;
			if (strcmp(optarg, "error") && strcmp(optarg, "warning") &&
			    strcmp(optarg, "info") && strcmp(optarg, "debug")) {
				fprintf(stderr, "palisade agent: --log-level must be error, "
						"warning, info or debug\n");
				pal_strv_free(rules);
				pal_strv_free(files);
				return PAL_EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			pal_strv_free(rules);
			pal_strv_free(files);
			return PAL_EXIT_OK;
		default:
			usage(stderr);
			pal_strv_free(rules);
			pal_strv_free(files);
			return PAL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "palisade agent: unexpected argument \"%s\" (see --help)\n",
			argv[optind]);
		pal_strv_free(rules);
		pal_strv_free(files);
		return PAL_EXIT_USAGE;
	}

	struct agt_config cfg;
	struct pal_err err = {0};
	int rc = PAL_EXIT_OK;
	struct agt_config_sources sources = {
	    .path = config, .rules = rules, .files = files, .log_level = log_level};
	ro.sources = &sources;
	if (agt_config_build(&sources, &cfg, &err) < 0) {
		fprintf(stderr, "palisade agent: %s\n", err.msg);
		rc = PAL_EXIT_FAILURE;
		goto out;
	}
	if (!ro.check_only && geteuid() != 0)
		fprintf(stderr, "palisade agent: warning: not running as root; the sensor will "
				"most likely fail to load\n");
	rc = agt_run(&cfg, &ro);
out:
	agt_config_free(&cfg);
	pal_strv_free(rules);
	pal_strv_free(files);
	return rc;
}
