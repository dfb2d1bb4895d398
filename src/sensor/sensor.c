#include "sensor/sensor.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/timefmt.h"
#include "sensor/decode.h"
#include "sensor/seccomp_audit.h"
#include "sensor/syscalls.h"

#include "pal_floor.skel.h"
#include "pal_sensor.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

/* The BPF side names a few types by number (pal_sensor.bpf.c T_*). */
_Static_assert(PAL_EVT_EXECVE == 0 && PAL_EVT_EXECVEAT == 1 && PAL_EVT_CLONE == 2 &&
		   PAL_EVT_CLONE3 == 3 && PAL_EVT_FORK == 4 && PAL_EVT_VFORK == 5 &&
		   PAL_EVT_PROCEXIT == 6,
	       "event.h order changed: update the T_* numbers in pal_sensor.bpf.c");

#define DEFAULT_RINGBUF (8u << 20)
#define GC_INTERVAL_NS	(30ull * 1000000000ull)
#define STOP_CODE	(-ECANCELED)
#define POLL_BATCH	65536

struct sen {
	struct pal_sensor *skel;
	struct pal_floor *floor;
	struct ring_buffer *rb;
	struct sen_audit *audit;
	struct proc_table *procs;
	struct proc_containers *conts;
	struct sen_evt_set want;
	int64_t boot_to_real;
	int epfd;
	size_t rb_bytes;
	int ncpus;
	int max_latency_ms; /* > 0: wakeups are batched, poll at least this often */

	sen_event_cb cb;
	void *cb_ctx;
	bool stop;
	unsigned batch;
	struct sen_decoded d;
	uint64_t delivered, decode_errors, audit_events;
	uint64_t last_gc_ns;
};

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* libbpf's messages already start with "libbpf: ". */
	if (level == LIBBPF_WARN)
		pal_warn("%s", buf);
	else
		pal_debug("%s", buf);
	return 0;
}

static int64_t boot_to_realtime_offset(void)
{
	struct timespec rt, bt;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return ((int64_t)rt.tv_sec - bt.tv_sec) * 1000000000ll + (rt.tv_nsec - bt.tv_nsec);
}

static size_t round_ringbuf(size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t n = page;
	if (bytes == 0)
		bytes = DEFAULT_RINGBUF;
	while (n < bytes)
		n <<= 1;
	return n;
}

static const enum pal_evt_type grp_exec[] = {PAL_EVT_EXECVE, PAL_EVT_EXECVEAT};
static const enum pal_evt_type grp_process[] = {PAL_EVT_EXECVE,	 PAL_EVT_EXECVEAT, PAL_EVT_CLONE,
						PAL_EVT_CLONE3,	 PAL_EVT_FORK,	   PAL_EVT_VFORK,
						PAL_EVT_PROCEXIT};
static const enum pal_evt_type grp_open[] = {PAL_EVT_OPEN, PAL_EVT_OPENAT, PAL_EVT_OPENAT2,
					     PAL_EVT_CREAT};
static const enum pal_evt_type grp_clone[] = {PAL_EVT_CLONE, PAL_EVT_CLONE3, PAL_EVT_FORK,
					      PAL_EVT_VFORK};

static void add_range(struct sen_evt_set *s, enum pal_evt_type from, enum pal_evt_type to)
{
	for (int t = from; t <= (int)to; t++)
		sen_evt_set_add(s, (enum pal_evt_type)t);
}

