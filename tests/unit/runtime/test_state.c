/* Runtime state files, status, ids and signal names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"
#include "runtime/container.h"
#include "runtime/state.h"

static char root[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/pal-state-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	char agent[PATH_MAX + 16];
	snprintf(agent, sizeof(agent), "%s/agent", root);
	setenv("PALISADE_STATE_DIR", agent, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	struct pal_err err = {0};
	pal_rm_rf(root, &err);
	unsetenv("PALISADE_STATE_DIR");
	return 0;
}

static void ids_are_validated(void **state)
{
	(void)state;
	struct pal_err err = {0};
	assert_int_equal(rt_id_validate("web-1_a.b+c", &err), 0);
	const char *bad[] = {"", ".", "..", "a/b", "../x", "a b", "a\nb", "ü"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(rt_id_validate(bad[i], &err) < 0);
	char long_id[1100];
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_true(rt_id_validate(long_id, &err) < 0);
}

static void save_load_round_trip_and_duplicates(void **state)
{
	(void)state;
	struct pal_err err = {0};
	assert_int_equal(rt_state_dir_create(root, "c1", &err), 0);
	assert_true(rt_state_dir_create(root, "c1", &err) < 0);
	assert_non_null(strstr(err.msg, "container with id 'c1' already exists"));
	struct rt_state s = {.id = "c1",
			     .pid = getpid(),
			     .bundle = "/b",
			     .rootfs = "/b/rootfs",
			     .created = "2026-01-01T00:00:00Z",
			     .cgroup_id = 42,
			     .has_poststop_hooks = true,
			     .no_new_privs = true};
	char *paths[] = {"/bin", "/usr", NULL};
	s.landlock_exec_paths = paths;
	rt_proc_start_time(s.pid, &s.pid_start, NULL);
	assert_int_equal(rt_state_save(root, &s, &err), 0);
	struct rt_state l;
	assert_int_equal(rt_state_load(root, "c1", &l, &err), 0);
	assert_int_equal(l.pid, getpid());
	assert_int_equal(l.cgroup_id, 42);
	assert_true(l.has_poststop_hooks && l.no_new_privs && !l.has_seccomp);
	assert_string_equal(l.landlock_exec_paths[1], "/usr");
	assert_true(rt_state_init_alive(&l));
	/* No fifo: a live init that has been started. */
	assert_int_equal(rt_state_status(root, &l), RT_STATUS_RUNNING);
	json_t *j = rt_state_to_oci_json(&l, RT_STATUS_RUNNING);
	assert_string_equal(json_string_value(json_object_get(j, "status")), "running");
	assert_string_equal(json_string_value(json_object_get(j, "rootfs")), "/b/rootfs");
	json_decref(j);
	/* Agent record. */
	assert_int_equal(rt_agent_record_write(&l, RT_STATUS_RUNNING, &err), 0);
	char rec[PATH_MAX + 32];
	snprintf(rec, sizeof(rec), "%s/agent/c1.json", root);
	json_t *r = pal_json_load_file(rec, 1 << 20, &err);
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r, "cgroup_id")), 42);
	assert_string_equal(json_string_value(json_object_get(r, "runtime")), "palisade");
	json_decref(r);
	rt_agent_record_remove("c1");
	assert_false(pal_path_exists(rec));
	rt_state_free(&l);
	assert_int_equal(rt_state_remove(root, "c1", &err), 0);
	assert_true(rt_state_load(root, "c1", &l, &err) < 0);
	assert_non_null(strstr(err.msg, "container c1 does not exist"));
}

static void a_reused_pid_reads_as_stopped(void **state)
{
	(void)state;
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	struct rt_state s = {.id = "gone", .pid = child, .pid_start = 1};
	assert_false(rt_state_init_alive(&s));
	assert_int_equal(rt_state_status(root, &s), RT_STATUS_STOPPED);
	struct rt_state me = {.id = "me", .pid = getpid(), .pid_start = 1 /* wrong start */};
	assert_false(rt_state_init_alive(&me));
}

static void corrupt_state_is_refused(void **state)
{
	(void)state;
	struct pal_err err = {0};
	struct rt_state s;
	const char *bad[] = {"",
			     "[]",
			     "{\"id\":\"c1\"}",
			     "{\"id\":\"other\",\"pid\":5}",
			     "{\"id\":\"c1\",\"pid\":-1}",
			     "{\"id\":\"c1\",\"pid\":99999999}",
			     "{\"id\":\"c1\",\"pid\":\"5\"}",
			     "{\"id\":\"c1\",\"pid\":5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_true(rt_state_parse("state.json", "c1", bad[i], strlen(bad[i]), &s, &err) <
			    0);
		rt_state_free(&s);
	}
	const char *ok = "{\"id\":\"c1\",\"pid\":5,\"landlock_exec_paths\":[\"/bin\",\"rel\",3]}";
	assert_int_equal(rt_state_parse("state.json", "c1", ok, strlen(ok), &s, &err), 0);
	assert_string_equal(s.landlock_exec_paths[0], "/bin");
	assert_null(s.landlock_exec_paths[1]); /* relative and non-string entries dropped */
	rt_state_free(&s);
}

static void signal_names_and_numbers(void **state)
{
	(void)state;
	assert_int_equal(rt_parse_signal("KILL"), SIGKILL);
	assert_int_equal(rt_parse_signal("SIGTERM"), SIGTERM);
	assert_int_equal(rt_parse_signal("sigusr1"), SIGUSR1);
	assert_int_equal(rt_parse_signal("9"), 9);
	assert_int_equal(rt_parse_signal("RTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(rt_parse_signal("SIGRTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(rt_parse_signal("0"), -1);
	assert_int_equal(rt_parse_signal("65"), -1);
	assert_int_equal(rt_parse_signal("FOO"), -1);
	assert_int_equal(rt_parse_signal(""), -1);
	assert_int_equal(rt_parse_signal("9x"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ids_are_validated),
	    cmocka_unit_test(save_load_round_trip_and_duplicates),
	    cmocka_unit_test(a_reused_pid_reads_as_stopped),
	    cmocka_unit_test(corrupt_state_is_refused),
	    cmocka_unit_test(signal_names_and_numbers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
