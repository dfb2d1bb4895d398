#include "engine/ast.h"
#include "common/strutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct parser {
	struct eng_lexer lx;
	struct eng_arena *a;
	const struct eng_src *src;
	struct eng_parse_err *err;
	unsigned depth;
	bool failed;
};

static struct ast *fail(struct parser *p, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static struct ast *fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	if (p->failed)
		return NULL;
	p->failed = true;
	p->err->pos = pos;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return NULL;
}

static struct ast *fail_tok(struct parser *p, const struct eng_token *t, const char *what)
{
	if (t->kind == TK_ERROR)
		return fail(p, t->pos, "%s", t->err);
	if (t->kind == TK_EOF)
		return fail(p, t->pos, "unexpected end of condition: %s", what);
	int shown = (int)(t->len > 40 ? 40 : t->len);
	return fail(p, t->pos, "unexpected '%.*s': %s", shown, p->lx.s + t->pos, what);
}

struct ast *ast_new(struct eng_arena *a, enum ast_kind k, const struct eng_src *src, size_t pos)
{
	struct ast *t = arena_alloc(a, sizeof(*t));
	t->kind = k;
	t->src = src;
	t->pos = pos;
	return t;
}

struct ast *ast_logic(struct eng_arena *a, enum ast_kind k, struct ast **kids, size_t n)
{
	struct ast *t = ast_new(a, k, n ? kids[0]->src : NULL, n ? kids[0]->pos : 0);
	t->logic.kids = arena_alloc(a, sizeof(*kids) * (n ? n : 1));
	eng_copy(t->logic.kids, kids, sizeof(*kids) * n);
	t->logic.n = n;
	return t;
}

static struct ast *parse_or(struct parser *p);

static bool enter(struct parser *p, size_t pos)
{
	if (++p->depth > ENG_MAX_PARSE_DEPTH) {
		fail(p, pos, "condition nested deeper than %d levels", ENG_MAX_PARSE_DEPTH);
		return false;
	}
	return true;
}

static void field_from_token(struct ast_field *f, const struct eng_token *t)
{
	memset(f, 0, sizeof(*f));
	f->name = t->text;
	f->name_len = t->text_len;
	f->has_arg = t->has_arg;
	f->arg = t->arg;
	f->arg_len = t->arg_len;
	f->pos = t->pos;
}

/* After "tr(": a field or a nested transformer, then ')'. */
static bool parse_transformed_field(struct parser *p, int tr, size_t pos, struct ast_field *out)
{
	if (!enter(p, pos))
		return false;
	struct eng_token t;
	eng_lex(&p->lx, LM_CHECK, &t);
	if (t.kind == TK_TRANSFORMER) {
		if (t.op == ENG_TR_VAL) {
			fail(p, t.pos,
			     "val() can only be used on the right-hand side of a comparison");
			return false;
		}
		if (!parse_transformed_field(p, t.op, t.pos, out))
			return false;
	} else if (t.kind == TK_FIELD) {
		field_from_token(out, &t);
	} else {
		fail_tok(p, &t, "a transformer takes a field, e.g. tolower(proc.name)");
		return false;
	}
	if (out->ntr >= ENG_MAX_TRANSFORMERS) {
		fail(p, pos, "more than %d nested transformers", ENG_MAX_TRANSFORMERS);
		return false;
	}
	out->tr[out->ntr++] = (uint8_t)tr;
	eng_lex(&p->lx, LM_JOIN, &t);
	if (t.kind != TK_RPAREN) {
		fail_tok(p, &t, "expected ')' to close the transformer");
		return false;
	}
	p->depth--;
	return true;
}

/* The right-hand side when it is val(field) or transformer(field). */
static bool parse_rhs_field(struct parser *p, const struct eng_token *t, struct ast_field *out)
{
	if (t->op != ENG_TR_VAL)
		return parse_transformed_field(p, t->op, t->pos, out);
	struct eng_token f;
	eng_lex(&p->lx, LM_CHECK, &f);
	if (f.kind != TK_FIELD) {
		fail_tok(p, &f, "val() takes a field name, e.g. val(proc.pname)");
		return false;
	}
	field_from_token(out, &f);
	struct eng_token r;
	eng_lex(&p->lx, LM_JOIN, &r);
	if (r.kind != TK_RPAREN) {
		fail_tok(p, &r, "expected ')' to close val(");
		return false;
	}
	return true;
}

static bool parse_list(struct parser *p, struct ast *cmp)
{
	size_t cap = 8, n = 0;
	struct ast_value *items = arena_alloc(p->a, cap * sizeof(*items));
	bool need_item = true;
	for (;;) {
		struct eng_token t;
		eng_lex(&p->lx, LM_LIST, &t);
		if (t.kind == TK_RPAREN)
			break;
		if (t.kind == TK_STRING && need_item) {
			if (n == cap) {
				items = arena_grow(p->a, items, sizeof(*items), n, cap * 2);
				cap *= 2;
			}
			items[n++] = (struct ast_value){t.text, t.text_len, t.quoted, t.pos};
			need_item = false;
			continue;
		}
		if (t.kind == TK_COMMA && !need_item) {
			need_item = true;
			continue;
		}
		fail_tok(p, &t, need_item ? "expected a list item or ')'" : "expected ',' or ')'");
		return false;
	}
	cmp->cmp.items = items;
	cmp->cmp.nitems = n;
	return true;
}

