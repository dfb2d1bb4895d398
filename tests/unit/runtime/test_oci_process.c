/* process: user, args/env/cwd, capabilities, rlimits, scheduling, and the
 * `exec --process` file (rt_process_parse). */
#include "test_oci_helpers.h"

#include <linux/capability.h>
#include <sys/resource.h>

static void args_env_cwd(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"process\": {\"args\": [\"/bin/ls\", \"\", \"-l\"], \"env\": [\"A=1\", "
		  "\"B=\", \"C==\"], \"cwd\": \"/home/x/\"}}",
		  &cfg);
	assert_int_equal(pal_strv_len(cfg.process.args), 3);
	assert_int_equal(pal_strv_len(cfg.process.env), 3);
	assert_string_equal(cfg.process.cwd, "/home/x/");
	rt_config_free(&cfg);
	/* No env is an empty list, not NULL. */
	expect_ok(NULL, &cfg);
	assert_non_null(cfg.process.env);
	assert_null(cfg.process.env[0]);
	rt_config_free(&cfg);

	expect_error("{\"process\": {\"args\": []}}",
		     "process.args: required, with at least one entry");
	expect_error("{\"process\": {\"args\": null}}", "process.args: required");
	expect_error("{\"process\": {\"args\": [\"\"]}}",
		     "process.args[0]: the program name must not be empty");
	expect_error("{\"process\": {\"args\": [\"sh\", 3]}}", "process.args[1]: must be a string");
	expect_error("{\"process\": {\"args\": \"sh\"}}", "process.args: must be an array");
	expect_error("{\"process\": {\"env\": [\"A=1\", \"NOEQUALS\"]}}",
		     "process.env[1] \"NOEQUALS\": must have the form NAME=value");
	expect_error("{\"process\": {\"env\": [\"=value\"]}}", "process.env[0] \"=value\"");
	/* Control characters from the document never reach the message as such. */
	expect_error("{\"process\": {\"env\": [\"EVIL\\n\\u001b[2JLINE\"]}}",
		     "process.env[0] \"EVIL??[2JLINE\": must have the form NAME=value");
	expect_error("{\"process\": {\"cwd\": \"relative/dir\"}}",
		     "process.cwd \"relative/dir\": must be an absolute path");
	expect_error("{\"process\": {\"cwd\": \"\"}}",
		     "process.cwd \"\": must be an absolute path");
	expect_error("{\"process\": {\"cwd\": null}}", "process.cwd: required");
}

static void user_and_console(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"process\": {\"terminal\": true, \"consoleSize\": {\"height\": 0, \"width\": "
		  "65535}, \"user\": {\"uid\": 4294967295, \"gid\": 7, \"umask\": 511, "
		  "\"additionalGids\": []}}}",
		  &cfg);
	assert_true(cfg.process.terminal);
	assert_true(cfg.process.console_size.present);
	assert_int_equal(cfg.process.console_size.width, 65535);
	assert_int_equal(cfg.process.user.uid, 4294967295u);
	assert_int_equal(cfg.process.user.umask, 0777);
	assert_int_equal(cfg.process.user.n_additional_gids, 0);
	rt_config_free(&cfg);

	expect_error("{\"process\": {\"user\": null}}", "process.user: required");
	expect_error("{\"process\": {\"user\": {\"uid\": null}}}", "process.user.uid: required");
	expect_error("{\"process\": {\"user\": {\"gid\": null}}}", "process.user.gid: required");
	expect_error("{\"process\": {\"user\": {\"uid\": -1, \"gid\": 0}}}",
		     "process.user.uid: must be an integer between 0 and 4294967295");
	expect_error("{\"process\": {\"user\": {\"uid\": 4294967296, \"gid\": 0}}}",
		     "process.user.uid: must be an integer between 0 and 4294967295");
	expect_error("{\"process\": {\"user\": {\"uid\": 0, \"gid\": \"0\"}}}",
		     "process.user.gid: must be an integer");
	expect_error("{\"process\": {\"user\": {\"uid\": 0, \"gid\": 0, \"umask\": 512}}}",
		     "process.user.umask: must be an integer between 0 and 511");
	expect_error("{\"process\": {\"user\": {\"uid\": 0, \"gid\": 0, \"additionalGids\": [1, "
		     "-2]}}}",
		     "process.user.additionalGids[1]: must be an integer");
	expect_error("{\"process\": {\"consoleSize\": {\"height\": 25}}}",
		     "process.consoleSize.width: required");
	expect_error("{\"process\": {\"consoleSize\": {\"height\": 25, \"width\": 70000}}}",
		     "process.consoleSize.width: must be an integer between 0 and 65535");
	expect_error("{\"process\": {\"terminal\": 1}}", "process.terminal: must be true or false");
}

