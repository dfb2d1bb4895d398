#include "jsonutil.h"
#include "cleanup.h"
#include "fsutil.h"
#include "strutil.h"

#include <errno.h>
#include <string.h>

json_t *pal_json_load_buffer(const char *name, const char *data, size_t len, struct pal_err *err)
{
	json_error_t jerr;
	json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		pal_err_set(err, EINVAL, "%s:%d:%d: invalid JSON: %s", name, jerr.line, jerr.column,
			    jerr.text);
		return NULL;
	}
	return j;
}

json_t *pal_json_load_file(const char *path, size_t max, struct pal_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (pal_read_file(path, max, &data, &len, err) < 0)
		return NULL;
	return pal_json_load_buffer(path, data, len, err);
}

static json_t *lookup(json_t *obj, const char *key)
{
	if (!json_is_object(obj))
		return NULL;
	json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

static int type_error(struct pal_err *err, const char *path, const char *key, const char *want)
{
	return pal_err_set(err, EINVAL, "%s%s%s must be %s", path && *path ? path : "",
			   path && *path ? "." : "", key, want);
}

int pal_json_opt_string(json_t *obj, const char *path, const char *key, const char **out,
			struct pal_err *err)
{
	json_t *v = lookup(obj, key);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return type_error(err, path, key, "a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return type_error(err, path, key, "a string without NUL bytes");
	*out = json_string_value(v);
	return 0;
}

int pal_json_opt_bool(json_t *obj, const char *path, const char *key, bool *out,
		      struct pal_err *err)
{
	json_t *v = lookup(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return type_error(err, path, key, "true or false");
	*out = json_is_true(v);
	return 0;
}

int pal_json_opt_int64(json_t *obj, const char *path, const char *key, int64_t *out,
		       struct pal_err *err)
{
	json_t *v = lookup(obj, key);
	if (!v)
		return 0;
	if (!json_is_integer(v))
		return type_error(err, path, key, "an integer");
	*out = (int64_t)json_integer_value(v);
	return 0;
}

int pal_json_opt_uint64(json_t *obj, const char *path, const char *key, uint64_t *out,
			struct pal_err *err)
{
	json_t *v = lookup(obj, key);
	if (!v)
		return 0;
	/* jansson stores integers as signed 64-bit; values above INT64_MAX fail to parse. */
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return type_error(err, path, key, "a non-negative integer");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int pal_json_opt_uint32(json_t *obj, const char *path, const char *key, uint32_t *out,
			struct pal_err *err)
{
	json_t *v = lookup(obj, key);
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > (json_int_t)UINT32_MAX)
		return type_error(err, path, key, "an integer between 0 and 4294967295");
	*out = (uint32_t)json_integer_value(v);
	return 0;
}

int pal_json_opt_object(json_t *obj, const char *path, const char *key, json_t **out,
			struct pal_err *err)
{
	json_t *v = lookup(obj, key);
	if (!v)
		return 0;
	if (!json_is_object(v))
		return type_error(err, path, key, "an object");
	*out = v;
	return 0;
}

int pal_json_opt_array(json_t *obj, const char *path, const char *key, json_t **out,
		       struct pal_err *err)
{
	json_t *v = lookup(obj, key);
	if (!v)
		return 0;
	if (!json_is_array(v))
		return type_error(err, path, key, "an array");
	*out = v;
	return 0;
}

int pal_json_opt_strv(json_t *obj, const char *path, const char *key, char ***out,
		      struct pal_err *err)
{
	json_t *arr = NULL;
	int r = pal_json_opt_array(obj, path, key, &arr, err);
	if (r < 0 || !arr)
		return r;
	char **v = pal_xcalloc(json_array_size(arr) + 1, sizeof(char *));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		if (!json_is_string(item) ||
		    strlen(json_string_value(item)) != json_string_length(item)) {
			pal_strv_free(v);
			return pal_err_set(err, EINVAL, "%s%s%s[%zu] must be a string",
					   path && *path ? path : "", path && *path ? "." : "", key,
					   i);
		}
		v[i] = pal_xstrdup(json_string_value(item));
	}
	*out = v;
	return 0;
}

char *pal_json_dump_line(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *out = pal_xrealloc(s, n + 2);
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}
