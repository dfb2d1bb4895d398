#include "metrics.h"

#include "common/strutil.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out_metric {
	struct out_metric *next;
	char *labels;	       /* rendered: {a="x",b="y"} or "" */
	_Atomic uint64_t bits; /* the double's bit pattern */
};

struct out_metric_family {
	struct out_metric_family *next;
	struct out_metrics *reg;
	enum out_metric_type type;
	char *name, *help;
	struct out_metric *series, **series_tail;
};

struct collector {
	struct collector *next;
	out_metrics_collect_fn fn;
	void *ctx;
};

struct out_metrics {
	pthread_mutex_t lock;	      /* families and series lists */
	pthread_mutex_t collect_lock; /* collector list, held while collectors run */
	struct out_metric_family *families, **families_tail;
	struct collector *collectors;
};

static uint64_t to_bits(double v)
{
	uint64_t b;
	memcpy(&b, &v, sizeof(b));
	return b;
}

static double from_bits(uint64_t b)
{
	double v;
	memcpy(&v, &b, sizeof(v));
	return v;
}

struct out_metrics *out_metrics_new(void)
{
	struct out_metrics *m = pal_xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutex_init(&m->collect_lock, NULL);
	m->families_tail = &m->families;
	return m;
}

void out_metrics_free(struct out_metrics *m)
{
	if (!m)
		return;
	for (struct out_metric_family *f = m->families, *fn; f; f = fn) {
		fn = f->next;
		for (struct out_metric *s = f->series, *sn; s; s = sn) {
			sn = s->next;
			free(s->labels);
			free(s);
		}
		free(f->name);
		free(f->help);
		free(f);
	}
	for (struct collector *c = m->collectors, *cn; c; c = cn) {
		cn = c->next;
		free(c);
	}
	pthread_mutex_destroy(&m->lock);
	pthread_mutex_destroy(&m->collect_lock);
	free(m);
}

