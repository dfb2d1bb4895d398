#include "ratelimit.h"

#include "common/strutil.h"
#include "common/timefmt.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct bucket {
	struct bucket *hnext;		    /* hash chain */
	struct bucket *lru_prev, *lru_next; /* most recent at head */
	uint64_t hash;
	double tokens;
	uint64_t last_ns;
	uint64_t suppressed;
	size_t rule_len;
	char key[]; /* rule '\0' container '\0' */
};

struct out_ratelimit {
	pthread_mutex_t lock;
	double rate, burst;
	size_t max_keys;
	out_clock_fn clock;
	void *clock_ctx;
	uint64_t seed;
	struct bucket **table;
	size_t nbuckets, count;
	struct bucket *lru_head, *lru_tail;
	struct out_ratelimit_stats st;
};

static uint64_t mono_clock(void *ctx)
{
	(void)ctx;
	return pal_time_monotonic_ns();
}

/* FNV-1a with a random seed: container ids come from outside, so chains must
 * not be predictable. */
static uint64_t hash_key(uint64_t seed, const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ull ^ seed;
	for (const char *p = a; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (const char *p = b; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h ^ (h >> 29);
}

struct out_ratelimit *out_ratelimit_new(const struct out_ratelimit_opts *o)
{
	if (!o || !(o->rate > 0) || !(o->burst >= 1)) {
		errno = EINVAL;
		return NULL;
	}
	struct out_ratelimit *rl = pal_xcalloc(1, sizeof(*rl));
	pthread_mutex_init(&rl->lock, NULL);
	rl->rate = o->rate;
	rl->burst = o->burst;
	rl->max_keys = o->max_keys ? o->max_keys : 10000;
	rl->clock = o->clock ? o->clock : mono_clock;
	rl->clock_ctx = o->clock_ctx;
	if (getrandom(&rl->seed, sizeof(rl->seed), GRND_NONBLOCK) != sizeof(rl->seed))
		rl->seed = pal_time_monotonic_ns();
	rl->nbuckets = 64;
	while (rl->nbuckets < rl->max_keys && rl->nbuckets < (1u << 20))
		rl->nbuckets *= 2;
	rl->table = pal_xcalloc(rl->nbuckets, sizeof(*rl->table));
	return rl;
}

void out_ratelimit_free(struct out_ratelimit *rl)
{
	if (!rl)
		return;
	for (struct bucket *b = rl->lru_head, *n; b; b = n) {
		n = b->lru_next;
		free(b);
	}
	free(rl->table);
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

static void lru_unlink(struct out_ratelimit *rl, struct bucket *b)
{
	if (b->lru_prev)
		b->lru_prev->lru_next = b->lru_next;
	else
		rl->lru_head = b->lru_next;
	if (b->lru_next)
		b->lru_next->lru_prev = b->lru_prev;
	else
		rl->lru_tail = b->lru_prev;
	b->lru_prev = b->lru_next = NULL;
}

static void lru_push_front(struct out_ratelimit *rl, struct bucket *b)
{
	b->lru_prev = NULL;
	b->lru_next = rl->lru_head;
	if (rl->lru_head)
		rl->lru_head->lru_prev = b;
	rl->lru_head = b;
	if (!rl->lru_tail)
		rl->lru_tail = b;
}

static void evict_oldest(struct out_ratelimit *rl)
{
	struct bucket *b = rl->lru_tail;
	if (!b)
		return;
	lru_unlink(rl, b);
	struct bucket **pp = &rl->table[b->hash & (rl->nbuckets - 1)];
	while (*pp != b)
		pp = &(*pp)->hnext;
	*pp = b->hnext;
	rl->count--;
	rl->st.evicted++;
	rl->st.lost_suppressed += b->suppressed;
	free(b);
}

static struct bucket *lookup(struct out_ratelimit *rl, const char *rule, const char *cid,
			     uint64_t now)
{
	uint64_t h = hash_key(rl->seed, rule, cid);
	size_t rule_len = strlen(rule);
	struct bucket **slot = &rl->table[h & (rl->nbuckets - 1)];
	for (struct bucket *b = *slot; b; b = b->hnext) {
		if (b->hash == h && b->rule_len == rule_len && strcmp(b->key, rule) == 0 &&
		    strcmp(b->key + rule_len + 1, cid) == 0)
			return b;
	}
	if (rl->count >= rl->max_keys)
		evict_oldest(rl);
	size_t cid_len = strlen(cid);
	struct bucket *b = pal_xcalloc(1, sizeof(*b) + rule_len + cid_len + 2);
	b->hash = h;
	b->rule_len = rule_len;
	memcpy(b->key, rule, rule_len + 1);
	memcpy(b->key + rule_len + 1, cid, cid_len + 1);
	b->tokens = rl->burst;
	b->last_ns = now;
	b->hnext = *slot;
	*slot = b;
	lru_push_front(rl, b);
	rl->count++;
	return b;
}

bool out_ratelimit_allow(struct out_ratelimit *rl, const char *rule, const char *container_id,
			 uint64_t *suppressed)
{
	pthread_mutex_lock(&rl->lock);
	uint64_t now = rl->clock(rl->clock_ctx);
	struct bucket *b = lookup(rl, rule ? rule : "", container_id ? container_id : "host", now);
	if (now > b->last_ns) {
		b->tokens += (double)(now - b->last_ns) / 1e9 * rl->rate;
		if (b->tokens > rl->burst)
			b->tokens = rl->burst;
	}
	b->last_ns = now;
	lru_unlink(rl, b);
	lru_push_front(rl, b);
	bool ok = b->tokens >= 1.0;
	if (ok) {
		b->tokens -= 1.0;
		if (suppressed)
			*suppressed = b->suppressed;
		b->suppressed = 0;
		rl->st.allowed++;
	} else {
		b->suppressed++;
		rl->st.suppressed++;
	}
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

void out_ratelimit_get_stats(struct out_ratelimit *rl, struct out_ratelimit_stats *st)
{
	pthread_mutex_lock(&rl->lock);
	*st = rl->st;
	st->keys = rl->count;
	pthread_mutex_unlock(&rl->lock);
}
