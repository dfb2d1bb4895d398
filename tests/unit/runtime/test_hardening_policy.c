/* The hardening section of the node policy and per-container annotations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/strutil.h"
#include "common/yamldoc.h"
#include "runtime/policy.h"

static int parse(const char *text, struct rt_hardening *h, struct pal_err *err)
{
	struct pal_yaml y;
	rt_hardening_defaults(h);
	int r = pal_yaml_load_buffer(&y, "policy.yaml", text, strlen(text), err);
	if (r == 0)
		r = rt_hardening_parse_yaml(&y, h, err);
	pal_yaml_free(&y);
	return r;
}

static void defaults_are_all_on(void **state)
{
	(void)state;
	struct rt_hardening h;
	rt_hardening_defaults(&h);
	assert_true(h.seccomp_default && h.seccomp_log_denials && h.wx && h.no_new_privs &&
		    h.allow_annotations);
	assert_string_equal(h.source, "built-in defaults");
	rt_hardening_free(&h);
}

static void every_key_parses(void **state)
{
	(void)state;
	struct rt_hardening h;
	struct pal_err err = {0};
	assert_int_equal(parse("trust: {default: accept}\n"
			       "hardening:\n  seccomp: off\n  seccomp_log_denials: false\n"
			       "  wx: false\n  wx_exec_paths: [/app/, /srv/bin]\n"
			       "  no_new_privs: no\n  allow_annotations: false\n",
			       &h, &err),
			 0);
	assert_false(h.seccomp_default || h.seccomp_log_denials || h.wx || h.no_new_privs ||
		     h.allow_annotations);
	assert_string_equal(h.wx_exec_paths[0], "/app");
	assert_string_equal(h.wx_exec_paths[1], "/srv/bin");
	rt_hardening_free(&h);
}

static void errors_name_the_line(void **state)
{
	(void)state;
	struct rt_hardening h;
	struct pal_err err = {0};
	assert_true(parse("hardening:\n  wx: maybe\n", &h, &err) < 0);
	assert_non_null(strstr(err.msg, "policy.yaml:2:7: hardening.wx must be true or false"));
	rt_hardening_free(&h);
	assert_true(parse("hardening:\n  frobnicate: 1\n", &h, &err) < 0);
	assert_non_null(strstr(err.msg, "policy.yaml:2:3: hardening: unknown key 'frobnicate'"));
	rt_hardening_free(&h);
	assert_true(parse("hardening:\n  wx_exec_paths: [relative]\n", &h, &err) < 0);
	assert_non_null(strstr(err.msg, "'relative' must be an absolute path"));
	rt_hardening_free(&h);
	assert_true(parse("hardening:\n  seccomp: strict\n", &h, &err) < 0);
	assert_non_null(strstr(err.msg, "'default' or 'off'"));
	rt_hardening_free(&h);
	assert_true(parse("- a\n- b\n", &h, &err) < 0);
	rt_hardening_free(&h);
	assert_true(parse("hardening: [1]\n", &h, &err) < 0);
	rt_hardening_free(&h);
	assert_true(parse("hardening:\n  wx: [\n", &h, &err) < 0);
	assert_non_null(strstr(err.msg, "YAML syntax error"));
	rt_hardening_free(&h);
}

static void annotations_override_when_allowed(void **state)
{
	(void)state;
	struct rt_kv ann[] = {{"io.palisade.hardening.wx", "off"},
			      {"io.palisade.hardening.seccomp", "off"},
			      {"io.palisade.hardening.wx-exec-paths", "/a, /b/c"},
			      {"unrelated", "x"}};
	struct rt_config cfg = {.annotations = ann, .n_annotations = 4};
	struct rt_hardening h;
	struct pal_err err = {0};
	rt_hardening_defaults(&h);
	assert_int_equal(rt_hardening_apply_annotations(&h, &cfg, &err), 0);
	assert_false(h.wx);
	assert_false(h.seccomp_default);
	assert_true(pal_strv_contains(h.wx_exec_paths, "/a"));
	assert_true(pal_strv_contains(h.wx_exec_paths, "/b/c"));
	rt_hardening_free(&h);

	rt_hardening_defaults(&h);
	h.allow_annotations = false;
	assert_true(rt_hardening_apply_annotations(&h, &cfg, &err) < 0);
	assert_non_null(strstr(err.msg, "does not allow per-container hardening overrides"));
	rt_hardening_free(&h);

	struct rt_kv bad[] = {{"io.palisade.hardening.wx", "sometimes"}};
	struct rt_kv unknown[] = {{"io.palisade.hardening.fly", "on"}};
	struct rt_kv rel[] = {{"io.palisade.hardening.wx-exec-paths", "x/y"}};
	struct rt_config c2 = {.annotations = bad, .n_annotations = 1};
	rt_hardening_defaults(&h);
	assert_true(rt_hardening_apply_annotations(&h, &c2, &err) < 0);
	assert_non_null(strstr(err.msg, "'sometimes' is not 'on' or 'off'"));
	c2.annotations = unknown;
	assert_true(rt_hardening_apply_annotations(&h, &c2, &err) < 0);
	assert_non_null(strstr(err.msg, "unknown hardening annotation"));
	c2.annotations = rel;
	assert_true(rt_hardening_apply_annotations(&h, &c2, &err) < 0);
	rt_hardening_free(&h);
}

static void load_from_env_and_missing_file(void **state)
{
	(void)state;
	struct rt_hardening h;
	struct pal_err err = {0};
	assert_true(rt_hardening_load("/nonexistent/policy.yaml", &h, &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent/policy.yaml"));
	setenv("PALISADE_POLICY", PAL_TEST_DATA_DIR "/runtime/no-such-policy.yaml", 1);
	assert_true(rt_hardening_load(NULL, &h, &err) < 0);
	unsetenv("PALISADE_POLICY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_are_all_on),
	    cmocka_unit_test(every_key_parses),
	    cmocka_unit_test(errors_name_the_line),
	    cmocka_unit_test(annotations_override_when_allowed),
	    cmocka_unit_test(load_from_env_and_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
