/* Compiling parsed conditions into evaluable trees: macros are expanded,
 * lists flattened into hash sets, fields resolved to extractors, constants
 * parsed once (numbers, networks, regexes, hex strings), evt.type comparisons
 * folded into bitmaps, and everything constant folded away. Problems are
 * reported with the rule, the macro they come from and the exact position. */
#include "engine/flags.h"
#include "engine/loader.h"
#include "common/strutil.h"

#include <ctype.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_NODES_PER_RULE 100000
#define MAX_LIST_ITEMS	   100000
#define MAX_REGEX_LEN	   1024
#define TYPE_WORDS	   ((PAL_EVT__COUNT + 63) / 64)

struct cctx {
	struct eng_loader *l;
	struct eng_ruleset *rs;
	struct ld_rule *rule;
	const char *macro_stack[ENG_MAX_PARSE_DEPTH + 1];
	size_t nmacros;
	bool neg;     /* under an odd number of `not` */
	bool failed;  /* an error was reported */
	bool skip;    /* the rule will not be loaded */
	bool partial; /* some comparisons use fields Palisade does not capture */
	bool budget_reported;
	size_t nodes;
	struct pal_buf note;
	struct pal_buf missing; /* ",field,field," of warned fields, to warn once */
};

static struct cnode node_true = {.kind = CN_TRUE};
static struct cnode node_false = {.kind = CN_FALSE};

/* ---- diagnostics ------------------------------------------------------------ */

static void cc_diag(struct cctx *cc, enum eng_diag_level lvl, const struct eng_src *src, size_t off,
		    const char *code, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void cc_diag(struct cctx *cc, enum eng_diag_level lvl, const struct eng_src *src, size_t off,
		    const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct ld_pos p = cc->rule->pos;
	if (src) {
		const char *file = NULL;
		unsigned line = 0, col = 0;
		eng_src_locate(src, off, &file, &line, &col);
		if (file)
			p = (struct ld_pos){file, line, col};
	}
	char via[300] = "";
	if (cc->nmacros)
		snprintf(via, sizeof(via), "in macro '%s': ", cc->macro_stack[cc->nmacros - 1]);
	ld_diag(cc->l, lvl, &p, "rule", cc->rule->name, code, "%s%s", via, msg);
	if (lvl == ENG_DIAG_ERROR)
		cc->failed = true;
}

static void add_note(struct cctx *cc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_note(struct cctx *cc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cc->note.len && strstr(cc->note.data, msg))
		return;
	if (cc->note.len)
		pal_buf_puts(&cc->note, "; ");
	pal_buf_puts(&cc->note, msg);
}

static const char *vtype_word(uint8_t t)
{
	switch (t) {
	case VT_STR:
		return "a string";
	case VT_INT:
		return "a number";
	case VT_BOOL:
		return "a boolean";
	case VT_IP:
		return "an IP address";
	default:
		return "?";
	}
}

const char *eng_vtype_name(enum eng_vtype t)
{
	switch (t) {
	case VT_STR:
		return "string";
	case VT_INT:
		return "number";
	case VT_BOOL:
		return "boolean";
	case VT_IP:
		return "IP address";
	}
	return "?";
}

/* Closest known field name, for "did you mean". */
static const char *suggest_field(const char *name, size_t n)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (size_t i = 0; i < eng_field_count(); i++) {
		const char *f = eng_field_at(i)->name;
		size_t m = strlen(f);
		if (m > n + 2 || n > m + 2 || m > 63 || n > 63)
			continue;
		size_t d[64][64];
		for (size_t a = 0; a <= n; a++)
			d[a][0] = a;
		for (size_t b = 0; b <= m; b++)
			d[0][b] = b;
		for (size_t a = 1; a <= n; a++)
			for (size_t b = 1; b <= m; b++) {
				size_t x = d[a - 1][b] + 1, y = d[a][b - 1] + 1;
				size_t z = d[a - 1][b - 1] + (name[a - 1] != f[b - 1]);
				d[a][b] = x < y ? (x < z ? x : z) : (y < z ? y : z);
			}
		if (d[n][m] < best_d) {
			best_d = d[n][m];
			best = f;
		}
	}
	return best;
}

/* ---- field references ----------------------------------------------------------- */

enum { FR_OK = 0, FR_UNKNOWN, FR_UNAVAILABLE, FR_ERROR };

static char *display_name(struct eng_arena *a, const struct ast_field *af)
{
	struct pal_buf b;
	pal_buf_init(&b);
	for (int i = af->ntr - 1; i >= 0; i--)
		pal_buf_printf(&b, "%s(", eng_transformer_name(af->tr[i]));
	pal_buf_append(&b, af->name, af->name_len);
	if (af->has_arg) {
		pal_buf_putc(&b, '[');
		pal_buf_append(&b, af->arg, af->arg_len);
		pal_buf_putc(&b, ']');
	}
	for (int i = 0; i < af->ntr; i++)
		pal_buf_putc(&b, ')');
	char *s = arena_strndup(a, b.data, b.len);
	pal_buf_free(&b);
	return s;
}

/* Resolves a field as written into out. On FR_ERROR, why says what is wrong. */
static int resolve_field(struct cctx *cc, const struct ast_field *af, bool output,
			 struct eng_fref *out, char *why, size_t cap)
{
	struct eng_arena *a = &cc->rs->arena;
	memset(out, 0, sizeof(*out));
	const char *suffix;
	size_t suffix_len;
	const struct eng_field *f = eng_field_lookup(af->name, af->name_len, &suffix, &suffix_len);
	if (!f)
		return FR_UNKNOWN;
	out->f = f;
	out->type = f->type;
	out->idx = -1;
	out->display = display_name(a, af);
	if (f->flags & FF_UNAVAILABLE)
		return FR_UNAVAILABLE;
	switch (f->argmode) {
	case FA_NONE:
		if (af->has_arg || suffix) {
			snprintf(why, cap, "field %s takes no argument", f->name);
			return FR_ERROR;
		}
		break;
	case FA_INDEX:
		if (af->has_arg) {
			int64_t v;
			char tmp[32];
			if (af->arg_len >= sizeof(tmp) ||
			    (eng_copy(tmp, af->arg, af->arg_len), tmp[af->arg_len] = '\0',
			     pal_parse_int64(tmp, &v) < 0) ||
			    v < 0 || v > 1024) {
				snprintf(why, cap,
					 "%s[...] takes an ancestor generation 0-1024, not '%.*s'",
					 f->name, (int)af->arg_len, af->arg);
				return FR_ERROR;
			}
			out->idx = (int32_t)v;
		} else if (output) {
			snprintf(why, cap,
				 "%s without an index matches any ancestor and works in conditions "
				 "only: use %s[N] in outputs",
				 f->name, f->name);
			return FR_ERROR;
		} else {
			out->multi = true;
		}
		break;
	case FA_KEY:
		if (af->has_arg) {
			out->key = arena_strndup(a, af->arg, af->arg_len);
			out->key_len = af->arg_len;
		}
		break;
	case FA_EVTARG: {
		const char *an = suffix;
		size_t anl = suffix_len;
		long index = -1;
		if (af->has_arg && !suffix) {
			char tmp[32];
			int64_t v;
			if (af->arg_len < sizeof(tmp)) {
				eng_copy(tmp, af->arg, af->arg_len);
				tmp[af->arg_len] = '\0';
				if (pal_parse_int64(tmp, &v) == 0 && v >= 0 && v < 64)
					index = (long)v;
			}
			if (index < 0) {
				an = af->arg;
				anl = af->arg_len;
			}
		} else if (af->has_arg) {
			snprintf(why, cap, "write %s.NAME or %s[N], not both", f->name, f->name);
			return FR_ERROR;
		}
		if (!an && index < 0) {
			snprintf(why, cap, "%s needs an argument: %s.NAME or %s[N]", f->name,
				 f->name, f->name);
			return FR_ERROR;
		}
		const struct eng_evtarg **args = arena_alloc(a, sizeof(*args) * PAL_EVT__COUNT);
		bool any = false, all_num = true;
		for (unsigned t = 0; t < PAL_EVT__COUNT; t++) {
			args[t] = index >= 0 ? eng_evtarg_at(t, (size_t)index)
					     : eng_evtarg_find(t, an, anl);
			if (args[t]) {
				any = true;
				all_num &= eng_evtarg_is_numeric(args[t]);
			}
		}
		if (!any) {
			if (index >= 0)
				snprintf(why, cap, "no Palisade event has an argument number %ld",
					 index);
			else
				snprintf(why, cap, "no Palisade event has an argument named '%.*s'",
					 (int)anl, an);
			return FR_ERROR;
		}
		out->args = args;
		out->type = (f->flags & FF_RAW) && all_num ? VT_INT : VT_STR;
		break;
	}
	}
	if (f->flags & FF_BOTH_SIDES) {
		if (output) {
			snprintf(why, cap,
				 "%s matches either side of a connection and works in conditions "
				 "only: use the c/s/l/r variant in outputs",
				 f->name);
			return FR_ERROR;
		}
		out->multi = true;
	}
	out->ntr = af->ntr;
	for (unsigned i = 0; i < af->ntr; i++) {
		if (out->type != VT_STR) {
			snprintf(why, cap, "%s() needs a string, but %s is %s",
				 eng_transformer_name(af->tr[i]), f->name, vtype_word(out->type));
			return FR_ERROR;
		}
		out->tr[i] = af->tr[i];
		if (af->tr[i] == ENG_TR_LEN)
			out->type = VT_INT;
	}
	if (f->flags & FF_EVT_NUM)
		cc->rs->needs_evt_num = true;
	return FR_OK;
}

