#include "yamldoc.h"
#include "fsutil.h"
#include "cleanup.h"
#include "strutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int pal_yaml_load_buffer(struct pal_yaml *y, const char *name, const char *data, size_t len,
			 struct pal_err *err)
{
	memset(y, 0, sizeof(*y));
	y->name = pal_xstrdup(name ? name : "<input>");
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return pal_err_set(err, ENOMEM, "%s: cannot initialize YAML parser", y->name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &y->doc)) {
		int r = pal_err_set(err, EINVAL, "%s:%zu:%zu: YAML syntax error: %s%s%s", y->name,
				    parser.problem_mark.line + 1, parser.problem_mark.column + 1,
				    parser.problem ? parser.problem : "malformed document",
				    parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return r;
	}
	yaml_parser_delete(&parser);
	y->loaded = true;
	return 0;
}

int pal_yaml_load_file(struct pal_yaml *y, const char *path, size_t max, struct pal_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	memset(y, 0, sizeof(*y));
	int r = pal_read_file(path, max, &data, &len, err);
	if (r < 0)
		return r;
	return pal_yaml_load_buffer(y, path, data, len, err);
}

void pal_yaml_free(struct pal_yaml *y)
{
	if (y->loaded)
		yaml_document_delete(&y->doc);
	free(y->name);
	memset(y, 0, sizeof(*y));
}

yaml_node_t *pal_yaml_root(struct pal_yaml *y)
{
	return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

yaml_node_t *pal_yaml_node(struct pal_yaml *y, int index)
{
	return yaml_document_get_node(&y->doc, index);
}

bool pal_yaml_is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

bool pal_yaml_is_map(const yaml_node_t *n)
{
	return n && n->type == YAML_MAPPING_NODE;
}

bool pal_yaml_is_seq(const yaml_node_t *n)
{
	return n && n->type == YAML_SEQUENCE_NODE;
}

const char *pal_yaml_scalar(const yaml_node_t *n)
{
	return pal_yaml_is_scalar(n) ? (const char *)n->data.scalar.value : NULL;
}

unsigned pal_yaml_line(const yaml_node_t *n)
{
	return n ? (unsigned)n->start_mark.line + 1 : 0;
}

unsigned pal_yaml_col(const yaml_node_t *n)
{
	return n ? (unsigned)n->start_mark.column + 1 : 0;
}

yaml_node_t *pal_yaml_map_get(struct pal_yaml *y, yaml_node_t *map, const char *key)
{
	if (!pal_yaml_is_map(map))
		return NULL;
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(y, map, k, v)
	{
		const char *s = pal_yaml_scalar(k);
		if (s && strcmp(s, key) == 0)
			return v;
	}
	return NULL;
}

int pal_yaml_err(struct pal_yaml *y, const yaml_node_t *n, struct pal_err *err, const char *fmt,
		 ...)
{
	char msg[PAL_ERR_MSG_MAX / 2];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		return pal_err_set(err, EINVAL, "%s:%u:%u: %s", y->name, pal_yaml_line(n),
				   pal_yaml_col(n), msg);
	return pal_err_set(err, EINVAL, "%s: %s", y->name, msg);
}

int pal_yaml_get_bool(struct pal_yaml *y, yaml_node_t *n, const char *what, bool *out,
		      struct pal_err *err)
{
	const char *s = pal_yaml_scalar(n);
	if (s) {
		if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) {
			*out = false;
			return 0;
		}
	}
	return pal_yaml_err(y, n, err, "%s must be true or false%s%s%s", what, s ? " (got '" : "",
			    s ? s : "", s ? "')" : "");
}

int pal_yaml_get_int64(struct pal_yaml *y, yaml_node_t *n, const char *what, int64_t *out,
		       struct pal_err *err)
{
	const char *s = pal_yaml_scalar(n);
	if (s && pal_parse_int64(s, out) == 0)
		return 0;
	return pal_yaml_err(y, n, err, "%s must be an integer%s%s%s", what, s ? " (got '" : "",
			    s ? s : "", s ? "')" : "");
}

int pal_yaml_get_string(struct pal_yaml *y, yaml_node_t *n, const char *what, const char **out,
			struct pal_err *err)
{
	const char *s = pal_yaml_scalar(n);
	if (!s)
		return pal_yaml_err(y, n, err, "%s must be a string", what);
	*out = s;
	return 0;
}

int pal_yaml_get_strv(struct pal_yaml *y, yaml_node_t *n, const char *what, bool allow_scalar,
		      char ***out, struct pal_err *err)
{
	char **v = pal_xcalloc(1, sizeof(char *));
	if (allow_scalar && pal_yaml_is_scalar(n)) {
		pal_strv_push(&v, pal_yaml_scalar(n));
		*out = v;
		return 0;
	}
	if (!pal_yaml_is_seq(n)) {
		pal_strv_free(v);
		return pal_yaml_err(y, n, err, "%s must be a list of strings", what);
	}
	yaml_node_t *item;
	PAL_YAML_SEQ_FOREACH(y, n, item)
	{
		const char *s = pal_yaml_scalar(item);
		if (!s) {
			pal_strv_free(v);
			return pal_yaml_err(y, item, err, "%s: every item must be a string", what);
		}
		pal_strv_push(&v, s);
	}
	*out = v;
	return 0;
}
