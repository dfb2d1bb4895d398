/* palisade.yaml: defaults, every key, and every error with its position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent/config.h"
#include "common/strutil.h"
#include "engine/engine.h"

static void defaults(void **state)
{
	(void)state;
	struct agt_config c;
	agt_config_init(&c);
	struct pal_err err = {0};
	assert_int_equal(agt_config_parse(&c, "empty.yaml", "", 0, &err), 0);
	assert_int_equal(agt_config_parse(&c, "comments.yaml", "# nothing\n", 10, &err), 0);
	assert_true(agt_config_loads_builtin(&c));
	assert_int_equal(c.n_outputs, 0); /* stdout is added when none is configured */
	assert_true(c.rate_limit);
	assert_true(c.rate == 1.0 && c.burst == 10.0);
	assert_false(c.audit);
	assert_false(c.metrics);
	assert_string_equal(c.metrics_listen, "127.0.0.1:9376");
	assert_int_equal(c.max_latency_ms, 20);
	assert_true(c.seccomp_audit);
	assert_true(c.enforce);
	assert_false(c.enforce_dry_run);
	assert_false(c.enforce_host);
	assert_null(c.state_dir);
	assert_null(c.hostname);
	assert_int_equal(c.rules_min_prio, -1);
	assert_int_equal(c.shutdown_timeout_ms, 5000);

	/* -r: the built-in ruleset then loads only when asked for. */
	agt_config_add_rule_path(&c, "/tmp/mine.yaml");
	assert_false(agt_config_loads_builtin(&c));
	c.rules_builtin = 1;
	assert_true(agt_config_loads_builtin(&c));
	agt_config_add_file_output(&c, "/tmp/alerts.jsonl");
	assert_int_equal(c.n_outputs, 1);
	assert_int_equal(c.outputs[0].kind, AGT_OUT_FILE);
	assert_string_equal(c.outputs[0].path, "/tmp/alerts.jsonl");
	agt_config_free(&c);
}

static const char full[] = "hostname: node-7\n"
			   "state_dir: /run/test/containers\n"
			   "log_level: debug\n"
			   "shutdown_timeout_ms: 2500\n"
			   "rules:\n"
			   "  builtin: true\n"
			   "  paths: [/etc/palisade/rules.d, /srv/extra.yaml]\n"
			   "  min_priority: notice\n"
			   "  disabled_tags: [k8s, T1059]\n"
			   "outputs:\n"
			   "  - type: stdout\n"
			   "    min_priority: warning\n"
			   "  - type: file\n"
			   "    path: /var/log/palisade/alerts.jsonl\n"
			   "    name: local-file\n"
			   "    queue_size: 4096\n"
			   "  - type: syslog\n"
			   "    transport: tls\n"
			   "    address: 127.0.0.1:6514\n"
			   "    ca: /etc/palisade/ca.pem\n"
			   "    server_name: logs.example\n"
			   "    facility: local3\n"
			   "    cert: /etc/palisade/c.pem\n"
			   "    key: /etc/palisade/c.key\n"
			   "  - type: http\n"
			   "    url: https://sidekick.example:2801/\n"
			   "    headers: {Authorization: Bearer abc, X-Node: n7}\n"
			   "    ca: /etc/ssl/ca.pem\n"
			   "    timeout_ms: 1500\n"
			   "  - type: http\n"
			   "    url: http://127.0.0.1:2801/\n"
			   "    headers: ['X-A: 1']\n"
			   "  - type: nats\n"
			   "    url: nats://127.0.0.1:4222\n"
			   "rate_limit:\n"
			   "  enabled: true\n"
			   "  rate: 0.5\n"
			   "  burst: 3\n"
			   "  max_keys: 500\n"
			   "audit:\n"
			   "  enabled: yes\n"
			   "  path: /var/lib/palisade/audit.log\n"
			   "  key_file: /etc/palisade/audit.key\n"
			   "  fsync: false\n"
			   "metrics:\n"
			   "  enabled: true\n"
			   "  listen: '[::1]:9999'\n"
			   "sensor:\n"
			   "  ringbuf_size: 16M\n"
			   "  max_latency_ms: -1\n"
			   "  seccomp_denials: false\n"
			   "enforcement:\n"
			   "  enabled: true\n"
			   "  dry_run: true\n"
			   "  host: true\n"
			   "  freeze_timeout_ms: 300\n";

