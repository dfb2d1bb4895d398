/* Image trust: the API the runtime (`palisade-runtime create`), the admission
 * webhook and the `palisade` commands share.
 *
 *   struct sup_policy *p;  sup_policy_load("/etc/palisade/policy.yaml", &p, &err);
 *   struct sup_image *img; sup_image_open("/srv/layout:app", &img, &err);
 *   struct sup_cache *c;   sup_cache_open(p->cache_dir, &c, &err);   (optional)
 *   struct sup_verdict v;  sup_verify_image_cached(c, p, img, &v, &err);
 *   if (!v.allow) deny(v.reason);
 *
 * A return value below zero means verification could not be carried out
 * (unreadable store, out of memory): callers must treat it as a denial.
 *
 * Threads: a loaded policy and an opened image are read-only during
 * verification and may be shared; a sup_cache is not locked, so a threaded
 * caller (the webhook) keeps one per thread or serializes access to it. */
#ifndef PAL_SUPPLY_SUPPLY_H
#define PAL_SUPPLY_SUPPLY_H

#include "image.h"
#include "policy.h"
#include "sigs.h"

#include <stdbool.h>
#include <stdint.h>

struct sup_verdict {
	bool allow;
	bool cached;
	char reason[1024];
	char scope[256];		  /* the scope that matched ("default" if none did) */
	char keys[256];			  /* names of the keys whose signatures counted */
	char fingerprint[SUP_DIGEST_MAX]; /* the first of those keys */
	char signature[64];		  /* the kind of the first counted signature */
	char digest[SUP_DIGEST_MAX];	  /* the manifest digest judged */
	int64_t decided_at;		  /* unix seconds */
	int64_t expires;		  /* a cached verdict is not used after this */
};

struct sup_verify_opts {
	const struct sup_sigset *extra; /* signatures given on the command line */
	bool only_extra;		/* judge only those (verify --signature) */
	const char *signature_store;	/* overrides the policy's */
	int64_t now;			/* 0: the current time */
};

int sup_verify_image(const struct sup_policy *p, const struct sup_image *img, struct sup_verdict *v,
		     struct pal_err *err);
int sup_verify_image_opts(const struct sup_policy *p, const struct sup_image *img,
			  const struct sup_verify_opts *opts, struct sup_verdict *v,
			  struct pal_err *err);

/* Verdict cache keyed by (policy generation, manifest digest, scope): in
 * memory, and on disk under dir when dir is given (entries authenticated with
 * HMAC-SHA256 under a per-directory secret, dir owned by us and not writable
 * by others). A policy or key change makes a new generation, so old entries
 * are never looked up again; each entry also expires (policy cache.ttl, and no
 * later than the not_after of a key it relied on). Only allow verdicts are
 * cached: a denial is evaluated again next time. */
struct sup_cache;
int sup_cache_open(const char *dir, struct sup_cache **out, struct pal_err *err);
void sup_cache_close(struct sup_cache *c);
/* Drops every entry (memory and disk). */
int sup_cache_clear(struct sup_cache *c, struct pal_err *err);
bool sup_cache_get(struct sup_cache *c, const unsigned char key[32], int64_t now,
		   struct sup_verdict *v);
void sup_cache_put(struct sup_cache *c, const unsigned char key[32], const struct sup_verdict *v);
void sup_cache_key(const char *generation, const char *digest, const char *scope,
		   unsigned char key[32]);

/* Verification through the cache (c may be NULL). */
int sup_verify_image_cached(struct sup_cache *c, const struct sup_policy *p,
			    const struct sup_image *img, struct sup_verdict *v,
			    struct pal_err *err);

#endif
