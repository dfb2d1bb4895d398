#include "engine/util.h"
#include "common/strutil.h"

#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t cap, used;
	_Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK_MIN (64 * 1024)

void *arena_alloc(struct eng_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	struct arena_chunk *c = a->head;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK_MIN ? n : ARENA_CHUNK_MIN;
		c = pal_xmalloc(sizeof(*c) + cap);
		c->cap = cap;
		c->used = 0;
		c->next = a->head;
		a->head = c;
		a->total += cap;
	}
	void *p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct eng_arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct eng_arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

void *arena_grow(struct eng_arena *a, void *old, size_t elem, size_t old_n, size_t new_n)
{
	void *p = arena_alloc(a, elem * new_n);
	if (old && old_n)
		memcpy(p, old, elem * (old_n < new_n ? old_n : new_n));
	return p;
}

void arena_release(struct eng_arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	a->head = NULL;
	a->total = 0;
}

/* Eight bytes at a time with a multiply-xorshift mix: event strings (paths,
 * process names) are hashed on every set lookup, so this is on the hot path. */
uint64_t eng_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (n * 0xff51afd7ed558ccdull);
	while (n >= 8) {
		uint64_t w;
		__builtin_memcpy(&w, s, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)s[i] << (8 * i);
	h = (h ^ w) * 0x94d049bb133111ebull;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

struct strset *strset_new(struct eng_arena *a, size_t expected)
{
	struct strset *s = arena_alloc(a, sizeof(*s));
	size_t cap = 8;
	while (cap < expected * 2)
		cap <<= 1;
	s->cap = cap;
	s->slots = arena_alloc(a, cap * sizeof(*s->slots));
	return s;
}

static bool strset_insert_slot(struct strset *s, const char *p, uint32_t n, uint32_t h)
{
	size_t mask = s->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct strset_slot *sl = &s->slots[i];
		if (!sl->p) {
			sl->p = p;
			sl->n = n;
			sl->hash32 = h;
			s->count++;
			return true;
		}
		if (sl->hash32 == h && sl->n == n && memcmp(sl->p, p, n) == 0)
			return false;
	}
}

bool strset_add(struct eng_arena *a, struct strset *s, const char *p, size_t n)
{
	if ((s->count + 1) * 2 > s->cap) {
		struct strset_slot *old = s->slots;
		size_t oldcap = s->cap;
		s->cap *= 2;
		s->slots = arena_alloc(a, s->cap * sizeof(*s->slots));
		s->count = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].p)
				strset_insert_slot(s, old[i].p, old[i].n, old[i].hash32);
	}
	s->lengths |= 1ull << (n < 63 ? n : 63);
	/* A non-NULL pointer marks a used slot, so the empty string gets one too. */
	return strset_insert_slot(s, p ? p : "", (uint32_t)n, (uint32_t)eng_hash(p, n));
}

bool strset_has(const struct strset *s, const char *p, size_t n)
{
	if (!((s->lengths >> (n < 63 ? n : 63)) & 1))
		return false;
	uint32_t h = (uint32_t)eng_hash(p, n);
	size_t mask = s->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const struct strset_slot *sl = &s->slots[i];
		if (!sl->p)
			return false;
		if (sl->hash32 == h && sl->n == n && memcmp(sl->p, p, n) == 0)
			return true;
	}
}

void namemap_init(struct namemap *m)
{
	memset(m, 0, sizeof(*m));
}

void namemap_free(struct namemap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static struct namemap_slot *namemap_find(const struct namemap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = eng_hash(key, strlen(key)) & mask;; i = (i + 1) & mask) {
		struct namemap_slot *sl = &m->slots[i];
		if (!sl->key || strcmp(sl->key, key) == 0)
			return sl;
	}
}

void *namemap_get(const struct namemap *m, const char *key)
{
	struct namemap_slot *sl = namemap_find(m, key);
	return sl && sl->key ? sl->val : NULL;
}

void namemap_put(struct namemap *m, const char *key, void *val)
{
	if ((m->count + 1) * 2 > m->cap) {
		struct namemap_slot *old = m->slots;
		size_t oldcap = m->cap;
		m->cap = m->cap ? m->cap * 2 : 64;
		m->slots = pal_xcalloc(m->cap, sizeof(*m->slots));
		m->count = 0;
		for (size_t i = 0; i < oldcap; i++) {
			if (!old[i].key)
				continue;
			struct namemap_slot *sl = namemap_find(m, old[i].key);
			*sl = old[i];
			m->count++;
		}
		free(old);
	}
	struct namemap_slot *sl = namemap_find(m, key);
	if (!sl->key) {
		sl->key = pal_xstrdup(key);
		m->count++;
	}
	sl->val = val;
}
