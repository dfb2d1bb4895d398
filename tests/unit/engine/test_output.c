/* Alert output: %field substitution, <NA> for missing values, output_fields
 * as typed JSON, and every rule that matches firing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>

#include "fixture.h"

static const char *EXEC_EV =
    "{type: execve, res: 0, ts: 1700000000123456789,"
    " proc: {name: bash, exepath: /bin/bash, args: [bash, -i], uid: 0, tty: 34816,"
    "        pid: 4242, vpid: 7, caps: CAP_SYS_ADMIN,"
    "        parent: {name: runc, exepath: /usr/bin/runc}},"
    " container: {id: 0123456789ab, name: web, image: 'nginx:1.25', repository: nginx,"
    "             tag: '1.25', privileged: true}}";

static struct eng_ruleset *load_ok(const char *yaml)
{
	struct diags g;
	struct eng_ruleset *rs = load_rules(yaml, &g);
	if (!rs)
		fail_msg("rules did not load:\n%s", g.text.data);
	pal_buf_free(&g.text);
	return rs;
}

static void substitution(void **state)
{
	(void)state;
	struct eng_ruleset *rs = load_ok(
	    "- rule: Shell\n  desc: d\n  condition: evt.type = execve and proc.name = bash\n"
	    "  output: >-\n    Shell in %container.name (user=%user.name uid=%user.uid"
	    " parent=%proc.pname gp=%proc.aname[2] pod=%k8s.pod.name tty=%proc.tty"
	    " priv=%container.privileged cmd=\"%proc.cmdline\" 100%% %proc.name.\n"
	    "  priority: warning\n");
	struct evfix f;
	struct fired fr;
	fired_init(&fr);
	assert_int_equal(eng_eval(rs, fx_parse(&f, EXEC_EV), fired_cb, &fr), 1);
	assert_string_equal(fr.last_output,
			    "Shell in web (user=root uid=0 parent=runc gp=<NA> pod=<NA> tty=34816 "
			    "priv=true cmd=\"bash -i\" 100% bash.");
	assert_string_equal(
	    fr.last_fields,
	    "{\"container.name\":\"web\",\"container.privileged\":true,"
	    "\"k8s.pod.name\":null,\"proc.aname[2]\":null,\"proc.cmdline\":\"bash -i\","
	    "\"proc.name\":\"bash\",\"proc.pname\":\"runc\",\"proc.tty\":34816,"
	    "\"user.name\":\"root\",\"user.uid\":0}");
	fired_free(&fr);
	fx_free(&f);
	eng_ruleset_free(rs);
}

/* Falco trims outputs: a folded scalar's final newline and surrounding blanks go. */
static void output_is_trimmed(void **state)
{
	(void)state;
	struct eng_ruleset *rs =
	    load_ok("- rule: Shell\n  desc: d\n  condition: evt.type = execve\n"
		    "  output: >\n    Shell %proc.name\n    in %container.name\n\n"
		    "  priority: warning\n"
		    "- rule: Quoted\n  desc: d\n  condition: evt.type = execve\n"
		    "  output: '  padded %proc.name  '\n  priority: warning\n");
	struct evfix f;
	struct fired fr;
	fired_init(&fr);
	assert_int_equal(eng_eval(rs, fx_parse(&f, EXEC_EV), fired_cb, &fr), 2);
	assert_string_equal(fr.last_output, "padded bash");
	char *first = eng_format_output(rs, eng_ruleset_find_rule(rs, "Shell"), f.ev, NULL);
	assert_string_equal(first, "Shell bash in web");
	free(first);
	fired_free(&fr);
	fx_free(&f);
	eng_ruleset_free(rs);
}

