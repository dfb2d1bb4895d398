#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "engine/lexer.h"
#include "engine/util.h"

struct lx {
	struct eng_arena a;
	struct eng_lexer l;
};

static void lx_init(struct lx *x, const char *s)
{
	memset(x, 0, sizeof(*x));
	eng_lexer_init(&x->l, s, strlen(s), &x->a);
}

static void assert_text(const struct eng_token *t, const char *want)
{
	assert_int_equal(t->text_len, strlen(want));
	assert_memory_equal(t->text, want, t->text_len);
}

static void fields_identifiers_and_keywords(void **state)
{
	(void)state;
	struct lx x;
	struct eng_token t;
	lx_init(&x, "  proc.aname[2] not(shell_procs) nothing");
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_FIELD);
	assert_text(&t, "proc.aname");
	assert_true(t.has_arg);
	assert_int_equal(t.arg_len, 1);
	assert_int_equal(t.arg[0], '2');
	assert_int_equal(t.pos, 2);
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_NOT); /* 'not' directly followed by '(' */
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_LPAREN);
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_IDENT);
	assert_text(&t, "shell_procs");
	eng_lex(&x.l, LM_JOIN, &t);
	assert_int_equal(t.kind, TK_RPAREN);
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_IDENT); /* "nothing" is not the keyword "not" */
	assert_text(&t, "nothing");
	eng_lex(&x.l, LM_JOIN, &t);
	assert_int_equal(t.kind, TK_EOF);
	arena_release(&x.a);
}

static void field_arguments(void **state)
{
	(void)state;
	struct lx x;
	struct eng_token t;
	lx_init(&x,
		"proc.env[HOME] evt.arg.flags k8s.pod.label['app.kubernetes.io/name'] evt.arg[0]");
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_FIELD);
	assert_text(&t, "proc.env");
	assert_int_equal(t.arg_len, 4);
	assert_memory_equal(t.arg, "HOME", 4);
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_FIELD);
	assert_text(&t, "evt.arg.flags");
	assert_false(t.has_arg);
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_FIELD);
	assert_text(&t, "k8s.pod.label");
	assert_int_equal(t.arg_len, strlen("app.kubernetes.io/name"));
	assert_memory_equal(t.arg, "app.kubernetes.io/name", t.arg_len);
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_FIELD);
	assert_int_equal(t.arg[0], '0');
	arena_release(&x.a);

	lx_init(&x, "proc.aname[2");
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_ERROR);
	assert_string_equal(t.err, "field argument is missing its closing ']'");
	arena_release(&x.a);
	lx_init(&x, "proc.aname[]");
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_ERROR);
	arena_release(&x.a);
}

static void operators(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		int op;
	} cases[] = {
	    {"=", ENG_OP_EQ},
	    {"==", ENG_OP_EQ},
	    {"!=", ENG_OP_NE},
	    {"<", ENG_OP_LT},
	    {"<=", ENG_OP_LE},
	    {">", ENG_OP_GT},
	    {">=", ENG_OP_GE},
	    {"contains", ENG_OP_CONTAINS},
	    {"icontains", ENG_OP_ICONTAINS},
	    {"bcontains", ENG_OP_BCONTAINS},
	    {"startswith", ENG_OP_STARTSWITH},
	    {"bstartswith", ENG_OP_BSTARTSWITH},
	    {"endswith", ENG_OP_ENDSWITH},
	    {"glob", ENG_OP_GLOB},
	    {"iglob", ENG_OP_IGLOB},
	    {"regex", ENG_OP_REGEX},
	    {"in", ENG_OP_IN},
	    {"intersects", ENG_OP_INTERSECTS},
	    {"pmatch", ENG_OP_PMATCH},
	    {"exists", ENG_OP_EXISTS},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lx x;
		struct eng_token t;
		lx_init(&x, cases[i].text);
		eng_lex(&x.l, LM_OP, &t);
		assert_int_equal(t.kind, TK_OP);
		assert_int_equal(t.op, cases[i].op);
		assert_int_equal(t.len, strlen(cases[i].text));
		arena_release(&x.a);
	}
	struct lx x;
	struct eng_token t;
	lx_init(&x, "containz x");
	eng_lex(&x.l, LM_OP, &t);
	assert_int_equal(t.kind, TK_ERROR);
	arena_release(&x.a);
	/* "=" with no blank before the value */
	lx_init(&x, "=sshd");
	eng_lex(&x.l, LM_OP, &t);
	assert_int_equal(t.op, ENG_OP_EQ);
	eng_lex(&x.l, LM_VALUE, &t);
	assert_int_equal(t.kind, TK_STRING);
	assert_text(&t, "sshd");
	arena_release(&x.a);
}

