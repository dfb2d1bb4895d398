/* Loads a compiled filter into the calling process. Runs in the container's
 * init between fork and execve: raw syscalls only, no allocation, no locks. */
#include "runtime/seccomp.h"
#include "runtime/seccomp_priv.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static long seccomp_set_filter(unsigned int flags, const struct sock_fprog *prog)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
}

int rt_seccomp_install(const struct rt_seccomp_program *p)
{
	if (!p || !p->insns || p->n_insns == 0 || p->n_insns > BPF_MAXINSNS)
		return -EINVAL;
	if (p->flags & ~RT_SECCOMP_FLAGS_ALL)
		return -EINVAL;
	struct sock_fprog prog = {.len = (unsigned short)p->n_insns, .filter = p->insns};
	unsigned int flags = p->flags;
	if (p->needs_listener)
		flags |= RT_SECCOMP_FLAG_NEW_LISTENER;
	else
		flags &= ~(RT_SECCOMP_FLAG_NEW_LISTENER | RT_SECCOMP_FLAG_WAIT_KILLABLE_RECV);
	/* TSYNC reports a thread it could not synchronise by returning its id,
	 * which collides with the listener fd; TSYNC_ESRCH (5.7+) makes that
	 * failure -ESRCH so both can be combined. */
	if ((flags & RT_SECCOMP_FLAG_NEW_LISTENER) && (flags & RT_SECCOMP_FLAG_TSYNC))
		flags |= RT_SECCOMP_FLAG_TSYNC_ESRCH;

	long rc = seccomp_set_filter(flags, &prog);
	if (rc < 0 && errno == EINVAL && (flags & RT_SECCOMP_FLAG_TSYNC_ESRCH) &&
	    !(p->flags & RT_SECCOMP_FLAG_TSYNC_ESRCH)) {
		/* Older kernel: no TSYNC_ESRCH. The container's init has a single
		 * thread, so thread synchronisation has nothing to do; keep the
		 * listener, which does matter. */
		flags &= ~(RT_SECCOMP_FLAG_TSYNC | RT_SECCOMP_FLAG_TSYNC_ESRCH);
		rc = seccomp_set_filter(flags, &prog);
	}
	if (rc < 0 && errno == ENOSYS && flags == 0)
		/* Kernels before 3.17 only have the prctl interface. */
		rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
	if (rc < 0)
		return -errno;
	if (flags & RT_SECCOMP_FLAG_NEW_LISTENER)
		return (int)rc;
	if (rc > 0)
		/* TSYNC without ESRCH: rc is the thread that could not follow. */
		return -ESRCH;
	return 0;
}
