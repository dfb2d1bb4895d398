/* The default profile against the real kernel: installed in forked children,
 * denied calls fail with the profile's errno, everyday calls keep working. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runtime/seccomp.h"
#include "runtime/seccomp_priv.h"
#include "test_seccomp_helpers.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <time.h>

#include <linux/keyctl.h>

static void compile_default(uint64_t caps, bool log, struct rt_seccomp_program *p)
{
	struct rt_seccomp_build_opts opts = {.log_denials = log, .effective_caps = caps};
	struct pal_err err = {0};
	int r = rt_seccomp_compile(NULL, &opts, p, &err);
	if (r < 0)
		fail_msg("compile default profile: %s", err.msg);
	assert_non_null(p->insns);
	assert_true(p->n_insns > 0 && p->n_insns <= BPF_MAXINSNS);
}

static void *thread_fn(void *arg)
{
	return arg;
}

/* The unfiltered outcome of each probe differs from the filtered one
 * (ENOENT, ESRCH, EFAULT, EINVAL, success), so a filter that does not
 * apply cannot pass, and none of the probes changes the host. */
static int denied_calls(void *arg)
{
	const struct rt_seccomp_program *p = arg;
	CHILD_CHECK(child_install(p) == 0);
	CHILD_EXPECT_ERRNO(syscall(SYS_bpf, 0, NULL, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_init_module, NULL, 0, ""), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_finit_module, -1, "", 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0),
			   EPERM);
	CHILD_EXPECT_ERRNO(
	    syscall(SYS_add_key, "user", "palisade", "x", 1, KEY_SPEC_PROCESS_KEYRING), EPERM);
	CHILD_EXPECT_ERRNO(unshare(CLONE_NEWNS), EPERM);
	CHILD_EXPECT_ERRNO(unshare(CLONE_NEWUSER), EPERM);
	CHILD_EXPECT_ERRNO(mount(NULL, "/nonexistent-palisade-test", NULL, MS_REMOUNT, NULL),
			   EPERM);
	CHILD_EXPECT_ERRNO(umount2("/nonexistent-palisade-test", 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_setns, -1, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_pivot_root, "/nonexistent-a", "/nonexistent-b"), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_fsopen, "tmpfs", 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_open_tree, AT_FDCWD, "/nonexistent-palisade-test", 0),
			   EPERM);
	/* clone with namespace flags: each CLONE_NEW* is refused. */
	static const unsigned long ns_flags[] = {CLONE_NEWUSER,	 CLONE_NEWNS,  CLONE_NEWPID,
						 CLONE_NEWNET,	 CLONE_NEWUTS, CLONE_NEWIPC,
						 CLONE_NEWCGROUP};
	for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++) {
		errno = 0;
		long r = syscall(SYS_clone, ns_flags[i] | SIGCHLD, 0, NULL, NULL, 0);
		if (r == 0)
			_exit(0); /* the filter let it through: the parent reports */
		if (r > 0)
			waitpid((pid_t)r, NULL, 0);
		CHILD_CHECK(r == -1 && errno == EPERM);
	}
	/* clone3 answers ENOSYS so the C library falls back to clone. Without
	 * the filter these arguments give EINVAL. */
	CHILD_EXPECT_ERRNO(syscall(SYS_clone3, NULL, 0), ENOSYS);
	struct io_uring_params params;
	memset(&params, 0, sizeof(params));
	CHILD_EXPECT_ERRNO(syscall(SYS_io_uring_setup, 1, &params), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_userfaultfd, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_ptrace, PTRACE_ATTACH, 999999999, NULL, NULL), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_process_vm_readv, 999999999, NULL, 0, NULL, 0, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_kcmp, 999999999, 999999999, 0, 0, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_open_by_handle_at, -1, NULL, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_name_to_handle_at, AT_FDCWD, "/", NULL, NULL, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_clock_settime, CLOCK_REALTIME, NULL), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_settimeofday, NULL, NULL), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_acct, "/nonexistent-palisade-test"), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_swapoff, "/nonexistent-palisade-test"), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_reboot, 0, 0, 0, NULL), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_iopl, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_ioperm, 0, 0, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_quotactl, 0, NULL, 0, NULL), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_sysfs, 3), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_ustat, 0, NULL), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_uselib, "/nonexistent-palisade-test"), EPERM);
	return 0;
}

