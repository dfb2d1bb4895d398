/* Signalling one process without ever hitting a reused pid: a pidfd pins the
 * process that holds the pid when it is opened; the start time read after
 * that proves it is the process the event was about. */
#include "enforce/enforce.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

/* Reads the state letter and the start time (clock ticks since boot). */
static int read_stat(const char *proc_root, uint32_t pid, char *state, uint64_t *ticks)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%u/stat", proc_root ? proc_root : "/proc", pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	char buf[1024];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return n == 0 ? -ESRCH : (errno == ESRCH ? -ESRCH : -errno);
	buf[n] = '\0';
	/* The name in parentheses may hold anything, ')' included. */
	char *p = strrchr(buf, ')');
	if (!p)
		return -EPROTO;
	p++;
	while (*p == ' ')
		p++;
	*state = *p;
	/* Fields after the name start at 3 (state); starttime is field 22. */
	for (int field = 3; field < 22; field++) {
		while (*p == ' ')
			p++;
		p = strchr(p, ' ');
		if (!p)
			return -EPROTO;
	}
	while (*p == ' ')
		p++;
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(p, &end, 10);
	if (errno || end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
		return -EPROTO;
	*ticks = v;
	return 0;
}

int enf_pid_start_ticks(const char *proc_root, uint32_t pid, uint64_t *ticks)
{
	char state;
	return read_stat(proc_root, pid, &state, ticks);
}

static uint64_t ns_per_tick(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 ? 1000000000ull / (uint64_t)hz : 10000000ull;
}

int enf_pid_is(const char *proc_root, uint32_t pid, uint64_t start_ns)
{
	uint64_t ticks = 0;
	char state = '?';
	int r = read_stat(proc_root, pid, &state, &ticks);
	if (r < 0)
		return r;
	if (state == 'Z' || state == 'X')
		return -ESRCH;
	return start_ns && ticks == start_ns / ns_per_tick() ? 0 : -ESTALE;
}

int enf_pid_signal(const char *proc_root, uint32_t pid, uint64_t start_ns, int sig,
		   struct pal_err *err)
{
	if (pid == 0)
		return pal_err_set(err, EINVAL, "no process id");
	if (start_ns == 0)
		return pal_err_set(err, ESTALE,
				   "the start time of pid %u is unknown, so a reused pid cannot be "
				   "ruled out",
				   pid);
	_cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pfd < 0) {
		if (errno == ESRCH)
			return pal_err_set(err, ESRCH, "process %u had already exited", pid);
		return pal_err_sys(err, errno, "pidfd_open(%u)", pid);
	}
	/* The pidfd now holds whichever process had the pid; if that is not the
	 * one the event saw, its start time differs (or it is gone already). */
	uint64_t ticks = 0;
	char state = '?';
	int r = read_stat(proc_root, pid, &state, &ticks);
	if (r == -ESRCH || state == 'Z' || state == 'X')
		return pal_err_set(err, ESRCH, "process %u had already exited", pid);
	if (r < 0)
		return pal_err_sys(err, -r, "read the start time of process %u", pid);
	if (ticks != start_ns / ns_per_tick())
		return pal_err_set(err, ESTALE,
				   "pid %u now names another process (started at tick %llu, the "
				   "event's process at %llu): not signalled",
				   pid, (unsigned long long)ticks,
				   (unsigned long long)(start_ns / ns_per_tick()));
	if (syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) < 0) {
		if (errno == ESRCH)
			return pal_err_set(err, ESRCH, "process %u had already exited", pid);
		return pal_err_sys(err, errno, "pidfd_send_signal(%u)", pid);
	}
	return 0;
}
