/* The agent's pipeline on synthetic events: the alert built from an event and
 * a match (every key), flood control with suppressed counts, actions carried
 * out on a real process and recorded (also when the alert is suppressed),
 * silent rules, the sensor's event set, and the audit log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/agent_metrics.h"
#include "agent/pipeline.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "output/metrics.h"

static const char rules_yaml[] =
    "- rule: Test Shell\n"
    "  desc: t\n"
    "  condition: evt.type = execve and proc.name = sh and container.id != host\n"
    "  output: >\n"
    "    shell %proc.name in %container.name (id=%container.id cmd=\"%proc.cmdline\"\n"
    "    parent=%proc.pname)\n"
    "  priority: warning\n"
    "  tags: [zeta, alpha, alpha, T1059]\n"
    "- rule: Test Kill\n"
    "  desc: t\n"
    "  condition: evt.type = execve and proc.name = victim\n"
    "  output: victim %proc.pid\n"
    "  priority: critical\n"
    "  actions: [alert, kill_process]\n"
    "- rule: Test Container Actions\n"
    "  desc: t\n"
    "  condition: evt.type = execve and proc.name = hostcmd\n"
    "  output: container actions on %container.id\n"
    "  priority: error\n"
    "  actions: [kill_container, freeze_container]\n"
    "- rule: Silent\n"
    "  desc: t\n"
    "  condition: evt.type = execve and proc.name = quiet\n"
    "  output: never printed\n"
    "  priority: notice\n"
    "  actions: []\n"
    "- rule: Module\n"
    "  desc: t\n"
    "  condition: evt.type in (init_module, finit_module) and container.id != host\n"
    "  output: module load res=%evt.res type=%evt.type\n"
    "  priority: critical\n";

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct world {
	struct pal_proc procs[8];
	char cmdlines[8][64];
	struct pal_container ctr, host;
	struct eng_ruleset *rs;
	char dir[64];
	char alerts[128];
	char audit_path[128];
	struct out_outputs *outs;
	struct out_ratelimit *rl;
	struct out_audit *audit;
	struct enf *enf;
	struct out_metrics *reg;
	struct agt_metrics *metrics;
	struct agt_counters counters;
	struct agt_pipeline *pipe;
};

static uint64_t fake_now;
static uint64_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static struct world W;

static void make_procs(void)
{
	static const char *names[] = {"sh",	 "nginx", "nginx",   "conmon",
				      "systemd", "init",  "swapper", "x"};
	for (int i = 0; i < 8; i++) {
		struct pal_proc *p = &W.procs[i];
		memset(p, 0, sizeof(*p));
		p->pid = 1000 + (uint32_t)i;
		p->ppid = 1001 + (uint32_t)i;
		snprintf(p->comm, sizeof(p->comm), "%s", names[i]);
		snprintf(W.cmdlines[i], sizeof(W.cmdlines[i]), "%s -arg%d", names[i], i);
		p->cmdline = W.cmdlines[i];
		p->parent = i < 7 ? &W.procs[i + 1] : NULL;
	}
}

static int setup(void **state)
{
	(void)state;
	memset(&W, 0, sizeof(W));
	make_procs();
	W.ctr = (struct pal_container){.id = CID,
				       .name = "web",
				       .image = "localhost/bb:latest",
				       .image_repository = "localhost/bb",
				       .image_tag = "latest",
				       .runtime = "podman"};
	W.host = (struct pal_container){.id = "host", .name = "host", .is_host = true};

	struct pal_err err = {0};
	struct eng_loader *l = eng_loader_new(NULL);
	eng_loader_add_buffer(l, "test-rules.yaml", rules_yaml, strlen(rules_yaml));
	if (eng_loader_finish(l, &W.rs, &err) < 0)
		fail_msg("rules: %s", err.msg);
	eng_loader_free(l);

	snprintf(W.dir, sizeof(W.dir), "/tmp/pal-agent-pipe-XXXXXX");
	assert_non_null(mkdtemp(W.dir));
	snprintf(W.alerts, sizeof(W.alerts), "%s/alerts.jsonl", W.dir);
	snprintf(W.audit_path, sizeof(W.audit_path), "%s/audit.log", W.dir);
	W.outs = out_outputs_new("test-node");
	struct out_sink_opts so = {0};
	struct out_sink *s = out_sink_file_new(W.alerts, &so, &err);
	if (!s)
		fail_msg("%s", err.msg);
	out_outputs_add(W.outs, s);
	fake_now = 1000000000000ull;
	struct out_ratelimit_opts ro = {.rate = 1.0, .burst = 2.0, .clock = fake_clock};
	W.rl = out_ratelimit_new(&ro);
	struct out_audit_opts ao = {.path = W.audit_path, .sync = OUT_AUDIT_SYNC_NONE};
	if (out_audit_open(&ao, &W.audit, &err) < 0)
		fail_msg("%s", err.msg);
	struct enf_opts eo = {.enabled = true};
	W.enf = enf_new(&eo);
	W.reg = out_metrics_new();
	W.metrics = agt_metrics_new(W.reg, &W.counters);
	struct agt_pipeline_opts po = {.outputs = W.outs,
				       .ratelimit = W.rl,
				       .enforcer = W.enf,
				       .audit = W.audit,
				       .metrics = W.metrics,
				       .counters = &W.counters,
				       .hostname = NULL};
	W.pipe = agt_pipeline_new(&po);
	agt_pipeline_set_ruleset(W.pipe, W.rs);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	agt_pipeline_free(W.pipe);
	agt_metrics_free(W.metrics);
	out_metrics_free(W.reg);
	out_outputs_close(W.outs, 2000, NULL);
	out_ratelimit_free(W.rl);
	out_audit_close(W.audit);
	enf_free(W.enf);
	eng_ruleset_free(W.rs);
	struct pal_err err = {0};
	pal_rm_rf(W.dir, &err);
	return 0;
}

static struct pal_event exec_event(const char *comm, const struct pal_container *c)
{
	snprintf(W.procs[0].comm, sizeof(W.procs[0].comm), "%s", comm);
	snprintf(W.cmdlines[0], sizeof(W.cmdlines[0]), "%s -c id", comm);
	return (struct pal_event){.ts_ns = 1700000000123456789ull,
				  .type = PAL_EVT_EXECVE,
				  .proc = &W.procs[0],
				  .container = c,
				  .fd = -1};
}

/* The alert lines written so far, as JSON. */
static json_t *read_alerts(void)
{
	assert_int_equal(out_outputs_flush(W.outs, 3000), 0);
	json_t *arr = json_array();
	FILE *f = fopen(W.alerts, "r");
	if (!f)
		return arr;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		json_error_t je;
		json_t *j = json_loads(line, 0, &je);
		if (!j)
			fail_msg("not JSON: %s (%s)", line, je.text);
		json_array_append_new(arr, j);
	}
	free(line);
	fclose(f);
	return arr;
}

