/* The container's first process between clone() and execve(): private to
 * create.c / init.c. */
#ifndef PAL_RUNTIME_INIT_H
#define PAL_RUNTIME_INIT_H

#include "runtime/mounts.h"
#include "runtime/oci_config.h"
#include "runtime/policy.h"
#include "runtime/seccomp.h"

#include <stdbool.h>

/* An extra sync message: the init hands the seccomp listener fd to the
 * create process, which forwards it to linux.seccomp.listenerPath. */
#define RT_SYNC_LISTENER 100

struct rt_init_ctx {
	const char *id;
	const struct rt_config *cfg;
	const struct rt_hardening *hard;
	const struct rt_seccomp_program *seccomp; /* NULL: no filter */
	struct rt_mount_env menv;
	const char *rootfs;
	int sync_fd;
	int console_fd;	  /* -1 without a terminal */
	int fifo_fd;	  /* O_PATH fd of exec.fifo */
	int host_proc_fd; /* O_PATH fd of the host's /proc, to reopen the fifo after pivot_root */
	int preserve_fds;
	bool no_pivot;
	bool no_new_keyring;
	bool userns_new;
	bool no_new_privs;
	bool landlock; /* W^X with Landlock (kernel supports it) */
};

_Noreturn void rt_init_main(struct rt_init_ctx *c);

/* Shared with exec: the last steps before execve, identical for the init
 * and for exec'd processes. Returns only on failure (with err filled). */
struct rt_final_exec {
	const struct rt_process *proc;
	const char *path;     /* resolved executable */
	int landlock_ruleset; /* -1: none */
	bool no_new_privs;
	const struct rt_seccomp_program *seccomp;
	bool seccomp_installed; /* already done (NOTIFY filters go in early) */
	int preserve_fds;
};
int rt_final_exec(const struct rt_final_exec *f, struct pal_err *err);

#endif
