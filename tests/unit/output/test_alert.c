#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/strutil.h"
#include "output/alert.h"

/* 2021-04-16T18:25:16.746609046Z */
#define T_NS 1618597516746609046ull

static void sample(struct out_alert *a)
{
	out_alert_init(a);
	a->time_ns = T_NS;
	a->rule = pal_xstrdup("Terminal shell in container");
	a->priority = OUT_PRIO_NOTICE;
	a->output = pal_xstrdup("A shell was spawned in a container (user=root shell=sh)");
	a->output_fields =
	    json_pack("{s:s, s:s, s:n}", "proc.name", "sh", "user.name", "root", "k8s.pod.name");
	pal_strv_push(&a->tags, "shell");
	pal_strv_push(&a->tags, "container");
	pal_strv_push(&a->tags, "shell");
	a->container.id = pal_xstrdup("0123456789ab");
	a->container.name = pal_xstrdup("web");
	a->container.image = pal_xstrdup("docker.io/library/nginx:1.25");
	out_alert_add_action(a, "kill_process", OUT_ACTION_OK, "SIGKILL pid 4242");
	out_alert_add_action(a, "freeze_container", OUT_ACTION_FAILED, "cgroup freezer: EBUSY");
	out_alert_add_proc(a, 4242, "sh", "sh -i");
	out_alert_add_proc(a, 4200, "bash", "bash -c sh -i");
	a->suppressed = 7;
}

static void priority_names_are_falcos(void **state)
{
	(void)state;
	const char *want[] = {"Emergency", "Alert",  "Critical",      "Error",
			      "Warning",   "Notice", "Informational", "Debug"};
	for (int i = 0; i < OUT_PRIO_COUNT; i++) {
		assert_string_equal(out_priority_name((enum out_priority)i), want[i]);
		enum out_priority p;
		assert_int_equal(out_priority_parse(want[i], &p), 0);
		assert_int_equal(p, i);
	}
	enum out_priority p = OUT_PRIO_DEBUG;
	assert_int_equal(out_priority_parse("WARNING", &p), 0);
	assert_int_equal(p, OUT_PRIO_WARNING);
	assert_int_equal(out_priority_parse("info", &p), 0);
	assert_int_equal(p, OUT_PRIO_INFORMATIONAL);
	assert_int_equal(out_priority_parse("severe", &p), -EINVAL);
	/* Numbered as syslog severities: the syslog sink relies on it. */
	assert_int_equal(OUT_PRIO_EMERGENCY, 0);
	assert_int_equal(OUT_PRIO_WARNING, 4);
	assert_int_equal(OUT_PRIO_DEBUG, 7);
}

static void json_has_falcos_fields(void **state)
{
	(void)state;
	struct out_alert a;
	sample(&a);
	json_t *j = out_alert_to_json(&a, "node-1");
	assert_string_equal(json_string_value(json_object_get(j, "time")),
			    "2021-04-16T18:25:16.746609046Z");
	assert_string_equal(json_string_value(json_object_get(j, "rule")),
			    "Terminal shell in container");
	assert_string_equal(json_string_value(json_object_get(j, "priority")), "Notice");
	/* Falco's output starts with %evt.time (local time; TZ=UTC here) and the priority. */
	assert_string_equal(json_string_value(json_object_get(j, "output")),
			    "18:25:16.746609046: Notice A shell was spawned in a container "
			    "(user=root shell=sh)");
	assert_string_equal(json_string_value(json_object_get(j, "hostname")), "node-1");
	assert_string_equal(json_string_value(json_object_get(j, "source")), "syscall");

	json_t *f = json_object_get(j, "output_fields");
	assert_true(json_is_object(f));
	assert_string_equal(json_string_value(json_object_get(f, "proc.name")), "sh");
	assert_true(json_is_null(json_object_get(f, "k8s.pod.name")));
	assert_int_equal(json_integer_value(json_object_get(f, "evt.time")), (json_int_t)T_NS);
	/* the alert's own object is not modified */
	assert_null(json_object_get(a.output_fields, "evt.time"));

	/* a set in Falco: sorted, no duplicates */
	json_t *tags = json_object_get(j, "tags");
	assert_int_equal(json_array_size(tags), 2);
	assert_string_equal(json_string_value(json_array_get(tags, 0)), "container");
	assert_string_equal(json_string_value(json_array_get(tags, 1)), "shell");

	json_decref(j);
	out_alert_clear(&a);
}

