/* The agent's life: set everything up from the configuration, run the event
 * loop (sensor events, signals, a once-a-second tick), and shut down in the
 * order that loses nothing: events still in the ring buffer are evaluated,
 * the sensor detached, then the outputs drained within the deadline. */
#include "agent/agent.h"

#include "agent/agent_metrics.h"
#include "agent/environ.h"
#include "agent/names.h"
#include "agent/outputs_setup.h"
#include "agent/pipeline.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/timefmt.h"
#include "enforce/enforce.h"
#include "output/audit.h"
#include "output/metrics.h"
#include "output/outputs.h"
#include "output/ratelimit.h"
#include "sensor/sensor.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

/* ---- rules ------------------------------------------------------------------------ */

static void log_diag(const struct eng_diag *d, void *ud)
{
	(void)ud;
	char line[PAL_ERR_MSG_MAX];
	eng_diag_format(d, line, sizeof(line));
	if (d->level == ENG_DIAG_ERROR)
		pal_error("rules: %s", line);
	else
		pal_warn("rules: %s", line);
}

int agt_rules_load(const struct agt_config *cfg, struct agt_names *names, struct agt_environ *env,
		   struct eng_ruleset **out, struct pal_err *err)
{
	struct eng_load_opts lo = {.diag = log_diag};
	if (names) {
		lo.resolve_name = agt_names_lookup;
		lo.resolve_ud = names;
	}
	if (env) {
		lo.resolve_env = agt_environ_lookup;
		lo.resolve_env_ud = env;
	}
	if (cfg->rules_min_prio >= 0) {
		lo.has_min_priority = true;
		lo.min_priority = cfg->rules_min_prio;
	}
	lo.disabled_tags = (const char *const *)cfg->disabled_tags;
	struct eng_loader *l = eng_loader_new(&lo);
	if (agt_config_loads_builtin(cfg))
		eng_loader_add_builtin(l);
	int r = 0;
	for (char **p = cfg->rule_paths; p && *p; p++) {
		if ((r = eng_loader_add_path(l, *p, err)) < 0) {
			eng_loader_free(l);
			return r;
		}
	}
	r = eng_loader_finish(l, out, err);
	eng_loader_free(l);
	return r;
}

static void describe_rules(const struct agt_config *cfg, const struct eng_ruleset *rs, char *buf,
			   size_t cap)
{
	struct eng_stats st;
	eng_ruleset_stats(rs, &st);
	struct pal_buf b;
	pal_buf_init(&b);
	if (agt_config_loads_builtin(cfg))
		pal_buf_puts(&b, "built-in");
	for (char **p = cfg->rule_paths; p && *p; p++)
		pal_buf_printf(&b, "%s%s", b.len ? ", " : "", *p);
	snprintf(buf, cap, "%u rules enabled (%u disabled, %u skipped) from %s", st.rules_enabled,
		 st.rules_disabled, st.rules_skipped, b.data ? b.data : "nothing");
	pal_buf_free(&b);
}

/* ---- the agent --------------------------------------------------------------------- */

struct agent {
	struct agt_config *cfg;
	const struct agt_config_sources *sources;
	struct eng_ruleset *rs;
	struct sen *sen;
	struct out_outputs *outs;
	struct out_ratelimit *rl;
	struct enf *enf;
	struct out_audit *audit;
	struct out_metrics *reg;
	struct out_metrics_server *srv;
	struct agt_metrics *metrics;
	struct agt_pipeline *pipe;
	struct agt_counters counters;
	struct agt_names *names;
	struct agt_environ *env;
	int sigfd, epfd;
	uint64_t drops_reported;
};

static int on_event(const struct pal_event *ev, void *ctx)
{
	struct agent *a = ctx;
	agt_pipeline_event(a->pipe, ev);
	return 0;
}

static void audit_record(struct agent *a, const char *type, json_t *payload)
{
	if (!a->audit) {
		json_decref(payload);
		return;
	}
	struct pal_err err = {0};
	if (out_audit_append(a->audit, type, payload, NULL, &err) < 0) {
		agt_count(&a->counters.audit_errors, 1);
		pal_error("audit log: %s", err.msg);
	}
	json_decref(payload);
}

