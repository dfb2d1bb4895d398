#include "agent/pipeline.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct agt_pipeline {
	struct agt_pipeline_opts o;
	const struct eng_ruleset *rs;
	uint64_t audit_warned;
};

struct agt_pipeline *agt_pipeline_new(const struct agt_pipeline_opts *o)
{
	struct agt_pipeline *p = pal_xcalloc(1, sizeof(*p));
	p->o = *o;
	return p;
}

void agt_pipeline_free(struct agt_pipeline *p)
{
	free(p);
}

void agt_pipeline_set_controls(struct agt_pipeline *p, struct out_ratelimit *rl, struct enf *e)
{
	p->o.ratelimit = rl;
	p->o.enforcer = e;
}

void agt_pipeline_set_ruleset(struct agt_pipeline *p, const struct eng_ruleset *rs)
{
	p->rs = rs;
}

/* ---- alerts ---------------------------------------------------------------------- */

void agt_alert_build(struct out_alert *a, const struct eng_match *m, const char *hostname)
{
	const struct eng_rule *r = m->rule;
	const struct pal_event *ev = m->ev;
	out_alert_init(a);
	a->time_ns = ev->ts_ns;
	a->rule = pal_xstrdup(r->name);
	a->priority = agt_priority(r->priority);
	a->output = pal_xstrdup(m->output ? m->output : "");
	if (m->output_fields)
		a->output_fields = json_incref(m->output_fields);
	a->tags = pal_strv_dup((char *const *)r->tags);
	a->source = pal_xstrdup(r->source ? r->source : "syscall");
	if (hostname)
		a->hostname = pal_xstrdup(hostname);
	const struct pal_container *c = ev->container;
	if (c && !c->is_host && c->id) {
		a->container.id = pal_xstrdup(c->id);
		a->container.name = c->name ? pal_xstrdup(c->name) : NULL;
		a->container.image = c->image ? pal_xstrdup(c->image) : NULL;
	}
	/* The process, then up to five ancestors. */
	const struct pal_proc *p = ev->proc;
	for (size_t i = 0; p && i < OUT_PROC_TREE_MAX; i++, p = p->parent)
		out_alert_add_proc(a, p->pid, p->comm, p->cmdline ? p->cmdline : p->comm);
}

/* ---- actions ---------------------------------------------------------------------- */

struct action_done {
	const char *name;
	struct enf_outcome out;
};

static const uint32_t action_order[] = {ENG_ACTION_KILL_PROCESS, ENG_ACTION_FREEZE_CONTAINER,
					ENG_ACTION_KILL_CONTAINER};

static size_t run_actions(struct agt_pipeline *p, const struct eng_match *m,
			  struct action_done *done)
{
	size_t n = 0;
	struct enf_target t;
	enf_target_from_event(m->ev, &t);
	for (size_t i = 0; i < PAL_ARRAY_SIZE(action_order); i++) {
		uint32_t bit = action_order[i];
		if (!(m->rule->actions & bit))
			continue;
		struct action_done *d = &done[n++];
		d->name = eng_action_name((enum eng_action)bit);
		if (!p->o.enforcer) {
			d->out.result = ENF_SKIPPED;
			snprintf(d->out.detail, sizeof(d->out.detail),
				 "enforcement is not configured");
		} else if (bit == ENG_ACTION_KILL_PROCESS) {
			enf_kill_process(p->o.enforcer, &t, &d->out);
		} else if (bit == ENG_ACTION_FREEZE_CONTAINER) {
			enf_freeze_container(p->o.enforcer, &t, &d->out);
		} else {
			enf_kill_container(p->o.enforcer, &t, &d->out);
		}
		struct agt_counters *c = p->o.counters;
		agt_count(d->out.result == ENF_OK	? &c->actions_ok
			  : d->out.result == ENF_FAILED ? &c->actions_failed
							: &c->actions_skipped,
			  1);
		agt_metrics_action(p->o.metrics, d->name, enf_result_name(d->out.result));
		pal_log(d->out.result == ENF_FAILED ? PAL_LOG_WARN : PAL_LOG_INFO,
			"rule '%s': %s %s: %s", m->rule->name, d->name,
			enf_result_name(d->out.result), d->out.detail);
	}
	return n;
}

