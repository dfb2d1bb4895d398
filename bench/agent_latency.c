/* Event-to-alert latency for bench/agent_bench.sh.
 *
 *   agent_latency tail FILE MARKER N INTERVAL_US
 *       A child opens MARKER N times, INTERVAL_US apart. Every JSON line that
 *       appears in FILE (the agent's alert file, or `palisade trace -o`'s
 *       output) and names MARKER is timestamped when read (inotify wakes us);
 *       latency = that realtime minus the event's evt.time (top level for
 *       trace lines, output_fields for alerts): the syscall's completion to
 *       the line being readable.
 *
 *   agent_latency sensor MARKER N INTERVAL_US MAX_LATENCY_MS
 *       The baseline: the sensor in this process (sen_open with that
 *       max_latency_ms, openat captured only), latency = the time the event
 *       reaches the callback minus its evt.time.
 *
 * The trigger runs on CPU 0.
 *
 * Prints "received=R of=N p50_us=.. p90_us=.. p99_us=.. max_us=..". */
#include "sensor/sensor.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void report(uint64_t *lat, size_t n, long want)
{
	qsort(lat, n, sizeof(*lat), cmp_u64);
	double p50 = 0, p90 = 0, p99 = 0, max = 0;
	if (n) {
		p50 = lat[n * 50 / 100] / 1e3;
		p90 = lat[n * 90 / 100] / 1e3;
		p99 = lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1e3;
		max = lat[n - 1] / 1e3;
	}
	printf("received=%zu of=%ld p50_us=%.1f p90_us=%.1f p99_us=%.1f max_us=%.1f\n", n, want,
	       p50, p90, p99, max);
}

/* The trigger: a child (the sensor ignores the process that loads it). */
static pid_t spawn_trigger(const char *marker, long n, long interval_us)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* CPU 0: the agent (or the in-process sensor) runs on CPU 1. */
	cpu_set_t cpus;
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	usleep(200000);
	struct timespec next;
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (long i = 0; i < n; i++) {
		int fd = open(marker, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		next.tv_nsec += interval_us * 1000;
		while (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	_exit(0);
}

/* evt.time of a line naming the marker, or 0. */
static uint64_t line_time(const char *line, const char *marker)
{
	if (!strstr(line, marker))
		return 0;
	json_t *j = json_loads(line, 0, NULL);
	if (!j)
		return 0;
	json_t *t = json_object_get(j, "evt.time");
	if (!t)
		t = json_object_get(json_object_get(j, "output_fields"), "evt.time");
	uint64_t v = json_is_integer(t) ? (uint64_t)json_integer_value(t) : 0;
	json_decref(j);
	return v;
}

static int do_tail(const char *file, const char *marker, long n, long interval_us)
{
	int in = inotify_init1(IN_CLOEXEC);
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (in < 0 || fd < 0 || inotify_add_watch(in, file, IN_MODIFY) < 0) {
		perror(file);
		return 1;
	}
	lseek(fd, 0, SEEK_END);
	uint64_t *lat = calloc((size_t)n + 1, sizeof(*lat));
	size_t got = 0;
	char buf[1 << 16], line[1 << 16];
	size_t ll = 0;
	pid_t child = spawn_trigger(marker, n, interval_us);
	/* Quiet for 2 s after the trigger ends: every line that will come came. */
	uint64_t quiet_deadline = 0;
	for (;;) {
		struct pollfd p = {.fd = in, .events = POLLIN};
		int r = poll(&p, 1, 100);
		if (r > 0) {
			char ev[4096];
			if (read(in, ev, sizeof(ev)) < 0 && errno != EAGAIN)
				break;
		}
		uint64_t now = realtime_ns();
		ssize_t k;
		while ((k = read(fd, buf, sizeof(buf))) > 0) {
			for (ssize_t i = 0; i < k; i++) {
				if (buf[i] != '\n') {
					if (ll < sizeof(line) - 1)
						line[ll++] = buf[i];
					continue;
				}
				line[ll] = '\0';
				ll = 0;
				uint64_t t = line_time(line, marker);
				if (t && got < (size_t)n && now > t)
					lat[got++] = now - t;
			}
		}
		int st;
		if (child > 0 && waitpid(child, &st, WNOHANG) == child) {
			child = 0;
			quiet_deadline = realtime_ns() + 2000000000ull;
		}
		if (got >= (size_t)n || (!child && realtime_ns() > quiet_deadline))
			break;
	}
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	report(lat, got, n);
	free(lat);
	return 0;
}

struct sensor_ctx {
	const char *marker;
	uint64_t *lat;
	size_t got, want;
};

static int on_event(const struct pal_event *ev, void *ctx)
{
	struct sensor_ctx *c = ctx;
	uint64_t now = realtime_ns();
	if (ev->path && strcmp(ev->path, c->marker) == 0 && c->got < c->want && now > ev->ts_ns)
		c->lat[c->got++] = now - ev->ts_ns;
	return 0;
}

static int do_sensor(const char *marker, long n, long interval_us, int max_latency_ms)
{
	struct sen_opts o = {.max_latency_ms = max_latency_ms, .no_seed = false};
	struct sen *s = NULL;
	struct pal_err err = {0};
	if (sen_open(&o, &s, &err) < 0) {
		fprintf(stderr, "sensor: %s\n", err.msg);
		return 1;
	}
	struct sen_evt_set set;
	sen_evt_set_clear(&set);
	sen_evt_set_add(&set, PAL_EVT_OPENAT);
	sen_evt_set_add(&set, PAL_EVT_OPEN);
	sen_set_event_types(s, &set);
	struct sensor_ctx c = {.marker = marker, .want = (size_t)n};
	c.lat = calloc((size_t)n + 1, sizeof(*c.lat));
	pid_t child = spawn_trigger(marker, n, interval_us);
	uint64_t quiet_deadline = 0;
	for (;;) {
		sen_poll(s, 100, on_event, &c);
		int st;
		if (child > 0 && waitpid(child, &st, WNOHANG) == child) {
			child = 0;
			quiet_deadline = realtime_ns() + 2000000000ull;
		}
		if (c.got >= c.want || (!child && realtime_ns() > quiet_deadline))
			break;
	}
	sen_close(s);
	report(c.lat, c.got, n);
	free(c.lat);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && !strcmp(argv[1], "tail"))
		return do_tail(argv[2], argv[3], atol(argv[4]), atol(argv[5]));
	if (argc == 6 && !strcmp(argv[1], "sensor"))
		return do_sensor(argv[2], atol(argv[3]), atol(argv[4]), atoi(argv[5]));
	fprintf(stderr, "usage: agent_latency tail FILE MARKER N INTERVAL_US\n"
			"       agent_latency sensor MARKER N INTERVAL_US MAX_LATENCY_MS\n");
	return 2;
}
