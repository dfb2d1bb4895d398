/* A small Prometheus registry: counters and gauges with labels, rendered in
 * the text exposition format (version 0.0.4), and served over HTTP with
 * libmicrohttpd. Values are updated lock-free; the registry's structure
 * (families, series, collectors) is guarded by locks. */
#ifndef PAL_OUTPUT_METRICS_H
#define PAL_OUTPUT_METRICS_H

#include "common/err.h"

#include <stdint.h>

enum out_metric_type { OUT_METRIC_COUNTER, OUT_METRIC_GAUGE };

struct out_metrics;
struct out_metric_family;
struct out_metric;

struct out_metrics *out_metrics_new(void);
void out_metrics_free(struct out_metrics *m);

/* Registers (or returns the existing) family. Names follow Prometheus
 * ([a-zA-Z_:][a-zA-Z0-9_:]*); registering a name again with another type is an error. */
struct out_metric_family *out_metrics_family(struct out_metrics *m, enum out_metric_type type,
					     const char *name, const char *help,
					     struct pal_err *err);

/* The series with these labels: alternating names and values ending in NULL
 * (labels may be NULL for none). Created on first use; label names must be
 * [a-zA-Z_][a-zA-Z0-9_]* (an invalid one aborts: it is a programming error). */
struct out_metric *out_metric_series(struct out_metric_family *f, const char *const *labels);

void out_metric_inc(struct out_metric *s);
void out_metric_add(struct out_metric *s, double v); /* counters: v >= 0 */
void out_metric_set(struct out_metric *s, double v);
double out_metric_get(const struct out_metric *s);

/* Called at every render before the text is produced, to refresh gauges and
 * counters kept elsewhere (sink counters, queue depths). */
typedef void (*out_metrics_collect_fn)(struct out_metrics *m, void *ctx);
void out_metrics_add_collector(struct out_metrics *m, out_metrics_collect_fn fn, void *ctx);
/* Returns once no render is running fn any more. */
void out_metrics_remove_collector(struct out_metrics *m, out_metrics_collect_fn fn, void *ctx);

/* The exposition text (caller frees). Families in registration order. */
char *out_metrics_render(struct out_metrics *m);

/* GET /metrics on addr ("127.0.0.1:9376", "[::1]:0"; port 0 picks a free one),
 * served by libmicrohttpd's own thread. */
struct out_metrics_server;
struct out_metrics_server *out_metrics_serve(struct out_metrics *m, const char *addr,
					     struct pal_err *err);
uint16_t out_metrics_server_port(const struct out_metrics_server *srv);
void out_metrics_server_stop(struct out_metrics_server *srv);

#endif