static const char *sget(json_t *o, const char *path)
{
	json_t *cur = o;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save = NULL, *k = strtok_r(buf, "/", &save); k; k = strtok_r(NULL, "/", &save))
		cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(k))
					 : json_object_get(cur, k);
	if (json_is_string(cur))
		return json_string_value(cur);
	return NULL;
}

static json_int_t iget(json_t *o, const char *path)
{
	json_t *cur = o;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save = NULL, *k = strtok_r(buf, "/", &save); k; k = strtok_r(NULL, "/", &save))
		cur = json_is_array(cur) ? json_array_get(cur, (size_t)atoi(k))
					 : json_object_get(cur, k);
	if (!json_is_integer(cur))
		fail_msg("%s is not an integer", path);
	return json_integer_value(cur);
}

/* ---- the alert of a match ------------------------------------------------------ */

static void on_match_build(const struct eng_match *m, void *ud)
{
	struct out_alert *a = ud;
	agt_alert_build(a, m, "node-x");
}

static void alert_from_match(void **state)
{
	(void)state;
	struct pal_event ev = exec_event("sh", &W.ctr);
	struct out_alert a;
	out_alert_init(&a);
	assert_int_equal(eng_eval(W.rs, &ev, on_match_build, &a), 1);
	json_t *j = out_alert_to_json(&a, NULL);
	assert_string_equal(sget(j, "rule"), "Test Shell");
	assert_string_equal(sget(j, "priority"), "Warning");
	assert_string_equal(sget(j, "time"), "2023-11-14T22:13:20.123456789Z");
	assert_string_equal(sget(j, "source"), "syscall");
	assert_string_equal(sget(j, "hostname"), "node-x");
	const char *out = sget(j, "output");
	const char *want = ": Warning shell sh in web (id=" CID " cmd=\"sh -c id\" parent=nginx)";
	assert_non_null(strstr(out, want));
	assert_string_equal(strstr(out, want), want); /* no trailing newline */
	assert_string_equal(sget(j, "output_fields/proc.name"), "sh");
	assert_string_equal(sget(j, "output_fields/container.id"), CID);
	assert_string_equal(sget(j, "output_fields/proc.cmdline"), "sh -c id");
	assert_int_equal(iget(j, "output_fields/evt.time"), 1700000000123456789ll);
	json_t *tags = json_object_get(j, "tags");
	assert_int_equal(json_array_size(tags), 3);
	assert_string_equal(sget(j, "tags/0"), "T1059");
	assert_string_equal(sget(j, "tags/1"), "alpha");
	assert_string_equal(sget(j, "tags/2"), "zeta");
	assert_string_equal(sget(j, "container/id"), CID);
	assert_string_equal(sget(j, "container/name"), "web");
	assert_string_equal(sget(j, "container/image"), "localhost/bb:latest");
	/* the process and five ancestors, no more */
	json_t *tree = json_object_get(j, "process_tree");
	assert_int_equal(json_array_size(tree), 6);
	assert_int_equal(iget(j, "process_tree/0/pid"), 1000);
	assert_string_equal(sget(j, "process_tree/0/name"), "sh");
	assert_string_equal(sget(j, "process_tree/0/cmdline"), "sh -c id");
	assert_int_equal(iget(j, "process_tree/5/pid"), 1005);
	assert_string_equal(sget(j, "process_tree/5/name"), "init");
	assert_int_equal(json_array_size(json_object_get(j, "action")), 0);
	assert_int_equal(iget(j, "suppressed"), 0);
	json_decref(j);
	out_alert_clear(&a);

	/* On the host: container "host", no image. */
	ev = exec_event("victim", &W.host);
	out_alert_init(&a);
	assert_int_equal(eng_eval(W.rs, &ev, on_match_build, &a), 1);
	j = out_alert_to_json(&a, NULL);
	assert_string_equal(sget(j, "container/id"), "host");
	assert_string_equal(sget(j, "container/name"), "host");
	assert_string_equal(sget(j, "container/image"), "");
	json_decref(j);
	out_alert_clear(&a);
}

