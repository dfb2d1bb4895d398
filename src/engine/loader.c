/* Reading rule files: YAML items into rule, macro and list definitions, with
 * Falco's redefinition, `append: true`, `override:` and `enabled`-only
 * semantics applied in file order. Compilation happens once everything is
 * loaded (compile.c), so a later file can change what an earlier one defined. */
#include "engine/loader.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/yamldoc.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_RULES_FILE (16 * 1024 * 1024)

struct ld_file {
	const char *name;
	const char *data;
	size_t len;
	size_t *line_starts;
	size_t nlines;
};

/* ---- diagnostics ---------------------------------------------------------- */

void eng_diag_format(const struct eng_diag *d, char *buf, size_t cap)
{
	char where[512] = "";
	if (d->file && d->line)
		snprintf(where, sizeof(where), "%s:%u:%u: ", d->file, d->line, d->col);
	else if (d->file)
		snprintf(where, sizeof(where), "%s: ", d->file);
	char what[600] = "";
	if (d->kind && d->item)
		snprintf(what, sizeof(what), "%s '%s': ", d->kind, d->item);
	snprintf(buf, cap, "%s%s: %s%s", where, d->level == ENG_DIAG_ERROR ? "error" : "warning",
		 what, d->message);
}

void ld_diag(struct eng_loader *l, enum eng_diag_level lvl, const struct ld_pos *pos,
	     const char *kind, const char *item, const char *code, const char *fmt, ...)
{
	char msg[PAL_ERR_MSG_MAX / 2];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct eng_diag d = {
	    .level = lvl,
	    .file = pos ? pos->file : NULL,
	    .line = pos ? pos->line : 0,
	    .col = pos ? pos->col : 0,
	    .kind = kind,
	    .item = item,
	    .code = code,
	    .message = msg,
	};
	if (lvl == ENG_DIAG_ERROR) {
		if (!l->errors++)
			eng_diag_format(&d, l->first_error, sizeof(l->first_error));
	} else {
		l->warnings++;
	}
	if (l->opts.diag) {
		l->opts.diag(&d, l->opts.diag_ud);
	} else if (lvl == ENG_DIAG_WARNING) {
		char line[PAL_ERR_MSG_MAX];
		eng_diag_format(&d, line, sizeof(line));
		pal_warn("%s", line);
	}
}

/* ---- texts and positions ----------------------------------------------------- */

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void text_locate(const struct eng_src *s, size_t off, const char **file, unsigned *line,
			unsigned *col)
{
	const struct ld_text *t = s->ctx;
	if (!t || !t->nfrags)
		return;
	const struct ld_frag *f = &t->frags[0];
	for (size_t i = 1; i < t->nfrags; i++)
		if (t->frags[i].off <= off)
			f = &t->frags[i];
	*file = f->pos.file;
	*line = f->pos.line;
	*col = f->pos.col;
	if (!f->raw)
		return;
	size_t o = off > f->off ? off - f->off : 0;
	if (o > f->len)
		o = f->len;
	/* The scalar's value and its raw text have the same non-blank
	 * characters in the same order (folding and indentation only change
	 * whitespace), so the k-th non-blank character of the value is the k-th
	 * of the raw text. */
	size_t k = 0;
	for (size_t i = 0; i < o; i++)
		if (!is_ws(s->text[f->off + i]))
			k++;
	const char *raw = f->raw;
	size_t i = 0;
	if (f->style == YAML_LITERAL_SCALAR_STYLE || f->style == YAML_FOLDED_SCALAR_STYLE) {
		while (i < f->raw_len && raw[i] != '\n')
			i++;
		if (i < f->raw_len)
			i++;
	} else if (f->style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		   f->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		i = 1;
	}
	size_t seen = 0;
	while (i < f->raw_len) {
		char c = raw[i];
		if (is_ws(c)) {
			i++;
			continue;
		}
		if (seen == k)
			break;
		size_t unit = 1;
		if (f->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE && c == '\\' && i + 1 < f->raw_len)
			unit = raw[i + 1] == 'x'   ? 4
			       : raw[i + 1] == 'u' ? 6
			       : raw[i + 1] == 'U' ? 10
						   : 2;
		else if (f->style == YAML_SINGLE_QUOTED_SCALAR_STYLE && c == '\'' &&
			 i + 1 < f->raw_len && raw[i + 1] == '\'')
			unit = 2;
		seen++;
		i += unit;
	}
	if (i > f->raw_len)
		i = f->raw_len;
	unsigned ln = f->pos.line, cl = f->pos.col;
	for (size_t j = 0; j < i; j++) {
		if (raw[j] == '\n') {
			ln++;
			cl = 1;
		} else if (((unsigned char)raw[j] & 0xC0) != 0x80) {
			cl++;
		}
	}
	*line = ln;
	*col = cl;
}

static struct ld_text *text_new(struct eng_loader *l, const char *text, size_t len, size_t nfrags)
{
	struct ld_text *t = arena_alloc(&l->arena, sizeof(*t));
	t->src.text = arena_strndup(&l->arena, text, len);
	t->src.len = len;
	t->src.locate = text_locate;
	t->src.ctx = t;
	t->frags = arena_alloc(&l->arena, sizeof(*t->frags) * (nfrags ? nfrags : 1));
	t->nfrags = nfrags;
	return t;
}

static size_t raw_offset(const struct ld_file *f, size_t line0, size_t col0)
{
	if (line0 >= f->nlines)
		return f->len;
	size_t off = f->line_starts[line0];
	while (col0 > 0 && off < f->len && f->data[off] != '\n') {
		off++;
		while (off < f->len && ((unsigned char)f->data[off] & 0xC0) == 0x80)
			off++;
		col0--;
	}
	return off;
}

static struct ld_pos node_pos(const struct ld_file *f, const yaml_node_t *n)
{
	return (struct ld_pos){f->name, pal_yaml_line(n), pal_yaml_col(n)};
}

static struct ld_text *text_from_node(struct eng_loader *l, const struct ld_file *f,
				      const yaml_node_t *n)
{
	const char *v = pal_yaml_scalar(n);
	size_t len = n->data.scalar.length;
	struct ld_text *t = text_new(l, v, len, 1);
	size_t start = raw_offset(f, n->start_mark.line, n->start_mark.column);
	size_t end = raw_offset(f, n->end_mark.line, n->end_mark.column);
	t->frags[0] = (struct ld_frag){
	    .off = 0,
	    .len = len,
	    .pos = node_pos(f, n),
	    .raw = f->data + start,
	    .raw_len = end > start ? end - start : 0,
	    .style = (uint8_t)n->data.scalar.style,
	};
	return t;
}

