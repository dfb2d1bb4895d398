/* The sensor's public API: what the agent embeds and `palisade trace` uses.
 *
 *   struct sen *s;
 *   sen_open(&opts, &s, &err);             load and attach the BPF programs,
 *                                          seed the process table from /proc
 *   sen_set_event_types(s, &set);          the adaptive syscall set: only these
 *                                          syscalls are captured in the kernel
 *   sen_poll(s, timeout_ms, cb, ctx);      deliver struct pal_event (event.h)
 *                                          with proc and container filled in
 *   sen_stats(s, &st);                     events and drops, per CPU
 *   sen_close(s);                          detach: nothing stays in the kernel
 *
 * Process, fork and exit events are always captured (the process table needs
 * them) and delivered only when their type is in the set. Seccomp denials come
 * from the audit log (seccomp_audit.h) as PAL_EVT_SECCOMP_DENIED events.
 * Nothing is pinned; every BPF program, link and map goes with sen_close() or
 * the process. Needs root (CAP_BPF, CAP_PERFMON, CAP_SYS_RESOURCE; CAP_AUDIT_READ
 * for seccomp denials). x86_64, Linux 5.17+ with BTF. */
#ifndef PAL_SENSOR_SENSOR_H
#define PAL_SENSOR_SENSOR_H

#include "common/err.h"
#include "proc/containers.h"
#include "proc/proc_table.h"
#include "sensor/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sen_evt_set {
	uint64_t bits[(PAL_EVT__COUNT + 63) / 64];
};

static inline void sen_evt_set_clear(struct sen_evt_set *s)
{
	for (size_t i = 0; i < sizeof(s->bits) / sizeof(s->bits[0]); i++)
		s->bits[i] = 0;
}
static inline void sen_evt_set_add(struct sen_evt_set *s, enum pal_evt_type t)
{
	if ((unsigned)t < PAL_EVT__COUNT)
		s->bits[t / 64] |= 1ull << (t % 64);
}
static inline bool sen_evt_set_has(const struct sen_evt_set *s, enum pal_evt_type t)
{
	return (unsigned)t < PAL_EVT__COUNT && (s->bits[t / 64] >> (t % 64)) & 1;
}
static inline void sen_evt_set_all(struct sen_evt_set *s)
{
	sen_evt_set_clear(s);
	for (int t = 0; t < PAL_EVT__COUNT; t++)
		sen_evt_set_add(s, (enum pal_evt_type)t);
}
/* Parses "exec,open,connect,..." (event type names and the group names
 * exec, process, file, open, network, privilege, all); err names a bad word. */
int sen_evt_set_parse(const char *list, struct sen_evt_set *out, struct pal_err *err);

struct sen_opts {
	size_t ringbuf_bytes; /* ring buffer size; 0: 8 MiB. Rounded up to a power of two */
	bool seccomp_audit;   /* read seccomp denials from the audit log */
	bool floor_only;      /* benchmarks: attach empty programs, deliver nothing */
	bool no_seed;	      /* do not seed the process table from /proc */
	/* Latency bound: the kernel wakes the consumer once a quarter of the ring
	 * buffer is filled, and sen_poll() looks at least every max_latency_ms
	 * (0: 20 ms). -1 wakes on every record (lowest latency, an interrupt per
	 * event). */
	int max_latency_ms;
	const char *proc_root; /* NULL: /proc */
	struct proc_containers_opts containers;
};

struct sen;

int sen_open(const struct sen_opts *opts, struct sen **out, struct pal_err *err);
int sen_set_event_types(struct sen *s, const struct sen_evt_set *set);

/* Returns nonzero to stop the current sen_poll() early. */
typedef int (*sen_event_cb)(const struct pal_event *ev, void *ctx);

/* Waits up to timeout_ms (-1: forever, 0: do not wait) for events and delivers
 * every pending one. Returns the number delivered, or -errno (-EINTR when a
 * signal interrupted the wait). */
int sen_poll(struct sen *s, int timeout_ms, sen_event_cb cb, void *ctx);

/* A descriptor that becomes readable when events are pending (for epoll). */
int sen_fd(const struct sen *s);

#define SEN_STATS_MAX_CPUS 256
struct sen_cpu_stats {
	uint64_t events; /* records the kernel side submitted */
	uint64_t drops;	 /* records lost: ring buffer full */
};
struct sen_stats {
	uint64_t events, drops, drop_bytes;
	uint32_t ncpus;
	struct sen_cpu_stats cpu[SEN_STATS_MAX_CPUS];
	uint64_t delivered;	/* events handed to callbacks */
	uint64_t decode_errors; /* records user space could not read */
	uint64_t audit_events;	/* seccomp denials read from the audit log */
	uint64_t audit_lost;	/* audit records lost (serial gaps) */
	bool audit_active;
	size_t procs, containers;
	size_t ringbuf_bytes;
};
int sen_stats(struct sen *s, struct sen_stats *out);

void sen_close(struct sen *s);

/* The tables the sensor keeps (valid until sen_close). */
struct proc_table *sen_proc_table(struct sen *s);
struct proc_containers *sen_containers(struct sen *s);

#endif
