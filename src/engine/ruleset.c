/* The compiled ruleset: finishing a load (buckets by event type, the set of
 * events the sensor must capture), accessors, and alert output formatting. */
#include "engine/builtin.h"
#include "engine/loader.h"
#include "common/cleanup.h"
#include "common/strutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *const prio_names[] = {"Emergency", "Alert",	"Critical",	 "Error",
					 "Warning",   "Notice", "Informational", "Debug"};

const char *eng_priority_name(enum eng_priority p)
{
	return (unsigned)p < PAL_ARRAY_SIZE(prio_names) ? prio_names[p] : "Unknown";
}

int eng_priority_from_name(const char *s)
{
	if (!s)
		return -1;
	for (size_t i = 0; i < PAL_ARRAY_SIZE(prio_names); i++)
		if (!strcasecmp(s, prio_names[i]))
			return (int)i;
	if (!strcasecmp(s, "info"))
		return ENG_PRIO_INFORMATIONAL;
	return -1;
}

static const struct {
	enum eng_action a;
	const char *name;
} action_names[] = {
    {ENG_ACTION_ALERT, "alert"},
    {ENG_ACTION_KILL_PROCESS, "kill_process"},
    {ENG_ACTION_KILL_CONTAINER, "kill_container"},
    {ENG_ACTION_FREEZE_CONTAINER, "freeze_container"},
};

const char *eng_action_name(enum eng_action a)
{
	for (size_t i = 0; i < PAL_ARRAY_SIZE(action_names); i++)
		if (action_names[i].a == a)
			return action_names[i].name;
	return NULL;
}

int eng_action_from_name(const char *s)
{
	for (size_t i = 0; s && i < PAL_ARRAY_SIZE(action_names); i++)
		if (!strcmp(s, action_names[i].name))
			return (int)action_names[i].a;
	return -1;
}

/* ---- builtin rules ---------------------------------------------------------- */

size_t eng_builtin_count(void)
{
	return eng_builtin_nfiles;
}

const char *eng_builtin_name(size_t i)
{
	return i < eng_builtin_nfiles ? eng_builtin_files[i].name : NULL;
}

const char *eng_builtin_text(size_t i, size_t *len)
{
	if (i >= eng_builtin_nfiles)
		return NULL;
	if (len)
		*len = eng_builtin_files[i].len;
	return eng_builtin_files[i].data;
}

void eng_loader_add_builtin(struct eng_loader *l)
{
	for (size_t i = 0; i < eng_builtin_nfiles; i++) {
		char name[256];
		snprintf(name, sizeof(name), "builtin:%s", eng_builtin_files[i].name);
		eng_loader_add_buffer(l, name, eng_builtin_files[i].data, eng_builtin_files[i].len);
	}
}

/* ---- finishing a load ---------------------------------------------------------- */

static int64_t measure_clock_offset(void)
{
	struct timespec rt, bt;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000 + (rt.tv_nsec - bt.tv_nsec);
}

static void build_buckets(struct eng_ruleset *rs)
{
	memset(&rs->needed, 0, sizeof(rs->needed));
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct crule *r = rs->rules[i];
		if (!r->info.enabled || r->info.skipped)
			continue;
		for (unsigned t = 0; t < PAL_EVT__COUNT; t++)
			if (eng_evtset_has(&r->types, t))
				rs->nbucket[t]++;
		for (unsigned w = 0; w < PAL_ARRAY_SIZE(rs->needed.bits); w++)
			rs->needed.bits[w] |= r->types.bits[w];
	}
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++) {
		rs->bucket[t] =
		    arena_alloc(&rs->arena, sizeof(*rs->bucket[t]) * (rs->nbucket[t] + 1));
		rs->nbucket[t] = 0;
	}
	for (size_t i = 0; i < rs->nrules; i++) {
		struct crule *r = rs->rules[i];
		if (!r->info.enabled || r->info.skipped)
			continue;
		for (unsigned t = 0; t < PAL_EVT__COUNT; t++)
			if (eng_evtset_has(&r->types, t))
				rs->bucket[t][rs->nbucket[t]++] = r;
	}
}

