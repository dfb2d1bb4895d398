/* palisade-runtime: the OCI runtime, with runc's command line so podman
 * (through conmon) and containerd (runc v2 shim) drive it unchanged. */
#include "runtime/features.h"
#include "runtime/container.h"
#include "runtime/oci_config.h"
#include "runtime/policy.h"
#include "runtime/state.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct opt {
	const char *name; /* long name; "-name" and "--name" both accepted, as runc does */
	char short_name;
	bool value; /* takes a value */
	int id;
};

enum {
	O_HELP = 1,
	O_BUNDLE,
	O_CONSOLE_SOCKET,
	O_PID_FILE,
	O_NO_PIVOT,
	O_NO_NEW_KEYRING,
	O_PRESERVE_FDS,
	O_DETACH,
	O_KEEP,
	O_NO_SUBREAPER,
	O_ALL,
	O_FORCE,
	O_FORMAT,
	O_QUIET,
	O_PROCESS,
	O_CWD,
	O_ENV,
	O_TTY,
	O_USER,
	O_ADD_GIDS,
	O_PROCESS_LABEL,
	O_APPARMOR,
	O_NO_NEW_PRIVS,
	O_CAP,
	O_CGROUP,
	O_IGNORE_PAUSED,
	O_ROOTLESS,
	O_ROOT,
	O_LOG,
	O_LOG_FORMAT,
	O_SYSTEMD_CGROUP,
	O_DEBUG,
	O_CRIU,
	O_VERSION,
	O_STATE_DIR,
	O_POLICY,
	O_AUDIT_LOG,
};

/* Parses options up to the first positional argument (or "--"). Returns the
 * index of the first positional, or -1 on error (message printed). */
typedef int (*opt_cb)(void *ctx, int id, const char *value);

static int parse_opts(const char *cmd, int argc, char **argv, int start, const struct opt *opts,
		      opt_cb cb, void *ctx)
{
	int i = start;
	while (i < argc) {
		const char *a = argv[i];
		if (!strcmp(a, "--"))
			return i + 1;
		if (a[0] != '-' || a[1] == '\0')
			return i;
		const char *name = a + (a[1] == '-' ? 2 : 1);
		const char *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const struct opt *o = NULL;
		for (const struct opt *p = opts; p->name; p++) {
			if ((strlen(p->name) == nlen && !strncmp(p->name, name, nlen)) ||
			    (a[1] != '-' && nlen == 1 && p->short_name == name[0]))
				o = p;
		}
		if (!o) {
			fprintf(stderr, "palisade-runtime %s: unknown option %s (see --help)\n",
				cmd, a);
			return -1;
		}
		const char *val = NULL;
		if (o->value) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				fprintf(stderr, "palisade-runtime %s: option %s needs a value\n",
					cmd, a);
				return -1;
			}
		} else if (eq && strcmp(eq + 1, "true") != 0) {
			if (!strcmp(eq + 1, "false")) {
				i++;
				continue;
			}
			fprintf(stderr, "palisade-runtime %s: option %s takes no value\n", cmd, a);
			return -1;
		}
		if (cb(ctx, o->id, val) < 0)
			return -1;
		i++;
	}
	return i;
}

struct cli {
	struct rt_globals g;
	const char *log_path;
	const char *log_format;
	bool debug;
	/* command options */
	struct rt_create_opts create;
	bool help, detach, keep, all, force, quiet, tty, no_new_privs, ignore_paused, rootless;
	const char *format;
	struct rt_exec_opts exec;
};

static int set_int(const char *opt, const char *v, int *out)
{
	int64_t n;
	if (pal_parse_int64(v, &n) < 0 || n < 0 || n > 65536) {
		fprintf(stderr, "palisade-runtime: %s: '%s' is not a valid number\n", opt, v);
		return -1;
	}
	*out = (int)n;
	return 0;
}