static void values_bare_and_quoted(void **state)
{
	(void)state;
	struct lx x;
	struct eng_token t;
	lx_init(&x, "/etc/ 'a b' \"q\\\"x\\\\y\\x41\\n\" runc:[0:PARENT] <NA>!");
	eng_lex(&x.l, LM_VALUE, &t);
	assert_int_equal(t.kind, TK_STRING);
	assert_false(t.quoted);
	assert_text(&t, "/etc/");
	eng_lex(&x.l, LM_VALUE, &t);
	assert_true(t.quoted);
	assert_text(&t, "a b");
	eng_lex(&x.l, LM_VALUE, &t);
	assert_true(t.quoted);
	assert_text(&t, "q\"x\\yA\n");
	eng_lex(&x.l, LM_VALUE, &t);
	assert_text(&t, "runc:[0:PARENT]");
	eng_lex(&x.l, LM_VALUE, &t);
	assert_text(&t, "<NA>!"); /* '!' '<' '>' are ordinary characters in values */
	arena_release(&x.a);

	lx_init(&x, "'unterminated");
	eng_lex(&x.l, LM_VALUE, &t);
	assert_int_equal(t.kind, TK_ERROR);
	assert_string_equal(t.err, "unterminated quoted string");
	arena_release(&x.a);
	lx_init(&x, ")");
	eng_lex(&x.l, LM_VALUE, &t);
	assert_int_equal(t.kind, TK_ERROR);
	arena_release(&x.a);
}

static void lists_and_transformers(void **state)
{
	(void)state;
	struct lx x;
	struct eng_token t;
	lx_init(&x, "(a, \"b c\",runc:[1:CHILD])");
	eng_lex(&x.l, LM_VALUE, &t);
	assert_int_equal(t.kind, TK_LPAREN);
	eng_lex(&x.l, LM_LIST, &t);
	assert_text(&t, "a");
	eng_lex(&x.l, LM_LIST, &t);
	assert_int_equal(t.kind, TK_COMMA);
	eng_lex(&x.l, LM_LIST, &t);
	assert_text(&t, "b c");
	assert_true(t.quoted);
	eng_lex(&x.l, LM_LIST, &t);
	assert_int_equal(t.kind, TK_COMMA);
	eng_lex(&x.l, LM_LIST, &t);
	assert_text(&t, "runc:[1:CHILD]");
	eng_lex(&x.l, LM_LIST, &t);
	assert_int_equal(t.kind, TK_RPAREN);
	arena_release(&x.a);

	lx_init(&x, "(a, b");
	eng_lex(&x.l, LM_VALUE, &t);
	eng_lex(&x.l, LM_LIST, &t);
	eng_lex(&x.l, LM_LIST, &t);
	eng_lex(&x.l, LM_LIST, &t);
	eng_lex(&x.l, LM_LIST, &t);
	assert_int_equal(t.kind, TK_ERROR);
	assert_string_equal(t.err, "list is missing its closing ')'");
	arena_release(&x.a);

	lx_init(&x, "tolower(proc.name) val(proc.pname) tolower (x)");
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_TRANSFORMER);
	assert_int_equal(t.op, ENG_TR_TOLOWER);
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_FIELD);
	eng_lex(&x.l, LM_JOIN, &t);
	assert_int_equal(t.kind, TK_RPAREN);
	eng_lex(&x.l, LM_VALUE, &t);
	assert_int_equal(t.kind, TK_TRANSFORMER);
	assert_int_equal(t.op, ENG_TR_VAL);
	eng_lex(&x.l, LM_CHECK, &t);
	eng_lex(&x.l, LM_JOIN, &t);
	/* A transformer name must be followed directly by '(' */
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_IDENT);
	arena_release(&x.a);
}

static void join_mode(void **state)
{
	(void)state;
	struct lx x;
	struct eng_token t;
	lx_init(&x, " and(or x");
	eng_lex(&x.l, LM_JOIN, &t);
	assert_int_equal(t.kind, TK_AND);
	eng_lex(&x.l, LM_CHECK, &t);
	assert_int_equal(t.kind, TK_LPAREN);
	eng_lex(&x.l, LM_JOIN, &t);
	assert_int_equal(t.kind, TK_OR);
	eng_lex(&x.l, LM_JOIN, &t);
	assert_int_equal(t.kind, TK_ERROR);
	arena_release(&x.a);
	lx_init(&x, "android");
	eng_lex(&x.l, LM_JOIN, &t);
	assert_int_equal(t.kind, TK_ERROR);
	arena_release(&x.a);
}

static void unescape(void **state)
{
	(void)state;
	char out[64];
	assert_int_equal(eng_unescape("a\\tb\\q\\x4a\\x4", 13, out), 9);
	assert_memory_equal(out, "a\tb\\qJ\\x4", 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fields_identifiers_and_keywords),
	    cmocka_unit_test(field_arguments),
	    cmocka_unit_test(operators),
	    cmocka_unit_test(values_bare_and_quoted),
	    cmocka_unit_test(lists_and_transformers),
	    cmocka_unit_test(join_mode),
	    cmocka_unit_test(unescape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