static bool field_warned(struct cctx *cc, const char *name)
{
	char key[160];
	snprintf(key, sizeof(key), ",%s,", name);
	if (cc->missing.len && strstr(cc->missing.data, key))
		return true;
	if (!cc->missing.len)
		pal_buf_putc(&cc->missing, ',');
	pal_buf_printf(&cc->missing, "%s,", name);
	return false;
}

/* Reports a field that cannot be used; returns the node the comparison
 * becomes (always false). */
static struct cnode *bad_field(struct cctx *cc, int status, const struct ast_field *af,
			       const struct eng_fref *r, const char *why, const struct eng_src *src,
			       bool output)
{
	int nl = (int)af->name_len;
	if (status == FR_ERROR) {
		cc_diag(cc, ENG_DIAG_ERROR, src, af->pos, "field", "%s", why);
		return &node_false;
	}
	if (status == FR_UNKNOWN) {
		if (cc->rule->skip_unknown) {
			if (!cc->skip)
				cc_diag(
				    cc, ENG_DIAG_WARNING, src, af->pos, "unknown-field",
				    "unknown field '%.*s': rule skipped (skip-if-unknown-filter)",
				    nl, af->name);
			cc->skip = true;
			add_note(cc, "skipped: unknown field %.*s", nl, af->name);
			return &node_false;
		}
		const char *sug = suggest_field(af->name, af->name_len);
		cc_diag(cc, ENG_DIAG_ERROR, src, af->pos, "unknown-field",
			"unknown field '%.*s'%s%s%s", nl, af->name, sug ? " (did you mean " : "",
			sug ? sug : "", sug ? "?)" : "");
		return &node_false;
	}
	/* A Falco field Palisade does not capture. */
	const char *reason = r->f->desc;
	if (cc->l->opts.strict_fields) {
		cc_diag(cc, ENG_DIAG_ERROR, src, af->pos, "unavailable-field",
			"field '%s' is not available in Palisade: %s", r->f->name, reason);
		return &node_false;
	}
	if (output) {
		if (!field_warned(cc, r->f->name))
			cc_diag(
			    cc, ENG_DIAG_WARNING, src, af->pos, "unavailable-field",
			    "output field '%s' is not available in Palisade (%s): it prints <NA>",
			    r->f->name, reason);
		return &node_false;
	}
	if (cc->neg) {
		if (!cc->skip)
			cc_diag(cc, ENG_DIAG_WARNING, src, af->pos, "unavailable-field",
				"field '%s' is not available in Palisade (%s) and is used under "
				"'not': the rule cannot be evaluated faithfully and is skipped",
				r->f->name, reason);
		cc->skip = true;
		add_note(cc, "skipped: %s (%s) used under 'not'", r->f->name, reason);
		return &node_false;
	}
	if (!field_warned(cc, r->f->name))
		cc_diag(cc, ENG_DIAG_WARNING, src, af->pos, "unavailable-field",
			"field '%s' is not available in Palisade (%s): comparisons on it never "
			"match",
			r->f->name, reason);
	cc->partial = true;
	add_note(cc, "%s never matches (%s)", r->f->name, reason);
	return &node_false;
}

/* ---- constants -------------------------------------------------------------------- */

static bool parse_int(const char *s, size_t n, int64_t *out)
{
	char tmp[64];
	if (n == 0 || n >= sizeof(tmp))
		return false;
	eng_copy(tmp, s, n);
	tmp[n] = '\0';
	if (n > 2 && tmp[0] == '0' && (tmp[1] == 'x' || tmp[1] == 'X')) {
		uint64_t u;
		char *end;
		u = strtoull(tmp + 2, &end, 16);
		if (*end || end == tmp + 2)
			return false;
		*out = (int64_t)u;
		return true;
	}
	return pal_parse_int64(tmp[0] == '+' ? tmp + 1 : tmp, out) == 0;
}

static bool parse_bool(const char *s, size_t n, bool *out)
{
	if (n == 4 && strncasecmp(s, "true", 4) == 0) {
		*out = true;
		return true;
	}
	if (n == 5 && strncasecmp(s, "false", 5) == 0) {
		*out = false;
		return true;
	}
	return false;
}

static int hexd(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A value of a list, with quotes as Falco writes them in list items. */
struct vals {
	struct ast_value *v;
	size_t n, cap;
};

static void vals_push(struct cctx *cc, struct vals *vs, const struct ast_value *v)
{
	if (vs->n == vs->cap) {
		vs->cap = vs->cap ? vs->cap * 2 : 16;
		vs->v = arena_grow(&cc->l->arena, vs->v, sizeof(*vs->v), vs->n, vs->cap);
	}
	vs->v[vs->n++] = *v;
}

static bool expand_list(struct cctx *cc, struct ld_list *li, struct vals *out,
			const struct eng_src *src, size_t pos);

static bool expand_value(struct cctx *cc, const struct ast_value *v, struct vals *out,
			 const struct eng_src *src)
{
	if (!v->quoted && v->n < 256) {
		char name[256];
		eng_copy(name, v->s, v->n);
		name[v->n] = '\0';
		struct ld_list *li = ld_find_list(cc->l, name);
		if (li)
			return expand_list(cc, li, out, src, v->pos);
	}
	if (out->n >= MAX_LIST_ITEMS) {
		cc_diag(cc, ENG_DIAG_ERROR, src, v->pos, "list",
			"list expands to more than %d items", MAX_LIST_ITEMS);
		return false;
	}
	vals_push(cc, out, v);
	return true;
}

static bool expand_list(struct cctx *cc, struct ld_list *li, struct vals *out,
			const struct eng_src *src, size_t pos)
{
	if (li->state) {
		cc_diag(cc, ENG_DIAG_ERROR, src, pos, "list", "list '%s' contains itself",
			li->name);
		return false;
	}
	li->state = 1;
	li->used = true;
	bool ok = true;
	for (size_t i = 0; ok && i < li->n; i++) {
		const char *s = li->items[i].s;
		size_t n = strlen(s);
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		struct ast_value v = {.s = s, .n = n, .pos = pos};
		/* Items are pasted into conditions as text in Falco, so an item
		 * written '"a b"' is the quoted string a b. */
		if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
			char *buf = arena_alloc(&cc->l->arena, n);
			v.n = eng_unescape(s + 1, n - 2, buf);
			v.s = buf;
			v.quoted = true;
		}
		ok = expand_value(cc, &v, out, src);
	}
	li->state = 0;
	return ok;
}