static int on_opt(void *ctx, int id, const char *v)
{
	struct cli *c = ctx;
	switch (id) {
	case O_HELP:
		c->help = true;
		break;
	case O_BUNDLE:
		c->create.bundle = v;
		break;
	case O_CONSOLE_SOCKET:
		c->create.console_socket = v;
		c->exec.console_socket = v;
		break;
	case O_PID_FILE:
		c->create.pid_file = v;
		c->exec.pid_file = v;
		break;
	case O_NO_PIVOT:
		c->create.no_pivot = true;
		break;
	case O_NO_NEW_KEYRING:
		c->create.no_new_keyring = true;
		break;
	case O_PRESERVE_FDS:
		if (set_int("--preserve-fds", v, &c->create.preserve_fds) < 0)
			return -1;
		c->exec.preserve_fds = c->create.preserve_fds;
		break;
	case O_DETACH:
		c->detach = true;
		break;
	case O_KEEP:
		c->keep = true;
		break;
	case O_NO_SUBREAPER:
		break;
	case O_ALL:
		c->all = true;
		break;
	case O_FORCE:
		c->force = true;
		break;
	case O_FORMAT:
		if (strcmp(v, "table") && strcmp(v, "json")) {
			fprintf(stderr, "palisade-runtime: --format must be 'table' or 'json'\n");
			return -1;
		}
		c->format = v;
		break;
	case O_QUIET:
		c->quiet = true;
		break;
	case O_PROCESS:
		c->exec.process_file = v;
		break;
	case O_CWD:
		c->exec.cwd = v;
		break;
	case O_ENV:
		pal_strv_push(&c->exec.env, v);
		break;
	case O_TTY:
		c->tty = true;
		break;
	case O_USER:
		c->exec.user = v;
		break;
	case O_ADD_GIDS:
		pal_strv_push(&c->exec.additional_gids, v);
		break;
	case O_CAP:
		pal_strv_push(&c->exec.caps, v);
		break;
	case O_NO_NEW_PRIVS:
		c->no_new_privs = true;
		break;
	case O_IGNORE_PAUSED:
		c->ignore_paused = true;
		break;
	case O_ROOTLESS:
		c->rootless = true;
		break;
	case O_PROCESS_LABEL:
	case O_APPARMOR:
		if (v && *v) {
			fprintf(stderr, "palisade-runtime: SELinux/AppArmor labels are not "
					"supported on this host\n");
			return -1;
		}
		break;
	/* Palisade's own globals, for engines that can only pass runtime flags
	 * (podman --runtime-flag, containers.conf runtime args). */
	case O_STATE_DIR:
		setenv("PALISADE_STATE_DIR", v, 1);
		break;
	case O_POLICY:
		setenv("PALISADE_POLICY", v, 1);
		break;
	case O_AUDIT_LOG:
		setenv("PALISADE_AUDIT_LOG", v, 1);
		break;
	case O_CGROUP:
		fprintf(stderr, "palisade-runtime exec: --cgroup is not supported: the process "
				"joins the container's cgroup\n");
		return -1;
	case O_ROOT:
		c->g.root = v;
		break;
	case O_LOG:
		c->log_path = v;
		break;
	case O_LOG_FORMAT:
		c->log_format = v;
		break;
	case O_SYSTEMD_CGROUP:
		c->g.systemd_cgroup = true;
		break;
	case O_DEBUG:
		c->debug = true;
		break;
	case O_CRIU:
		break;
	case O_VERSION:
		c->help = false;
		break;
	}
	return 0;
}

#define HELP_OPT                                                                                   \
	{                                                                                          \
		"help", 'h', false, O_HELP                                                         \
	}

static const struct opt global_opts[] = {{"root", 0, true, O_ROOT},
					 {"log", 0, true, O_LOG},
					 {"log-format", 0, true, O_LOG_FORMAT},
					 {"systemd-cgroup", 0, false, O_SYSTEMD_CGROUP},
					 {"debug", 0, false, O_DEBUG},
					 {"criu", 0, true, O_CRIU},
					 {"rootless", 0, true, O_ROOTLESS},
					 {"state-dir", 0, true, O_STATE_DIR},
					 {"policy", 0, true, O_POLICY},
					 {"audit-log", 0, true, O_AUDIT_LOG},
					 HELP_OPT,
					 {"version", 'v', false, O_VERSION},
					 {0}};

static const struct opt create_opts[] = {{"bundle", 'b', true, O_BUNDLE},
					 {"console-socket", 0, true, O_CONSOLE_SOCKET},
					 {"pid-file", 0, true, O_PID_FILE},
					 {"no-pivot", 0, false, O_NO_PIVOT},
					 {"no-new-keyring", 0, false, O_NO_NEW_KEYRING},
					 {"preserve-fds", 0, true, O_PRESERVE_FDS},
					 HELP_OPT,
					 {0}};

