/* Rule evaluation throughput on one core: a realistic synthetic event mix
 * (file opens dominate, then network and process events; 70% from
 * containers) evaluated against an empty ruleset (the baseline: event
 * dispatch only), the default ruleset, Falco's stable ruleset, and both.
 *
 *   bench_engine_eval [--events N] [--falco PATH] [--cpu N] [--only RULESET] [--verbose]
 *
 * Prints events/s and ns/event per ruleset. See bench/RESULTS.md. */
#include "common/cleanup.h"
#include "common/strutil.h"
#include "engine/engine.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MIX_SIZE 4096

static const char *const nginx_argv[] = {"nginx", "-g", "daemon off;", NULL};
static const char *const py_argv[] = {"python3", "-m", "gunicorn", "app:app", NULL};
static const char *const py_env[] = {"HOME=/app", "KUBERNETES_SERVICE_HOST=10.96.0.1",
				     "PATH=/usr/local/bin:/usr/bin", NULL};
static const char *const bash_argv[] = {"-bash", NULL};

static const struct pal_proc systemd = {.pid = 1,
					.comm = "systemd",
					.exe = "/sbin/init",
					.exepath = "/usr/lib/systemd/systemd",
					.cmdline = "systemd"};
static const struct pal_proc conmon = {.pid = 4100,
				       .ppid = 1,
				       .comm = "conmon",
				       .exepath = "/usr/bin/conmon",
				       .cmdline = "conmon",
				       .start_ns = 1,
				       .parent = &systemd};
static const struct pal_proc nginx = {.pid = 4200,
				      .ppid = 4100,
				      .vpid = 1,
				      .comm = "nginx",
				      .exe = "nginx",
				      .exepath = "/usr/sbin/nginx",
				      .cmdline = "nginx -g daemon off;",
				      .argv = nginx_argv,
				      .cwd = "/",
				      .uid = 33,
				      .euid = 33,
				      .gid = 33,
				      .egid = 33,
				      .loginuid = UINT32_MAX,
				      .start_ns = 1,
				      .parent = &conmon};
static const struct pal_proc python = {.pid = 5200,
				       .ppid = 4100,
				       .vpid = 1,
				       .comm = "python3",
				       .exe = "python3",
				       .exepath = "/usr/local/bin/python3.12",
				       .cmdline = "python3 -m gunicorn app:app",
				       .argv = py_argv,
				       .env = py_env,
				       .cwd = "/app",
				       .uid = 1001,
				       .euid = 1001,
				       .loginuid = UINT32_MAX,
				       .start_ns = 1,
				       .parent = &conmon};
static const struct pal_proc sshd = {.pid = 812,
				     .ppid = 1,
				     .comm = "sshd",
				     .exepath = "/usr/sbin/sshd",
				     .cmdline = "sshd -D",
				     .loginuid = UINT32_MAX,
				     .parent = &systemd};
static const struct pal_proc bash = {.pid = 20311,
				     .ppid = 812,
				     .comm = "bash",
				     .exe = "-bash",
				     .exepath = "/usr/bin/bash",
				     .cmdline = "bash",
				     .argv = bash_argv,
				     .cwd = "/home/alice",
				     .uid = 1000,
				     .euid = 1000,
				     .loginuid = 1000,
				     .tty = 34816,
				     .start_ns = 1,
				     .parent = &sshd};

static const struct pal_container ct_web = {.id = "4f2c9a1b7d3e8a60",
					    .name = "web",
					    .image = "docker.io/library/nginx:1.25",
					    .image_repository = "docker.io/library/nginx",
					    .image_tag = "1.25",
					    .runtime = "podman"};
static const struct pal_container ct_api = {.id = "9e8d7c6b5a4f3e2d",
					    .name = "api",
					    .image = "quay.io/acme/api:2.1",
					    .image_repository = "quay.io/acme/api",
					    .image_tag = "2.1",
					    .runtime = "containerd",
					    .pod_name = "api-7d9f",
					    .pod_namespace = "prod"};
static const struct pal_container host = {
    .id = "host", .name = "host", .runtime = "host", .is_host = true};

static const char *const read_paths[] = {
    "/usr/lib/x86_64-linux-gnu/libc.so.6",
    "/etc/ld.so.cache",
    "/proc/self/stat",
    "/usr/share/nginx/html/index.html",
    "/app/templates/base.html",
    "/usr/local/lib/python3.12/json/__init__.py",
    "/etc/localtime",
    "/etc/hosts",
    "/etc/resolv.conf",
    "/sys/fs/cgroup/cpu.max",
    "/etc/nsswitch.conf",
    "/etc/passwd",
};
static const char *const write_paths[] = {"/tmp/upload-8812", "/var/log/nginx/access.log",
					  "/app/cache/sess_91a", "/var/lib/app/state.json"};
static const char *const exec_names[][2] = {{"sh", "/bin/sh"},
					    {"python3", "/usr/local/bin/python3.12"},
					    {"ls", "/usr/bin/ls"},
					    {"curl", "/usr/bin/curl"},
					    {"date", "/usr/bin/date"}};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void set_addr(struct pal_sockaddr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->port = port;
	inet_pton(AF_INET, ip, a->addr);
}

