#include "runtime/init.h"
#include "runtime/caps.h"
#include "runtime/console.h"
#include "runtime/hooks.h"
#include "runtime/mounts.h"
#include "runtime/process_setup.h"
#include "runtime/sync.h"
#include "runtime/wx.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int join_namespaces(const struct rt_config *cfg, struct pal_err *err)
{
	/* The user namespace first: the others may be owned by it. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < cfg->n_namespaces; i++) {
			const struct rt_namespace *ns = &cfg->namespaces[i];
			if (!ns->path || ns->type == RT_NS_PID)
				continue;
			if ((pass == 0) != (ns->type == RT_NS_USER))
				continue;
			_cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				return pal_err_sys(err, errno, "linux.namespaces[%zu] (%s) path %s",
						   i, rt_ns_type_name(ns->type), ns->path);
			if (setns(fd, rt_ns_clone_flag(ns->type)) < 0)
				return pal_err_sys(
				    err, errno, "join %s namespace %s (is it a %s namespace?)",
				    rt_ns_type_name(ns->type), ns->path, rt_ns_type_name(ns->type));
		}
	}
	return 0;
}

/* Landlock does not see memfds (they live on an internal mount), so fileless
 * execution is closed by the pid namespace's memfd policy: every memfd is
 * created sealed against execution (vm.memfd_noexec=2, Linux 6.3+). Only in
 * a pid namespace of the container's own: the value is per namespace. */
static int seal_memfd_exec(const struct rt_init_ctx *c, struct pal_err *err)
{
	const struct rt_namespace *pid = rt_config_namespace(c->cfg, RT_NS_PID);
	if (!c->hard->wx || !pid || pid->path)
		return 0;
	int fd = openat(c->host_proc_fd, "sys/vm/memfd_noexec", O_WRONLY | O_CLOEXEC);
	/* Absent before Linux 6.3; not writable from a user namespace. */
	if (fd < 0 && (errno == ENOENT || (c->userns_new && (errno == EACCES || errno == EPERM))))
		return 0;
	if (fd < 0)
		return pal_err_sys(err, errno, "open vm.memfd_noexec");
	int r = pal_write_all(fd, "2", 1);
	close(fd);
	return r < 0 ? pal_err_sys(err, -r, "set vm.memfd_noexec=2 for the container") : 0;
}

static int join_session_keyring(const char *id, struct pal_err *err)
{
	char name[128];
	snprintf(name, sizeof(name), "_ses.%.100s", id);
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS &&
	    errno != EPERM)
		return pal_err_sys(err, errno, "join a session keyring of its own");
	return 0;
}

/* Applies Landlock, capabilities, seccomp and no_new_privs in the order the
 * kernel needs, marks every fd close-on-exec and runs the program. */