static bool is_glob_pattern(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return true;
	return false;
}

/* ---- event types ------------------------------------------------------------------ */

static bool falco_pseudo_event(const char *s)
{
	static const char *const names[] = {
	    "switch", "container", "signaldeliver", "pluginevent", "asyncevent", "notification",
	    "drop",   "procinfo",  "infra",	    "close",	   "read",	 "write",
	    NULL};
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return true;
	return false;
}

/* An evt.type value Palisade does not produce: a real syscall is a warning
 * (the comparison just never matches it), anything else is a typo. */
static void check_event_name(struct cctx *cc, const struct ast_value *v, const struct eng_src *src)
{
	char name[128];
	if (v->n >= sizeof(name))
		goto unknown;
	eng_copy(name, v->s, v->n);
	name[v->n] = '\0';
	if (pal_evt_type_from_name(name) >= 0)
		return;
	if (seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR || falco_pseudo_event(name)) {
		char key[160];
		snprintf(key, sizeof(key), "evt.type=%s", name);
		if (!field_warned(cc, key))
			cc_diag(cc, ENG_DIAG_WARNING, src, v->pos, "event-type",
				"event type '%s' is not captured by Palisade's sensor: it never "
				"matches",
				name);
		add_note(cc, "%s events are not captured", name);
		return;
	}
unknown:
	cc_diag(cc, ENG_DIAG_ERROR, src, v->pos, "event-type", "unknown event type '%.*s'",
		(int)v->n, v->s);
}

/* ---- comparisons ------------------------------------------------------------------ */

static bool op_needs_string(uint8_t op)
{
	switch (op) {
	case ENG_OP_CONTAINS:
	case ENG_OP_ICONTAINS:
	case ENG_OP_BCONTAINS:
	case ENG_OP_STARTSWITH:
	case ENG_OP_BSTARTSWITH:
	case ENG_OP_ENDSWITH:
	case ENG_OP_GLOB:
	case ENG_OP_IGLOB:
	case ENG_OP_REGEX:
	case ENG_OP_PMATCH:
		return true;
	default:
		return false;
	}
}

static const char *copy_rs(struct cctx *cc, const char *s, size_t n)
{
	return arena_strndup(&cc->rs->arena, s, n);
}

static bool compile_regex(struct cctx *cc, struct eng_cmp *k, const struct ast_value *v,
			  const struct eng_src *src)
{
	if (v->n > MAX_REGEX_LEN) {
		cc_diag(cc, ENG_DIAG_ERROR, src, v->pos, "regex",
			"regular expression longer than %d characters", MAX_REGEX_LEN);
		return false;
	}
	/* Bounded repetitions make glibc build huge automata: keep them small. */
	for (size_t i = 0; i < v->n; i++) {
		if (v->s[i] != '{')
			continue;
		long x = strtol(v->s + i + 1, NULL, 10);
		if (x > 255) {
			cc_diag(cc, ENG_DIAG_ERROR, src, v->pos, "regex",
				"repetition count %ld is over 255", x);
			return false;
		}
		const char *comma = memchr(v->s + i, ',', v->n - i);
		const char *close = memchr(v->s + i, '}', v->n - i);
		if (comma && close && comma < close && strtol(comma + 1, NULL, 10) > 255) {
			cc_diag(cc, ENG_DIAG_ERROR, src, v->pos, "regex",
				"repetition count over 255");
			return false;
		}
	}
	struct pal_buf b;
	pal_buf_init(&b);
	pal_buf_puts(&b, "^(");
	pal_buf_append(&b, v->s, v->n);
	pal_buf_puts(&b, ")$");
	regex_t *re = pal_xcalloc(1, sizeof(*re));
	int rc = regcomp(re, b.data, REG_EXTENDED | REG_NOSUB);
	pal_buf_free(&b);
	if (rc != 0) {
		char msg[256];
		regerror(rc, re, msg, sizeof(msg));
		free(re);
		cc_diag(cc, ENG_DIAG_ERROR, src, v->pos, "regex",
			"invalid regular expression '%.*s': %s", (int)v->n, v->s, msg);
		return false;
	}
	struct eng_ruleset *rs = cc->rs;
	rs->regexes = pal_xrealloc(rs->regexes, sizeof(*rs->regexes) * (rs->nregexes + 1));
	rs->regexes[rs->nregexes++] = re;
	k->re = re;
	k->rk = RK_REGEX;
	return true;
}

/* `contains NAME` on a flags or enum argument tests the bit (Falco's
 * semantics for flags), decided per event type since argument tables differ. */
static bool compile_flagtest(struct cctx *cc, struct eng_cmp *k)
{
	struct eng_flagtest *ft = arena_alloc(&cc->rs->arena, sizeof(*ft));
	bool icase = k->op == ENG_OP_ICONTAINS;
	bool any_bits = false;
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++) {
		const struct eng_evtarg *a = k->lhs.args[t];
		if (!a) {
			ft->mode[t] = 0;
			continue;
		}
		uint64_t mask, value;
		bool is_enum;
		if (!k->lhs.ntr &&
		    eng_evtarg_flag_mask(a, k->str, k->str_len, icase, &mask, &value, &is_enum)) {
			ft->mode[t] = 1;
			ft->mask[t] = mask;
			ft->value[t] = value;
			any_bits = true;
		} else {
			ft->mode[t] = 3;
		}
	}
	if (!any_bits)
		return false;
	k->ft = ft;
	k->rk = RK_FLAGS;
	return true;
}

