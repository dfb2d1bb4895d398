/* Runs a file of rule test cases (see tests/data/engine/default_rules_cases.yaml):
 * each case is an event and the exact set of rules it must fire. */
#ifndef PAL_TEST_ENGINE_CASES_H
#define PAL_TEST_ENGINE_CASES_H

#include "fixture.h"

struct case_report {
	struct pal_buf failures; /* one line per problem */
	unsigned cases, failed;
	/* "|rule|" for every rule some case triggers / is a benign neighbour of */
	struct pal_buf triggered, benign;
};

static inline void report_init(struct case_report *r)
{
	memset(r, 0, sizeof(*r));
	pal_buf_init(&r->failures);
	pal_buf_init(&r->triggered);
	pal_buf_init(&r->benign);
	pal_buf_puts(&r->failures, "");
	pal_buf_puts(&r->triggered, "|");
	pal_buf_puts(&r->benign, "|");
}

static inline void report_free(struct case_report *r)
{
	pal_buf_free(&r->failures);
	pal_buf_free(&r->triggered);
	pal_buf_free(&r->benign);
}

static inline bool in_bar_list(const char *list, const char *name)
{
	char key[512];
	snprintf(key, sizeof(key), "|%s|", name);
	return list && strstr(list, key) != NULL;
}

/* Names of a scalar or a sequence, as "|a|b|". */
static inline void names_of(struct pal_yaml *y, yaml_node_t *n, struct pal_buf *out)
{
	pal_buf_puts(out, "|");
	if (pal_yaml_is_scalar(n)) {
		pal_buf_printf(out, "%s|", pal_yaml_scalar(n));
		return;
	}
	yaml_node_t *it;
	if (pal_yaml_is_seq(n)) {
		PAL_YAML_SEQ_FOREACH(y, n, it)
		{
			pal_buf_printf(out, "%s|", pal_yaml_scalar(it));
		}
	}
}

/* Whether two "|a|b|" lists hold the same names (order aside). */
static inline bool same_names(const char *a, const char *b)
{
	char buf[4096];
	for (int pass = 0; pass < 2; pass++) {
		const char *x = pass ? b : a, *other = pass ? a : b;
		snprintf(buf, sizeof(buf), "%s", x);
		for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok;
		     tok = strtok_r(NULL, "|", &save))
			if (!in_bar_list(other, tok))
				return false;
	}
	return true;
}

static inline void run_cases(struct eng_ruleset *rs, const char *path, struct case_report *rep)
{
	struct pal_yaml y;
	struct pal_err err = {0};
	if (pal_yaml_load_file(&y, path, 1 << 22, &err) < 0) {
		pal_buf_printf(&rep->failures, "cannot load %s: %s\n", path, err.msg);
		rep->failed++;
		return;
	}
	yaml_node_t *item;
	PAL_YAML_SEQ_FOREACH(&y, pal_yaml_root(&y), item)
	{
		const char *name = pal_yaml_scalar(pal_yaml_map_get(&y, item, "case"));
		if (!name)
			continue; /* defs */
		rep->cases++;
		struct pal_buf want, benign;
		pal_buf_init(&want);
		pal_buf_init(&benign);
		names_of(&y, pal_yaml_map_get(&y, item, "expect"), &want);
		yaml_node_t *bn = pal_yaml_map_get(&y, item, "benign_for");
		if (bn)
			names_of(&y, bn, &benign);
		else
			pal_buf_puts(&benign, "|");
		struct evfix f;
		memset(&f, 0, sizeof(f));
		fx_event(&f, &y, pal_yaml_map_get(&y, item, "event"));
		if (f.error) {
			pal_buf_printf(&rep->failures, "case '%s' (line %u): bad event: %s\n", name,
				       pal_yaml_line(item), f.error);
			rep->failed++;
		} else {
			struct fired fr;
			fired_init(&fr);
			eng_eval(rs, f.ev, fired_cb, &fr);
			const char *got = fr.names.len ? fr.names.data : "|";
			if (!same_names(want.data, got)) {
				pal_buf_printf(&rep->failures,
					       "case '%s' (line %u): fired %s, expected %s\n", name,
					       pal_yaml_line(item), got, want.data);
				rep->failed++;
			}
			fired_free(&fr);
		}
		/* Bookkeeping for coverage. */
		char buf[4096];
		snprintf(buf, sizeof(buf), "%s", want.data);
		for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok;
		     tok = strtok_r(NULL, "|", &save)) {
			if (!eng_ruleset_find_rule(rs, tok)) {
				pal_buf_printf(&rep->failures, "case '%s': no rule named '%s'\n",
					       name, tok);
				rep->failed++;
			}
			pal_buf_printf(&rep->triggered, "%s|", tok);
		}
		snprintf(buf, sizeof(buf), "%s", benign.data);
		for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok;
		     tok = strtok_r(NULL, "|", &save)) {
			if (!eng_ruleset_find_rule(rs, tok)) {
				pal_buf_printf(&rep->failures, "case '%s': no rule named '%s'\n",
					       name, tok);
				rep->failed++;
			}
			if (in_bar_list(want.data, tok)) {
				pal_buf_printf(
				    &rep->failures,
				    "case '%s' is a benign neighbour of '%s' but expects it\n",
				    name, tok);
				rep->failed++;
			}
			pal_buf_printf(&rep->benign, "%s|", tok);
		}
		fx_free(&f);
		pal_buf_free(&want);
		pal_buf_free(&benign);
	}
	pal_yaml_free(&y);
}

#endif
