#include "engine/lexer.h"
#include "engine/util.h"

#include <string.h>

static const char *const op_names[ENG_OP__COUNT] = {
    [ENG_OP_EQ] = "=",
    [ENG_OP_NE] = "!=",
    [ENG_OP_LT] = "<",
    [ENG_OP_LE] = "<=",
    [ENG_OP_GT] = ">",
    [ENG_OP_GE] = ">=",
    [ENG_OP_CONTAINS] = "contains",
    [ENG_OP_ICONTAINS] = "icontains",
    [ENG_OP_BCONTAINS] = "bcontains",
    [ENG_OP_STARTSWITH] = "startswith",
    [ENG_OP_BSTARTSWITH] = "bstartswith",
    [ENG_OP_ENDSWITH] = "endswith",
    [ENG_OP_GLOB] = "glob",
    [ENG_OP_IGLOB] = "iglob",
    [ENG_OP_REGEX] = "regex",
    [ENG_OP_IN] = "in",
    [ENG_OP_INTERSECTS] = "intersects",
    [ENG_OP_PMATCH] = "pmatch",
    [ENG_OP_EXISTS] = "exists",
};

static const char *const tr_names[ENG_TR__COUNT] = {
    [ENG_TR_TOLOWER] = "tolower",   [ENG_TR_TOUPPER] = "toupper", [ENG_TR_B64] = "b64",
    [ENG_TR_BASENAME] = "basename", [ENG_TR_LEN] = "len",	  [ENG_TR_VAL] = "val",
};

const char *eng_op_name(enum eng_op op)
{
	return (unsigned)op < ENG_OP__COUNT ? op_names[op] : "?";
}

int eng_op_from_name(const char *s, size_t n)
{
	if (n == 2 && memcmp(s, "==", 2) == 0)
		return ENG_OP_EQ;
	for (int i = 0; i < ENG_OP__COUNT; i++)
		if (strlen(op_names[i]) == n && memcmp(op_names[i], s, n) == 0)
			return i;
	return -1;
}

bool eng_op_is_list(enum eng_op op)
{
	return op == ENG_OP_IN || op == ENG_OP_INTERSECTS || op == ENG_OP_PMATCH;
}

bool eng_op_is_numeric(enum eng_op op)
{
	return op == ENG_OP_LT || op == ENG_OP_LE || op == ENG_OP_GT || op == ENG_OP_GE;
}

const char *eng_transformer_name(enum eng_transformer t)
{
	return (unsigned)t < ENG_TR__COUNT ? tr_names[t] : "?";
}

void eng_lexer_init(struct eng_lexer *lx, const char *s, size_t n, struct eng_arena *arena)
{
	lx->s = s;
	lx->n = n;
	lx->pos = 0;
	lx->arena = arena;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\b' || c == '\f' ||
	       c == '\v';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_ident_char(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

static bool is_bare_char(char c)
{
	return !is_blank(c) && c != '(' && c != ')' && c != ',' && c != '=' && c != '"' &&
	       c != '\'' && c != '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t eng_unescape(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 >= n) {
			out[o++] = s[i];
			continue;
		}
		char c = s[i + 1];
		int h1, h2;
		switch (c) {
		case '\\':
		case '"':
		case '\'':
			out[o++] = c;
			i++;
			break;
		case 'n':
			out[o++] = '\n';
			i++;
			break;
		case 't':
			out[o++] = '\t';
			i++;
			break;
		case 'r':
			out[o++] = '\r';
			i++;
			break;
		case 'b':
			out[o++] = '\b';
			i++;
			break;
		case 'f':
			out[o++] = '\f';
			i++;
			break;
		case 'x':
			if (i + 3 < n && (h1 = hexval(s[i + 2])) >= 0 &&
			    (h2 = hexval(s[i + 3])) >= 0) {
				out[o++] = (char)(h1 * 16 + h2);
				i += 3;
				break;
			}
			out[o++] = s[i];
			break;
		default:
			/* Unknown escapes stay as written (regexes and globs use them). */
			out[o++] = s[i];
			break;
		}
	}
	out[o] = '\0';
	return o;
}

static void skip_blank(struct eng_lexer *lx)
{
	while (lx->pos < lx->n && is_blank(lx->s[lx->pos]))
		lx->pos++;
}

static char peekc(const struct eng_lexer *lx, size_t off)
{
	return lx->pos + off < lx->n ? lx->s[lx->pos + off] : '\0';
}