static void capabilities(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_SYS_ADMIN\", "
		  "\"CAP_CHOWN\", \"CAP_CHOWN\"], \"ambient\": [], \"effective\": "
		  "[\"CAP_CHECKPOINT_RESTORE\"]}}}",
		  &cfg);
	assert_true(cfg.process.caps.present);
	assert_int_equal(cfg.process.caps.bounding, (1ull << CAP_SYS_ADMIN) | (1ull << CAP_CHOWN));
	assert_int_equal(cfg.process.caps.effective, 1ull << CAP_CHECKPOINT_RESTORE);
	assert_int_equal(cfg.process.caps.ambient, 0);
	assert_int_equal(cfg.process.caps.permitted, 0);
	rt_config_free(&cfg);
	expect_ok(NULL, &cfg);
	assert_false(cfg.process.caps.present);
	rt_config_free(&cfg);

	expect_error("{\"process\": {\"capabilities\": {\"permitted\": [\"CAP_KILL\", "
		     "\"CAP_FOO\"]}}}",
		     "process.capabilities.permitted[1] \"CAP_FOO\": unknown capability");
	expect_error("{\"process\": {\"capabilities\": {\"bounding\": [\"SYS_ADMIN\"]}}}",
		     "process.capabilities.bounding[0] \"SYS_ADMIN\": unknown capability (names "
		     "take the CAP_ prefix: \"CAP_SYS_ADMIN\")");
	expect_error("{\"process\": {\"capabilities\": {\"ambient\": [\"cap_kill\"]}}}",
		     "process.capabilities.ambient[0] \"cap_kill\": unknown capability");
	expect_error("{\"process\": {\"capabilities\": {\"effective\": [\"\"]}}}",
		     "process.capabilities.effective[0] \"\": unknown capability");
	expect_error("{\"process\": {\"capabilities\": {\"inheritable\": \"CAP_KILL\"}}}",
		     "process.capabilities.inheritable: must be an array");
	expect_error("{\"process\": {\"capabilities\": [\"CAP_KILL\"]}}",
		     "process.capabilities: must be an object");
}

static void cap_names(void **state)
{
	(void)state;
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		const char *name = rt_cap_name(c);
		assert_non_null(name);
		assert_true(strncmp(name, "CAP_", 4) == 0);
		assert_int_equal(rt_cap_from_name(name), c);
	}
	assert_null(rt_cap_name(-1));
	assert_null(rt_cap_name(CAP_LAST_CAP + 1));
	assert_int_equal(rt_cap_from_name("CAP_NET_RAW"), CAP_NET_RAW);
	assert_int_equal(rt_cap_from_name("NET_RAW"), -1);
	assert_int_equal(rt_cap_from_name(NULL), -1);

	/* The kernel's own view, read independently. */
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	assert_non_null(f);
	int last = -1;
	assert_int_equal(fscanf(f, "%d", &last), 1);
	fclose(f);
	assert_int_equal(rt_cap_last(), last);
}

