/* Rule-file definitions as read from YAML, after append/override have been
 * applied, and the loader that holds them until they are compiled. */
#ifndef PAL_ENGINE_LOADER_H
#define PAL_ENGINE_LOADER_H

#include "engine/ast.h"
#include "engine/engine.h"
#include "engine/internal.h"
#include "engine/util.h"

#include <stdbool.h>
#include <stddef.h>

struct ld_pos {
	const char *file;
	unsigned line, col;
};

/* Part of a condition or output: one YAML scalar, and where its raw text is
 * in the file (to point diagnostics at a token inside a block scalar). */
struct ld_frag {
	size_t off, len; /* in the assembled text */
	struct ld_pos pos;
	const char *raw; /* the scalar as written, from its first character */
	size_t raw_len;
	uint8_t style; /* yaml_scalar_style_t */
};

struct ld_text {
	struct eng_src src; /* text, len, locate */
	struct ld_frag *frags;
	size_t nfrags;
};

struct ld_item {
	const char *s;
	struct ld_pos pos;
};

struct ld_list {
	const char *name;
	struct ld_item *items;
	size_t n;
	struct ld_pos pos;
	bool used;
	int state; /* expansion: 0 idle, 1 in progress */
};

struct ld_macro {
	const char *name;
	struct ld_text *cond;
	struct ld_pos pos;
	struct ast *ast;
	bool parsed, parse_failed, used;
	int state;
};

/* One element of an exception's value tuple: a scalar or a sequence. */
struct ld_exc_val {
	bool is_seq;
	const char *s;
	struct ld_item *items;
	size_t nitems;
	struct ld_pos pos;
};

/* One entry of `values:`: a tuple (a YAML sequence) or a single value. */
struct ld_exc_tuple {
	struct ld_exc_val *v;
	size_t n;
	bool is_seq;
	struct ld_pos pos;
};

struct ld_exc {
	const char *name;
	bool single; /* `fields: one.field` form: values are a plain list */
	const char **fields;
	struct ld_pos *field_pos;
	size_t nfields;
	const char **comps;
	struct ld_exc_tuple *tuples;
	size_t ntuples;
	struct ld_pos pos;
};

struct ld_rule {
	const char *name;
	const char *desc;
	struct ld_text *cond;
	struct ld_text *output;
	int priority;
	const char **tags;
	size_t ntags;
	bool enabled;
	const char *source;
	struct ld_exc *exc;
	size_t nexc;
	bool skip_unknown;
	bool warn_evttypes;
	uint32_t actions;
	struct ld_pos pos;
};

struct eng_loader {
	struct eng_load_opts opts;
	struct eng_arena arena;
	struct namemap rule_map, macro_map, list_map;
	struct ld_rule **rules;
	size_t nrules, cap_rules;
	struct ld_macro **macros;
	size_t nmacros, cap_macros;
	struct ld_list **lists;
	size_t nlists, cap_lists;
	unsigned errors, warnings;
	char first_error[PAL_ERR_MSG_MAX];
	struct eng_stats stats;
};

void ld_diag(struct eng_loader *l, enum eng_diag_level lvl, const struct ld_pos *pos,
	     const char *kind, const char *item, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

struct ld_list *ld_find_list(struct eng_loader *l, const char *name);
struct ld_macro *ld_find_macro(struct eng_loader *l, const char *name);

/* compile.c: compiles every definition into rs; returns the number of errors. */
unsigned eng_compile_all(struct eng_loader *l, struct eng_ruleset *rs);

#endif
