#include "outputs.h"

#include "metrics.h"

#include "common/cleanup.h"
#include "common/strutil.h"
#include "common/timefmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct out_outputs {
	char *hostname;
	struct out_sink **sinks;
	size_t n;
};

struct out_outputs *out_outputs_new(const char *hostname)
{
	struct out_outputs *o = pal_xcalloc(1, sizeof(*o));
	o->hostname = pal_xstrdup(hostname ? hostname : out_default_hostname());
	return o;
}

void out_outputs_add(struct out_outputs *o, struct out_sink *s)
{
	o->sinks = pal_xrealloc(o->sinks, (o->n + 1) * sizeof(*o->sinks));
	o->sinks[o->n++] = s;
}

size_t out_outputs_count(const struct out_outputs *o)
{
	return o->n;
}

struct out_sink *out_outputs_sink(struct out_outputs *o, size_t i)
{
	return i < o->n ? o->sinks[i] : NULL;
}

size_t out_outputs_publish_json(struct out_outputs *o, enum out_priority prio, uint64_t time_ns,
				const char *json, size_t len)
{
	struct out_msg *m = out_msg_new(prio, time_ns, json, len);
	size_t dropped = 0;
	for (size_t i = 0; i < o->n; i++)
		if (out_sink_emit(o->sinks[i], m) < 0)
			dropped++;
	out_msg_unref(m);
	return dropped;
}

size_t out_outputs_publish(struct out_outputs *o, const struct out_alert *a)
{
	size_t len;
	char *line = out_alert_to_line(a, o->hostname, &len);
	size_t dropped = out_outputs_publish_json(o, a->priority, a->time_ns, line, len);
	free(line);
	return dropped;
}

void out_outputs_reopen(struct out_outputs *o)
{
	for (size_t i = 0; i < o->n; i++)
		out_sink_reopen(o->sinks[i]);
}

int out_outputs_flush(struct out_outputs *o, uint32_t timeout_ms)
{
	uint64_t deadline = pal_time_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	int r = 0;
	for (size_t i = 0; i < o->n; i++) {
		uint64_t now = pal_time_monotonic_ns();
		uint32_t left = now < deadline ? (uint32_t)((deadline - now) / 1000000ull) : 0;
		if (out_sink_flush(o->sinks[i], left) < 0)
			r = -ETIMEDOUT;
	}
	return r;
}

static void collect(struct out_metrics *m, void *ctx)
{
	struct out_outputs *o = ctx;
	struct {
		const char *name, *help;
		enum out_metric_type type;
	} fams[] = {
	    {"palisade_output_sent_total", "Alerts delivered to the sink's transport",
	     OUT_METRIC_COUNTER},
	    {"palisade_output_dropped_total",
	     "Alerts dropped because the sink's queue was full or still queued at shutdown",
	     OUT_METRIC_COUNTER},
	    {"palisade_output_errors_total", "Failed connects and sends", OUT_METRIC_COUNTER},
	    {"palisade_output_failed_total", "Alerts given up after send errors",
	     OUT_METRIC_COUNTER},
	    {"palisade_output_reconnects_total", "Reconnections after the first connect",
	     OUT_METRIC_COUNTER},
	    {"palisade_output_queue_length", "Alerts waiting in the sink's queue",
	     OUT_METRIC_GAUGE},
	    {"palisade_output_connected", "1 while the sink's transport is connected",
	     OUT_METRIC_GAUGE},
	};
	struct out_metric_family *f[PAL_ARRAY_SIZE(fams)];
	for (size_t i = 0; i < PAL_ARRAY_SIZE(fams); i++) {
		struct pal_err err;
		f[i] = out_metrics_family(m, fams[i].type, fams[i].name, fams[i].help, &err);
		if (!f[i])
			return;
	}
	for (size_t i = 0; i < o->n; i++) {
		struct out_sink_stats st;
		out_sink_get_stats(o->sinks[i], &st);
		const char *labels[] = {"sink", out_sink_name(o->sinks[i]), "kind",
					out_sink_kind(o->sinks[i]), NULL};
		double v[] = {(double)st.sent,	       (double)st.dropped,    (double)st.errors,
			      (double)st.failed,       (double)st.reconnects, (double)st.queued,
			      st.connected ? 1.0 : 0.0};
		for (size_t k = 0; k < PAL_ARRAY_SIZE(fams); k++)
			out_metric_set(out_metric_series(f[k], labels), v[k]);
	}
}

void out_outputs_register_metrics(struct out_outputs *o, struct out_metrics *m)
{
	out_metrics_add_collector(m, collect, o);
}

void out_outputs_unregister_metrics(struct out_outputs *o, struct out_metrics *m)
{
	out_metrics_remove_collector(m, collect, o);
}

uint64_t out_outputs_close(struct out_outputs *o, uint32_t deadline_ms,
			   struct out_sink_stats *final)
{
	if (!o)
		return 0;
	uint64_t deadline = pal_time_monotonic_ns() + (uint64_t)deadline_ms * 1000000ull;
	for (size_t i = 0; i < o->n; i++)
		out_sink_begin_close(o->sinks[i], deadline);
	uint64_t dropped = 0;
	for (size_t i = 0; i < o->n; i++)
		dropped += out_sink_finish_close(o->sinks[i], final ? &final[i] : NULL);
	free(o->sinks);
	free(o->hostname);
	free(o);
	return dropped;
}
