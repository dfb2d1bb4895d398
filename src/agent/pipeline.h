/* What happens to one event in the agent:
 *
 *   eng_eval  ──match──►  response actions (kill, freeze: never rate limited)
 *                         flood control per (rule, container)
 *                         alert (Falco's shape + container, actions, process
 *                         tree, suppressed count) ──► every output (queued)
 *                         ──► audit log
 *
 * An event that matches nothing costs the rule evaluation and a counter: no
 * allocation, no lock. The pipeline is driven by one thread (the agent's
 * event loop); the ruleset may be swapped between events (SIGHUP).
 */
#ifndef PAL_AGENT_PIPELINE_H
#define PAL_AGENT_PIPELINE_H

#include "agent/agent_metrics.h"
#include "engine/engine.h"
#include "enforce/enforce.h"
#include "output/alert.h"
#include "output/audit.h"
#include "output/outputs.h"
#include "output/ratelimit.h"
#include "sensor/event.h"

#include <stdbool.h>

struct agt_pipeline_opts {
	struct out_outputs *outputs;	 /* required */
	struct out_ratelimit *ratelimit; /* NULL: every alert passes */
	struct enf *enforcer;		 /* NULL: actions are skipped */
	struct out_audit *audit;	 /* NULL: no audit log */
	struct agt_metrics *metrics;	 /* NULL: no metrics */
	struct agt_counters *counters;	 /* required */
	const char *hostname;		 /* NULL: the outputs' */
};

struct agt_pipeline;

struct agt_pipeline *agt_pipeline_new(const struct agt_pipeline_opts *o);
void agt_pipeline_free(struct agt_pipeline *p);

/* The ruleset events are evaluated against (not owned). */
void agt_pipeline_set_ruleset(struct agt_pipeline *p, const struct eng_ruleset *rs);

/* Flood control and the enforcer after a configuration reload (not owned;
 * NULL as in the options). */
void agt_pipeline_set_controls(struct agt_pipeline *p, struct out_ratelimit *rl, struct enf *e);

/* Evaluates one event; returns the number of matching rules. */
int agt_pipeline_event(struct agt_pipeline *p, const struct pal_event *ev);

/* The event types to capture for rs, in the sensor's bit layout. */
void agt_pipeline_event_types(const struct eng_ruleset *rs,
			      uint64_t bits[(PAL_EVT__COUNT + 63) / 64]);

/* ---- building blocks (tests) ---------------------------------------------------- */

/* The alert of a match: time, rule, priority, output, output_fields, tags,
 * source, hostname (NULL: left for the outputs), container, process tree. */
void agt_alert_build(struct out_alert *a, const struct eng_match *m, const char *hostname);

static inline enum out_priority agt_priority(enum eng_priority p)
{
	/* Both are Falco's order, Emergency (0) to Debug (7). */
	return (enum out_priority)p;
}

#endif
