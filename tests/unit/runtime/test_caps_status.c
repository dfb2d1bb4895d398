/* Parsing of /proc/<pid>/status capability lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runtime/caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GOOD                                                                                       \
	"Name:\tcat\n"                                                                             \
	"Uid:\t0\t0\t0\t0\n"                                                                       \
	"CapInh:\t0000000000000400\n"                                                              \
	"CapPrm:\t000001ffffffffff\n"                                                              \
	"CapEff:\t00000000a80425fb\n"                                                              \
	"CapBnd:\t000001ffffffffff\n"                                                              \
	"CapAmb:\t0000000000000000\n"                                                              \
	"NoNewPrivs:\t0\n"

static int parse(const char *text, struct rt_caps_status *st)
{
	return rt_caps_parse_status(text, strlen(text), st);
}

static void test_parse_good(void **state)
{
	(void)state;
	struct rt_caps_status st;
	assert_int_equal(parse(GOOD, &st), 0);
	assert_int_equal(st.inheritable, 0x400);
	assert_int_equal(st.permitted, 0x1ffffffffffULL);
	assert_int_equal(st.effective, 0xa80425fbULL);
	assert_int_equal(st.bounding, 0x1ffffffffffULL);
	assert_int_equal(st.ambient, 0);
	/* No trailing newline on the last line is fine. */
	assert_int_equal(parse("CapInh:\t0\nCapPrm:\t1\nCapEff:\t2\nCapBnd:\tFFFFFFFFFFFFFFFF\n"
			       "CapAmb:\t3",
			       &st),
			 0);
	assert_int_equal(st.bounding, ~0ULL);
	assert_int_equal(st.ambient, 3);
}

static void test_parse_strict(void **state)
{
	(void)state;
	struct rt_caps_status st;
	static const char *const bad[] = {
	    "CapInh:\t0000000000000400x\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n",
	    "CapInh:\t\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n",
	    "CapInh:\t00000000000000000\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n",
	    "CapInh:\t-1\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n",
	    "CapInh:\t0x10\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n",
	    "CapInh:\t10 \nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n",
	    "CapInh:\t0\nCapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse(bad[i], &st) != -EINVAL)
			fail_msg("accepted bad status #%zu", i);
	/* A missing key (pre-4.3 kernels have no CapAmb). */
	assert_int_equal(parse("CapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\n", &st), -ENODATA);
	assert_int_equal(parse("", &st), -ENODATA);
}

/* Our own status agrees with capget(2). */
static void test_read_self_matches_capget(void **state)
{
	(void)state;
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];
	assert_int_equal(syscall(SYS_capget, &hdr, d), 0);
	struct rt_caps_status st;
	assert_int_equal(rt_caps_read_status(0, &st), 0);
	assert_int_equal(st.effective, (uint64_t)d[1].effective << 32 | d[0].effective);
	assert_int_equal(st.permitted, (uint64_t)d[1].permitted << 32 | d[0].permitted);
	assert_int_equal(st.inheritable, (uint64_t)d[1].inheritable << 32 | d[0].inheritable);
	struct rt_caps_status by_pid;
	assert_int_equal(rt_caps_read_status(getpid(), &by_pid), 0);
	assert_memory_equal(&st, &by_pid, sizeof(st));
	assert_int_equal(rt_caps_read_status(-1, &st), -EINVAL);
	assert_int_equal(rt_caps_read_status(0x7ffffff0, &st), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_good),
	    cmocka_unit_test(test_parse_strict),
	    cmocka_unit_test(test_read_self_matches_capget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
