/* The profile applied when config.json has no linux.seccomp: allow by
 * default, so ordinary programs keep working, and refuse the calls that
 * reach host-wide state or widen the kernel's attack surface far beyond
 * what a container needs. Each group says why it is there. */
#include "runtime/seccomp.h"
#include "runtime/seccomp_priv.h"

#include "common/cleanup.h"

#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>

/* Kernel code loading and kexec replace or extend the host kernel. */
static const char *const modules_and_kexec[] = {
    "init_module",     "finit_module", "delete_module",
    "create_module",   "kexec_load",   "kexec_file_load",
    "get_kernel_syms", "query_module", NULL,
};

/* Keyrings are not namespaced: keys of other containers and the host. */
static const char *const keyring[] = {"add_key", "request_key", "keyctl", NULL};

/* BPF programs and perf events: large kernel attack surface, kernel
 * memory and host-wide tracing. */
static const char *const bpf_and_perf[] = {"bpf", "perf_event_open", NULL};

/* userfaultfd lets a process stall kernel copies at will, the classic aid
 * to winning kernel race conditions. */
static const char *const userfault[] = {"userfaultfd", NULL};

/* File handles bypass path resolution and escape the container's root
 * (the "shocker" escape). */
static const char *const file_handles[] = {"open_by_handle_at", "name_to_handle_at", NULL};

/* Reading or writing other processes' memory and comparing their kernel
 * objects. */
static const char *const other_processes[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", NULL,
};

/* Host-wide switches: process accounting, swap, reboot. */
static const char *const host_switches[] = {"acct", "swapon", "swapoff", "reboot", NULL};

/* The system clock is not namespaced. adjtimex and clock_adjtime stay
 * allowed: glibc implements adjtimex and ntp_gettime with clock_adjtime,
 * the mode that decides between reading and setting lives in memory the
 * filter cannot read, and the kernel itself demands CAP_SYS_TIME to change
 * anything through them. */
static const char *const clock_setting[] = {
    "settimeofday", "stime", "clock_settime", "clock_settime64", NULL,
};

/* Raw hardware port access. */
static const char *const io_ports[] = {"iopl", "ioperm", NULL};

/* Quotas are per filesystem, shared with the host. */
static const char *const quotas[] = {"quotactl", "quotactl_fd", NULL};

/* Obsolete interfaces nobody needs and whose code is rarely exercised. */
static const char *const obsolete[] = {
    "lookup_dcookie", "nfsservctl", "uselib", "ustat", "sysfs", "_sysctl", "vm86", "vm86old", NULL,
};

/* io_uring performs I/O without the syscalls this filter sees and is a
 * steady source of kernel vulnerabilities. */
static const char *const io_uring[] = {"io_uring_setup", "io_uring_enter", "io_uring_register",
				       NULL};

/* Mount and namespace changes, unless the container holds CAP_SYS_ADMIN
 * (the kernel would refuse most of them anyway; the filter also closes
 * user namespaces, which need no capability and expose much more code). */
static const char *const mount_and_ns[] = {
    "mount",	"umount",  "umount2", "pivot_root", "unshare",	 "setns",	  "fsopen",
    "fsconfig", "fsmount", "fspick",  "move_mount", "open_tree", "mount_setattr", NULL,
};

/* personality: only the execution domains Docker's profile allows. */
static const char *const personality[] = {"personality", NULL};

/* clone with a CLONE_NEW* flag creates namespaces (same gate as above). */
static const char *const clone_call[] = {"clone", NULL};

/* clone3 keeps its flags in memory the filter cannot read: ENOSYS makes the
 * C library fall back to clone, whose flags the filter checks. */
static const char *const clone3_call[] = {"clone3", NULL};

enum default_cond {
	COND_NONE,
	COND_PERSONALITY,
	COND_CLONE_NEWNS,
};

struct default_group {
	const char *const *names;
	int errno_ret;
	bool unless_sys_admin;
	enum default_cond cond;
};

static const struct default_group groups[] = {
    {modules_and_kexec, EPERM, false, COND_NONE},  {keyring, EPERM, false, COND_NONE},
    {bpf_and_perf, EPERM, false, COND_NONE},	   {userfault, EPERM, false, COND_NONE},
    {file_handles, EPERM, false, COND_NONE},	   {other_processes, EPERM, false, COND_NONE},
    {host_switches, EPERM, false, COND_NONE},	   {clock_setting, EPERM, false, COND_NONE},
    {io_ports, EPERM, false, COND_NONE},	   {quotas, EPERM, false, COND_NONE},
    {obsolete, EPERM, false, COND_NONE},	   {io_uring, EPERM, false, COND_NONE},
    {personality, EPERM, false, COND_PERSONALITY}, {mount_and_ns, EPERM, true, COND_NONE},
    {clone_call, EPERM, true, COND_CLONE_NEWNS},   {clone3_call, ENOSYS, true, COND_NONE},
};

