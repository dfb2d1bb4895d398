/* kill_process against real processes: the right one dies, a reused pid (a
 * start time that does not match) is never hit, and the safety rules hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enforce/enforce.h"

static uint64_t ns_per_tick(void)
{
	return 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK);
}

/* A child that sleeps until killed. */
static pid_t spawn_sleeper(void)
{
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0) {
		for (;;)
			pause();
	}
	return p;
}

/* Its start time as the sensor reports it: boot-time ns, somewhere within the tick. */
static uint64_t start_ns_of(pid_t p)
{
	uint64_t ticks = 0;
	assert_int_equal(enf_pid_start_ticks(NULL, (uint32_t)p, &ticks), 0);
	return ticks * ns_per_tick() + 1234567;
}

/* Reaps p; returns the signal that ended it, or -1 if still alive after 2 s. */
static int reap(pid_t p, bool expect_dead)
{
	for (int i = 0; i < 200; i++) {
		int st = 0;
		pid_t r = waitpid(p, &st, WNOHANG);
		if (r == p)
			return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
		if (!expect_dead && i >= 20)
			break;
		usleep(10000);
	}
	return -1;
}

static void cleanup(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

static void start_ticks_parse(void **state)
{
	(void)state;
	uint64_t t = 0;
	assert_int_equal(enf_pid_start_ticks(NULL, (uint32_t)getpid(), &t), 0);
	assert_true(t > 0);
	/* A fake /proc with a name full of parentheses and blanks. */
	char dir[] = "/tmp/pal-enf-proc-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/42", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/42/stat", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("42 (a) b (c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 "
	      "18446744073709551615\n",
	      f);
	fclose(f);
	assert_int_equal(enf_pid_start_ticks(dir, 42, &t), 0);
	assert_int_equal(t, 987654);
	assert_int_equal(enf_pid_start_ticks(dir, 43, &t), -ESRCH);
	unlink(path);
	snprintf(path, sizeof(path), "%s/42", dir);
	rmdir(path);
	rmdir(dir);
}

static void signal_matching_start(void **state)
{
	(void)state;
	pid_t p = spawn_sleeper();
	struct pal_err err = {0};
	assert_int_equal(enf_pid_signal(NULL, (uint32_t)p, start_ns_of(p), SIGKILL, &err), 0);
	assert_int_equal(reap(p, true), SIGKILL);
	/* Gone now: ESRCH, with a message. */
	assert_int_equal(enf_pid_signal(NULL, (uint32_t)p, 1, SIGKILL, &err), -ESRCH);
	assert_non_null(strstr(err.msg, "already exited"));
}

static void pid_identity(void **state)
{
	(void)state;
	pid_t p = spawn_sleeper();
	uint64_t start = start_ns_of(p);
	assert_int_equal(enf_pid_is(NULL, (uint32_t)p, start), 0);
	/* A second earlier: another process that held the same pid. */
	assert_int_equal(enf_pid_is(NULL, (uint32_t)p, start - 1000000000ull), -ESTALE);
	assert_int_equal(enf_pid_is(NULL, (uint32_t)p, 0), -ESTALE);
	kill(p, SIGKILL);
	/* A zombie is not the process any more. */
	for (int i = 0; i < 200 && enf_pid_is(NULL, (uint32_t)p, start) == 0; i++)
		usleep(10000);
	assert_int_equal(enf_pid_is(NULL, (uint32_t)p, start), -ESRCH);
	cleanup(p);
}

static void reused_pid_is_spared(void **state)
{
	(void)state;
	pid_t p = spawn_sleeper();
	struct pal_err err = {0};
	/* The event saw a process that started a second earlier under the same pid. */
	uint64_t stale = start_ns_of(p) - 100 * ns_per_tick();
	assert_int_equal(enf_pid_signal(NULL, (uint32_t)p, stale, SIGKILL, &err), -ESTALE);
	assert_non_null(strstr(err.msg, "another process"));
	assert_int_equal(reap(p, false), -1); /* still alive */
	/* Unknown start time: refused too. */
	assert_int_equal(enf_pid_signal(NULL, (uint32_t)p, 0, SIGKILL, &err), -ESTALE);
	assert_int_equal(reap(p, false), -1);
	cleanup(p);
}

static void zombie_counts_as_exited(void **state)
{
	(void)state;
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	usleep(50000); /* a zombie until reaped */
	uint64_t start = start_ns_of(p);
	struct pal_err err = {0};
	assert_int_equal(enf_pid_signal(NULL, (uint32_t)p, start, SIGKILL, &err), -ESRCH);
	waitpid(p, NULL, 0);
}

static struct enf *make(bool enabled, bool dry_run, bool host)
{
	struct enf_opts o = {.enabled = enabled, .dry_run = dry_run, .host = host};
	return enf_new(&o);
}

static struct enf_target container_target(pid_t p, uint64_t start)
{
	return (struct enf_target){.pid = (uint32_t)p,
				   .start_ns = start,
				   .comm = "sleeper",
				   .container_id = "pal-test-container"};
}

static void action_kills_container_process(void **state)
{
	(void)state;
	pid_t p = spawn_sleeper();
	struct enf *e = make(true, false, false);
	struct enf_target t = container_target(p, start_ns_of(p));
	struct enf_outcome out;
	enf_kill_process(e, &t, &out);
	assert_int_equal(out.result, ENF_OK);
	char want[64];
	snprintf(want, sizeof(want), "SIGKILL to pid %d (sleeper)", p);
	assert_string_equal(out.detail, want);
	assert_int_equal(reap(p, true), SIGKILL);
	/* Again: the process is gone, which is a failure with the reason. */
	enf_kill_process(e, &t, &out);
	assert_int_equal(out.result, ENF_FAILED);
	assert_non_null(strstr(out.detail, "already exited"));
	enf_free(e);
}

static void host_process_needs_host_enforcement(void **state)
{
	(void)state;
	pid_t p = spawn_sleeper();
	uint64_t start = start_ns_of(p);
	struct enf_target t = {.pid = (uint32_t)p,
			       .start_ns = start,
			       .comm = "sleeper",
			       .container_id = "host",
			       .is_host = true};
	struct enf_outcome out;
	struct enf *e = make(true, false, false);
	enf_kill_process(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	assert_non_null(strstr(out.detail, "not in a container"));
	assert_non_null(strstr(out.detail, "enforcement.host"));
	assert_int_equal(reap(p, false), -1);
	/* Container actions never apply to the host, host enforcement or not. */
	enf_kill_container(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	enf_freeze_container(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	enf_free(e);

	e = make(true, false, true);
	enf_kill_container(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	assert_non_null(strstr(out.detail, "not in a container"));
	assert_int_equal(reap(p, false), -1);
	enf_kill_process(e, &t, &out);
	assert_int_equal(out.result, ENF_OK);
	assert_int_equal(reap(p, true), SIGKILL);
	enf_free(e);
}

static void never_pid1_nor_self(void **state)
{
	(void)state;
	struct enf *e = make(true, false, true);
	struct enf_outcome out;
	struct enf_target t = container_target(1, 1);
	enf_kill_process(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	assert_non_null(strstr(out.detail, "pid 1"));
	enf_kill_container(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	t = container_target(getpid(), start_ns_of(getpid()));
	enf_kill_process(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	assert_non_null(strstr(out.detail, "agent itself"));
	enf_freeze_container(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	enf_free(e);
}

static void disabled_and_dry_run(void **state)
{
	(void)state;
	pid_t p = spawn_sleeper();
	struct enf_target t = container_target(p, start_ns_of(p));
	struct enf_outcome out;

	struct enf *e = make(false, false, false);
	enf_kill_process(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	assert_non_null(strstr(out.detail, "disabled"));
	enf_free(e);

	e = make(true, true, false);
	enf_kill_process(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	char want[80];
	snprintf(want, sizeof(want), "dry run: would send SIGKILL to pid %d (sleeper)", p);
	assert_string_equal(out.detail, want);
	/* A dry run checks the start time as the real action would. */
	t.start_ns -= 100 * ns_per_tick();
	enf_kill_process(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	assert_non_null(strstr(out.detail, "another process"));
	enf_free(e);
	assert_int_equal(reap(p, false), -1);
	cleanup(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(start_ticks_parse),
	    cmocka_unit_test(signal_matching_start),
	    cmocka_unit_test(pid_identity),
	    cmocka_unit_test(reused_pid_is_spared),
	    cmocka_unit_test(zombie_counts_as_exited),
	    cmocka_unit_test(action_kills_container_process),
	    cmocka_unit_test(host_process_needs_host_enforcement),
	    cmocka_unit_test(never_pid1_nor_self),
	    cmocka_unit_test(disabled_and_dry_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
