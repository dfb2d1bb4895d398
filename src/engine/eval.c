/* Evaluation: the hot path. Everything here works on views into the event;
 * the only memory touched besides the event and the compiled rules is a
 * thread-local scratch buffer for rendered values. */
#include "engine/internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- scratch ------------------------------------------------------------- */

static __thread struct {
	size_t used;
	char buf[ENG_SCRATCH_SIZE];
} scr;

void scratch_reset(void)
{
	scr.used = 0;
}

char *scratch_alloc(size_t want, size_t *got)
{
	size_t avail = ENG_SCRATCH_SIZE - scr.used;
	if (want > avail)
		want = avail;
	char *p = scr.buf + scr.used;
	scr.used += want;
	*got = want;
	return p;
}

void scratch_begin(struct scratch_str *s)
{
	s->p = scr.buf + scr.used;
	s->n = 0;
	s->cap = ENG_SCRATCH_SIZE - scr.used;
}

void scratch_puts(struct scratch_str *s, const char *str, size_t n)
{
	if (n > s->cap - s->n)
		n = s->cap - s->n;
	if (n)
		memcpy(s->p + s->n, str, n);
	s->n += n;
}

void scratch_printf(struct scratch_str *s, const char *fmt, ...)
{
	size_t avail = s->cap - s->n;
	if (!avail)
		return;
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(s->p + s->n, avail, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	s->n += (size_t)r < avail ? (size_t)r : avail - 1;
}

void scratch_end(struct scratch_str *s)
{
	scr.used = (size_t)(s->p - scr.buf) + s->n;
}

/* ---- transformers ------------------------------------------------------- */

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static int b64_decode(struct eng_val *v)
{
	size_t got;
	char *out = scratch_alloc(v->s.n, &got);
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < v->s.n; i++) {
		unsigned char c = (unsigned char)v->s.p[i];
		if (c == '=')
			break;
		int d = b64val(c);
		if (d < 0)
			return 0;
		acc = (acc << 6) | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o < got)
				out[o++] = (char)(acc >> bits);
		}
	}
	v->s.p = out;
	v->s.n = o;
	return 1;
}

static int apply_transformer(uint8_t tr, struct eng_val *v)
{
	if (v->t != VT_STR)
		return tr == ENG_TR_LEN ? 0 : 1;
	switch (tr) {
	case ENG_TR_TOLOWER:
	case ENG_TR_TOUPPER: {
		size_t got;
		char *out = scratch_alloc(v->s.n, &got);
		for (size_t i = 0; i < got; i++)
			out[i] = (char)(tr == ENG_TR_TOLOWER ? tolower((unsigned char)v->s.p[i])
							     : toupper((unsigned char)v->s.p[i]));
		v->s.p = out;
		v->s.n = got;
		return 1;
	}
	case ENG_TR_B64:
		return b64_decode(v);
	case ENG_TR_BASENAME: {
		const char *slash = v->s.n ? memrchr(v->s.p, '/', v->s.n) : NULL;
		if (slash) {
			v->s.n -= (size_t)(slash + 1 - v->s.p);
			v->s.p = slash + 1;
		}
		return 1;
	}
	case ENG_TR_LEN: {
		int64_t n = (int64_t)v->s.n;
		v->t = VT_INT;
		v->i = n;
		return 1;
	}
	default:
		return 1;
	}
}

int eng_extract(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		struct eng_val *out)
{
	int rc = r->f->get(c, r, idx, out);
	if (rc <= 0)
		return rc;
	for (unsigned i = 0; i < r->ntr; i++)
		if (!apply_transformer(r->tr[i], out))
			return 0;
	return 1;
}

/* ---- comparisons ---------------------------------------------------------- */

static bool has_prefix(const struct eng_val *v, const char *p, size_t n)
{
	return v->s.n >= n && memcmp(v->s.p, p, n) == 0;
}

static bool has_suffix(const struct eng_val *v, const char *p, size_t n)
{
	return v->s.n >= n && memcmp(v->s.p + v->s.n - n, p, n) == 0;
}

static bool contains(const struct eng_val *v, const char *p, size_t n)
{
	return n == 0 || (v->s.n >= n && memmem(v->s.p, v->s.n, p, n) != NULL);
}

static bool regex_full(const regex_t *re, const struct eng_val *v)
{
	regmatch_t m[1];
	m[0].rm_so = 0;
	m[0].rm_eo = (regoff_t)v->s.n;
	/* REG_STARTEND: the value need not be NUL-terminated. The pattern was
	 * compiled anchored, so a match is a full match as in Falco. */
	return regexec(re, v->s.p ? v->s.p : "", 1, m, REG_STARTEND) == 0;
}