static bool compile_value(struct cctx *cc, struct eng_cmp *k, const struct ast_value *v,
			  const struct eng_src *src)
{
	switch (k->lhs.type) {
	case VT_STR:
		if ((k->lhs.f->flags & FF_EVT_TYPE) && (k->op == ENG_OP_EQ || k->op == ENG_OP_NE))
			check_event_name(cc, v, src);
		switch (k->op) {
		case ENG_OP_REGEX:
			return compile_regex(cc, k, v, src);
		case ENG_OP_GLOB:
		case ENG_OP_IGLOB:
			k->rk = RK_GLOB;
			k->str = copy_rs(cc, v->s, v->n);
			k->str_len = v->n;
			return true;
		case ENG_OP_BCONTAINS:
		case ENG_OP_BSTARTSWITH: {
			if (v->n % 2) {
				cc_diag(cc, ENG_DIAG_ERROR, src, v->pos, "value",
					"'%.*s' is not a hex byte string (odd length)", (int)v->n,
					v->s);
				return false;
			}
			char *bytes = arena_alloc(&cc->rs->arena, v->n / 2 + 1);
			for (size_t i = 0; i < v->n; i += 2) {
				int h = hexd(v->s[i]), l = hexd(v->s[i + 1]);
				if (h < 0 || l < 0) {
					cc_diag(cc, ENG_DIAG_ERROR, src, v->pos, "value",
						"'%.*s' is not a hex byte string", (int)v->n, v->s);
					return false;
				}
				bytes[i / 2] = (char)(h * 16 + l);
			}
			k->rk = RK_STR;
			k->str = bytes;
			k->str_len = v->n / 2;
			return true;
		}
		default: {
			char *s = arena_strndup(&cc->rs->arena, v->s, v->n);
			if (k->op == ENG_OP_ICONTAINS)
				for (size_t i = 0; i < v->n; i++)
					s[i] = (char)tolower((unsigned char)s[i]);
			k->rk = RK_STR;
			k->str = s;
			k->str_len = v->n;
			if ((k->op == ENG_OP_CONTAINS || k->op == ENG_OP_ICONTAINS) &&
			    k->lhs.f->argmode == FA_EVTARG && !(k->lhs.f->flags & FF_RAW))
				compile_flagtest(cc, k);
			return true;
		}
		}
	case VT_INT:
		if (!parse_int(v->s, v->n, &k->i)) {
			cc_diag(cc, ENG_DIAG_ERROR, src, v->pos, "value",
				"'%.*s' is not a number, and %s is numeric", (int)v->n, v->s,
				k->lhs.display);
			return false;
		}
		k->rk = RK_INT;
		return true;
	case VT_BOOL:
		if (!parse_bool(v->s, v->n, &k->b)) {
			cc_diag(cc, ENG_DIAG_ERROR, src, v->pos, "value",
				"%s is a boolean: compare it with true or false, not '%.*s'",
				k->lhs.display, (int)v->n, v->s);
			return false;
		}
		k->rk = RK_BOOL;
		return true;
	case VT_IP:
		k->nets = arena_alloc(&cc->rs->arena, sizeof(*k->nets));
		if (!eng_net_parse(v->s, v->n, &k->nets[0])) {
			cc_diag(cc, ENG_DIAG_ERROR, src, v->pos, "value",
				"'%.*s' is not an IP address or network (a.b.c.d, a.b.c.d/n, IPv6)",
				(int)v->n, v->s);
			return false;
		}
		k->nnets = 1;
		k->rk = RK_NETS;
		return true;
	}
	return false;
}

static bool compile_list(struct cctx *cc, struct eng_cmp *k, const struct ast *t)
{
	const struct eng_src *src = t->src;
	struct vals vs = {0};
	if (t->cmp.rhs_kind == RHS_LISTREF) {
		char name[256];
		size_t n = t->cmp.value.n < 255 ? t->cmp.value.n : 255;
		eng_copy(name, t->cmp.value.s, n);
		name[n] = '\0';
		struct ld_list *li = ld_find_list(cc->l, name);
		if (!li) {
			cc_diag(cc, ENG_DIAG_ERROR, src, t->cmp.value.pos, "undefined",
				"undefined list '%s'", name);
			return false;
		}
		if (!expand_list(cc, li, &vs, src, t->cmp.value.pos))
			return false;
	} else {
		for (size_t i = 0; i < t->cmp.nitems; i++)
			if (!expand_value(cc, &t->cmp.items[i], &vs, src))
				return false;
	}
	struct eng_arena *a = &cc->rs->arena;
	switch (k->lhs.type) {
	case VT_STR:
		if (k->op == ENG_OP_PMATCH) {
			struct eng_pmatch *pm = arena_alloc(a, sizeof(*pm));
			pm->exact = strset_new(a, vs.n);
			pm->globs = arena_alloc(a, sizeof(*pm->globs) * (vs.n + 1));
			pm->glob_lens = arena_alloc(a, sizeof(*pm->glob_lens) * (vs.n + 1));
			for (size_t i = 0; i < vs.n; i++) {
				size_t n = vs.v[i].n;
				while (n > 1 && vs.v[i].s[n - 1] == '/')
					n--;
				if (is_glob_pattern(vs.v[i].s, n)) {
					pm->globs[pm->nglobs] = copy_rs(cc, vs.v[i].s, n);
					pm->glob_lens[pm->nglobs++] = n;
				} else {
					strset_add(a, pm->exact, copy_rs(cc, vs.v[i].s, n), n);
				}
			}
			k->pm = pm;
			k->rk = RK_PMATCH;
			return true;
		}
		k->set = strset_new(a, vs.n);
		for (size_t i = 0; i < vs.n; i++) {
			if (k->lhs.f->flags & FF_EVT_TYPE)
				check_event_name(cc, &vs.v[i], src);
			strset_add(a, k->set, copy_rs(cc, vs.v[i].s, vs.v[i].n), vs.v[i].n);
		}
		k->rk = RK_STRSET;
		return true;
	case VT_INT:
	case VT_BOOL:
		k->ints = arena_alloc(a, sizeof(*k->ints) * (vs.n + 1));
		for (size_t i = 0; i < vs.n; i++) {
			bool b;
			if (k->lhs.type == VT_BOOL && parse_bool(vs.v[i].s, vs.v[i].n, &b)) {
				k->ints[k->nints++] = b;
				continue;
			}
			if (k->lhs.type == VT_BOOL ||
			    !parse_int(vs.v[i].s, vs.v[i].n, &k->ints[k->nints])) {
				cc_diag(cc, ENG_DIAG_ERROR, src, vs.v[i].pos, "value",
					"'%.*s' is not %s, and %s is %s", (int)vs.v[i].n, vs.v[i].s,
					vtype_word(k->lhs.type), k->lhs.display,
					vtype_word(k->lhs.type));
				return false;
			}
			k->nints++;
		}
		k->rk = RK_INTSET;
		return true;
	case VT_IP:
		k->nets = arena_alloc(a, sizeof(*k->nets) * (vs.n + 1));
		for (size_t i = 0; i < vs.n; i++) {
			if (!eng_net_parse(vs.v[i].s, vs.v[i].n, &k->nets[k->nnets])) {
				cc_diag(cc, ENG_DIAG_ERROR, src, vs.v[i].pos, "value",
					"'%.*s' is not an IP address or network", (int)vs.v[i].n,
					vs.v[i].s);
				return false;
			}
			k->nnets++;
		}
		k->rk = RK_NETS;
		return true;
	}
	return false;
}

/* Evaluates an evt.type comparison for every event type: the result is a
 * bitmap, tested with one instruction at run time. */
static struct cnode *fold_event_type(struct cctx *cc, const struct eng_cmp *k)
{
	static const struct pal_proc proc;
	static const struct pal_container ct;
	uint64_t *bits = arena_alloc(&cc->rs->arena, sizeof(uint64_t) * TYPE_WORDS);
	unsigned count = 0;
	for (unsigned t = 0; t < PAL_EVT__COUNT; t++) {
		struct pal_event ev = {.type = t, .proc = &proc, .container = &ct, .fd = -1};
		struct eng_ctx c = {.ev = &ev, .rs = cc->rs};
		if (eng_eval_cmp(&c, k)) {
			bits[t / 64] |= 1ull << (t % 64);
			count++;
		}
	}
	if (count == 0)
		return &node_false;
	if (count == PAL_EVT__COUNT)
		return &node_true;
	struct cnode *n = arena_alloc(&cc->rs->arena, sizeof(*n));
	n->kind = CN_TYPES;
	n->types = bits;
	return n;
}

