/* Rule files: YAML structure, redefinition, append: true, override:,
 * enabled-only items, exceptions, versions, priorities, actions, sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <unistd.h>

#include "fixture.h"

#define RULE(name, cond)                                                                           \
	"- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o\n  priority: notice\n"

static const char *EV_CAT = "{type: open, res: 3, path: /etc/x, proc: {name: cat}}";
static const char *EV_LS = "{type: open, res: 3, path: /etc/x, proc: {name: ls}}";
static const char *EV_VI = "{type: open, res: 3, path: /etc/x, proc: {name: vi}}";

static void expect_error(const char *yaml, const char *want)
{
	struct diags g;
	struct eng_ruleset *rs = load_rules(yaml, &g);
	if (rs || !diags_has(&g, want))
		fail_msg("expected error:\n  %s\ngot (%s):\n%s", want, rs ? "loaded" : "failed",
			 g.text.data);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
}

static struct eng_ruleset *expect_load(const char *yaml)
{
	struct diags g;
	struct eng_ruleset *rs = load_rules(yaml, &g);
	if (!rs)
		fail_msg("rules did not load:\n%s", g.text.data);
	pal_buf_free(&g.text);
	return rs;
}

/* Names of the rules an event fires, "|a|b|", or "" for none. */
static char *fires(struct eng_ruleset *rs, const char *event)
{
	struct evfix f;
	struct fired fr;
	fired_init(&fr);
	struct pal_event *ev = fx_parse(&f, event);
	assert_non_null(ev);
	assert_null(f.error);
	eng_eval(rs, ev, fired_cb, &fr);
	fx_free(&f);
	char *s = pal_xstrdup(fr.names.data);
	fired_free(&fr);
	return s;
}

#define ASSERT_FIRES(rs, ev, want)                                                                 \
	do {                                                                                       \
		char *_got = fires(rs, ev);                                                        \
		if (strcmp(_got, want))                                                            \
			fail_msg("event %s fired '%s', want '%s'", ev, _got, want);                \
		free(_got);                                                                        \
	} while (0)

static void structure_errors(void **state)
{
	(void)state;
	expect_error("- rule: [x\n", "error: test.yaml:2:1: YAML syntax error");
	expect_error("rule: x\n", "test.yaml:1:1: error: a rules file is a YAML list of items");
	expect_error("- just a string\n", "test.yaml:1:3: error: each item must be a mapping");
	expect_error("- rule: R\n  desc: d\n  condition: evt.type = open\n  priority: notice\n",
		     "test.yaml:1:3: error: rule 'R': a rule needs 'output'");
	expect_error("- rule: R\n  desc: d\n  condition: evt.type = open\n  output: o\n"
		     "  priority: severe\n",
		     "test.yaml:5:13: error: rule 'R': unknown priority 'severe': use emergency, "
		     "alert, critical, error, warning, notice, informational or debug");
	expect_error(
	    "- rule: R\n  desc: d\n  condition: [evt.type]\n  output: o\n  priority: info\n",
	    "test.yaml:3:14: error: rule 'R': 'condition' must be a string");
	expect_error("- rule: R\n  desc: d\n  condition: evt.type = open\n  output: o\n"
		     "  priority: info\n  enabled: maybe\n",
		     "test.yaml:6:12: error: rule 'R': 'enabled' must be true or false");
	expect_error("- macro: m\n", "error: macro 'm': a macro needs 'condition'");
	expect_error("- list: l\n", "error: list 'l': a list needs 'items'");
	expect_error("- list: l\n  items: [a, [b]]\n",
		     "error: list 'l': every item of 'items' must "
		     "be a string");
	/* An empty file is fine. */
	struct eng_ruleset *rs = expect_load("");
	eng_ruleset_free(rs);
	rs = expect_load("# only a comment\n");
	eng_ruleset_free(rs);
}

