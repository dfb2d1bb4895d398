#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_grows_and_stays_terminated),
		cmocka_unit_test(strict_integer_parsing),
		cmocka_unit_test(error_context_reads_outer_to_inner),
		cmocka_unit_test(clean_absolute_paths),
		cmocka_unit_test(strv_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