static void count(const struct eng_loader *l, const struct eng_ruleset *rs, struct eng_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->rules = (unsigned)l->nrules;
	st->macros = (unsigned)l->nmacros;
	st->lists = (unsigned)l->nlists;
	for (size_t i = 0; rs && i < rs->nrules; i++) {
		const struct eng_rule *r = &rs->rules[i]->info;
		if (r->skipped) {
			st->rules_skipped++;
			continue;
		}
		if (!r->enabled) {
			st->rules_disabled++;
			continue;
		}
		st->rules_enabled++;
		st->rules_partial += r->support == ENG_SUPPORT_PARTIAL;
		st->rules_inert += r->support == ENG_SUPPORT_NONE;
	}
	st->errors = l->errors;
	st->warnings = l->warnings;
}

int eng_loader_finish(struct eng_loader *l, struct eng_ruleset **out, struct pal_err *err)
{
	*out = NULL;
	struct eng_ruleset *rs = pal_xcalloc(1, sizeof(*rs));
	const struct eng_load_opts *o = &l->opts;
	rs->clock_offset =
	    o->has_clock_offset ? o->realtime_minus_boottime_ns : measure_clock_offset();
	if (gethostname(rs->hostname, sizeof(rs->hostname) - 1) < 0)
		snprintf(rs->hostname, sizeof(rs->hostname), "localhost");
	rs->resolve_name = o->resolve_name;
	rs->resolve_ud = o->resolve_ud;
	rs->resolve_env = o->resolve_env;
	rs->resolve_env_ud = o->resolve_env_ud;
	eng_compile_all(l, rs);
	count(l, rs, &l->stats);
	rs->stats = l->stats;
	if (l->errors) {
		int r = pal_err_set(err, EINVAL, "%u error%s in rules (first: %s)", l->errors,
				    l->errors == 1 ? "" : "s", l->first_error);
		eng_ruleset_free(rs);
		return r;
	}
	rs->names = eng_names_load(o->passwd_path ? o->passwd_path : "/etc/passwd",
				   o->group_path ? o->group_path : "/etc/group");
	build_buckets(rs);
	*out = rs;
	return 0;
}

void eng_ruleset_free(struct eng_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->nregexes; i++) {
		regfree(rs->regexes[i]);
		free(rs->regexes[i]);
	}
	free(rs->regexes);
	free(rs->rules);
	eng_names_free(rs->names);
	arena_release(&rs->arena);
	free(rs);
}

/* ---- accessors ----------------------------------------------------------------- */

size_t eng_ruleset_rule_count(const struct eng_ruleset *rs)
{
	return rs->nrules;
}

const struct eng_rule *eng_ruleset_rule(const struct eng_ruleset *rs, size_t i)
{
	return i < rs->nrules ? &rs->rules[i]->info : NULL;
}

const struct eng_rule *eng_ruleset_find_rule(const struct eng_ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nrules; i++)
		if (!strcmp(rs->rules[i]->info.name, name))
			return &rs->rules[i]->info;
	return NULL;
}

void eng_ruleset_stats(const struct eng_ruleset *rs, struct eng_stats *st)
{
	*st = rs->stats;
}

void eng_ruleset_event_set(const struct eng_ruleset *rs, struct eng_evtset *out)
{
	*out = rs->needed;
}

size_t eng_ruleset_syscalls_needed(const struct eng_ruleset *rs, const char **names, size_t cap)
{
	size_t n = 0;
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++) {
		if (!eng_evtset_has(&rs->needed, t))
			continue;
		if (names && n < cap)
			names[n] = pal_evt_type_name(t);
		n++;
	}
	return n;
}

void eng_rule_event_set(const struct eng_ruleset *rs, const struct eng_rule *r,
			struct eng_evtset *out)
{
	(void)rs;
	/* info is the first member of its crule */
	*out = ((const struct crule *)(const void *)r)->types;
}

/* ---- output formatting ------------------------------------------------------- */

/* Appends s as valid UTF-8: each invalid byte becomes U+FFFD, so alerts are
 * always valid JSON whatever bytes a file name contains. */