static void warnings_for_unknown_things(void **state)
{
	(void)state;
	struct diags g;
	struct eng_ruleset *rs = load_rules(RULE("R", "evt.type = open") "  colour: red\n"
									 "- something: else\n",
					    &g);
	assert_non_null(rs);
	assert_true(
	    diags_has(&g, "test.yaml:6:3: warning: rule 'R': unknown key 'colour' ignored"));
	assert_true(diags_has(&g, "test.yaml:7:3: warning: unknown item ignored"));
	assert_int_equal(g.errors, 0);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
}

static void engine_version(void **state)
{
	(void)state;
	struct eng_ruleset *rs = expect_load("- required_engine_version: 0.57.0\n"
					     "- required_engine_version: 13\n"
					     "- required_engine_version: 0.26.1\n");
	eng_ruleset_free(rs);
	expect_error(
	    "- required_engine_version: 0.58.0\n",
	    "test.yaml:1:28: error: the file requires rule engine version 0.58.0; Palisade "
	    "implements the rules language of engine version 0.57.0");
	expect_error("- required_engine_version: 1.0.0\n", "requires rule engine version 1.0.0");
	expect_error("- required_engine_version: latest\n",
		     "required_engine_version must be a version like 0.57.0 or an integer");
	/* Plugins: the container plugin is built in; others are warned about. */
	struct diags g;
	rs = load_rules("- required_plugin_versions:\n    - name: container\n      version: "
			"0.4.0\n    - name: k8saudit\n      version: 0.1.0\n",
			&g);
	assert_non_null(rs);
	assert_int_equal(g.warnings, 1);
	assert_true(diags_has(&g, "plugin 'k8saudit' is not available in Palisade"));
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
}

static void redefinition_replaces(void **state)
{
	(void)state;
	struct eng_ruleset *rs = expect_load(
	    RULE("A", "evt.type = open and proc.name = cat") RULE("B", "evt.type = open") RULE(
		"A",
		"evt.type = open and proc.name = ls") "- list: l\n  items: [cat]\n"
						      "- list: l\n  items: [vi]\n" RULE(
							  "C",
							  "evt.type = open and proc.name in (l)"));
	ASSERT_FIRES(rs, EV_CAT, "|B|");
	/* A keeps its first position: load order is A, B, C */
	ASSERT_FIRES(rs, EV_LS, "|A|B|");
	ASSERT_FIRES(rs, EV_VI, "|B|C|");
	assert_int_equal(eng_ruleset_rule_count(rs), 3);
	assert_string_equal(eng_ruleset_rule(rs, 0)->name, "A");
	eng_ruleset_free(rs);
}

static void append_true(void **state)
{
	(void)state;
	struct eng_ruleset *rs = expect_load(
	    "- list: l\n  items: [cat]\n- list: l\n  items: [ls]\n  append: true\n"
	    "- macro: m\n  condition: proc.name in (l)\n- macro: m\n  condition: or proc.name = "
	    "vi\n  append: true\n" RULE(
		"R", "evt.type = open and (m)") "- rule: R\n  condition: and not proc.name = ls\n  "
						"append: true\n");
	ASSERT_FIRES(rs, EV_CAT, "|R|");
	ASSERT_FIRES(rs, EV_VI, "|R|");
	ASSERT_FIRES(rs, EV_LS, "");
	eng_ruleset_free(rs);
	expect_error(
	    "- rule: Nope\n  condition: and x\n  append: true\n",
	    "test.yaml:1:3: error: rule 'Nope': rule 'Nope' has append: true but no rule of "
	    "that name was defined before");
	expect_error("- list: nope\n  items: [x]\n  append: true\n",
		     "error: list 'nope': list 'nope' is appended to but no list of that name was "
		     "defined before");
	expect_error(RULE("R", "evt.type = open") "- rule: R\n  append: true\n  priority: debug\n",
		     "append: true needs a condition or exceptions");
}

