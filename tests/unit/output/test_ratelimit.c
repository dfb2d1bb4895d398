#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/ratelimit.h"

static uint64_t fake_now;
static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

#define SEC 1000000000ull

static struct out_ratelimit *make(double rate, double burst, size_t max_keys)
{
	struct out_ratelimit_opts o = {
	    .rate = rate, .burst = burst, .max_keys = max_keys, .clock = fake_clock};
	struct out_ratelimit *rl = out_ratelimit_new(&o);
	assert_non_null(rl);
	return rl;
}

static void burst_then_rate(void **state)
{
	(void)state;
	fake_now = 1000 * SEC;
	struct out_ratelimit *rl = make(1.0, 3.0, 0);
	uint64_t sup = 99;
	for (int i = 0; i < 3; i++) {
		assert_true(out_ratelimit_allow(rl, "Shell", "c1", &sup));
		assert_int_equal(sup, 0);
	}
	for (int i = 0; i < 5; i++)
		assert_false(out_ratelimit_allow(rl, "Shell", "c1", &sup));
	/* Half a token is not enough. */
	fake_now += SEC / 2;
	assert_false(out_ratelimit_allow(rl, "Shell", "c1", &sup));
	fake_now += SEC / 2;
	assert_true(out_ratelimit_allow(rl, "Shell", "c1", &sup));
	assert_int_equal(sup, 6); /* the count rides on the next alert that passes */
	fake_now += SEC;
	assert_true(out_ratelimit_allow(rl, "Shell", "c1", &sup));
	assert_int_equal(sup, 0); /* and is reset */

	struct out_ratelimit_stats st;
	out_ratelimit_get_stats(rl, &st);
	assert_int_equal(st.allowed, 5);
	assert_int_equal(st.suppressed, 6);
	out_ratelimit_free(rl);
}

static void keys_are_independent(void **state)
{
	(void)state;
	fake_now = 0;
	struct out_ratelimit *rl = make(0.1, 1.0, 0);
	uint64_t sup;
	assert_true(out_ratelimit_allow(rl, "Shell", "c1", &sup));
	assert_false(out_ratelimit_allow(rl, "Shell", "c1", &sup));
	assert_true(out_ratelimit_allow(rl, "Shell", "c2", &sup));
	assert_true(out_ratelimit_allow(rl, "Write below etc", "c1", &sup));
	/* NULL container is the host. */
	assert_true(out_ratelimit_allow(rl, "Shell", NULL, &sup));
	assert_false(out_ratelimit_allow(rl, "Shell", "host", &sup));
	/* "ab"+"c" must not collide with "a"+"bc". */
	assert_true(out_ratelimit_allow(rl, "ab", "c", &sup));
	assert_true(out_ratelimit_allow(rl, "a", "bc", &sup));
	out_ratelimit_free(rl);
}

static void bucket_refills_only_to_burst(void **state)
{
	(void)state;
	fake_now = 0;
	struct out_ratelimit *rl = make(10.0, 2.0, 0);
	uint64_t sup;
	assert_true(out_ratelimit_allow(rl, "r", "c", &sup));
	fake_now += 3600 * SEC; /* an hour idle: still only 2 tokens */
	assert_true(out_ratelimit_allow(rl, "r", "c", &sup));
	assert_true(out_ratelimit_allow(rl, "r", "c", &sup));
	assert_false(out_ratelimit_allow(rl, "r", "c", &sup));
	out_ratelimit_free(rl);
}

static void memory_is_bounded_lru(void **state)
{
	(void)state;
	fake_now = 0;
	struct out_ratelimit *rl = make(0.001, 1.0, 4);
	uint64_t sup;
	/* c0 has a pending suppressed count; then c0 is touched last so it stays. */
	assert_true(out_ratelimit_allow(rl, "r", "c0", &sup));
	assert_false(out_ratelimit_allow(rl, "r", "c0", &sup));
	assert_true(out_ratelimit_allow(rl, "r", "c1", &sup));
	assert_false(out_ratelimit_allow(rl, "r", "c1", &sup)); /* c1: 1 pending */
	assert_true(out_ratelimit_allow(rl, "r", "c2", &sup));
	assert_true(out_ratelimit_allow(rl, "r", "c3", &sup));
	assert_false(out_ratelimit_allow(rl, "r", "c0", &sup)); /* c0 most recent, 2 pending */
	char id[16];
	for (int i = 4; i < 100; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		out_ratelimit_allow(rl, "r", id, &sup);
	}
	struct out_ratelimit_stats st;
	out_ratelimit_get_stats(rl, &st);
	assert_int_equal(st.keys, 4);
	assert_int_equal(st.evicted, 96);
	assert_int_equal(st.lost_suppressed, 3); /* c1's 1 and c0's 2 left with their buckets */
	/* An evicted key starts over with a full bucket. */
	assert_true(out_ratelimit_allow(rl, "r", "c1", &sup));
	assert_int_equal(sup, 0);
	out_ratelimit_free(rl);
}

static void rejects_bad_parameters(void **state)
{
	(void)state;
	struct out_ratelimit_opts o = {.rate = 0, .burst = 1};
	assert_null(out_ratelimit_new(&o));
	assert_int_equal(errno, EINVAL);
	o.rate = 1;
	o.burst = 0.5;
	assert_null(out_ratelimit_new(&o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(burst_then_rate),
	    cmocka_unit_test(keys_are_independent),
	    cmocka_unit_test(bucket_refills_only_to_burst),
	    cmocka_unit_test(memory_is_bounded_lru),
	    cmocka_unit_test(rejects_bad_parameters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