static const struct opt run_opts[] = {{"bundle", 'b', true, O_BUNDLE},
				      {"console-socket", 0, true, O_CONSOLE_SOCKET},
				      {"pid-file", 0, true, O_PID_FILE},
				      {"no-pivot", 0, false, O_NO_PIVOT},
				      {"no-new-keyring", 0, false, O_NO_NEW_KEYRING},
				      {"preserve-fds", 0, true, O_PRESERVE_FDS},
				      {"detach", 'd', false, O_DETACH},
				      {"keep", 0, false, O_KEEP},
				      {"no-subreaper", 0, false, O_NO_SUBREAPER},
				      HELP_OPT,
				      {0}};

static const struct opt exec_opts[] = {{"console-socket", 0, true, O_CONSOLE_SOCKET},
				       {"cwd", 0, true, O_CWD},
				       {"env", 'e', true, O_ENV},
				       {"tty", 't', false, O_TTY},
				       {"user", 'u', true, O_USER},
				       {"additional-gids", 'g', true, O_ADD_GIDS},
				       {"process", 'p', true, O_PROCESS},
				       {"detach", 'd', false, O_DETACH},
				       {"pid-file", 0, true, O_PID_FILE},
				       {"process-label", 0, true, O_PROCESS_LABEL},
				       {"apparmor", 0, true, O_APPARMOR},
				       {"no-new-privs", 0, false, O_NO_NEW_PRIVS},
				       {"cap", 'c', true, O_CAP},
				       {"preserve-fds", 0, true, O_PRESERVE_FDS},
				       {"cgroup", 0, true, O_CGROUP},
				       {"ignore-paused", 0, false, O_IGNORE_PAUSED},
				       HELP_OPT,
				       {0}};

static const struct opt kill_opts[] = {{"all", 'a', false, O_ALL}, HELP_OPT, {0}};
static const struct opt delete_opts[] = {{"force", 'f', false, O_FORCE}, HELP_OPT, {0}};
static const struct opt ps_opts[] = {{"format", 'f', true, O_FORMAT}, HELP_OPT, {0}};
static const struct opt list_opts[] = {
    {"format", 'f', true, O_FORMAT}, {"quiet", 'q', false, O_QUIET}, HELP_OPT, {0}};
static const struct opt spec_opts[] = {
    {"bundle", 'b', true, O_BUNDLE}, {"rootless", 0, false, O_ROOTLESS}, HELP_OPT, {0}};
static const struct opt plain_opts[] = {HELP_OPT, {0}};

static int fail(struct pal_err *err)
{
	pal_error("%s", err->msg);
	return 1;
}

static int need_args(const char *cmd, int have, int min, int max, const char *usage)
{
	if (have < min || (max >= 0 && have > max)) {
		fprintf(stderr, "palisade-runtime %s: expected %s (see --help)\n", cmd, usage);
		return -1;
	}
	return 0;
}

static int print_json(json_t *j, int flags)
{
	char *s = json_dumps(j, flags);
	json_decref(j);
	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}

static int cmd_ps(struct cli *c, char **args, int n)
{
	struct pal_err err = {0};
	pid_t *pids = NULL;
	size_t np = 0;
	if (rt_container_pids(&c->g, args[0], &pids, &np, &err) < 0)
		return fail(&err);
	if (c->format && !strcmp(c->format, "json")) {
		json_t *a = json_array();
		for (size_t i = 0; i < np; i++)
			json_array_append_new(a, json_integer(pids[i]));
		free(pids);
		return print_json(a, JSON_COMPACT);
	}
	/* Table: ps's own output, filtered to the container's pids, as runc does. */
	struct pal_buf cmd;
	pal_buf_init(&cmd);
	pal_buf_puts(&cmd, "ps");
	if (n > 1) {
		for (int i = 1; i < n; i++) {
			pal_buf_puts(&cmd, " '");
			for (const char *p = args[i]; *p; p++)
				if (*p == '\'')
					pal_buf_puts(&cmd, "'\\''");
				else
					pal_buf_putc(&cmd, *p);
			pal_buf_putc(&cmd, '\'');
		}
	} else {
		pal_buf_puts(&cmd, " -ef");
	}
	FILE *f = popen(cmd.data, "r");
	pal_buf_free(&cmd);
	if (!f) {
		free(pids);
		fprintf(stderr, "palisade-runtime ps: cannot run ps: %s\n", strerror(errno));
		return 1;
	}
	char line[8192];
	int pid_col = -1;
	bool header = true;
	while (fgets(line, sizeof(line), f)) {
		if (header) {
			fputs(line, stdout);
			char copy[sizeof(line)];
			snprintf(copy, sizeof(copy), "%s", line);
			int col = 0;
			char *save = NULL;
			for (char *t = strtok_r(copy, " \t\n", &save); t;
			     t = strtok_r(NULL, " \t\n", &save), col++)
				if (!strcmp(t, "PID"))
					pid_col = col;
			header = false;
			continue;
		}
		char copy[sizeof(line)];
		snprintf(copy, sizeof(copy), "%s", line);
		char *save = NULL, *t = strtok_r(copy, " \t\n", &save);
		for (int col = 0; t && col < pid_col; col++)
			t = strtok_r(NULL, " \t\n", &save);
		int64_t pid;
		if (!t || pal_parse_int64(t, &pid) < 0)
			continue;
		for (size_t i = 0; i < np; i++)
			if (pids[i] == pid)
				fputs(line, stdout);
	}
	pclose(f);
	free(pids);
	if (pid_col < 0) {
		fprintf(stderr, "palisade-runtime ps: ps output has no PID column\n");
		return 1;
	}
	return 0;
}