/* Per-exec processes must outlive the mix. */
static struct pal_proc exec_procs[MIX_SIZE];

static void make_event(struct pal_event *ev, size_t i)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = 1700000000000000000ull + i * 1000;
	ev->fd = -1;
	unsigned who = rnd(10);
	ev->proc = who < 4 ? &nginx : who < 7 ? &python : &bash;
	ev->container = who < 4 ? &ct_web : who < 7 ? &ct_api : &host;
	ev->tid = ev->proc->pid;
	unsigned k = rnd(100);
	if (k < 42) { /* file reads */
		ev->type = rnd(4) ? PAL_EVT_OPENAT : PAL_EVT_OPEN;
		ev->path = read_paths[rnd(PAL_ARRAY_SIZE(read_paths))];
		ev->flags = O_RDONLY | O_CLOEXEC;
		ev->res = rnd(20) ? 3 + rnd(20) : -2;
	} else if (k < 50) { /* file writes */
		ev->type = PAL_EVT_OPENAT;
		ev->path = write_paths[rnd(PAL_ARRAY_SIZE(write_paths))];
		/* logs are appended to; scratch files rewritten */
		ev->flags = O_WRONLY | O_CREAT |
			    (strstr(ev->path, "/log/") ? O_APPEND
			     : rnd(2)		       ? O_APPEND
						       : O_TRUNC);
		ev->mode = 0644;
		ev->res = 5;
	} else if (k < 54) { /* exec */
		struct pal_proc *p = &exec_procs[i];
		/* Workloads rarely exec; when they do it is a helper, not a shell. */
		if (ev->proc == &nginx)
			ev->proc = &python;
		unsigned e = ev->proc == &python ? 2 + rnd(3) : rnd(PAL_ARRAY_SIZE(exec_names));
		if (ev->proc == &python)
			ev->container = &ct_api;
		*p = (struct pal_proc){.pid = 30000 + (uint32_t)i,
				       .ppid = ev->proc->pid,
				       .exe = exec_names[e][0],
				       .exepath = exec_names[e][1],
				       .cmdline = exec_names[e][0],
				       .cwd = "/",
				       .uid = ev->proc->uid,
				       .euid = ev->proc->euid,
				       .loginuid = ev->proc->loginuid,
				       .start_ns = 1,
				       .parent = ev->proc};
		snprintf(p->comm, sizeof(p->comm), "%s", exec_names[e][0]);
		ev->proc = p;
		ev->type = PAL_EVT_EXECVE;
		ev->path = exec_names[e][1];
	} else if (k < 59) {
		ev->type = rnd(2) ? PAL_EVT_CLONE : PAL_EVT_CLONE3;
		ev->res = 40000 + (int64_t)i;
		ev->flags = 0x3d0f00;
	} else if (k < 66) {
		ev->type = PAL_EVT_CONNECT;
		ev->fd = 7;
		ev->sock_domain = AF_INET;
		ev->sock_type = SOCK_STREAM;
		set_addr(&ev->local, "10.88.0.5", (uint16_t)(40000 + rnd(20000)));
		set_addr(&ev->remote, rnd(3) ? "10.88.0.20" : "203.0.113.10", rnd(2) ? 443 : 5432);
		ev->res = rnd(3) ? 0 : -115;
	} else if (k < 71) {
		ev->type = PAL_EVT_ACCEPT4;
		ev->res = 9;
		ev->fd = 6;
		ev->sock_domain = AF_INET;
		ev->sock_type = SOCK_STREAM;
		set_addr(&ev->local, "10.88.0.5", 8080);
		set_addr(&ev->remote, "10.88.0.1", (uint16_t)(30000 + rnd(30000)));
	} else if (k < 81) {
		ev->type = rnd(2) ? PAL_EVT_SENDTO : PAL_EVT_SENDMSG;
		ev->fd = 9;
		ev->sock_domain = AF_INET;
		ev->sock_type = SOCK_DGRAM;
		set_addr(&ev->local, "10.88.0.5", 50000);
		set_addr(&ev->remote, "10.96.0.10", 53);
		ev->res = 40;
	} else if (k < 85) {
		ev->type = PAL_EVT_SOCKET;
		ev->sock_domain = rnd(4) ? AF_INET : AF_UNIX;
		ev->sock_type = SOCK_STREAM;
		ev->res = 11;
	} else if (k < 87) {
		ev->type = PAL_EVT_DUP2;
		ev->fd = 4;
		ev->arg[0] = 4;
		ev->arg[1] = 1;
		ev->res = 1;
		ev->path = "/var/log/app.log";
	} else if (k < 92) {
		static const uint32_t t[] = {PAL_EVT_UNLINKAT, PAL_EVT_RENAMEAT, PAL_EVT_MKDIRAT};
		ev->type = t[rnd(3)];
		ev->path = "/tmp/upload-8812";
		ev->path2 = "/app/uploads/8812";
		ev->res = 0;
	} else if (k < 96) {
		ev->type = PAL_EVT_PROCEXIT;
	} else if (k < 98) {
		ev->type = PAL_EVT_KILL;
		ev->arg[0] = 4201;
		ev->arg[1] = 15;
	} else {
		ev->type = PAL_EVT_SETUID;
		ev->arg[0] = 33;
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool verbose;

static void on_match(const struct eng_match *m, void *ud)
{
	(*(unsigned long *)ud) += m->output[0] != 0;
	if (verbose && rnd(1000) == 0)
		fprintf(stderr, "match: %s: %s\n", m->rule->name, m->output);
}

struct result {
	const char *name;
	double rate, ns;
	unsigned rules;
	unsigned long matches;
};

static void quiet(const struct eng_diag *d, void *ud)
{
	(void)d;
	(void)ud;
}

static int measure(const char *name, const char *const *paths, size_t npaths, bool builtin,
		   bool empty, const struct pal_event *mix, unsigned long n, struct result *out)
{
	struct eng_load_opts o = {
	    .passwd_path = "/etc/passwd", .group_path = "/etc/group", .diag = quiet};
	struct eng_loader *l = eng_loader_new(&o);
	struct pal_err err = {0};
	int r = 0;
	if (builtin)
		eng_loader_add_builtin(l);
	for (size_t i = 0; i < npaths && r == 0; i++)
		r = eng_loader_add_path(l, paths[i], &err);
	if (empty)
		eng_loader_add_buffer(l, "empty", "", 0);
	struct eng_ruleset *rs = NULL;
	if (r == 0)
		r = eng_loader_finish(l, &rs, &err);
	eng_loader_free(l);
	if (r < 0) {
		fprintf(stderr, "bench: %s: %s\n", name, err.msg);
		return -1;
	}
	unsigned long matches = 0;
	for (unsigned long i = 0; i < n / 10; i++) /* warm up */
		eng_eval(rs, &mix[i % MIX_SIZE], on_match, &matches);
	matches = 0;
	double t0 = now();
	for (unsigned long i = 0; i < n; i++)
		eng_eval(rs, &mix[i % MIX_SIZE], on_match, &matches);
	double dt = now() - t0;
	struct eng_stats st;
	eng_ruleset_stats(rs, &st);
	*out =
	    (struct result){name, (double)n / dt, dt * 1e9 / (double)n, st.rules_enabled, matches};
	eng_ruleset_free(rs);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n = 5000000;
	const char *falco = getenv("PAL_SHARED_DIR") ? NULL : "../shared/compat/falco_rules.yaml";
	static char falco_buf[4096];
	if (!falco) {
		snprintf(falco_buf, sizeof(falco_buf), "%s/compat/falco_rules.yaml",
			 getenv("PAL_SHARED_DIR"));
		falco = falco_buf;
	}
	int cpu = 0;
	const char *only = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--events") && i + 1 < argc)
			n = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--falco") && i + 1 < argc)
			falco = argv[++i];
		else if (!strcmp(argv[i], "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(argv[i], "--verbose"))
			verbose = true;
		else if (!strcmp(argv[i], "--cpu") && i + 1 < argc)
			cpu = atoi(argv[++i]);
		else {
			fprintf(stderr,
				"usage: %s [--events N] [--falco PATH] [--cpu N] [--only "
				"default|falco|both] "
				"[--verbose]\n",
				argv[0]);
			return 2;
		}
	}
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		perror("bench: sched_setaffinity (continuing unpinned)");

	static struct pal_event mix[MIX_SIZE];
	for (size_t i = 0; i < MIX_SIZE; i++)
		make_event(&mix[i], i);

	struct result res[4];
	size_t k = 0;
	const char *fp[] = {falco};
	size_t want = 4;
	if (measure("empty ruleset (baseline)", NULL, 0, false, true, mix, n, &res[k]) == 0)
		k++;
	if (only) /* for profiling one ruleset: baseline + that one */
		want = 2;
	if ((!only || !strcmp(only, "default")) &&
	    measure("default ruleset", NULL, 0, true, false, mix, n, &res[k]) == 0)
		k++;
	if ((!only || !strcmp(only, "falco")) &&
	    measure("Falco stable ruleset", fp, 1, false, false, mix, n, &res[k]) == 0)
		k++;
	if ((!only || !strcmp(only, "both")) &&
	    measure("default + Falco", fp, 1, true, false, mix, n, &res[k]) == 0)
		k++;
	printf("events: %lu per ruleset, mix of %d distinct events, pinned to CPU %d\n\n", n,
	       MIX_SIZE, cpu);
	printf("%-26s %6s %14s %10s %10s %9s\n", "ruleset", "rules", "events/s", "ns/event",
	       "vs empty", "matches");
	for (size_t i = 0; i < k; i++)
		printf("%-26s %6u %14.0f %10.1f %9.1fx %9lu\n", res[i].name, res[i].rules,
		       res[i].rate, res[i].ns, res[i].ns / res[0].ns, res[i].matches);
	return k == want ? 0 : 1;
}