static int program_sensor(struct agent *a)
{
	struct sen_evt_set set;
	agt_pipeline_event_types(a->rs, set.bits);
	return sen_set_event_types(a->sen, &set);
}

static int level_of(const char *s)
{
	if (!strcmp(s, "error"))
		return PAL_LOG_ERROR;
	if (!strcmp(s, "warning"))
		return PAL_LOG_WARN;
	if (!strcmp(s, "debug"))
		return PAL_LOG_DEBUG;
	return PAL_LOG_INFO;
}

static int make_ratelimit(const struct agt_config *cfg, struct out_ratelimit **out)
{
	*out = NULL;
	if (!cfg->rate_limit)
		return 0;
	struct out_ratelimit_opts o = {
	    .rate = cfg->rate, .burst = cfg->burst, .max_keys = cfg->rate_max_keys};
	*out = out_ratelimit_new(&o);
	if (!*out) {
		pal_error("rate_limit: rate must be > 0 and burst >= 1");
		return -EINVAL;
	}
	return 0;
}

static struct enf *make_enforcer(const struct agt_config *cfg)
{
	struct enf_opts o = {.enabled = cfg->enforce,
			     .dry_run = cfg->enforce_dry_run,
			     .host = cfg->enforce_host,
			     .state_dir = cfg->state_dir,
			     .freeze_timeout_ms = cfg->freeze_timeout_ms};
	return enf_new(&o);
}

static void reload_failed(struct agent *a, const char *what, const char *why)
{
	agt_count(&a->counters.reloads_failed, 1);
	pal_error("%s reload failed, the running configuration and rules stay in force: %s", what,
		  why);
	audit_record(a, "policy_reload", json_pack("{s:s, s:s}", "result", "failed", "error", why));
}

#define SWAP(x, y)                                                                                 \
	do {                                                                                       \
		__typeof__(x) tmp_ = (x);                                                          \
		(x) = (y);                                                                         \
		(y) = tmp_;                                                                        \
	} while (0)

/* Takes what a reload can apply from next into the running configuration
 * (next then holds the old values, for the caller to free). */
static void apply_live(struct agent *a, struct agt_config *next)
{
	struct agt_config *c = a->cfg;
	SWAP(c->rule_paths, next->rule_paths);
	SWAP(c->rules_builtin, next->rules_builtin);
	SWAP(c->rules_min_prio, next->rules_min_prio);
	SWAP(c->disabled_tags, next->disabled_tags);
	SWAP(c->log_level, next->log_level);
	pal_log_set_level((enum pal_log_level)level_of(c->log_level));

	bool rate = c->rate_limit != next->rate_limit || c->rate != next->rate ||
		    c->burst != next->burst || c->rate_max_keys != next->rate_max_keys;
	bool enforce = c->enforce != next->enforce || c->enforce_dry_run != next->enforce_dry_run ||
		       c->enforce_host != next->enforce_host ||
		       c->freeze_timeout_ms != next->freeze_timeout_ms;
	if (rate) {
		SWAP(c->rate_limit, next->rate_limit);
		SWAP(c->rate, next->rate);
		SWAP(c->burst, next->burst);
		SWAP(c->rate_max_keys, next->rate_max_keys);
		out_ratelimit_free(a->rl);
		/* Validated when the file was parsed. */
		(void)make_ratelimit(c, &a->rl);
	}
	if (enforce) {
		SWAP(c->enforce, next->enforce);
		SWAP(c->enforce_dry_run, next->enforce_dry_run);
		SWAP(c->enforce_host, next->enforce_host);
		SWAP(c->freeze_timeout_ms, next->freeze_timeout_ms);
		enf_free(a->enf);
		a->enf = make_enforcer(c);
		pal_info("enforcement now %s",
			 c->enforce ? (c->enforce_dry_run ? "dry run" : "on") : "off");
	}
	if (rate || enforce)
		agt_pipeline_set_controls(a->pipe, a->rl, a->enf);
}