static struct cnode *compile_cmp(struct cctx *cc, const struct ast *t)
{
	struct eng_arena *a = &cc->rs->arena;
	struct eng_cmp *k = arena_alloc(a, sizeof(*k));
	char why[512];
	k->op = t->cmp.op;
	int st = resolve_field(cc, &t->cmp.lhs, false, &k->lhs, why, sizeof(why));
	if (st != FR_OK)
		return bad_field(cc, st, &t->cmp.lhs, &k->lhs, why, t->src, false);
	const struct eng_fref *l = &k->lhs;
	if (eng_op_is_numeric(k->op) && l->type != VT_INT) {
		cc_diag(cc, ENG_DIAG_ERROR, t->src, t->cmp.op_pos, "type",
			"operator '%s' compares numbers, but %s is %s", eng_op_name(k->op),
			l->display, vtype_word(l->type));
		return &node_false;
	}
	if (op_needs_string(k->op) && l->type != VT_STR) {
		cc_diag(cc, ENG_DIAG_ERROR, t->src, t->cmp.op_pos, "type",
			"operator '%s' needs a string field, but %s is %s", eng_op_name(k->op),
			l->display, vtype_word(l->type));
		return &node_false;
	}
	switch (t->cmp.rhs_kind) {
	case RHS_NONE:
		k->rk = RK_NONE;
		break;
	case RHS_FIELD: {
		struct eng_fref *rf = arena_alloc(a, sizeof(*rf));
		st = resolve_field(cc, &t->cmp.rfield, false, rf, why, sizeof(why));
		if (st != FR_OK)
			return bad_field(cc, st, &t->cmp.rfield, rf, why, t->src, false);
		if (rf->multi) {
			cc_diag(cc, ENG_DIAG_ERROR, t->src, t->cmp.rfield.pos, "field",
				"%s has several values and cannot be the right-hand side",
				rf->display);
			return &node_false;
		}
		if (rf->type != l->type && !(l->type == VT_IP && rf->type == VT_STR)) {
			cc_diag(cc, ENG_DIAG_ERROR, t->src, t->cmp.rfield.pos, "type",
				"cannot compare %s (%s) with %s (%s)", l->display,
				vtype_word(l->type), rf->display, vtype_word(rf->type));
			return &node_false;
		}
		if (k->op == ENG_OP_REGEX) {
			cc_diag(cc, ENG_DIAG_ERROR, t->src, t->cmp.op_pos, "type",
				"regex needs a constant pattern");
			return &node_false;
		}
		k->rf = rf;
		k->rk = RK_FIELD;
		break;
	}
	case RHS_VALUE:
		if (!compile_value(cc, k, &t->cmp.value, t->src))
			return &node_false;
		break;
	case RHS_LIST:
	case RHS_LISTREF:
		if (!compile_list(cc, k, t))
			return &node_false;
		break;
	}
	if ((l->f->flags & FF_EVT_TYPE) && k->rk != RK_FIELD)
		return fold_event_type(cc, k);
	struct cnode *n = arena_alloc(a, sizeof(*n));
	n->kind = CN_CMP;
	n->cmp = k;
	return n;
}

/* ---- logic ------------------------------------------------------------------ */

static struct cnode *compile_ast(struct cctx *cc, const struct ast *t);

static struct cnode *compile_logic(struct cctx *cc, const struct ast *t)
{
	bool is_and = t->kind == AST_AND;
	struct cnode **kids = arena_alloc(&cc->rs->arena, sizeof(*kids) * t->logic.n);
	uint32_t n = 0;
	bool decided = false;
	for (size_t i = 0; i < t->logic.n; i++) {
		struct cnode *k = compile_ast(cc, t->logic.kids[i]);
		if (decided)
			continue; /* keep compiling to report every error */
		if (k->kind == (is_and ? CN_TRUE : CN_FALSE))
			continue;
		if (k->kind == (is_and ? CN_FALSE : CN_TRUE)) {
			decided = true;
			continue;
		}
		/* Flatten nested chains of the same kind. */
		if (k->kind == (is_and ? CN_AND : CN_OR)) {
			struct cnode **more =
			    arena_alloc(&cc->rs->arena, sizeof(*kids) * (t->logic.n + k->n));
			eng_copy(more, kids, sizeof(*kids) * n);
			kids = more;
			for (uint32_t j = 0; j < k->n; j++)
				kids[n++] = k->kids[j];
			continue;
		}
		kids[n++] = k;
	}
	if (decided)
		return is_and ? &node_false : &node_true;
	if (n == 0)
		return is_and ? &node_true : &node_false;
	if (n == 1)
		return kids[0];
	struct cnode *node = arena_alloc(&cc->rs->arena, sizeof(*node));
	node->kind = is_and ? CN_AND : CN_OR;
	node->n = n;
	node->kids = kids;
	return node;
}

static struct ast *macro_ast(struct cctx *cc, struct ld_macro *m)
{
	if (!m->parsed) {
		m->parsed = true;
		struct eng_parse_err pe;
		m->ast = eng_parse(&cc->l->arena, &m->cond->src, &pe);
		if (!m->ast) {
			m->parse_failed = true;
			struct ld_pos p = m->pos;
			eng_src_locate(&m->cond->src, pe.pos, &p.file, &p.line, &p.col);
			if (!p.file)
				p = m->pos;
			ld_diag(cc->l, ENG_DIAG_ERROR, &p, "macro", m->name, "syntax",
				"syntax error in condition: %s", pe.msg);
		}
	}
	return m->ast;
}

static struct cnode *compile_macro(struct cctx *cc, const struct ast *t)
{
	struct ld_macro *m = ld_find_macro(cc->l, t->macro.name);
	if (!m) {
		if (ld_find_list(cc->l, t->macro.name))
			cc_diag(cc, ENG_DIAG_ERROR, t->src, t->pos, "undefined",
				"'%s' is a list, not a macro: use it as `field in (%s)`",
				t->macro.name, t->macro.name);
		else
			cc_diag(cc, ENG_DIAG_ERROR, t->src, t->pos, "undefined",
				"undefined macro '%s'", t->macro.name);
		return &node_false;
	}
	m->used = true;
	if (m->state) {
		cc_diag(cc, ENG_DIAG_ERROR, t->src, t->pos, "macro-cycle",
			"macro '%s' refers to itself", m->name);
		return &node_false;
	}
	struct ast *body = macro_ast(cc, m);
	if (!body) {
		cc->failed = true;
		return &node_false;
	}
	if (cc->nmacros >= ENG_MAX_PARSE_DEPTH) {
		cc_diag(cc, ENG_DIAG_ERROR, t->src, t->pos, "macro-depth",
			"macros nested deeper than %d levels", ENG_MAX_PARSE_DEPTH);
		return &node_false;
	}
	m->state = 1;
	cc->macro_stack[cc->nmacros++] = m->name;
	struct cnode *n = compile_ast(cc, body);
	cc->nmacros--;
	m->state = 0;
	return n;
}