static int allowed_calls(void *arg)
{
	const struct rt_seccomp_program *p = arg;
	CHILD_CHECK(child_install(p) == 0);
	CHILD_CHECK(syscall(SYS_getpid) == getpid());
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	CHILD_CHECK(fd >= 0);
	char buf[64];
	CHILD_CHECK(read(fd, buf, sizeof(buf)) > 0);
	close(fd);
	int pipefd[2];
	CHILD_CHECK(pipe2(pipefd, O_CLOEXEC) == 0);
	CHILD_CHECK(write(pipefd[1], "x", 1) == 1);
	CHILD_CHECK(read(pipefd[0], buf, 1) == 1 && buf[0] == 'x');
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHILD_CHECK(s >= 0);
	close(s);
	/* fork goes through clone without namespace flags. */
	pid_t pid = fork();
	CHILD_CHECK(pid >= 0);
	if (pid == 0)
		_exit(7);
	int status;
	CHILD_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 7);
	/* Threads: clone3 fails with ENOSYS and glibc falls back to clone. */
	pthread_t t;
	void *ret = NULL;
	CHILD_CHECK(pthread_create(&t, NULL, thread_fn, (void *)0x1234) == 0);
	CHILD_CHECK(pthread_join(t, &ret) == 0 && ret == (void *)0x1234);
	pid = fork();
	CHILD_CHECK(pid >= 0);
	if (pid == 0) {
		char *argv[] = {"/bin/true", NULL};
		char *envp[] = {NULL};
		execve("/bin/true", argv, envp);
		_exit(99);
	}
	CHILD_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0);
	/* adjtimex (glibc: clock_adjtime) stays allowed for readers. */
	struct timex tx = {.modes = 0};
	CHILD_CHECK(adjtimex(&tx) >= 0);
	CHILD_CHECK(syscall(SYS_adjtimex, &tx) >= 0);
	struct timespec ts;
	CHILD_CHECK(clock_gettime(CLOCK_REALTIME, &ts) == 0);
	return 0;
}

/* personality: PER_LINUX, PER_LINUX32, UNAME26, both, and the query pass;
 * everything else fails with EPERM. Without a filter every value succeeds. */
static int personality_calls(void *arg)
{
	const struct rt_seccomp_program *p = arg;
	CHILD_CHECK(child_install(p) == 0);
	static const unsigned long allowed[] = {0xffffffffUL, 0x0, 0x8, 0x20000, 0x20008, 0x0};
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		CHILD_CHECK(syscall(SYS_personality, allowed[i]) >= 0);
	static const unsigned long denied[] = {
	    0x1,	   0x2,		  0x4,
	    0x7,	   0x9,		  0x10,
	    0x20001,	   0x20009,	  0x40000,
	    0x0040000,	   0x0400000,	  0x1000000,
	    0x80000000,	   0x7fffffff,	  0xfffffffe,
	    0xfffffff7,	   0xfffdffff,	  0xfffdfff7,
	    0x100000000UL, 0x100000008UL, 0xffffffffffffffffUL,
	    0x30000,	   0x28,
	};
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++) {
		errno = 0;
		long r = syscall(SYS_personality, denied[i]);
		if (r != -1 || errno != EPERM) {
			dprintf(2, "personality(%#lx) returned %ld errno %d, expected EPERM\n",
				denied[i], r, errno);
			return 1;
		}
	}
	return 0;
}

static int sys_admin_calls(void *arg)
{
	const struct rt_seccomp_program *p = arg;
	CHILD_CHECK(child_install(p) == 0);
	/* The filter lets namespace calls through when CAP_SYS_ADMIN is
	 * effective; the kernel then decides (the test runs as root). */
	CHILD_CHECK(unshare(CLONE_NEWNS) == 0);
	errno = 0;
	long r = syscall(SYS_clone3, NULL, 0);
	CHILD_CHECK(r == -1 && errno != ENOSYS);
	CHILD_EXPECT_ERRNO(mount(NULL, "/nonexistent-palisade-test", NULL, MS_REMOUNT, NULL),
			   ENOENT);
	/* Everything else stays denied. */
	CHILD_EXPECT_ERRNO(syscall(SYS_bpf, 0, NULL, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_io_uring_setup, 1, NULL), EPERM);
	return 0;
}

static void test_default_denies(void **state)
{
	(void)state;
	struct rt_seccomp_program p;
	compile_default(0, false, &p);
	assert_false(p.needs_listener);
	assert_int_equal(p.flags, 0);
	print_message("default profile: %zu BPF instructions\n", p.n_insns);
	int status = run_in_child(denied_calls, &p);
	assert_int_equal(child_exit_code(status), 0);
	rt_seccomp_program_free(&p);
}

