#include "cli/commands.h"
#include "common/log.h"

#include <stdio.h>
#include <string.h>

static const struct pal_command commands[] = {
    {"agent", cmd_agent, "run the node agent: sensor, rules, enforcement, alerts"},
    {"trace", cmd_trace, "print security-relevant kernel events as JSON lines"},
    {"run", cmd_run, "run a command or image in a hardened container"},
    {"rules", cmd_rules, "check rule files (rules check FILE...)"},
    {"keygen", cmd_keygen, "write a P-256 signing key pair"},
    {"sign", cmd_sign, "sign an image (cosign-compatible)"},
    {"verify", cmd_verify, "verify an image signature"},
    {"policy", cmd_policy, "check a trust and hardening policy file"},
    {"admit", cmd_admit, "Kubernetes admission webhook (admit serve)"},
    {"audit", cmd_audit, "verify the hash-chained audit log"},
    {"profile", cmd_profile, "learned baselines and generated profiles"},
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: palisade [--version] [--help] COMMAND [ARGS...]\n\n"
		"Container runtime security: hardened runtime, eBPF sensor, rules, enforcement.\n\n"
		"Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-9s %s%s\n", commands[i].name, commands[i].summary,
			commands[i].fn ? "" : " (not in this build)");
	fprintf(out, "  version   print the version\n\n"
		     "Run 'palisade COMMAND --help' for a command's options.\n"
		     "The OCI runtime is the separate binary 'palisade-runtime'.\n");
}

int main(int argc, char **argv)
{
	pal_log_set_prefix("palisade");
	if (argc < 2) {
		usage(stderr);
		return PAL_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return PAL_EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "version")) {
		printf("palisade version %s\n", PAL_VERSION);
		return PAL_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) != 0)
			continue;
		if (!commands[i].fn) {
			fprintf(stderr, "palisade: '%s' is not available in this build\n", name);
			return PAL_EXIT_FAILURE;
		}
		pal_log_set_prefix("palisade");
		return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "palisade: unknown command '%s' (see 'palisade --help')\n", name);
	return PAL_EXIT_USAGE;
}