/* a + " " + b, keeping both texts' positions. */
static struct ld_text *text_append(struct eng_loader *l, const struct ld_text *a,
				   const struct ld_text *b)
{
	size_t len = a->src.len + 1 + b->src.len;
	char *buf = pal_xmalloc(len + 1);
	eng_copy(buf, a->src.text, a->src.len);
	buf[a->src.len] = ' ';
	eng_copy(buf + a->src.len + 1, b->src.text, b->src.len);
	struct ld_text *t = text_new(l, buf, len, a->nfrags + b->nfrags);
	free(buf);
	eng_copy(t->frags, a->frags, sizeof(*t->frags) * a->nfrags);
	for (size_t i = 0; i < b->nfrags; i++) {
		t->frags[a->nfrags + i] = b->frags[i];
		t->frags[a->nfrags + i].off += a->src.len + 1;
	}
	return t;
}

/* ---- lookups ------------------------------------------------------------- */

struct ld_list *ld_find_list(struct eng_loader *l, const char *name)
{
	return namemap_get(&l->list_map, name);
}

struct ld_macro *ld_find_macro(struct eng_loader *l, const char *name)
{
	return namemap_get(&l->macro_map, name);
}

#define PUSH(l, arr, n, cap, v)                                                                    \
	do {                                                                                       \
		if ((l)->n == (l)->cap) {                                                          \
			(l)->cap = (l)->cap ? (l)->cap * 2 : 64;                                   \
			(l)->arr = pal_xrealloc((l)->arr, sizeof(*(l)->arr) * (l)->cap);           \
		}                                                                                  \
		(l)->arr[(l)->n++] = (v);                                                          \
	} while (0)

/* ---- scalar readers ---------------------------------------------------------- */

struct item_ctx {
	struct eng_loader *l;
	struct pal_yaml *y;
	const struct ld_file *f;
	const char *kind; /* "rule", "macro", "list" */
	const char *name;
	bool ok;
};

static void item_err(struct item_ctx *ic, const yaml_node_t *n, const char *code, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));

static void item_err(struct item_ctx *ic, const yaml_node_t *n, const char *code, const char *fmt,
		     ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct ld_pos p = node_pos(ic->f, n);
	ld_diag(ic->l, ENG_DIAG_ERROR, &p, ic->kind, ic->name, code, "%s", msg);
	ic->ok = false;
}