static void override_section(void **state)
{
	(void)state;
	struct eng_ruleset *rs = expect_load(
	    "- list: l\n  items: [cat]\n- list: l\n  items: [vi]\n  override:\n    items: replace\n"
	    "- rule: R\n  desc: first\n  condition: evt.type = open and proc.name in (l, ls)\n"
	    "  output: old\n  priority: notice\n  tags: [a]\n"
	    "- rule: R\n  condition: and not proc.name = ls\n  output: new %proc.name\n"
	    "  desc: more\n  tags: [b, a]\n  priority: critical\n"
	    "  override:\n    condition: append\n    output: replace\n    desc: append\n"
	    "    tags: append\n    priority: replace\n");
	ASSERT_FIRES(rs, EV_CAT, "");
	ASSERT_FIRES(rs, EV_LS, "");
	ASSERT_FIRES(rs, EV_VI, "|R|");
	const struct eng_rule *r = eng_ruleset_find_rule(rs, "R");
	assert_string_equal(r->desc, "first more");
	assert_int_equal(r->priority, ENG_PRIO_CRITICAL);
	assert_int_equal(r->ntags, 2);
	assert_string_equal(r->tags[0], "a");
	assert_string_equal(r->tags[1], "b");
	struct evfix f;
	char *out = eng_format_output(rs, r, fx_parse(&f, EV_VI), NULL);
	assert_string_equal(out, "new vi");
	free(out);
	fx_free(&f);
	eng_ruleset_free(rs);

	/* enabled is replaced through override; the deprecated bare form works too. */
	rs = expect_load(RULE("R", "evt.type = open") RULE(
	    "S",
	    "evt.type = open") "- rule: R\n  enabled: false\n  override:\n    enabled: replace\n"
			       "- rule: S\n  enabled: false\n");
	ASSERT_FIRES(rs, EV_CAT, "");
	assert_false(eng_ruleset_find_rule(rs, "R")->enabled);
	eng_ruleset_free(rs);

	expect_error(RULE("R", "evt.type = open") "- rule: R\n  condition: and x\n  output: p\n"
						  "  override:\n    condition: append\n",
		     "test.yaml:8:11: error: rule 'R': 'output' is not listed under override: say "
		     "whether it appends or replaces");
	expect_error(
	    RULE("R",
		 "evt.type = open") "- rule: R\n  condition: and x\n"
				    "  override:\n    condition: append\n    output: replace\n",
	    "error: rule 'R': override lists 'output' but this item does not define it");
	expect_error(RULE("R", "evt.type = open") "- rule: R\n  priority: debug\n"
						  "  override:\n    priority: append\n",
		     "error: rule 'R': 'priority' cannot be overridden with append");
	expect_error(RULE("R", "evt.type = open") "- rule: R\n  priority: debug\n"
						  "  override:\n    priority: merge\n",
		     "error: rule 'R': override of 'priority' must be append or replace");
	expect_error("- rule: Nope\n  enabled: false\n",
		     "rule 'Nope' only sets 'enabled' but no rule of that name was defined before");
	expect_error(RULE("R", "evt.type = open") "- rule: R\n  condition: and x\n  append: true\n"
						  "  override:\n    condition: append\n",
		     "use either append: true or override, not both");
}

static const char *EXC_RULES =
    "- list: allowed_files\n  items: [/etc/hosts]\n"
    "- rule: W\n  desc: d\n  condition: evt.type = open and fd.name startswith /etc\n"
    "  output: o\n  priority: notice\n"
    "  exceptions:\n"
    "    - name: proc_file\n      fields: [proc.name, fd.name]\n      comps: [=, in]\n"
    "      values:\n        - [vi, [/etc/a, /etc/b]]\n        - [cat, [allowed_files]]\n"
    "    - name: cmd\n      fields: [proc.cmdline, fd.directory]\n      comps: [startswith, =]\n"
    "    - name: names\n      fields: proc.name\n      values: [apt, dpkg]\n";