static int cmd_list(struct cli *c)
{
	struct pal_err err = {0};
	json_t *arr = NULL;
	if (rt_list(&c->g, &arr, &err) < 0)
		return fail(&err);
	if (c->format && !strcmp(c->format, "json"))
		return print_json(arr, JSON_COMPACT);
	size_t i;
	json_t *s;
	if (!c->quiet)
		printf("%-24s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	json_array_foreach(arr, i, s)
	{
		const char *id = json_string_value(json_object_get(s, "id"));
		if (c->quiet) {
			printf("%s\n", id);
			continue;
		}
		printf("%-24s %-8lld %-10s %-40s %-32s %s\n", id,
		       (long long)json_integer_value(json_object_get(s, "pid")),
		       json_string_value(json_object_get(s, "status")),
		       json_string_value(json_object_get(s, "bundle")),
		       json_string_value(json_object_get(s, "created")),
		       json_string_value(json_object_get(s, "owner")));
	}
	json_decref(arr);
	return 0;
}

static int cmd_spec(struct cli *c)
{
	const char *dir = c->create.bundle ? c->create.bundle : ".";
	_cleanup_free_ char *path = pal_path_join(dir, "config.json");
	if (pal_path_exists(path)) {
		fprintf(stderr, "palisade-runtime spec: %s already exists; remove it first\n",
			path);
		return 1;
	}
	_cleanup_free_ char *text = rt_config_default_spec(c->rootless);
	struct pal_err err = {0};
	if (pal_write_file_replace(path, text, strlen(text), 0644, &err) < 0)
		return fail(&err);
	return 0;
}

struct command {
	const char *name;
	const struct opt *opts;
	const char *usage;
	const char *help;
};

static const struct command commands[] = {
    {"create", create_opts, "[--bundle DIR] [--console-socket PATH] [--pid-file PATH] ID",
     "create a container: set it up and stop before running its process"},
    {"start", plain_opts, "ID", "run the process of a created container"},
    {"run", run_opts, "[--bundle DIR] [-d] [--pid-file PATH] [--keep] ID",
     "create and start; in the foreground, exit with the process's status"},
    {"state", plain_opts, "ID", "print a container's state as JSON"},
    {"kill", kill_opts, "[--all] ID [SIGNAL]", "send a signal (default SIGTERM)"},
    {"delete", delete_opts, "[--force] ID", "remove a container (--force kills it first)"},
    {"exec", exec_opts, "[--process FILE | ID CMD...] [-d] [-t] [--pid-file PATH] ID",
     "run another process in a running container"},
    {"ps", ps_opts, "[--format table|json] ID [PS-ARGS...]", "list a container's processes"},
    {"list", list_opts, "[--format table|json] [--quiet]", "list containers"},
    {"pause", plain_opts, "ID", "freeze every process of a container"},
    {"resume", plain_opts, "ID", "thaw a paused container"},
    {"features", plain_opts, "", "print what this runtime supports (JSON)"},
    {"spec", spec_opts, "[--bundle DIR] [--rootless]", "write a default config.json"},
    {"update", plain_opts, "ID", "(not supported)"},
    {"events", plain_opts, "ID", "(not supported)"},
    {"checkpoint", plain_opts, "ID", "(not supported: no CRIU)"},
    {"restore", plain_opts, "ID", "(not supported: no CRIU)"},
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: palisade-runtime [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
		"A hardened OCI runtime with runc's command line.\n\n"
		"Global options:\n"
		"  --root DIR          state directory (default %s)\n"
		"  --log FILE          log file (default: stderr)\n"
		"  --log-format FMT    text or json\n"
		"  --systemd-cgroup    cgroupsPath is slice:prefix:name (needs systemd)\n"
		"  --state-dir DIR     container records for the agent (default %s,\n"
		"                      or $PALISADE_STATE_DIR)\n"
		"  --policy FILE       node policy (default %s, or $PALISADE_POLICY)\n"
		"  --audit-log FILE    where admission denials are recorded (default\n"
		"                      /var/lib/palisade/audit.log, or $PALISADE_AUDIT_LOG)\n"
		"  --debug             verbose logging\n"
		"  --version, --help\n\n"
		"Commands:\n",
		RT_DEFAULT_ROOT, RT_AGENT_STATE_DEFAULT, RT_POLICY_DEFAULT_PATH);
	for (size_t i = 0; i < PAL_ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\nHardening (seccomp, W^X with Landlock, no_new_privs) is on by default;\n"
		     "see /etc/palisade/policy.yaml (or PALISADE_POLICY) and the\n"
		     "io.palisade.hardening.* annotations.\n");
}

static void command_usage(const struct command *cmd)
{
	printf("Usage: palisade-runtime %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->help);
	if (cmd->opts[0].name && strcmp(cmd->opts[0].name, "help")) {
		printf("\nOptions:\n");
		for (const struct opt *o = cmd->opts; o->name; o++) {
			char flag[64];
			snprintf(flag, sizeof(flag), "%s%c%s--%s%s", o->short_name ? "-" : "",
				 o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ",
				 o->name, o->value ? " VALUE" : "");
			printf("  %s\n", flag[0] == ' ' ? flag + 1 : flag);
		}
	}
}

static int run_command(struct cli *cp, const char *name, char **args, int nargs);

static bool enters_container(const char *cmd)
{
	return !strcmp(cmd, "create") || !strcmp(cmd, "run") || !strcmp(cmd, "exec");
}

int main(int argc, char **argv, char **envp)
{
	struct cli c;
	memset(&c, 0, sizeof(c));
	c.g.root = RT_DEFAULT_ROOT;
	c.create.console_fd = -1;
	pal_log_set_prefix("palisade-runtime");

	int i = parse_opts("", argc, argv, 1, global_opts, on_opt, &c);
	if (i < 0)
		return 2;
	for (int k = 1; k < i; k++)
		if (!strcmp(argv[k], "--version") || !strcmp(argv[k], "-v") ||
		    !strcmp(argv[k], "-version")) {
			printf("palisade-runtime version %s\nspec: %s\n", PAL_VERSION,
			       RT_OCI_VERSION);
			return 0;
		}
	if (c.help || i >= argc) {
		usage(c.help ? stdout : stderr);
		return c.help ? 0 : 2;
	}
	const char *name = argv[i++];
	const struct command *cmd = NULL;
	for (size_t k = 0; k < PAL_ARRAY_SIZE(commands); k++)
		if (!strcmp(commands[k].name, name))
			cmd = &commands[k];
	if (!cmd) {
		fprintf(stderr, "palisade-runtime: unknown command '%s' (see --help)\n", name);
		return 2;
	}
	int fmt = PAL_LOG_TEXT;
	if (c.log_format && (fmt = pal_log_format_from_string(c.log_format)) < 0) {
		fprintf(stderr, "palisade-runtime: --log-format must be 'text' or 'json'\n");
		return 2;
	}
	if (pal_log_open(c.log_path, (enum pal_log_format)fmt, true) < 0) {
		fprintf(stderr, "palisade-runtime: cannot open log file %s: %s\n", c.log_path,
			strerror(errno));
		return 1;
	}
	pal_log_set_level(c.debug ? PAL_LOG_DEBUG : PAL_LOG_WARN);

	int first = parse_opts(name, argc, argv, i, cmd->opts, on_opt, &c);
	if (first < 0)
		return 2;
	if (c.help) {
		command_usage(cmd);
		return 0;
	}
	char **args = argv + first;
	int nargs = argc - first;

	/* Seal before any work that ends inside a container (CVE-2019-5736). */
	if (enters_container(name)) {
		int r = rt_seal_self(argv, envp);
		if (r < 0) {
			pal_error("refusing to %s: cannot run from a read-only copy of the runtime "
				  "binary (CVE-2019-5736 protection): %s",
				  name, strerror(-r));
			return 1;
		}
		unsetenv("_PALISADE_SEAL_TRIED");
	}

	int rc = run_command(&c, name, args, nargs);
	pal_strv_free(c.exec.env);
	pal_strv_free(c.exec.caps);
	pal_strv_free(c.exec.additional_gids);
	pal_log_close();
	return rc;
}

static int run_command(struct cli *cp, const char *name, char **args, int nargs)
{
	struct cli c = *cp;
	struct pal_err err = {0};
	if (!strcmp(name, "create") || !strcmp(name, "run")) {
		if (need_args(name, nargs, 1, 1, "a container ID") < 0)
			return 2;
		c.create.id = args[0];
		_cleanup_free_ char *cwd = NULL;
		if (!c.create.bundle) {
			cwd = getcwd(NULL, 0);
			c.create.bundle = cwd;
		}
		_cleanup_free_ char *abs_bundle = NULL;
		if (c.create.bundle && c.create.bundle[0] != '/') {
			_cleanup_free_ char *here = getcwd(NULL, 0);
			abs_bundle = pal_path_join(here ? here : "/", c.create.bundle);
			c.create.bundle = abs_bundle;
		}
		if (!strcmp(name, "create")) {
			if (rt_create(&c.g, &c.create, NULL, &err) < 0)
				return fail(&err);
			return 0;
		}
		int status = 0;
		if (rt_run(&c.g, &c.create, c.detach, c.keep, &status, &err) < 0)
			return fail(&err);
		return c.detach ? 0 : status;
	}
	if (!strcmp(name, "start") || !strcmp(name, "pause") || !strcmp(name, "resume") ||
	    !strcmp(name, "state")) {
		if (need_args(name, nargs, 1, 1, "a container ID") < 0)
			return 2;
		int r;
		if (!strcmp(name, "start"))
			r = rt_start(&c.g, args[0], &err);
		else if (!strcmp(name, "state")) {
			json_t *j = NULL;
			r = rt_state_json(&c.g, args[0], &j, &err);
			if (r == 0)
				return print_json(j, JSON_INDENT(2));
		} else
			r = rt_pause(&c.g, args[0], !strcmp(name, "pause"), &err);
		return r < 0 ? fail(&err) : 0;
	}
	if (!strcmp(name, "kill")) {
		if (need_args(name, nargs, 1, 2, "ID [SIGNAL]") < 0)
			return 2;
		int sig = nargs > 1 ? rt_parse_signal(args[1]) : 15;
		if (sig < 0) {
			fprintf(stderr, "palisade-runtime kill: unknown signal '%s'\n", args[1]);
			return 2;
		}
		return rt_kill(&c.g, args[0], sig, c.all, &err) < 0 ? fail(&err) : 0;
	}
	if (!strcmp(name, "delete")) {
		if (need_args(name, nargs, 1, 1, "a container ID") < 0)
			return 2;
		return rt_delete(&c.g, args[0], c.force, &err) < 0 ? fail(&err) : 0;
	}
	if (!strcmp(name, "exec")) {
		if (need_args(name, nargs, 1, -1, "ID and a command, or --process FILE and ID") < 0)
			return 2;
		c.exec.id = args[0];
		c.exec.args = nargs > 1 ? args + 1 : NULL;
		c.exec.tty = c.tty;
		c.exec.detach = c.detach;
		c.exec.no_new_privs = c.no_new_privs;
		c.exec.ignore_paused = c.ignore_paused;
		int status = 0;
		if (rt_exec(&c.g, &c.exec, &status, &err) < 0)
			return fail(&err);
		return c.detach ? 0 : status;
	}
	if (!strcmp(name, "ps")) {
		if (need_args(name, nargs, 1, -1, "a container ID") < 0)
			return 2;
		return cmd_ps(&c, args, nargs);
	}
	if (!strcmp(name, "list"))
		return cmd_list(&c);
	if (!strcmp(name, "features"))
		return print_json(rt_features_json(), JSON_INDENT(2));
	if (!strcmp(name, "spec"))
		return cmd_spec(&c);
	fprintf(stderr,
		"palisade-runtime %s: not supported by this runtime (no CRIU; resources are set "
		"at create)\n",
		name);
	return 1;
}
