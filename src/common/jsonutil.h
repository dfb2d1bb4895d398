/* Helpers over jansson for reading untrusted JSON documents: load with a
 * size bound, and typed field access whose errors name the field's full path
 * ("process.user.uid must be a non-negative integer"). */
#ifndef PAL_COMMON_JSONUTIL_H
#define PAL_COMMON_JSONUTIL_H

#include "err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Loads a JSON file (at most max bytes). Syntax errors read "file:line:col: text". */
json_t *pal_json_load_file(const char *path, size_t max, struct pal_err *err);
json_t *pal_json_load_buffer(const char *name, const char *data, size_t len, struct pal_err *err);

static inline void pal_json_decrefp(json_t **j)
{
	if (*j)
		json_decref(*j);
}
#define _cleanup_json_ __attribute__((cleanup(pal_json_decrefp)))

/* Each getter: an absent key leaves *out untouched and returns 0 (optional
 * fields); a present key of the wrong type is an error naming path.key.
 * A JSON null counts as absent, as Go-based peers treat it. */
int pal_json_opt_string(json_t *obj, const char *path, const char *key, const char **out,
			struct pal_err *err);
int pal_json_opt_bool(json_t *obj, const char *path, const char *key, bool *out,
		      struct pal_err *err);
int pal_json_opt_int64(json_t *obj, const char *path, const char *key, int64_t *out,
		       struct pal_err *err);
int pal_json_opt_uint64(json_t *obj, const char *path, const char *key, uint64_t *out,
			struct pal_err *err);
int pal_json_opt_uint32(json_t *obj, const char *path, const char *key, uint32_t *out,
			struct pal_err *err);
int pal_json_opt_object(json_t *obj, const char *path, const char *key, json_t **out,
			struct pal_err *err);
int pal_json_opt_array(json_t *obj, const char *path, const char *key, json_t **out,
		       struct pal_err *err);
/* An array of strings as a NULL-terminated vector (caller frees with pal_strv_free). */
int pal_json_opt_strv(json_t *obj, const char *path, const char *key, char ***out,
		      struct pal_err *err);

/* Serializes to a malloc'd compact string with a trailing newline (for JSON lines). */
char *pal_json_dump_line(json_t *j);

#endif
