/* Falco's stable ruleset (falco-rules 5.1.0, read from PAL_SHARED_DIR, never
 * copied into the repository) must load unchanged, with the support level of
 * each of its 25 rules as docs/rules.md records it, and its rules must fire as
 * Falco's would (tests/data/engine/falco_cases.yaml). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "cases.h"

#define FALCO_RULES PAL_SHARED_DIR "/compat/falco_rules.yaml"

static struct eng_ruleset *load_falco(struct diags *g, bool strict)
{
	if (access(FALCO_RULES, R_OK) != 0)
		fail_msg(
		    "Falco's ruleset is missing: expected %s (the shared compat folder beside "
		    "the checkout; set PAL_SHARED_DIR at configure time if it lives elsewhere)",
		    FALCO_RULES);
	diags_init(g);
	struct eng_load_opts o = {
	    .diag = diags_cb,
	    .diag_ud = g,
	    .strict_fields = strict,
	    .has_clock_offset = true,
	    .passwd_path = PAL_TEST_DATA_DIR "/engine/passwd",
	    .group_path = PAL_TEST_DATA_DIR "/engine/group",
	};
	struct eng_loader *l = eng_loader_new(&o);
	struct pal_err err = {0};
	assert_int_equal(eng_loader_add_path(l, FALCO_RULES, &err), 0);
	struct eng_ruleset *rs = NULL;
	eng_loader_finish(l, &rs, &err);
	eng_loader_free(l);
	return rs;
}

static void loads(void **state)
{
	(void)state;
	struct diags g;
	struct eng_ruleset *rs = load_falco(&g, false);
	if (!rs || g.errors)
		fail_msg("Falco's ruleset must load:\n%s", g.text.data);
	struct eng_stats st;
	eng_ruleset_stats(rs, &st);
	assert_int_equal(st.rules, 25);
	assert_int_equal(st.macros, 87);
	assert_int_equal(st.lists, 49);
	assert_int_equal(st.rules_enabled, 25);
	assert_int_equal(st.rules_skipped, 0);

	/* The gaps docs/rules.md lists, and nothing else. */
	static const struct {
		const char *rule;
		enum eng_support support;
		const char *note;
	} gaps[] = {
	    {"Directory traversal monitored file read", ENG_SUPPORT_NONE, "fd.nameraw"},
	    {"Contact K8S API Server From Container", ENG_SUPPORT_NONE, "fd.sip.name"},
	    {"Disallowed SSH Connection Non Standard Port", ENG_SUPPORT_PARTIAL, "fd.connected"},
	};
	unsigned full = 0;
	for (size_t i = 0; i < eng_ruleset_rule_count(rs); i++) {
		const struct eng_rule *r = eng_ruleset_rule(rs, i);
		bool is_gap = false;
		for (size_t k = 0; k < PAL_ARRAY_SIZE(gaps); k++) {
			if (strcmp(r->name, gaps[k].rule))
				continue;
			is_gap = true;
			assert_int_equal(r->support, gaps[k].support);
			assert_non_null(r->support_note);
			assert_non_null(strstr(r->support_note, gaps[k].note));
		}
		if (!is_gap) {
			if (r->support != ENG_SUPPORT_FULL)
				fail_msg("rule '%s' is not fully supported: %s", r->name,
					 r->support_note ? r->support_note : "?");
			full++;
		}
	}
	assert_int_equal(full, 22);

	/* What the sensor must capture for Falco's rules. */
	static const char *const need[] = {
	    "execve",	   "execveat",	   "open",   "openat", "openat2", "symlink",
	    "symlinkat",   "link",	   "linkat", "socket", "connect", "ptrace",
	    "init_module", "finit_module", "dup",    "dup2",   "dup3"};
	struct eng_evtset s;
	eng_ruleset_event_set(rs, &s);
	unsigned n = 0;
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++)
		n += eng_evtset_has(&s, t);
	assert_int_equal(n, PAL_ARRAY_SIZE(need));
	for (size_t i = 0; i < PAL_ARRAY_SIZE(need); i++)
		assert_true(eng_evtset_has(&s, (unsigned)pal_evt_type_from_name(need[i])));
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
}

static void strict_mode_names_the_gaps(void **state)
{
	(void)state;
	struct diags g;
	struct eng_ruleset *rs = load_falco(&g, true);
	assert_null(rs);
	assert_true(diags_has(&g, "falco_rules.yaml:313:15: error: rule 'Directory traversal "
				  "monitored file read': in macro 'directory_traversal': field "
				  "'fd.nameraw' is not available in Palisade"));
	assert_true(diags_has(&g, "rule 'Contact K8S API Server From Container': in macro "
				  "'k8s_api_server': field 'fd.sip.name' is not available"));
	pal_buf_free(&g.text);
}

static void rules_fire_as_in_falco(void **state)
{
	(void)state;
	struct diags g;
	struct eng_ruleset *rs = load_falco(&g, false);
	assert_non_null(rs);
	struct case_report rep;
	report_init(&rep);
	run_cases(rs, PAL_TEST_DATA_DIR "/engine/falco_cases.yaml", &rep);
	if (rep.failed)
		fail_msg("%u problem(s) in %u cases:\n%s", rep.failed, rep.cases,
			 rep.failures.data);
	/* Every rule that can fire on Palisade has a case. */
	for (size_t i = 0; i < eng_ruleset_rule_count(rs); i++) {
		const struct eng_rule *r = eng_ruleset_rule(rs, i);
		if (r->support != ENG_SUPPORT_NONE && !in_bar_list(rep.triggered.data, r->name))
			fail_msg("Falco rule '%s' has no case", r->name);
	}
	report_free(&rep);
	eng_ruleset_free(rs);
	pal_buf_free(&g.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(loads),
	    cmocka_unit_test(strict_mode_names_the_gaps),
	    cmocka_unit_test(rules_fire_as_in_falco),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
