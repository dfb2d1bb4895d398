/* Alert formatting + enqueue throughput (alerts/s), measured in one run for:
 *   none   no sink: formatting and fan-out only (the baseline)
 *   null   a file sink writing to /dev/null (a fast real sink)
 *   slow   a sink whose every send takes 1 ms (a stalled SIEM), queue 1024
 * The producer never waits on a sink, so "slow" should cost about what
 * "none" does; its drops are counted and printed.
 *
 * usage: bench_output_throughput [ALERTS] [ROUNDS]   (default 200000, 3)
 */
#include "output/outputs.h"
#include "output/sink_impl.h"

#include "common/strutil.h"
#include "common/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int slow_send(void *impl, const struct out_msg *m, struct pal_err *err)
{
	(void)impl;
	(void)m;
	(void)err;
	struct timespec ts = {.tv_nsec = 1000000};
	nanosleep(&ts, NULL);
	return 0;
}

static void no_destroy(void *impl)
{
	(void)impl;
}

static const struct out_sink_ops slow_ops = {
    .kind = "slow", .send = slow_send, .destroy = no_destroy};

static void fill(struct out_alert *a, long i)
{
	out_alert_init(a);
	a->time_ns = pal_time_realtime_ns();
	a->rule = pal_xstrdup("Terminal shell in container");
	a->priority = OUT_PRIO_NOTICE;
	a->output = pal_xasprintf("A shell was spawned in a container with an attached terminal "
				  "(user=root user_loginuid=-1 web (id=0123456789ab) shell=sh "
				  "parent=runc cmdline=sh -i terminal=34816 seq=%ld)",
				  i);
	a->output_fields =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:I}", "container.id", "0123456789ab",
		      "container.name", "web", "container.image.repository",
		      "docker.io/library/nginx", "proc.name", "sh", "proc.cmdline", "sh -i",
		      "proc.pname", "runc", "proc.tty", 34816, "proc.pid", (json_int_t)i);
	pal_strv_push(&a->tags, "container");
	pal_strv_push(&a->tags, "shell");
	pal_strv_push(&a->tags, "mitre_execution");
	a->container.id = pal_xstrdup("0123456789ab");
	a->container.name = pal_xstrdup("web");
	a->container.image = pal_xstrdup("docker.io/library/nginx:1.25");
	out_alert_add_action(a, "alert", OUT_ACTION_OK, NULL);
	out_alert_add_proc(a, 4242, "sh", "sh -i");
	out_alert_add_proc(a, 4200, "runc", "runc init");
	out_alert_add_proc(a, 1, "systemd", "/sbin/init");
}

/* Returns alerts/s for publishing n alerts (the alert is built outside the timed part). */
static double run(const char *mode, long n, uint64_t *dropped)
{
	struct out_outputs *o = out_outputs_new("bench-host");
	struct pal_err err = {0};
	if (strcmp(mode, "null") == 0)
		out_outputs_add(o, out_sink_file_new("/dev/null", NULL, &err));
	if (strcmp(mode, "slow") == 0)
		out_outputs_add(o, out_sink_new(&slow_ops, NULL, "slow", NULL, &err));
	struct out_alert a;
	fill(&a, 1);
	uint64_t t0 = pal_time_monotonic_ns();
	for (long i = 0; i < n; i++) {
		a.time_ns = t0 + (uint64_t)i;
		out_outputs_publish(o, &a);
	}
	uint64_t dt = pal_time_monotonic_ns() - t0;
	out_alert_clear(&a);
	struct out_sink_stats st[1] = {0};
	out_outputs_close(o, 100, st);
	*dropped = st[0].dropped;
	return (double)n / ((double)dt / 1e9);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 200000;
	int rounds = argc > 2 ? atoi(argv[2]) : 3;
	if (n <= 0 || rounds <= 0 || rounds > 50) {
		fprintf(stderr, "usage: %s [ALERTS] [ROUNDS]\n", argv[0]);
		return 2;
	}
	const char *modes[] = {"none", "null", "slow"};
	double med[3];
	uint64_t drops[3] = {0};
	for (int m = 0; m < 3; m++) {
		double r[50];
		/* Interleaving would be fairer to drift; rounds are short, take the median. */
		for (int k = 0; k < rounds; k++)
			r[k] = run(modes[m], n, &drops[m]);
		qsort(r, (size_t)rounds, sizeof(r[0]), cmp_double);
		med[m] = r[rounds / 2];
	}
	printf("| sinks | alerts/s (median of %d x %ld) | vs none | dropped by the sink (last "
	       "round) |\n",
	       rounds, n);
	printf("|---|---|---|---|\n");
	const char *label[] = {"none (format + fan-out only)", "file /dev/null",
			       "slow sink (1 ms per send, queue 1024)"};
	for (int m = 0; m < 3; m++)
		printf("| %s | %.0f | %.2f | %llu |\n", label[m], med[m], med[m] / med[0],
		       (unsigned long long)drops[m]);
	return 0;
}