static void item_err_at(struct item_ctx *ic, const struct ld_pos *p, const char *code,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void item_err_at(struct item_ctx *ic, const struct ld_pos *p, const char *code,
			const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ld_diag(ic->l, ENG_DIAG_ERROR, p, ic->kind, ic->name, code, "%s", msg);
	ic->ok = false;
}

static void item_warn(struct item_ctx *ic, const yaml_node_t *n, const char *code, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

static void item_warn(struct item_ctx *ic, const yaml_node_t *n, const char *code, const char *fmt,
		      ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct ld_pos p = node_pos(ic->f, n);
	ld_diag(ic->l, ENG_DIAG_WARNING, &p, ic->kind, ic->name, code, "%s", msg);
}

static const char *get_str(struct item_ctx *ic, const yaml_node_t *n, const char *key)
{
	const char *s = pal_yaml_scalar(n);
	if (!s)
		item_err(ic, n, "type", "'%s' must be a string", key);
	return s;
}

static bool get_bool(struct item_ctx *ic, const yaml_node_t *n, const char *key, bool *out)
{
	const char *s = pal_yaml_scalar(n);
	if (s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on"))) {
		*out = true;
		return true;
	}
	if (s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off"))) {
		*out = false;
		return true;
	}
	item_err(ic, n, "type", "'%s' must be true or false", key);
	return false;
}

/* A sequence of scalars (or one scalar when allow_scalar). */
static bool get_items(struct item_ctx *ic, const yaml_node_t *n, const char *key, bool allow_scalar,
		      struct ld_item **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (allow_scalar && pal_yaml_is_scalar(n)) {
		*out = arena_alloc(&ic->l->arena, sizeof(**out));
		(*out)[0] = (struct ld_item){arena_strdup(&ic->l->arena, pal_yaml_scalar(n)),
					     node_pos(ic->f, n)};
		*nout = 1;
		return true;
	}
	if (pal_yaml_is_scalar(n) && pal_yaml_scalar(n)[0] == '\0' &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		return true; /* `items:` with nothing: an empty list */
	}
	if (!pal_yaml_is_seq(n)) {
		item_err(ic, n, "type", "'%s' must be a list", key);
		return false;
	}
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	struct ld_item *v = arena_alloc(&ic->l->arena, sizeof(*v) * (cnt ? cnt : 1));
	size_t k = 0;
	yaml_node_t *it;
	PAL_YAML_SEQ_FOREACH(ic->y, n, it)
	{
		const char *s = pal_yaml_scalar(it);
		if (!s) {
			item_err(ic, it, "type", "every item of '%s' must be a string", key);
			return false;
		}
		v[k++] = (struct ld_item){arena_strdup(&ic->l->arena, s), node_pos(ic->f, it)};
	}
	*out = v;
	*nout = k;
	return true;
}

static bool get_strings(struct item_ctx *ic, const yaml_node_t *n, const char *key,
			bool allow_scalar, const char ***out, size_t *nout)
{
	struct ld_item *items;
	if (!get_items(ic, n, key, allow_scalar, &items, nout))
		return false;
	const char **v = arena_alloc(&ic->l->arena, sizeof(*v) * (*nout + 1));
	for (size_t i = 0; i < *nout; i++)
		v[i] = items[i].s;
	*out = v;
	return true;
}

/* ---- keys of an item ------------------------------------------------------------ */

struct key_slot {
	const char *key;
	yaml_node_t *node;
};

/* Collects the mapping's values into slots by key; unknown keys are warned
 * about unless listed in quiet (keys Falco accepts that Palisade ignores). */
static void collect_keys(struct item_ctx *ic, yaml_node_t *map, struct key_slot *slots,
			 size_t nslots, const char *const *quiet)
{
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(ic->y, map, k, v)
	{
		const char *ks = pal_yaml_scalar(k);
		bool found = false;
		for (size_t i = 0; ks && i < nslots; i++) {
			if (strcmp(slots[i].key, ks) == 0) {
				if (slots[i].node)
					item_err(ic, k, "duplicate-key", "key '%s' appears twice",
						 ks);
				slots[i].node = v;
				found = true;
				break;
			}
		}
		for (size_t i = 0; !found && ks && quiet && quiet[i]; i++)
			found = strcmp(quiet[i], ks) == 0;
		if (!found)
			item_warn(ic, k, "unknown-key", "unknown key '%s' ignored", ks ? ks : "?");
	}
}

static yaml_node_t *slot(struct key_slot *slots, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(slots[i].key, key) == 0)
			return slots[i].node;
	return NULL;
}

enum ov_mode { OV_NONE = 0, OV_APPEND, OV_REPLACE };

/* Reads an `override:` mapping: key -> append|replace, checked against what
 * each key allows, and that keys and overrides correspond one to one. */
static bool read_override(struct item_ctx *ic, yaml_node_t *ov, struct key_slot *slots,
			  size_t nslots, const char *name_key, const char *const *can_append,
			  const char *const *can_replace, enum ov_mode *modes)
{
	if (!pal_yaml_is_map(ov)) {
		item_err(ic, ov, "override", "'override' must be a mapping of key: append|replace");
		return false;
	}
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(ic->y, ov, k, v)
	{
		const char *ks = pal_yaml_scalar(k), *vs = pal_yaml_scalar(v);
		size_t idx = nslots;
		for (size_t i = 0; ks && i < nslots; i++)
			if (strcmp(slots[i].key, ks) == 0)
				idx = i;
		bool app = vs && strcmp(vs, "append") == 0, rep = vs && strcmp(vs, "replace") == 0;
		if (!app && !rep) {
			item_err(ic, v, "override", "override of '%s' must be append or replace",
				 ks ? ks : "?");
			continue;
		}
		bool allowed = false;
		for (const char *const *p = app ? can_append : can_replace; ks && *p; p++)
			allowed |= strcmp(*p, ks) == 0;
		if (idx == nslots || !allowed) {
			item_err(ic, k, "override", "'%s' cannot be overridden with %s",
				 ks ? ks : "?", vs);
			continue;
		}
		if (!slots[idx].node) {
			item_err(ic, k, "override",
				 "override lists '%s' but this item does not define it", ks);
			continue;
		}
		modes[idx] = app ? OV_APPEND : OV_REPLACE;
	}
	for (size_t i = 0; i < nslots; i++) {
		if (!slots[i].node || modes[i] != OV_NONE || !strcmp(slots[i].key, name_key) ||
		    !strcmp(slots[i].key, "override"))
			continue;
		item_err(ic, slots[i].node, "override",
			 "'%s' is not listed under override: say whether it appends or replaces",
			 slots[i].key);
	}
	return ic->ok;
}

/* ---- lists --------------------------------------------------------------------- */

static void load_list(struct eng_loader *l, struct item_ctx *ic, yaml_node_t *map)
{
	struct key_slot s[] = {
	    {"list", NULL}, {"items", NULL}, {"append", NULL}, {"override", NULL}};
	size_t ns = PAL_ARRAY_SIZE(s);
	collect_keys(ic, map, s, ns, NULL);
	bool append = false;
	if (slot(s, ns, "append") && !get_bool(ic, slot(s, ns, "append"), "append", &append))
		return;
	yaml_node_t *items_node = slot(s, ns, "items");
	if (!items_node) {
		item_err(ic, map, "missing-key", "a list needs 'items'");
		return;
	}
	struct ld_item *items;
	size_t n;
	if (!get_items(ic, items_node, "items", false, &items, &n))
		return;
	struct ld_list *old = ld_find_list(l, ic->name);
	enum ov_mode mode = OV_NONE;
	if (slot(s, ns, "override")) {
		if (append) {
			item_err(ic, map, "override",
				 "use either append: true or override, not both");
			return;
		}
		enum ov_mode modes[4] = {0};
		static const char *const app[] = {"items", NULL}, *const rep[] = {"items", NULL};
		if (!read_override(ic, slot(s, ns, "override"), s, ns, "list", app, rep, modes))
			return;
		mode = modes[1];
	} else if (append) {
		mode = OV_APPEND;
	}
	if (mode != OV_NONE && !old) {
		item_err(ic, map, "undefined",
			 "list '%s' is %s but no list of that name was defined before", ic->name,
			 mode == OV_APPEND ? "appended to" : "overridden");
		return;
	}
	if (mode == OV_APPEND) {
		struct ld_item *v = arena_alloc(&l->arena, sizeof(*v) * (old->n + n + 1));
		eng_copy(v, old->items, sizeof(*v) * old->n);
		eng_copy(v + old->n, items, sizeof(*v) * n);
		old->items = v;
		old->n += n;
		return;
	}
	if (old) {
		old->items = items;
		old->n = n;
		return;
	}
	struct ld_list *li = arena_alloc(&l->arena, sizeof(*li));
	li->name = arena_strdup(&l->arena, ic->name);
	li->items = items;
	li->n = n;
	li->pos = node_pos(ic->f, map);
	namemap_put(&l->list_map, li->name, li);
	PUSH(l, lists, nlists, cap_lists, li);
}

/* ---- macros -------------------------------------------------------------------- */

static void load_macro(struct eng_loader *l, struct item_ctx *ic, yaml_node_t *map)
{
	struct key_slot s[] = {{"macro", NULL},	   {"condition", NULL}, {"append", NULL},
			       {"override", NULL}, {"desc", NULL},	{"source", NULL}};
	size_t ns = PAL_ARRAY_SIZE(s);
	collect_keys(ic, map, s, ns, NULL);
	bool append = false;
	if (slot(s, ns, "append") && !get_bool(ic, slot(s, ns, "append"), "append", &append))
		return;
	yaml_node_t *cn = slot(s, ns, "condition");
	if (!cn) {
		item_err(ic, map, "missing-key", "a macro needs 'condition'");
		return;
	}
	if (!get_str(ic, cn, "condition"))
		return;
	struct ld_text *cond = text_from_node(l, ic->f, cn);
	struct ld_macro *old = ld_find_macro(l, ic->name);
	enum ov_mode mode = OV_NONE;
	if (slot(s, ns, "override")) {
		if (append) {
			item_err(ic, map, "override",
				 "use either append: true or override, not both");
			return;
		}
		enum ov_mode modes[6] = {0};
		static const char *const app[] = {"condition", NULL}, *const rep[] = {"condition",
										      NULL};
		if (!read_override(ic, slot(s, ns, "override"), s, ns, "macro", app, rep, modes))
			return;
		mode = modes[1];
	} else if (append) {
		mode = OV_APPEND;
	}
	if (mode != OV_NONE && !old) {
		item_err(ic, map, "undefined",
			 "macro '%s' is %s but no macro of that name was defined before", ic->name,
			 mode == OV_APPEND ? "appended to" : "overridden");
		return;
	}
	if (mode == OV_APPEND) {
		old->cond = text_append(l, old->cond, cond);
		return;
	}
	if (old) {
		old->cond = cond;
		return;
	}
	struct ld_macro *m = arena_alloc(&l->arena, sizeof(*m));
	m->name = arena_strdup(&l->arena, ic->name);
	m->cond = cond;
	m->pos = node_pos(ic->f, map);
	namemap_put(&l->macro_map, m->name, m);
	PUSH(l, macros, nmacros, cap_macros, m);
}

/* ---- exceptions ---------------------------------------------------------------- */

static bool read_exc_value(struct item_ctx *ic, yaml_node_t *n, struct ld_exc_val *out)
{
	out->pos = node_pos(ic->f, n);
	if (pal_yaml_is_scalar(n)) {
		out->s = arena_strdup(&ic->l->arena, pal_yaml_scalar(n));
		return true;
	}
	out->is_seq = true;
	return get_items(ic, n, "exception value", false, &out->items, &out->nitems);
}

static bool valid_comp(const char *c)
{
	return eng_op_from_name(c, strlen(c)) >= 0;
}

static struct ld_exc *read_exception(struct item_ctx *ic, yaml_node_t *n)
{
	struct eng_loader *l = ic->l;
	if (!pal_yaml_is_map(n)) {
		item_err(ic, n, "exception",
			 "each exception must be a mapping with name, fields, ...");
		return NULL;
	}
	struct key_slot s[] = {{"name", NULL}, {"fields", NULL}, {"comps", NULL}, {"values", NULL}};
	size_t ns = PAL_ARRAY_SIZE(s);
	collect_keys(ic, n, s, ns, NULL);
	struct ld_exc *e = arena_alloc(&l->arena, sizeof(*e));
	e->pos = node_pos(ic->f, n);
	yaml_node_t *nn = slot(s, ns, "name");
	e->name = nn ? get_str(ic, nn, "name") : NULL;
	if (!e->name) {
		if (!nn)
			item_err(ic, n, "exception", "an exception needs a 'name'");
		return NULL;
	}
	e->name = arena_strdup(&l->arena, e->name);
	yaml_node_t *fn = slot(s, ns, "fields"), *cn = slot(s, ns, "comps"),
		    *vn = slot(s, ns, "values");
	if (fn) {
		e->single = pal_yaml_is_scalar(fn);
		struct ld_item *fitems;
		if (!get_items(ic, fn, "fields", true, &fitems, &e->nfields))
			return NULL;
		e->fields = arena_alloc(&l->arena, sizeof(*e->fields) * (e->nfields + 1));
		e->field_pos = arena_alloc(&l->arena, sizeof(*e->field_pos) * (e->nfields + 1));
		for (size_t i = 0; i < e->nfields; i++) {
			e->fields[i] = fitems[i].s;
			e->field_pos[i] = fitems[i].pos;
		}
		if (!e->nfields) {
			item_err(ic, fn, "exception", "exception '%s' has an empty 'fields'",
				 e->name);
			return NULL;
		}
		e->comps = arena_alloc(&l->arena, sizeof(*e->comps) * e->nfields);
		if (cn) {
			size_t nc;
			const char **comps;
			if (e->single && !pal_yaml_is_scalar(cn)) {
				item_err(
				    ic, cn, "exception",
				    "exception '%s': with a single field, comps is one operator",
				    e->name);
				return NULL;
			}
			if (!get_strings(ic, cn, "comps", true, &comps, &nc))
				return NULL;
			if (nc != e->nfields) {
				item_err(ic, cn, "exception",
					 "exception '%s' has %zu fields but %zu comps", e->name,
					 e->nfields, nc);
				return NULL;
			}
			for (size_t i = 0; i < nc; i++) {
				if (!valid_comp(comps[i])) {
					item_err(ic, cn, "exception",
						 "exception '%s': unknown operator '%s' in comps",
						 e->name, comps[i]);
					return NULL;
				}
				e->comps[i] = comps[i];
			}
		} else {
			for (size_t i = 0; i < e->nfields; i++)
				e->comps[i] = e->single ? "in" : "=";
		}
		if (e->single) {
			int op = eng_op_from_name(e->comps[0], strlen(e->comps[0]));
			if (!eng_op_is_list(op)) {
				item_err(ic, cn ? cn : fn, "exception",
					 "exception '%s': a single field needs comps in, pmatch or "
					 "intersects, not '%s'",
					 e->name, e->comps[0]);
				return NULL;
			}
		}
	} else if (cn) {
		item_err(ic, cn, "exception", "exception '%s' has comps but no fields", e->name);
		return NULL;
	}
	if (!vn)
		return e;
	if (!pal_yaml_is_seq(vn)) {
		item_err(ic, vn, "exception", "exception '%s': values must be a list", e->name);
		return NULL;
	}
	size_t cnt = (size_t)(vn->data.sequence.items.top - vn->data.sequence.items.start);
	e->tuples = arena_alloc(&l->arena, sizeof(*e->tuples) * (cnt ? cnt : 1));
	yaml_node_t *tn;
	PAL_YAML_SEQ_FOREACH(ic->y, vn, tn)
	{
		/* Whether an entry is a tuple or one (list) value depends on the
		 * exception's form, which for an append is only known once the
		 * exception it extends is found: keep the raw shape here. */
		struct ld_exc_tuple *t = &e->tuples[e->ntuples++];
		t->pos = node_pos(ic->f, tn);
		t->is_seq = pal_yaml_is_seq(tn);
		t->n = t->is_seq
			   ? (size_t)(tn->data.sequence.items.top - tn->data.sequence.items.start)
			   : 1;
		t->v = arena_alloc(&l->arena, sizeof(*t->v) * (t->n ? t->n : 1));
		if (!t->is_seq) {
			if (!read_exc_value(ic, tn, &t->v[0]))
				return NULL;
			continue;
		}
		/* (a nested PAL_YAML_SEQ_FOREACH would shadow the outer iterator) */
		for (size_t j = 0; j < t->n; j++) {
			yaml_node_t *vv = pal_yaml_node(ic->y, tn->data.sequence.items.start[j]);
			if (!read_exc_value(ic, vv, &t->v[j]))
				return NULL;
		}
	}
	return e;
}

/* Checks value entries against their exception's fields, and turns each
 * into a tuple of nfields values. */
static bool check_tuples(struct item_ctx *ic, const struct ld_exc *e, struct ld_exc_tuple *tuples,
			 size_t n, const yaml_node_t *where)
{
	(void)where;
	for (size_t i = 0; i < n; i++) {
		struct ld_exc_tuple *t = &tuples[i];
		if (e->single) {
			if (t->is_seq) {
				/* `values: [[a, b]]` with one field: the list is the one value. */
				struct ld_exc_val *seq = arena_alloc(&ic->l->arena, sizeof(*seq));
				seq->is_seq = true;
				seq->pos = t->n ? t->v[0].pos : e->pos;
				seq->nitems = t->n;
				seq->items =
				    arena_alloc(&ic->l->arena, sizeof(struct ld_item) * (t->n + 1));
				for (size_t j = 0; j < t->n; j++) {
					if (t->v[j].is_seq) {
						item_err_at(
						    ic, &t->pos, "exception",
						    "exception '%s': values nested too deeply",
						    e->name);
						return false;
					}
					seq->items[j] = (struct ld_item){t->v[j].s, t->v[j].pos};
				}
				t->v = seq;
				t->n = 1;
				t->is_seq = false;
			}
			continue;
		}
		if (!t->is_seq || t->n != e->nfields) {
			item_err_at(
			    ic, &t->pos, "exception",
			    "exception '%s' has %zu fields but a value tuple has %zu item%s",
			    e->name, e->nfields, t->n, t->n == 1 ? "" : "s");
			return false;
		}
		for (size_t j = 0; j < t->n; j++) {
			int op = eng_op_from_name(e->comps[j], strlen(e->comps[j]));
			if (t->v[j].is_seq && !eng_op_is_list(op)) {
				item_err_at(
				    ic, &t->pos, "exception",
				    "exception '%s': a list value needs comps in, pmatch or "
				    "intersects for field %s, not '%s'",
				    e->name, e->fields[j], e->comps[j]);
				return false;
			}
		}
		t->is_seq = false;
	}
	return true;
}

static bool read_exceptions(struct item_ctx *ic, yaml_node_t *n, struct ld_exc **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	if (!pal_yaml_is_seq(n)) {
		item_err(ic, n, "exception", "'exceptions' must be a list");
		return false;
	}
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	struct ld_exc *v = arena_alloc(&ic->l->arena, sizeof(*v) * (cnt ? cnt : 1));
	yaml_node_t *it;
	PAL_YAML_SEQ_FOREACH(ic->y, n, it)
	{
		struct ld_exc *e = read_exception(ic, it);
		if (!e)
			return false;
		for (size_t i = 0; i < *nout; i++) {
			if (!strcmp(v[i].name, e->name)) {
				item_err(ic, it, "exception", "two exceptions are named '%s'",
					 e->name);
				return false;
			}
		}
		v[(*nout)++] = *e;
	}
	*out = v;
	return true;
}

/* New exceptions of a full definition must be complete. */
static bool check_new_exceptions(struct item_ctx *ic, struct ld_exc *v, size_t n,
				 const yaml_node_t *where)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].nfields) {
			item_err(ic, where, "exception", "exception '%s' has no 'fields'",
				 v[i].name);
			return false;
		}
		if (!check_tuples(ic, &v[i], v[i].tuples, v[i].ntuples, where))
			return false;
	}
	return true;
}

