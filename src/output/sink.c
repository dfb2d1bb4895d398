/* The asynchronous core shared by every sink: a bounded ring of messages, one
 * worker thread that owns the transport, backoff and counters. */
#include "sink_impl.h"

#include "common/log.h"
#include "common/strutil.h"
#include "common/timefmt.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_QUEUE	    1024
#define DEFAULT_TIMEOUT_MS  5000
#define DEFAULT_BACKOFF_MIN 100
#define DEFAULT_BACKOFF_MAX 30000
#define DEFAULT_ATTEMPTS    5

struct out_msg *out_msg_new(enum out_priority priority, uint64_t time_ns, const char *json,
			    size_t len)
{
	struct out_msg *m = pal_xmalloc(sizeof(*m) + len + 1);
	atomic_init(&m->refs, 1);
	m->priority = priority;
	m->time_ns = time_ns;
	m->len = len;
	memcpy(m->json, json, len);
	m->json[len] = '\0';
	return m;
}

struct out_msg *out_msg_ref(struct out_msg *m)
{
	atomic_fetch_add_explicit(&m->refs, 1, memory_order_relaxed);
	return m;
}

void out_msg_unref(struct out_msg *m)
{
	if (m && atomic_fetch_sub_explicit(&m->refs, 1, memory_order_acq_rel) == 1)
		free(m);
}

struct out_sink {
	const struct out_sink_ops *ops;
	void *impl;
	char *name;

	size_t cap;
	bool filter;
	enum out_priority min_priority;
	uint32_t backoff_min_ms, backoff_max_ms, max_attempts;

	pthread_t worker;
	pthread_mutex_t lock;
	pthread_cond_t wake;	/* worker waits: messages, stop, reopen */
	pthread_cond_t changed; /* flush and close wait: progress, exit */

	/* Guarded by lock. */
	struct out_msg **ring;
	size_t head, count;
	uint64_t enq_seq, done_seq, flushed_seq;
	bool needs_flush;
	bool stopping, exited, reopen_req;
	uint64_t deadline_ns;
	uint32_t attempts, backoff_ms;
	bool connected, ever_connected, in_error;
	char last_error[PAL_ERR_MSG_MAX];

	/* Written by the worker under lock, read by anyone with atomics. */
	atomic_uint_fast64_t sent, dropped, errors, failed, reconnects;
	uint64_t dropped_at_close;
};

uint32_t out_sink_opts_timeout_ms(const struct out_sink_opts *opts)
{
	return opts && opts->timeout_ms ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
}

static uint64_t now_ns(void)
{
	return pal_time_monotonic_ns();
}

static struct timespec abs_mono_in(uint64_t ns)
{
	/* The condvars wait on CLOCK_MONOTONIC (cond_init_monotonic). */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t t = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + ns;
	ts.tv_sec = (time_t)(t / 1000000000ull);
	ts.tv_nsec = (long)(t % 1000000000ull);
	return ts;
}

static void cond_init_monotonic(pthread_cond_t *c)
{
	pthread_condattr_t a;
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
}

static struct out_msg *ring_head(struct out_sink *s)
{
	return s->ring[s->head];
}

static void ring_pop(struct out_sink *s)
{
	out_msg_unref(s->ring[s->head]);
	s->ring[s->head] = NULL;
	s->head = (s->head + 1) % s->cap;
	s->count--;
	s->done_seq++;
}

static void note_error(struct out_sink *s, const struct pal_err *err, const char *what)
{
	atomic_fetch_add(&s->errors, 1);
	snprintf(s->last_error, sizeof(s->last_error), "%s: %s", what,
		 err->code ? err->msg : "unknown error");
	if (!s->in_error)
		pal_warn("output %s: %s (will retry with backoff)", s->name, s->last_error);
	s->in_error = true;
}

static void note_recovered(struct out_sink *s)
{
	if (s->in_error)
		pal_info("output %s: delivering again", s->name);
	s->in_error = false;
	s->backoff_ms = 0;
}

/* Sleeps for the current backoff (doubling it), waking early on close when
 * the deadline comes first. Called and returns with the lock held. */
static void backoff_wait(struct out_sink *s)
{
	s->backoff_ms = s->backoff_ms ? s->backoff_ms * 2 : s->backoff_min_ms;
	if (s->backoff_ms > s->backoff_max_ms)
		s->backoff_ms = s->backoff_max_ms;
	uint64_t until = now_ns() + (uint64_t)s->backoff_ms * 1000000ull;
	while (now_ns() < until) {
		uint64_t end = until;
		if (s->stopping && s->deadline_ns < end)
			end = s->deadline_ns;
		uint64_t now = now_ns();
		if (now >= end)
			return;
		struct timespec ts = abs_mono_in(end - now);
		pthread_cond_timedwait(&s->wake, &s->lock, &ts);
		if (s->stopping && now_ns() >= s->deadline_ns)
			return;
	}
}

