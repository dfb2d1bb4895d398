/* Alert sinks: stdout, file, syslog (unix datagram, UDP, TCP, TCP+TLS), HTTP
 * POST (falcosidekick's input) and NATS, behind one asynchronous interface.
 *
 * Every sink owns a bounded queue and a worker thread. out_sink_emit() never
 * blocks: when the queue is full the message is dropped for that sink and
 * counted. The worker connects lazily, reconnects with exponential backoff
 * after failures, and counts what it sent and what failed. out_sink_close()
 * drains the queue until a deadline, then drops the rest (counted) and
 * interrupts a send that is still blocked.
 */
#ifndef PAL_OUTPUT_SINK_H
#define PAL_OUTPUT_SINK_H

#include "alert.h"
#include "common/err.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One formatted alert, shared by every sink it is queued on (refcounted, immutable). */
struct out_msg {
	atomic_uint refs;
	enum out_priority priority;
	uint64_t time_ns;
	size_t len;  /* of json, without the NUL */
	char json[]; /* one compact JSON object, no newline */
};

struct out_msg *out_msg_new(enum out_priority priority, uint64_t time_ns, const char *json,
			    size_t len);
struct out_msg *out_msg_ref(struct out_msg *m);
void out_msg_unref(struct out_msg *m);

/* Options common to every sink; zero fields take the defaults shown. */
struct out_sink_opts {
	const char *name;		/* label in logs and metrics (default: kind and address) */
	size_t queue_capacity;		/* 1024 */
	bool min_priority_set;		/* false: every alert; true: only alerts at least */
	enum out_priority min_priority; /*  as severe as min_priority */
	uint32_t timeout_ms;		/* connect / one send: 5000 */
	uint32_t backoff_min_ms;	/* 100 */
	uint32_t backoff_max_ms;	/* 30000 */
	uint32_t max_attempts; /* sends of one message before it is dropped as an error: 5 */
};

struct out_sink;

struct out_sink_stats {
	uint64_t sent;	     /* messages delivered to the transport */
	uint64_t dropped;    /* queue full, or still queued at the close deadline */
	uint64_t errors;     /* failed connects and sends (a message may fail several times) */
	uint64_t failed;     /* messages given up after errors (max_attempts or permanent) */
	uint64_t reconnects; /* successful connects after the first */
	uint64_t queued;     /* currently waiting */
	bool connected;
	char last_error[256]; /* most recent error ("" if none) */
};

/* ---- constructors: each starts the worker; the transport connects on first use ---- */

struct out_sink *out_sink_stdout_new(const struct out_sink_opts *opts, struct pal_err *err);

/* Appends JSON lines to path (created 0600 if absent; opened now so a bad path
 * fails at start). out_sink_reopen() reopens it, for log rotation (SIGHUP). */
struct out_sink *out_sink_file_new(const char *path, const struct out_sink_opts *opts,
				   struct pal_err *err);

enum out_syslog_transport {
	OUT_SYSLOG_UNIX = 0, /* datagram socket, e.g. /dev/log */
	OUT_SYSLOG_UDP,	     /* RFC 5426: one message per datagram */
	OUT_SYSLOG_TCP,	     /* RFC 6587 octet counting */
	OUT_SYSLOG_TLS,	     /* RFC 5425: TLS, octet counting */
};

struct out_syslog_opts {
	enum out_syslog_transport transport;
	const char *address;  /* unix: socket path; otherwise "host:port" or "[v6]:port" */
	int facility;	      /* 0..23; default (-1 or unset via out_syslog_opts_init) user (1) */
	const char *app_name; /* "palisade" */
	const char *hostname; /* HOSTNAME field; default out_default_hostname() */
	const char *ca_file;  /* TLS: CA bundle the server certificate must chain to (required) */
	const char *server_name; /* TLS: name checked against the certificate (default: host) */
	const char *cert_file;	 /* TLS: optional client certificate */
	const char *key_file;	 /*      and its key */
	size_t max_message;	 /* larger messages are failed, not truncated: 65000 */
};
void out_syslog_opts_init(struct out_syslog_opts *o);
/* "unix", "udp", "tcp", "tls" */
int out_syslog_transport_parse(const char *s, enum out_syslog_transport *out);

struct out_sink *out_sink_syslog_new(const struct out_syslog_opts *so,
				     const struct out_sink_opts *opts, struct pal_err *err);

struct out_http_opts {
	const char *url;	/* http:// or https://; falcosidekick listens on POST / */
	char *const *headers;	/* extra "Name: value" lines, NULL-terminated, may be NULL */
	const char *ca_file;	/* https: CA bundle (default: the system's) */
	const char *user_agent; /* default "palisade/<version>" */
};
struct out_sink *out_sink_http_new(const struct out_http_opts *ho, const struct out_sink_opts *opts,
				   struct pal_err *err);

struct out_nats_opts {
	const char *url;     /* nats://host:port */
	const char *subject; /* e.g. "palisade.alerts" */
};
struct out_sink *out_sink_nats_new(const struct out_nats_opts *no, const struct out_sink_opts *opts,
				   struct pal_err *err);

/* ---- use ---- */

/* Queues m (takes its own reference). Never blocks. Returns 0, -ENOBUFS when
 * dropped because the queue is full, -ESHUTDOWN after close began, or 1 when
 * the sink's min_priority filters the message out (not counted). */
int out_sink_emit(struct out_sink *s, struct out_msg *m);

/* Waits until everything queued so far is handed to the transport and the
 * transport flushed, at most timeout_ms. 0, or -ETIMEDOUT. */
int out_sink_flush(struct out_sink *s, uint32_t timeout_ms);

/* Asks the worker to reopen the file before its next write (log rotation).
 * No effect on other kinds. Not async-signal-safe: call it from the loop
 * that reads SIGHUP (signalfd), not from a handler. */
void out_sink_reopen(struct out_sink *s);

void out_sink_get_stats(struct out_sink *s, struct out_sink_stats *st);
/* The most recent error message ("connect: 127.0.0.1:6514: Connection refused"), or "". */
void out_sink_last_error(struct out_sink *s, char *buf, size_t cap);
const char *out_sink_name(const struct out_sink *s);
const char *out_sink_kind(const struct out_sink *s);

/* Drains until deadline_ms from now, then drops what is left (counted) and
 * interrupts a blocked send; joins the worker and frees the sink. Returns the
 * number of messages dropped at close; final (may be NULL) gets the last counters. */
uint64_t out_sink_close(struct out_sink *s, uint32_t deadline_ms, struct out_sink_stats *final);

/* Two-phase close for several sinks sharing one deadline (used by out_outputs). */
void out_sink_begin_close(struct out_sink *s, uint64_t deadline_mono_ns);
uint64_t out_sink_finish_close(struct out_sink *s, struct out_sink_stats *final);

#endif