/* Appends exceptions: values of an existing exception name are added to it,
 * new names are added whole. */
static bool merge_exceptions(struct item_ctx *ic, struct ld_rule *r, struct ld_exc *add, size_t n,
			     const yaml_node_t *where)
{
	struct eng_arena *a = &ic->l->arena;
	for (size_t i = 0; i < n; i++) {
		struct ld_exc *old = NULL;
		for (size_t j = 0; j < r->nexc; j++)
			if (!strcmp(r->exc[j].name, add[i].name))
				old = &r->exc[j];
		if (!old) {
			if (!check_new_exceptions(ic, &add[i], 1, where))
				return false;
			struct ld_exc *v = arena_alloc(a, sizeof(*v) * (r->nexc + 1));
			eng_copy(v, r->exc, sizeof(*v) * r->nexc);
			v[r->nexc++] = add[i];
			r->exc = v;
			continue;
		}
		if (add[i].nfields) {
			bool same = add[i].nfields == old->nfields;
			for (size_t k = 0; same && k < old->nfields; k++)
				same = !strcmp(add[i].fields[k], old->fields[k]) &&
				       !strcmp(add[i].comps[k], old->comps[k]);
			if (!same) {
				item_err(ic, where, "exception",
					 "exception '%s' exists with other fields or comps: only "
					 "values can be appended",
					 add[i].name);
				return false;
			}
		}
		if (!check_tuples(ic, old, add[i].tuples, add[i].ntuples, where))
			return false;
		struct ld_exc_tuple *t =
		    arena_alloc(a, sizeof(*t) * (old->ntuples + add[i].ntuples + 1));
		eng_copy(t, old->tuples, sizeof(*t) * old->ntuples);
		eng_copy(t + old->ntuples, add[i].tuples, sizeof(*t) * add[i].ntuples);
		old->tuples = t;
		old->ntuples += add[i].ntuples;
	}
	return true;
}