static void disconnect_locked(struct out_sink *s)
{
	if (!s->connected)
		return;
	s->connected = false;
	pthread_mutex_unlock(&s->lock);
	if (s->ops->disconnect)
		s->ops->disconnect(s->impl);
	pthread_mutex_lock(&s->lock);
}

static void *worker_main(void *arg)
{
	struct out_sink *s = arg;
	struct pal_err err;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		if (s->reopen_req) {
			s->reopen_req = false;
			if (s->ops->reopen) {
				pal_err_clear(&err);
				pthread_mutex_unlock(&s->lock);
				int r = s->ops->reopen(s->impl, &err);
				pthread_mutex_lock(&s->lock);
				if (r < 0)
					note_error(s, &err, "reopen");
			}
			continue;
		}
		if (s->count == 0) {
			if (s->needs_flush) {
				/* needs_flush stays set until the flush is done: out_sink_flush
				 * must not take "nothing to flush" for "flushed". */
				uint64_t done = s->done_seq;
				if (s->ops->flush && s->connected) {
					pal_err_clear(&err);
					pthread_mutex_unlock(&s->lock);
					int r = s->ops->flush(s->impl, &err);
					pthread_mutex_lock(&s->lock);
					if (r < 0)
						note_error(s, &err, "flush");
				}
				s->needs_flush = false;
				s->flushed_seq = done;
				pthread_cond_broadcast(&s->changed);
				continue;
			}
			if (s->stopping)
				break;
			pthread_cond_wait(&s->wake, &s->lock);
			continue;
		}
		if (s->stopping && now_ns() >= s->deadline_ns) {
			uint64_t n = s->count;
			while (s->count)
				ring_pop(s);
			atomic_fetch_add(&s->dropped, n);
			s->dropped_at_close += n;
			pthread_cond_broadcast(&s->changed);
			break;
		}
		if (!s->connected) {
			int r = 0;
			pal_err_clear(&err);
			if (s->ops->connect) {
				pthread_mutex_unlock(&s->lock);
				r = s->ops->connect(s->impl, &err);
				pthread_mutex_lock(&s->lock);
			}
			if (r < 0) {
				note_error(s, &err, "connect");
				backoff_wait(s);
				continue;
			}
			s->connected = true;
			if (s->ever_connected)
				atomic_fetch_add(&s->reconnects, 1);
			s->ever_connected = true;
		}
		struct out_msg *m = out_msg_ref(ring_head(s));
		pal_err_clear(&err);
		pthread_mutex_unlock(&s->lock);
		int r = s->ops->send(s->impl, m, &err);
		out_msg_unref(m);
		pthread_mutex_lock(&s->lock);
		if (r == 0) {
			ring_pop(s);
			atomic_fetch_add(&s->sent, 1);
			s->attempts = 0;
			s->needs_flush = true;
			note_recovered(s);
		} else if (r == OUT_SEND_RECONNECT) {
			note_error(s, &err, "send");
			disconnect_locked(s);
			if (++s->attempts >= s->max_attempts) {
				ring_pop(s);
				atomic_fetch_add(&s->failed, 1);
				s->attempts = 0;
			}
			backoff_wait(s);
		} else {
			note_error(s, &err, "send");
			ring_pop(s);
			atomic_fetch_add(&s->failed, 1);
			s->attempts = 0;
			/* Not a connection problem: the next message may well pass. */
			s->in_error = false;
		}
		pthread_cond_broadcast(&s->changed);
	}
	disconnect_locked(s);
	s->exited = true;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct out_sink *out_sink_new(const struct out_sink_ops *ops, void *impl, const char *default_name,
			      const struct out_sink_opts *opts, struct pal_err *err)
{
	struct out_sink *s = pal_xcalloc(1, sizeof(*s));
	s->ops = ops;
	s->impl = impl;
	s->name = pal_xstrdup(opts && opts->name ? opts->name : default_name);
	s->cap = opts && opts->queue_capacity ? opts->queue_capacity : DEFAULT_QUEUE;
	s->filter = opts && opts->min_priority_set;
	s->min_priority = opts ? opts->min_priority : OUT_PRIO_DEBUG;
	s->backoff_min_ms =
	    opts && opts->backoff_min_ms ? opts->backoff_min_ms : DEFAULT_BACKOFF_MIN;
	s->backoff_max_ms =
	    opts && opts->backoff_max_ms ? opts->backoff_max_ms : DEFAULT_BACKOFF_MAX;
	if (s->backoff_max_ms < s->backoff_min_ms)
		s->backoff_max_ms = s->backoff_min_ms;
	s->max_attempts = opts && opts->max_attempts ? opts->max_attempts : DEFAULT_ATTEMPTS;
	s->ring = pal_xcalloc(s->cap, sizeof(*s->ring));
	pthread_mutex_init(&s->lock, NULL);
	cond_init_monotonic(&s->wake);
	cond_init_monotonic(&s->changed);
	int r = pthread_create(&s->worker, NULL, worker_main, s);
	if (r != 0) {
		pal_err_sys(err, r, "output %s: start worker thread", s->name);
		ops->destroy(impl);
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->wake);
		pthread_cond_destroy(&s->changed);
		free(s->ring);
		free(s->name);
		free(s);
		return NULL;
	}
	return s;
}

