/* Image trust for references found in Pods (see webhook.h). The supply
 * module judges images it opened from a layout or containers-storage; here
 * the image is only a name, so it is presented to the trust policy as a
 * containers-storage image of that name and digest: scopes match the
 * reference, and signatures come from the signature store by digest. */
#include "webhook.h"
#include "scope.h"
#include "common/cleanup.h"
#include "common/strutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int adm_webhook_init(struct adm_webhook *w, const char *policy_path, struct pal_err *err)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	int r;
	if (!policy_path) {
		w->policy = adm_policy_new();
		return 0;
	}
	if ((r = adm_policy_load(policy_path, &w->policy, err)) < 0 ||
	    (r = sup_policy_load(policy_path, &w->trust, err)) < 0 ||
	    (r = sup_cache_open(NULL, &w->cache, err)) < 0) {
		adm_webhook_free(w);
		return r;
	}
	return 0;
}

void adm_webhook_free(struct adm_webhook *w)
{
	adm_policy_free(w->policy);
	sup_policy_free(w->trust);
	sup_cache_close(w->cache);
	pthread_mutex_destroy(&w->lock);
	memset(w, 0, sizeof(*w));
}

static void set(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set(char **dst, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(*dst);
	if (vasprintf(dst, fmt, ap) < 0)
		abort();
	va_end(ap);
}

/* A scope whose requirements can only be judged with the image's digest. */
static bool needs_digest(const struct sup_scope *s)
{
	for (size_t i = 0; i < s->n_reqs; i++) {
		if (s->reqs[i].type == SUP_REQ_REJECT)
			return false; /* rejected by name, whatever the digest */
		if (s->reqs[i].type == SUP_REQ_SIGNED || s->reqs[i].type == SUP_REQ_VULNS)
			return true;
	}
	return false;
}

/* The manifest bytes, when the signature store holds them, so that sigstore
 * message signatures (made over the manifest) can be checked too. */
static void load_manifest(const struct sup_policy *p, struct sup_image *img)
{
	if (!p->signature_store || !sup_layout_is_layout(p->signature_store))
		return;
	struct sup_layout l;
	struct pal_err err = {0};
	if (sup_layout_open(p->signature_store, SUP_LAYOUT_READ, &l, &err) < 0)
		return;
	char *data = NULL;
	size_t len = 0;
	if (sup_layout_read_blob(&l, img->manifest_digest, -1, 4u << 20, &data, &len, &err) == 0) {
		img->manifest = data;
		img->manifest_len = len;
	}
	sup_layout_close(&l);
}

void adm_webhook_check_image(struct adm_webhook *w, const char *image, struct adm_image_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->image = pal_xstrdup(image);
	struct adm_ref ref;
	char why[512];
	if (adm_ref_parse(image, &ref, why, sizeof(why)) < 0) {
		set(&v->reason, "not a valid image reference: %s", why);
		return;
	}
	if (!w->trust || !w->trust->has_trust) {
		v->allow = true;
		set(&v->reason, "no trust section: every image is accepted");
		adm_ref_free(&ref);
		return;
	}
	struct sup_image img = {0};
	img.source = SUP_IMAGE_CSTORE; /* signatures from the signature store only */
	img.ref = (char *)image;
	img.reference = ref.full;
	if (ref.digest)
		snprintf(img.manifest_digest, sizeof(img.manifest_digest), "%s", ref.digest);
	const struct sup_scope *s = sup_policy_match(w->trust, &img);
	v->scope = pal_xstrdup(s->name);
	if (!ref.digest && needs_digest(s)) {
		set(&v->reason,
		    "scope %s requires signatures or vulnerability reports, which can only be "
		    "checked for a digest: pin the image as %s@sha256:<digest>",
		    s->name, ref.repo);
		adm_ref_free(&ref);
		return;
	}
	struct sup_verdict verdict;
	struct pal_err err = {0};
	int rc;
	if (ref.digest) {
		load_manifest(w->trust, &img);
		pthread_mutex_lock(&w->lock);
		rc = sup_verify_image_cached(w->cache, w->trust, &img, &verdict, &err);
		pthread_mutex_unlock(&w->lock);
		free(img.manifest);
	} else {
		rc = sup_verify_image(w->trust, &img, &verdict, &err);
	}
	v->allow = rc == 0 && verdict.allow;
	v->cached = rc == 0 && verdict.cached;
	if (rc < 0)
		set(&v->reason, "verification failed: %s", err.msg);
	else
		set(&v->reason, "%s", verdict.reason);
	adm_ref_free(&ref);
}