static void rendered_fields(void **state)
{
	(void)state;
	struct eng_ruleset *rs = load_ok(
	    "- rule: Open\n  desc: d\n  condition: evt.type = openat\n"
	    "  output: '%evt.type %evt.res %evt.arg.flags %fd.name %fd.directory %fd.filename"
	    " %evt.time.iso8601 %thread.cap_effective %evt.args'\n  priority: notice\n"
	    "- rule: Conn\n  desc: d\n  condition: evt.type = connect\n"
	    "  output: '%fd.name %fd.sip %fd.sport %fd.l4proto %fd.type %fd.typechar'\n"
	    "  priority: notice\n");
	struct evfix f;
	struct fired fr;
	fired_init(&fr);
	eng_eval(rs,
		 fx_parse(&f, "{type: openat, res: -13, ts: 1700000000000000001, path: /etc/shadow,"
			      " flags: O_WRONLY|O_CREAT|O_TRUNC, mode: 0644,"
			      " proc: {name: x, caps: CAP_CHOWN|CAP_SYS_ADMIN}}"),
		 fired_cb, &fr);
	assert_string_equal(fr.last_output,
			    "openat EACCES O_WRONLY|O_CREAT|O_TRUNC /etc/shadow /etc shadow "
			    "2023-11-14T22:13:20.000000001Z CAP_CHOWN CAP_SYS_ADMIN "
			    "fd=EACCES name=/etc/shadow flags=O_WRONLY|O_CREAT|O_TRUNC mode=0644");
	fx_free(&f);
	eng_eval(rs,
		 fx_parse(&f, "{type: connect, res: 0, fd: 3, local: '10.1.2.3:5555',"
			      " remote: '169.254.169.254:80', socktype: SOCK_STREAM}"),
		 fired_cb, &fr);
	assert_string_equal(fr.last_output,
			    "10.1.2.3:5555->169.254.169.254:80 169.254.169.254 80 tcp ipv4 4");
	fx_free(&f);
	eng_eval(rs,
		 fx_parse(&f, "{type: connect, res: 0, fd: 3, local: '[::1]:5555',"
			      " remote: '[2001:db8::1]:443', socktype: SOCK_DGRAM}"),
		 fired_cb, &fr);
	assert_string_equal(fr.last_output,
			    "[::1]:5555->[2001:db8::1]:443 2001:db8::1 443 udp ipv6 6");
	fx_free(&f);
	fired_free(&fr);
	eng_ruleset_free(rs);
}

static void unavailable_and_bad_output_fields(void **state)
{
	(void)state;
	struct diags g;
	struct eng_ruleset *rs = load_rules(
	    "- rule: R\n  desc: d\n  condition: evt.type = execve\n"
	    "  output: 'sess=%proc.sname start=%container.start_ts'\n  priority: notice\n",
	    &g);
	assert_non_null(rs);
	assert_true(diags_has(&g, "test.yaml:4:18: warning: rule 'R': output field 'proc.sname' is "
				  "not available in Palisade (the process table does not track "
				  "sessions and process groups): it prints <NA>"));
	struct evfix f;
	struct fired fr;
	fired_init(&fr);
	eng_eval(rs, fx_parse(&f, EXEC_EV), fired_cb, &fr);
	assert_string_equal(fr.last_output, "sess=<NA> start=<NA>");
	assert_string_equal(fr.last_fields, "{\"container.start_ts\":null,\"proc.sname\":null}");
	fired_free(&fr);
	fx_free(&f);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);

	rs = load_rules("- rule: R\n  desc: d\n  condition: evt.type = execve\n"
			"  output: 'anc=%proc.aname'\n  priority: notice\n",
			&g);
	assert_null(rs);
	assert_true(diags_has(&g, "test.yaml:4:17: error: rule 'R': proc.aname without an index "
				  "matches any ancestor and works in conditions only: use "
				  "proc.aname[N] in outputs"));
	pal_buf_free(&g.text);
}

static void invalid_utf8_is_replaced(void **state)
{
	(void)state;
	struct eng_ruleset *rs = load_ok("- rule: R\n  desc: d\n  condition: evt.type = openat\n"
					 "  output: 'file=%fd.name'\n  priority: notice\n");
	struct pal_event ev = {.type = PAL_EVT_OPENAT, .res = 3, .path = "/tmp/bad\xff\xc3(x"};
	struct pal_proc p = {.comm = "x"};
	struct pal_container c = {.id = "host", .is_host = true};
	ev.proc = &p;
	ev.container = &c;
	struct fired fr;
	fired_init(&fr);
	eng_eval(rs, &ev, fired_cb, &fr);
	assert_string_equal(fr.last_output, "file=/tmp/bad\xEF\xBF\xBD\xEF\xBF\xBD(x");
	assert_string_equal(fr.last_fields, "{\"fd.name\":\"/tmp/bad\xEF\xBF\xBD\xEF\xBF\xBD(x\"}");
	fired_free(&fr);
	eng_ruleset_free(rs);
}

