/* palisade-trust.so: image trust and audit records for palisade-runtime
 * (see runtime/trust_plugin.h for why this is a plugin). */
#include "runtime/trust_plugin.h"
#include "admit/webhook.h"
#include "output/audit.h"
#include "supply/cstore.h"
#include "supply/supply.h"
#include "common/cleanup.h"
#include "common/jsonutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pal_trust_check(const struct pal_trust_request *req, struct pal_trust_reply *reply,
		    struct pal_err *err);
int pal_trust_audit(const char *path, const char *type, const char *payload_json,
		    struct pal_err *err);

static int load_policy(const struct pal_trust_request *req, struct sup_policy **out,
		       struct pal_err *err)
{
	_cleanup_free_ char *dir = pal_xstrdup(req->policy_path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return sup_policy_load_buffer(req->policy_path, req->policy_text, req->policy_len,
				      slash ? (dir[0] ? dir : "/") : ".", out, err);
}

/* The image as this host can open it: palisade run's reference, or the one
 * podman's containers-storage records for this container. */
static int open_image(const struct pal_trust_request *req, struct sup_image **img,
		      struct pal_err *err)
{
	if (req->image_ref && req->image_digest)
		return sup_image_open(req->image_ref, img, err);
	_cleanup_free_ char *image_id = NULL;
	struct pal_err e = {0};
	if (sup_cstore_container_image(req->storage_root, req->container_id, &image_id, &e) < 0 ||
	    !image_id)
		return -ENOENT;
	_cleanup_free_ char *ref = pal_xasprintf("containers-storage:%s", image_id);
	return sup_image_open(ref, img, err);
}

static int judge_opened(const struct pal_trust_request *req, struct sup_policy *trust,
			struct sup_image *img, struct pal_trust_reply *reply, struct pal_err *err)
{
	struct sup_cache *cache = NULL;
	struct pal_err ce = {0};
	if (sup_cache_open(trust->cache_dir, &cache, &ce) < 0)
		pal_debug("verification cache: %s", ce.msg);
	struct sup_verdict sv;
	int r = sup_verify_image_cached(cache, trust, img, &sv, err);
	sup_cache_close(cache);
	snprintf(reply->image, sizeof(reply->image), "%s",
		 img->reference ? img->reference : sup_image_name(img));
	snprintf(reply->digest, sizeof(reply->digest), "%s", img->manifest_digest);
	if (r < 0)
		return pal_err_prefix(err, "cannot verify %s", reply->image);
	reply->allow = sv.allow;
	reply->cached = sv.cached;
	snprintf(reply->scope, sizeof(reply->scope), "%s", sv.scope);
	snprintf(reply->reason, sizeof(reply->reason), "%s", sv.reason);
	if (req->image_digest && strcmp(req->image_digest, img->manifest_digest) != 0) {
		reply->allow = 0;
		snprintf(reply->reason, sizeof(reply->reason),
			 "the image now has digest %s, not the %s the container was made from",
			 img->manifest_digest, req->image_digest);
	}
	return 0;
}

/* Only a name (CRI), or nothing at all: judged by reference. */
static void judge_named(const struct pal_trust_request *req, struct sup_policy *trust,
			struct pal_trust_reply *reply)
{
	const char *ref = req->image_ref ? req->image_ref : req->named_ref;
	struct adm_webhook w;
	memset(&w, 0, sizeof(w));
	pthread_mutex_init(&w.lock, NULL);
	w.trust = trust;
	struct adm_image_verdict iv = {0};
	adm_webhook_check_image(&w, ref ? ref : "<unknown image>", &iv);
	pthread_mutex_destroy(&w.lock);
	sup_cache_close(w.cache);
	snprintf(reply->image, sizeof(reply->image), "%s", ref ? ref : "<unknown image>");
	snprintf(reply->scope, sizeof(reply->scope), "%s", iv.scope ? iv.scope : "");
	snprintf(reply->reason, sizeof(reply->reason), "%s%s",
		 iv.reason ? iv.reason : (iv.allow ? "" : "not trusted"),
		 ref ? "" : " (the runtime knows no image for this container)");
	reply->allow = iv.allow;
	free(iv.image);
	free(iv.reason);
	free(iv.scope);
}

__attribute__((visibility("default"))) int
pal_trust_check(const struct pal_trust_request *req, struct pal_trust_reply *reply,
		struct pal_err *err)
{
	memset(reply, 0, sizeof(*reply));
	if (req->abi != PAL_TRUST_ABI)
		return pal_err_set(err, EPROTO, "palisade-trust.so: ABI %d, the runtime speaks %d",
				   PAL_TRUST_ABI, req->abi);
	struct sup_policy *trust = NULL;
	int r = load_policy(req, &trust, err);
	if (r < 0)
		return r;
	if (!trust->has_trust) {
		reply->allow = 1;
		sup_policy_free(trust);
		return 0;
	}
	struct sup_image *img = NULL;
	struct pal_err oe = {0};
	if (open_image(req, &img, &oe) == 0) {
		r = judge_opened(req, trust, img, reply, err);
		sup_image_close(img);
	} else {
		judge_named(req, trust, reply);
		r = 0;
	}
	sup_policy_free(trust);
	return r;
}

__attribute__((visibility("default"))) int pal_trust_audit(const char *path, const char *type,
							   const char *payload_json,
							   struct pal_err *err)
{
	_cleanup_json_ json_t *payload =
		pal_json_load_buffer("audit payload", payload_json, strlen(payload_json), err);
	if (!payload)
		return -EINVAL;
	struct out_audit_opts o = {.path = path};
	struct out_audit *a = NULL;
	int r = out_audit_open(&o, &a, err);
	if (r == 0)
		r = out_audit_append(a, type, payload, NULL, err);
	if (a)
		out_audit_close(a);
	return r;
}
