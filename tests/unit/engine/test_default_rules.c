/* The default ruleset (rules/, built into the binary): it loads without a
 * warning, and every rule fires on its trigger events and stays quiet on its
 * benign neighbours (tests/data/engine/default_rules_cases.yaml). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cases.h"

static struct eng_ruleset *load_builtin(struct diags *g)
{
	diags_init(g);
	struct eng_load_opts o = {
	    .diag = diags_cb,
	    .diag_ud = g,
	    .has_clock_offset = true,
	    .passwd_path = PAL_TEST_DATA_DIR "/engine/passwd",
	    .group_path = PAL_TEST_DATA_DIR "/engine/group",
	};
	struct eng_loader *l = eng_loader_new(&o);
	eng_loader_add_builtin(l);
	struct eng_ruleset *rs = NULL;
	struct pal_err err = {0};
	eng_loader_finish(l, &rs, &err);
	eng_loader_free(l);
	return rs;
}

static void loads_cleanly(void **state)
{
	(void)state;
	struct diags g;
	struct eng_ruleset *rs = load_builtin(&g);
	if (!rs || g.warnings || g.errors)
		fail_msg("the default ruleset must load without diagnostics:\n%s", g.text.data);
	struct eng_stats st;
	eng_ruleset_stats(rs, &st);
	assert_true(st.rules >= 35);
	assert_int_equal(st.rules_enabled, st.rules);
	/* Every rule is narrowed to the event types it needs. */
	for (size_t i = 0; i < eng_ruleset_rule_count(rs); i++) {
		const struct eng_rule *r = eng_ruleset_rule(rs, i);
		struct eng_evtset s;
		eng_rule_event_set(rs, r, &s);
		unsigned n = 0;
		for (unsigned t = 0; t < PAL_EVT__COUNT; t++)
			n += eng_evtset_has(&s, t);
		if (n == 0 || n > 20)
			fail_msg("rule '%s' matches %u event types", r->name, n);
		assert_int_equal(r->support, ENG_SUPPORT_FULL);
		assert_true(r->actions & ENG_ACTION_ALERT);
		assert_true(r->ntags > 0);
	}
	/* The files are embedded in name order. */
	assert_int_equal(eng_builtin_count(), 5);
	assert_string_equal(eng_builtin_name(0), "00-base.yaml");
	size_t len;
	const char *text = eng_builtin_text(0, &len);
	assert_true(len > 100);
	assert_non_null(strstr(text, "- macro: pal_spawned_process"));
	assert_null(eng_builtin_text(5, NULL));
	/* Conservative defaults: only two rules kill by default. */
	unsigned killers = 0;
	for (size_t i = 0; i < eng_ruleset_rule_count(rs); i++)
		killers += (eng_ruleset_rule(rs, i)->actions & ENG_ACTION_KILL_PROCESS) != 0;
	assert_int_equal(killers, 2);
	assert_true(eng_ruleset_find_rule(rs, "Cgroup Release Agent Written")->actions &
		    ENG_ACTION_KILL_PROCESS);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
}

static void triggers_and_benign_neighbours(void **state)
{
	(void)state;
	struct diags g;
	struct eng_ruleset *rs = load_builtin(&g);
	assert_non_null(rs);
	struct case_report rep;
	report_init(&rep);
	run_cases(rs, PAL_TEST_DATA_DIR "/engine/default_rules_cases.yaml", &rep);
	for (size_t i = 0; i < eng_ruleset_rule_count(rs); i++) {
		const struct eng_rule *r = eng_ruleset_rule(rs, i);
		if (!in_bar_list(rep.triggered.data, r->name)) {
			pal_buf_printf(&rep.failures, "rule '%s' has no triggering case\n",
				       r->name);
			rep.failed++;
		}
		if (!in_bar_list(rep.benign.data, r->name)) {
			pal_buf_printf(&rep.failures, "rule '%s' has no benign neighbour\n",
				       r->name);
			rep.failed++;
		}
	}
	if (rep.failed)
		fail_msg("%u problem(s) in %u cases:\n%s", rep.failed, rep.cases,
			 rep.failures.data);
	assert_true(rep.cases >= 100);
	report_free(&rep);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(loads_cleanly),
	    cmocka_unit_test(triggers_and_benign_neighbours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