static void exceptions(void **state)
{
	(void)state;
	struct eng_ruleset *rs = expect_load(EXC_RULES);
	ASSERT_FIRES(rs, "{type: open, path: /etc/a, proc: {name: vi}}", "");
	ASSERT_FIRES(rs, "{type: open, path: /etc/c, proc: {name: vi}}", "|W|");
	ASSERT_FIRES(rs, "{type: open, path: /etc/hosts, proc: {name: cat}}", "");
	ASSERT_FIRES(rs, "{type: open, path: /etc/a, proc: {name: cat}}", "|W|");
	ASSERT_FIRES(rs, "{type: open, path: /etc/z, proc: {name: dpkg}}", "");
	ASSERT_FIRES(rs, "{type: open, path: /etc/z, proc: {name: sed, args: [sed, -i]}}", "|W|");
	eng_ruleset_free(rs);

	/* Values appended later (append: true and override), to existing and new exceptions. */
	struct pal_buf b;
	pal_buf_init(&b);
	pal_buf_printf(&b,
		       "%s- rule: W\n  exceptions:\n    - name: cmd\n      values:\n"
		       "        - ['sed -i', /etc]\n  append: true\n"
		       "- rule: W\n  exceptions:\n    - name: names\n      values: [yum]\n"
		       "    - name: fresh\n      fields: [fd.filename]\n      comps: [endswith]\n"
		       "      values: [[.bak]]\n  override:\n    exceptions: append\n",
		       EXC_RULES);
	rs = expect_load(b.data);
	pal_buf_free(&b);
	ASSERT_FIRES(rs, "{type: open, path: /etc/z, proc: {name: sed, args: [sed, -i, x]}}", "");
	ASSERT_FIRES(rs, "{type: open, path: /etc/y, proc: {name: sed, args: [sed, -n, x]}}",
		     "|W|");
	ASSERT_FIRES(rs, "{type: open, path: /etc/z, proc: {name: yum}}", "");
	ASSERT_FIRES(rs, "{type: open, path: /etc/z.bak, proc: {name: x}}", "");
	eng_ruleset_free(rs);

	expect_error(
	    "- rule: W\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
	    "info\n  exceptions:\n    - name: e\n      fields: [proc.name, fd.name]\n"
	    "      values:\n        - [a]\n",
	    "test.yaml:10:11: error: rule 'W': exception 'e' has 2 fields but a value tuple "
	    "has 1 item");
	expect_error(
	    "- rule: W\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
	    "info\n  exceptions:\n    - name: e\n      fields: [proc.name]\n      comps: [~=]\n",
	    "exception 'e': unknown operator '~=' in comps");
	expect_error(
	    "- rule: W\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
	    "info\n  exceptions:\n    - name: e\n      fields: proc.name\n      comps: =\n",
	    "exception 'e': a single field needs comps in, pmatch or intersects, not '='");
	expect_error("- rule: W\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
		     "info\n  exceptions:\n    - name: e\n      fields: [proc.nme]\n"
		     "      values: [[x]]\n",
		     "test.yaml:8:16: error: rule 'W': unknown field 'proc.nme'");
	expect_error("- rule: W\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: "
		     "info\n  exceptions:\n    - name: e\n      fields: [proc.name]\n"
		     "      values: [[x]]\n    - name: e\n      fields: [proc.name]\n",
		     "two exceptions are named 'e'");
}

static void actions_and_sources(void **state)
{
	(void)state;
	struct diags g;
	struct eng_ruleset *rs = load_rules(
	    RULE("A", "evt.type = open") RULE(
		"K",
		"evt.type = open") "  actions: [alert, "
				   "kill_process]\n" RULE(
				       "F",
				       "evt.type = open") "  actions: freeze_container\n"
							  "- rule: Audit\n  desc: d\n  condition: "
							  "ka.verb = create\n  output: o\n"
							  "  priority: info\n  source: k8s_audit\n",
	    &g);
	assert_non_null(rs);
	assert_int_equal(eng_ruleset_find_rule(rs, "A")->actions, ENG_ACTION_ALERT);
	assert_int_equal(eng_ruleset_find_rule(rs, "K")->actions,
			 ENG_ACTION_ALERT | ENG_ACTION_KILL_PROCESS);
	assert_int_equal(eng_ruleset_find_rule(rs, "F")->actions, ENG_ACTION_FREEZE_CONTAINER);
	const struct eng_rule *au = eng_ruleset_find_rule(rs, "Audit");
	assert_true(au->skipped);
	assert_true(diags_has(&g, "rule 'Audit': source 'k8s_audit' is not supported by Palisade "
				  "(only syscall): rule skipped"));
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
	expect_error(RULE("A", "evt.type = open") "  actions: [alert, reboot]\n",
		     "test.yaml:6:12: error: rule 'A': unknown action 'reboot': use alert, "
		     "kill_process, kill_container or freeze_container");
}