int sen_evt_set_parse(const char *list, struct sen_evt_set *out, struct pal_err *err)
{
	sen_evt_set_clear(out);
	_cleanup_free_ char *copy = pal_xstrdup(list);
	char *save = NULL;
	for (char *w = strtok_r(copy, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		const enum pal_evt_type *g = NULL;
		size_t gn = 0;
		if (!strcmp(w, "all")) {
			sen_evt_set_all(out);
			continue;
		} else if (!strcmp(w, "exec")) {
			g = grp_exec;
			gn = PAL_ARRAY_SIZE(grp_exec);
		} else if (!strcmp(w, "process")) {
			g = grp_process;
			gn = PAL_ARRAY_SIZE(grp_process);
		} else if (!strcmp(w, "open")) {
			g = grp_open;
			gn = PAL_ARRAY_SIZE(grp_open);
		} else if (!strcmp(w, "clone") || !strcmp(w, "fork")) {
			g = grp_clone;
			gn = PAL_ARRAY_SIZE(grp_clone);
		} else if (!strcmp(w, "exit")) {
			sen_evt_set_add(out, PAL_EVT_PROCEXIT);
			continue;
		} else if (!strcmp(w, "file")) {
			add_range(out, PAL_EVT_OPEN, PAL_EVT_MKDIRAT);
			continue;
		} else if (!strcmp(w, "network")) {
			add_range(out, PAL_EVT_SOCKET, PAL_EVT_SENDMSG);
			continue;
		} else if (!strcmp(w, "privilege")) {
			add_range(out, PAL_EVT_SETUID, PAL_EVT_SECCOMP_DENIED);
			continue;
		}
		if (g) {
			for (size_t i = 0; i < gn; i++)
				sen_evt_set_add(out, g[i]);
			continue;
		}
		int t = pal_evt_type_from_name(w);
		if (t < 0)
			return pal_err_set(
			    err, EINVAL,
			    "unknown event type \"%s\": use an evt.type name (execve, "
			    "openat, connect, ...) or a group (exec, process, file, "
			    "open, network, privilege, all)",
			    w);
		sen_evt_set_add(out, (enum pal_evt_type)t);
	}
	return 0;
}

int sen_set_event_types(struct sen *s, const struct sen_evt_set *set)
{
	s->want = *set;
	if (!s->skel)
		return 0;
	__u32 interest[SEN_NR_SYSCALLS] = {0};
	for (int t = 0; t < PAL_EVT__COUNT; t++) {
		if (!sen_evt_set_has(set, (enum pal_evt_type)t))
			continue;
		int nrs[8];
		size_t n = sen_syscalls_of_type((enum pal_evt_type)t, nrs, PAL_ARRAY_SIZE(nrs));
		for (size_t i = 0; i < n; i++)
			if (nrs[i] >= 0 && nrs[i] < SEN_NR_SYSCALLS)
				interest[nrs[i]] = (__u32)t + 1;
	}
	int fd = bpf_map__fd(s->skel->maps.pal_interest);
	for (__u32 nr = 0; nr < SEN_NR_SYSCALLS; nr++) {
		if (bpf_map_update_elem(fd, &nr, &interest[nr], BPF_ANY) < 0)
			return -errno;
	}
	return 0;
}

/* ---- delivery ------------------------------------------------------------ */

static void resolve_container(struct sen *s, struct proc_entry *e, uint64_t cgid, bool force)
{
	if (!force && e->container_known && e->container_cgroup_id == cgid)
		return;
	e->container = proc_containers_resolve(s->conts, e->p.pid, cgid);
	e->container_cgroup_id = cgid;
	e->container_known = true;
	if (cgid)
		e->p.cgroup_id = cgid;
}

static struct proc_entry *entry_for(struct sen *s, uint32_t pid, const char *comm)
{
	struct proc_entry *e = proc_table_get_or_load(s->procs, pid);
	if (!e) {
		e = proc_table_upsert(s->procs, pid);
		if (comm)
			proc_entry_set_comm(e, comm);
	}
	return e;
}

static void event_init(struct sen *s, struct pal_event *ev, const struct sen_decoded *d,
		       struct proc_entry *e)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts_ns = d->h.ts_ns + (uint64_t)s->boot_to_real;
	ev->type = d->h.type;
	ev->res = d->h.res;
	ev->cpu = d->h.cpu;
	ev->tid = d->h.tid;
	ev->truncated = d->trunc;
	ev->proc = &e->p;
	ev->container = e->container ? e->container : proc_containers_host(s->conts);
	ev->path = d->path;
	ev->path2 = d->path2;
	ev->fd = d->fd;
	ev->flags = d->flags;
	ev->mode = d->mode;
	ev->local = d->local;
	ev->remote = d->remote;
	ev->exe_upper_layer = d->h.flags & SEN_WF_EXE_UPPER;
	ev->exe_memfd = d->h.flags & SEN_WF_EXE_MEMFD;
	for (int i = 0; i < 6; i++)
		ev->arg[i] = d->arg[i];
	ev->arg_str = d->arg_str;
	if (d->h.type == PAL_EVT_SOCKET) {
		ev->sock_domain = (int32_t)d->h.args[0];
		ev->sock_type = (int32_t)(d->h.args[1] & 0xf);
		ev->sock_protocol = (int32_t)d->h.args[2];
	} else if (d->h.flags & SEN_WF_HAS_SOCK) {
		ev->sock_domain = d->h.sock.family;
		ev->sock_type = d->h.sock.type;
		ev->sock_protocol = d->h.sock.protocol;
	}
}