static void rlimits(void **state)
{
	(void)state;
	struct rt_config cfg;
	static const struct {
		const char *name;
		int resource;
	} all[] = {
	    {"RLIMIT_CPU", RLIMIT_CPU},		  {"RLIMIT_FSIZE", RLIMIT_FSIZE},
	    {"RLIMIT_DATA", RLIMIT_DATA},	  {"RLIMIT_STACK", RLIMIT_STACK},
	    {"RLIMIT_CORE", RLIMIT_CORE},	  {"RLIMIT_RSS", RLIMIT_RSS},
	    {"RLIMIT_NPROC", RLIMIT_NPROC},	  {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},	  {"RLIMIT_AS", RLIMIT_AS},
	    {"RLIMIT_LOCKS", RLIMIT_LOCKS},	  {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
	    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},	  {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		char patch[256];
		snprintf(patch, sizeof(patch),
			 "{\"process\": {\"rlimits\": [{\"type\": \"%s\", \"soft\": %zu, \"hard\": "
			 "%zu}]}}",
			 all[i].name, i, i + 1);
		expect_ok(patch, &cfg);
		assert_int_equal(cfg.process.rlimits[0].resource, all[i].resource);
		assert_int_equal(cfg.process.rlimits[0].soft, i);
		assert_int_equal(cfg.process.rlimits[0].hard, i + 1);
		rt_config_free(&cfg);
	}
	expect_error("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2048, "
		     "\"hard\": 1024}]}}",
		     "process.rlimits[0]: soft limit 2048 is above the hard limit 1024");
	expect_error(
	    "{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, "
	    "\"hard\": 1}, {\"type\": \"RLIMIT_AS\", \"soft\": 1, \"hard\": 1}, {\"type\": "
	    "\"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 2}]}}",
	    "process.rlimits[2]: duplicate RLIMIT_NOFILE (also in process.rlimits[0])");
	expect_error("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"soft\": 1, "
		     "\"hard\": 1}]}}",
		     "process.rlimits[0].type \"RLIMIT_FOO\": unknown resource");
	expect_error("{\"process\": {\"rlimits\": [{\"type\": \"NOFILE\", \"soft\": 1, \"hard\": "
		     "1}]}}",
		     "process.rlimits[0].type \"NOFILE\"");
	expect_error("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1}]}}",
		     "process.rlimits[0].hard: required");
	expect_error("{\"process\": {\"rlimits\": [{\"soft\": 1, \"hard\": 1}]}}",
		     "process.rlimits[0].type: required");
	expect_error("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1.5, "
		     "\"hard\": 2}]}}",
		     "process.rlimits[0].soft: must be an integer");
}

static void misc_process_fields(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"process\": {\"noNewPrivileges\": true, \"oomScoreAdj\": 1000}}", &cfg);
	assert_true(cfg.process.no_new_privileges);
	assert_true(cfg.process.has_oom_score_adj);
	assert_int_equal(cfg.process.oom_score_adj, 1000);
	rt_config_free(&cfg);
	expect_ok("{\"process\": {\"oomScoreAdj\": -1000}}", &cfg);
	assert_int_equal(cfg.process.oom_score_adj, -1000);
	rt_config_free(&cfg);
	expect_error("{\"process\": {\"oomScoreAdj\": 1001}}",
		     "process.oomScoreAdj: must be an integer between -1000 and 1000");
	expect_error("{\"process\": {\"oomScoreAdj\": -1001}}", "process.oomScoreAdj");
	expect_error("{\"process\": {\"noNewPrivileges\": \"true\"}}",
		     "process.noNewPrivileges: must be true or false");
}