/* ---- flood control --------------------------------------------------------------- */

static void flood_control(void **state)
{
	(void)state;
	struct pal_event ev = exec_event("sh", &W.ctr);
	for (int i = 0; i < 10; i++)
		assert_int_equal(agt_pipeline_event(W.pipe, &ev), 1);
	/* Another container has its own bucket. */
	struct pal_container other = W.ctr;
	other.id = "another-container";
	ev.container = &other;
	assert_int_equal(agt_pipeline_event(W.pipe, &ev), 1);
	/* A second later, one more token: the next alert carries the count. */
	fake_now += 1000000000ull;
	ev.container = &W.ctr;
	agt_pipeline_event(W.pipe, &ev);

	json_t *al = read_alerts();
	assert_int_equal(json_array_size(al), 4);
	assert_int_equal(iget(al, "0/suppressed"), 0);
	assert_int_equal(iget(al, "1/suppressed"), 0);
	assert_string_equal(sget(al, "2/container/id"), "another-container");
	assert_int_equal(iget(al, "2/suppressed"), 0);
	assert_string_equal(sget(al, "3/container/id"), CID);
	assert_int_equal(iget(al, "3/suppressed"), 8);
	json_decref(al);
	assert_int_equal(agt_read(&W.counters.events), 12);
	assert_int_equal(agt_read(&W.counters.matches), 12);
	assert_int_equal(agt_read(&W.counters.alerts), 4);
	assert_int_equal(agt_read(&W.counters.suppressed), 8);

	char *text = out_metrics_render(W.reg);
	assert_non_null(strstr(text, "palisade_agent_rule_matches_total{rule=\"Test Shell\"} 12"));
	assert_non_null(strstr(text, "palisade_agent_alerts_total{priority=\"Warning\"} 4"));
	assert_non_null(strstr(text, "palisade_agent_alerts_suppressed_total 8"));
	assert_non_null(strstr(text, "palisade_agent_events_total 12"));
	free(text);
}