static enum out_action_result out_result(enum enf_result r)
{
	return r == ENF_OK	 ? OUT_ACTION_OK
	       : r == ENF_FAILED ? OUT_ACTION_FAILED
				 : OUT_ACTION_SKIPPED;
}

static void audit_append(struct agt_pipeline *p, const char *type, json_t *payload)
{
	struct pal_err err = {0};
	if (out_audit_append(p->o.audit, type, payload, NULL, &err) == 0)
		return;
	agt_count(&p->o.counters->audit_errors, 1);
	/* The first failure, then one in a thousand: a full disk must not flood the log. */
	if (p->audit_warned++ % 1000 == 0)
		pal_error("audit log: %s", err.msg);
}

/* Actions of an alert that flood control held back still go to the audit log. */
static void audit_actions(struct agt_pipeline *p, const struct eng_match *m,
			  const struct action_done *done, size_t n)
{
	char when[64];
	out_format_time_rfc3339(m->ev->ts_ns, when, sizeof(when));
	const struct pal_container *c = m->ev->container;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_pack(
		    "{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:b}", "time", when, "rule", m->rule->name,
		    "action", done[i].name, "result", enf_result_name(done[i].out.result), "pid",
		    (json_int_t)m->ev->proc->pid, "process", m->ev->proc->comm, "container",
		    c && !c->is_host && c->id ? c->id : OUT_HOST_CONTAINER_ID, "alert_suppressed",
		    true);
		if (o) {
			json_t *d = json_string(done[i].out.detail);
			json_object_set_new(o, "detail", d ? d : json_string("?"));
			audit_append(p, "action", o);
			json_decref(o);
		}
	}
}

static void on_match(const struct eng_match *m, void *ud)
{
	struct agt_pipeline *p = ud;
	struct agt_counters *c = p->o.counters;
	agt_count(&c->matches, 1);
	agt_metrics_match(p->o.metrics, m->rule->name);

	/* Enforcement first, and always: flood control limits what is said,
	 * never what is done (a burst of decoys must not buy a free pass). */
	struct action_done done[PAL_ARRAY_SIZE(action_order)];
	size_t n = run_actions(p, m, done);
	if (m->rule->actions == 0)
		return; /* a rule with `actions: []` only counts */

	const struct pal_container *ct = m->ev->container;
	const char *cid = ct && !ct->is_host ? ct->id : NULL;
	uint64_t suppressed = 0;
	if (p->o.ratelimit &&
	    !out_ratelimit_allow(p->o.ratelimit, m->rule->name, cid, &suppressed)) {
		agt_count(&c->suppressed, 1);
		if (p->o.audit && n)
			audit_actions(p, m, done, n);
		return;
	}

	struct out_alert a;
	agt_alert_build(&a, m, p->o.hostname);
	for (size_t i = 0; i < n; i++)
		out_alert_add_action(&a, done[i].name, out_result(done[i].out.result),
				     done[i].out.detail);
	a.suppressed = suppressed;
	size_t dropped = out_outputs_publish(p->o.outputs, &a);
	if (dropped)
		agt_count(&c->output_drops, dropped);
	agt_count(&c->alerts, 1);
	agt_metrics_alert(p->o.metrics, a.priority);
	if (p->o.audit) {
		json_t *j = out_alert_to_json(&a, p->o.hostname);
		audit_append(p, "alert", j);
		json_decref(j);
	}
	out_alert_clear(&a);
}

/* ---- events ------------------------------------------------------------------------- */

void agt_pipeline_event_types(const struct eng_ruleset *rs,
			      uint64_t bits[(PAL_EVT__COUNT + 63) / 64])
{
	struct eng_evtset need;
	eng_ruleset_event_set(rs, &need);
	memcpy(bits, need.bits, sizeof(need.bits));
}

int agt_pipeline_event(struct agt_pipeline *p, const struct pal_event *ev)
{
	agt_count(&p->o.counters->events, 1);
	if (!p->rs)
		return 0;
	return eng_eval(p->rs, ev, on_match, p);
}
