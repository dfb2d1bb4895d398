/* The set of sinks an agent publishes to: each alert is formatted once and
 * queued on every sink. Publishing never blocks on a sink. */
#ifndef PAL_OUTPUT_OUTPUTS_H
#define PAL_OUTPUT_OUTPUTS_H

#include "alert.h"
#include "sink.h"

#include <stddef.h>
#include <stdint.h>

struct out_outputs;
struct out_metrics;

/* hostname: the "hostname" of alerts that carry none (NULL: out_default_hostname()). */
struct out_outputs *out_outputs_new(const char *hostname);

/* Takes ownership of the sink. */
void out_outputs_add(struct out_outputs *o, struct out_sink *s);
size_t out_outputs_count(const struct out_outputs *o);
struct out_sink *out_outputs_sink(struct out_outputs *o, size_t i);

/* Formats the alert and queues it on every sink. Returns the number of sinks
 * that dropped it (queue full or closing): 0 when every sink took it. */
size_t out_outputs_publish(struct out_outputs *o, const struct out_alert *a);

/* Same for an already formatted JSON object (one line, no newline). */
size_t out_outputs_publish_json(struct out_outputs *o, enum out_priority prio, uint64_t time_ns,
				const char *json, size_t len);

void out_outputs_reopen(struct out_outputs *o);
/* Flushes every sink, at most timeout_ms overall. 0 or -ETIMEDOUT. */
int out_outputs_flush(struct out_outputs *o, uint32_t timeout_ms);

/* Adds palisade_output_* series for every sink (read at each scrape). */
void out_outputs_register_metrics(struct out_outputs *o, struct out_metrics *m);
/* Required before out_outputs_close when registered. */
void out_outputs_unregister_metrics(struct out_outputs *o, struct out_metrics *m);

/* Drains every sink in parallel until deadline_ms from now, then frees all.
 * Returns the total dropped at close. final, when not NULL, has one entry per
 * sink (in order added) and receives each sink's last counters. */
uint64_t out_outputs_close(struct out_outputs *o, uint32_t deadline_ms,
			   struct out_sink_stats *final);

#endif