static int deliver(struct sen *s, const struct pal_event *ev)
{
	if (!sen_evt_set_has(&s->want, (enum pal_evt_type)ev->type) || !s->cb)
		return 0;
	s->delivered++;
	if (s->cb(ev, s->cb_ctx) != 0) {
		s->stop = true;
		return STOP_CODE;
	}
	return 0;
}

static void apply_exec(struct proc_entry *e, const struct sen_decoded *d)
{
	const struct sen_wire_hdr *h = &d->h;
	proc_entry_set_comm(e, h->comm);
	proc_entry_set_exec(e, (const char *const *)d->argv, d->exepath, d->cwd);
	if (h->flags & SEN_WF_HAS_TASK_EXT) {
		e->p.cap_effective = h->task.cap_effective;
		e->p.cap_permitted = h->task.cap_permitted;
		e->p.cap_inheritable = h->task.cap_inheritable;
		e->p.loginuid = h->task.loginuid;
		e->p.tty = h->task.tty;
		e->p.vpid = h->task.vpid;
		e->p.start_ns = h->task.start_ns;
	}
	e->p.exe_origin = (h->flags & SEN_WF_EXE_MEMFD)	  ? PAL_EXE_ORIGIN_MEMFD
			  : (h->flags & SEN_WF_EXE_UPPER) ? PAL_EXE_ORIGIN_UPPER
							  : PAL_EXE_ORIGIN_IMAGE;
	e->p.is_exe_writable = h->flags & SEN_WF_EXE_WRITABLE;
}

static int handle_record(struct sen *s, const void *data, size_t size)
{
	struct sen_decoded *d = &s->d;
	struct pal_err err = {0};
	sen_decoded_clear(d);
	if (sen_decode(data, size, d, &err) < 0) {
		if (s->decode_errors++ == 0)
			pal_warn("sensor: %s", err.msg);
		return 0;
	}
	const struct sen_wire_hdr *h = &d->h;
	struct proc_entry *e = entry_for(s, h->pid, h->comm);
	e->p.uid = h->uid;
	e->p.gid = h->gid;
	e->p.euid = h->euid;
	e->p.egid = h->egid;
	if (h->ppid)
		e->p.ppid = h->ppid;
	if (h->kind != SEN_W_EXEC)
		proc_entry_set_comm(e, h->comm);

	bool force_container = false;
	if (h->kind == SEN_W_EXEC) {
		apply_exec(e, d);
		force_container = true;
	} else if (h->kind == SEN_W_SYSCALL && h->type == PAL_EVT_CAPSET && h->res == 0) {
		e->p.cap_effective = (uint64_t)d->arg[0];
		e->p.cap_permitted = (uint64_t)d->arg[1];
		e->p.cap_inheritable = (uint64_t)d->arg[2];
	}
	resolve_container(s, e, h->cgroup_id, force_container);
	if (h->kind == SEN_W_FORK && h->res > 0)
		proc_table_fork(s->procs, e, (uint32_t)h->res, h->args[1]);
	/* The fork may have grown the table; look the caller up again. */
	if (h->kind == SEN_W_FORK)
		e = proc_table_get(s->procs, h->pid);
	proc_table_link_ancestry(s->procs, e);

	struct pal_event ev;
	event_init(s, &ev, d, e);
	int r = deliver(s, &ev);
	if (h->kind == SEN_W_EXIT)
		proc_table_exit(s->procs, h->pid, pal_time_monotonic_ns());
	return r;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct sen *s = ctx;
	int r = handle_record(s, data, size);
	/* A producer faster than us would keep one consume call going forever:
	 * hand control back after a batch (the record itself is consumed). */
	if (r == 0 && ++s->batch >= POLL_BATCH)
		return STOP_CODE;
	return r;
}

