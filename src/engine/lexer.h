/* Tokenizer for Falco condition expressions.
 *
 * The language is context-sensitive at the token level: `/etc/` is a value
 * after `startswith` but would be nonsense where a field is expected, and
 * `runc:[0:PARENT]` is one bare string inside a list. The parser therefore
 * says what it expects next (a mode) and the lexer reads one token of that
 * kind. Grammar of the tokens (as Falco's):
 *
 *   identifier  [a-zA-Z][a-zA-Z0-9_]*                   macro and list names
 *   field       identifier('.'identifier)+ ('[' arg ']')?   e.g. proc.aname[2]
 *   arg         quoted string or [^ \t\n\r\b\[\]"']+
 *   bare string [^ \t\n\r\b\f\v(),="']+                 values
 *   quoted      "..." or '...' with \\ \" \' \n \t \r \b \f \xHH escapes
 *   operators   = == != < <= > >= contains icontains bcontains startswith
 *               bstartswith endswith glob iglob regex in intersects pmatch exists
 *   keywords    and or not   (followed by blank, '(' or the end)
 *   transformer tolower( toupper( b64( basename( len( val(
 */
#ifndef PAL_ENGINE_LEXER_H
#define PAL_ENGINE_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum eng_op {
	ENG_OP_EQ = 0,
	ENG_OP_NE,
	ENG_OP_LT,
	ENG_OP_LE,
	ENG_OP_GT,
	ENG_OP_GE,
	ENG_OP_CONTAINS,
	ENG_OP_ICONTAINS,
	ENG_OP_BCONTAINS,
	ENG_OP_STARTSWITH,
	ENG_OP_BSTARTSWITH,
	ENG_OP_ENDSWITH,
	ENG_OP_GLOB,
	ENG_OP_IGLOB,
	ENG_OP_REGEX,
	ENG_OP_IN,
	ENG_OP_INTERSECTS,
	ENG_OP_PMATCH,
	ENG_OP_EXISTS,
	ENG_OP__COUNT
};

const char *eng_op_name(enum eng_op op);
/* Accepts the operator spellings above (and "==" for "="); -1 if unknown. */
int eng_op_from_name(const char *s, size_t n);
bool eng_op_is_list(enum eng_op op);	/* in, intersects, pmatch */
bool eng_op_is_numeric(enum eng_op op); /* < <= > >= */

enum eng_transformer {
	ENG_TR_TOLOWER = 0,
	ENG_TR_TOUPPER,
	ENG_TR_B64,
	ENG_TR_BASENAME,
	ENG_TR_LEN,
	ENG_TR_VAL, /* right-hand side only: the value of another field */
	ENG_TR__COUNT
};
const char *eng_transformer_name(enum eng_transformer t);

enum eng_tok_kind {
	TK_EOF = 0,
	TK_LPAREN,
	TK_RPAREN,
	TK_COMMA,
	TK_AND,
	TK_OR,
	TK_NOT,
	TK_IDENT,	/* macro or list name */
	TK_FIELD,	/* field name, optional [arg] */
	TK_TRANSFORMER, /* transformer name; the '(' is consumed with it */
	TK_OP,
	TK_STRING, /* quoted or bare value, unescaped */
	TK_ERROR,
};

/* What the parser expects next. */
enum eng_lex_mode {
	LM_CHECK, /* '(' | not | transformer | field | identifier */
	LM_JOIN,  /* and | or | ')' | end */
	LM_OP,	  /* an operator */
	LM_VALUE, /* '(' | transformer | quoted or bare string */
	LM_LIST,  /* quoted or bare string | ',' | ')' */
};

struct eng_token {
	enum eng_tok_kind kind;
	size_t pos, len; /* where the token starts in the input, and its raw length */
	/* TK_IDENT, TK_FIELD (name), TK_STRING (unescaped value), TK_TRANSFORMER: */
	const char *text;
	size_t text_len;
	bool quoted; /* TK_STRING came from quotes (never a list name) */
	/* TK_FIELD with an argument: */
	bool has_arg;
	const char *arg;
	size_t arg_len;
	int op;		 /* TK_OP: enum eng_op; TK_TRANSFORMER: enum eng_transformer */
	const char *err; /* TK_ERROR: what is wrong */
};

struct eng_arena;

struct eng_lexer {
	const char *s;
	size_t n, pos;
	struct eng_arena *arena; /* unescaped quoted strings are copied here */
};

void eng_lexer_init(struct eng_lexer *lx, const char *s, size_t n, struct eng_arena *arena);
/* Reads the next token for mode. Token text points into the input or the
 * arena, so it stays valid as long as both do. */
void eng_lex(struct eng_lexer *lx, enum eng_lex_mode mode, struct eng_token *tok);
/* Looks at the next token without consuming it. */
void eng_lex_peek(struct eng_lexer *lx, enum eng_lex_mode mode, struct eng_token *tok);

/* Unescapes the body of a quoted string (without its quotes) into out
 * (at least n+1 bytes); returns the length. */
size_t eng_unescape(const char *s, size_t n, char *out);

#endif