/* ---- actions ------------------------------------------------------------------------- */

static pid_t spawn_victim(uint64_t *start_ns)
{
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0)
		for (;;)
			pause();
	uint64_t ticks = 0;
	assert_int_equal(enf_pid_start_ticks(NULL, (uint32_t)p, &ticks), 0);
	*start_ns = ticks * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK)) + 42;
	return p;
}

static bool killed(pid_t p)
{
	for (int i = 0; i < 300; i++) {
		int st;
		if (waitpid(p, &st, WNOHANG) == p)
			return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
		usleep(10000);
	}
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
	return false;
}

static void actions_recorded(void **state)
{
	(void)state;
	uint64_t start;
	pid_t v1 = spawn_victim(&start);
	struct pal_event ev = exec_event("victim", &W.ctr);
	W.procs[0].pid = (uint32_t)v1;
	W.procs[0].start_ns = start;
	assert_int_equal(agt_pipeline_event(W.pipe, &ev), 1);
	assert_true(killed(v1));

	/* Two more alerts exhaust the burst; the fourth is suppressed, yet its
	 * process is killed all the same and the audit log says so. */
	pid_t others[3];
	for (int i = 0; i < 3; i++) {
		others[i] = spawn_victim(&start);
		W.procs[0].pid = (uint32_t)others[i];
		W.procs[0].start_ns = start;
		agt_pipeline_event(W.pipe, &ev);
		assert_true(killed(others[i]));
	}

	/* On the host, without host enforcement: recorded as skipped, nothing killed. */
	pid_t h = spawn_victim(&start);
	ev.container = &W.host;
	W.procs[0].pid = (uint32_t)h;
	W.procs[0].start_ns = start;
	agt_pipeline_event(W.pipe, &ev);
	assert_false(waitpid(h, NULL, WNOHANG) == h);
	kill(h, SIGKILL);
	waitpid(h, NULL, 0);

	/* Container actions on the host: skipped, with the reason, both of them. */
	ev = exec_event("hostcmd", &W.host);
	agt_pipeline_event(W.pipe, &ev);

	json_t *al = read_alerts();
	assert_int_equal(json_array_size(al), 4);
	char want[64];
	snprintf(want, sizeof(want), "SIGKILL to pid %d (victim)", v1);
	assert_string_equal(sget(al, "0/rule"), "Test Kill");
	assert_string_equal(sget(al, "0/priority"), "Critical");
	assert_string_equal(sget(al, "0/action/0/name"), "kill_process");
	assert_string_equal(sget(al, "0/action/0/result"), "ok");
	assert_string_equal(sget(al, "0/action/0/detail"), want);
	assert_string_equal(sget(al, "1/action/0/result"), "ok");
	/* alerts 3 and 4 of the rule (same container) were suppressed; the host has its own */
	assert_string_equal(sget(al, "2/container/id"), "host");
	assert_string_equal(sget(al, "2/action/0/result"), "skipped");
	assert_non_null(strstr(sget(al, "2/action/0/detail"), "not in a container"));
	assert_string_equal(sget(al, "3/rule"), "Test Container Actions");
	assert_string_equal(sget(al, "3/action/0/name"), "freeze_container");
	assert_string_equal(sget(al, "3/action/0/result"), "skipped");
	assert_string_equal(sget(al, "3/action/1/name"), "kill_container");
	assert_string_equal(sget(al, "3/action/1/result"), "skipped");
	json_decref(al);
	assert_int_equal(agt_read(&W.counters.actions_ok), 4);
	assert_int_equal(agt_read(&W.counters.actions_skipped), 3);
	assert_int_equal(agt_read(&W.counters.suppressed), 2);

	/* The audit log: a valid chain, with the suppressed alerts' actions in it. */
	struct out_audit_report rep;
	struct pal_err err = {0};
	assert_int_equal(out_audit_verify_file(W.audit_path, NULL, &rep, &err), 0);
	assert_int_equal(rep.verdict, OUT_AUDIT_VALID);
	assert_int_equal(rep.records, 6); /* 4 alerts + 2 actions of suppressed alerts */
	char *text = NULL;
	size_t len;
	assert_int_equal(pal_read_file(W.audit_path, 1 << 20, &text, &len, &err), 0);
	int alerts = 0, actions = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *j = json_loads(line, 0, NULL);
		assert_non_null(j);
		const char *type = sget(j, "type");
		if (!strcmp(type, "alert"))
			alerts++;
		if (!strcmp(type, "action")) {
			actions++;
			assert_string_equal(sget(j, "payload/action"), "kill_process");
			assert_string_equal(sget(j, "payload/result"), "ok");
			assert_string_equal(sget(j, "payload/container"), CID);
			assert_true(json_is_true(
			    json_object_get(json_object_get(j, "payload"), "alert_suppressed")));
		}
		json_decref(j);
	}
	free(text);
	assert_int_equal(alerts, 4);
	assert_int_equal(actions, 2);

	char *m = out_metrics_render(W.reg);
	assert_non_null(
	    strstr(m, "palisade_agent_actions_total{action=\"kill_process\",result=\"ok\"} 4"));
	assert_non_null(strstr(
	    m, "palisade_agent_actions_total{action=\"kill_container\",result=\"skipped\"} 1"));
	free(m);
}