static struct cnode *compile_ast(struct cctx *cc, const struct ast *t)
{
	if (++cc->nodes > MAX_NODES_PER_RULE) {
		if (!cc->budget_reported)
			cc_diag(cc, ENG_DIAG_ERROR, t->src, t->pos, "too-large",
				"condition has more than %d nodes once macros are expanded",
				MAX_NODES_PER_RULE);
		cc->budget_reported = true;
		return &node_false;
	}
	switch (t->kind) {
	case AST_AND:
	case AST_OR:
		return compile_logic(cc, t);
	case AST_NOT: {
		cc->neg = !cc->neg;
		struct cnode *k = compile_ast(cc, t->child);
		cc->neg = !cc->neg;
		if (k->kind == CN_TRUE)
			return &node_false;
		if (k->kind == CN_FALSE)
			return &node_true;
		if (k->kind == CN_NOT)
			return k->kid;
		if (k->kind == CN_TYPES) {
			struct cnode *n = arena_alloc(&cc->rs->arena, sizeof(*n));
			n->kind = CN_TYPES;
			n->types = arena_alloc(&cc->rs->arena, sizeof(uint64_t) * TYPE_WORDS);
			for (unsigned w = 0; w < TYPE_WORDS; w++)
				n->types[w] = ~k->types[w];
			return n;
		}
		struct cnode *n = arena_alloc(&cc->rs->arena, sizeof(*n));
		n->kind = CN_NOT;
		n->kid = k;
		return n;
	}
	case AST_MACRO:
		return compile_macro(cc, t);
	case AST_CMP:
		return compile_cmp(cc, t);
	}
	return &node_false;
}

/* ---- exceptions ------------------------------------------------------------------ */

/* Exceptions have no condition text: their comparisons point at YAML nodes.
 * Offset 0 is the field's position, anything else the value's. */
static void fixed_locate(const struct eng_src *s, size_t off, const char **file, unsigned *line,
			 unsigned *col)
{
	const struct ld_pos *p = s->ctx;
	if (off && p[1].file)
		p++;
	*file = p->file;
	*line = p->line;
	*col = p->col;
}

static struct eng_src *fixed_src(struct eng_loader *l, const struct ld_pos *field,
				 const struct ld_pos *value)
{
	struct eng_src *s = arena_alloc(&l->arena, sizeof(*s));
	struct ld_pos *p = arena_alloc(&l->arena, sizeof(*p) * 2);
	p[0] = *field;
	if (value)
		p[1] = *value;
	s->text = "";
	s->locate = fixed_locate;
	s->ctx = p;
	return s;
}

static bool exc_field(struct cctx *cc, const char *text, const struct eng_src *src,
		      struct ast_field *out)
{
	struct eng_lexer lx;
	struct eng_token tok, end;
	eng_lexer_init(&lx, text, strlen(text), &cc->l->arena);
	eng_lex(&lx, LM_CHECK, &tok);
	eng_lex(&lx, LM_JOIN, &end);
	if (tok.kind != TK_FIELD || end.kind != TK_EOF) {
		cc_diag(cc, ENG_DIAG_ERROR, src, 0, "exception",
			"exception field '%s' is not a field name", text);
		return false;
	}
	memset(out, 0, sizeof(*out));
	out->name = tok.text;
	out->name_len = tok.text_len;
	out->has_arg = tok.has_arg;
	out->arg = tok.arg;
	out->arg_len = tok.arg_len;
	return true;
}

/* `(f1 c1 v1 and f2 c2 v2) or (...)` for one exception; NULL if it has no values. */
static struct ast *exception_ast(struct cctx *cc, const struct ld_exc *e)
{
	if (!e->ntuples)
		return NULL;
	struct eng_arena *a = &cc->l->arena;
	struct ast **alts = arena_alloc(a, sizeof(*alts) * e->ntuples);
	for (size_t i = 0; i < e->ntuples; i++) {
		const struct ld_exc_tuple *tu = &e->tuples[i];
		struct ast **cmps = arena_alloc(a, sizeof(*cmps) * e->nfields);
		for (size_t j = 0; j < e->nfields; j++) {
			const struct ld_exc_val *v = &tu->v[j];
			const struct eng_src *vsrc =
			    fixed_src(cc->l, e->field_pos ? &e->field_pos[j] : &e->pos, &v->pos);
			struct ast *c = ast_new(a, AST_CMP, vsrc, 0);
			if (!exc_field(cc, e->fields[j], vsrc, &c->cmp.lhs))
				return NULL;
			c->cmp.op = (uint8_t)eng_op_from_name(e->comps[j], strlen(e->comps[j]));
			if (eng_op_is_list(c->cmp.op)) {
				if (v->is_seq) {
					c->cmp.rhs_kind = RHS_LIST;
					c->cmp.items =
					    arena_alloc(a, sizeof(*c->cmp.items) * (v->nitems + 1));
					for (size_t x = 0; x < v->nitems; x++)
						c->cmp.items[x] = (struct ast_value){
						    v->items[x].s, strlen(v->items[x].s), false, 0};
					c->cmp.nitems = v->nitems;
				} else {
					c->cmp.rhs_kind = RHS_LIST;
					c->cmp.items = arena_alloc(a, sizeof(*c->cmp.items));
					c->cmp.items[0] =
					    (struct ast_value){v->s, strlen(v->s), false, 0};
					c->cmp.nitems = 1;
				}
			} else if (c->cmp.op == ENG_OP_EXISTS) {
				c->cmp.rhs_kind = RHS_NONE;
			} else {
				c->cmp.rhs_kind = RHS_VALUE;
				c->cmp.value = (struct ast_value){v->s, strlen(v->s), true, 1};
			}
			cmps[j] = c;
		}
		alts[i] = e->nfields == 1 ? cmps[0] : ast_logic(a, AST_AND, cmps, e->nfields);
	}
	return e->ntuples == 1 ? alts[0] : ast_logic(a, AST_OR, alts, e->ntuples);
}

/* ---- outputs ------------------------------------------------------------------- */

static bool out_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

static void add_seg(struct cctx *cc, struct eng_output *o, const char *lit, size_t n,
		    struct eng_fref *f)
{
	if (lit && o->nsegs && o->segs[o->nsegs - 1].lit &&
	    o->segs[o->nsegs - 1].lit + o->segs[o->nsegs - 1].lit_len == lit) {
		o->segs[o->nsegs - 1].lit_len += n;
		return;
	}
	o->segs = arena_grow(&cc->rs->arena, o->segs, sizeof(*o->segs), o->nsegs, o->nsegs + 1);
	o->segs[o->nsegs++] = (struct eng_output_seg){lit, n, f};
}

static void compile_output(struct cctx *cc, struct crule *cr)
{
	const struct ld_text *out = cc->rule->output;
	struct eng_output *o = &cr->out;
	const char *text = copy_rs(cc, out->src.text, out->src.len);
	size_t n = out->src.len;
	size_t i = 0;
	/* Falco trims the output: a folded scalar (`output: >`) ends in a newline
	 * that is no part of the alert. Offsets stay those of the source text. */
	while (i < n && isspace((unsigned char)text[i]))
		i++;
	while (n > i && isspace((unsigned char)text[n - 1]))
		n--;
	while (i < n) {
		const char *pct = memchr(text + i, '%', n - i);
		size_t stop = pct ? (size_t)(pct - text) : n;
		if (stop > i)
			add_seg(cc, o, text + i, stop - i, NULL);
		if (!pct)
			break;
		i = stop + 1;
		if (i < n && text[i] == '%') {
			add_seg(cc, o, text + i, 1, NULL);
			i++;
			continue;
		}
		size_t ns = i;
		while (i < n && out_name_char(text[i]))
			i++;
		size_t ne = i;
		while (ne > ns && text[ne - 1] == '.')
			ne--; /* "file=%fd.name." ends a sentence */
		if (ne == ns || !isalpha((unsigned char)text[ns])) {
			add_seg(cc, o, text + stop, 1, NULL);
			i = stop + 1;
			continue;
		}
		struct ast_field af = {.name = text + ns, .name_len = ne - ns, .pos = ns};
		i = ne;
		if (i < n && text[i] == '[') {
			const char *close = memchr(text + i, ']', n - i);
			if (close) {
				af.has_arg = true;
				af.arg = text + i + 1;
				af.arg_len = (size_t)(close - text) - i - 1;
				i = (size_t)(close - text) + 1;
			}
		}
		struct eng_fref *r = arena_alloc(&cc->rs->arena, sizeof(*r));
		char why[512];
		int st = resolve_field(cc, &af, true, r, why, sizeof(why));
		if (st != FR_OK) {
			bad_field(cc, st, &af, r, why, &out->src, true);
			if (st != FR_UNAVAILABLE)
				continue;
		}
		struct eng_fref *same = NULL;
		for (size_t k = 0; k < o->nfields; k++)
			if (!strcmp(o->fields[k]->display, r->display))
				same = o->fields[k];
		if (!same) {
			o->fields = arena_grow(&cc->rs->arena, o->fields, sizeof(*o->fields),
					       o->nfields, o->nfields + 1);
			o->fields[o->nfields++] = r;
			same = r;
		}
		add_seg(cc, o, NULL, 0, same);
	}
}

