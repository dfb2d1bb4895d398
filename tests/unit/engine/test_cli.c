/* `palisade rules check` and `palisade rules fields`, run as a user would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/strutil.h"

/* Runs palisade with args; returns its exit status and its stdout. */
static int run(const char *args, char **out)
{
	char cmd[4096];
	snprintf(cmd, sizeof(cmd), "%s/palisade %s 2>/dev/null", PAL_BIN_DIR, args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	struct pal_buf b;
	pal_buf_init(&b);
	pal_buf_puts(&b, "");
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		pal_buf_append(&b, buf, n);
	int st = pclose(p);
	*out = pal_buf_steal(&b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void check_reports_errors_with_positions(void **state)
{
	(void)state;
	char *out;
	int rc = run("rules check " PAL_TEST_DATA_DIR "/engine/bad_rules.yaml", &out);
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "bad_rules.yaml:10:47: error: rule 'Shell': unknown field "
				    "'proc.nmae' (did you mean proc.name?)"));
	assert_non_null(strstr(out, "bad_rules.yaml:5:9: error: rule 'Shell': in macro 'in_app': "
				    "undefined macro 'app_procs'"));
	assert_non_null(strstr(out, "errors: 2, warnings: 0"));
	free(out);
}

static void check_falco_ruleset(void **state)
{
	(void)state;
	char *out;
	int rc = run("rules check " PAL_SHARED_DIR "/compat/falco_rules.yaml", &out);
	if (rc != 0)
		fail_msg("palisade rules check on Falco's ruleset (%s) exited %d:\n%s",
			 PAL_SHARED_DIR "/compat/falco_rules.yaml", rc, out);
	assert_non_null(strstr(out, "rules: 25 (25 enabled, 0 disabled, 0 skipped); of the "
				    "enabled, 1 partially supported, 2 can never match"));
	assert_non_null(strstr(out, "macros: 87, lists: 49"));
	assert_non_null(strstr(out, "event types needed (17): execve execveat open openat"));
	free(out);
}

static void check_json_and_list(void **state)
{
	(void)state;
	char *out;
	assert_int_equal(run("rules check --json --builtin", &out), 0);
	json_error_t jerr;
	json_t *j = json_loads(out, 0, &jerr);
	assert_non_null(j);
	assert_true(json_is_true(json_object_get(j, "ok")));
	assert_string_equal(json_string_value(json_object_get(j, "engine_version")), "0.57.0");
	json_t *rules = json_object_get(j, "rules");
	assert_true(json_array_size(rules) >= 35);
	json_t *r0 = json_array_get(rules, 0);
	assert_non_null(json_object_get(r0, "event_types"));
	assert_non_null(json_object_get(r0, "actions"));
	assert_int_equal(json_array_size(json_object_get(j, "errors")), 0);
	json_decref(j);
	free(out);

	assert_int_equal(
	    run("rules check --json " PAL_TEST_DATA_DIR "/engine/bad_rules.yaml", &out), 1);
	j = json_loads(out, 0, &jerr);
	assert_non_null(j);
	assert_true(json_is_false(json_object_get(j, "ok")));
	json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
	assert_string_equal(json_string_value(json_object_get(e0, "code")), "undefined");
	assert_int_equal(json_integer_value(json_object_get(e0, "line")), 5);
	json_t *e1 = json_array_get(json_object_get(j, "errors"), 1);
	assert_string_equal(json_string_value(json_object_get(e1, "code")), "unknown-field");
	assert_int_equal(json_integer_value(json_object_get(e1, "line")), 10);
	assert_int_equal(json_integer_value(json_object_get(e1, "col")), 47);
	assert_string_equal(json_string_value(json_object_get(e1, "item")), "Shell");
	json_decref(j);
	free(out);

	assert_int_equal(run("rules check --builtin --list", &out), 0);
	assert_non_null(
	    strstr(out, "Critical      enabled  full     Cgroup Release Agent Written"));
	free(out);
}

static void usage_errors(void **state)
{
	(void)state;
	char *out;
	assert_int_equal(run("rules check", &out), 2);
	free(out);
	assert_int_equal(run("rules frobnicate", &out), 2);
	free(out);
	assert_int_equal(run("rules check --help", &out), 0);
	assert_non_null(
	    strstr(out, "Exit status: 0 the rules load, 1 errors, 2 bad command line."));
	free(out);
	assert_int_equal(run("rules check /nonexistent.yaml", &out), 1);
	free(out);
	assert_int_equal(run("rules fields", &out), 0);
	assert_non_null(strstr(out, "fd.nameraw"));
	assert_non_null(strstr(out, "NOT AVAILABLE"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(check_reports_errors_with_positions),
	    cmocka_unit_test(check_falco_ruleset),
	    cmocka_unit_test(check_json_and_list),
	    cmocka_unit_test(usage_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
