/* The decision of the Kubernetes webhook for one AdmissionReview: Pod
 * Security Standards at the namespace's enforce level (violations deny) and
 * warn level (findings become warnings), and image trust for every image of
 * the pod.
 *
 * Image trust without registry access: an image in a Pod is a registry
 * reference. Scope rules (reject / accept) apply by reference alone. A scope
 * that requires signatures or vulnerability reports needs the image's digest
 * in the reference (name@sha256:...): its signatures are looked up by that
 * digest in the policy's signature store (trust.signature_store, an OCI
 * layout; `palisade sign` writes there), its reports in trust.reports_dir.
 * A reference without a digest in such a scope is denied with that reason.
 * Verdicts for digests are cached in memory (trust.cache.ttl). */
#ifndef PAL_ADMIT_WEBHOOK_H
#define PAL_ADMIT_WEBHOOK_H

#include "policy.h"
#include "result.h"
#include "review.h"
#include "supply/supply.h"

#include <pthread.h>

struct adm_webhook {
	struct adm_policy *policy;
	struct sup_policy *trust;
	struct sup_cache *cache;
	pthread_mutex_t lock; /* the cache is not thread-safe */
};

/* Loads the admission and trust sections of one policy file (NULL: the
 * built-in defaults and no trust section, i.e. every image accepted). */
int adm_webhook_init(struct adm_webhook *w, const char *policy_path, struct pal_err *err);
void adm_webhook_free(struct adm_webhook *w);

struct adm_image_verdict {
	char *image;
	bool allow;
	bool cached;
	char *reason;
	char *scope;
};

struct adm_decision {
	bool allowed;
	bool checked; /* false: nothing to check (kind, operation, exempt namespace, mode off) */
	const char *skipped; /* why nothing was checked */
	char *message;	     /* status.message when denied */
	char **warnings;     /* NULL-terminated */
	enum adm_level enforce, warn;
	struct adm_result violations; /* Pod Security findings at the enforce level */
	struct adm_image_verdict *images;
	size_t n_images;
};

int adm_webhook_decide(struct adm_webhook *w, const struct adm_review *r, struct adm_decision *d);
void adm_decision_free(struct adm_decision *d);

/* One image against the trust policy (locks w->lock around the cache). */
void adm_webhook_check_image(struct adm_webhook *w, const char *image, struct adm_image_verdict *v);

/* The AdmissionReview v1 response: response.uid = request.uid, allowed,
 * status {code 403, reason Forbidden, message} when denied, warnings. */
json_t *adm_review_response(const struct adm_review *r, const struct adm_decision *d);

/* The decision as a log record (one JSON line per request). */
json_t *adm_decision_log(const struct adm_review *r, const struct adm_decision *d);

#endif