static void on_audit(const struct sen_audit_seccomp *rec, void *ctx)
{
	struct sen *s = ctx;
	s->audit_events++;
	if (s->stop)
		return;
	struct proc_entry *e = entry_for(s, rec->pid, rec->comm);
	if (!e->exepath && rec->exe[0]) {
		e->exepath = pal_xstrdup(rec->exe);
		e->p.exepath = e->exepath;
	}
	if (!e->container_known)
		resolve_container(s, e, 0, false);
	proc_table_link_ancestry(s->procs, e);

	char name[64];
	sen_syscall_name(rec->syscall, rec->arch, name, sizeof(name));
	struct pal_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.ts_ns = rec->ts_ns;
	ev.type = PAL_EVT_SECCOMP_DENIED;
	uint32_t action = rec->code & SECCOMP_RET_ACTION_FULL;
	/* The kernel logs the action without its data, so the errno an
	 * ERRNO filter returned is unknown: EPERM stands for "denied". */
	uint32_t data = rec->code & SECCOMP_RET_DATA;
	ev.res = action == SECCOMP_RET_ERRNO && data ? -(int64_t)data : -EPERM;
	ev.tid = rec->pid;
	ev.proc = &e->p;
	ev.container = e->container ? e->container : proc_containers_host(s->conts);
	ev.fd = -1;
	ev.arg[0] = rec->syscall;
	ev.arg[1] = rec->arch;
	ev.arg[2] = rec->code;
	ev.arg[3] = rec->sig;
	ev.arg_str = name;
	deliver(s, &ev);
}

/* ---- lifecycle ----------------------------------------------------------- */

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int sen_open(const struct sen_opts *opts, struct sen **out, struct pal_err *err)
{
	static const struct sen_opts defaults = {0};
	if (!opts)
		opts = &defaults;
	libbpf_set_print(libbpf_log);

	struct sen *s = pal_xcalloc(1, sizeof(*s));
	s->epfd = -1;
	s->ncpus = libbpf_num_possible_cpus();
	s->boot_to_real = boot_to_realtime_offset();
	s->rb_bytes = round_ringbuf(opts->ringbuf_bytes);
	sen_evt_set_all(&s->want);
	int r;

	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0) {
		r = pal_err_sys(err, errno, "epoll_create1");
		goto fail;
	}

	if (opts->floor_only) {
		s->floor = pal_floor__open_and_load();
		if (!s->floor) {
			r = pal_err_sys(err, errno, "load the floor BPF programs");
			goto fail;
		}
		if ((r = pal_floor__attach(s->floor)) < 0) {
			pal_err_sys(err, -r, "attach the floor BPF programs");
			goto fail;
		}
		*out = s;
		return 0;
	}

	s->skel = pal_sensor__open();
	if (!s->skel) {
		r = pal_err_sys(err, errno, "open the sensor BPF object");
		goto fail;
	}
	s->skel->rodata->self_tgid = (__u32)getpid();
	s->max_latency_ms = opts->max_latency_ms == 0 ? 20 : opts->max_latency_ms;
	if (s->max_latency_ms > 0)
		s->skel->rodata->wakeup_bytes = s->rb_bytes / 4;
	if ((r = bpf_map__set_max_entries(s->skel->maps.pal_events, (__u32)s->rb_bytes)) < 0) {
		pal_err_sys(err, -r, "size the ring buffer to %zu bytes", s->rb_bytes);
		goto fail;
	}
	if ((r = pal_sensor__load(s->skel)) < 0) {
		pal_err_sys(err, -r,
			    "load the sensor BPF programs (needs root, BTF and Linux 5.17+; "
			    "libbpf's warnings above show the verifier's reason)");
		goto fail;
	}
	if ((r = sen_set_event_types(s, &s->want)) < 0) {
		pal_err_sys(err, -r, "fill the syscall interest map");
		goto fail;
	}
	if ((r = pal_sensor__attach(s->skel)) < 0) {
		pal_err_sys(err, -r, "attach the sensor BPF programs");
		goto fail;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.pal_events), on_sample, s, NULL);
	if (!s->rb) {
		r = pal_err_sys(err, errno, "open the ring buffer");
		goto fail;
	}
	if ((r = epoll_add(s->epfd, ring_buffer__epoll_fd(s->rb))) < 0) {
		pal_err_sys(err, -r, "watch the ring buffer");
		goto fail;
	}
	if (opts->seccomp_audit) {
		if ((r = sen_audit_open(&s->audit, err)) < 0) {
			pal_err_prefix(err, "seccomp denials");
			goto fail;
		}
		if ((r = epoll_add(s->epfd, sen_audit_fd(s->audit))) < 0) {
			pal_err_sys(err, -r, "watch the audit socket");
			goto fail;
		}
	}

	/* Seed after attaching: a process that starts in between is seen by an
	 * event, one that is seeded twice is harmless. */
	s->procs = proc_table_new(opts->proc_root);
	s->conts = proc_containers_new(&opts->containers);
	if (s->rb) {
		int wfd = proc_containers_watch_fd(s->conts);
		if (wfd >= 0 && (r = epoll_add(s->epfd, wfd)) < 0) {
			pal_err_sys(err, -r, "watch the container state directory");
			goto fail;
		}
	}
	if (!opts->no_seed) {
		size_t n = 0;
		if ((r = proc_table_seed(s->procs, &n, err)) < 0)
			goto fail;
		pal_debug("sensor: process table seeded with %zu processes", n);
	}
	s->last_gc_ns = pal_time_monotonic_ns();
	*out = s;
	return 0;