static bool int_cmp(uint8_t op, int64_t a, int64_t b)
{
	switch (op) {
	case ENG_OP_EQ:
	case ENG_OP_IN:
	case ENG_OP_INTERSECTS:
		return a == b;
	case ENG_OP_NE:
		return a != b;
	case ENG_OP_LT:
		return a < b;
	case ENG_OP_LE:
		return a <= b;
	case ENG_OP_GT:
		return a > b;
	case ENG_OP_GE:
		return a >= b;
	default:
		return false;
	}
}

static bool ip_eq(const struct eng_ip *a, const struct eng_ip *b)
{
	return a->family == b->family && memcmp(a->a, b->a, a->family == 4 ? 4 : 16) == 0;
}

/* Compares two extracted values (val() / transformer on the right-hand side). */
static bool dyn_cmp(uint8_t op, const struct eng_val *l, const struct eng_val *r)
{
	if (l->t == VT_INT && r->t == VT_INT)
		return int_cmp(op, l->i, r->i);
	if (l->t == VT_BOOL && r->t == VT_BOOL)
		return op == ENG_OP_NE ? l->b != r->b : l->b == r->b;
	if (l->t == VT_IP && r->t == VT_IP)
		return op == ENG_OP_NE ? !ip_eq(&l->ip, &r->ip) : ip_eq(&l->ip, &r->ip);
	if (l->t == VT_IP && r->t == VT_STR) {
		struct eng_net net;
		bool in = eng_net_parse(r->s.p, r->s.n, &net) && eng_net_contains(&net, &l->ip);
		return op == ENG_OP_NE ? !in : in;
	}
	if (l->t != VT_STR || r->t != VT_STR)
		return false;
	bool eq = l->s.n == r->s.n && memcmp(l->s.p, r->s.p, l->s.n) == 0;
	switch (op) {
	case ENG_OP_EQ:
	case ENG_OP_IN:
	case ENG_OP_INTERSECTS:
		return eq;
	case ENG_OP_NE:
		return !eq;
	case ENG_OP_CONTAINS:
	case ENG_OP_BCONTAINS:
		return contains(l, r->s.p, r->s.n);
	case ENG_OP_ICONTAINS: {
		if (r->s.n > l->s.n)
			return false;
		for (size_t i = 0; i + r->s.n <= l->s.n; i++)
			if (strncasecmp(l->s.p + i, r->s.p, r->s.n) == 0)
				return true;
		return false;
	}
	case ENG_OP_STARTSWITH:
	case ENG_OP_BSTARTSWITH:
		return has_prefix(l, r->s.p, r->s.n);
	case ENG_OP_ENDSWITH:
		return has_suffix(l, r->s.p, r->s.n);
	case ENG_OP_GLOB:
	case ENG_OP_IGLOB:
		return eng_glob_match(r->s.p, r->s.n, l->s.p, l->s.n, op == ENG_OP_IGLOB, false);
	case ENG_OP_PMATCH:
		return has_prefix(l, r->s.p, r->s.n) &&
		       (l->s.n == r->s.n || l->s.p[r->s.n] == '/' ||
			(r->s.n && r->s.p[r->s.n - 1] == '/'));
	default:
		return false;
	}
}

/* One value against the comparison's constant operand. For `!=` this
 * returns whether the value EQUALS, so the caller can negate over all values. */
static bool match_value(const struct eng_ctx *c, const struct eng_cmp *k, const struct eng_val *v)
{
	uint8_t op = k->op == ENG_OP_NE ? ENG_OP_EQ : k->op;
	switch (k->rk) {
	case RK_STR:
		switch (op) {
		case ENG_OP_EQ:
			return v->s.n == k->str_len && memcmp(v->s.p, k->str, v->s.n) == 0;
		case ENG_OP_CONTAINS:
		case ENG_OP_BCONTAINS:
			return contains(v, k->str, k->str_len);
		case ENG_OP_ICONTAINS:
			return eng_icontains(v->s.p, v->s.n, k->str, k->str_len);
		case ENG_OP_STARTSWITH:
		case ENG_OP_BSTARTSWITH:
			return has_prefix(v, k->str, k->str_len);
		case ENG_OP_ENDSWITH:
			return has_suffix(v, k->str, k->str_len);
		default:
			return false;
		}
	case RK_GLOB:
		return eng_glob_match(k->str, k->str_len, v->s.p, v->s.n, k->op == ENG_OP_IGLOB,
				      false);
	case RK_REGEX:
		return regex_full(k->re, v);
	case RK_STRSET:
		return strset_has(k->set, v->s.p, v->s.n);
	case RK_PMATCH:
		return eng_pmatch(k->pm, v->s.p, v->s.n);
	case RK_INT:
		return int_cmp(op, v->t == VT_BOOL ? v->b : v->i, k->i);
	case RK_BOOL:
		return v->b == k->b;
	case RK_INTSET: {
		int64_t x = v->t == VT_BOOL ? v->b : v->i;
		for (size_t i = 0; i < k->nints; i++)
			if (k->ints[i] == x)
				return true;
		return false;
	}
	case RK_NETS:
		for (size_t i = 0; i < k->nnets; i++)
			if (eng_net_contains(&k->nets[i], &v->ip))
				return true;
		return false;
	case RK_FIELD: {
		struct eng_val rv;
		if (eng_extract(c, k->rf, 0, &rv) <= 0)
			return false;
		return dyn_cmp(op, v, &rv);
	}
	case RK_FLAGS: {
		unsigned t = c->ev->type;
		switch (k->ft->mode[t]) {
		case 1: {
			int64_t raw;
			const struct eng_evtarg *a = k->lhs.args[t];
			return a && eng_evtarg_raw(c->ev, a, &raw) &&
			       ((uint64_t)raw & k->ft->mask[t]) == k->ft->value[t];
		}
		case 3:
			if (v->t != VT_STR)
				return false;
			return k->op == ENG_OP_ICONTAINS
				   ? eng_icontains(v->s.p, v->s.n, k->str, k->str_len)
				   : contains(v, k->str, k->str_len);
		default:
			return false;
		}
	}
	default:
		return false;
	}
}

