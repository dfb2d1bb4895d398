#include "runtime/admission.h"
#include "runtime/policy.h"
#include "admit/oci_check.h"
#include "admit/policy.h"
#include "admit/result.h"
#include "admit/webhook.h"
#include "output/audit.h"
#include "supply/cstore.h"
#include "supply/supply.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void rt_admission_verdict_free(struct rt_admission_verdict *v)
{
	free(v->image);
	free(v->digest);
	if (v->record)
		json_decref(v->record);
	memset(v, 0, sizeof(*v));
}

static int check_config(const struct rt_admission *in, const char *image, json_t *rec,
			struct pal_err *err)
{
	struct adm_policy *p = adm_policy_new();
	int r = in->policy->yaml ? adm_policy_parse_yaml(in->policy->yaml, p, err) : 0;
	if (r < 0) {
		adm_policy_free(p);
		return r;
	}
	struct adm_result res;
	adm_result_init(&res);
	struct adm_oci_input oi = {.image_ref = image, .container_id = in->id};
	r = adm_check_oci_config_ex(p, in->cfg, &oi, &res);
	json_object_set_new(rec, "config", adm_result_json(&res));
	if (adm_result_count(&res) > 0) {
		_cleanup_free_ char *why = adm_result_join(&res, "; ");
		if (r == -EPERM)
			pal_err_set(err, EPERM, "admission denied the config: %s", why);
		else
			pal_warn("admission (warn mode) for container %s: %s", in->id, why);
	}
	adm_result_free(&res);
	adm_policy_free(p);
	return r;
}

/* The image as the runtime can open it: palisade run's reference, or the one
 * podman's containers-storage records for this container. */
static int open_image(const struct rt_admission *in, struct sup_image **img, struct pal_err *err)
{
	if (in->image_ref && in->image_digest)
		return sup_image_open(in->image_ref, img, err);
	_cleanup_free_ char *image_id = NULL;
	struct pal_err e = {0};
	if (sup_cstore_container_image(getenv("PALISADE_STORAGE_ROOT"), in->id, &image_id, &e) < 0 ||
	    !image_id)
		return -ENOENT;
	_cleanup_free_ char *ref = pal_xasprintf("containers-storage:%s", image_id);
	return sup_image_open(ref, img, err);
}

static int check_image(const struct rt_admission *in, struct rt_admission_verdict *v, json_t *rec,
		       struct pal_err *err)
{
	const struct rt_policy_file *pf = in->policy;
	/* Most nodes have no trust section: skip the whole image machinery. */
	if (!rt_policy_file_has(pf, "trust"))
		return 0;
	_cleanup_free_ char *dir = pal_xstrdup(pf->path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	struct sup_policy *trust = NULL;
	int r = sup_policy_load_buffer(pf->path, pf->text, pf->len,
				       slash ? (dir[0] ? dir : "/") : ".", &trust, err);
	if (r < 0)
		return r;
	if (!trust->has_trust) {
		sup_policy_free(trust);
		return 0;
	}
	struct sup_image *img = NULL;
	struct pal_err oe = {0};
	r = open_image(in, &img, &oe);
	json_t *ji = json_object();
	if (r == 0) {
		struct sup_cache *cache = NULL;
		struct pal_err ce = {0};
		if (sup_cache_open(trust->cache_dir, &cache, &ce) < 0)
			pal_debug("verification cache: %s", ce.msg);
		struct sup_verdict sv;
		r = sup_verify_image_cached(cache, trust, img, &sv, err);
		sup_cache_close(cache);
		v->image = pal_xstrdup(sup_image_name(img));
		v->digest = pal_xstrdup(img->manifest_digest);
		if (r == 0 && in->image_digest && strcmp(in->image_digest, img->manifest_digest)) {
			sv.allow = false;
			snprintf(sv.reason, sizeof(sv.reason),
				 "the image now has digest %s, not the %s the container was made from",
				 img->manifest_digest, in->image_digest);
		}
		json_object_set_new(ji, "allow", json_boolean(r == 0 && sv.allow));
		json_object_set_new(ji, "reason", json_string(r == 0 ? sv.reason : err->msg));
		json_object_set_new(ji, "scope", json_string(r == 0 ? sv.scope : ""));
		json_object_set_new(ji, "cached", json_boolean(r == 0 && sv.cached));
		if (r == 0 && !sv.allow)
			r = pal_err_set(err, EPERM, "image trust denied %s (%s): %s", v->image,
					v->digest, sv.reason);
		else if (r < 0)
			pal_err_prefix(err, "image trust: cannot verify %s", v->image);
		sup_image_close(img);
	} else {
		/* Only a name (CRI), or nothing at all: judged by reference. */
		const char *ref = in->image_ref ? in->image_ref : adm_config_image_ref(in->cfg);
		struct adm_webhook w;
		memset(&w, 0, sizeof(w));
		pthread_mutex_init(&w.lock, NULL);
		w.trust = trust;
		struct adm_image_verdict iv = {0};
		adm_webhook_check_image(&w, ref ? ref : "<unknown image>", &iv);
		pthread_mutex_destroy(&w.lock);
		sup_cache_close(w.cache);
		v->image = pal_xstrdup(ref ? ref : "<unknown image>");
		json_object_set_new(ji, "allow", json_boolean(iv.allow));
		json_object_set_new(ji, "reason", json_string(iv.reason ? iv.reason : ""));
		json_object_set_new(ji, "scope", json_string(iv.scope ? iv.scope : ""));
		r = 0;
		if (!iv.allow)
			r = pal_err_set(err, EPERM, "image trust denied %s: %s%s", v->image,
					iv.reason ? iv.reason : "not trusted",
					ref ? "" : " (the runtime knows no image for this container)");
		free(iv.image);
		free(iv.reason);
		free(iv.scope);
	}
	json_object_set_new(ji, "image", json_string(v->image ? v->image : ""));
	if (v->digest)
		json_object_set_new(ji, "digest", json_string(v->digest));
	json_object_set_new(rec, "image", ji);
	sup_policy_free(trust);
	return r;
}

int rt_admission_check(const struct rt_admission *in, struct rt_admission_verdict *v,
		       struct pal_err *err)
{
	memset(v, 0, sizeof(*v));
	const char *path = in->policy->path;
	v->record = json_pack("{s:s, s:s}", "container", in->id, "policy",
			      path ? path : "built-in defaults");
	const char *image = in->image_ref ? in->image_ref : adm_config_image_ref(in->cfg);
	int r = check_config(in, image, v->record, err);
	if (r == 0)
		r = check_image(in, v, v->record, err);
	json_object_set_new(v->record, "decision", json_string(r == 0 ? "allow" : "deny"));
	if (r < 0)
		json_object_set_new(v->record, "reason", json_string(err->msg));
	return r;
}

void rt_admission_audit(const struct rt_admission_verdict *v)
{
	const char *path = getenv("PALISADE_AUDIT_LOG");
	struct out_audit_opts o = {.path = path && *path ? path : NULL};
	struct out_audit *a = NULL;
	struct pal_err e = {0};
	if (out_audit_open(&o, &a, &e) < 0 || out_audit_append(a, "admission", v->record, NULL, &e) < 0)
		pal_warn("audit log: %s", e.msg);
	if (a)
		out_audit_close(a);
}