int rt_final_exec(const struct rt_final_exec *f, struct pal_err *err)
{
	const struct rt_process *p = f->proc;
	if (f->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return pal_err_sys(err, errno, "set no_new_privs");
	/* Landlock needs no_new_privs or CAP_SYS_ADMIN: we still hold the latter. */
	if (f->landlock_ruleset >= 0) {
		int r = rt_landlock_enforce(f->landlock_ruleset);
		if (r < 0)
			return pal_err_sys(err, -r, "Landlock: restrict the container");
		close(f->landlock_ruleset);
	}
	int r = rt_caps_drop_bounding(&p->caps);
	if (r < 0)
		return pal_err_sys(err, -r, "drop capabilities from the bounding set");
	bool seccomp_done = f->seccomp_installed || !f->seccomp;
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which the
	 * user switch may drop: load it first. */
	if (!seccomp_done && !f->no_new_privs) {
		pal_close_range_cloexec(3 + f->preserve_fds);
		if ((r = rt_seccomp_install(f->seccomp)) < 0)
			return pal_err_sys(err, -r, "install the seccomp filter");
		seccomp_done = true;
	}
	const char *step = NULL;
	r = rt_caps_set_user_and_caps(&p->user, &p->caps, &step);
	if (r < 0)
		return pal_err_sys(err, -r, "set user %u:%u and capabilities (%s)", p->user.uid,
				   p->user.gid, step ? step : "?");
	/* Every descriptor of ours closes at execve: nothing of the host leaks in. */
	pal_close_range_cloexec(3 + f->preserve_fds);
	for (int fd = 3; fd < 3 + f->preserve_fds; fd++)
		fcntl(fd, F_SETFD, 0);
	if (!seccomp_done && (r = rt_seccomp_install(f->seccomp)) < 0)
		return pal_err_sys(err, -r, "install the seccomp filter");
	char *empty_env[] = {NULL};
	execve(f->path, p->args, p->env ? p->env : empty_env);
	return pal_err_sys(err, errno, "exec %s", f->path);
}

static int send_listener(int sync_fd, int listener)
{
	return rt_send_fd(sync_fd, listener, "seccomp");
}

static int setup(struct rt_init_ctx *c, struct rt_sync_msg *msg, char **exe_path, int *landlock_fd,
		 char **start_state, struct pal_err *err)
{
	const struct rt_config *cfg = c->cfg;
	int r;
	if ((r = rt_sync_expect(c->sync_fd, RT_SYNC_GO, msg, err)) < 0)
		return r;
	if (c->userns_new && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
		return pal_err_sys(err, errno, "become root in the new user namespace");
	if ((r = join_namespaces(cfg, err)) < 0)
		return r;
	const struct rt_namespace *cgns = rt_config_namespace(cfg, RT_NS_CGROUP);
	if (cgns && !cgns->path && unshare(CLONE_NEWCGROUP) < 0)
		return pal_err_sys(err, errno, "create the cgroup namespace");
	if ((r = rt_apply_oom_score_adj(&cfg->process, err)) < 0 ||
	    (r = seal_memfd_exec(c, err)) < 0)
		return r;
	if (!c->no_new_keyring && (r = join_session_keyring(c->id, err)) < 0)
		return r;

	if ((r = rt_mounts_prepare_root(&c->menv, c->rootfs, err)) < 0 ||
	    (r = rt_mounts_apply(&c->menv, err)) < 0 || (r = rt_devices_create(&c->menv, err)) < 0)
		return r;

	/* createRuntime and prestart hooks run in the runtime's namespaces. */
	if ((r = rt_sync_send(c->sync_fd, RT_SYNC_NS_READY, 0, NULL, 0)) < 0)
		return pal_err_sys(err, -r, "report namespaces ready");
	if ((r = rt_sync_expect(c->sync_fd, RT_SYNC_HOOKS_DONE, msg, err)) < 0)
		return r;
	/* payload: creating-state JSON, NUL, created-state JSON */
	const char *creating = msg->payload;
	size_t first = strnlen(creating, msg->len);
	*start_state = pal_xstrdup(first < msg->len ? msg->payload + first + 1 : creating);
	if ((r = rt_hooks_run(cfg, RT_HOOK_CREATE_CONTAINER, creating, err)) < 0)
		return r;

	if ((r = rt_pivot_root(&c->menv, c->no_pivot, err)) < 0)
		return r;
	/* sysctls go through /proc/sys before readonlyPaths (usually /proc/sys) close it. */
	if ((r = rt_apply_hostname(cfg, err)) < 0 || (r = rt_apply_sysctl(cfg, err)) < 0 ||
	    (r = rt_readonly_paths(cfg->readonly_paths, err)) < 0 ||
	    (r = rt_mask_paths(cfg->masked_paths, err)) < 0)
		return r;

	_cleanup_free_ char *real = NULL;
	if ((r = rt_find_executable(cfg->process.args[0], cfg->process.env, exe_path, &real, err)) <
	    0)
		return r;
	_cleanup_strv_ char **exec_paths = NULL;
	if (c->hard->wx) {
		if ((r = rt_wx_plan(cfg, c->hard, real, &exec_paths, err)) < 0 ||
		    (r = rt_wx_apply(cfg, exec_paths, err)) < 0)
			return r;
	}
	if (cfg->root.readonly &&
	    (r = rt_mount_set_attr("/", false, MOUNT_ATTR_RDONLY, 0, err)) < 0)
		return pal_err_prefix(err, "root.readonly");
	if (cfg->process.terminal &&
	    (r = rt_console_setup(c->console_fd, &cfg->process, true, err)) < 0)
		return pal_err_prefix(err, "process.terminal");
	if (c->console_fd >= 0) {
		close(c->console_fd);
		c->console_fd = -1;
	}
	if ((r = rt_enter_cwd(cfg->process.cwd, err)) < 0 ||
	    (r = rt_apply_rlimits(&cfg->process, err)) < 0 ||
	    (r = rt_apply_personality(cfg, err)) < 0 ||
	    (r = rt_apply_scheduling(&cfg->process, err)) < 0)
		return r;
	if (c->landlock && exec_paths && (*landlock_fd = rt_landlock_prepare(exec_paths, err)) < 0)
		return *landlock_fd;

	/* A NOTIFY filter goes in now, while the create process can still forward
	 * its listener; the calls that follow must be allowed by the profile. */
	if (c->seccomp && c->seccomp->needs_listener) {
		int listener = rt_seccomp_install(c->seccomp);
		if (listener < 0)
			return pal_err_sys(err, -listener, "install the seccomp filter");
		r = send_listener(c->sync_fd, listener);
		close(listener);
		if (r < 0)
			return pal_err_sys(err, -r, "hand the seccomp listener to the runtime");
	}

	struct pal_buf paths;
	pal_buf_init(&paths);
	for (size_t i = 0; exec_paths && exec_paths[i]; i++) {
		pal_buf_puts(&paths, exec_paths[i]);
		pal_buf_putc(&paths, '\n');
	}
	r = rt_sync_send(c->sync_fd, RT_SYNC_READY, 0, paths.data ? paths.data : "", paths.len);
	pal_buf_free(&paths);
	if (r < 0)
		return pal_err_sys(err, -r, "report ready");
	return 0;
}

_Noreturn void rt_init_main(struct rt_init_ctx *c)
{
	static struct rt_sync_msg msg;
	struct pal_err err = {0};
	char *exe_path = NULL, *start_state = NULL;
	int landlock_fd = -1;

	/* If `create` dies during setup, so do we: nothing half-made survives. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (setup(c, &msg, &exe_path, &landlock_fd, &start_state, &err) < 0) {
		rt_sync_send_error(c->sync_fd, &err);
		_exit(1);
	}
	/* Until `create` has recorded us, its death must take us with it; after
	 * the commit we outlive it, waiting for `start`. */
	if (rt_sync_expect(c->sync_fd, RT_SYNC_COMMIT, &msg, &err) < 0)
		_exit(1);
	prctl(PR_SET_PDEATHSIG, 0);
	if (rt_sync_send(c->sync_fd, RT_SYNC_COMMITTED, 0, NULL, 0) < 0)
		_exit(1);
	close(c->sync_fd);

	/* Wait for `start`: opening the fifo for writing blocks until it reads. */
	char fifo_path[64];
	snprintf(fifo_path, sizeof(fifo_path), "self/fd/%d", c->fifo_fd);
	int fifo = openat(c->host_proc_fd, fifo_path, O_WRONLY | O_CLOEXEC);
	close(c->host_proc_fd);
	close(c->fifo_fd);
	if (fifo < 0 || write(fifo, "0", 1) != 1) {
		dprintf(2, "palisade-runtime: init: wait for start: %s\n", strerror(errno));
		_exit(1);
	}
	close(fifo);

	if (rt_hooks_run(c->cfg, RT_HOOK_START_CONTAINER, start_state, &err) < 0) {
		dprintf(2, "palisade-runtime: %s\n", err.msg);
		_exit(1);
	}
	struct rt_final_exec f = {.proc = &c->cfg->process,
				  .path = exe_path,
				  .landlock_ruleset = landlock_fd,
				  .no_new_privs = c->no_new_privs,
				  .seccomp = c->seccomp,
				  .seccomp_installed = c->seccomp && c->seccomp->needs_listener,
				  .preserve_fds = c->preserve_fds};
	rt_final_exec(&f, &err);
	dprintf(2, "palisade-runtime: %s\n", err.msg);
	_exit(err.code == ENOENT ? 127 : 126);
}
