/* Parsed conditions. A condition is parsed once into this tree (macros too);
 * the compiler then resolves names and fields and produces the evaluable form.
 * Every node remembers where it came from so diagnostics can point at the
 * file, line and column of the offending token. */
#ifndef PAL_ENGINE_AST_H
#define PAL_ENGINE_AST_H

#include "engine/lexer.h"
#include "engine/util.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENG_MAX_TRANSFORMERS 4
#define ENG_MAX_PARSE_DEPTH  100

/* Source text of a condition, possibly assembled from several YAML scalars
 * (an appended condition). locate() maps an offset in text to a position. */
struct eng_src {
	const char *text;
	size_t len;
	void (*locate)(const struct eng_src *s, size_t off, const char **file, unsigned *line,
		       unsigned *col);
	void *ctx;
};

void eng_src_locate(const struct eng_src *s, size_t off, const char **file, unsigned *line,
		    unsigned *col);

enum ast_kind { AST_AND = 0, AST_OR, AST_NOT, AST_CMP, AST_MACRO };

struct ast_field {
	const char *name;
	size_t name_len;
	const char *arg;
	size_t arg_len;
	bool has_arg;
	uint8_t ntr;
	uint8_t tr[ENG_MAX_TRANSFORMERS]; /* enum eng_transformer, innermost first */
	size_t pos;
};

struct ast_value {
	const char *s;
	size_t n;
	bool quoted;
	size_t pos;
};

enum ast_rhs { RHS_NONE = 0, RHS_VALUE, RHS_LIST, RHS_LISTREF, RHS_FIELD };

struct ast {
	uint8_t kind;
	size_t pos;
	const struct eng_src *src;
	union {
		struct {
			struct ast **kids;
			size_t n;
		} logic;
		struct ast *child;
		struct {
			const char *name;
			size_t len;
		} macro;
		struct {
			struct ast_field lhs;
			uint8_t op;
			uint8_t rhs_kind;
			size_t op_pos;
			struct ast_value value; /* RHS_VALUE; RHS_LISTREF: the list's name */
			struct ast_value *items;
			size_t nitems;
			struct ast_field rfield; /* RHS_FIELD */
		} cmp;
	};
};

struct eng_parse_err {
	size_t pos;
	char msg[256];
};

/* Parses src->text into a in arena; NULL with err filled on a syntax error. */
struct ast *eng_parse(struct eng_arena *a, const struct eng_src *src, struct eng_parse_err *err);

/* Builders for exceptions and tests. */
struct ast *ast_new(struct eng_arena *a, enum ast_kind k, const struct eng_src *src, size_t pos);
struct ast *ast_logic(struct eng_arena *a, enum ast_kind k, struct ast **kids, size_t n);

/* Canonical text of a tree (for tests and debugging); caller frees. */
char *ast_to_string(const struct ast *t);

#endif