bool eng_eval_cmp(const struct eng_ctx *c, const struct eng_cmp *k)
{
	struct eng_val v;
	scratch_reset();
	if (k->rk == RK_FLAGS) {
		/* Bit tests need no rendering: only fetch the text when searching it. */
		uint8_t mode = k->ft->mode[c->ev->type];
		if (mode == 0)
			return false;
		if (mode == 1)
			return match_value(c, k, &v);
	}
	if (!k->lhs.multi) {
		if (eng_extract(c, &k->lhs, 0, &v) <= 0)
			return false;
		if (k->op == ENG_OP_EXISTS)
			return true;
		bool m = match_value(c, k, &v);
		return k->op == ENG_OP_NE ? !m : m;
	}
	/* Several values (every ancestor, client and server side): any value
	 * matching makes the comparison true; `!=` is true when none equals. */
	bool any = false;
	for (unsigned i = 0;; i++) {
		int rc = eng_extract(c, &k->lhs, i, &v);
		if (rc < 0)
			break;
		if (rc == 0)
			continue;
		any = true;
		if (k->op == ENG_OP_EXISTS)
			return true;
		bool m = match_value(c, k, &v);
		if (k->op == ENG_OP_NE) {
			if (m)
				return false;
		} else if (m) {
			return true;
		}
	}
	return k->op == ENG_OP_NE && any;
}

/* Leaves are evaluated without another trip through the dispatcher. */
static inline bool eval_kid(const struct eng_ctx *c, const struct cnode *n)
{
	return n->kind == CN_CMP ? eng_eval_cmp(c, n->cmp) : eng_eval_node(c, n);
}

bool eng_eval_node(const struct eng_ctx *c, const struct cnode *n)
{
	switch (n->kind) {
	case CN_AND:
		for (uint32_t i = 0; i < n->n; i++)
			if (!eval_kid(c, n->kids[i]))
				return false;
		return true;
	case CN_OR:
		for (uint32_t i = 0; i < n->n; i++)
			if (eval_kid(c, n->kids[i]))
				return true;
		return false;
	case CN_NOT:
		return !eval_kid(c, n->kid);
	case CN_TRUE:
		return true;
	case CN_TYPES:
		return (n->types[c->ev->type / 64] >> (c->ev->type % 64)) & 1;
	case CN_CMP:
		return eng_eval_cmp(c, n->cmp);
	default:
		return false;
	}
}

/* ---- matches ------------------------------------------------------------- */

static void emit(const struct eng_ctx *c, const struct crule *r, eng_match_fn fn, void *ud)
{
	json_t *fields = NULL;
	char *text = eng_format_output_ctx(c, r, &fields);
	struct eng_match m = {
	    .rule = &r->info, .ev = c->ev, .output = text, .output_fields = fields};
	fn(&m, ud);
	free(text);
	json_decref(fields);
}

int eng_eval(const struct eng_ruleset *rs, const struct pal_event *ev, eng_match_fn fn, void *ud)
{
	if (!rs || !ev || ev->type >= PAL_EVT__COUNT || !ev->proc)
		return 0;
	struct eng_ctx c = {.ev = ev, .rs = rs};
	if (rs->needs_evt_num)
		c.evt_num = __atomic_add_fetch(&((struct eng_ruleset *)rs)->evt_counter, 1,
					       __ATOMIC_RELAXED);
	int matches = 0;
	struct crule *const *b = rs->bucket[ev->type];
	for (uint32_t i = 0, n = rs->nbucket[ev->type]; i < n; i++) {
		if (!eval_kid(&c, b[i]->cond))
			continue;
		matches++;
		if (fn)
			emit(&c, b[i], fn, ud);
	}
	return matches;
}