/* ---- rules --------------------------------------------------------------------- */

enum rule_key {
	RK_RULE = 0,
	RK_DESC,
	RK_CONDITION,
	RK_OUTPUT,
	RK_PRIORITY,
	RK_TAGS,
	RK_ENABLED,
	RK_SOURCE,
	RK_EXCEPTIONS,
	RK_OVERRIDE,
	RK_APPEND,
	RK_SKIP,
	RK_WARN,
	RK_ACTIONS,
	RK__COUNT
};

static bool read_priority(struct item_ctx *ic, yaml_node_t *n, int *out)
{
	const char *s = get_str(ic, n, "priority");
	if (!s)
		return false;
	int p = eng_priority_from_name(s);
	if (p < 0) {
		item_err(ic, n, "priority",
			 "unknown priority '%s': use emergency, alert, critical, error, warning, "
			 "notice, informational or debug",
			 s);
		return false;
	}
	*out = p;
	return true;
}

static bool read_actions(struct item_ctx *ic, yaml_node_t *n, uint32_t *out)
{
	const char **v;
	size_t k;
	if (!get_strings(ic, n, "actions", true, &v, &k))
		return false;
	uint32_t a = 0;
	for (size_t i = 0; i < k; i++) {
		int x = eng_action_from_name(v[i]);
		if (x < 0) {
			item_err(ic, n, "action",
				 "unknown action '%s': use alert, kill_process, kill_container or "
				 "freeze_container",
				 v[i]);
			return false;
		}
		a |= (uint32_t)x;
	}
	*out = a;
	return true;
}