static void set_err(struct eng_token *t, const struct eng_lexer *lx, const char *msg)
{
	t->kind = TK_ERROR;
	t->pos = lx->pos;
	t->len = 0;
	t->err = msg;
}

/* A keyword ends where a blank, '(' or the input ends. */
static bool at_keyword(const struct eng_lexer *lx, const char *kw)
{
	size_t k = strlen(kw);
	if (lx->pos + k > lx->n || memcmp(lx->s + lx->pos, kw, k) != 0)
		return false;
	char next = peekc(lx, k);
	return next == '\0' || is_blank(next) || next == '(';
}

static size_t ident_len(const struct eng_lexer *lx, size_t from)
{
	size_t i = from;
	if (i >= lx->n || !is_alpha(lx->s[i]))
		return 0;
	while (i < lx->n && is_ident_char(lx->s[i]))
		i++;
	return i - from;
}

static int transformer_at(const struct eng_lexer *lx)
{
	size_t k = ident_len(lx, lx->pos);
	if (!k || peekc(lx, k) != '(')
		return -1;
	for (int i = 0; i < ENG_TR__COUNT; i++)
		if (strlen(tr_names[i]) == k && memcmp(tr_names[i], lx->s + lx->pos, k) == 0)
			return i;
	return -1;
}

/* Reads a quoted string starting at the quote; fills a TK_STRING. */
static void lex_quoted(struct eng_lexer *lx, struct eng_token *t)
{
	char q = lx->s[lx->pos];
	size_t start = lx->pos, i = lx->pos + 1;
	while (i < lx->n && lx->s[i] != q) {
		if (lx->s[i] == '\\' && i + 1 < lx->n)
			i++;
		i++;
	}
	if (i >= lx->n) {
		set_err(t, lx, "unterminated quoted string");
		return;
	}
	size_t body = i - start - 1;
	char *out = arena_alloc(lx->arena, body + 1);
	t->kind = TK_STRING;
	t->pos = start;
	t->len = i + 1 - start;
	t->text = out;
	t->text_len = eng_unescape(lx->s + start + 1, body, out);
	t->quoted = true;
	lx->pos = i + 1;
}

static void lex_bare(struct eng_lexer *lx, struct eng_token *t)
{
	size_t start = lx->pos;
	while (lx->pos < lx->n && is_bare_char(lx->s[lx->pos]))
		lx->pos++;
	t->kind = TK_STRING;
	t->pos = start;
	t->len = lx->pos - start;
	t->text = lx->s + start;
	t->text_len = t->len;
	t->quoted = false;
}

/* A field name: identifier('.'identifier)+ with an optional [arg]. */
static void lex_field_or_ident(struct eng_lexer *lx, struct eng_token *t)
{
	size_t start = lx->pos;
	size_t k = ident_len(lx, start);
	size_t end = start + k;
	bool dotted = false;
	while (end + 1 < lx->n && lx->s[end] == '.' && is_alpha(lx->s[end + 1])) {
		end += 1 + ident_len(lx, end + 1);
		dotted = true;
	}
	t->pos = start;
	t->text = lx->s + start;
	t->text_len = end - start;
	t->quoted = false;
	t->has_arg = false;
	lx->pos = end;
	if (!dotted) {
		t->kind = TK_IDENT;
		t->len = end - start;
		return;
	}
	t->kind = TK_FIELD;
	if (peekc(lx, 0) == '[') {
		lx->pos++;
		if (peekc(lx, 0) == '"' || peekc(lx, 0) == '\'') {
			struct eng_token q;
			lex_quoted(lx, &q);
			if (q.kind == TK_ERROR) {
				*t = q;
				return;
			}
			t->arg = q.text;
			t->arg_len = q.text_len;
		} else {
			size_t as = lx->pos;
			while (lx->pos < lx->n) {
				char c = lx->s[lx->pos];
				if (is_blank(c) || c == '[' || c == ']' || c == '"' || c == '\'')
					break;
				lx->pos++;
			}
			t->arg = lx->s + as;
			t->arg_len = lx->pos - as;
			if (!t->arg_len) {
				set_err(t, lx, "empty field argument: write field[argument]");
				return;
			}
		}
		if (peekc(lx, 0) != ']') {
			set_err(t, lx, "field argument is missing its closing ']'");
			return;
		}
		lx->pos++;
		t->has_arg = true;
	}
	t->len = lx->pos - start;
}