static bool name_ok(const char *s, bool colon)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++) {
		char c = *p;
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			     (colon && c == ':');
		if (!alpha && !(p != s && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

struct out_metric_family *out_metrics_family(struct out_metrics *m, enum out_metric_type type,
					     const char *name, const char *help,
					     struct pal_err *err)
{
	if (!name_ok(name, true)) {
		pal_err_set(err, EINVAL, "metric name '%s' must match [a-zA-Z_:][a-zA-Z0-9_:]*",
			    name ? name : "");
		return NULL;
	}
	pthread_mutex_lock(&m->lock);
	struct out_metric_family *f;
	for (f = m->families; f; f = f->next) {
		if (strcmp(f->name, name) == 0)
			break;
	}
	if (f && f->type != type) {
		pthread_mutex_unlock(&m->lock);
		pal_err_set(err, EEXIST, "metric %s is already registered as a %s", name,
			    f->type == OUT_METRIC_COUNTER ? "counter" : "gauge");
		return NULL;
	}
	if (!f) {
		f = pal_xcalloc(1, sizeof(*f));
		f->reg = m;
		f->type = type;
		f->name = pal_xstrdup(name);
		f->help = pal_xstrdup(help ? help : "");
		f->series_tail = &f->series;
		*m->families_tail = f;
		m->families_tail = &f->next;
	}
	pthread_mutex_unlock(&m->lock);
	return f;
}

/* Label values escape backslash, double quote and newline. */
static void put_escaped(struct pal_buf *b, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			pal_buf_puts(b, "\\\\");
		else if (*s == '\n')
			pal_buf_puts(b, "\\n");
		else if (quote && *s == '"')
			pal_buf_puts(b, "\\\"");
		else
			pal_buf_putc(b, *s);
	}
}

struct out_metric *out_metric_series(struct out_metric_family *f, const char *const *labels)
{
	struct pal_buf key;
	pal_buf_init(&key);
	if (labels && labels[0]) {
		pal_buf_putc(&key, '{');
		for (size_t i = 0; labels[i]; i += 2) {
			if (!name_ok(labels[i], false) || !labels[i + 1]) {
				fprintf(stderr, "metric %s: bad label name or missing value\n",
					f->name);
				abort();
			}
			if (i)
				pal_buf_putc(&key, ',');
			pal_buf_printf(&key, "%s=\"", labels[i]);
			put_escaped(&key, labels[i + 1], true);
			pal_buf_putc(&key, '"');
		}
		pal_buf_putc(&key, '}');
	} else {
		pal_buf_puts(&key, "");
	}
	pthread_mutex_lock(&f->reg->lock);
	struct out_metric *s;
	for (s = f->series; s; s = s->next)
		if (strcmp(s->labels, key.data) == 0)
			break;
	if (!s) {
		s = pal_xcalloc(1, sizeof(*s));
		s->labels = pal_buf_steal(&key);
		atomic_init(&s->bits, to_bits(0.0));
		*f->series_tail = s;
		f->series_tail = &s->next;
	}
	pthread_mutex_unlock(&f->reg->lock);
	pal_buf_free(&key);
	return s;
}

void out_metric_add(struct out_metric *s, double v)
{
	uint64_t old = atomic_load_explicit(&s->bits, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&s->bits, &old, to_bits(from_bits(old) + v),
						      memory_order_relaxed, memory_order_relaxed))
		;
}

void out_metric_inc(struct out_metric *s)
{
	out_metric_add(s, 1.0);
}

void out_metric_set(struct out_metric *s, double v)
{
	atomic_store_explicit(&s->bits, to_bits(v), memory_order_relaxed);
}

double out_metric_get(const struct out_metric *s)
{
	return from_bits(
	    atomic_load_explicit(&((struct out_metric *)s)->bits, memory_order_relaxed));
}

void out_metrics_add_collector(struct out_metrics *m, out_metrics_collect_fn fn, void *ctx)
{
	struct collector *c = pal_xcalloc(1, sizeof(*c));
	c->fn = fn;
	c->ctx = ctx;
	pthread_mutex_lock(&m->collect_lock);
	c->next = m->collectors;
	m->collectors = c;
	pthread_mutex_unlock(&m->collect_lock);
}

void out_metrics_remove_collector(struct out_metrics *m, out_metrics_collect_fn fn, void *ctx)
{
	pthread_mutex_lock(&m->collect_lock);
	for (struct collector **pp = &m->collectors; *pp; pp = &(*pp)->next) {
		if ((*pp)->fn == fn && (*pp)->ctx == ctx) {
			struct collector *c = *pp;
			*pp = c->next;
			free(c);
			break;
		}
	}
	pthread_mutex_unlock(&m->collect_lock);
}

static void put_value(struct pal_buf *b, double v)
{
	if (isnan(v))
		pal_buf_puts(b, "NaN");
	else if (isinf(v))
		pal_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		pal_buf_printf(b, "%lld", (long long)v);
	else
		pal_buf_printf(b, "%.17g", v);
}

char *out_metrics_render(struct out_metrics *m)
{
	pthread_mutex_lock(&m->collect_lock);
	for (struct collector *c = m->collectors; c; c = c->next)
		c->fn(m, c->ctx);
	pthread_mutex_unlock(&m->collect_lock);

	struct pal_buf b;
	pal_buf_init(&b);
	pthread_mutex_lock(&m->lock);
	for (struct out_metric_family *f = m->families; f; f = f->next) {
		pal_buf_printf(&b, "# HELP %s ", f->name);
		put_escaped(&b, f->help, false);
		pal_buf_printf(&b, "\n# TYPE %s %s\n", f->name,
			       f->type == OUT_METRIC_COUNTER ? "counter" : "gauge");
		for (struct out_metric *s = f->series; s; s = s->next) {
			pal_buf_printf(&b, "%s%s ", f->name, s->labels);
			put_value(&b, out_metric_get(s));
			pal_buf_putc(&b, '\n');
		}
	}
	pthread_mutex_unlock(&m->lock);
	if (!b.data)
		pal_buf_puts(&b, "");
	return pal_buf_steal(&b);
}
