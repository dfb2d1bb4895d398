/* Name lists for `features` and the kernel probes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runtime/seccomp.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool contains(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static size_t count(const char *const *list)
{
	size_t n = 0;
	while (list[n])
		n++;
	return n;
}

static void test_known_lists(void **state)
{
	(void)state;
	assert_int_equal(count(rt_seccomp_known_actions()), 9);
	assert_true(contains(rt_seccomp_known_actions(), "SCMP_ACT_NOTIFY"));
	assert_true(contains(rt_seccomp_known_actions(), "SCMP_ACT_KILL_PROCESS"));
	assert_int_equal(count(rt_seccomp_known_operators()), 7);
	assert_true(contains(rt_seccomp_known_operators(), "SCMP_CMP_MASKED_EQ"));
	assert_true(contains(rt_seccomp_known_archs(), "SCMP_ARCH_X86_64"));
	assert_true(contains(rt_seccomp_known_archs(), "SCMP_ARCH_AARCH64"));
	assert_true(contains(rt_seccomp_known_archs(), "SCMP_ARCH_RISCV64"));
	assert_int_equal(count(rt_seccomp_known_flags()), 4);
	assert_true(contains(rt_seccomp_known_flags(), "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
}

/* Every known architecture is one libseccomp accepts in a filter. */
static void test_archs_accepted(void **state)
{
	(void)state;
	for (const char *const *a = rt_seccomp_known_archs(); *a; a++) {
		char *archs[] = {(char *)*a, NULL};
		struct rt_seccomp cfg = {.default_action = RT_SCMP_ACT_ALLOW,
					 .architectures = archs};
		struct rt_seccomp_program p;
		struct pal_err err = {0};
		if (rt_seccomp_compile(&cfg, NULL, &p, &err) < 0)
			fail_msg("%s: %s", *a, err.msg);
		rt_seccomp_program_free(&p);
	}
}

/* The probe agrees with an independent check per flag: the kernel answers
 * EFAULT for a NULL program when it knows the flags, EINVAL otherwise. */
static void test_supported_flags_match_kernel(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		unsigned int flags;
	} probes[] = {
	    {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
	    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
	     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER},
	};
	const char *const *supported = rt_seccomp_supported_flags();
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		errno = 0;
		long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, probes[i].flags, NULL);
		bool kernel = r < 0 && errno == EFAULT;
		assert_int_equal(kernel, contains(supported, probes[i].name));
	}
	/* This machine's kernel (6.x) has all four. */
	assert_int_equal(count(supported), 4);
	/* An unknown flag bit fails the probe, so it is not a blanket yes. */
	errno = 0;
	assert_true(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 1U << 30, NULL) < 0);
	assert_int_equal(errno, EINVAL);
}

static void test_supported_actions(void **state)
{
	(void)state;
	const char *const *actions = rt_seccomp_supported_actions();
	for (const char *const *a = actions; *a; a++)
		assert_true(contains(rt_seccomp_known_actions(), *a));
	assert_true(contains(actions, "SCMP_ACT_ALLOW"));
	assert_true(contains(actions, "SCMP_ACT_LOG"));
	assert_true(contains(actions, "SCMP_ACT_NOTIFY"));
	assert_true(contains(actions, "SCMP_ACT_KILL_PROCESS"));
	uint32_t bogus = 0x7ff80000; /* not an action */
	assert_true(syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &bogus) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_lists),
	    cmocka_unit_test(test_archs_accepted),
	    cmocka_unit_test(test_supported_flags_match_kernel),
	    cmocka_unit_test(test_supported_actions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