static void reload(struct agent *a)
{
	struct pal_err err = {0};
	struct eng_ruleset *rs = NULL;
	pal_info("SIGHUP: reloading the %s", a->sources ? "configuration and the rules" : "rules");
	out_outputs_reopen(a->outs);
	struct agt_config next;
	const struct agt_config *want = a->cfg;
	if (a->sources) {
		if (agt_config_build(a->sources, &next, &err) < 0) {
			reload_failed(a, "configuration", err.msg);
			agt_config_free(&next);
			return;
		}
		want = &next;
	}
	if (agt_rules_load(want, a->names, a->env, &rs, &err) < 0) {
		reload_failed(a, "rules", err.msg);
		if (a->sources)
			agt_config_free(&next);
		return;
	}
	if (a->sources) {
		char changed[160];
		agt_config_restart_keys_changed(a->cfg, &next, changed, sizeof(changed));
		if (changed[0])
			pal_warn("reload: %s changed in the configuration; restart the agent to "
				 "apply (the running values stay)",
				 changed);
		apply_live(a, &next);
		agt_config_free(&next);
	}
	struct eng_ruleset *old = a->rs;
	a->rs = rs;
	agt_pipeline_set_ruleset(a->pipe, rs);
	int r = program_sensor(a);
	if (r < 0)
		pal_error("reload: cannot program the sensor's syscall set: %s", strerror(-r));
	eng_ruleset_free(old);
	char what[512];
	describe_rules(a->cfg, rs, what, sizeof(what));
	struct eng_stats st;
	eng_ruleset_stats(rs, &st);
	atomic_store(&a->counters.rules_loaded, st.rules_enabled);
	agt_count(&a->counters.reloads_ok, 1);
	pal_info("rules reloaded: %s", what);
	audit_record(a, "policy_reload",
		     json_pack("{s:s, s:s, s:i}", "result", "ok", "rules", what, "enabled",
			       (int)st.rules_enabled));
}

static void tick(struct agent *a)
{
	/* between events: strings the engine got from it are no longer in use */
	agt_names_expire(a->names, pal_time_monotonic_ns());
	struct sen_stats st;
	if (sen_stats(a->sen, &st) < 0)
		return;
	atomic_store(&a->counters.sensor_events, st.events);
	atomic_store(&a->counters.sensor_drops, st.drops);
	if (st.drops > a->drops_reported) {
		pal_warn(
		    "sensor: %llu events lost because the ring buffer was full (%llu in total; "
		    "raise sensor.ringbuf_size)",
		    (unsigned long long)(st.drops - a->drops_reported),
		    (unsigned long long)st.drops);
		a->drops_reported = st.drops;
	}
}

