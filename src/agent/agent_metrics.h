/* The agent's Prometheus series (beside the sinks' palisade_output_*):
 *
 *   palisade_agent_events_total                     events evaluated
 *   palisade_agent_sensor_events_total              records the kernel side submitted
 *   palisade_agent_sensor_drops_total               records lost (ring buffer full)
 *   palisade_agent_rule_matches_total{rule}         matches per rule
 *   palisade_agent_alerts_total{priority}           alerts published
 *   palisade_agent_alerts_suppressed_total          alerts held back by flood control
 *   palisade_agent_actions_total{action,result}     response actions and their outcome
 *   palisade_agent_output_drops_total               alerts a sink's full queue refused
 *   palisade_agent_audit_errors_total               audit records that could not be written
 *   palisade_agent_rules_loaded                     enabled rules of the running ruleset
 *   palisade_agent_rule_reloads_total{result}       SIGHUP reloads, ok or failed
 */
#ifndef PAL_AGENT_AGENT_METRICS_H
#define PAL_AGENT_AGENT_METRICS_H

#include "output/alert.h"
#include "output/metrics.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Counters the event loop bumps; read by the metrics collector and the
 * final statistics. Relaxed atomics: the HTTP thread reads them. */
struct agt_counters {
	atomic_uint_fast64_t events;
	atomic_uint_fast64_t matches;
	atomic_uint_fast64_t alerts;
	atomic_uint_fast64_t suppressed;
	atomic_uint_fast64_t actions_ok, actions_failed, actions_skipped;
	atomic_uint_fast64_t output_drops;
	atomic_uint_fast64_t audit_errors;
	/* refreshed by the loop from sen_stats() */
	atomic_uint_fast64_t sensor_events, sensor_drops;
	atomic_uint_fast64_t rules_loaded;
	atomic_uint_fast64_t reloads_ok, reloads_failed;
};

static inline void agt_count(atomic_uint_fast64_t *c, uint64_t n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}
static inline uint64_t agt_read(const atomic_uint_fast64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

struct agt_metrics;

/* Registers the families on reg and a collector reading counters. */
struct agt_metrics *agt_metrics_new(struct out_metrics *reg, struct agt_counters *counters);
/* Removes the collector (before reg or counters go away). */
void agt_metrics_free(struct agt_metrics *m);

void agt_metrics_match(struct agt_metrics *m, const char *rule);
void agt_metrics_alert(struct agt_metrics *m, enum out_priority prio);
void agt_metrics_action(struct agt_metrics *m, const char *action, const char *result);

#endif
