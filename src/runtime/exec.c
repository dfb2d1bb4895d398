#include "runtime/cgroup.h"
#include "runtime/console.h"
#include "runtime/container.h"
#include "runtime/init.h"
#include "runtime/process_setup.h"
#include "runtime/seccomp.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/tty_proxy.h"
#include "runtime/wx.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct exec_run {
	struct rt_state s;
	struct rt_config tmpl;
	bool tmpl_loaded;
	struct rt_process proc;
	bool proc_from_file;
	struct rt_seccomp_program seccomp;
	bool has_seccomp;
	struct rt_cgroup *cg;
	int pidfd;
	int sync[2];
	int console_fd;
	pid_t pid;
};

static void exec_free(struct exec_run *x)
{
	if (x->proc_from_file)
		rt_process_free(&x->proc);
	if (x->tmpl_loaded)
		rt_config_free(&x->tmpl);
	if (x->has_seccomp)
		rt_seccomp_program_free(&x->seccomp);
	if (x->cg)
		rt_cgroup_free(x->cg);
	rt_state_free(&x->s);
	for (int *fd = &x->pidfd; fd <= &x->console_fd; fd++)
		if (*fd >= 0)
			close(*fd);
}

/* Which of the init's namespaces differ from ours: those are the ones to join. */
static int namespaces_to_join(pid_t pid, int *flags, struct pal_err *err)
{
	static const struct {
		const char *name;
		int flag;
	} ns[] = {{"mnt", CLONE_NEWNS},	  {"uts", CLONE_NEWUTS},       {"ipc", CLONE_NEWIPC},
		  {"net", CLONE_NEWNET},  {"cgroup", CLONE_NEWCGROUP}, {"user", CLONE_NEWUSER},
		  {"time", CLONE_NEWTIME}};
	*flags = 0;
	for (size_t i = 0; i < PAL_ARRAY_SIZE(ns); i++) {
		char theirs[64], ours[64];
		snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)pid, ns[i].name);
		snprintf(ours, sizeof(ours), "/proc/self/ns/%s", ns[i].name);
		struct stat a, b;
		if (stat(theirs, &a) < 0) {
			if (errno == ENOENT && strcmp(ns[i].name, "time") == 0)
				continue;
			return pal_err_sys(err, errno, "inspect %s", theirs);
		}
		if (stat(ours, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
			*flags |= ns[i].flag;
	}
	return 0;
}

static int parse_user(const char *spec, struct rt_user *u, struct pal_err *err)
{
	_cleanup_free_ char *copy = pal_xstrdup(spec);
	char *colon = strchr(copy, ':');
	if (colon)
		*colon = '\0';
	uint64_t uid, gid = 0;
	if (pal_parse_uint64(copy, &uid) < 0 || uid > UINT32_MAX ||
	    (colon && (pal_parse_uint64(colon + 1, &gid) < 0 || gid > UINT32_MAX)))
		return pal_err_set(err, EINVAL,
				   "--user %s: use numeric uid[:gid] (user names are not resolved)",
				   spec);
	u->uid = (uint32_t)uid;
	u->gid = colon ? (uint32_t)gid : u->gid;
	return 0;
}

/* Builds the process from the container's own as a template, as runc does
 * for `exec ID CMD...`. */