static void priorities_and_tags_filter(void **state)
{
	(void)state;
	const char *y = "- rule: Low\n  desc: d\n  condition: evt.type = open\n  output: o\n"
			"  priority: DEBUG\n  tags: [noisy]\n"
			"- rule: High\n  desc: d\n  condition: evt.type = open\n  output: o\n"
			"  priority: Critical\n  tags: [container]\n"
			"- rule: Mid\n  desc: d\n  condition: evt.type = open\n  output: o\n"
			"  priority: INFO\n";
	struct diags g;
	struct eng_load_opts o = {.has_min_priority = true, .min_priority = ENG_PRIO_NOTICE};
	struct eng_ruleset *rs = load_rules_opts(y, &g, &o);
	assert_non_null(rs);
	ASSERT_FIRES(rs, EV_CAT, "|High|");
	assert_int_equal(eng_ruleset_find_rule(rs, "Mid")->priority, ENG_PRIO_INFORMATIONAL);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
	const char *tags[] = {"noisy", NULL};
	struct eng_load_opts o2 = {.disabled_tags = tags};
	rs = load_rules_opts(y, &g, &o2);
	ASSERT_FIRES(rs, EV_CAT, "|High|Mid|");
	struct eng_stats st;
	eng_ruleset_stats(rs, &st);
	assert_int_equal(st.rules_disabled, 1);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
	assert_int_equal(eng_priority_from_name("informational"), ENG_PRIO_INFORMATIONAL);
	assert_int_equal(eng_priority_from_name("EMERGENCY"), ENG_PRIO_EMERGENCY);
	assert_int_equal(eng_priority_from_name("warn"), -1);
	assert_string_equal(eng_priority_name(ENG_PRIO_WARNING), "Warning");
}

static void files_and_directories(void **state)
{
	(void)state;
	char dir[] = "/tmp/pal-engine-rules-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char p1[128], p2[128], p3[128];
	snprintf(p1, sizeof(p1), "%s/10-base.yaml", dir);
	snprintf(p2, sizeof(p2), "%s/20-local.yml", dir);
	snprintf(p3, sizeof(p3), "%s/README.txt", dir);
	FILE *f = fopen(p1, "w");
	fputs(
	    "- list: progs\n  items: [cat]\n" RULE("R", "evt.type = open and proc.name in (progs)"),
	    f);
	fclose(f);
	f = fopen(p2, "w");
	fputs("- list: progs\n  items: [ls]\n  override:\n    items: append\n", f);
	fclose(f);
	f = fopen(p3, "w");
	fputs("not yaml: [", f);
	fclose(f);
	const char *paths[] = {dir};
	struct eng_ruleset *rs = NULL;
	struct pal_err err = {0};
	struct eng_load_opts o = {.passwd_path = "/dev/null", .group_path = "/dev/null"};
	assert_int_equal(eng_ruleset_load(paths, 1, &o, &rs, &err), 0);
	ASSERT_FIRES(rs, EV_LS, "|R|");
	eng_ruleset_free(rs);
	const char *missing[] = {"/nonexistent/rules.yaml"};
	assert_true(eng_ruleset_load(missing, 1, &o, &rs, &err) < 0);
	assert_non_null(
	    strstr(err.msg, "rules /nonexistent/rules.yaml: No such file or directory"));
	unlink(p1);
	unlink(p2);
	unlink(p3);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(structure_errors),
	    cmocka_unit_test(warnings_for_unknown_things),
	    cmocka_unit_test(engine_version),
	    cmocka_unit_test(redefinition_replaces),
	    cmocka_unit_test(append_true),
	    cmocka_unit_test(override_section),
	    cmocka_unit_test(exceptions),
	    cmocka_unit_test(actions_and_sources),
	    cmocka_unit_test(priorities_and_tags_filter),
	    cmocka_unit_test(files_and_directories),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
