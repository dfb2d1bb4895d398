/* Applying capability sets and the user identity in the container's init,
 * between fork and execve: raw syscalls only, no allocation. */
#include "runtime/caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef SYS_setresuid32 /* 32-bit x86 and arm: the plain calls take 16-bit ids */
#define SYS_SETGROUPS SYS_setgroups32
#define SYS_GETGROUPS SYS_getgroups32
#define SYS_SETRESGID SYS_setresgid32
#define SYS_SETRESUID SYS_setresuid32
#else
#define SYS_SETGROUPS SYS_setgroups
#define SYS_GETGROUPS SYS_getgroups
#define SYS_SETRESGID SYS_setresgid
#define SYS_SETRESUID SYS_setresuid
#endif

#define CAP_NUMBERS(M)                                                                             \
	M(0), M(1), M(2), M(3), M(4), M(5), M(6), M(7), M(8), M(9), M(10), M(11), M(12), M(13),    \
	    M(14), M(15), M(16), M(17), M(18), M(19), M(20), M(21), M(22), M(23), M(24), M(25),    \
	    M(26), M(27), M(28), M(29), M(30), M(31), M(32), M(33), M(34), M(35), M(36), M(37),    \
	    M(38), M(39), M(40), M(41), M(42), M(43), M(44), M(45), M(46), M(47), M(48), M(49),    \
	    M(50), M(51), M(52), M(53), M(54), M(55), M(56), M(57), M(58), M(59), M(60), M(61),    \
	    M(62), M(63)

/* Step names are static strings (nothing may be formatted here), one per
 * capability so the failing capability is named. */
#define AMBIENT_CHECK(n)                                                                           \
	"check capabilities: ambient capability " #n                                               \
	" is not in both the permitted and the inheritable set"
#define AMBIENT_RAISE(n) "prctl(PR_CAP_AMBIENT_RAISE) for capability " #n

static const char *const ambient_check_steps[64] = {CAP_NUMBERS(AMBIENT_CHECK)};
static const char *const ambient_raise_steps[64] = {CAP_NUMBERS(AMBIENT_RAISE)};

static int cached_last_cap = -1;

int rt_caps_last_cap(void)
{
	int last = __atomic_load_n(&cached_last_cap, __ATOMIC_RELAXED);
	if (last >= 0)
		return last;
	/* PR_CAPBSET_READ fails with EINVAL beyond the last capability. */
	int lo = CAP_CHOWN, hi = 63;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (prctl(PR_CAPBSET_READ, (unsigned long)mid, 0, 0, 0) >= 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	__atomic_store_n(&cached_last_cap, lo, __ATOMIC_RELAXED);
	return lo;
}

uint64_t rt_caps_all_mask(void)
{
	int last = rt_caps_last_cap();
	return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

int rt_caps_drop_bounding(const struct rt_caps *caps)
{
	int last = rt_caps_last_cap();
	for (int cap = 0; cap <= last; cap++) {
		if (caps->bounding & (1ULL << cap))
			continue;
		int in = prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);
		if (in < 0)
			return -errno;
		if (in == 0)
			continue; /* already gone: nothing to do, no CAP_SETPCAP needed */
		if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0)
			return -errno;
	}
	return 0;
}

static int fail(const char **step, const char *name)
{
	int e = errno;
	*step = name;
	return -(e ? e : EIO);
}

static int set_groups(const struct rt_user *user, const char **step)
{
	if (syscall(SYS_SETGROUPS, user->n_additional_gids, user->additional_gids) == 0)
		return 0;
	/* In a user namespace whose setgroups is "deny" nothing can be
	 * changed; that is fine when nothing has to be (no groups wanted and
	 * none held). */
	if (errno == EPERM && user->n_additional_gids == 0 && syscall(SYS_GETGROUPS, 0, NULL) == 0)
		return 0;
	return fail(step, "setgroups");
}

static int lowest_bit(uint64_t v)
{
	return __builtin_ctzll(v);
}

int rt_caps_set_user_and_caps(const struct rt_user *user, const struct rt_caps *caps,
			      const char **step)
{
	const char *unused;
	if (!step)
		step = &unused;
	*step = NULL;
	uint64_t known = rt_caps_all_mask();
	uint64_t eff = caps->effective & known, perm = caps->permitted & known,
		 inh = caps->inheritable & known, amb = caps->ambient & known;
	if (eff & ~perm) {
		*step = "check capabilities: effective must be a subset of permitted";
		return -EINVAL;
	}
	if (amb & ~(perm & inh)) {
		*step = ambient_check_steps[lowest_bit(amb & ~(perm & inh))];
		return -EINVAL;
	}
	if (user->n_additional_gids > 0 && !user->additional_gids) {
		*step = "setgroups: additional gids missing";
		return -EINVAL;
	}

	errno = 0;
	int r = set_groups(user, step);
	if (r < 0)
		return r;
	if (syscall(SYS_SETRESGID, user->gid, user->gid, user->gid) < 0)
		return fail(step, "setresgid");
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return fail(step, "prctl(PR_SET_KEEPCAPS, 1)");
	if (syscall(SYS_SETRESUID, user->uid, user->uid, user->uid) < 0)
		return fail(step, "setresuid");

	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {
	    {.effective = (uint32_t)eff, .permitted = (uint32_t)perm, .inheritable = (uint32_t)inh},
	    {.effective = (uint32_t)(eff >> 32),
	     .permitted = (uint32_t)(perm >> 32),
	     .inheritable = (uint32_t)(inh >> 32)},
	};
	if (syscall(SYS_capset, &hdr, data) < 0)
		return fail(step, "capset");

	/* Kernels before 4.3 have no ambient set: fine when none is wanted. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 &&
	    !(errno == EINVAL && amb == 0))
		return fail(step, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	for (int cap = 0; cap < 64; cap++) {
		if (!(amb & (1ULL << cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0)
			return fail(step, ambient_raise_steps[cap]);
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return fail(step, "prctl(PR_SET_KEEPCAPS, 0)");
	if (user->has_umask)
		umask((mode_t)(user->umask & 07777));
	return 0;
}