static void test_default_allows(void **state)
{
	(void)state;
	struct rt_seccomp_program p;
	compile_default(0, false, &p);
	assert_int_equal(child_exit_code(run_in_child(allowed_calls, &p)), 0);
	rt_seccomp_program_free(&p);
}

static void test_default_personality(void **state)
{
	(void)state;
	struct rt_seccomp_program p;
	compile_default(0, false, &p);
	assert_int_equal(child_exit_code(run_in_child(personality_calls, &p)), 0);
	rt_seccomp_program_free(&p);
}

static void test_default_with_sys_admin(void **state)
{
	(void)state;
	struct rt_seccomp_program p;
	compile_default(1ULL << CAP_SYS_ADMIN, false, &p);
	assert_int_equal(child_exit_code(run_in_child(sys_admin_calls, &p)), 0);
	/* The same calls are refused without the capability. */
	struct rt_seccomp_program q;
	compile_default(1ULL << CAP_NET_ADMIN, false, &q);
	assert_true(q.n_insns > p.n_insns);
	rt_seccomp_program_free(&p);
	rt_seccomp_program_free(&q);
}

static int log_flag_child(void *arg)
{
	const struct rt_seccomp_program *p = arg;
	int r = child_install(p);
	if (r != 0) {
		dprintf(2, "install with flags %#x: %s\n", p->flags, strerror(-r));
		return 1;
	}
	CHILD_EXPECT_ERRNO(syscall(SYS_bpf, 0, NULL, 0), EPERM);
	return 0;
}

static void test_default_log_denials(void **state)
{
	(void)state;
	struct rt_seccomp_program p;
	compile_default(0, true, &p);
	assert_int_equal(p.flags, RT_SECCOMP_FLAG_LOG);
	assert_int_equal(p.flags, SECCOMP_FILTER_FLAG_LOG);
	assert_int_equal(child_exit_code(run_in_child(log_flag_child, &p)), 0);
	rt_seccomp_program_free(&p);
}

static void test_default_denied_list(void **state)
{
	(void)state;
	const char *const *names = rt_seccomp_default_denied();
	static const char *const expect[] = {"init_module", "kexec_load",	"keyctl",
					     "bpf",	    "perf_event_open",	"userfaultfd",
					     "ptrace",	    "io_uring_setup",	"mount",
					     "unshare",	    "clone3",		"personality",
					     "clone",	    "open_by_handle_at"};
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		bool found = false;
		for (const char *const *n = names; *n; n++)
			found = found || strcmp(*n, expect[i]) == 0;
		if (!found)
			fail_msg("%s missing from rt_seccomp_default_denied()", expect[i]);
	}
	/* Every name is one libseccomp knows, so none is silently skipped. */
	for (const char *const *n = names; *n; n++)
		if (seccomp_syscall_resolve_name(*n) == __NR_SCMP_ERROR)
			fail_msg("default profile names unknown syscall %s", *n);
}

/* This kernel has no IA-32 emulation, so compat calls cannot be made; check
 * instead that libseccomp put the rules into the x86 and x32 sections. */
static void test_default_covers_compat_archs(void **state)
{
	(void)state;
	if (seccomp_arch_native() != SCMP_ARCH_X86_64)
		fail_msg("this test expects an x86_64 host");
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	assert_non_null(ctx);
	struct pal_err err = {0};
	assert_int_equal(rt_seccomp_build_default(ctx, 0, &err), 0);
	int fd = memfd_create("pfc", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(seccomp_export_pfc(ctx, fd), 0);
	seccomp_release(ctx);
	off_t size = lseek(fd, 0, SEEK_END);
	assert_true(size > 0);
	char *pfc = calloc(1, (size_t)size + 1);
	assert_int_equal(pread(fd, pfc, (size_t)size, 0), size);
	close(fd);
	char *x86 = strstr(pfc, "# filter for arch x86 (");
	char *x86_64 = strstr(pfc, "# filter for arch x86_64 (");
	assert_non_null(x86);
	assert_non_null(x86_64);
	/* x32 shares x86_64's audit arch: its section checks the x32 bit. */
	char *x86_end = x86 < x86_64 ? x86_64 : pfc + size;
	char *unshare_in_x86 = strstr(x86, "unshare");
	assert_true(unshare_in_x86 != NULL && unshare_in_x86 < x86_end);
	free(pfc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_denies),
	    cmocka_unit_test(test_default_allows),
	    cmocka_unit_test(test_default_personality),
	    cmocka_unit_test(test_default_with_sys_admin),
	    cmocka_unit_test(test_default_log_denials),
	    cmocka_unit_test(test_default_denied_list),
	    cmocka_unit_test(test_default_covers_compat_archs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