static int process_from_args(struct exec_run *x, const struct rt_exec_opts *o,
			     const struct rt_globals *g, struct pal_err *err)
{
	_cleanup_free_ char *dir = rt_state_path(g->root, o->id, NULL);
	int r = rt_config_load(dir, &x->tmpl, err);
	if (r < 0)
		return pal_err_prefix(err, "container %s: load its configuration", o->id);
	x->tmpl_loaded = true;
	x->proc = x->tmpl.process;
	x->proc.args = o->args;
	x->proc.terminal = o->tty;
	x->proc.console_size.present = false;
	if (o->cwd)
		x->proc.cwd = (char *)o->cwd;
	if (o->user && (r = parse_user(o->user, &x->proc.user, err)) < 0)
		return r;
	/* The template's explicit choice carries over; --no-new-privs forces it. */
	if (o->no_new_privs) {
		x->proc.no_new_privileges = true;
		x->proc.has_no_new_privileges = true;
	}
	for (size_t i = 0; o->caps && o->caps[i]; i++) {
		int cap = rt_cap_from_name(o->caps[i]);
		if (cap < 0)
			return pal_err_set(err, EINVAL, "--cap %s: unknown capability", o->caps[i]);
		uint64_t bit = 1ull << cap;
		x->proc.caps.bounding |= bit;
		x->proc.caps.effective |= bit;
		x->proc.caps.permitted |= bit;
		x->proc.caps.inheritable |= bit;
	}
	if (o->env) {
		/* --env overrides the container's variable of the same name. */
		char **env = pal_strv_dup(x->tmpl.process.env);
		for (size_t i = 0; o->env[i]; i++) {
			const char *eq = strchr(o->env[i], '=');
			if (!eq)
				return pal_err_set(err, EINVAL, "--env %s: expected KEY=VALUE",
						   o->env[i]);
			size_t klen = (size_t)(eq - o->env[i]) + 1;
			bool replaced = false;
			for (size_t j = 0; env[j]; j++)
				if (!strncmp(env[j], o->env[i], klen)) {
					free(env[j]);
					env[j] = pal_xstrdup(o->env[i]);
					replaced = true;
				}
			if (!replaced)
				pal_strv_push(&env, o->env[i]);
		}
		/* Owned by the template now so it is freed with it. */
		pal_strv_free(x->tmpl.process.env);
		x->tmpl.process.env = env;
		x->proc.env = env;
	}
	return 0;
}

static _Noreturn void exec_child(struct exec_run *x, int ns_flags, bool nnp, char **ll_paths,
				 int preserve_fds)
{
	static struct rt_sync_msg msg;
	struct pal_err err = {0};
	_cleanup_free_ char *path = NULL, *real = NULL;
	int landlock = -1, r;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(x->sync[0]);
	if ((r = rt_sync_expect(x->sync[1], RT_SYNC_GO, &msg, &err)) < 0)
		goto fail;
	if (ns_flags && setns(x->pidfd, ns_flags) < 0) {
		r = pal_err_sys(&err, errno, "join the container's namespaces");
		goto fail;
	}
	if ((r = rt_enter_cwd(x->proc.cwd, &err)) < 0)
		goto fail;
	if (x->proc.terminal && (r = rt_console_setup(x->console_fd, &x->proc, false, &err)) < 0)
		goto fail;
	if ((r = rt_apply_rlimits(&x->proc, &err)) < 0 ||
	    (r = rt_apply_oom_score_adj(&x->proc, &err)) < 0 ||
	    (r = rt_apply_scheduling(&x->proc, &err)) < 0)
		goto fail;
	if ((r = rt_find_executable(x->proc.args[0], x->proc.env, &path, &real, &err)) < 0)
		goto fail;
	if (ll_paths && (landlock = rt_landlock_prepare(ll_paths, &err)) < 0) {
		r = landlock;
		goto fail;
	}
	/* The parent may exit as soon as we are ready (--detach). */
	prctl(PR_SET_PDEATHSIG, 0);
	if ((r = rt_sync_send(x->sync[1], RT_SYNC_READY, 0, NULL, 0)) < 0) {
		r = pal_err_sys(&err, -r, "report ready");
		goto fail;
	}
	close(x->sync[1]);
	struct rt_final_exec f = {.proc = &x->proc,
				  .path = path,
				  .landlock_ruleset = landlock,
				  .no_new_privs = nnp,
				  .seccomp = x->has_seccomp ? &x->seccomp : NULL,
				  .preserve_fds = preserve_fds};
	rt_final_exec(&f, &err);
	dprintf(2, "palisade-runtime: exec: %s\n", err.msg);
	_exit(err.code == ENOENT ? 127 : 126);
fail:
	rt_sync_send_error(x->sync[1], &err);
	_exit(1);
}