static void json_has_palisade_keys(void **state)
{
	(void)state;
	struct out_alert a;
	sample(&a);
	json_t *j = out_alert_to_json(&a, "node-1");
	json_t *c = json_object_get(j, "container");
	assert_string_equal(json_string_value(json_object_get(c, "id")), "0123456789ab");
	assert_string_equal(json_string_value(json_object_get(c, "name")), "web");
	assert_string_equal(json_string_value(json_object_get(c, "image")),
			    "docker.io/library/nginx:1.25");

	json_t *act = json_object_get(j, "action");
	assert_int_equal(json_array_size(act), 2);
	json_t *a0 = json_array_get(act, 0);
	assert_string_equal(json_string_value(json_object_get(a0, "name")), "kill_process");
	assert_string_equal(json_string_value(json_object_get(a0, "result")), "ok");
	assert_string_equal(json_string_value(json_object_get(a0, "detail")), "SIGKILL pid 4242");
	json_t *a1 = json_array_get(act, 1);
	assert_string_equal(json_string_value(json_object_get(a1, "result")), "failed");

	json_t *tree = json_object_get(j, "process_tree");
	assert_int_equal(json_array_size(tree), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(tree, 0), "pid")), 4242);
	assert_string_equal(json_string_value(json_object_get(json_array_get(tree, 1), "cmdline")),
			    "bash -c sh -i");
	assert_int_equal(json_integer_value(json_object_get(j, "suppressed")), 7);
	assert_int_equal(json_object_size(j), 12);
	json_decref(j);
	out_alert_clear(&a);
}

static void line_is_compact_with_sorted_keys(void **state)
{
	(void)state;
	struct out_alert a;
	out_alert_init(&a);
	a.time_ns = T_NS;
	a.rule = pal_xstrdup("r");
	a.priority = OUT_PRIO_CRITICAL;
	a.output = pal_xstrdup("m");
	a.hostname = pal_xstrdup("h");
	size_t len = 0;
	char *line = out_alert_to_line(&a, "ignored", &len);
	assert_int_equal(len, strlen(line));
	assert_string_equal(
	    line, "{\"action\":[],\"container\":{\"id\":\"host\",\"image\":\"\",\"name\":\"host\"},"
		  "\"hostname\":\"h\",\"output\":\"18:25:16.746609046: Critical m\","
		  "\"output_fields\":{\"evt.time\":1618597516746609046},\"priority\":\"Critical\","
		  "\"process_tree\":[],\"rule\":\"r\",\"source\":\"syscall\",\"suppressed\":0,"
		  "\"tags\":[],\"time\":\"2021-04-16T18:25:16.746609046Z\"}");
	free(line);
	out_alert_clear(&a);
}

static void proc_tree_is_bounded_and_bad_utf8_survives(void **state)
{
	(void)state;
	struct out_alert a;
	out_alert_init(&a);
	for (int i = 0; i < 10; i++)
		out_alert_add_proc(&a, 100 + i, "p", "c");
	assert_int_equal(a.n_procs, OUT_PROC_TREE_MAX);
	a.rule = pal_xstrdup("bad \xff\xfe utf8");
	a.output = pal_xstrdup("x");
	json_t *j = out_alert_to_json(&a, "h");
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "rule")), "bad ?? utf8");
	assert_int_equal(json_array_size(json_object_get(j, "process_tree")), OUT_PROC_TREE_MAX);
	json_decref(j);
	out_alert_clear(&a);
}

static void hostname_from_environment(void **state)
{
	(void)state;
	/* First call caches: the variable is set before anything asked. */
	assert_string_equal(out_default_hostname(), "unit-test-node");
	struct out_alert a;
	out_alert_init(&a);
	a.rule = pal_xstrdup("r");
	json_t *j = out_alert_to_json(&a, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "hostname")), "unit-test-node");
	json_decref(j);
	out_alert_clear(&a);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	setenv("PALISADE_HOSTNAME", "unit-test-node", 1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(priority_names_are_falcos),
	    cmocka_unit_test(json_has_falcos_fields),
	    cmocka_unit_test(json_has_palisade_keys),
	    cmocka_unit_test(line_is_compact_with_sorted_keys),
	    cmocka_unit_test(proc_tree_is_bounded_and_bad_utf8_survives),
	    cmocka_unit_test(hostname_from_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
