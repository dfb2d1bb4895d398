#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "runtime/hooks.h"
#include "runtime/oci_config.h"
#include "runtime/state.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void state_freep(struct rt_state *s)
{
	rt_state_free(s);
}
#define _cleanup_state_ __attribute__((cleanup(state_freep)))

static void cgroup_freep(struct rt_cgroup **cg)
{
	if (*cg)
		rt_cgroup_free(*cg);
}
#define _cleanup_cgroup_ __attribute__((cleanup(cgroup_freep)))

static int open_cgroup(const struct rt_state *s, struct rt_cgroup **cg, struct pal_err *err)
{
	*cg = NULL;
	if (!s->cgroup)
		return pal_err_set(err, ENOENT, "container %s has no cgroup recorded", s->id);
	return rt_cgroup_from_json(s->cgroup, cg, err);
}

/* A pidfd for the recorded init, checked against its start time so a reused
 * pid is never signalled. -ESRCH when the init is gone. */
static int open_init_pidfd(const struct rt_state *s)
{
	int fd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	if (fd < 0)
		return -errno;
	if (!rt_state_init_alive(s)) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

int rt_parse_signal(const char *s)
{
	static const struct {
		const char *name;
		int sig;
	} sigs[] = {
	    {"HUP", SIGHUP},	   {"INT", SIGINT},   {"QUIT", SIGQUIT},     {"ILL", SIGILL},
	    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT}, {"IOT", SIGIOT},	     {"BUS", SIGBUS},
	    {"FPE", SIGFPE},	   {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
	    {"USR2", SIGUSR2},	   {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM},
	    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP},
	    {"TSTP", SIGTSTP},	   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},
	    {"XCPU", SIGXCPU},	   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
	    {"WINCH", SIGWINCH},   {"IO", SIGIO},     {"POLL", SIGPOLL},     {"PWR", SIGPWR},
	    {"SYS", SIGSYS}};
	if (!s || !*s)
		return -1;
	int64_t n;
	if (isdigit((unsigned char)s[0])) {
		if (pal_parse_int64(s, &n) < 0 || n < 1 || n > SIGRTMAX)
			return -1;
		return (int)n;
	}
	const char *name = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	for (size_t i = 0; i < PAL_ARRAY_SIZE(sigs); i++)
		if (!strcasecmp(name, sigs[i].name))
			return sigs[i].sig;
	if (!strncasecmp(name, "RTMIN", 5) || !strncasecmp(name, "RTMAX", 5)) {
		bool min = !strncasecmp(name, "RTMIN", 5);
		int base = min ? SIGRTMIN : SIGRTMAX;
		if (name[5] == '\0')
			return base;
		if ((name[5] == '+' && min) || (name[5] == '-' && !min)) {
			if (pal_parse_int64(name + 6, &n) < 0 || n < 0 || n > SIGRTMAX - SIGRTMIN)
				return -1;
			return min ? base + (int)n : base - (int)n;
		}
	}
	return -1;
}

/* poststart and poststop hooks, from the config kept in the state directory:
 * their failures are warnings, as the runtime-spec asks. */
static void run_late_hooks(const struct rt_globals *g, const struct rt_state *s,
			   enum rt_hook_kind kind, enum rt_status status)
{
	struct pal_err e = {0};
	_cleanup_free_ char *dir = rt_state_path(g->root, s->id, NULL);
	struct rt_config cfg;
	if (rt_config_load(dir, &cfg, &e) < 0) {
		pal_warn("container %s: %s hooks: %s", s->id, rt_hook_kind_name(kind), e.msg);
		return;
	}
	json_t *o = rt_state_to_oci_json(s, status);
	_cleanup_free_ char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (rt_hooks_run(&cfg, kind, text ? text : "{}", &e) < 0)
		pal_warn("container %s: %s", s->id, e.msg);
	rt_config_free(&cfg);
}

