/* palisade rules check | fields: validate rule files the way the agent loads
 * them, and list the fields rules can use. */
#include "cli/commands.h"
#include "common/jsonutil.h"
#include "common/strutil.h"
#include "engine/engine.h"
#include "engine/internal.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: palisade rules check [OPTIONS] FILE|DIR...\n"
		"       palisade rules check [OPTIONS] --builtin\n"
		"       palisade rules fields [--json]\n\n"
		"check   loads rule files (Falco syntax) exactly as the agent would and prints\n"
		"        every error and warning as file:line:col, a summary, and the event\n"
		"        types (syscalls) the enabled rules need the sensor to capture.\n"
		"        Directories contribute their *.yaml files in name order; files load in\n"
		"        the order given, so later files can override earlier ones.\n"
		"fields  lists the fields conditions and outputs can use.\n\n"
		"Options:\n"
		"  --builtin   check the default ruleset built into palisade\n"
		"  --list      also list every rule with its priority, state and support\n"
		"  --explain   with --list: print each rule's compiled condition\n"
		"  --json      machine-readable output on stdout\n"
		"  --strict    Falco fields Palisade does not capture are errors, not warnings\n"
		"  --quiet     print errors only\n"
		"  -h, --help  this help\n\n"
		"Exit status: 0 the rules load, 1 errors, 2 bad command line.\n");
}

struct check_out {
	bool json, quiet;
	json_t *errors, *warnings;
};

static json_t *diag_json(const struct eng_diag *d)
{
	json_t *j = json_object();
	if (d->file)
		json_object_set_new(j, "file", json_string(d->file));
	if (d->line) {
		json_object_set_new(j, "line", json_integer(d->line));
		json_object_set_new(j, "col", json_integer(d->col));
	}
	if (d->kind && d->item) {
		json_object_set_new(j, "kind", json_string(d->kind));
		json_object_set_new(j, "item", json_string(d->item));
	}
	json_object_set_new(j, "code", json_string(d->code ? d->code : ""));
	json_object_set_new(j, "message", json_string(d->message));
	return j;
}

static void on_diag(const struct eng_diag *d, void *ud)
{
	struct check_out *o = ud;
	if (o->json) {
		json_array_append_new(d->level == ENG_DIAG_ERROR ? o->errors : o->warnings,
				      diag_json(d));
		return;
	}
	if (o->quiet && d->level != ENG_DIAG_ERROR)
		return;
	char line[PAL_ERR_MSG_MAX];
	eng_diag_format(d, line, sizeof(line));
	printf("%s\n", line);
}

static const char *support_name(const struct eng_rule *r)
{
	if (r->skipped)
		return "skipped";
	switch (r->support) {
	case ENG_SUPPORT_FULL:
		return "full";
	case ENG_SUPPORT_PARTIAL:
		return "partial";
	default:
		return "none";
	}
}

static const char *state_name(const struct eng_rule *r)
{
	return r->skipped ? "skipped" : r->enabled ? "enabled" : "disabled";
}

static json_t *evtset_json(const struct eng_evtset *s)
{
	json_t *a = json_array();
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++)
		if (eng_evtset_has(s, t))
			json_array_append_new(a, json_string(pal_evt_type_name(t)));
	return a;
}

static json_t *rule_json(const struct eng_ruleset *rs, const struct eng_rule *r)
{
	json_t *j = json_object();
	json_object_set_new(j, "name", json_string(r->name));
	json_object_set_new(j, "priority", json_string(eng_priority_name(r->priority)));
	json_object_set_new(j, "state", json_string(state_name(r)));
	json_object_set_new(j, "support", json_string(support_name(r)));
	if (r->support_note)
		json_object_set_new(j, "note", json_string(r->support_note));
	json_t *tags = json_array();
	for (size_t i = 0; i < r->ntags; i++)
		json_array_append_new(tags, json_string(r->tags[i]));
	json_object_set_new(j, "tags", tags);
	json_t *acts = json_array();
	for (uint32_t b = 1; b; b <<= 1)
		if (r->actions & b)
			json_array_append_new(acts,
					      json_string(eng_action_name((enum eng_action)b)));
	json_object_set_new(j, "actions", acts);
	json_object_set_new(j, "file", json_string(r->file));
	json_object_set_new(j, "line", json_integer(r->line));
	struct eng_evtset s;
	eng_rule_event_set(rs, r, &s);
	json_object_set_new(j, "event_types", evtset_json(&s));
	return j;
}