static const char *join_desc(struct eng_arena *a, const char *x, const char *y)
{
	size_t nx = strlen(x), ny = strlen(y);
	char *p = arena_alloc(a, nx + ny + 2);
	eng_copy(p, x, nx);
	p[nx] = ' ';
	eng_copy(p + nx + 1, y, ny);
	return p;
}

static void add_tags(struct eng_arena *a, struct ld_rule *r, const char **tags, size_t n)
{
	const char **v = arena_alloc(a, sizeof(*v) * (r->ntags + n + 1));
	eng_copy(v, r->tags, sizeof(*v) * r->ntags);
	size_t k = r->ntags;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t j = 0; j < k; j++)
			dup |= !strcmp(v[j], tags[i]);
		if (!dup)
			v[k++] = tags[i];
	}
	r->tags = v;
	r->ntags = k;
}

static void load_rule(struct eng_loader *l, struct item_ctx *ic, yaml_node_t *map)
{
	struct key_slot s[RK__COUNT] = {
	    [RK_RULE] = {"rule", NULL},
	    [RK_DESC] = {"desc", NULL},
	    [RK_CONDITION] = {"condition", NULL},
	    [RK_OUTPUT] = {"output", NULL},
	    [RK_PRIORITY] = {"priority", NULL},
	    [RK_TAGS] = {"tags", NULL},
	    [RK_ENABLED] = {"enabled", NULL},
	    [RK_SOURCE] = {"source", NULL},
	    [RK_EXCEPTIONS] = {"exceptions", NULL},
	    [RK_OVERRIDE] = {"override", NULL},
	    [RK_APPEND] = {"append", NULL},
	    [RK_SKIP] = {"skip-if-unknown-filter", NULL},
	    [RK_WARN] = {"warn_evttypes", NULL},
	    [RK_ACTIONS] = {"actions", NULL},
	};
	static const char *const quiet[] = {"capture", "capture_duration", NULL};
	collect_keys(ic, map, s, RK__COUNT, quiet);
	if (!ic->ok)
		return;
	struct eng_arena *a = &l->arena;
	bool append = false;
	if (s[RK_APPEND].node && !get_bool(ic, s[RK_APPEND].node, "append", &append))
		return;
	/* Read every value present; what is done with it depends on the mode. */
	const char *desc = s[RK_DESC].node ? get_str(ic, s[RK_DESC].node, "desc") : NULL;
	struct ld_text *cond = NULL, *output = NULL;
	if (s[RK_CONDITION].node && get_str(ic, s[RK_CONDITION].node, "condition"))
		cond = text_from_node(l, ic->f, s[RK_CONDITION].node);
	if (s[RK_OUTPUT].node && get_str(ic, s[RK_OUTPUT].node, "output"))
		output = text_from_node(l, ic->f, s[RK_OUTPUT].node);
	int prio = ENG_PRIO_DEBUG;
	if (s[RK_PRIORITY].node)
		read_priority(ic, s[RK_PRIORITY].node, &prio);
	const char **tags = NULL;
	size_t ntags = 0;
	if (s[RK_TAGS].node)
		get_strings(ic, s[RK_TAGS].node, "tags", false, &tags, &ntags);
	bool enabled = true, skip = false, warn = true;
	if (s[RK_ENABLED].node)
		get_bool(ic, s[RK_ENABLED].node, "enabled", &enabled);
	if (s[RK_SKIP].node)
		get_bool(ic, s[RK_SKIP].node, "skip-if-unknown-filter", &skip);
	if (s[RK_WARN].node)
		get_bool(ic, s[RK_WARN].node, "warn_evttypes", &warn);
	const char *source = s[RK_SOURCE].node ? get_str(ic, s[RK_SOURCE].node, "source") : NULL;
	uint32_t actions = ENG_ACTION_ALERT;
	if (s[RK_ACTIONS].node)
		read_actions(ic, s[RK_ACTIONS].node, &actions);
	struct ld_exc *exc = NULL;
	size_t nexc = 0;
	if (s[RK_EXCEPTIONS].node)
		read_exceptions(ic, s[RK_EXCEPTIONS].node, &exc, &nexc);
	if (!ic->ok)
		return;

	struct ld_rule *old = namemap_get(&l->rule_map, ic->name);
	yaml_node_t *ov = s[RK_OVERRIDE].node;
	if (append && ov) {
		item_err(ic, map, "override", "use either append: true or override, not both");
		return;
	}
	if (append) {
		if (!old) {
			item_err(ic, map, "undefined",
				 "rule '%s' has append: true but no rule of that name was defined "
				 "before",
				 ic->name);
			return;
		}
		if (!cond && !exc) {
			item_err(ic, map, "append", "append: true needs a condition or exceptions");
			return;
		}
		for (int k = 0; k < RK__COUNT; k++) {
			if (s[k].node && k != RK_RULE && k != RK_APPEND && k != RK_CONDITION &&
			    k != RK_EXCEPTIONS)
				item_warn(
				    ic, s[k].node, "append",
				    "'%s' is ignored with append: true (use override to change "
				    "it)",
				    s[k].key);
		}
		if (cond)
			old->cond = text_append(l, old->cond, cond);
		if (exc)
			merge_exceptions(ic, old, exc, nexc, s[RK_EXCEPTIONS].node);
		return;
	}
	if (ov) {
		if (!old) {
			item_err(
			    ic, map, "undefined",
			    "rule '%s' is overridden but no rule of that name was defined before",
			    ic->name);
			return;
		}
		enum ov_mode m[RK__COUNT] = {0};
		static const char *const app[] = {"condition",	"output",  "desc", "tags",
						  "exceptions", "actions", NULL};
		static const char *const rep[] = {"condition",
						  "output",
						  "desc",
						  "priority",
						  "tags",
						  "exceptions",
						  "enabled",
						  "warn_evttypes",
						  "skip-if-unknown-filter",
						  "actions",
						  NULL};
		if (!read_override(ic, ov, s, RK__COUNT, "rule", app, rep, m))
			return;
		if (m[RK_CONDITION])
			old->cond =
			    m[RK_CONDITION] == OV_APPEND ? text_append(l, old->cond, cond) : cond;
		if (m[RK_OUTPUT])
			old->output = m[RK_OUTPUT] == OV_APPEND
					  ? text_append(l, old->output, output)
					  : output;
		if (m[RK_DESC])
			old->desc = m[RK_DESC] == OV_APPEND ? join_desc(a, old->desc, desc)
							    : arena_strdup(a, desc);
		if (m[RK_TAGS] == OV_REPLACE)
			old->ntags = 0;
		if (m[RK_TAGS])
			add_tags(a, old, tags, ntags);
		if (m[RK_EXCEPTIONS] == OV_REPLACE) {
			if (!check_new_exceptions(ic, exc, nexc, s[RK_EXCEPTIONS].node))
				return;
			old->exc = exc;
			old->nexc = nexc;
		} else if (m[RK_EXCEPTIONS] == OV_APPEND) {
			merge_exceptions(ic, old, exc, nexc, s[RK_EXCEPTIONS].node);
		}
		if (m[RK_PRIORITY])
			old->priority = prio;
		if (m[RK_ENABLED])
			old->enabled = enabled;
		if (m[RK_WARN])
			old->warn_evttypes = warn;
		if (m[RK_SKIP])
			old->skip_unknown = skip;
		if (m[RK_ACTIONS])
			old->actions =
			    m[RK_ACTIONS] == OV_APPEND ? old->actions | actions : actions;
		return;
	}
	bool only_enabled = s[RK_ENABLED].node;
	for (int k = 0; k < RK__COUNT; k++)
		if (s[k].node && k != RK_RULE && k != RK_ENABLED)
			only_enabled = false;
	if (only_enabled) {
		if (!old) {
			item_err(ic, map, "undefined",
				 "rule '%s' only sets 'enabled' but no rule of that name was "
				 "defined before",
				 ic->name);
			return;
		}
		old->enabled = enabled;
		return;
	}
	static const int required[] = {RK_CONDITION, RK_OUTPUT, RK_DESC, RK_PRIORITY};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(required); i++) {
		if (!s[required[i]].node)
			item_err(ic, map, "missing-key",
				 "a rule needs '%s' (or append: true / override: to change an "
				 "existing rule)",
				 s[required[i]].key);
	}
	if (!ic->ok || !check_new_exceptions(ic, exc, nexc, s[RK_EXCEPTIONS].node))
		return;
	struct ld_rule *r = old ? old : arena_alloc(a, sizeof(*r));
	/* A redefinition replaces the rule entirely but keeps its place. */
	memset(r, 0, sizeof(*r));
	r->name = arena_strdup(a, ic->name);
	r->desc = arena_strdup(a, desc);
	r->cond = cond;
	r->output = output;
	r->priority = prio;
	r->tags = tags;
	r->ntags = ntags;
	r->enabled = enabled;
	r->source = arena_strdup(a, source ? source : "syscall");
	r->exc = exc;
	r->nexc = nexc;
	r->skip_unknown = skip;
	r->warn_evttypes = warn;
	r->actions = actions;
	r->pos = node_pos(ic->f, map);
	if (!old) {
		namemap_put(&l->rule_map, r->name, r);
		PUSH(l, rules, nrules, cap_rules, r);
	}
}