static void put_utf8(struct pal_buf *b, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned char c = p[i];
		size_t len = c < 0x80	      ? 1
			     : (c >> 5) == 6  ? 2
			     : (c >> 4) == 14 ? 3
			     : (c >> 3) == 30 ? 4
					      : 0;
		bool ok = len && i + len <= n;
		for (size_t k = 1; ok && k < len; k++)
			ok = (p[i + k] & 0xC0) == 0x80;
		if (ok && len > 1) {
			uint32_t cp = c & (0x7F >> len);
			for (size_t k = 1; k < len; k++)
				cp = (cp << 6) | (p[i + k] & 0x3F);
			static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
			ok = cp >= min[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
		}
		if (!ok) {
			pal_buf_append(b, "\xEF\xBF\xBD", 3);
			i++;
			continue;
		}
		pal_buf_append(b, s + i, len);
		i += len;
	}
}

static void value_text(const struct eng_val *v, struct pal_buf *b)
{
	char ip[INET6_ADDRSTRLEN];
	switch (v->t) {
	case VT_STR:
		put_utf8(b, v->s.p, v->s.n);
		break;
	case VT_INT:
		pal_buf_printf(b, "%lld", (long long)v->i);
		break;
	case VT_BOOL:
		pal_buf_puts(b, v->b ? "true" : "false");
		break;
	case VT_IP:
		inet_ntop(v->ip.family == 4 ? AF_INET : AF_INET6, v->ip.a, ip, sizeof(ip));
		pal_buf_puts(b, ip);
		break;
	}
}

static json_t *value_json(const struct eng_val *v)
{
	switch (v->t) {
	case VT_INT:
		return json_integer(v->i);
	case VT_BOOL:
		return json_boolean(v->b);
	default: {
		struct pal_buf b;
		pal_buf_init(&b);
		value_text(v, &b);
		json_t *j = json_stringn_nocheck(b.data ? b.data : "", b.len);
		pal_buf_free(&b);
		return j;
	}
	}
}

static char *format_output(const struct eng_ctx *c, const struct crule *r, json_t **fields_out)
{
	const struct eng_output *o = &r->out;
	struct eng_val *vals = pal_xcalloc(o->nfields + 1, sizeof(*vals));
	bool *have = pal_xcalloc(o->nfields + 1, sizeof(*have));
	scratch_reset();
	for (size_t i = 0; i < o->nfields; i++) {
		const struct eng_fref *f = o->fields[i];
		if (f->f->flags & FF_UNAVAILABLE)
			continue;
		have[i] = eng_extract(c, f, 0, &vals[i]) > 0;
	}
	struct pal_buf b;
	pal_buf_init(&b);
	for (size_t s = 0; s < o->nsegs; s++) {
		const struct eng_output_seg *seg = &o->segs[s];
		if (seg->lit) {
			pal_buf_append(&b, seg->lit, seg->lit_len);
			continue;
		}
		size_t i = 0;
		while (i < o->nfields && o->fields[i] != seg->field)
			i++;
		if (i < o->nfields && have[i])
			value_text(&vals[i], &b);
		else
			pal_buf_puts(&b, "<NA>");
	}
	if (fields_out) {
		json_t *j = json_object();
		for (size_t i = 0; i < o->nfields; i++)
			json_object_set_new(j, o->fields[i]->display,
					    have[i] ? value_json(&vals[i]) : json_null());
		*fields_out = j;
	}
	free(vals);
	free(have);
	if (!b.data)
		pal_buf_puts(&b, "");
	return pal_buf_steal(&b);
}

char *eng_format_output(const struct eng_ruleset *rs, const struct eng_rule *r,
			const struct pal_event *ev, json_t **output_fields)
{
	struct eng_ctx c = {.ev = ev, .rs = rs, .evt_num = rs->evt_counter};
	return format_output(&c, (const struct crule *)(const void *)r, output_fields);
}

char *eng_format_output_ctx(const struct eng_ctx *c, const struct crule *r, json_t **fields)
{
	return format_output(c, r, fields);
}
