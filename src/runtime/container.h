/* The runtime's operations, one per command of the runc-compatible CLI.
 * Each returns 0 or a negative errno with err filled; the CLI prints err. */
#ifndef PAL_RUNTIME_CONTAINER_H
#define PAL_RUNTIME_CONTAINER_H

#include "common/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct rt_globals {
	const char *root;	    /* --root, default RT_DEFAULT_ROOT */
	bool systemd_cgroup;	    /* --systemd-cgroup */
	const char *cgroup_fs_root; /* NULL: /sys/fs/cgroup (tests may point elsewhere) */
};

struct rt_create_opts {
	const char *id;
	const char *bundle;
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
	/* Known to `palisade run`: recorded for the agent. */
	const char *image_ref;
	const char *image_digest;
	const char *name;
	const char *policy_path; /* NULL: PALISADE_POLICY or /etc/palisade/policy.yaml */
	/* internal: `run` in the foreground keeps the init as its child and can
	 * take the pty master itself (fd to receive it on). */
	int console_fd;
};

int rt_create(const struct rt_globals *g, const struct rt_create_opts *o, pid_t *pid,
	      struct pal_err *err);
int rt_start(const struct rt_globals *g, const char *id, struct pal_err *err);
/* create + start; in the foreground waits and returns the exit status
 * (128+signal for a signal) in *status, then deletes the container unless keep. */
int rt_run(const struct rt_globals *g, const struct rt_create_opts *o, bool detach, bool keep,
	   int *status, struct pal_err *err);
int rt_kill(const struct rt_globals *g, const char *id, int sig, bool all, struct pal_err *err);
int rt_delete(const struct rt_globals *g, const char *id, bool force, struct pal_err *err);
int rt_pause(const struct rt_globals *g, const char *id, bool pause, struct pal_err *err);
/* runc `state` output. */
int rt_state_json(const struct rt_globals *g, const char *id, json_t **out, struct pal_err *err);
/* Every container under root: array of state objects. */
int rt_list(const struct rt_globals *g, json_t **out, struct pal_err *err);
int rt_container_pids(const struct rt_globals *g, const char *id, pid_t **pids, size_t *n,
		      struct pal_err *err);

struct rt_exec_opts {
	const char *id;
	const char *process_file; /* --process: a process.json */
	char **args;		  /* or these args with the container's process as template */
	const char *cwd;
	char **env; /* extra KEY=VALUE */
	bool tty;
	const char *user; /* "uid[:gid]" */
	char **additional_gids;
	char **caps; /* extra capabilities */
	bool no_new_privs;
	bool detach;
	const char *pid_file;
	const char *console_socket;
	int preserve_fds;
	bool ignore_paused;
};
/* In the foreground returns the process's exit status in *status. */
int rt_exec(const struct rt_globals *g, const struct rt_exec_opts *o, int *status,
	    struct pal_err *err);

/* Signal names ("KILL", "SIGKILL") and numbers ("9"). -1 if unknown. */
int rt_parse_signal(const char *s);

/* CVE-2019-5736: re-executes the runtime from a read-only, detached bind
 * mount of its own binary, so a container can never open the host binary
 * for writing through /proc/<pid>/exe. Returns 0 when already sealed (or
 * after failing to seal, with a warning), and does not return on success. */
int rt_seal_self(char **argv, char **envp);
/* Is /proc/self/exe on a read-only mount (or a sealed memfd)? */
bool rt_self_is_sealed(void);
/* The directory the binary was started from (recorded by rt_seal_self), or NULL. */
const char *rt_self_dir(void);

#endif
