#include "pss_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum pss_tri pss_bool(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return PSS_ABSENT;
	if (json_is_true(v))
		return PSS_TRUE;
	if (json_is_false(v))
		return PSS_FALSE;
	return PSS_BAD;
}

const char *pss_str(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return NULL;
	return json_is_string(v) ? json_string_value(v) : "<invalid>";
}

json_t *pss_obj(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_object(v) ? v : NULL;
}

void pss_each_container(struct pss *c, pss_container_fn fn, void *arg)
{
	static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
	for (size_t l = 0; l < 3; l++) {
		json_t *arr = json_object_get(c->spec, lists[l]);
		size_t i;
		json_t *ct;
		json_array_foreach(arr, i, ct)
		{
			if (!json_is_object(ct))
				continue;
			const char *name = pss_str(ct, "name");
			fn(c, ct, name ? name : "", arg);
		}
	}
}

void pss_list_add(struct pss_list *l, const char *s)
{
	/* Lists only feed messages: beyond a screenful the rest is elided (and
	 * a forged pod with thousands of entries costs no quadratic time). */
	if (l->n >= PSS_LIST_MAX) {
		l->truncated = true;
		return;
	}
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return;
	l->v = pal_xrealloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = pal_xstrdup(s);
}

void pss_list_free(struct pss_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pss_list_sort(struct pss_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(char *), cmp_str);
}

void pss_join_quote(struct pss_list *l, struct pal_buf *out)
{
	for (size_t i = 0; i < l->n; i++)
		pal_buf_printf(out, "%s\"%s\"", i ? ", " : "", l->v[i]);
	if (l->truncated)
		pal_buf_puts(out, ", ...");
}

void pss_containers(struct pss_list *l, struct pal_buf *out)
{
	pal_buf_puts(out, l->n == 1 ? "container " : "containers ");
	pss_join_quote(l, out);
}

void pss_add(struct pss *c, const char *id, enum adm_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	struct adm_finding *f = adm_result_add(c->res, id, NULL, NULL, "%s", msg);
	f->level = (int)level;
	free(msg);
	c->added++;
}

size_t adm_pss_check(json_t *meta, json_t *spec, enum adm_level level, struct adm_result *res)
{
	if (level == ADM_LEVEL_PRIVILEGED || !json_is_object(spec))
		return 0;
	struct pss c = {
	    .meta = json_is_object(meta) ? meta : NULL, .spec = spec, .level = level, .res = res};
	const char *os = pss_str(pss_obj(spec, "os"), "name");
	c.windows = os && !strcmp(os, "windows");
	pss_check_baseline(&c);
	if (level >= ADM_LEVEL_RESTRICTED)
		pss_check_restricted(&c);
	return c.added;
}