/* ---- versions ------------------------------------------------------------------ */

static bool parse_semver(const char *s, unsigned v[3])
{
	unsigned a = 0, b = 0, c = 0;
	char tail;
	if (sscanf(s, "%u.%u.%u%c", &a, &b, &c, &tail) == 3) {
		v[0] = a, v[1] = b, v[2] = c;
		return true;
	}
	int64_t n;
	if (pal_parse_int64(s, &n) == 0 && n >= 0 && n < 1000000) {
		v[0] = 0, v[1] = (unsigned)n, v[2] = 0;
		return true;
	}
	return false;
}

static void check_engine_version(struct item_ctx *ic, yaml_node_t *n)
{
	const char *s = pal_yaml_scalar(n);
	unsigned want[3], have[3];
	parse_semver(ENG_ENGINE_VERSION, have);
	if (!s || !parse_semver(s, want)) {
		item_err(ic, n, "engine-version",
			 "required_engine_version must be a version like 0.57.0 or an integer");
		return;
	}
	for (int i = 0; i < 3; i++) {
		if (want[i] < have[i])
			return;
		if (want[i] > have[i]) {
			item_err(ic, n, "engine-version",
				 "the file requires rule engine version %s; Palisade implements "
				 "the rules language of engine version %s",
				 s, ENG_ENGINE_VERSION);
			return;
		}
	}
}

static void check_plugins(struct item_ctx *ic, yaml_node_t *n)
{
	if (!pal_yaml_is_seq(n)) {
		item_err(ic, n, "plugin", "required_plugin_versions must be a list");
		return;
	}
	yaml_node_t *it;
	PAL_YAML_SEQ_FOREACH(ic->y, n, it)
	{
		const char *name = pal_yaml_scalar(pal_yaml_map_get(ic->y, it, "name"));
		/* Container and Kubernetes metadata are built into Palisade. */
		if (name && (!strcmp(name, "container") || !strcmp(name, "k8smeta")))
			continue;
		item_warn(ic, it, "plugin",
			  "plugin '%s' is not available in Palisade: rules for its source are "
			  "skipped",
			  name ? name : "?");
	}
}

/* ---- files --------------------------------------------------------------------- */