static struct ast *parse_condition(struct parser *p, const struct ast_field *lhs, size_t pos)
{
	struct eng_token t;
	eng_lex(&p->lx, LM_OP, &t);
	if (t.kind != TK_OP)
		return fail_tok(p, &t, "expected a comparison operator after the field");
	struct ast *c = ast_new(p->a, AST_CMP, p->src, pos);
	c->cmp.lhs = *lhs;
	c->cmp.op = (uint8_t)t.op;
	c->cmp.op_pos = t.pos;
	if (t.op == ENG_OP_EXISTS) {
		c->cmp.rhs_kind = RHS_NONE;
		return c;
	}
	struct eng_token v;
	eng_lex(&p->lx, LM_VALUE, &v);
	if (v.kind == TK_TRANSFORMER) {
		c->cmp.rhs_kind = RHS_FIELD;
		return parse_rhs_field(p, &v, &c->cmp.rfield) ? c : NULL;
	}
	if (eng_op_is_list((enum eng_op)t.op)) {
		if (v.kind == TK_LPAREN) {
			c->cmp.rhs_kind = RHS_LIST;
			return parse_list(p, c) ? c : NULL;
		}
		if (v.kind == TK_STRING && !v.quoted) {
			/* `x in list_name`: the name of a list. */
			c->cmp.rhs_kind = RHS_LISTREF;
			c->cmp.value = (struct ast_value){v.text, v.text_len, false, v.pos};
			return c;
		}
		return fail_tok(p, &v, "expected a list: (a, b, ...) or a list name");
	}
	if (v.kind == TK_STRING) {
		c->cmp.rhs_kind = RHS_VALUE;
		c->cmp.value = (struct ast_value){v.text, v.text_len, v.quoted, v.pos};
		return c;
	}
	if (v.kind == TK_LPAREN)
		return fail(p, v.pos,
			    "a list of values needs 'in', 'intersects' or 'pmatch', not '%s'",
			    eng_op_name((enum eng_op)t.op));
	return fail_tok(p, &v, "expected a value");
}

static struct ast *parse_check(struct parser *p)
{
	struct eng_token t;
	eng_lex(&p->lx, LM_CHECK, &t);
	switch (t.kind) {
	case TK_LPAREN: {
		if (!enter(p, t.pos))
			return NULL;
		struct ast *e = parse_or(p);
		if (!e)
			return NULL;
		struct eng_token r;
		eng_lex(&p->lx, LM_JOIN, &r);
		if (r.kind != TK_RPAREN)
			return fail_tok(p, &r, "expected ')'");
		p->depth--;
		return e;
	}
	case TK_IDENT: {
		struct ast *m = ast_new(p->a, AST_MACRO, p->src, t.pos);
		m->macro.name = arena_strndup(p->a, t.text, t.text_len);
		m->macro.len = t.text_len;
		return m;
	}
	case TK_FIELD: {
		struct ast_field f;
		field_from_token(&f, &t);
		return parse_condition(p, &f, t.pos);
	}
	case TK_TRANSFORMER: {
		if (t.op == ENG_TR_VAL)
			return fail(
			    p, t.pos,
			    "val() can only be used on the right-hand side of a comparison");
		struct ast_field f;
		memset(&f, 0, sizeof(f));
		if (!parse_transformed_field(p, t.op, t.pos, &f))
			return NULL;
		return parse_condition(p, &f, t.pos);
	}
	default:
		return fail_tok(p, &t, "expected a field, a macro name, 'not' or '('");
	}
}

static struct ast *parse_not(struct parser *p)
{
	struct eng_token t;
	eng_lex_peek(&p->lx, LM_CHECK, &t);
	if (t.kind != TK_NOT)
		return parse_check(p);
	eng_lex(&p->lx, LM_CHECK, &t);
	if (!enter(p, t.pos))
		return NULL;
	struct ast *child = parse_not(p);
	if (!child)
		return NULL;
	p->depth--;
	struct ast *n = ast_new(p->a, AST_NOT, p->src, t.pos);
	n->child = child;
	return n;
}