static void lex_op(struct eng_lexer *lx, struct eng_token *t)
{
	static const struct {
		const char *s;
		int op;
	} sym[] = {{"==", ENG_OP_EQ}, {"!=", ENG_OP_NE}, {"<=", ENG_OP_LE}, {">=", ENG_OP_GE},
		   {"=", ENG_OP_EQ},  {"<", ENG_OP_LT},	 {">", ENG_OP_GT}};
	t->pos = lx->pos;
	for (size_t i = 0; i < sizeof(sym) / sizeof(sym[0]); i++) {
		size_t k = strlen(sym[i].s);
		if (lx->pos + k <= lx->n && memcmp(lx->s + lx->pos, sym[i].s, k) == 0) {
			t->kind = TK_OP;
			t->op = sym[i].op;
			t->len = k;
			lx->pos += k;
			return;
		}
	}
	size_t k = ident_len(lx, lx->pos);
	int op = k ? eng_op_from_name(lx->s + lx->pos, k) : -1;
	if (op < 0) {
		set_err(t, lx,
			"expected a comparison operator (=, !=, <, contains, in, exists, ...)");
		return;
	}
	t->kind = TK_OP;
	t->op = op;
	t->len = k;
	lx->pos += k;
}

void eng_lex(struct eng_lexer *lx, enum eng_lex_mode mode, struct eng_token *t)
{
	memset(t, 0, sizeof(*t));
	skip_blank(lx);
	t->pos = lx->pos;
	char c = peekc(lx, 0);
	if (lx->pos >= lx->n) {
		if (mode == LM_LIST) {
			set_err(t, lx, "list is missing its closing ')'");
			return;
		}
		t->kind = TK_EOF;
		return;
	}
	switch (mode) {
	case LM_CHECK:
		if (c == '(') {
			t->kind = TK_LPAREN;
			t->len = 1;
			lx->pos++;
			return;
		}
		if (at_keyword(lx, "not")) {
			t->kind = TK_NOT;
			t->len = 3;
			lx->pos += 3;
			return;
		}
		if (is_alpha(c)) {
			int tr = transformer_at(lx);
			if (tr >= 0) {
				t->kind = TK_TRANSFORMER;
				t->op = tr;
				t->text = lx->s + lx->pos;
				t->text_len = strlen(tr_names[tr]);
				t->len = t->text_len + 1;
				lx->pos += t->len;
				return;
			}
			lex_field_or_ident(lx, t);
			return;
		}
		set_err(t, lx, "expected a field, a macro name, 'not' or '('");
		return;
	case LM_JOIN:
		if (c == ')') {
			t->kind = TK_RPAREN;
			t->len = 1;
			lx->pos++;
			return;
		}
		if (at_keyword(lx, "and")) {
			t->kind = TK_AND;
			t->len = 3;
			lx->pos += 3;
			return;
		}
		if (at_keyword(lx, "or")) {
			t->kind = TK_OR;
			t->len = 2;
			lx->pos += 2;
			return;
		}
		set_err(t, lx, "expected 'and', 'or', ')' or the end of the condition");
		return;
	case LM_OP:
		lex_op(lx, t);
		return;
	case LM_VALUE:
		if (c == '(') {
			t->kind = TK_LPAREN;
			t->len = 1;
			lx->pos++;
			return;
		}
		if (c == '"' || c == '\'') {
			lex_quoted(lx, t);
			return;
		}
		if (is_alpha(c)) {
			int tr = transformer_at(lx);
			if (tr >= 0) {
				t->kind = TK_TRANSFORMER;
				t->op = tr;
				t->text = lx->s + lx->pos;
				t->text_len = strlen(tr_names[tr]);
				t->len = t->text_len + 1;
				lx->pos += t->len;
				return;
			}
		}
		if (!is_bare_char(c)) {
			set_err(t, lx, "expected a value");
			return;
		}
		lex_bare(lx, t);
		return;
	case LM_LIST:
		if (c == ',') {
			t->kind = TK_COMMA;
			t->len = 1;
			lx->pos++;
			return;
		}
		if (c == ')') {
			t->kind = TK_RPAREN;
			t->len = 1;
			lx->pos++;
			return;
		}
		if (c == '"' || c == '\'') {
			lex_quoted(lx, t);
			return;
		}
		if (!is_bare_char(c)) {
			set_err(t, lx, "expected a list item, ',' or ')'");
			return;
		}
		lex_bare(lx, t);
		return;
	}
	set_err(t, lx, "internal: bad lexer mode");
}

void eng_lex_peek(struct eng_lexer *lx, enum eng_lex_mode mode, struct eng_token *tok)
{
	size_t saved = lx->pos;
	eng_lex(lx, mode, tok);
	lx->pos = saved;
}
