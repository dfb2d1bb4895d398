/* JSON access for the OCI config parser: typed getters whose errors name the
 * JSON path, and a loader that copes with uint64 values above INT64_MAX.
 *
 * jansson holds integers as int64 and refuses larger literals, yet OCI
 * configs carry uint64 fields that legitimately reach 2^64-1 (RLIM_INFINITY
 * in rlimits, seccomp argument masks, "-1" swappiness from Go clients).
 * Before handing the text to jansson, each such literal (outside strings) is
 * replaced by a string token of the same length that jansson cannot confuse
 * with real input: a NUL escape followed by the value in 11 base64 digits.
 * Strings with NUL are rejected by every string getter, so a rewritten number
 * never passes for text; only the uint64 getters decode it (a document that
 * spells the mark itself gets the same number, which is harmless). Keeping
 * the length keeps "line:col" in syntax errors exact. */
#include "oci_internal.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Messages quote values from the document; control characters in them
 * must not reach a terminal or a line-oriented log as such. */
static void defang(char *msg)
{
	for (unsigned char *p = (unsigned char *)msg; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

int rt_oci_fail(struct pal_err *err, const char *fmt, ...)
{
	char msg[PAL_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	defang(msg);
	return pal_err_set(err, EINVAL, "%s", msg);
}

const char *rt_oci_join(char *buf, const char *parent, const char *key)
{
	if (parent && *parent)
		snprintf(buf, RT_OCI_PATH_MAX, "%s.%s", parent, key);
	else
		snprintf(buf, RT_OCI_PATH_MAX, "%s", key);
	return buf;
}

const char *rt_oci_index(char *buf, const char *parent, size_t i)
{
	snprintf(buf, RT_OCI_PATH_MAX, "%s[%zu]", parent, i);
	return buf;
}

/* ---- big integers ---- */

static const char b64_digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
#define BIG_MARK_DIGITS 11			      /* 66 bits */
#define BIG_MARK_LEN	(1 + 6 + BIG_MARK_DIGITS + 1) /* "\u0000" + digits, quoted */

/* A JSON integer token in (INT64_MAX, UINT64_MAX]: 19 or 20 digits. */
static bool parse_big_uint(const char *tok, size_t n, uint64_t *out)
{
	if (n < 19 || n > 20 || tok[0] == '0')
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return false;
		unsigned d = (unsigned)(tok[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false; /* beyond uint64: let jansson report it */
		v = v * 10 + d;
	}
	if (v <= (uint64_t)INT64_MAX)
		return false;
	*out = v;
	return true;
}

static void write_big_mark(char *dst, size_t n, uint64_t v)
{
	char *p = dst;
	memcpy(p, "\"\\u0000", 7);
	p += 7;
	for (int i = BIG_MARK_DIGITS - 1; i >= 0; i--)
		*p++ = b64_digits[(v >> (6 * i)) & 63];
	*p++ = '"';
	while ((size_t)(p - dst) < n)
		*p++ = ' ';
}

static bool is_number_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* Returns a rewritten copy, or NULL when nothing needed rewriting. */
static char *rewrite_big_ints(const char *text, size_t len)
{
	char *copy = NULL;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
			continue;
		}
		if (!is_number_char(c))
			continue;
		size_t j = i;
		while (j < len && is_number_char(text[j]))
			j++;
		uint64_t v;
		if (j - i >= BIG_MARK_LEN && parse_big_uint(text + i, j - i, &v)) {
			if (!copy) {
				copy = pal_xmalloc(len);
				memcpy(copy, text, len);
			}
			write_big_mark(copy + i, j - i, v);
		}
		i = j - 1;
	}
	return copy;
}

static bool decode_big_mark(json_t *v, uint64_t *out)
{
	if (!json_is_string(v) || json_string_length(v) != 1 + BIG_MARK_DIGITS)
		return false;
	const char *s = json_string_value(v);
	if (s[0] != '\0')
		return false;
	uint64_t r = 0;
	for (int i = 1; i <= BIG_MARK_DIGITS; i++) {
		const char *d = strchr(b64_digits, s[i]);
		if (!s[i] || !d)
			return false;
		if (r >> 58)
			return false;
		r = (r << 6) | (uint64_t)(d - b64_digits);
	}
	if (r <= (uint64_t)INT64_MAX)
		return false;
	*out = r;
	return true;
}

json_t *rt_oci_load(const char *text, size_t len, const char *name, struct pal_err *err)
{
	if (len > RT_CONFIG_MAX_BYTES) {
		pal_err_set(err, EFBIG, "%s: %zu bytes is larger than the %u bytes allowed", name,
			    len, RT_CONFIG_MAX_BYTES);
		return NULL;
	}
	_cleanup_free_ char *rewritten = rewrite_big_ints(text, len);
	json_error_t jerr;
	/* NUL escapes are let through so the big-integer marks load; the string
	 * getters refuse NUL in real text. */
	json_t *root = json_loadb(rewritten ? rewritten : text, len,
				  JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!root) {
		defang(jerr.text);
		pal_err_set(err, EINVAL, "%s:%d:%d: invalid JSON: %s", name, jerr.line, jerr.column,
			    jerr.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		pal_err_set(err, EINVAL, "%s: the document must be a JSON object", name);
		return NULL;
	}
	return root;
}

/* ---- getters ---- */

json_t *rt_oci_member(json_t *obj, const char *key)
{
	if (!json_is_object(obj))
		return NULL;
	json_t *v = json_object_get(obj, key);
	return json_is_null(v) ? NULL : v;
}

static int type_error(struct pal_err *err, const char *path, const char *want)
{
	return rt_oci_fail(err, "%s: must be %s", path, want);
}

int rt_oci_value_string(json_t *v, const char *path, const char **out, struct pal_err *err)
{
	if (!json_is_string(v))
		return type_error(err, path, "a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return type_error(err, path, "a string without NUL bytes");
	*out = json_string_value(v);
	return 0;
}

int rt_oci_value_u64(json_t *v, const char *path, uint64_t *out, struct pal_err *err)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (decode_big_mark(v, out))
		return 0;
	return type_error(err, path, "an integer between 0 and 18446744073709551615");
}

int rt_oci_value_object(json_t *v, const char *path, struct pal_err *err)
{
	if (!json_is_object(v))
		return type_error(err, path, "an object");
	return 0;
}

int rt_oci_string(json_t *obj, const char *path, const char *key, const char **out,
		  struct pal_err *err)
{
	json_t *v = rt_oci_member(obj, key);
	if (!v)
		return 0;
	char p[RT_OCI_PATH_MAX];
	return rt_oci_value_string(v, rt_oci_join(p, path, key), out, err);
}

int rt_oci_strdup(json_t *obj, const char *path, const char *key, char **out, struct pal_err *err)
{
	const char *s = NULL;
	int r = rt_oci_string(obj, path, key, &s, err);
	if (r < 0 || !s)
		return r;
	free(*out);
	*out = pal_xstrdup(s);
	return 0;
}

int rt_oci_bool(json_t *obj, const char *path, const char *key, bool *out, struct pal_err *err)
{
	json_t *v = rt_oci_member(obj, key);
	if (!v)
		return 0;
	char p[RT_OCI_PATH_MAX];
	if (!json_is_boolean(v))
		return type_error(err, rt_oci_join(p, path, key), "true or false");
	*out = json_is_true(v);
	return 0;
}

int rt_oci_int(json_t *obj, const char *path, const char *key, int64_t min, int64_t max,
	       int64_t *out, bool *has, struct pal_err *err)
{
	json_t *v = rt_oci_member(obj, key);
	if (has)
		*has = false;
	if (!v)
		return 0;
	char p[RT_OCI_PATH_MAX];
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return rt_oci_fail(err, "%s: must be an integer between %lld and %lld",
				   rt_oci_join(p, path, key), (long long)min, (long long)max);
	*out = (int64_t)json_integer_value(v);
	if (has)
		*has = true;
	return 0;
}

int rt_oci_u64(json_t *obj, const char *path, const char *key, uint64_t *out, bool *has,
	       struct pal_err *err)
{
	json_t *v = rt_oci_member(obj, key);
	if (has)
		*has = false;
	if (!v)
		return 0;
	char p[RT_OCI_PATH_MAX];
	int r = rt_oci_value_u64(v, rt_oci_join(p, path, key), out, err);
	if (r == 0 && has)
		*has = true;
	return r;
}

int rt_oci_object(json_t *obj, const char *path, const char *key, json_t **out, struct pal_err *err)
{
	json_t *v = rt_oci_member(obj, key);
	if (!v)
		return 0;
	char p[RT_OCI_PATH_MAX];
	if (!json_is_object(v))
		return type_error(err, rt_oci_join(p, path, key), "an object");
	*out = v;
	return 0;
}

int rt_oci_array(json_t *obj, const char *path, const char *key, size_t max, json_t **out,
		 struct pal_err *err)
{
	json_t *v = rt_oci_member(obj, key);
	if (!v)
		return 0;
	char p[RT_OCI_PATH_MAX];
	if (!json_is_array(v))
		return type_error(err, rt_oci_join(p, path, key), "an array");
	if (json_array_size(v) > max)
		return rt_oci_fail(err, "%s: %zu entries is more than the %zu allowed",
				   rt_oci_join(p, path, key), json_array_size(v), max);
	*out = v;
	return 0;
}

int rt_oci_strv(json_t *obj, const char *path, const char *key, size_t max, char ***out,
		struct pal_err *err)
{
	json_t *arr = NULL;
	int r = rt_oci_array(obj, path, key, max, &arr, err);
	if (r < 0 || !arr)
		return r;
	char p[RT_OCI_PATH_MAX], ip[RT_OCI_PATH_MAX];
	rt_oci_join(p, path, key);
	_cleanup_strv_ char **v = pal_xcalloc(json_array_size(arr) + 1, sizeof(char *));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		const char *s;
		r = rt_oci_value_string(item, rt_oci_index(ip, p, i), &s, err);
		if (r < 0)
			return r;
		v[i] = pal_xstrdup(s);
	}
	pal_strv_free(*out);
	*out = PAL_STEAL(v);
	return 0;
}

int rt_oci_required(json_t *obj, const char *path, const char *key, struct pal_err *err)
{
	if (rt_oci_member(obj, key))
		return 0;
	char p[RT_OCI_PATH_MAX];
	return rt_oci_fail(err, "%s: required", rt_oci_join(p, path, key));
}

int rt_oci_string_map(json_t *obj, const char *path, const char *key, size_t max,
		      struct rt_kv **out, size_t *n, struct pal_err *err)
{
	json_t *map = NULL;
	char mp[RT_OCI_PATH_MAX], ep[RT_OCI_PATH_MAX];
	int r = rt_oci_object(obj, path, key, &map, err);
	if (r < 0 || !map)
		return r;
	rt_oci_join(mp, path, key);
	if (json_object_size(map) > max)
		return rt_oci_fail(err, "%s: %zu entries is more than the %zu allowed", mp,
				   json_object_size(map), max);
	*n = json_object_size(map);
	*out = pal_xcalloc(*n, sizeof(**out));
	size_t i = 0;
	const char *k;
	json_t *v;
	json_object_foreach(map, k, v)
	{
		const char *s;
		if (!*k)
			return rt_oci_fail(err, "%s: keys must not be empty", mp);
		snprintf(ep, sizeof(ep), "%s[\"%.128s\"]", mp, k);
		if ((r = rt_oci_value_string(v, ep, &s, err)) < 0)
			return r;
		(*out)[i].key = pal_xstrdup(k);
		(*out)[i].value = pal_xstrdup(s);
		i++;
	}
	return 0;
}