static json_t *stats_json(const struct eng_stats *st)
{
	json_t *j = json_object();
	json_object_set_new(j, "rules", json_integer(st->rules));
	json_object_set_new(j, "enabled", json_integer(st->rules_enabled));
	json_object_set_new(j, "disabled", json_integer(st->rules_disabled));
	json_object_set_new(j, "skipped", json_integer(st->rules_skipped));
	json_object_set_new(j, "partial", json_integer(st->rules_partial));
	json_object_set_new(j, "inert", json_integer(st->rules_inert));
	json_object_set_new(j, "macros", json_integer(st->macros));
	json_object_set_new(j, "lists", json_integer(st->lists));
	json_object_set_new(j, "errors", json_integer(st->errors));
	json_object_set_new(j, "warnings", json_integer(st->warnings));
	return j;
}

static bool explain;

static void print_summary(const struct eng_stats *st, const struct eng_ruleset *rs, bool list)
{
	printf("rules: %u (%u enabled, %u disabled, %u skipped)", st->rules, st->rules_enabled,
	       st->rules_disabled, st->rules_skipped);
	if (st->rules_partial || st->rules_inert)
		printf("; of the enabled, %u partially supported, %u can never match",
		       st->rules_partial, st->rules_inert);
	printf("\nmacros: %u, lists: %u\nerrors: %u, warnings: %u\n", st->macros, st->lists,
	       st->errors, st->warnings);
	if (!rs)
		return;
	struct eng_evtset need;
	eng_ruleset_event_set(rs, &need);
	unsigned n = 0;
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++)
		n += eng_evtset_has(&need, t);
	printf("event types needed (%u):", n);
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++)
		if (eng_evtset_has(&need, t))
			printf(" %s", pal_evt_type_name(t));
	printf("\n");
	if (!list)
		return;
	printf("\n%-13s %-8s %-8s %s\n", "PRIORITY", "STATE", "SUPPORT", "RULE");
	for (size_t i = 0; i < eng_ruleset_rule_count(rs); i++) {
		const struct eng_rule *r = eng_ruleset_rule(rs, i);
		printf("%-13s %-8s %-8s %s\n", eng_priority_name(r->priority), state_name(r),
		       support_name(r), r->name);
		if (r->support_note)
			printf("%-31s (%s)\n", "", r->support_note);
		if (explain) {
			char *t = eng_rule_compiled_text(rs, r);
			printf("%-31s %s\n", "", t);
			free(t);
		}
	}
}