/* Parses `sub (joiner sub)*` into one n-ary node. */
static struct ast *parse_chain(struct parser *p, enum eng_tok_kind joiner, enum ast_kind kind,
			       struct ast *(*sub)(struct parser *))
{
	struct ast *first = sub(p);
	if (!first)
		return NULL;
	struct ast *stack[8];
	struct ast **kids = stack;
	size_t n = 0, cap = 8;
	kids[n++] = first;
	for (;;) {
		struct eng_token t;
		eng_lex_peek(&p->lx, LM_JOIN, &t);
		if (t.kind != joiner)
			break;
		eng_lex(&p->lx, LM_JOIN, &t);
		struct ast *next = sub(p);
		if (!next)
			return NULL;
		if (n == cap) {
			struct ast **bigger = arena_alloc(p->a, sizeof(*kids) * cap * 2);
			eng_copy(bigger, kids, sizeof(*kids) * n);
			kids = bigger;
			cap *= 2;
		}
		kids[n++] = next;
	}
	if (n == 1)
		return first;
	struct ast *node = ast_logic(p->a, kind, kids, n);
	node->pos = first->pos;
	return node;
}

static struct ast *parse_and(struct parser *p)
{
	return parse_chain(p, TK_AND, AST_AND, parse_not);
}

static struct ast *parse_or(struct parser *p)
{
	return parse_chain(p, TK_OR, AST_OR, parse_and);
}

struct ast *eng_parse(struct eng_arena *a, const struct eng_src *src, struct eng_parse_err *err)
{
	struct parser p = {.a = a, .src = src, .err = err};
	eng_lexer_init(&p.lx, src->text, src->len, a);
	err->pos = 0;
	err->msg[0] = '\0';
	struct eng_token t;
	eng_lex_peek(&p.lx, LM_CHECK, &t);
	if (t.kind == TK_EOF)
		return fail(&p, 0, "empty condition");
	struct ast *root = parse_or(&p);
	if (!root)
		return NULL;
	eng_lex(&p.lx, LM_JOIN, &t);
	if (t.kind == TK_RPAREN)
		return fail(&p, t.pos, "unbalanced ')'");
	if (t.kind != TK_EOF)
		return fail_tok(&p, &t, "expected 'and', 'or' or the end of the condition");
	return root;
}

/* ---- printing ----------------------------------------------------------- */

static void print_field(struct pal_buf *b, const struct ast_field *f)
{
	for (int i = f->ntr - 1; i >= 0; i--)
		pal_buf_printf(b, "%s(", eng_transformer_name(f->tr[i]));
	pal_buf_append(b, f->name, f->name_len);
	if (f->has_arg) {
		pal_buf_putc(b, '[');
		pal_buf_append(b, f->arg, f->arg_len);
		pal_buf_putc(b, ']');
	}
	for (int i = 0; i < f->ntr; i++)
		pal_buf_putc(b, ')');
}

static void print_value(struct pal_buf *b, const struct ast_value *v)
{
	if (!v->quoted) {
		pal_buf_append(b, v->s, v->n);
		return;
	}
	pal_buf_putc(b, '"');
	for (size_t i = 0; i < v->n; i++) {
		if (v->s[i] == '"' || v->s[i] == '\\')
			pal_buf_putc(b, '\\');
		pal_buf_putc(b, v->s[i]);
	}
	pal_buf_putc(b, '"');
}

static void print_ast(struct pal_buf *b, const struct ast *t)
{
	switch (t->kind) {
	case AST_AND:
	case AST_OR:
		pal_buf_putc(b, '(');
		for (size_t i = 0; i < t->logic.n; i++) {
			if (i)
				pal_buf_puts(b, t->kind == AST_AND ? " and " : " or ");
			print_ast(b, t->logic.kids[i]);
		}
		pal_buf_putc(b, ')');
		break;
	case AST_NOT:
		pal_buf_puts(b, "not ");
		print_ast(b, t->child);
		break;
	case AST_MACRO:
		pal_buf_append(b, t->macro.name, t->macro.len);
		break;
	case AST_CMP:
		print_field(b, &t->cmp.lhs);
		pal_buf_printf(b, " %s", eng_op_name(t->cmp.op));
		switch (t->cmp.rhs_kind) {
		case RHS_VALUE:
		case RHS_LISTREF:
			pal_buf_putc(b, ' ');
			print_value(b, &t->cmp.value);
			break;
		case RHS_LIST:
			pal_buf_puts(b, " (");
			for (size_t i = 0; i < t->cmp.nitems; i++) {
				if (i)
					pal_buf_puts(b, ", ");
				print_value(b, &t->cmp.items[i]);
			}
			pal_buf_putc(b, ')');
			break;
		case RHS_FIELD:
			pal_buf_puts(b, t->cmp.rfield.ntr ? " " : " val(");
			print_field(b, &t->cmp.rfield);
			if (!t->cmp.rfield.ntr)
				pal_buf_putc(b, ')');
			break;
		default:
			break;
		}
		break;
	}
}

char *ast_to_string(const struct ast *t)
{
	struct pal_buf b;
	pal_buf_init(&b);
	print_ast(&b, t);
	return pal_buf_steal(&b);
}

void eng_src_locate(const struct eng_src *s, size_t off, const char **file, unsigned *line,
		    unsigned *col)
{
	*file = NULL;
	*line = *col = 0;
	if (s && s->locate)
		s->locate(s, off, file, line, col);
}
