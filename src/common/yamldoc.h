/* A thin layer over libyaml's document API: load a file or buffer, walk
 * mappings and sequences, and report positions as "file:line:col" so every
 * configuration error names the place a user has to fix. */
#ifndef PAL_COMMON_YAMLDOC_H
#define PAL_COMMON_YAMLDOC_H

#include "err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

struct pal_yaml {
	yaml_document_t doc;
	char *name; /* file name used in messages */
	bool loaded;
};

/* Loads the first document. An empty input yields a document whose root is NULL. */
int pal_yaml_load_buffer(struct pal_yaml *y, const char *name, const char *data, size_t len,
			 struct pal_err *err);
int pal_yaml_load_file(struct pal_yaml *y, const char *path, size_t max, struct pal_err *err);
void pal_yaml_free(struct pal_yaml *y);

yaml_node_t *pal_yaml_root(struct pal_yaml *y);
yaml_node_t *pal_yaml_node(struct pal_yaml *y, int index);

/* Looks up key in a mapping node; NULL if absent or node is not a mapping. */
yaml_node_t *pal_yaml_map_get(struct pal_yaml *y, yaml_node_t *map, const char *key);

bool pal_yaml_is_scalar(const yaml_node_t *n);
bool pal_yaml_is_map(const yaml_node_t *n);
bool pal_yaml_is_seq(const yaml_node_t *n);
/* The scalar's text (NUL-terminated by libyaml), or NULL for non-scalars. */
const char *pal_yaml_scalar(const yaml_node_t *n);

/* 1-based line and column of a node. */
unsigned pal_yaml_line(const yaml_node_t *n);
unsigned pal_yaml_col(const yaml_node_t *n);

/* Typed scalar reads; on a type mismatch they fill err with "file:line:col: <what> must be ...". */
int pal_yaml_get_bool(struct pal_yaml *y, yaml_node_t *n, const char *what, bool *out,
		      struct pal_err *err);
int pal_yaml_get_int64(struct pal_yaml *y, yaml_node_t *n, const char *what, int64_t *out,
		       struct pal_err *err);
int pal_yaml_get_string(struct pal_yaml *y, yaml_node_t *n, const char *what, const char **out,
			struct pal_err *err);
/* A sequence of scalars as a NULL-terminated vector the caller frees (pal_strv_free).
 * A single scalar is accepted as a one-element list when allow_scalar is set. */
int pal_yaml_get_strv(struct pal_yaml *y, yaml_node_t *n, const char *what, bool allow_scalar,
		      char ***out, struct pal_err *err);

/* Fills err with "file:line:col: message" for node n. */
int pal_yaml_err(struct pal_yaml *y, const yaml_node_t *n, struct pal_err *err, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

/* Iteration helpers. */
#define PAL_YAML_SEQ_FOREACH(y, seq, item)                                                         \
	for (yaml_node_item_t *_it = (seq)->data.sequence.items.start;                             \
	     _it < (seq)->data.sequence.items.top && ((item) = pal_yaml_node((y), *_it), 1); _it++)

#define PAL_YAML_MAP_FOREACH(y, map, knode, vnode)                                                 \
	for (yaml_node_pair_t *_pr = (map)->data.mapping.pairs.start;                              \
	     _pr < (map)->data.mapping.pairs.top &&                                                \
	     ((knode) = pal_yaml_node((y), _pr->key), (vnode) = pal_yaml_node((y), _pr->value), 1); \
	     _pr++)

#endif
