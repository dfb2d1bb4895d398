/* proc.env on demand: /proc/<pid>/environ of the event's process, or of its
 * closest living ancestor in the same cgroup, with the start-time check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/environ.h"

static char root[] = "/tmp/pal-environ-XXXXXX";

static uint64_t ns_per_tick(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 ? 1000000000ull / (uint64_t)hz : 10000000ull;
}

/* A fake /proc/<pid> with its stat (start tick) and environ. */
static void fake_proc(unsigned pid, unsigned long long start_tick, const char *env, size_t len)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%u", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%u/stat", root, pid);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%u (sh) S 1 %u %u 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 %llu 1000 10\n", pid,
		pid, pid, start_tick);
	fclose(f);
	snprintf(path, sizeof(path), "%s/%u/environ", root, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(env, 1, len, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(root))
		return -1;
	static const char parent_env[] = "KUBERNETES_SERVICE_HOST=10.96.0.1\0HOME=/\0";
	fake_proc(42, 5000, parent_env, sizeof(parent_env) - 1);
	static const char own_env[] = "HOME=/srv\0";
	fake_proc(50, 7000, own_env, sizeof(own_env) - 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *get(const char *const *env, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; env && env[i]; i++)
		if (!strncmp(env[i], name, n) && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

static void own_ancestor_and_reused(void **state)
{
	(void)state;
	struct agt_environ *e = agt_environ_new(root);
	struct pal_proc parent = {.pid = 42, .start_ns = 5000 * ns_per_tick() + 17, .cgroup_id = 9};
	struct pal_proc child = {
	    .pid = 43, .start_ns = 6000 * ns_per_tick(), .cgroup_id = 9, .parent = &parent};
	struct pal_event ev = {.ts_ns = 1, .proc = &child};
	/* The child is gone: its parent's environment, which it inherited. */
	const char *const *env = agt_environ_lookup(e, &ev);
	assert_non_null(env);
	assert_string_equal(get(env, "KUBERNETES_SERVICE_HOST"), "10.96.0.1");
	/* Its own, when it is there. */
	struct pal_proc own = {.pid = 50, .start_ns = 7000 * ns_per_tick(), .cgroup_id = 9};
	ev.proc = &own;
	ev.ts_ns = 2;
	env = agt_environ_lookup(e, &ev);
	assert_string_equal(get(env, "HOME"), "/srv");
	assert_null(get(env, "KUBERNETES_SERVICE_HOST"));
	/* pid 50 now names a process that started later: not this one's. */
	own.start_ns = 6999 * ns_per_tick();
	ev.ts_ns = 3;
	assert_null(agt_environ_lookup(e, &ev));
	/* An ancestor in another cgroup (the container engine) is not asked. */
	parent.cgroup_id = 1;
	ev.proc = &child;
	ev.ts_ns = 4;
	assert_null(agt_environ_lookup(e, &ev));
	agt_environ_free(e);
}

static void oversized_environment(void **state)
{
	(void)state;
	size_t len = AGT_ENVIRON_MAX + 100;
	char *big = malloc(len);
	assert_non_null(big);
	memcpy(big, "FIRST=1", 8); /* with its NUL */
	memset(big + 8, 'x', len - 8);
	fake_proc(60, 8000, big, len);
	free(big);
	struct agt_environ *e = agt_environ_new(root);
	struct pal_proc p = {.pid = 60, .start_ns = 8000 * ns_per_tick()};
	struct pal_event ev = {.ts_ns = 1, .proc = &p};
	const char *const *env = agt_environ_lookup(e, &ev);
	/* The variable cut at the limit is dropped, not passed on half. */
	assert_non_null(env);
	assert_string_equal(env[0], "FIRST=1");
	assert_null(env[1]);
	agt_environ_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(own_ancestor_and_reused),
	    cmocka_unit_test(oversized_environment),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
