/* The compiler: name resolution (macros, lists, fields), type checking,
 * constants, event-type folding, and the diagnostics users see, checked
 * verbatim with their file:line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#define RULE(name, cond)                                                                           \
	"- rule: " name "\n  desc: d\n  condition: " cond "\n  output: o\n  priority: notice\n"

/* Loads yaml expecting failure; the diagnostics must contain want. */
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

/* Loads yaml expecting success with a warning containing want. */
static struct eng_ruleset *expect_warning(const char *yaml, const char *want, struct diags *g)
{
	struct eng_ruleset *rs = load_rules(yaml, g);
	if (!rs || !diags_has(g, want))
		fail_msg("expected warning:\n  %s\ngot (%s):\n%s", want, rs ? "loaded" : "failed",
			 g->text.data);
	return rs;
}

static void unknown_fields(void **state)
{
	(void)state;
	expect_error(RULE("Shell", "evt.type = execve and proc.nmae = bash"),
		     "test.yaml:3:36: error: rule 'Shell': unknown field 'proc.nmae' (did you mean "
		     "proc.name?)");
	/* In a macro: the macro's own position, and the rule that uses it. */
	expect_error(
	    "- macro: m\n  condition: >\n    evt.type = open and\n"
	    "    fd.nmae startswith /etc\n" RULE("R", "m and proc.name = x"),
	    "test.yaml:4:5: error: rule 'R': in macro 'm': unknown field 'fd.nmae' (did you "
	    "mean fd.name?)");
	expect_error(RULE("R", "evt.type = open and foo.bar = 1"),
		     "test.yaml:3:34: error: rule 'R': unknown field 'foo.bar'\n");
	/* In outputs too. */
	expect_error("- rule: R\n  desc: d\n  condition: evt.type = open\n"
		     "  output: file=%fd.nme by %proc.name\n  priority: notice\n",
		     "test.yaml:4:17: error: rule 'R': unknown field 'fd.nme'");
}

static void skip_if_unknown_filter(void **state)
{
	(void)state;
	struct diags g;
	struct eng_ruleset *rs =
	    expect_warning("- rule: R\n  desc: d\n  condition: evt.type = open and proc.nmae = x\n"
			   "  output: o\n  priority: notice\n  skip-if-unknown-filter: true\n" RULE(
			       "Other", "evt.type = open"),
			   "test.yaml:3:34: warning: rule 'R': unknown field 'proc.nmae': rule "
			   "skipped (skip-if-unknown-filter)",
			   &g);
	const struct eng_rule *r = eng_ruleset_find_rule(rs, "R");
	assert_non_null(r);
	assert_true(r->skipped);
	assert_false(eng_ruleset_find_rule(rs, "Other")->skipped);
	struct eng_stats st;
	eng_ruleset_stats(rs, &st);
	assert_int_equal(st.rules_skipped, 1);
	assert_int_equal(st.rules_enabled, 1);
	struct evfix f;
	struct pal_event *ev = fx_parse(&f, "{type: open, res: 3, path: /x, proc: {name: x}}");
	assert_int_equal(eng_eval(rs, ev, NULL, NULL), 1); /* only Other */
	fx_free(&f);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
}

static void unavailable_fields(void **state)
{
	(void)state;
	/* Used positively: loads, that alternative never matches. */
	struct diags g;
	struct eng_ruleset *rs = expect_warning(
	    RULE("R", "evt.type = open and (fd.nameraw contains '../' or fd.name = /x)"),
	    "test.yaml:3:35: warning: rule 'R': field 'fd.nameraw' is not available in Palisade "
	    "(the sensor reports resolved absolute paths only): comparisons on it never match",
	    &g);
	const struct eng_rule *r = eng_ruleset_find_rule(rs, "R");
	assert_int_equal(r->support, ENG_SUPPORT_PARTIAL);
	assert_false(r->skipped);
	struct evfix f;
	assert_int_equal(eng_eval(rs, fx_parse(&f, "{type: open, res: 3, path: /x}"), NULL, NULL),
			 1);
	fx_free(&f);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);

	/* Under a negation it would broaden the rule: skipped. */
	rs = expect_warning(
	    RULE("R", "evt.type = open and not fd.nameraw contains '../'"),
	    "and is used under 'not': the rule cannot be evaluated faithfully and is "
	    "skipped",
	    &g);
	assert_true(eng_ruleset_find_rule(rs, "R")->skipped);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);

	/* Nothing left that can match: loaded but inert. */
	rs = expect_warning(RULE("R", "evt.type = open and fd.sip.name = example.com"),
			    "warning: rule 'R': the rule can never match on Palisade", &g);
	assert_int_equal(eng_ruleset_find_rule(rs, "R")->support, ENG_SUPPORT_NONE);
	struct eng_evtset s;
	eng_ruleset_event_set(rs, &s);
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++)
		assert_false(eng_evtset_has(&s, t));
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);

	/* Strict mode: errors. */
	struct eng_load_opts o = {.strict_fields = true};
	rs = load_rules_opts(RULE("R", "evt.type = open and fd.nameraw contains x"), &g, &o);
	assert_null(rs);
	assert_true(diags_has(&g, "error: rule 'R': field 'fd.nameraw' is not available in "
				  "Palisade"));
	pal_buf_free(&g.text);
}

