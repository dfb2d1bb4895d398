/* What the running kernel's seccomp supports, for `features`. Probes never
 * install a filter: a flag the kernel knows passes the flag check and then
 * fails on the NULL program with EFAULT; an unknown one fails with EINVAL. */
#include "runtime/seccomp.h"
#include "runtime/seccomp_priv.h"

#include "common/cleanup.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool kernel_has_flag(unsigned int flag)
{
	/* WAIT_KILLABLE_RECV is only accepted together with NEW_LISTENER. */
	if (flag == RT_SECCOMP_FLAG_WAIT_KILLABLE_RECV)
		flag |= RT_SECCOMP_FLAG_NEW_LISTENER;
	long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flag, NULL);
	return rc < 0 && errno == EFAULT;
}

static bool kernel_has_action(uint32_t ret)
{
	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &ret) == 0;
}

static const char *supported_flags[8];
static const char *supported_actions[12];
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

static void probe(void)
{
	size_t n = 0;
	for (const char *const *name = rt_seccomp_known_flags(); *name; name++) {
		unsigned int flag;
		if (rt_seccomp_flag_value(*name, &flag) == 0 && kernel_has_flag(flag) &&
		    n + 1 < PAL_ARRAY_SIZE(supported_flags))
			supported_flags[n++] = *name;
	}
	supported_flags[n] = NULL;

	static const uint32_t action_ret[] = {
	    [RT_SCMP_ACT_KILL] = SECCOMP_RET_KILL_THREAD,
	    [RT_SCMP_ACT_KILL_PROCESS] = SECCOMP_RET_KILL_PROCESS,
	    [RT_SCMP_ACT_KILL_THREAD] = SECCOMP_RET_KILL_THREAD,
	    [RT_SCMP_ACT_TRAP] = SECCOMP_RET_TRAP,
	    [RT_SCMP_ACT_ERRNO] = SECCOMP_RET_ERRNO,
	    [RT_SCMP_ACT_TRACE] = SECCOMP_RET_TRACE,
	    [RT_SCMP_ACT_ALLOW] = SECCOMP_RET_ALLOW,
	    [RT_SCMP_ACT_LOG] = SECCOMP_RET_LOG,
	    [RT_SCMP_ACT_NOTIFY] = SECCOMP_RET_USER_NOTIF,
	};
	n = 0;
	for (size_t a = 0; a < PAL_ARRAY_SIZE(action_ret); a++)
		if (kernel_has_action(action_ret[a]) && n + 1 < PAL_ARRAY_SIZE(supported_actions))
			supported_actions[n++] = rt_seccomp_action_name((enum rt_seccomp_action)a);
	supported_actions[n] = NULL;
}

const char *const *rt_seccomp_supported_flags(void)
{
	pthread_once(&probe_once, probe);
	return supported_flags;
}

const char *const *rt_seccomp_supported_actions(void)
{
	pthread_once(&probe_once, probe);
	return supported_actions;
}
