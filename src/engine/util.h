/* Engine-internal containers: a bump allocator whose memory is released all at
 * once (compiled rules are freed together with their ruleset), a hash set of
 * byte strings for `in`/`pmatch` lists, and a name -> pointer map for rule,
 * macro and list definitions. */
#ifndef PAL_ENGINE_UTIL_H
#define PAL_ENGINE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct eng_arena {
	struct arena_chunk *head;
	size_t total;
};

/* Zeroed, 16-byte aligned; never fails (aborts when memory is exhausted). */
void *arena_alloc(struct eng_arena *a, size_t n);
char *arena_strndup(struct eng_arena *a, const char *s, size_t n);
char *arena_strdup(struct eng_arena *a, const char *s);
/* Grows an arena array: returns a copy of old (old_n elements) with room for new_n. */
void *arena_grow(struct eng_arena *a, void *old, size_t elem, size_t old_n, size_t new_n);
void arena_release(struct eng_arena *a);

uint64_t eng_hash(const void *p, size_t n);

/* memcpy that accepts (NULL, 0): empty arrays are NULL here. */
static inline void eng_copy(void *dst, const void *src, size_t n)
{
	if (n)
		__builtin_memcpy(dst, src, n);
}

/* Set of byte strings. Keys are not copied: they must outlive the set (the
 * compiler keeps them in the ruleset's arena). */
struct strset {
	struct strset_slot {
		const char *p;
		uint32_t n;
		uint32_t hash32;
	} * slots;
	size_t cap; /* power of two */
	size_t count;
	/* bit n set: some member is n bytes long (bit 63: 63 or more). Most
	 * lookups (paths against a few file names) stop here, unhashed. */
	uint64_t lengths;
};

struct strset *strset_new(struct eng_arena *a, size_t expected);
/* Returns false if already present. */
bool strset_add(struct eng_arena *a, struct strset *s, const char *p, size_t n);
bool strset_has(const struct strset *s, const char *p, size_t n);

/* Name -> pointer map (malloc'd; keys copied). */
struct namemap {
	struct namemap_slot {
		char *key;
		void *val;
	} * slots;
	size_t cap, count;
};

void namemap_init(struct namemap *m);
void namemap_free(struct namemap *m);
void *namemap_get(const struct namemap *m, const char *key);
void namemap_put(struct namemap *m, const char *key, void *val);

#endif
