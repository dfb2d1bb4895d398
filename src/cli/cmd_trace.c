/* palisade trace: every security-relevant kernel event as a JSON line with
 * Falco's field names, until Ctrl-C (which detaches everything). */
#include "cli/commands.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/timefmt.h"
#include "sensor/event_json.h"
#include "sensor/sensor.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: palisade trace [--container ID | --host | --all] [--events LIST]\n"
	    "                      [-o FILE] [--ready-file PATH] [OPTIONS]\n\n"
	    "Prints every security-relevant kernel event as one JSON line with Falco's field\n"
	    "names (evt.type, proc.name, fd.name, container.id, ...). Ctrl-C detaches: no BPF\n"
	    "program, link or map stays behind. Needs root.\n\n"
	    "Options:\n"
	    "  --container ID      only events of this container (full id, a prefix of at\n"
	    "                      least 12 characters, or its name)\n"
	    "  --host              only events of host processes\n"
	    "  --all               events of the host and every container (default)\n"
	    "  --events LIST       comma-separated evt.type names or groups: exec, process,\n"
	    "                      file, open, network, privilege, all (default: all).\n"
	    "                      Only the listed syscalls are captured in the kernel.\n"
	    "  -o, --output FILE   write the JSON lines to FILE instead of stdout\n"
	    "  --ready-file PATH   create PATH once the sensor is attached\n"
	    "  --ringbuf-size N    ring buffer bytes (power of two; K and M suffixes; default 8M)\n"
	    "  --no-seccomp        do not read seccomp denials from the audit log\n"
	    "  --state-dir DIR     palisade-runtime state files (default $PALISADE_STATE_DIR\n"
	    "                      or /run/palisade/containers)\n"
	    "  --count             count events instead of printing them (benchmarks)\n"
	    "  --duration SEC      stop after SEC seconds\n"
	    "  --floor             attach empty programs only (benchmark floor)\n"
	    "  -h, --help          this help\n\n"
	    "Drops are never silent: whenever the kernel side loses events (ring buffer\n"
	    "full) a {\"palisade.drops\":...} line goes to stderr, and on exit a\n"
	    "{\"palisade.stats\":...} line gives events and drops per CPU.\n");
}

static int parse_size(const char *s, size_t *out)
{
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end || v == 0 || v > (1ull << 31))
		return -EINVAL;
	*out = (size_t)v;
	return 0;
}

struct trace_ctx {
	const char *container; /* filter or NULL */
	bool host_only;
	bool count_only;
	FILE *out;
	uint64_t printed, filtered;
	int write_error;
};

static bool container_matches(const struct trace_ctx *t, const struct pal_container *c)
{
	if (t->host_only)
		return c->is_host;
	if (!t->container)
		return true;
	if (c->is_host)
		return false;
	size_t n = strlen(t->container);
	if (strcmp(c->id, t->container) == 0 || (c->name && strcmp(c->name, t->container) == 0))
		return true;
	return n >= 12 && strncmp(c->id, t->container, n) == 0;
}

static int on_event(const struct pal_event *ev, void *ctx)
{
	struct trace_ctx *t = ctx;
	if (stop_requested)
		return 1; /* Ctrl-C: detach now rather than after a long backlog */
	if (!container_matches(t, ev->container)) {
		t->filtered++;
		return 0;
	}
	t->printed++;
	if (t->count_only)
		return 0;
	json_t *j = sen_event_to_json(ev);
	_cleanup_free_ char *line = pal_json_dump_line(j);
	json_decref(j);
	if (fputs(line, t->out) == EOF) {
		t->write_error = errno ? errno : EIO;
		return 1;
	}
	return 0;
}

static json_t *stats_json(const struct sen_stats *st, const struct trace_ctx *t)
{
	json_t *cpus = json_array();
	for (uint32_t i = 0; i < st->ncpus && i < SEN_STATS_MAX_CPUS; i++)
		json_array_append_new(cpus, json_pack("{s:I,s:I,s:I}", "cpu", (json_int_t)i,
						      "events", (json_int_t)st->cpu[i].events,
						      "drops", (json_int_t)st->cpu[i].drops));
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:I,s:I,s:I,s:I,s:o}", "events",
			 (json_int_t)st->events, "drops", (json_int_t)st->drops, "drop_bytes",
			 (json_int_t)st->drop_bytes, "delivered", (json_int_t)st->delivered,
			 "printed", (json_int_t)t->printed, "decode_errors",
			 (json_int_t)st->decode_errors, "seccomp_denials",
			 (json_int_t)st->audit_events, "audit_active", st->audit_active,
			 "audit_lost", (json_int_t)st->audit_lost, "processes",
			 (json_int_t)st->procs, "containers", (json_int_t)st->containers,
			 "ringbuf_bytes", (json_int_t)st->ringbuf_bytes, "per_cpu", cpus);
}

static void print_status(const char *key, json_t *value)
{
	json_t *o = json_object();
	json_object_set_new(o, key, value);
	_cleanup_free_ char *line = pal_json_dump_line(o);
	json_decref(o);
	fputs(line, stderr);
	fflush(stderr);
}

int cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"container", required_argument, NULL, 'c'},
	    {"host", no_argument, NULL, 'H'},
	    {"all", no_argument, NULL, 'A'},
	    {"events", required_argument, NULL, 'e'},
	    {"output", required_argument, NULL, 'o'},
	    {"ready-file", required_argument, NULL, 'r'},
	    {"ringbuf-size", required_argument, NULL, 'b'},
	    {"no-seccomp", no_argument, NULL, 'S'},
	    {"state-dir", required_argument, NULL, 'd'},
	    {"count", no_argument, NULL, 'n'},
	    {"duration", required_argument, NULL, 't'},
	    {"floor", no_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct trace_ctx t = {.out = stdout};
	struct sen_opts opts = {.seccomp_audit = true};
	struct sen_evt_set set;
	sen_evt_set_all(&set);
	const char *output = NULL, *ready = NULL;
	int64_t duration = 0;
	struct pal_err err = {0};
	int scope = 0, c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			t.container = optarg;
			scope++;
			break;
		case 'H':
			t.host_only = true;
			scope++;
			break;
		case 'A':
			scope++;
			break;
		case 'e':
			if (sen_evt_set_parse(optarg, &set, &err) < 0) {
				fprintf(stderr, "palisade trace: --events: %s\n", err.msg);
				return PAL_EXIT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'r':
			ready = optarg;
			break;
		case 'b':
			if (parse_size(optarg, &opts.ringbuf_bytes) < 0) {
				fprintf(
				    stderr,
				    "palisade trace: --ringbuf-size \"%s\": give a size such as "
				    "65536, 256K or 8M (at most 2G)\n",
				    optarg);
				return PAL_EXIT_USAGE;
			}
			break;
		case 'S':
			opts.seccomp_audit = false;
			break;
		case 'd':
			opts.containers.state_dir = optarg;
			break;
		case 'n':
			t.count_only = true;
			break;
		case 't':
			if (pal_parse_int64(optarg, &duration) < 0 || duration <= 0) {
				fprintf(stderr,
					"palisade trace: --duration \"%s\": give a whole number of "
					"seconds\n",
					optarg);
				return PAL_EXIT_USAGE;
			}
			break;
		case 'F':
			opts.floor_only = true;
			opts.seccomp_audit = false;
			break;
		case 'h':
			usage(stdout);
			return PAL_EXIT_OK;
		default:
			usage(stderr);
			return PAL_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "palisade trace: unexpected argument \"%s\" (see --help)\n",
			argv[optind]);
		return PAL_EXIT_USAGE;
	}
	if (scope > 1) {
		fprintf(stderr, "palisade trace: give at most one of --container, --host, --all\n");
		return PAL_EXIT_USAGE;
	}

	_cleanup_fclose_ FILE *outf = NULL;
	if (output) {
		int fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0 || !(outf = fdopen(fd, "w"))) {
			fprintf(stderr, "palisade trace: cannot write %s: %s\n", output,
				strerror(errno));
			if (fd >= 0)
				close(fd);
			return PAL_EXIT_FAILURE;
		}
		t.out = outf;
	}

	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct sen *s = NULL;
	if (sen_open(&opts, &s, &err) < 0) {
		fprintf(stderr, "palisade trace: %s\n", err.msg);
		return PAL_EXIT_FAILURE;
	}
	if (sen_set_event_types(s, &set) < 0) {
		fprintf(stderr, "palisade trace: cannot program the syscall set: %s\n",
			strerror(errno));
		sen_close(s);
		return PAL_EXIT_FAILURE;
	}
	if (ready) {
		char pid[32];
		int n = snprintf(pid, sizeof(pid), "%d\n", getpid());
		if (pal_write_file_atomic(ready, pid, (size_t)n, 0644, &err) < 0) {
			fprintf(stderr, "palisade trace: --ready-file: %s\n", err.msg);
			sen_close(s);
			return PAL_EXIT_FAILURE;
		}
	}

	uint64_t start = pal_time_monotonic_ns(), last_check = start, drops_seen = 0;
	int rc = PAL_EXIT_OK;
	while (!stop_requested) {
		int r = sen_poll(s, 200, on_event, &t);
		if (r < 0 && r != -EINTR) {
			fprintf(stderr, "palisade trace: %s\n", strerror(-r));
			rc = PAL_EXIT_FAILURE;
			break;
		}
		if (t.write_error) {
			fprintf(stderr, "palisade trace: writing events: %s\n",
				strerror(t.write_error));
			rc = PAL_EXIT_FAILURE;
			break;
		}
		fflush(t.out);
		uint64_t now = pal_time_monotonic_ns();
		if (now - last_check >= 1000000000ull) {
			last_check = now;
			struct sen_stats st;
			if (sen_stats(s, &st) == 0 && st.drops > drops_seen) {
				print_status("palisade.drops",
					     json_pack("{s:I,s:I,s:I}", "drops",
						       (json_int_t)st.drops, "new",
						       (json_int_t)(st.drops - drops_seen),
						       "events", (json_int_t)st.events));
				drops_seen = st.drops;
			}
		}
		if (duration > 0 && now - start >= (uint64_t)duration * 1000000000ull)
			break;
	}
	/* Drain what is already in the ring buffer (--duration ends), unless
	 * Ctrl-C asked to stop now. */
	if (rc == PAL_EXIT_OK && !stop_requested)
		(void)sen_poll(s, 0, on_event, &t);
	fflush(t.out);
	struct sen_stats st;
	if (sen_stats(s, &st) == 0)
		print_status("palisade.stats", stats_json(&st, &t));
	sen_close(s);
	return rc;
}
