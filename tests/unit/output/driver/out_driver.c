/* palisade-output-testdriver: drives the output module from the bats tests
 * (tests/integration/output_*.bats). Test-only, never installed.
 *
 *   send    --sink SPEC... [--count N] [--interval-ms N] [--queue N] [--deadline-ms N]
 *           [--timeout-ms N] [--ca FILE] [--server-name NAME] [--header H]... [--subject S]
 *           [--rule R] [--priority P] [--big N] [--stats FILE] [--hold-ms N]
 *   audit-append --log FILE [--key FILE] [--type T] [--count N] [--nosync]
 *   metrics --addr HOST:PORT --port-file FILE [--sink SPEC]... [--count N]
 *           (serves until SIGTERM/SIGINT)
 *   nats-sub --url URL --subject S --count N --out FILE [--timeout-ms N] [--ready FILE]
 *           (a libnats subscriber: writes each message as a line, exits after N or timeout)
 *
 * SPEC: stdout | file:PATH | syslog+unix:PATH | syslog+udp:H:P | syslog+tcp:H:P |
 *       syslog+tls:H:P | http:URL | nats:URL
 */
#include "output/audit.h"
#include "output/metrics.h"
#include "output/outputs.h"
#include "output/sink.h"

#include "common/cleanup.h"
#include "common/err.h"
#include "common/strutil.h"
#include "common/timefmt.h"

#include <errno.h>
#include <getopt.h>
#include <nats/nats.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct cfg {
	char **sinks;
	char **headers;
	const char *ca, *server_name, *subject, *rule, *priority, *stats, *log, *key, *type;
	const char *addr, *port_file, *url, *out, *ready;
	long count, interval_ms, queue, deadline_ms, timeout_ms, hold_ms, big;
	bool nosync;
};

static int usage(void)
{
	fprintf(stderr, "usage: palisade-output-testdriver send|audit-append|metrics [options] "
			"(see the source's header comment)\n");
	return 2;
}

static struct out_sink *make_sink(const struct cfg *c, const char *spec, struct pal_err *err)
{
	struct out_sink_opts o = {
	    .name = NULL,
	    .queue_capacity = (size_t)c->queue,
	    .timeout_ms = (uint32_t)c->timeout_ms,
	    .backoff_min_ms = 50,
	    .backoff_max_ms = 1000,
	};
	if (strcmp(spec, "stdout") == 0)
		return out_sink_stdout_new(&o, err);
	if (pal_str_starts_with(spec, "file:"))
		return out_sink_file_new(spec + 5, &o, err);
	if (pal_str_starts_with(spec, "http:") || pal_str_starts_with(spec, "https:")) {
		const char *url = pal_str_starts_with(spec, "http:http") ? spec + 5 : spec;
		struct out_http_opts h = {.url = url, .headers = c->headers, .ca_file = c->ca};
		return out_sink_http_new(&h, &o, err);
	}
	if (pal_str_starts_with(spec, "nats:")) {
		struct out_nats_opts n = {.url = spec + 5,
					  .subject = c->subject ? c->subject : "palisade.alerts"};
		return out_sink_nats_new(&n, &o, err);
	}
	if (pal_str_starts_with(spec, "syslog+")) {
		const char *colon = strchr(spec, ':');
		if (!colon) {
			pal_err_set(err, EINVAL, "sink %s: syslog+KIND:ADDRESS", spec);
			return NULL;
		}
		_cleanup_free_ char *kind = pal_xstrndup(spec + 7, (size_t)(colon - spec - 7));
		struct out_syslog_opts so;
		out_syslog_opts_init(&so);
		if (out_syslog_transport_parse(kind, &so.transport) < 0) {
			pal_err_set(err, EINVAL, "sink %s: unknown syslog transport %s", spec,
				    kind);
			return NULL;
		}
		so.address = colon + 1;
		so.ca_file = c->ca;
		so.server_name = c->server_name;
		so.facility = 16; /* local0 */
		return out_sink_syslog_new(&so, &o, err);
	}
	pal_err_set(err, EINVAL, "unknown sink spec %s", spec);
	return NULL;
}