static struct ld_file *file_new(struct eng_loader *l, const char *name, const char *data,
				size_t len)
{
	struct ld_file *f = arena_alloc(&l->arena, sizeof(*f));
	f->name = arena_strdup(&l->arena, name);
	f->data = arena_strndup(&l->arena, data, len);
	f->len = len;
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += data[i] == '\n';
	f->line_starts = arena_alloc(&l->arena, sizeof(size_t) * (lines + 1));
	f->line_starts[0] = 0;
	size_t k = 1;
	for (size_t i = 0; i < len; i++)
		if (data[i] == '\n')
			f->line_starts[k++] = i + 1;
	f->nlines = k;
	return f;
}

int eng_loader_add_buffer(struct eng_loader *l, const char *name, const char *data, size_t len)
{
	name = name ? name : "<rules>";
	struct ld_file *f = file_new(l, name, data, len);
	struct pal_yaml y;
	struct pal_err e = {0};
	if (pal_yaml_load_buffer(&y, f->name, f->data, len, &e) < 0) {
		ld_diag(l, ENG_DIAG_ERROR, NULL, NULL, NULL, "yaml", "%s", e.msg);
		pal_yaml_free(&y);
		return 0;
	}
	yaml_node_t *root = pal_yaml_root(&y);
	if (root && pal_yaml_is_scalar(root) && pal_yaml_scalar(root)[0] == '\0')
		root = NULL;
	if (root && !pal_yaml_is_seq(root)) {
		struct ld_pos p = node_pos(f, root);
		ld_diag(l, ENG_DIAG_ERROR, &p, NULL, NULL, "structure",
			"a rules file is a YAML list of items (- rule: ..., - macro: ..., - list: "
			"...)");
		pal_yaml_free(&y);
		return 0;
	}
	yaml_node_t *item;
	if (root) {
		PAL_YAML_SEQ_FOREACH(&y, root, item)
		{
			struct item_ctx ic = {.l = l, .y = &y, .f = f, .ok = true};
			struct ld_pos p = node_pos(f, item);
			if (!pal_yaml_is_map(item)) {
				ld_diag(l, ENG_DIAG_ERROR, &p, NULL, NULL, "structure",
					"each item must be a mapping (rule, macro, list, ...)");
				continue;
			}
			static const char *const kinds[] = {"rule", "macro", "list"};
			yaml_node_t *kn = NULL;
			for (size_t i = 0; i < PAL_ARRAY_SIZE(kinds) && !kn; i++) {
				kn = pal_yaml_map_get(&y, item, kinds[i]);
				if (kn)
					ic.kind = kinds[i];
			}
			if (kn) {
				const char *nm = pal_yaml_scalar(kn);
				if (!nm || !*nm) {
					ld_diag(l, ENG_DIAG_ERROR, &p, NULL, NULL, "structure",
						"a %s needs a non-empty name", ic.kind);
					continue;
				}
				ic.name = nm;
				if (!strcmp(ic.kind, "rule"))
					load_rule(l, &ic, item);
				else if (!strcmp(ic.kind, "macro"))
					load_macro(l, &ic, item);
				else
					load_list(l, &ic, item);
				continue;
			}
			yaml_node_t *v;
			if ((v = pal_yaml_map_get(&y, item, "required_engine_version")))
				check_engine_version(&ic, v);
			else if ((v = pal_yaml_map_get(&y, item, "required_plugin_versions")))
				check_plugins(&ic, v);
			else
				ld_diag(l, ENG_DIAG_WARNING, &p, NULL, NULL, "unknown-item",
					"unknown item ignored: expected rule, macro, list, "
					"required_engine_version or required_plugin_versions");
		}
	}
	pal_yaml_free(&y);
	return 0;
}

static int has_yaml_ext(const struct dirent *d)
{
	return d->d_name[0] != '.' &&
	       (pal_str_ends_with(d->d_name, ".yaml") || pal_str_ends_with(d->d_name, ".yml"));
}

int eng_loader_add_path(struct eng_loader *l, const char *path, struct pal_err *err)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return pal_err_sys(err, errno, "rules %s", path);
	if (S_ISDIR(st.st_mode)) {
		struct dirent **ents;
		int n = scandir(path, &ents, has_yaml_ext, alphasort);
		if (n < 0)
			return pal_err_sys(err, errno, "rules directory %s", path);
		int r = 0;
		for (int i = 0; i < n; i++) {
			if (r == 0) {
				char *p = pal_path_join(path, ents[i]->d_name);
				r = eng_loader_add_path(l, p, err);
				free(p);
			}
			free(ents[i]);
		}
		free(ents);
		return r;
	}
	char *data = NULL;
	size_t len = 0;
	int r = pal_read_file(path, MAX_RULES_FILE, &data, &len, err);
	if (r < 0)
		return r;
	eng_loader_add_buffer(l, path, data, len);
	free(data);
	return 0;
}

/* ---- the loader ------------------------------------------------------------------ */

struct eng_loader *eng_loader_new(const struct eng_load_opts *opts)
{
	struct eng_loader *l = pal_xcalloc(1, sizeof(*l));
	if (opts)
		l->opts = *opts;
	namemap_init(&l->rule_map);
	namemap_init(&l->macro_map);
	namemap_init(&l->list_map);
	return l;
}

void eng_loader_free(struct eng_loader *l)
{
	if (!l)
		return;
	namemap_free(&l->rule_map);
	namemap_free(&l->macro_map);
	namemap_free(&l->list_map);
	free(l->rules);
	free(l->macros);
	free(l->lists);
	arena_release(&l->arena);
	free(l);
}

void eng_loader_stats(const struct eng_loader *l, struct eng_stats *st)
{
	*st = l->stats;
	st->errors = l->errors;
	st->warnings = l->warnings;
}

int eng_ruleset_load(const char *const *paths, size_t npaths, const struct eng_load_opts *opts,
		     struct eng_ruleset **out, struct pal_err *err)
{
	*out = NULL;
	struct eng_loader *l = eng_loader_new(opts);
	int r = 0;
	if (npaths == 0)
		eng_loader_add_builtin(l);
	for (size_t i = 0; i < npaths && r == 0; i++)
		r = eng_loader_add_path(l, paths[i], err);
	if (r == 0)
		r = eng_loader_finish(l, out, err);
	eng_loader_free(l);
	return r;
}