/* ---- event types of a rule ---------------------------------------------------------- */

static void node_types(const struct cnode *n, uint64_t *can_true, uint64_t *can_false)
{
	uint64_t all[TYPE_WORDS];
	for (unsigned w = 0; w < TYPE_WORDS; w++)
		all[w] = ~0ull;
	all[TYPE_WORDS - 1] = PAL_EVT__COUNT % 64 ? (1ull << (PAL_EVT__COUNT % 64)) - 1 : ~0ull;
	switch (n->kind) {
	case CN_TRUE:
		eng_copy(can_true, all, sizeof(all));
		memset(can_false, 0, sizeof(all));
		return;
	case CN_FALSE:
		memset(can_true, 0, sizeof(all));
		eng_copy(can_false, all, sizeof(all));
		return;
	case CN_CMP:
		eng_copy(can_true, all, sizeof(all));
		eng_copy(can_false, all, sizeof(all));
		return;
	case CN_TYPES:
		for (unsigned w = 0; w < TYPE_WORDS; w++) {
			can_true[w] = n->types[w] & all[w];
			can_false[w] = ~n->types[w] & all[w];
		}
		return;
	case CN_NOT:
		node_types(n->kid, can_false, can_true);
		return;
	case CN_AND:
	case CN_OR: {
		bool is_and = n->kind == CN_AND;
		uint64_t t[TYPE_WORDS], f[TYPE_WORDS];
		for (unsigned w = 0; w < TYPE_WORDS; w++) {
			can_true[w] = is_and ? all[w] : 0;
			can_false[w] = is_and ? 0 : all[w];
		}
		for (uint32_t i = 0; i < n->n; i++) {
			node_types(n->kids[i], t, f);
			for (unsigned w = 0; w < TYPE_WORDS; w++) {
				can_true[w] = is_and ? can_true[w] & t[w] : can_true[w] | t[w];
				can_false[w] = is_and ? can_false[w] | f[w] : can_false[w] & f[w];
			}
		}
		return;
	}
	}
}

/* ---- ordering for speed ------------------------------------------------------------ */

/* Conditions have no side effects, so the operands of `and` can be evaluated
 * in any order. Testing the selective, cheap ones first (a file name in a set)
 * before the unselective ones every event passes (evt.is_open_read = true,
 * fd.num >= 0) and the exclusions (`not proc.name in (...)`) makes most rules
 * fail after one comparison. Lower rank = tested earlier. */
static unsigned node_rank(const struct cnode *n)
{
	switch (n->kind) {
	case CN_TYPES:
		return 0;
	case CN_TRUE:
	case CN_FALSE:
		return 0;
	case CN_NOT:
		return 60 + node_rank(n->kid) / 4;
	case CN_AND: {
		unsigned best = 100;
		for (uint32_t i = 0; i < n->n; i++) {
			unsigned r = node_rank(n->kids[i]);
			best = r < best ? r : best;
		}
		return best + 2;
	}
	case CN_OR: {
		unsigned worst = 0;
		for (uint32_t i = 0; i < n->n; i++) {
			unsigned r = node_rank(n->kids[i]);
			worst = r > worst ? r : worst;
		}
		return worst + n->n;
	}
	case CN_CMP:
		break;
	}
	const struct eng_cmp *k = n->cmp;
	unsigned r;
	switch (k->op) {
	case ENG_OP_EQ:
	case ENG_OP_IN:
	case ENG_OP_INTERSECTS:
		r = k->lhs.type == VT_BOOL ? 30 : k->lhs.type == VT_STR ? 10 : 14;
		break;
	case ENG_OP_STARTSWITH:
	case ENG_OP_BSTARTSWITH:
	case ENG_OP_ENDSWITH:
		r = 12;
		break;
	case ENG_OP_CONTAINS:
	case ENG_OP_ICONTAINS:
	case ENG_OP_BCONTAINS:
		r = k->rk == RK_FLAGS ? 14 : 16;
		break;
	case ENG_OP_GLOB:
	case ENG_OP_IGLOB:
	case ENG_OP_PMATCH:
		r = 16;
		break;
	case ENG_OP_REGEX:
		r = 45;
		break;
	case ENG_OP_EXISTS:
		r = 35;
		break;
	case ENG_OP_NE:
		r = 50;
		break;
	default: /* < <= > >= */
		r = 40;
		break;
	}
	if (k->rk == RK_FIELD)
		r += 10;
	if (k->lhs.f->flags & FF_LOWCARD)
		r += 20;
	if (k->lhs.multi)
		r += 8;
	if (k->lhs.ntr)
		r += 4;
	return r;
}

static void order_for_speed(struct cnode *n)
{
	if (n->kind == CN_NOT) {
		order_for_speed(n->kid);
		return;
	}
	if (n->kind != CN_AND && n->kind != CN_OR)
		return;
	for (uint32_t i = 0; i < n->n; i++)
		order_for_speed(n->kids[i]);
	if (n->kind != CN_AND)
		return;
	/* stable insertion sort: equal ranks keep the author's order */
	for (uint32_t i = 1; i < n->n; i++) {
		struct cnode *x = n->kids[i];
		unsigned rx = node_rank(x);
		uint32_t j = i;
		while (j > 0 && node_rank(n->kids[j - 1]) > rx) {
			n->kids[j] = n->kids[j - 1];
			j--;
		}
		n->kids[j] = x;
	}
}

/* Rules run only for events of their types, so top-level evt.type tests
 * covering all of them are always true there. */
static struct cnode *drop_implied_types(struct cctx *cc, struct cnode *n, const uint64_t *types)
{
	bool covers = false;
	if (n->kind == CN_TYPES) {
		covers = true;
		for (unsigned w = 0; w < TYPE_WORDS; w++)
			covers &= (types[w] & ~n->types[w]) == 0;
		return covers ? &node_true : n;
	}
	if (n->kind != CN_AND)
		return n;
	struct cnode **kids = arena_alloc(&cc->rs->arena, sizeof(*kids) * n->n);
	uint32_t k = 0;
	for (uint32_t i = 0; i < n->n; i++) {
		struct cnode *c = drop_implied_types(cc, n->kids[i], types);
		if (c->kind != CN_TRUE)
			kids[k++] = c;
	}
	if (k == 0)
		return &node_true;
	if (k == 1)
		return kids[0];
	struct cnode *m = arena_alloc(&cc->rs->arena, sizeof(*m));
	m->kind = CN_AND;
	m->n = k;
	m->kids = kids;
	return m;
}

/* ---- rules ---------------------------------------------------------------------- */