int out_sink_emit(struct out_sink *s, struct out_msg *m)
{
	if (s->filter && m->priority > s->min_priority)
		return 1;
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		pthread_mutex_unlock(&s->lock);
		return -ESHUTDOWN;
	}
	if (s->count == s->cap) {
		pthread_mutex_unlock(&s->lock);
		atomic_fetch_add(&s->dropped, 1);
		return -ENOBUFS;
	}
	s->ring[(s->head + s->count) % s->cap] = out_msg_ref(m);
	s->count++;
	s->enq_seq++;
	/* The worker only sleeps on an empty queue: wake it on the first message,
	 * not on every one (each signal may cost a futex syscall). */
	if (s->count == 1)
		pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int out_sink_flush(struct out_sink *s, uint32_t timeout_ms)
{
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ull;
	pthread_mutex_lock(&s->lock);
	/* Everything queued so far counts; messages dropped later at close do too. */
	uint64_t target = s->enq_seq;
	int r = 0;
	while (s->flushed_seq < target && !s->exited) {
		if (s->count == 0 && !s->needs_flush && s->done_seq >= target)
			break; /* all processed, nothing was sent that needs a flush */
		uint64_t now = now_ns();
		if (now >= deadline) {
			r = -ETIMEDOUT;
			break;
		}
		struct timespec ts = abs_mono_in(deadline - now);
		pthread_cond_timedwait(&s->changed, &s->lock, &ts);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

void out_sink_reopen(struct out_sink *s)
{
	pthread_mutex_lock(&s->lock);
	s->reopen_req = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

void out_sink_get_stats(struct out_sink *s, struct out_sink_stats *st)
{
	pthread_mutex_lock(&s->lock);
	st->queued = s->count;
	st->connected = s->connected;
	snprintf(st->last_error, sizeof(st->last_error), "%s", s->last_error);
	pthread_mutex_unlock(&s->lock);
	st->sent = atomic_load(&s->sent);
	st->dropped = atomic_load(&s->dropped);
	st->errors = atomic_load(&s->errors);
	st->failed = atomic_load(&s->failed);
	st->reconnects = atomic_load(&s->reconnects);
}

const char *out_sink_name(const struct out_sink *s)
{
	return s->name;
}

const char *out_sink_kind(const struct out_sink *s)
{
	return s->ops->kind;
}

void out_sink_begin_close(struct out_sink *s, uint64_t deadline_mono_ns)
{
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	s->deadline_ns = deadline_mono_ns;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
}

uint64_t out_sink_finish_close(struct out_sink *s, struct out_sink_stats *final)
{
	pthread_mutex_lock(&s->lock);
	while (!s->exited) {
		uint64_t now = now_ns();
		if (now >= s->deadline_ns)
			break;
		struct timespec ts = abs_mono_in(s->deadline_ns - now);
		pthread_cond_timedwait(&s->changed, &s->lock, &ts);
	}
	bool exited = s->exited;
	pthread_mutex_unlock(&s->lock);
	/* Past the deadline with a send still blocked: make it fail now. */
	if (!exited && s->ops->interrupt)
		s->ops->interrupt(s->impl);
	pthread_join(s->worker, NULL);

	uint64_t dropped = s->dropped_at_close;
	if (final)
		out_sink_get_stats(s, final);
	for (; s->count; s->head = (s->head + 1) % s->cap, s->count--)
		out_msg_unref(s->ring[s->head]);
	s->ops->destroy(s->impl);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	pthread_cond_destroy(&s->changed);
	free(s->ring);
	free(s->name);
	free(s);
	return dropped;
}

uint64_t out_sink_close(struct out_sink *s, uint32_t deadline_ms, struct out_sink_stats *final)
{
	if (!s)
		return 0;
	out_sink_begin_close(s, now_ns() + (uint64_t)deadline_ms * 1000000ull);
	return out_sink_finish_close(s, final);
}

void out_sink_last_error(struct out_sink *s, char *buf, size_t cap)
{
	pthread_mutex_lock(&s->lock);
	snprintf(buf, cap, "%s", s->last_error);
	pthread_mutex_unlock(&s->lock);
}
