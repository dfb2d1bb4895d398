#include "result.h"
#include "common/strutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void adm_result_init(struct adm_result *r)
{
	memset(r, 0, sizeof(*r));
}

void adm_result_free(struct adm_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].rule);
		free(r->v[i].item);
		free(r->v[i].field);
		free(r->v[i].message);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

struct adm_finding *adm_result_add(struct adm_result *r, const char *rule, const char *item,
				   const char *field, const char *fmt, ...)
{
	r->v = pal_xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	struct adm_finding *f = &r->v[r->n++];
	memset(f, 0, sizeof(*f));
	f->rule = pal_xstrdup(rule);
	f->item = item ? pal_xstrdup(item) : NULL;
	f->field = field ? pal_xstrdup(field) : NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&f->message, fmt, ap) < 0)
		abort();
	va_end(ap);
	return f;
}

size_t adm_result_count(const struct adm_result *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += !r->v[i].excepted;
	return n;
}

char *adm_result_join(const struct adm_result *r, const char *sep)
{
	struct pal_buf b;
	pal_buf_init(&b);
	pal_buf_puts(&b, "");
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].excepted)
			continue;
		if (b.len)
			pal_buf_puts(&b, sep);
		pal_buf_puts(&b, r->v[i].message);
	}
	return pal_buf_steal(&b);
}

json_t *adm_json_string(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	char *copy = pal_xstrdup(s);
	for (unsigned char *p = (unsigned char *)copy; *p; p++)
		if (*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *str_or_null(const char *s)
{
	return s ? adm_json_string(s) : json_null();
}

json_t *adm_result_json(const struct adm_result *r)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < r->n; i++) {
		const struct adm_finding *f = &r->v[i];
		json_t *o =
		    json_pack("{s:o, s:o, s:o, s:o, s:b}", "rule", adm_json_string(f->rule), "item",
			      str_or_null(f->item), "field", str_or_null(f->field), "message",
			      adm_json_string(f->message), "excepted", f->excepted);
		if (f->excepted)
			json_object_set_new(o, "exception_line", json_integer(f->exception_line));
		json_array_append_new(arr, o);
	}
	return json_pack("{s:b, s:b, s:o}", "deny", r->deny, "warn", r->warn, "findings", arr);
}
