/* The trust policy: the `trust:` section of /etc/palisade/policy.yaml (the
 * same file carries `hardening:` and `admission:`, read elsewhere).
 *
 * Scopes name images like containers-policy.json does: an exact reference
 * (host/repo:tag or host/repo@digest), a repository, a namespace, a registry
 * host, a wildcard host (*.example.com), an OCI layout path (/dir[:tag]),
 * and `default`. The most specific scope that matches wins; all of its
 * requirements must hold. See docs/trust.md. */
#ifndef PAL_SUPPLY_POLICY_H
#define PAL_SUPPLY_POLICY_H

#include "digest.h"
#include "image.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdint.h>

#define SUP_DEFAULT_POLICY_PATH "/etc/palisade/policy.yaml"
#define SUP_DEFAULT_SIG_STORE	"/var/lib/palisade/signatures"
#define SUP_DEFAULT_CACHE_DIR	"/var/lib/palisade/cache"
#define SUP_DEFAULT_REPORTS_DIR "/var/lib/palisade/reports"
#define SUP_DEFAULT_CACHE_TTL	300

enum sup_req_type { SUP_REQ_REJECT = 1, SUP_REQ_ACCEPT, SUP_REQ_SIGNED, SUP_REQ_VULNS };

enum sup_sev {
	SUP_SEV_CRITICAL = 0,
	SUP_SEV_HIGH,
	SUP_SEV_MEDIUM,
	SUP_SEV_LOW,
	SUP_SEV_UNKNOWN,
	SUP_SEV_COUNT
};
const char *sup_sev_name(enum sup_sev s);

struct sup_req {
	enum sup_req_type type;
	unsigned line, col;
	/* signed */
	size_t *keys; /* indexes into sup_policy.keys */
	size_t n_keys;
	unsigned threshold;
	/* vulnerabilities */
	int64_t max[SUP_SEV_COUNT]; /* -1: no limit */
	bool fixable_only;
	char *reports_dir;
};

struct sup_scope {
	char *name;
	unsigned line;
	struct sup_req *reqs;
	size_t n_reqs;
};

struct sup_policy_key {
	char *name;
	EVP_PKEY *pkey;
	char fingerprint[SUP_DIGEST_MAX];
	int64_t not_before; /* unix seconds; INT64_MIN: none */
	int64_t not_after;  /* INT64_MAX: none */
	bool revoked;
};

struct sup_policy {
	char *path;
	bool has_trust; /* false: no trust section, everything is accepted */
	struct sup_policy_key *keys;
	size_t n_keys;
	char **revoked; /* fingerprints */
	struct sup_scope *scopes;
	size_t n_scopes;
	struct sup_scope deflt;
	char *signature_store;
	char *reports_dir;
	char *cache_dir;
	int64_t cache_ttl;
	char generation[SUP_DIGEST_MAX]; /* changes whenever the policy or a key does */
};

int sup_policy_load(const char *path, struct sup_policy **out, struct pal_err *err);
/* base_dir resolves relative key paths (NULL: the current directory). */
int sup_policy_load_buffer(const char *name, const char *data, size_t len, const char *base_dir,
			   struct sup_policy **out, struct pal_err *err);
void sup_policy_free(struct sup_policy *p);

/* A policy that requires a signature by the key in pub_path for every image
 * (what `palisade verify --key` checks). */
int sup_policy_for_key(const char *pub_path, struct sup_policy **out, struct pal_err *err);

/* The scope that governs img. */
const struct sup_scope *sup_policy_match(const struct sup_policy *p, const struct sup_image *img);

/* Parses "2026-01-01T00:00:00Z" (or with a +hh:mm offset). */
int sup_parse_time(const char *s, int64_t *out);

#endif