static void scheduler(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_BATCH\", \"nice\": -20}}}",
		  &cfg);
	assert_true(cfg.process.has_scheduler);
	assert_int_equal(cfg.process.scheduler.policy, 3);
	assert_int_equal(cfg.process.scheduler.nice, -20);
	rt_config_free(&cfg);
	expect_ok("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_DEADLINE\", \"runtime\": "
		  "10000000, \"deadline\": 20000000, \"period\": 30000000, \"flags\": "
		  "[\"SCHED_FLAG_RECLAIM\", \"SCHED_FLAG_DL_OVERRUN\", \"SCHED_FLAG_KEEP_POLICY\", "
		  "\"SCHED_FLAG_KEEP_PARAMS\", \"SCHED_FLAG_UTIL_CLAMP_MIN\"]}}}",
		  &cfg);
	assert_int_equal(cfg.process.scheduler.policy, 6);
	assert_int_equal(cfg.process.scheduler.flags, 0x02 | 0x04 | 0x08 | 0x10 | 0x20);
	assert_int_equal(cfg.process.scheduler.period, 30000000);
	rt_config_free(&cfg);
	expect_ok("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_RR\", \"priority\": 99}}}",
		  &cfg);
	assert_int_equal(cfg.process.scheduler.policy, 2);
	rt_config_free(&cfg);
	expect_ok("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_IDLE\"}}}", &cfg);
	assert_int_equal(cfg.process.scheduler.policy, 5);
	rt_config_free(&cfg);
	expect_ok("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_OTHER\", \"nice\": 19}}}",
		  &cfg);
	assert_int_equal(cfg.process.scheduler.policy, 0);
	rt_config_free(&cfg);

	expect_error("{\"process\": {\"scheduler\": {\"nice\": 1}}}",
		     "process.scheduler.policy: required");
	expect_error("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_ISO\"}}}",
		     "process.scheduler.policy \"SCHED_ISO\": not implemented by Linux");
	expect_error("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_FAST\"}}}",
		     "process.scheduler.policy \"SCHED_FAST\": unknown policy");
	expect_error("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_OTHER\", \"nice\": 20}}}",
		     "process.scheduler.nice: must be an integer between -20 and 19");
	expect_error("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_FIFO\"}}}",
		     "process.scheduler.priority: must be between 1 and 99");
	expect_error("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_RR\", \"priority\": "
		     "100}}}",
		     "process.scheduler.priority: must be between 1 and 99");
	expect_error("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_OTHER\", \"priority\": "
		     "5}}}",
		     "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a priority");
	expect_error(
	    "{\"process\": {\"scheduler\": {\"policy\": \"SCHED_BATCH\", \"runtime\": "
	    "5}}}",
	    "process.scheduler: runtime, deadline and period apply only to SCHED_DEADLINE");
	expect_error("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_DEADLINE\", \"runtime\": "
		     "50, \"deadline\": 10}}}",
		     "process.scheduler: SCHED_DEADLINE needs 0 < runtime <= deadline <= period");
	expect_error("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_DEADLINE\", \"runtime\": "
		     "5, \"deadline\": 10, \"period\": 8}}}",
		     "SCHED_DEADLINE needs");
	expect_error("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_DEADLINE\"}}}",
		     "SCHED_DEADLINE needs");
	expect_error("{\"process\": {\"scheduler\": {\"policy\": \"SCHED_OTHER\", \"flags\": "
		     "[\"SCHED_FLAG_FAST\"]}}}",
		     "process.scheduler.flags[0] \"SCHED_FLAG_FAST\": unknown scheduler flag");
}

static void io_priority_and_affinity(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"process\": {\"ioPriority\": {\"class\": \"IOPRIO_CLASS_RT\", \"priority\": "
		  "0}, \"execCPUAffinity\": {\"final\": \"0,1-1, 5 - 9\"}}}",
		  &cfg);
	assert_true(cfg.process.has_io_priority);
	assert_int_equal(cfg.process.io_priority.class_, 1);
	assert_null(cfg.process.exec_cpu_affinity_initial);
	assert_string_equal(cfg.process.exec_cpu_affinity_final, "0,1-1, 5 - 9");
	rt_config_free(&cfg);
	expect_ok("{\"process\": {\"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": "
		  "7}, \"execCPUAffinity\": {\"initial\": \"\"}}}",
		  &cfg);
	assert_int_equal(cfg.process.io_priority.class_, 2);
	assert_int_equal(cfg.process.io_priority.priority, 7);
	rt_config_free(&cfg);
	expect_error("{\"process\": {\"ioPriority\": {\"priority\": 1}}}",
		     "process.ioPriority.class: required");
	expect_error("{\"process\": {\"ioPriority\": {\"class\": \"IOPRIO_CLASS_NONE\"}}}",
		     "process.ioPriority.class \"IOPRIO_CLASS_NONE\": unknown class");
	expect_error("{\"process\": {\"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", "
		     "\"priority\": 8}}}",
		     "process.ioPriority.priority: must be an integer between 0 and 7");
	expect_error("{\"process\": {\"execCPUAffinity\": {\"initial\": \"3-1\"}}}",
		     "process.execCPUAffinity.initial \"3-1\": must be a CPU list");
	expect_error("{\"process\": {\"execCPUAffinity\": {\"final\": \"a\"}}}",
		     "process.execCPUAffinity.final \"a\"");
	expect_error("{\"process\": {\"execCPUAffinity\": {\"final\": \"1,,2\"}}}",
		     "process.execCPUAffinity.final");
	expect_error("{\"process\": {\"execCPUAffinity\": {\"final\": \"1-\"}}}",
		     "process.execCPUAffinity.final");
}