static int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"builtin", no_argument, NULL, 'b'}, {"list", no_argument, NULL, 'l'},
	    {"json", no_argument, NULL, 'j'},	 {"strict", no_argument, NULL, 's'},
	    {"quiet", no_argument, NULL, 'q'},	 {"help", no_argument, NULL, 'h'},
	    {"explain", no_argument, NULL, 'e'}, {NULL, 0, NULL, 0},
	};
	bool builtin = false, list = false, strict = false;
	explain = false;
	struct check_out out = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			builtin = true;
			break;
		case 'l':
			list = true;
			break;
		case 'j':
			out.json = true;
			break;
		case 's':
			strict = true;
			break;
		case 'q':
			out.quiet = true;
			break;
		case 'e':
			explain = list = true;
			break;
		case 'h':
			usage(stdout);
			return PAL_EXIT_OK;
		default:
			usage(stderr);
			return PAL_EXIT_USAGE;
		}
	}
	if (optind >= argc && !builtin) {
		fprintf(stderr,
			"palisade rules check: give rule files or directories, or --builtin "
			"for the default ruleset\n");
		return PAL_EXIT_USAGE;
	}
	out.errors = json_array();
	out.warnings = json_array();
	struct eng_load_opts lo = {.diag = on_diag, .diag_ud = &out, .strict_fields = strict};
	struct eng_loader *l = eng_loader_new(&lo);
	struct pal_err err = {0};
	int r = 0;
	json_t *files = json_array();
	if (builtin) {
		eng_loader_add_builtin(l);
		for (size_t i = 0; i < eng_builtin_count(); i++)
			json_array_append_new(files,
					      json_sprintf("builtin:%s", eng_builtin_name(i)));
	}
	for (int i = optind; i < argc && r == 0; i++) {
		json_array_append_new(files, json_string(argv[i]));
		r = eng_loader_add_path(l, argv[i], &err);
	}
	struct eng_ruleset *rs = NULL;
	if (r == 0)
		r = eng_loader_finish(l, &rs, &err);
	struct eng_stats st;
	eng_loader_stats(l, &st);
	bool io_error = r < 0 && st.errors == 0;
	if (out.json) {
		json_t *j = json_object();
		json_object_set_new(j, "ok", json_boolean(r == 0));
		json_object_set_new(j, "engine_version", json_string(ENG_ENGINE_VERSION));
		json_object_set_new(j, "files", files);
		if (io_error)
			json_object_set_new(j, "error", json_string(err.msg));
		json_object_set_new(j, "errors", out.errors);
		json_object_set_new(j, "warnings", out.warnings);
		json_object_set_new(j, "summary", stats_json(&st));
		if (rs) {
			struct eng_evtset need;
			eng_ruleset_event_set(rs, &need);
			json_object_set_new(j, "event_types", evtset_json(&need));
			json_t *rules = json_array();
			for (size_t i = 0; i < eng_ruleset_rule_count(rs); i++)
				json_array_append_new(rules,
						      rule_json(rs, eng_ruleset_rule(rs, i)));
			json_object_set_new(j, "rules", rules);
		}
		char *s = pal_json_dump_line(j);
		fputs(s, stdout);
		free(s);
		json_decref(j);
	} else {
		json_decref(files);
		json_decref(out.errors);
		json_decref(out.warnings);
		if (io_error)
			fprintf(stderr, "palisade rules check: %s\n", err.msg);
		else
			print_summary(&st, rs, list);
	}
	eng_ruleset_free(rs);
	eng_loader_free(l);
	return r == 0 ? PAL_EXIT_OK : PAL_EXIT_FAILURE;
}

static int cmd_fields(int argc, char **argv)
{
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return PAL_EXIT_OK;
		} else {
			usage(stderr);
			return PAL_EXIT_USAGE;
		}
	}
	json_t *arr = json ? json_array() : NULL;
	for (size_t i = 0; i < eng_field_count(); i++) {
		const struct eng_field *f = eng_field_at(i);
		bool na = f->flags & FF_UNAVAILABLE;
		const char *arg = f->argmode == FA_INDEX    ? "[N]"
				  : f->argmode == FA_KEY    ? "[NAME]"
				  : f->argmode == FA_EVTARG ? ".NAME"
							    : "";
		if (json) {
			json_t *j = json_object();
			json_object_set_new(j, "name", json_string(f->name));
			json_object_set_new(j, "type", json_string(eng_vtype_name(f->type)));
			json_object_set_new(j, "argument", json_string(arg));
			json_object_set_new(j, "available", json_boolean(!na));
			json_object_set_new(j, "description", json_string(f->desc));
			json_array_append_new(arr, j);
		} else {
			char name[96];
			snprintf(name, sizeof(name), "%s%s", f->name, arg);
			printf("%-40s %-10s %s%s\n", name, eng_vtype_name(f->type),
			       na ? "NOT AVAILABLE: " : "", f->desc);
		}
	}
	if (json) {
		char *s = pal_json_dump_line(arr);
		fputs(s, stdout);
		free(s);
		json_decref(arr);
	}
	return PAL_EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? PAL_EXIT_USAGE : PAL_EXIT_OK;
	}
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fields"))
		return cmd_fields(argc - 1, argv + 1);
	fprintf(stderr, "palisade rules: unknown subcommand '%s' (check, fields)\n", argv[1]);
	return PAL_EXIT_USAGE;
}