static void every_key(void **state)
{
	(void)state;
	struct agt_config c;
	agt_config_init(&c);
	struct pal_err err = {0};
	if (agt_config_parse(&c, "full.yaml", full, strlen(full), &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(c.source, "full.yaml");
	assert_string_equal(c.hostname, "node-7");
	assert_string_equal(c.state_dir, "/run/test/containers");
	assert_string_equal(c.log_level, "debug");
	assert_int_equal(c.shutdown_timeout_ms, 2500);
	assert_int_equal(c.rules_builtin, 1);
	assert_true(agt_config_loads_builtin(&c));
	assert_int_equal(pal_strv_len(c.rule_paths), 2);
	assert_string_equal(c.rule_paths[1], "/srv/extra.yaml");
	assert_int_equal(c.rules_min_prio, ENG_PRIO_NOTICE);
	assert_string_equal(c.disabled_tags[1], "T1059");

	assert_int_equal(c.n_outputs, 6);
	assert_int_equal(c.outputs[0].kind, AGT_OUT_STDOUT);
	assert_true(c.outputs[0].has_min_priority);
	assert_int_equal(c.outputs[0].min_priority, OUT_PRIO_WARNING);
	assert_int_equal(c.outputs[1].kind, AGT_OUT_FILE);
	assert_string_equal(c.outputs[1].path, "/var/log/palisade/alerts.jsonl");
	assert_string_equal(c.outputs[1].name, "local-file");
	assert_int_equal(c.outputs[1].queue_size, 4096);
	assert_false(c.outputs[1].has_min_priority);
	const struct agt_output *sy = &c.outputs[2];
	assert_int_equal(sy->kind, AGT_OUT_SYSLOG);
	assert_int_equal(sy->transport, OUT_SYSLOG_TLS);
	assert_string_equal(sy->address, "127.0.0.1:6514");
	assert_string_equal(sy->ca_file, "/etc/palisade/ca.pem");
	assert_string_equal(sy->server_name, "logs.example");
	assert_int_equal(sy->facility, 19);
	assert_string_equal(sy->cert_file, "/etc/palisade/c.pem");
	assert_string_equal(sy->key_file, "/etc/palisade/c.key");
	const struct agt_output *h = &c.outputs[3];
	assert_int_equal(h->kind, AGT_OUT_HTTP);
	assert_string_equal(h->url, "https://sidekick.example:2801/");
	assert_string_equal(h->headers[0], "Authorization: Bearer abc");
	assert_string_equal(h->headers[1], "X-Node: n7");
	assert_null(h->headers[2]);
	assert_int_equal(h->timeout_ms, 1500);
	assert_string_equal(c.outputs[4].headers[0], "X-A: 1");
	assert_int_equal(c.outputs[5].kind, AGT_OUT_NATS);
	assert_string_equal(c.outputs[5].url, "nats://127.0.0.1:4222");
	assert_string_equal(c.outputs[5].subject, "palisade.alerts");

	assert_true(c.rate_limit);
	assert_true(c.rate == 0.5 && c.burst == 3.0);
	assert_int_equal(c.rate_max_keys, 500);
	assert_true(c.audit);
	assert_string_equal(c.audit_path, "/var/lib/palisade/audit.log");
	assert_string_equal(c.audit_key_file, "/etc/palisade/audit.key");
	assert_false(c.audit_fsync);
	assert_true(c.metrics);
	assert_string_equal(c.metrics_listen, "[::1]:9999");
	assert_int_equal(c.ringbuf_bytes, 16u << 20);
	assert_int_equal(c.max_latency_ms, -1);
	assert_false(c.seccomp_audit);
	assert_true(c.enforce && c.enforce_dry_run && c.enforce_host);
	assert_int_equal(c.freeze_timeout_ms, 300);

	/* -o adds to the configured outputs. */
	agt_config_add_file_output(&c, "/tmp/x.jsonl");
	assert_int_equal(c.n_outputs, 7);
	agt_config_free(&c);
}

/* Every error: the exact message, with file:line:col. */
struct bad {
	const char *yaml;
	const char *msg;
};

static const struct bad bad_cases[] = {
    {"rules: [\n", "t.yaml:2:1: YAML syntax error"},
    {"- a\n- b\n", "t.yaml:1:1: the configuration must be a mapping (key: value)"},
    {"outptus: []\n",
     "t.yaml:1:1: unknown key 'outptus' in the configuration (known: rules, outputs, "
     "rate_limit, audit, metrics, sensor, enforcement, state_dir, hostname, log_level, "
     "shutdown_timeout_ms)"},
    {"hostname: a\nhostname: b\n", "t.yaml:2:1: the configuration: duplicate key 'hostname'"},
    {"hostname: [a]\n", "t.yaml:1:11: hostname must be a string"},
    {"hostname: ''\n", "t.yaml:1:11: hostname must not be empty"},
    {"hostname: \"a\\nb\"\n", "t.yaml:1:11: hostname holds a control character"},
    {"log_level: loud\n", "t.yaml:1:12: log_level must be error, warning, info or debug"},
    {"shutdown_timeout_ms: -5\n",
     "t.yaml:1:22: shutdown_timeout_ms must be between 0 and 600000 (got -5)"},
    {"shutdown_timeout_ms: soon\n",
     "t.yaml:1:22: shutdown_timeout_ms must be an integer (got 'soon')"},
    {"rules: [a]\n", "t.yaml:1:8: rules must be a mapping (key: value)"},
    {"rules:\n  path: [a]\n",
     "t.yaml:2:3: unknown key 'path' in rules (known: builtin, paths, min_priority, "
     "disabled_tags)"},
    {"rules:\n  builtin: maybe\n",
     "t.yaml:2:12: rules.builtin must be true or false (got 'maybe')"},
    {"rules:\n  paths: /etc/x\n", "t.yaml:2:10: rules.paths must be a list of strings"},
    {"rules:\n  paths: [a, '']\n", "t.yaml:2:10: rules.paths: items must not be empty"},
    {"rules:\n  paths: [a, [b]]\n", "t.yaml:2:14: rules.paths: every item must be a string"},
    {"rules:\n  min_priority: urgent\n",
     "t.yaml:2:17: rules.min_priority must be a priority: emergency, alert, critical, error, "
     "warning, notice, informational or debug"},
    {"outputs: {type: stdout}\n",
     "t.yaml:1:10: outputs must be a list of outputs, e.g. [{type: stdout}]"},
    {"outputs: [stdout]\n",
     "t.yaml:1:11: outputs[0] must be a mapping with a type (stdout, file, syslog, http, "
     "nats)"},
    {"outputs:\n  - path: /x\n",
     "t.yaml:2:5: outputs[0].type must be stdout, file, syslog, http or nats"},
    {"outputs:\n  - type: kafka\n",
     "t.yaml:2:11: outputs[0].type must be stdout, file, syslog, http or nats (got 'kafka')"},
    {"outputs:\n  - type: stdout\n  - type: file\n    url: http://x/\n    path: /x\n",
     "t.yaml:4:5: unknown key 'url' in outputs[1] (a file output) (known: type, name, "
     "min_priority, queue_size, timeout_ms, path)"},
    {"outputs:\n  - type: file\n", "t.yaml:2:5: outputs[0] (a file output) needs path"},
    {"outputs:\n  - type: file\n    path: /x\n    min_priority: loud\n",
     "t.yaml:4:19: outputs[0].min_priority must be a priority: emergency, alert, critical, "
     "error, warning, notice, informational (info) or debug (got 'loud')"},
    {"outputs:\n  - type: stdout\n    queue_size: 0\n",
     "t.yaml:3:17: outputs[0].queue_size must be between 1 and 1048576 (got 0)"},
    {"outputs:\n  - type: syslog\n    address: 127.0.0.1:514\n",
     "t.yaml:2:5: outputs[0] (a syslog output) needs transport (unix, udp, tcp or tls)"},
    {"outputs:\n  - type: syslog\n    transport: sctp\n",
     "t.yaml:3:16: outputs[0].transport must be unix, udp, tcp or tls"},
    {"outputs:\n  - type: syslog\n    transport: udp\n",
     "t.yaml:2:5: outputs[0] (a syslog output) needs address"},
    {"outputs:\n  - type: syslog\n    transport: tls\n    address: h:1\n",
     "t.yaml:2:5: outputs[0] (a syslog output) needs ca (the CA bundle the server's "
     "certificate must chain to)"},
    {"outputs:\n  - type: syslog\n    transport: tcp\n    address: h:1\n    cert: /c\n",
     "t.yaml:2:5: outputs[0] (a syslog output) needs key (with cert)"},
    {"outputs:\n  - type: syslog\n    transport: udp\n    address: h:1\n    facility: 99\n",
     "t.yaml:5:15: outputs[0].facility must be a syslog facility: a name (user, daemon, auth, "
     "local0 ... local7) or a number 0..23"},
    {"outputs:\n  - type: http\n", "t.yaml:2:5: outputs[0] (a http output) needs url"},
    {"outputs:\n  - type: http\n    url: ftp://x/\n",
     "t.yaml:2:5: outputs[0].url must start with http:// or https://"},
    {"outputs:\n  - type: http\n    url: http://x/\n    headers: [NoColon]\n",
     "t.yaml:4:14: outputs[0].headers: \"NoColon\" is not a header line (Name: value, no "
     "control characters)"},
    {"outputs:\n  - type: http\n    url: http://x/\n    headers: {'Bad Name': v}\n",
     "t.yaml:4:14: outputs[0].headers: \"Bad Name: v\" is not a header line (Name: value, no "
     "control characters)"},
    {"outputs:\n  - type: http\n    url: http://x/\n    headers: 3\n",
     "t.yaml:4:14: outputs[0].headers must be a mapping (Name: value) or a list of \"Name: "
     "value\" strings"},
    {"outputs:\n  - type: nats\n    subject: s\n",
     "t.yaml:2:5: outputs[0] (a nats output) needs url"},
    {"outputs:\n  - type: stdout\n    timeout_ms: 0\n",
     "t.yaml:3:17: outputs[0].timeout_ms must be between 1 and 600000 (got 0)"},
    {"rate_limit:\n  rate: 0\n",
     "t.yaml:2:9: rate_limit.rate must be at least 0.0001 and at most 1e9"},
    {"rate_limit:\n  rate: fast\n", "t.yaml:2:9: rate_limit.rate must be a number (got 'fast')"},
    {"rate_limit:\n  burst: 0.5\n",
     "t.yaml:2:10: rate_limit.burst must be at least 1 and at most 1e9"},
    {"rate_limit:\n  burst: nan\n", "t.yaml:2:10: rate_limit.burst must be a number (got 'nan')"},
    {"rate_limit:\n  per: rule\n",
     "t.yaml:2:3: unknown key 'per' in rate_limit (known: enabled, rate, burst, max_keys)"},
    {"audit:\n  enabled: 1\n", "t.yaml:2:12: audit.enabled must be true or false (got '1')"},
    {"audit:\n  file: /x\n",
     "t.yaml:2:3: unknown key 'file' in audit (known: enabled, path, key_file, fsync)"},
    {"metrics:\n  port: 9\n", "t.yaml:2:3: unknown key 'port' in metrics (known: enabled, listen)"},
    {"sensor:\n  ringbuf_size: 8X\n",
     "t.yaml:2:17: sensor.ringbuf_size must be a size in bytes such as 65536, 256K or 8M (got "
     "'8X')"},
    {"sensor:\n  ringbuf_size: 2G\n",
     "t.yaml:2:17: sensor.ringbuf_size must be between 4096 and 1073741824 bytes"},
    {"sensor:\n  max_latency_ms: 0\n",
     "t.yaml:2:19: sensor.max_latency_ms must be -1 (wake on every event) or 1..10000"},
    {"sensor:\n  max_latency_ms: -2\n",
     "t.yaml:2:19: sensor.max_latency_ms must be between -1 and 10000 (got -2)"},
    {"enforcement:\n  kill: true\n",
     "t.yaml:2:3: unknown key 'kill' in enforcement (known: enabled, dry_run, host, "
     "freeze_timeout_ms)"},
    {"enforcement:\n  host: sometimes\n",
     "t.yaml:2:9: enforcement.host must be true or false (got 'sometimes')"},
    {"enforcement:\n  freeze_timeout_ms: 5\n",
     "t.yaml:2:22: enforcement.freeze_timeout_ms must be between 10 and 60000 (got 5)"},
};

static void errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct agt_config c;
		agt_config_init(&c);
		struct pal_err err = {0};
		int r = agt_config_parse(&c, "t.yaml", bad_cases[i].yaml, strlen(bad_cases[i].yaml),
					 &err);
		if (r >= 0)
			fail_msg("case %zu accepted:\n%s", i, bad_cases[i].yaml);
		if (strncmp(err.msg, bad_cases[i].msg, strlen(bad_cases[i].msg)) != 0)
			fail_msg("case %zu:\n%s\ngot:  %s\nwant: %s", i, bad_cases[i].yaml, err.msg,
				 bad_cases[i].msg);
		agt_config_free(&c);
	}
}