fail:
	sen_close(s);
	return r < 0 ? r : -EINVAL;
}

void sen_close(struct sen *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	if (s->skel)
		pal_sensor__destroy(s->skel);
	if (s->floor)
		pal_floor__destroy(s->floor);
	sen_audit_close(s->audit);
	if (s->epfd >= 0)
		close(s->epfd);
	sen_decoded_clear(&s->d);
	proc_table_free(s->procs);
	proc_containers_free(s->conts);
	free(s);
}

int sen_fd(const struct sen *s)
{
	return s->epfd;
}

struct proc_table *sen_proc_table(struct sen *s)
{
	return s->procs;
}

struct proc_containers *sen_containers(struct sen *s)
{
	return s->conts;
}

int sen_poll(struct sen *s, int timeout_ms, sen_event_cb cb, void *ctx)
{
	s->cb = cb;
	s->cb_ctx = ctx;
	s->stop = false;
	s->batch = 0;
	uint64_t before = s->delivered;
	struct epoll_event evs[4];
	if (s->max_latency_ms > 0 && s->rb && (timeout_ms < 0 || timeout_ms > s->max_latency_ms))
		timeout_ms = s->max_latency_ms;
	int n = epoll_wait(s->epfd, evs, PAL_ARRAY_SIZE(evs), timeout_ms);
	if (n < 0)
		return -errno;
	if (s->rb) {
		/* Containers first: their events may be in this batch. */
		proc_containers_watch_drain(s->conts);
		int r = ring_buffer__consume(s->rb);
		if (r < 0 && r != STOP_CODE)
			return r;
	}
	if (s->audit && !s->stop) {
		int r = sen_audit_drain(s->audit, on_audit, s);
		if (r < 0)
			pal_warn("sensor: reading the audit log: %s", strerror(-r));
	}
	if (s->procs) {
		uint64_t now = pal_time_monotonic_ns();
		proc_table_expire(s->procs, now);
		if (now - s->last_gc_ns > GC_INTERVAL_NS) {
			s->last_gc_ns = now;
			proc_table_gc(s->procs);
			s->boot_to_real = boot_to_realtime_offset();
		}
	}
	s->cb = NULL;
	uint64_t delivered = s->delivered - before;
	return delivered > INT32_MAX ? INT32_MAX : (int)delivered;
}

int sen_stats(struct sen *s, struct sen_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->delivered = s->delivered;
	out->decode_errors = s->decode_errors;
	out->audit_events = s->audit_events;
	out->audit_active = s->audit != NULL;
	out->audit_lost = s->audit ? sen_audit_lost(s->audit) : 0;
	out->procs = s->procs ? proc_table_count(s->procs) : 0;
	out->containers = s->conts ? proc_containers_count(s->conts) : 0;
	out->ringbuf_bytes = s->rb_bytes;
	if (!s->skel || s->ncpus <= 0)
		return 0;
	struct sen_wire_counters *vals = pal_xcalloc((size_t)s->ncpus, sizeof(*vals));
	__u32 zero = 0;
	int r = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.pal_counters), &zero, vals) < 0) {
		r = -errno;
	} else {
		out->ncpus = (uint32_t)s->ncpus;
		for (int i = 0; i < s->ncpus; i++) {
			out->events += vals[i].events;
			out->drops += vals[i].drops;
			out->drop_bytes += vals[i].drop_bytes;
			if (i < SEN_STATS_MAX_CPUS) {
				out->cpu[i].events = vals[i].events;
				out->cpu[i].drops = vals[i].drops;
			}
		}
	}
	free(vals);
	return r;
}