static void every_matching_rule_fires(void **state)
{
	(void)state;
	struct eng_ruleset *rs = load_ok(
	    "- rule: A\n  desc: d\n  condition: evt.type = execve and proc.name = bash\n"
	    "  output: a\n  priority: notice\n"
	    "- rule: B\n  desc: d\n  condition: evt.type in (execve, open)\n"
	    "  output: b\n  priority: notice\n"
	    "- rule: C\n  desc: d\n  condition: evt.type = open\n  output: c\n  priority: notice\n"
	    "- rule: D\n  desc: d\n  condition: evt.type = execve and container.id != host\n"
	    "  output: d\n  priority: notice\n  enabled: false\n"
	    "- rule: E\n  desc: d\n  condition: evt.type = execve and container.id != host\n"
	    "  output: e\n  priority: notice\n");
	struct evfix f;
	struct fired fr;
	fired_init(&fr);
	assert_int_equal(eng_eval(rs, fx_parse(&f, EXEC_EV), fired_cb, &fr), 3);
	assert_string_equal(fr.names.data, "|A|B|E|");
	fx_free(&f);
	/* fn NULL: count only */
	assert_int_equal(eng_eval(rs, fx_parse(&f, EXEC_EV), NULL, NULL), 3);
	fx_free(&f);
	fired_free(&fr);
	eng_ruleset_free(rs);
}

static void event_numbers(void **state)
{
	(void)state;
	struct eng_ruleset *rs =
	    load_ok("- rule: N\n  desc: d\n  condition: evt.type = execve and "
		    "evt.num > 0\n  output: 'n=%evt.num'\n  priority: notice\n");
	struct evfix f;
	struct fired fr;
	fired_init(&fr);
	fx_parse(&f, EXEC_EV);
	eng_eval(rs, f.ev, fired_cb, &fr);
	assert_string_equal(fr.last_output, "n=1");
	eng_eval(rs, f.ev, fired_cb, &fr);
	assert_string_equal(fr.last_output, "n=2");
	fx_free(&f);
	fired_free(&fr);
	eng_ruleset_free(rs);
}

struct worker {
	struct eng_ruleset *rs;
	const struct pal_event *ev;
	int bad;
};

static void check_output(const struct eng_match *m, void *ud)
{
	struct worker *w = ud;
	if (strcmp(m->output, "x bash -i CAP_SYS_ADMIN <NA>"))
		w->bad++;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 20000; i++)
		if (eng_eval(w->rs, w->ev, check_output, w) != 1)
			w->bad++;
	return NULL;
}

/* Rendered values use per-thread scratch memory: concurrent evaluation of
 * one ruleset must not mix them up. */
static void concurrent_evaluation(void **state)
{
	(void)state;
	struct eng_ruleset *rs =
	    load_ok("- rule: T\n  desc: d\n  condition: evt.type = execve and proc.args contains "
		    "'-i' and thread.cap_effective contains SYS_ADMIN\n"
		    "  output: 'x %proc.cmdline %thread.cap_effective %fd.containername'\n"
		    "  priority: notice\n");
	struct evfix f;
	fx_parse(&f, EXEC_EV);
	struct worker w[4];
	pthread_t th[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){rs, f.ev, 0};
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].bad, 0);
	}
	fx_free(&f);
	eng_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(substitution),
	    cmocka_unit_test(output_is_trimmed),
	    cmocka_unit_test(rendered_fields),
	    cmocka_unit_test(unavailable_and_bad_output_fields),
	    cmocka_unit_test(invalid_utf8_is_replaced),
	    cmocka_unit_test(every_matching_rule_fires),
	    cmocka_unit_test(event_numbers),
	    cmocka_unit_test(concurrent_evaluation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
