/* The `palisade` operator command: one function per subcommand, each in its
 * own cmd_<name>.c. Entries are weak references so a module that is not built
 * yields a clear "not available in this build" message instead of a link error. */
#ifndef PAL_CLI_COMMANDS_H
#define PAL_CLI_COMMANDS_H

typedef int (*pal_cmd_fn)(int argc, char **argv);

struct pal_command {
	const char *name;
	pal_cmd_fn fn;
	const char *summary;
};

#define PAL_DECLARE_CMD(n) extern int cmd_##n(int argc, char **argv) __attribute__((weak))

PAL_DECLARE_CMD(agent);
PAL_DECLARE_CMD(trace);
PAL_DECLARE_CMD(run);
PAL_DECLARE_CMD(rules);
PAL_DECLARE_CMD(keygen);
PAL_DECLARE_CMD(sign);
PAL_DECLARE_CMD(verify);
PAL_DECLARE_CMD(policy);
PAL_DECLARE_CMD(admit);
PAL_DECLARE_CMD(audit);
PAL_DECLARE_CMD(profile);

/* Exit codes shared by every command. */
enum pal_exit {
	PAL_EXIT_OK = 0,
	PAL_EXIT_FAILURE = 1, /* the operation failed (message on stderr) */
	PAL_EXIT_USAGE = 2,   /* bad command line */
	PAL_EXIT_DENIED = 3,  /* a policy refused (verification, admission) */
};

#endif