static void silent_rule(void **state)
{
	(void)state;
	struct pal_event ev = exec_event("quiet", &W.ctr);
	assert_int_equal(agt_pipeline_event(W.pipe, &ev), 1);
	json_t *al = read_alerts();
	assert_int_equal(json_array_size(al), 0);
	json_decref(al);
	assert_int_equal(agt_read(&W.counters.matches), 1);
	assert_int_equal(agt_read(&W.counters.alerts), 0);
}

/* The sensor is told to capture what the rules need, nothing else. */
static void event_types(void **state)
{
	(void)state;
	uint64_t bits[(PAL_EVT__COUNT + 63) / 64];
	agt_pipeline_event_types(W.rs, bits);
	assert_true(bits[PAL_EVT_EXECVE / 64] & (1ull << (PAL_EVT_EXECVE % 64)));
	assert_true(bits[PAL_EVT_FINIT_MODULE / 64] & (1ull << (PAL_EVT_FINIT_MODULE % 64)));
	assert_false(bits[PAL_EVT_OPENAT / 64] & (1ull << (PAL_EVT_OPENAT % 64)));
	assert_false(bits[PAL_EVT_SECCOMP_DENIED / 64] & (1ull << (PAL_EVT_SECCOMP_DENIED % 64)));
}

/* Nothing matches: counted, nothing written. */
static void no_match(void **state)
{
	(void)state;
	struct pal_event ev = exec_event("ls", &W.ctr);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(agt_pipeline_event(W.pipe, &ev), 0);
	ev.type = PAL_EVT_OPENAT;
	assert_int_equal(agt_pipeline_event(W.pipe, &ev), 0);
	assert_int_equal(agt_read(&W.counters.events), 1001);
	assert_int_equal(agt_read(&W.counters.matches), 0);
	json_t *al = read_alerts();
	assert_int_equal(json_array_size(al), 0);
	json_decref(al);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(alert_from_match, setup, teardown),
	    cmocka_unit_test_setup_teardown(flood_control, setup, teardown),
	    cmocka_unit_test_setup_teardown(actions_recorded, setup, teardown),
	    cmocka_unit_test_setup_teardown(silent_rule, setup, teardown),
	    cmocka_unit_test_setup_teardown(event_types, setup, teardown),
	    cmocka_unit_test_setup_teardown(no_match, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