static bool has_disabled_tag(const struct eng_load_opts *o, const struct ld_rule *r)
{
	for (const char *const *t = o->disabled_tags; t && *t; t++)
		for (size_t i = 0; i < r->ntags; i++)
			if (!strcmp(*t, r->tags[i]))
				return true;
	return false;
}

static void compile_rule(struct cctx *cc, struct crule *cr)
{
	struct ld_rule *r = cc->rule;
	struct eng_arena *a = &cc->rs->arena;
	struct eng_rule *info = &cr->info;
	info->name = arena_strdup(a, r->name);
	info->desc = arena_strdup(a, r->desc ? r->desc : "");
	info->source = arena_strdup(a, r->source);
	info->file = arena_strdup(a, r->pos.file);
	info->line = r->pos.line;
	info->priority = (enum eng_priority)r->priority;
	const char **tags = arena_alloc(a, sizeof(*tags) * (r->ntags + 1));
	for (size_t i = 0; i < r->ntags; i++)
		tags[i] = arena_strdup(a, r->tags[i]);
	info->tags = tags;
	info->ntags = r->ntags;
	info->actions = r->actions;
	info->enabled = r->enabled;
	const struct eng_load_opts *o = &cc->l->opts;
	if (o->has_min_priority && r->priority > o->min_priority)
		info->enabled = false;
	if (has_disabled_tag(o, r))
		info->enabled = false;

	if (strcmp(r->source, "syscall") != 0) {
		ld_diag(cc->l, ENG_DIAG_WARNING, &r->pos, "rule", r->name, "source",
			"source '%s' is not supported by Palisade (only syscall): rule skipped",
			r->source);
		info->skipped = true;
		info->support = ENG_SUPPORT_NONE;
		info->support_note = arena_strdup(a, "skipped: unsupported source");
		return;
	}
	struct eng_parse_err pe;
	struct ast *root = eng_parse(&cc->l->arena, &r->cond->src, &pe);
	if (!root) {
		cc_diag(cc, ENG_DIAG_ERROR, &r->cond->src, pe.pos, "syntax",
			"syntax error in condition: %s", pe.msg);
		return;
	}
	if (r->nexc) {
		struct ast **parts = arena_alloc(&cc->l->arena, sizeof(*parts) * (r->nexc + 1));
		size_t np = 0;
		parts[np++] = root;
		for (size_t i = 0; i < r->nexc; i++) {
			struct ast *ex = exception_ast(cc, &r->exc[i]);
			if (!ex)
				continue;
			struct ast *no = ast_new(&cc->l->arena, AST_NOT, ex->src, 0);
			no->child = ex;
			parts[np++] = no;
		}
		if (np > 1)
			root = ast_logic(&cc->l->arena, AST_AND, parts, np);
	}
	cr->cond = compile_ast(cc, root);
	compile_output(cc, cr);
	if (cc->failed)
		return;
	uint64_t t[TYPE_WORDS], f[TYPE_WORDS];
	node_types(cr->cond, t, f);
	eng_copy(cr->types.bits, t, sizeof(t));
	bool none = true, all = true;
	for (unsigned e = 0; e < PAL_EVT__COUNT; e++) {
		bool has = eng_evtset_has(&cr->types, e);
		none &= !has;
		all &= has;
	}
	if (cc->skip) {
		info->skipped = true;
		info->support = ENG_SUPPORT_NONE;
	} else if (none) {
		info->support = ENG_SUPPORT_NONE;
		if (!cc->note.len)
			add_note(cc, "the condition can never be true");
		ld_diag(cc->l, ENG_DIAG_WARNING, &r->pos, "rule", r->name, "never-matches",
			"the rule can never match on Palisade (%s)", cc->note.data);
	} else if (cc->partial) {
		info->support = ENG_SUPPORT_PARTIAL;
	}
	if (cc->note.len)
		info->support_note = arena_strdup(a, cc->note.data);
	cr->cond = drop_implied_types(cc, cr->cond, t);
	order_for_speed(cr->cond);
	if (all && !cc->skip && r->warn_evttypes)
		ld_diag(
		    cc->l, ENG_DIAG_WARNING, &r->pos, "rule", r->name, "no-evttype",
		    "the condition does not restrict evt.type: the rule is evaluated for every "
		    "event, which is slow (add an evt.type condition, or warn_evttypes: false)");
}

unsigned eng_compile_all(struct eng_loader *l, struct eng_ruleset *rs)
{
	unsigned errors_before = l->errors;
	rs->rules = pal_xcalloc(l->nrules ? l->nrules : 1, sizeof(*rs->rules));
	for (size_t i = 0; i < l->nrules; i++) {
		struct cctx cc = {.l = l, .rs = rs, .rule = l->rules[i]};
		pal_buf_init(&cc.note);
		pal_buf_init(&cc.missing);
		struct crule *cr = arena_alloc(&rs->arena, sizeof(*cr));
		cr->index = i;
		compile_rule(&cc, cr);
		pal_buf_free(&cc.note);
		pal_buf_free(&cc.missing);
		if (!cr->cond)
			cr->cond = &node_false;
		rs->rules[rs->nrules++] = cr;
	}
	/* Syntax errors in macros no rule uses are still errors. */
	struct ld_rule dummy = {.name = "", .pos = {0}};
	struct cctx cc = {.l = l, .rs = rs, .rule = &dummy};
	for (size_t i = 0; i < l->nmacros; i++)
		macro_ast(&cc, l->macros[i]);
	return l->errors - errors_before;
}

/* ---- debugging --------------------------------------------------------------- */

static void dump_node(struct pal_buf *b, const struct cnode *n)
{
	switch (n->kind) {
	case CN_TRUE:
		pal_buf_puts(b, "true");
		return;
	case CN_FALSE:
		pal_buf_puts(b, "false");
		return;
	case CN_TYPES:
		pal_buf_puts(b, "evt.type in (");
		for (unsigned t = 0, first = 1; t < PAL_EVT__COUNT; t++)
			if ((n->types[t / 64] >> (t % 64)) & 1) {
				pal_buf_printf(b, "%s%s", first ? "" : ",", pal_evt_type_name(t));
				first = 0;
			}
		pal_buf_putc(b, ')');
		return;
	case CN_NOT:
		pal_buf_puts(b, "not ");
		dump_node(b, n->kid);
		return;
	case CN_AND:
	case CN_OR:
		pal_buf_putc(b, '(');
		for (uint32_t i = 0; i < n->n; i++) {
			if (i)
				pal_buf_puts(b, n->kind == CN_AND ? " and " : " or ");
			dump_node(b, n->kids[i]);
		}
		pal_buf_putc(b, ')');
		return;
	case CN_CMP:
		pal_buf_printf(b, "%s %s", n->cmp->lhs.display, eng_op_name(n->cmp->op));
		if (n->cmp->rk == RK_STR || n->cmp->rk == RK_GLOB)
			pal_buf_printf(b, " %.*s", (int)n->cmp->str_len, n->cmp->str);
		else if (n->cmp->rk == RK_INT)
			pal_buf_printf(b, " %lld", (long long)n->cmp->i);
		else if (n->cmp->rk == RK_BOOL)
			pal_buf_puts(b, n->cmp->b ? " true" : " false");
		else if (n->cmp->rk != RK_NONE)
			pal_buf_puts(b, " (...)");
		return;
	}
}

char *eng_rule_compiled_text(const struct eng_ruleset *rs, const struct eng_rule *r)
{
	(void)rs;
	struct pal_buf b;
	pal_buf_init(&b);
	dump_node(&b, ((const struct crule *)(const void *)r)->cond);
	return pal_buf_steal(&b);
}