static void fill_alert(const struct cfg *c, struct out_alert *a, long i)
{
	out_alert_init(a);
	a->time_ns = pal_time_realtime_ns();
	a->rule = pal_xstrdup(c->rule ? c->rule : "Terminal shell in container");
	if (!c->priority || out_priority_parse(c->priority, &a->priority) < 0)
		a->priority = OUT_PRIO_WARNING;
	a->output =
	    pal_xasprintf("A shell was spawned in a container (user=root shell=sh seq=%ld)", i);
	a->output_fields =
	    json_pack("{s:s, s:s, s:s, s:I}", "proc.name", "sh", "user.name", "root",
		      "container.id", "0123456789ab", "palisade.test.seq", (json_int_t)i);
	if (c->big > 0) {
		char *pad = pal_xmalloc((size_t)c->big + 1);
		memset(pad, 'x', (size_t)c->big);
		pad[c->big] = '\0';
		json_object_set_new(a->output_fields, "palisade.test.pad", json_string(pad));
		free(pad);
	}
	pal_strv_push(&a->tags, "container");
	pal_strv_push(&a->tags, "shell");
	pal_strv_push(&a->tags, "mitre_execution");
	a->container.id = pal_xstrdup("0123456789ab");
	a->container.name = pal_xstrdup("web");
	a->container.image = pal_xstrdup("localhost/bb:latest");
	out_alert_add_action(a, "kill_process", OUT_ACTION_OK, "SIGKILL pid 4242");
	out_alert_add_proc(a, 4242, "sh", "sh -i");
	out_alert_add_proc(a, 4200, "bash", "bash -c sh -i");
}

static void write_stats(const struct cfg *c, long published, long publish_drops,
			uint64_t elapsed_ns, uint64_t close_dropped, json_t *per_sink)
{
	if (!c->stats)
		return;
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:O}", "published", (json_int_t)published,
			      "publish_drops", (json_int_t)publish_drops, "publish_elapsed_ns",
			      (json_int_t)elapsed_ns, "close_dropped", (json_int_t)close_dropped,
			      "sinks", per_sink);
	json_dump_file(o, c->stats, JSON_COMPACT);
	json_decref(o);
}

static json_t *snapshot(struct out_outputs *outs)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < out_outputs_count(outs); i++) {
		struct out_sink *s = out_outputs_sink(outs, i);
		struct out_sink_stats st;
		out_sink_get_stats(s, &st);
		char last[512];
		out_sink_last_error(s, last, sizeof(last));
		json_array_append_new(
		    arr, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:s}", "name", out_sink_name(s),
				   "sent", (json_int_t)st.sent, "dropped", (json_int_t)st.dropped,
				   "errors", (json_int_t)st.errors, "failed", (json_int_t)st.failed,
				   "reconnects", (json_int_t)st.reconnects, "last_error", last));
	}
	return arr;
}

static struct out_outputs *make_outputs(const struct cfg *c)
{
	struct out_outputs *outs = out_outputs_new("palisade-test-host");
	for (char **p = c->sinks; p && *p; p++) {
		struct pal_err err = {0};
		struct out_sink *s = make_sink(c, *p, &err);
		if (!s) {
			fprintf(stderr, "driver: %s\n", err.msg);
			exit(1);
		}
		out_outputs_add(outs, s);
	}
	return outs;
}

static int cmd_send(const struct cfg *c)
{
	struct out_outputs *outs = make_outputs(c);
	long drops = 0;
	uint64_t t0 = pal_time_monotonic_ns();
	for (long i = 1; i <= c->count; i++) {
		struct out_alert a;
		fill_alert(c, &a, i);
		if (out_outputs_publish(outs, &a) > 0)
			drops++;
		out_alert_clear(&a);
		if (c->interval_ms > 0)
			usleep((useconds_t)c->interval_ms * 1000);
	}
	uint64_t elapsed = pal_time_monotonic_ns() - t0;
	if (c->hold_ms > 0)
		usleep((useconds_t)c->hold_ms * 1000);
	/* Names and last errors before close; counters after it, which include
	 * what the drain delivered and what the deadline dropped. */
	json_t *sinks = snapshot(outs);
	size_t n = out_outputs_count(outs);
	struct out_sink_stats *final = pal_xcalloc(n + 1, sizeof(*final));
	uint64_t close_dropped = out_outputs_close(outs, (uint32_t)c->deadline_ms, final);
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(sinks, i);
		json_object_set_new(o, "sent", json_integer((json_int_t) final[i].sent));
		json_object_set_new(o, "dropped", json_integer((json_int_t) final[i].dropped));
		json_object_set_new(o, "errors", json_integer((json_int_t) final[i].errors));
		json_object_set_new(o, "failed", json_integer((json_int_t) final[i].failed));
		json_object_set_new(o, "reconnects",
				    json_integer((json_int_t) final[i].reconnects));
		json_object_set_new(o, "last_error", json_string(final[i].last_error));
	}
	free(final);
	write_stats(c, c->count, drops, elapsed, close_dropped, sinks);
	json_decref(sinks);
	return 0;
}