static int setup_signals(struct agent *a)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked before any sink thread starts, so every thread inherits it
	 * and the signals wait for the loop's signalfd. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -errno;
	a->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (a->sigfd < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static json_t *final_stats(struct agent *a, const struct out_sink_stats *sinks, char *const *names,
			   size_t nsinks, uint64_t dropped_at_close, const struct sen_stats *ss)
{
	struct agt_counters *c = &a->counters;
	json_t *sk = json_array();
	uint64_t sink_drops = 0;
	for (size_t i = 0; i < nsinks; i++) {
		sink_drops += sinks[i].dropped;
		json_array_append_new(sk, json_pack("{s:s, s:I, s:I, s:I, s:I}", "name",
						    names[i] ? names[i] : "", "sent",
						    (json_int_t)sinks[i].sent, "dropped",
						    (json_int_t)sinks[i].dropped, "failed",
						    (json_int_t)sinks[i].failed, "errors",
						    (json_int_t)sinks[i].errors));
	}
	return json_pack(
	    "{s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I}, s:I, s:I, s:I, s:{s:I, s:I}, s:{s:I, s:I}, "
	    "s:o}",
	    "events", (json_int_t)agt_read(&c->events), "matches",
	    (json_int_t)agt_read(&c->matches), "alerts", (json_int_t)agt_read(&c->alerts),
	    "suppressed", (json_int_t)agt_read(&c->suppressed), "actions", "ok",
	    (json_int_t)agt_read(&c->actions_ok), "failed",
	    (json_int_t)agt_read(&c->actions_failed), "skipped",
	    (json_int_t)agt_read(&c->actions_skipped), "sink_drops", (json_int_t)sink_drops,
	    "dropped_at_close", (json_int_t)dropped_at_close, "audit_errors",
	    (json_int_t)agt_read(&c->audit_errors), "sensor", "events", (json_int_t)ss->events,
	    "drops", (json_int_t)ss->drops, "reloads", "ok", (json_int_t)agt_read(&c->reloads_ok),
	    "failed", (json_int_t)agt_read(&c->reloads_failed), "sinks", sk);
}

static void teardown(struct agent *a, bool print_stats)
{
	struct sen_stats ss;
	memset(&ss, 0, sizeof(ss));
	if (a->sen) {
		sen_stats(a->sen, &ss);
		sen_close(a->sen);
		a->sen = NULL;
	}
	if (a->srv)
		out_metrics_server_stop(a->srv);
	if (a->reg && a->outs)
		out_outputs_unregister_metrics(a->outs, a->reg);
	agt_metrics_free(a->metrics);
	size_t nsinks = a->outs ? out_outputs_count(a->outs) : 0;
	struct out_sink_stats *sinks = pal_xcalloc(nsinks + 1, sizeof(*sinks));
	uint64_t dropped = 0;
	char **names = NULL;
	for (size_t i = 0; i < nsinks; i++)
		pal_strv_push(&names, out_sink_name(out_outputs_sink(a->outs, i)));
	if (a->outs) {
		dropped = out_outputs_close(a->outs, a->cfg->shutdown_timeout_ms, sinks);
		a->outs = NULL;
	}
	if (print_stats) {
		json_t *st = final_stats(a, sinks, names, nsinks, dropped, &ss);
		if (a->audit) {
			json_incref(st);
			audit_record(a, "agent_stop", st);
		}
		json_t *line = json_pack("{s:o}", "palisade.agent.stats", st);
		_cleanup_free_ char *text = pal_json_dump_line(line);
		json_decref(line);
		fputs(text, stderr);
		fflush(stderr);
	}
	free(sinks);
	pal_strv_free(names);
	agt_pipeline_free(a->pipe);
	out_audit_close(a->audit);
	out_ratelimit_free(a->rl);
	enf_free(a->enf);
	out_metrics_free(a->reg);
	eng_ruleset_free(a->rs);
	agt_names_free(a->names);
	agt_environ_free(a->env);
	if (a->epfd >= 0)
		close(a->epfd);
	if (a->sigfd >= 0)
		close(a->sigfd);
}

static int epoll_watch(int epfd, int fd, uint32_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

enum { TAG_SENSOR = 1, TAG_SIGNAL = 2 };

static int setup(struct agent *a, const struct agt_run_opts *ro)
{
	const struct agt_config *cfg = a->cfg;
	struct pal_err err = {0};
	int r;

	a->names = agt_names_new(NULL);
	a->env = agt_environ_new(NULL);
	if ((r = agt_rules_load(cfg, a->names, a->env, &a->rs, &err)) < 0) {
		pal_error("%s", err.msg);
		return r;
	}
	char what[512];
	describe_rules(cfg, a->rs, what, sizeof(what));
	if (ro->check_only) {
		printf("configuration %s: OK\nrules: %s\n",
		       cfg->source ? cfg->source : "(built-in defaults)", what);
		return 1;
	}
	struct eng_stats st;
	eng_ruleset_stats(a->rs, &st);
	atomic_store(&a->counters.rules_loaded, st.rules_enabled);

	if ((r = setup_signals(a)) < 0) {
		pal_error("signals: %s", strerror(-r));
		return r;
	}
	if ((r = agt_outputs_build(cfg, &a->outs, &err)) < 0) {
		pal_error("%s", err.msg);
		return r;
	}
	if ((r = make_ratelimit(cfg, &a->rl)) < 0)
		return r;
	a->enf = make_enforcer(cfg);
	if (cfg->audit) {
		struct out_audit_opts ao = {.path = cfg->audit_path,
					    .key_file = cfg->audit_key_file,
					    .sync = cfg->audit_fsync ? OUT_AUDIT_SYNC_EACH
								     : OUT_AUDIT_SYNC_NONE};
		if ((r = out_audit_open(&ao, &a->audit, &err)) < 0) {
			pal_error("audit log: %s", err.msg);
			return r;
		}
	}
	if (cfg->metrics) {
		a->reg = out_metrics_new();
		a->metrics = agt_metrics_new(a->reg, &a->counters);
		out_outputs_register_metrics(a->outs, a->reg);
		a->srv = out_metrics_serve(a->reg, cfg->metrics_listen, &err);
		if (!a->srv) {
			pal_error("metrics: %s", err.msg);
			return -EINVAL;
		}
		pal_info("metrics: http://%s/metrics (port %u)", cfg->metrics_listen,
			 out_metrics_server_port(a->srv));
	}
	struct agt_pipeline_opts po = {
	    .outputs = a->outs,
	    .ratelimit = a->rl,
	    .enforcer = a->enf,
	    .audit = a->audit,
	    .metrics = a->metrics,
	    .counters = &a->counters,
	    .hostname = cfg->hostname,
	};
	a->pipe = agt_pipeline_new(&po);
	agt_pipeline_set_ruleset(a->pipe, a->rs);

	struct sen_opts so = {
	    .ringbuf_bytes = cfg->ringbuf_bytes,
	    .seccomp_audit = cfg->seccomp_audit,
	    .max_latency_ms = cfg->max_latency_ms,
	    .containers = {.state_dir = cfg->state_dir},
	};
	if ((r = sen_open(&so, &a->sen, &err)) < 0) {
		pal_error("sensor: %s", err.msg);
		return r;
	}
	if ((r = program_sensor(a)) < 0) {
		pal_error("sensor: cannot program the syscall set: %s", strerror(-r));
		return r;
	}
	a->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (a->epfd < 0 || epoll_watch(a->epfd, sen_fd(a->sen), TAG_SENSOR) < 0 ||
	    epoll_watch(a->epfd, a->sigfd, TAG_SIGNAL) < 0) {
		pal_error("epoll: %s", strerror(errno));
		return -errno;
	}

	pal_info("agent running: %s; %zu output(s); enforcement %s%s; max latency %d ms", what,
		 out_outputs_count(a->outs),
		 cfg->enforce ? (cfg->enforce_dry_run ? "dry run" : "on") : "off",
		 cfg->enforce && cfg->enforce_host ? " (host too)" : "", cfg->max_latency_ms);
	audit_record(a, "agent_start",
		     json_pack("{s:s, s:s, s:i}", "config", cfg->source ? cfg->source : "", "rules",
			       what, "pid", (int)getpid()));
	if (ro->ready_file) {
		char pid[32];
		int n = snprintf(pid, sizeof(pid), "%d\n", getpid());
		if ((r = pal_write_file_atomic(ro->ready_file, pid, (size_t)n, 0644, &err)) < 0) {
			pal_error("--ready-file: %s", err.msg);
			return r;
		}
	}
	return 0;
}

static int loop(struct agent *a)
{
	int timeout = a->cfg->max_latency_ms > 0 ? a->cfg->max_latency_ms : 1000;
	uint64_t last_tick = pal_time_monotonic_ns();
	for (;;) {
		struct epoll_event evs[4];
		int n = epoll_wait(a->epfd, evs, 4, timeout);
		if (n < 0 && errno != EINTR) {
			pal_error("epoll_wait: %s", strerror(errno));
			return -errno;
		}
		/* Events first: what happened before a signal is evaluated before it. */
		int r = sen_poll(a->sen, 0, on_event, a);
		if (r < 0 && r != -EINTR) {
			pal_error("sensor: %s", strerror(-r));
			return r;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u32 != TAG_SIGNAL)
				continue;
			struct signalfd_siginfo si;
			while (read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					reload(a);
				} else {
					pal_info("%s: shutting down",
						 si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
					return 0;
				}
			}
		}
		uint64_t now = pal_time_monotonic_ns();
		if (now - last_tick >= 1000000000ull) {
			last_tick = now;
			tick(a);
		}
	}
}

int agt_run(struct agt_config *cfg, const struct agt_run_opts *ro)
{
	pal_log_set_prefix("palisade agent");
	pal_log_set_level((enum pal_log_level)level_of(cfg->log_level));
	struct agent a = {.cfg = cfg, .sources = ro->sources, .sigfd = -1, .epfd = -1};
	int r = setup(&a, ro);
	if (r != 0) {
		teardown(&a, false);
		return r > 0 ? 0 : 1;
	}
	r = loop(&a);
	/* Whatever the ring buffer still holds happened before the signal. */
	if (r == 0)
		(void)sen_poll(a.sen, 0, on_event, &a);
	teardown(&a, true);
	pal_info("stopped");
	return r == 0 ? 0 : 1;
}
