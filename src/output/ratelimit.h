/* Alert flood control: a token bucket per (rule, container id). An alert
 * that finds no token is suppressed and counted; the next alert of the same
 * rule and container that passes carries that count ("suppressed": N).
 * Memory is bounded: at most max_keys buckets, the least recently used one
 * evicted first (its pending count, if any, is added to a lost counter). */
#ifndef PAL_OUTPUT_RATELIMIT_H
#define PAL_OUTPUT_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t (*out_clock_fn)(void *ctx); /* monotonic ns */

struct out_ratelimit_opts {
	double rate;	    /* tokens per second (alerts/s sustained); must be > 0 */
	double burst;	    /* bucket size (alerts at once); >= 1 */
	size_t max_keys;    /* 0: 10000 */
	out_clock_fn clock; /* NULL: CLOCK_MONOTONIC */
	void *clock_ctx;
};

struct out_ratelimit_stats {
	uint64_t allowed, suppressed;
	uint64_t evicted;	  /* buckets dropped to stay within max_keys */
	uint64_t lost_suppressed; /* suppressed counts that left with an evicted bucket */
	size_t keys;
};

struct out_ratelimit;

/* NULL with errno EINVAL on a rate <= 0 or burst < 1. */
struct out_ratelimit *out_ratelimit_new(const struct out_ratelimit_opts *o);
void out_ratelimit_free(struct out_ratelimit *rl);

/* true: publish the alert, with *suppressed = alerts suppressed for this key
 * since the last one that passed (then reset). false: suppressed, counted.
 * container_id NULL means the host. Thread-safe. */
bool out_ratelimit_allow(struct out_ratelimit *rl, const char *rule, const char *container_id,
			 uint64_t *suppressed);

void out_ratelimit_get_stats(struct out_ratelimit *rl, struct out_ratelimit_stats *st);

#endif