static int cmd_audit_append(const struct cfg *c)
{
	struct out_audit_opts o = {.path = c->log,
				   .key_file = c->key,
				   .sync = c->nosync ? OUT_AUDIT_SYNC_NONE : OUT_AUDIT_SYNC_EACH};
	struct out_audit *a = NULL;
	struct pal_err err = {0};
	if (out_audit_open(&o, &a, &err) < 0) {
		fprintf(stderr, "driver: %s\n", err.msg);
		return 1;
	}
	for (long i = 1; i <= c->count; i++) {
		json_t *p = json_pack("{s:I, s:I, s:s}", "pid", (json_int_t)getpid(), "n",
				      (json_int_t)i, "text", "grüße \"quoted\"\n");
		int r = out_audit_append(a, c->type ? c->type : "alert", p, NULL, &err);
		json_decref(p);
		if (r < 0) {
			fprintf(stderr, "driver: %s\n", err.msg);
			out_audit_close(a);
			return 1;
		}
	}
	out_audit_close(a);
	return 0;
}

static int cmd_nats_sub(const struct cfg *c)
{
	natsConnection *nc = NULL;
	natsSubscription *sub = NULL;
	natsStatus s = natsConnection_ConnectTo(&nc, c->url);
	if (s == NATS_OK)
		s = natsConnection_SubscribeSync(&sub, nc, c->subject);
	if (s == NATS_OK)
		s = natsConnection_Flush(nc);
	if (s != NATS_OK) {
		fprintf(stderr, "driver: nats %s: %s\n", c->url, natsStatus_GetText(s));
		return 1;
	}
	if (c->ready) {
		FILE *r = fopen(c->ready, "we");
		if (r)
			fclose(r);
	}
	FILE *out = fopen(c->out, "we");
	if (!out)
		return 1;
	long got = 0;
	uint64_t deadline = pal_time_monotonic_ns() + (uint64_t)c->timeout_ms * 1000000ull;
	while (got < c->count && pal_time_monotonic_ns() < deadline) {
		natsMsg *m = NULL;
		if (natsSubscription_NextMsg(&m, sub, 200) != NATS_OK)
			continue;
		fprintf(out, "%.*s\n", natsMsg_GetDataLength(m), natsMsg_GetData(m));
		fflush(out);
		natsMsg_Destroy(m);
		got++;
	}
	fclose(out);
	natsSubscription_Destroy(sub);
	natsConnection_Destroy(nc);
	nats_Close();
	return got == c->count ? 0 : 1;
}

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int cmd_metrics(const struct cfg *c)
{
	struct out_metrics *m = out_metrics_new();
	struct pal_err err = {0};
	struct out_metric_family *f = out_metrics_family(
	    m, OUT_METRIC_COUNTER, "palisade_test_events_total", "Events seen by the test", &err);
	const char *labels[] = {"source", "syscall", NULL};
	out_metric_add(out_metric_series(f, labels), 42);
	struct out_outputs *outs = make_outputs(c);
	out_outputs_register_metrics(outs, m);
	for (long i = 1; i <= c->count; i++) {
		struct out_alert a;
		fill_alert(c, &a, i);
		out_outputs_publish(outs, &a);
		out_alert_clear(&a);
	}
	out_outputs_flush(outs, 5000);
	struct out_metrics_server *srv = out_metrics_serve(m, c->addr, &err);
	if (!srv) {
		fprintf(stderr, "driver: %s\n", err.msg);
		return 1;
	}
	FILE *pf = fopen(c->port_file, "we");
	if (pf) {
		fprintf(pf, "%u\n", out_metrics_server_port(srv));
		fclose(pf);
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop_requested)
		pause();
	out_metrics_server_stop(srv);
	out_outputs_unregister_metrics(outs, m);
	out_outputs_close(outs, 1000, NULL);
	out_metrics_free(m);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	struct cfg c = {.count = 1, .queue = 1024, .deadline_ms = 5000, .timeout_ms = 2000};
	static const struct option opts[] = {
	    {"sink", required_argument, NULL, 's'},
	    {"count", required_argument, NULL, 'n'},
	    {"interval-ms", required_argument, NULL, 'i'},
	    {"queue", required_argument, NULL, 'q'},
	    {"deadline-ms", required_argument, NULL, 'd'},
	    {"timeout-ms", required_argument, NULL, 't'},
	    {"hold-ms", required_argument, NULL, 'H'},
	    {"big", required_argument, NULL, 'b'},
	    {"ca", required_argument, NULL, 'c'},
	    {"server-name", required_argument, NULL, 'N'},
	    {"header", required_argument, NULL, 'h'},
	    {"subject", required_argument, NULL, 'S'},
	    {"rule", required_argument, NULL, 'r'},
	    {"priority", required_argument, NULL, 'p'},
	    {"stats", required_argument, NULL, 'o'},
	    {"log", required_argument, NULL, 'l'},
	    {"key", required_argument, NULL, 'k'},
	    {"type", required_argument, NULL, 'T'},
	    {"nosync", no_argument, NULL, 'Y'},
	    {"addr", required_argument, NULL, 'a'},
	    {"port-file", required_argument, NULL, 'P'},
	    {"url", required_argument, NULL, 'u'},
	    {"out", required_argument, NULL, 'O'},
	    {"ready", required_argument, NULL, 'R'},
	    {0},
	};
	int ch;
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			pal_strv_push(&c.sinks, optarg);
			break;
		case 'h':
			pal_strv_push(&c.headers, optarg);
			break;
		case 'n':
			c.count = atol(optarg);
			break;
		case 'i':
			c.interval_ms = atol(optarg);
			break;
		case 'q':
			c.queue = atol(optarg);
			break;
		case 'd':
			c.deadline_ms = atol(optarg);
			break;
		case 't':
			c.timeout_ms = atol(optarg);
			break;
		case 'H':
			c.hold_ms = atol(optarg);
			break;
		case 'b':
			c.big = atol(optarg);
			break;
		case 'c':
			c.ca = optarg;
			break;
		case 'N':
			c.server_name = optarg;
			break;
		case 'S':
			c.subject = optarg;
			break;
		case 'r':
			c.rule = optarg;
			break;
		case 'p':
			c.priority = optarg;
			break;
		case 'o':
			c.stats = optarg;
			break;
		case 'l':
			c.log = optarg;
			break;
		case 'k':
			c.key = optarg;
			break;
		case 'T':
			c.type = optarg;
			break;
		case 'Y':
			c.nosync = true;
			break;
		case 'a':
			c.addr = optarg;
			break;
		case 'P':
			c.port_file = optarg;
			break;
		case 'u':
			c.url = optarg;
			break;
		case 'O':
			c.out = optarg;
			break;
		case 'R':
			c.ready = optarg;
			break;
		default:
			return usage();
		}
	}
	int r;
	if (strcmp(cmd, "send") == 0)
		r = cmd_send(&c);
	else if (strcmp(cmd, "audit-append") == 0 && c.log)
		r = cmd_audit_append(&c);
	else if (strcmp(cmd, "metrics") == 0 && c.addr && c.port_file)
		r = cmd_metrics(&c);
	else if (strcmp(cmd, "nats-sub") == 0 && c.url && c.subject && c.out)
		r = cmd_nats_sub(&c);
	else
		r = usage();
	pal_strv_free(c.sinks);
	pal_strv_free(c.headers);
	return r;
}