static void type_errors(void **state)
{
	(void)state;
	expect_error(
	    RULE("R", "evt.type = open and proc.pid contains 1"),
	    "test.yaml:3:43: error: rule 'R': operator 'contains' needs a string field, but "
	    "proc.pid is a number");
	expect_error(RULE("R", "evt.type = open and proc.name > 1"),
		     "error: rule 'R': operator '>' compares numbers, but proc.name is a string");
	expect_error(
	    RULE("R", "evt.type = open and proc.pid = abc"),
	    "test.yaml:3:45: error: rule 'R': 'abc' is not a number, and proc.pid is numeric");
	expect_error(RULE("R", "evt.type = open and evt.failed = yes"),
		     "error: rule 'R': evt.failed is a boolean: compare it with true or false, not "
		     "'yes'");
	expect_error(RULE("R", "evt.type = connect and fd.sip = 10.0.0.300"),
		     "'10.0.0.300' is not an IP address or network");
	expect_error(RULE("R", "evt.type = connect and fd.sip in (10.0.0.1, nope)"),
		     "'nope' is not an IP address or network");
	expect_error(RULE("R", "evt.type = open and user.uid in (0, root)"),
		     "'root' is not a number, and user.uid is a number");
	expect_error(RULE("R", "evt.type = open and fd.name regex '(unclosed'"),
		     "error: rule 'R': invalid regular expression '(unclosed'");
	expect_error(RULE("R", "evt.type = open and fd.name bcontains 0g"),
		     "'0g' is not a hex byte string");
	expect_error(RULE("R", "evt.type = open and tolower(proc.pid) = x"),
		     "tolower() needs a string, but proc.pid is a number");
	expect_error(RULE("R", "evt.type = open and proc.name = val(proc.pid)"),
		     "cannot compare proc.name (a string) with proc.pid (a number)");
	expect_error(RULE("R", "evt.type = open and proc.name[2] = x"),
		     "field proc.name takes no argument");
	expect_error(RULE("R", "evt.type = open and proc.aname[x] = y"),
		     "proc.aname[...] takes an ancestor generation 0-1024, not 'x'");
	expect_error(RULE("R", "evt.type = open and evt.arg.nosuch = y"),
		     "no Palisade event has an argument named 'nosuch'");
	expect_error(RULE("R", "evt.type = open and evt.arg = y"),
		     "evt.arg needs an argument: evt.arg.NAME or evt.arg[N]");
}

static void names(void **state)
{
	(void)state;
	expect_error(RULE("R", "evt.type = open and nosuch_macro"),
		     "test.yaml:3:34: error: rule 'R': undefined macro 'nosuch_macro'");
	expect_error("- list: l\n  items: [a]\n" RULE("R", "evt.type = open and l"),
		     "error: rule 'R': 'l' is a list, not a macro: use it as `field in (l)`");
	expect_error(RULE("R", "evt.type = open and proc.name in nolist"),
		     "test.yaml:3:47: error: rule 'R': undefined list 'nolist'");
	expect_error("- macro: a\n  condition: b\n- macro: b\n  condition: a\n" RULE("R", "a"),
		     "error: rule 'R': in macro 'b': macro 'a' refers to itself");
	expect_error("- list: a\n  items: [b]\n- list: b\n  items: [x, a]\n" RULE(
			 "R", "evt.type = open and proc.name in (a)"),
		     "error: rule 'R': list 'a' contains itself");
	/* A macro with a syntax error is an error even if nothing uses it. */
	expect_error("- macro: broken\n  condition: proc.name = \n" RULE("R", "evt.type = open"),
		     "test.yaml:2:25: error: macro 'broken': syntax error in condition: unexpected "
		     "end of condition: expected a value");
	expect_error(
	    RULE("R", "evt.type = open and (proc.name = x"),
	    "test.yaml:3:48: error: rule 'R': syntax error in condition: unexpected end of "
	    "condition: expected ')'");
}

