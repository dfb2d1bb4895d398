#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/strutil.h"
#include "common/fsutil.h"

static void buf_grows_and_stays_terminated(void **state)
{
	(void)state;
	struct pal_buf b;
	pal_buf_init(&b);
	for (int i = 0; i < 1000; i++)
		pal_buf_printf(&b, "%d,", i);
	assert_int_equal(b.data[b.len], '\0');
	assert_true(pal_str_starts_with(b.data, "0,1,2,"));
	assert_true(pal_str_ends_with(b.data, "998,999,"));
	char *s = pal_buf_steal(&b);
	assert_null(b.data);
	free(s);
}

static void strict_integer_parsing(void **state)
{
	(void)state;
	int64_t v;
	uint64_t u;
	assert_int_equal(pal_parse_int64("-42", &v), 0);
	assert_int_equal(v, -42);
	assert_int_equal(pal_parse_int64("42x", &v), -EINVAL);
	assert_int_equal(pal_parse_int64("", &v), -EINVAL);
	assert_int_equal(pal_parse_int64("99999999999999999999", &v), -ERANGE);
	assert_int_equal(pal_parse_uint64("-1", &u), -EINVAL);
	assert_int_equal(pal_parse_uint64("18446744073709551615", &u), 0);
	assert_true(u == UINT64_MAX);
}

static void error_context_reads_outer_to_inner(void **state)
{
	(void)state;
	struct pal_err e = {0};
	assert_int_equal(pal_err_sys(&e, ENOENT, "open %s", "/x"), -ENOENT);
	pal_err_prefix(&e, "create container %s", "web");
	assert_string_equal(e.msg, "create container web: open /x: No such file or directory");
	assert_int_equal(e.code, ENOENT);
}

static void clean_absolute_paths(void **state)
{
	(void)state;
	assert_true(pal_path_is_clean_absolute("/"));
	assert_true(pal_path_is_clean_absolute("/a/b"));
	assert_true(pal_path_is_clean_absolute("/a/b/"));
	assert_false(pal_path_is_clean_absolute("a/b"));
	assert_false(pal_path_is_clean_absolute("/a/../b"));
	assert_false(pal_path_is_clean_absolute("/a/./b"));
	assert_false(pal_path_is_clean_absolute("/a//b"));
	assert_false(pal_path_is_clean_absolute("/.."));
	assert_false(pal_path_is_clean_absolute(""));
	char *j = pal_path_join("/a/", "/b");
	assert_string_equal(j, "/a/b");
	free(j);
}

static void strv_helpers(void **state)
{
	(void)state;
	char **v = NULL;
	pal_strv_push(&v, "a");
	pal_strv_push(&v, "b");
	assert_int_equal(pal_strv_len(v), 2);
	assert_true(pal_strv_contains(v, "b"));
	assert_false(pal_strv_contains(v, "c"));
	char **d = pal_strv_dup(v);
	assert_string_equal(d[1], "b");
	pal_strv_free(v);
	pal_strv_free(d);
}

/* Reading up to a bound: the prefix, the whole of a shorter file, an error. */
static void read_upto_a_bound(void **state)
{
	(void)state;
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "0123456789", 10), 10);
	close(p[1]);
	char buf[32];
	assert_int_equal(pal_read_upto(p[0], buf, 4), 4);
	assert_memory_equal(buf, "0123", 4);
	assert_int_equal(pal_read_upto(p[0], buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "456789", 6);
	assert_int_equal(pal_read_upto(p[0], buf, sizeof(buf)), 0);
	close(p[0]);
	assert_int_equal(pal_read_upto(p[0], buf, sizeof(buf)), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_grows_and_stays_terminated),
		cmocka_unit_test(strict_integer_parsing),
		cmocka_unit_test(error_context_reads_outer_to_inner),
		cmocka_unit_test(clean_absolute_paths),
		cmocka_unit_test(strv_helpers),
		cmocka_unit_test(read_upto_a_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