static int exec_prepare(struct exec_run *x, const struct rt_globals *g,
			const struct rt_exec_opts *o, struct pal_err *err)
{
	int r = rt_state_load(g->root, o->id, &x->s, err);
	if (r < 0)
		return r;
	enum rt_status st = rt_state_status(g->root, &x->s);
	if (st == RT_STATUS_STOPPED || (st == RT_STATUS_PAUSED && !o->ignore_paused))
		return pal_err_set(err, EINVAL, "cannot exec in container %s: it is %s", o->id,
				   rt_status_name(st));
	if (o->process_file) {
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		if ((r = pal_read_file(o->process_file, RT_CONFIG_MAX_BYTES, &text, &len, err)) <
			0 ||
		    (r = rt_process_parse(text, len, o->process_file, &x->proc, err)) < 0)
			return r;
		x->proc_from_file = true;
	} else {
		if (!o->args || !o->args[0])
			return pal_err_set(err, EINVAL, "exec: give a command or --process FILE");
		if ((r = process_from_args(x, o, g, err)) < 0)
			return r;
	}
	if (x->proc.terminal && !o->console_socket)
		return pal_err_set(err, EINVAL, "a terminal needs --console-socket");
	rt_caps_normalize_ambient(&x->proc.caps);
	if (x->s.has_seccomp) {
		_cleanup_free_ char *p = rt_state_path(g->root, o->id, "seccomp.bpf");
		if ((r = rt_seccomp_program_load_file(p, &x->seccomp, err)) < 0)
			return r;
		x->has_seccomp = true;
	}
	if (x->s.cgroup && (r = rt_cgroup_from_json(x->s.cgroup, &x->cg, err)) < 0)
		return r;
	x->pidfd = (int)syscall(SYS_pidfd_open, x->s.pid, 0);
	if (x->pidfd < 0 || !rt_state_init_alive(&x->s))
		return pal_err_set(err, ESRCH, "container %s is not running", o->id);
	if (x->proc.terminal && (x->console_fd = rt_console_connect(o->console_socket, err)) < 0)
		return x->console_fd;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, x->sync) < 0)
		return pal_err_sys(err, errno, "socketpair");
	return 0;
}

static int exec_spawn(struct exec_run *x, const struct rt_exec_opts *o, struct pal_err *err)
{
	int ns_flags = 0;
	int r = namespaces_to_join(x->s.pid, &ns_flags, err);
	if (r < 0)
		return r;
	bool nnp = x->proc.has_no_new_privileges ? x->proc.no_new_privileges : x->s.no_new_privs;
	/* pid_for_children: the exec'd process is born in the container's pid namespace. */
	_cleanup_close_ int own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
	if (own_pidns < 0 || setns(x->pidfd, CLONE_NEWPID) < 0)
		return pal_err_sys(err, errno, "join the container's pid namespace");
	x->pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (x->pid == 0)
		exec_child(x, ns_flags, nnp, x->s.landlock_exec_paths, o->preserve_fds);
	int e = errno;
	setns(own_pidns, CLONE_NEWPID);
	if (x->pid < 0)
		return pal_err_sys(err, e, "create the process (clone)");
	close(x->sync[1]);
	x->sync[1] = -1;
	static struct rt_sync_msg msg;
	if (x->cg && (r = rt_cgroup_enter(x->cg, x->pid, err)) < 0)
		return r;
	if ((r = rt_sync_send(x->sync[0], RT_SYNC_GO, 0, NULL, 0)) < 0)
		return pal_err_sys(err, -r, "start the process");
	if ((r = rt_sync_expect(x->sync[0], RT_SYNC_READY, &msg, err)) < 0)
		return r;
	if (o->pid_file && (r = rt_write_pid_file(o->pid_file, x->pid, err)) < 0)
		return r;
	return 0;
}

int rt_exec(const struct rt_globals *g, const struct rt_exec_opts *o, int *status,
	    struct pal_err *err)
{
	struct exec_run x;
	memset(&x, 0, sizeof(x));
	x.pidfd = x.sync[0] = x.sync[1] = x.console_fd = -1;
	int r = exec_prepare(&x, g, o, err);
	if (r == 0)
		r = exec_spawn(&x, o, err);
	if (r < 0 && x.pid > 0) {
		kill(x.pid, SIGKILL);
		waitpid(x.pid, NULL, 0);
	}
	if (r == 0 && !o->detach) {
		r = rt_wait_forwarding_signals(x.pid, status);
		if (r < 0)
			pal_err_sys(err, -r, "wait for the process");
	}
	if (r < 0)
		pal_err_prefix(err, "exec in container %s", o->id ? o->id : "?");
	exec_free(&x);
	return r;
}