static void lists_nest_and_quote(void **state)
{
	(void)state;
	const char *pre = "- list: inner\n  items: ['\"puma reactor\"', 'runc:[0:PARENT]']\n"
			  "- list: outer\n  items: [inner, nginx]\n";
	const char *ev_puma = "{type: execve, proc: {name: puma reactor}}";
	const char *ev_runc = "{type: execve, proc: {name: 'runc:[0:PARENT]'}}";
	const char *ev_x = "{type: execve, proc: {name: inner}}";
	assert_int_equal(cond_matches_with(pre, "proc.name in (outer)", ev_puma), 1);
	assert_int_equal(cond_matches_with(pre, "proc.name in (outer)", ev_runc), 1);
	/* The name of a list is not one of its values */
	assert_int_equal(cond_matches_with(pre, "proc.name in (outer)", ev_x), 0);
	/* but a quoted value is never a list name */
	assert_int_equal(cond_matches_with(pre, "proc.name in (\"inner\")", ev_x), 1);
	/* Macros are resolved when rules compile, so order does not matter. */
	assert_int_equal(cond_matches_with("- macro: m\n  condition: proc.name in (late)\n"
					   "- list: late\n  items: [inner]\n",
					   "evt.type = execve and m", ev_x),
			 1);
}

static void event_type_sets(void **state)
{
	(void)state;
	struct diags g;
	struct eng_ruleset *rs =
	    load_rules("- macro: opens\n  condition: evt.type in (open, openat, openat2)\n" RULE(
			   "R", "opens and not evt.type = openat2 and proc.name = x")
			   RULE("S", "(evt.type = execve or evt.type = connect) and proc.name = y"),
		       &g);
	assert_non_null(rs);
	struct eng_evtset s;
	eng_rule_event_set(rs, eng_ruleset_find_rule(rs, "R"), &s);
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++)
		assert_int_equal(eng_evtset_has(&s, t), t == PAL_EVT_OPEN || t == PAL_EVT_OPENAT);
	const char *names[8];
	assert_int_equal(eng_ruleset_syscalls_needed(rs, names, 8), 4);
	assert_string_equal(names[0], "execve");
	assert_string_equal(names[1], "open");
	assert_string_equal(names[2], "openat");
	assert_string_equal(names[3], "connect");
	assert_int_equal(eng_ruleset_syscalls_needed(rs, NULL, 0), 4);
	eng_ruleset_event_set(rs, &s);
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++)
		assert_int_equal(eng_evtset_has(&s, t), t == PAL_EVT_OPEN || t == PAL_EVT_OPENAT ||
							    t == PAL_EVT_EXECVE ||
							    t == PAL_EVT_CONNECT);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);

	/* No evt.type restriction: every event, and a warning. */
	rs = expect_warning(RULE("R", "proc.name = x"),
			    "warning: rule 'R': the condition does not restrict evt.type", &g);
	eng_ruleset_event_set(rs, &s);
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++)
		assert_true(eng_evtset_has(&s, t));
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);

	/* A real syscall the sensor does not report: a warning; a typo: an error. */
	rs = expect_warning(
	    RULE("R", "evt.type in (chdir, open) and proc.name = x"),
	    "test.yaml:3:27: warning: rule 'R': event type 'chdir' is not captured by "
	    "Palisade's sensor: it never matches",
	    &g);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
	expect_error(RULE("R", "evt.type = opne and proc.name = x"),
		     "test.yaml:3:25: error: rule 'R': unknown event type 'opne'");
}

static void constant_folding(void **state)
{
	(void)state;
	/* Falco's never_true idiom compiles away: `and not never_true` is free. */
	struct diags g;
	struct eng_ruleset *rs = load_rules(
	    "- macro: never_true\n  condition: (evt.num=0)\n"
	    "- macro: always\n  condition: evt.type = open or not evt.type = open\n" RULE(
		"R", "evt.type = open and not never_true and always"),
	    &g);
	assert_non_null(rs);
	struct evfix f;
	assert_int_equal(eng_eval(rs, fx_parse(&f, "{type: open}"), NULL, NULL), 1);
	fx_free(&f);
	assert_int_equal(eng_eval(rs, fx_parse(&f, "{type: execve}"), NULL, NULL), 0);
	fx_free(&f);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
}

static void regex_limits(void **state)
{
	(void)state;
	expect_error(RULE("R", "evt.type = open and fd.name regex 'a{1000}'"),
		     "repetition count 1000 is over 255");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unknown_fields),
	    cmocka_unit_test(skip_if_unknown_filter),
	    cmocka_unit_test(unavailable_fields),
	    cmocka_unit_test(type_errors),
	    cmocka_unit_test(names),
	    cmocka_unit_test(lists_nest_and_quote),
	    cmocka_unit_test(event_type_sets),
	    cmocka_unit_test(constant_folding),
	    cmocka_unit_test(regex_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