static void file_errors(void **state)
{
	(void)state;
	struct agt_config c;
	agt_config_init(&c);
	struct pal_err err = {0};
	assert_true(agt_config_load_file(&c, "/nonexistent/palisade.yaml", &err) < 0);
	assert_non_null(strstr(err.msg, "/nonexistent/palisade.yaml"));
	char path[] = "/tmp/pal-agent-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "outputs:\n  - type: file\n    path: /tmp/a.jsonl\n    colour: red\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)(sizeof(text) - 1));
	close(fd);
	assert_true(agt_config_load_file(&c, path, &err) < 0);
	char want[256];
	snprintf(want, sizeof(want), "%s:4:5: unknown key 'colour'", path);
	assert_true(strncmp(err.msg, want, strlen(want)) == 0);
	unlink(path);
	agt_config_free(&c);
}

/* The example shipped in etc/ stays a valid configuration. */
static void shipped_example(void **state)
{
	(void)state;
	struct agt_config c;
	agt_config_init(&c);
	struct pal_err err = {0};
	if (agt_config_load_file(&c, PAL_TEST_DATA_DIR "/../../etc/palisade.yaml", &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(agt_config_loads_builtin(&c));
	assert_int_equal(c.n_outputs, 2);
	assert_int_equal(c.outputs[1].transport, OUT_SYSLOG_UNIX);
	assert_true(c.audit);
	agt_config_free(&c);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The file plus the command line, as at start and on SIGHUP; and the keys a
 * reload cannot apply. */
static void build_and_restart_keys(void **state)
{
	(void)state;
	char dir[] = "/tmp/pal-agent-cfg-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/palisade.yaml", dir);
	write_text(path, "rules:\n  paths: [/etc/r1.yaml]\noutputs:\n  - type: stdout\n"
			 "log_level: debug\n");
	char *rules[] = {(char *)"/tmp/r2.yaml", NULL};
	char *files[] = {(char *)"/tmp/alerts.jsonl", NULL};
	struct agt_config_sources src = {
	    .path = path, .rules = rules, .files = files, .log_level = "warning"};
	struct agt_config a, b;
	struct pal_err err = {0};
	assert_int_equal(agt_config_build(&src, &a, &err), 0);
	assert_int_equal(pal_strv_len(a.rule_paths), 2);
	assert_string_equal(a.rule_paths[1], "/tmp/r2.yaml");
	assert_int_equal(a.n_outputs, 2);
	assert_string_equal(a.outputs[1].path, "/tmp/alerts.jsonl");
	assert_string_equal(a.log_level, "warning"); /* the command line wins */

	char changed[160];
	assert_int_equal(agt_config_build(&src, &b, &err), 0);
	agt_config_restart_keys_changed(&a, &b, changed, sizeof(changed));
	assert_string_equal(changed, "");
	agt_config_free(&b);

	/* Rules, flood control and enforcement are live; the rest is named. */
	write_text(path, "rules:\n  paths: [/etc/r3.yaml]\nrate_limit: {burst: 3}\n"
			 "enforcement: {dry_run: true}\noutputs:\n  - type: file\n    path: /x\n"
			 "sensor: {max_latency_ms: 5}\nhostname: other\naudit: {enabled: true}\n");
	assert_int_equal(agt_config_build(&src, &b, &err), 0);
	agt_config_restart_keys_changed(&a, &b, changed, sizeof(changed));
	assert_string_equal(changed, "outputs, audit, sensor, hostname");
	agt_config_free(&b);

	/* A bad file is an error naming it. */
	write_text(path, "rate_limit: {rate: fast}\n");
	assert_true(agt_config_build(&src, &b, &err) < 0);
	assert_non_null(strstr(err.msg, "palisade.yaml:1:"));
	agt_config_free(&b);

	agt_config_free(&a);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults),	       cmocka_unit_test(every_key),
	    cmocka_unit_test(errors),	       cmocka_unit_test(file_errors),
	    cmocka_unit_test(shipped_example), cmocka_unit_test(build_and_restart_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