/* personality(2) takes an unsigned int: allowed are PER_LINUX (0),
 * PER_LINUX32 (8), UNAME26 (0x20000), PER_LINUX32|UNAME26 and 0xffffffff
 * (query). libseccomp cannot put two comparisons of one argument in a rule,
 * so "none of these" becomes a union of single masked comparisons:
 * x is allowed iff x has no bit outside {3, 17}, or x is all ones. A denied
 * x therefore has an "other" bit set and some bit clear; walking the 30
 * other bits in a cycle, some set bit is followed by a clear one (one rule
 * per step), unless all 30 are set, when bit 3 or 17 is the clear one (two
 * more rules). Values above 32 bits are refused outright, as Docker's exact
 * comparisons do. */
#define PERSONALITY_OTHER_BITS 30

static struct scmp_arg_cmp cmp(unsigned arg, enum scmp_compare op, uint64_t a, uint64_t b)
{
	return (struct scmp_arg_cmp){.arg = arg, .op = op, .datum_a = a, .datum_b = b};
}

static size_t personality_conds(struct scmp_arg_cmp *conds)
{
	unsigned other[PERSONALITY_OTHER_BITS];
	size_t n_other = 0, n = 0;
	for (unsigned b = 0; b < 32; b++)
		if (b != 3 && b != 17)
			other[n_other++] = b;
	for (size_t k = 0; k < n_other; k++) {
		uint64_t set = 1ULL << other[k], clear = 1ULL << other[(k + 1) % n_other];
		conds[n++] = cmp(0, SCMP_CMP_MASKED_EQ, set | clear, set);
	}
	uint64_t first = 1ULL << other[0];
	conds[n++] = cmp(0, SCMP_CMP_MASKED_EQ, first | (1ULL << 3), first);
	conds[n++] = cmp(0, SCMP_CMP_MASKED_EQ, first | (1ULL << 17), first);
	conds[n++] = cmp(0, SCMP_CMP_GT, 0xffffffffULL, 0);
	return n;
}

/* One rule per namespace flag: (flags & CLONE_NEWX) == CLONE_NEWX. On s390
 * clone's flags are its second argument. */
static size_t clone_conds(struct scmp_arg_cmp *conds, unsigned arg)
{
	static const uint64_t ns_flags[] = {CLONE_NEWNS,  CLONE_NEWCGROUP, CLONE_NEWUTS,
					    CLONE_NEWIPC, CLONE_NEWUSER,   CLONE_NEWPID,
					    CLONE_NEWNET};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(ns_flags); i++)
		conds[i] = cmp(arg, SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]);
	return PAL_ARRAY_SIZE(ns_flags);
}

/* Compat architectures the native one runs, so 32-bit programs get the
 * same deny list instead of being killed as a foreign architecture. */
static int add_default_archs(scmp_filter_ctx ctx, uint32_t native, struct pal_err *err)
{
	uint32_t compat[2];
	size_t n = 0;
	switch (native) {
	case SCMP_ARCH_X86_64:
		compat[n++] = SCMP_ARCH_X86;
		compat[n++] = SCMP_ARCH_X32;
		break;
	case SCMP_ARCH_AARCH64:
		compat[n++] = SCMP_ARCH_ARM;
		break;
	case SCMP_ARCH_S390X:
		compat[n++] = SCMP_ARCH_S390;
		break;
	default:
		break;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = seccomp_arch_add(ctx, compat[i]);
		if (rc < 0 && rc != -EEXIST)
			return pal_err_sys(err, -rc, "add compat architecture %#x", compat[i]);
	}
	return 0;
}

int rt_seccomp_build_default(scmp_filter_ctx ctx, uint64_t effective_caps, struct pal_err *err)
{
	uint32_t native = seccomp_arch_native();
	int r = add_default_archs(ctx, native, err);
	if (r < 0)
		return r;
	bool sys_admin = effective_caps & (1ULL << CAP_SYS_ADMIN);
	unsigned clone_flags_arg = (native == SCMP_ARCH_S390X || native == SCMP_ARCH_S390) ? 1 : 0;
	for (size_t g = 0; g < PAL_ARRAY_SIZE(groups); g++) {
		const struct default_group *grp = &groups[g];
		if (grp->unless_sys_admin && sys_admin)
			continue;
		struct scmp_arg_cmp conds[PERSONALITY_OTHER_BITS + 3];
		size_t n = 0;
		if (grp->cond == COND_PERSONALITY)
			n = personality_conds(conds);
		else if (grp->cond == COND_CLONE_NEWNS)
			n = clone_conds(conds, clone_flags_arg);
		char what[64];
		snprintf(what, sizeof(what), "group %zu (%s)", g, grp->names[0]);
		r = rt_seccomp_add_rules(ctx, SCMP_ACT_ALLOW, grp->names,
					 SCMP_ACT_ERRNO((uint16_t)grp->errno_ret), conds, n, what,
					 err);
		if (r < 0)
			return r;
	}
	return 0;
}

static const char *denied_names[96];
static pthread_once_t denied_once = PTHREAD_ONCE_INIT;

static void fill_denied(void)
{
	size_t n = 0;
	for (size_t g = 0; g < PAL_ARRAY_SIZE(groups); g++)
		for (const char *const *p = groups[g].names; *p; p++)
			if (n + 1 < PAL_ARRAY_SIZE(denied_names))
				denied_names[n++] = *p;
	denied_names[n] = NULL;
}

const char *const *rt_seccomp_default_denied(void)
{
	pthread_once(&denied_once, fill_denied);
	return denied_names;
}
