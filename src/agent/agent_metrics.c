#include "agent/agent_metrics.h"

#include "common/strutil.h"

#include <stdlib.h>

struct agt_metrics {
	struct out_metrics *reg;
	struct agt_counters *c;
	struct out_metric_family *matches, *alerts, *actions;
	struct out_metric *events, *sensor_events, *sensor_drops, *suppressed, *output_drops,
	    *audit_errors, *rules_loaded, *reload_ok, *reload_failed;
};

static struct out_metric *single(struct out_metrics *reg, enum out_metric_type t, const char *name,
				 const char *help)
{
	struct pal_err err = {0};
	struct out_metric_family *f = out_metrics_family(reg, t, name, help, &err);
	return f ? out_metric_series(f, NULL) : NULL;
}

static void set(struct out_metric *s, uint64_t v)
{
	if (s)
		out_metric_set(s, (double)v);
}

static void collect(struct out_metrics *reg, void *ctx)
{
	(void)reg;
	struct agt_metrics *m = ctx;
	struct agt_counters *c = m->c;
	set(m->events, agt_read(&c->events));
	set(m->sensor_events, agt_read(&c->sensor_events));
	set(m->sensor_drops, agt_read(&c->sensor_drops));
	set(m->suppressed, agt_read(&c->suppressed));
	set(m->output_drops, agt_read(&c->output_drops));
	set(m->audit_errors, agt_read(&c->audit_errors));
	set(m->rules_loaded, agt_read(&c->rules_loaded));
	set(m->reload_ok, agt_read(&c->reloads_ok));
	set(m->reload_failed, agt_read(&c->reloads_failed));
}

struct agt_metrics *agt_metrics_new(struct out_metrics *reg, struct agt_counters *counters)
{
	struct agt_metrics *m = pal_xcalloc(1, sizeof(*m));
	m->reg = reg;
	m->c = counters;
	struct pal_err err = {0};
	m->events = single(reg, OUT_METRIC_COUNTER, "palisade_agent_events_total",
			   "Events from the sensor evaluated against the rules");
	m->sensor_events = single(reg, OUT_METRIC_COUNTER, "palisade_agent_sensor_events_total",
				  "Records the sensor's kernel side submitted");
	m->sensor_drops = single(reg, OUT_METRIC_COUNTER, "palisade_agent_sensor_drops_total",
				 "Records the sensor lost because its ring buffer was full");
	m->matches =
	    out_metrics_family(reg, OUT_METRIC_COUNTER, "palisade_agent_rule_matches_total",
			       "Events that matched each rule", &err);
	m->alerts = out_metrics_family(reg, OUT_METRIC_COUNTER, "palisade_agent_alerts_total",
				       "Alerts published, per priority", &err);
	m->suppressed = single(reg, OUT_METRIC_COUNTER, "palisade_agent_alerts_suppressed_total",
			       "Alerts held back by flood control (per rule and container)");
	m->actions = out_metrics_family(reg, OUT_METRIC_COUNTER, "palisade_agent_actions_total",
					"Response actions, per action and result", &err);
	m->output_drops = single(reg, OUT_METRIC_COUNTER, "palisade_agent_output_drops_total",
				 "Alerts a sink refused because its queue was full");
	m->audit_errors = single(reg, OUT_METRIC_COUNTER, "palisade_agent_audit_errors_total",
				 "Audit records that could not be written");
	m->rules_loaded = single(reg, OUT_METRIC_GAUGE, "palisade_agent_rules_loaded",
				 "Enabled rules of the running ruleset");
	struct out_metric_family *reloads =
	    out_metrics_family(reg, OUT_METRIC_COUNTER, "palisade_agent_rule_reloads_total",
			       "Rule reloads (SIGHUP), per result", &err);
	if (reloads) {
		const char *ok[] = {"result", "ok", NULL}, *failed[] = {"result", "failed", NULL};
		m->reload_ok = out_metric_series(reloads, ok);
		m->reload_failed = out_metric_series(reloads, failed);
	}
	out_metrics_add_collector(reg, collect, m);
	return m;
}

void agt_metrics_free(struct agt_metrics *m)
{
	if (!m)
		return;
	out_metrics_remove_collector(m->reg, collect, m);
	free(m);
}

void agt_metrics_match(struct agt_metrics *m, const char *rule)
{
	if (!m || !m->matches)
		return;
	const char *labels[] = {"rule", rule, NULL};
	out_metric_inc(out_metric_series(m->matches, labels));
}

void agt_metrics_alert(struct agt_metrics *m, enum out_priority prio)
{
	if (!m || !m->alerts)
		return;
	const char *labels[] = {"priority", out_priority_name(prio), NULL};
	out_metric_inc(out_metric_series(m->alerts, labels));
}

void agt_metrics_action(struct agt_metrics *m, const char *action, const char *result)
{
	if (!m || !m->actions)
		return;
	const char *labels[] = {"action", action, "result", result, NULL};
	out_metric_inc(out_metric_series(m->actions, labels));
}