int rt_start(const struct rt_globals *g, const char *id, struct pal_err *err)
{
	_cleanup_state_ struct rt_state s = {0};
	int r = rt_state_load(g->root, id, &s, err);
	if (r < 0)
		return r;
	enum rt_status st = rt_state_status(g->root, &s);
	if (st != RT_STATUS_CREATED)
		return pal_err_set(err, EINVAL, "cannot start container %s: it is %s, not created",
				   id, rt_status_name(st));
	_cleanup_free_ char *fifo_path = rt_state_path(g->root, id, "exec.fifo");
	/* Non-blocking open never hangs; the pidfd tells us if the init died. */
	_cleanup_close_ int fifo = open(fifo_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return pal_err_sys(err, errno, "open %s", fifo_path);
	_cleanup_close_ int pidfd = open_init_pidfd(&s);
	if (pidfd < 0)
		return pal_err_set(err, ESRCH, "cannot start container %s: its init has exited",
				   id);
	for (;;) {
		struct pollfd p[2] = {{.fd = fifo, .events = POLLIN},
				      {.fd = pidfd, .events = POLLIN}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return pal_err_sys(err, errno, "wait for container %s", id);
		}
		char c;
		if (p[0].revents & POLLIN) {
			if (read(fifo, &c, 1) == 1)
				break;
		}
		if (p[1].revents)
			return pal_err_set(err, ESRCH,
					   "cannot start container %s: its init exited before "
					   "starting",
					   id);
	}
	unlink(fifo_path);
	struct pal_err e = {0};
	if (rt_agent_record_write(&s, RT_STATUS_RUNNING, &e) < 0)
		pal_warn("%s", e.msg);
	if (s.has_poststart_hooks)
		run_late_hooks(g, &s, RT_HOOK_POSTSTART, RT_STATUS_RUNNING);
	return 0;
}

int rt_kill(const struct rt_globals *g, const char *id, int sig, bool all, struct pal_err *err)
{
	_cleanup_state_ struct rt_state s = {0};
	int r = rt_state_load(g->root, id, &s, err);
	if (r < 0)
		return r;
	if (all) {
		_cleanup_cgroup_ struct rt_cgroup *cg = NULL;
		if ((r = open_cgroup(&s, &cg, err)) < 0)
			return r;
		return rt_cgroup_signal_all(cg, sig, err);
	}
	_cleanup_close_ int pidfd = open_init_pidfd(&s);
	if (pidfd < 0)
		return pal_err_set(err, ESRCH, "container %s is not running", id);
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return pal_err_sys(err, errno, "signal %d to container %s", sig, id);
	return 0;
}

/* Waits (bounded) until the container's processes are gone. */
static void wait_gone(struct rt_cgroup *cg, const struct rt_state *s)
{
	for (int i = 0; i < 500; i++) {
		pid_t *pids = NULL;
		size_t n = 0;
		struct pal_err e = {0};
		bool alive = rt_state_init_alive(s);
		if (cg && rt_cgroup_pids(cg, &pids, &n, &e) == 0) {
			free(pids);
			if (n == 0 && !alive)
				return;
		} else if (!alive) {
			return;
		}
		struct timespec ts = {0, 2 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

int rt_delete(const struct rt_globals *g, const char *id, bool force, struct pal_err *err)
{
	_cleanup_state_ struct rt_state s = {0};
	int r = rt_state_load(g->root, id, &s, err);
	if (r == -ENOENT && force) {
		/* A creation that died midway leaves only its directory: remove it. */
		pal_err_clear(err);
		if (rt_id_validate(id, err) < 0)
			return -err->code;
		/* As runc: forcing the removal of what is not there is success
		 * (containerd's shim deletes again after its own cleanup). */
		_cleanup_free_ char *dir = rt_state_path(g->root, id, NULL);
		rt_agent_record_remove(id);
		return pal_path_exists(dir) ? rt_state_remove(g->root, id, err) : 0;
	}
	if (r < 0)
		return r;
	enum rt_status st = rt_state_status(g->root, &s);
	if ((st == RT_STATUS_RUNNING || st == RT_STATUS_PAUSED) && !force)
		return pal_err_set(err, EBUSY,
				   "cannot delete container %s that is %s: stop it first or use "
				   "--force",
				   id, rt_status_name(st));
	_cleanup_cgroup_ struct rt_cgroup *cg = NULL;
	struct pal_err e = {0};
	if (s.cgroup && rt_cgroup_from_json(s.cgroup, &cg, &e) < 0)
		pal_warn("container %s: %s", id, e.msg);
	if (st != RT_STATUS_STOPPED) {
		/* created, or --force: nothing of it may outlive the delete. */
		if (cg) {
			if (st == RT_STATUS_PAUSED)
				rt_cgroup_freeze(cg, false, &e);
			if (rt_cgroup_signal_all(cg, SIGKILL, &e) < 0)
				pal_warn("container %s: %s", id, e.msg);
		}
		_cleanup_close_ int pidfd = open_init_pidfd(&s);
		if (pidfd >= 0)
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
		wait_gone(cg, &s);
	}
	if (cg && rt_cgroup_destroy(cg, &e) < 0)
		pal_warn("container %s: %s", id, e.msg);
	if (s.has_poststop_hooks)
		run_late_hooks(g, &s, RT_HOOK_POSTSTOP, RT_STATUS_STOPPED);
	rt_agent_record_remove(id);
	return rt_state_remove(g->root, id, err);
}

int rt_pause(const struct rt_globals *g, const char *id, bool pause, struct pal_err *err)
{
	_cleanup_state_ struct rt_state s = {0};
	int r = rt_state_load(g->root, id, &s, err);
	if (r < 0)
		return r;
	enum rt_status st = rt_state_status(g->root, &s);
	if (pause && st != RT_STATUS_RUNNING && st != RT_STATUS_CREATED)
		return pal_err_set(err, EINVAL, "cannot pause container %s: it is %s", id,
				   rt_status_name(st));
	if (!pause && st != RT_STATUS_PAUSED)
		return pal_err_set(err, EINVAL, "cannot resume container %s: it is %s, not paused",
				   id, rt_status_name(st));
	_cleanup_cgroup_ struct rt_cgroup *cg = NULL;
	if ((r = open_cgroup(&s, &cg, err)) < 0)
		return r;
	r = rt_cgroup_freeze(cg, pause, err);
	if (r == 0) {
		struct pal_err e = {0};
		rt_agent_record_write(&s, pause ? RT_STATUS_PAUSED : RT_STATUS_RUNNING, &e);
	}
	return r;
}

int rt_state_json(const struct rt_globals *g, const char *id, json_t **out, struct pal_err *err)
{
	_cleanup_state_ struct rt_state s = {0};
	int r = rt_state_load(g->root, id, &s, err);
	if (r < 0)
		return r;
	*out = rt_state_to_oci_json(&s, rt_state_status(g->root, &s));
	return 0;
}

int rt_list(const struct rt_globals *g, json_t **out, struct pal_err *err)
{
	json_t *arr = json_array();
	_cleanup_closedir_ DIR *d = opendir(g->root);
	if (!d) {
		if (errno == ENOENT) {
			*out = arr;
			return 0;
		}
		json_decref(arr);
		return pal_err_sys(err, errno, "open %s", g->root);
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		struct rt_state s;
		struct pal_err e = {0};
		if (rt_state_load(g->root, de->d_name, &s, &e) < 0)
			continue; /* being created, or not ours */
		json_array_append_new(arr, rt_state_to_oci_json(&s, rt_state_status(g->root, &s)));
		rt_state_free(&s);
	}
	*out = arr;
	return 0;
}

int rt_container_pids(const struct rt_globals *g, const char *id, pid_t **pids, size_t *n,
		      struct pal_err *err)
{
	_cleanup_state_ struct rt_state s = {0};
	int r = rt_state_load(g->root, id, &s, err);
	if (r < 0)
		return r;
	_cleanup_cgroup_ struct rt_cgroup *cg = NULL;
	if ((r = open_cgroup(&s, &cg, err)) < 0)
		return r;
	return rt_cgroup_pids(cg, pids, n, err);
}