/* What podman 4 (through conmon) hands `exec --process`. */
static const char podman_exec_process[] =
    "{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"ls\",\"-la\"],"
    "\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
    "\"TERM=xterm\",\"container=podman\",\"HOSTNAME=477c05e2c164\"],\"cwd\":\"/\","
    "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"],\"effective\":[\"CAP_CHOWN\","
    "\"CAP_KILL\"],\"permitted\":[\"CAP_CHOWN\",\"CAP_KILL\"]},\"apparmorProfile\":\"\","
    "\"selinuxLabel\":\"\",\"noNewPrivileges\":false,\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
    "\"hard\":1024,\"soft\":1024}]}";

static void process_file(void **state)
{
	(void)state;
	struct rt_process p;
	struct pal_err err = {0};
	int r = rt_process_parse(podman_exec_process, strlen(podman_exec_process), "process.json",
				 &p, &err);
	if (r)
		fail_msg("%s", err.msg);
	assert_string_equal(p.args[1], "-la");
	assert_int_equal(pal_strv_len(p.env), 4);
	assert_int_equal(p.caps.bounding, (1ull << CAP_CHOWN) | (1ull << CAP_KILL));
	assert_int_equal(p.n_rlimits, 1);
	assert_false(p.terminal);
	rt_process_free(&p);
	static const struct rt_process zero;
	assert_memory_equal(&p, &zero, sizeof(zero));
	rt_process_free(&p);

	/* Same rules, paths relative to the file's top level, file named. */
	static const struct {
		const char *text, *needle;
	} bad[] = {
	    {"{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"ls\"]}", "/tmp/p.json: cwd: required"},
	    {"{\"user\":{\"uid\":0,\"gid\":0},\"args\":[],\"cwd\":\"/\"}",
	     "/tmp/p.json: args: required, with at least one entry"},
	    {"{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"ls\"],\"cwd\":\"/\","
	     "\"capabilities\":{\"bounding\":[\"CAP_NOPE\"]}}",
	     "capabilities.bounding[0] \"CAP_NOPE\": unknown capability"},
	    {"{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"ls\"],\"cwd\":\"/\","
	     "\"env\":[\"X\"]}",
	     "/tmp/p.json: env[0] \"X\""},
	    {"{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"ls\"],\"cwd\":\"/\","
	     "\"apparmorProfile\":\"unconfined\"}",
	     "apparmorProfile \"unconfined\": not supported"},
	    {"{\"args\":[\"ls\"],\"cwd\":\"/\"}", "/tmp/p.json: user: required"},
	    {"{\"user\":", "/tmp/p.json:1:"},
	    {"[1]", "/tmp/p.json: the document must be a JSON object"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pal_err_clear(&err);
		r = rt_process_parse(bad[i].text, strlen(bad[i].text), "/tmp/p.json", &p, &err);
		assert_true(r < 0);
		if (!strstr(err.msg, bad[i].needle))
			fail_msg("\"%s\" lacks \"%s\"", err.msg, bad[i].needle);
		assert_memory_equal(&p, &zero, sizeof(zero));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(args_env_cwd), cmocka_unit_test(user_and_console),
	    cmocka_unit_test(capabilities), cmocka_unit_test(cap_names),
	    cmocka_unit_test(rlimits),	    cmocka_unit_test(misc_process_fields),
	    cmocka_unit_test(scheduler),    cmocka_unit_test(io_priority_and_affinity),
	    cmocka_unit_test(process_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
