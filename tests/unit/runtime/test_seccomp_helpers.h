/* Shared by the seccomp and capability tests: every filter or identity
 * change happens in a forked child, so the test process keeps its own. */
#ifndef PAL_TEST_SECCOMP_HELPERS_H
#define PAL_TEST_SECCOMP_HELPERS_H

#include "runtime/seccomp.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* In a child: report and fail without cmocka (whose state lives in the
 * parent). The message goes out with write(2), which the tests' filters allow. */
#define CHILD_CHECK(cond)                                                                          \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			dprintf(2, "%s:%d: child check failed: %s (errno %d %s)\n", __FILE__,      \
				__LINE__, #cond, errno, strerror(errno));                          \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

/* Expects a syscall result of -1 with errno e. */
#define CHILD_EXPECT_ERRNO(call, e)                                                                \
	do {                                                                                       \
		errno = 0;                                                                         \
		long _r = (long)(call);                                                            \
		if (_r != -1 || errno != (e)) {                                                    \
			dprintf(2,                                                                 \
				"%s:%d: %s returned %ld errno %d (%s), expected errno %d (%s)\n",  \
				__FILE__, __LINE__, #call, _r, errno, strerror(errno), (e),        \
				strerror(e));                                                      \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

typedef int (*child_fn)(void *arg);

/* Forks, runs fn in the child and returns the raw wait status. */
static inline int run_in_child(child_fn fn, void *arg)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* No core files from the SIGSYS tests, and SIGSYS is not cmocka's
		 * to catch in the child (its handler would resume the test run). */
		struct rlimit no_core = {0, 0};
		setrlimit(RLIMIT_CORE, &no_core);
		signal(SIGSYS, SIG_DFL);
		int code = fn(arg) & 0xff;
		/* exit_group directly: the sanitizers' _exit hook makes calls
		 * (sigaltstack, mmap) that allow-list filters refuse. */
		syscall(SYS_exit_group, code);
		_exit(code);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

static inline int child_exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* In a child: no_new_privs, then the filter. */
static inline int child_install(const struct rt_seccomp_program *p)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return rt_seccomp_install(p);
}

#endif
