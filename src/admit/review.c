#include "review.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <string.h>

static const struct {
	const char *group, *kind;
	enum adm_kind k;
	const char *path; /* where the PodSpec is, dot-separated */
} kinds[] = {
    {"", "Pod", ADM_KIND_POD, "spec"},
    {"apps", "Deployment", ADM_KIND_DEPLOYMENT, "spec.template.spec"},
    {"apps", "ReplicaSet", ADM_KIND_REPLICASET, "spec.template.spec"},
    {"apps", "StatefulSet", ADM_KIND_STATEFULSET, "spec.template.spec"},
    {"apps", "DaemonSet", ADM_KIND_DAEMONSET, "spec.template.spec"},
    {"batch", "Job", ADM_KIND_JOB, "spec.template.spec"},
    {"batch", "CronJob", ADM_KIND_CRONJOB, "spec.jobTemplate.spec.template.spec"},
    {"", "ReplicationController", ADM_KIND_REPLICATIONCONTROLLER, "spec.template.spec"},
    {"", "PodTemplate", ADM_KIND_PODTEMPLATE, "template.spec"},
};

const char *adm_kind_name(enum adm_kind k)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (kinds[i].k == k)
			return kinds[i].kind;
	return "other";
}

void adm_review_free(struct adm_review *r)
{
	json_decref(r->root);
	memset(r, 0, sizeof(*r));
}

static int get_str(json_t *obj, const char *path, const char *key, bool required, const char **out,
		   struct pal_err *err)
{
	const char *s = NULL;
	int rc = pal_json_opt_string(obj, path, key, &s, err);
	if (rc < 0)
		return rc;
	if (!s && required)
		return pal_err_set(err, EINVAL, "%s.%s: missing", path, key);
	*out = s ? s : "";
	return 0;
}

/* Follows a dot-separated path of objects from obj. A missing step or one
 * that is not an object is an error naming the path walked so far. */
static int walk(json_t *obj, const char *base, const char *path, json_t **out, struct pal_err *err)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", path);
	char where[256];
	snprintf(where, sizeof(where), "%s", base);
	json_t *cur = obj;
	char *save = NULL;
	for (char *step = strtok_r(buf, ".", &save); step; step = strtok_r(NULL, ".", &save)) {
		size_t n = strlen(where);
		snprintf(where + n, sizeof(where) - n, ".%s", step);
		json_t *next = json_object_get(cur, step);
		if (!next || json_is_null(next))
			return pal_err_set(err, EINVAL, "%s: missing", where);
		if (!json_is_object(next))
			return pal_err_set(err, EINVAL, "%s: must be an object", where);
		cur = next;
	}
	*out = cur;
	return 0;
}

static int locate_pod(struct adm_review *r, struct pal_err *err)
{
	const char *path = NULL;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(kinds[i].kind, r->kind) && !strcmp(kinds[i].group, r->group)) {
			r->k = kinds[i].k;
			path = kinds[i].path;
		}
	}
	if (!path || !r->object)
		return 0;
	/* Only the object itself and kubectl debug's ephemeral containers carry
	 * a pod to check; status and other subresources do not change it. */
	if (*r->sub_resource &&
	    !(r->k == ADM_KIND_POD && !strcmp(r->sub_resource, "ephemeralcontainers")))
		return 0;
	if (strcmp(r->operation, "CREATE") != 0 && strcmp(r->operation, "UPDATE") != 0)
		return 0;
	json_t *spec = NULL;
	int rc = walk(r->object, "request.object", path, &spec, err);
	if (rc < 0)
		return pal_err_prefix(err, "a %s must carry a pod %s", r->kind,
				      r->k == ADM_KIND_POD ? "spec" : "template");
	/* Real pods have a handful of containers; a forged review with
	 * thousands must not cost quadratic time (images are deduplicated). */
	size_t containers = 0;
	static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
	for (size_t i = 0; i < 3; i++)
		containers += json_array_size(json_object_get(spec, lists[i]));
	if (containers > ADM_REVIEW_MAX_CONTAINERS)
		return pal_err_set(
		    err, EINVAL,
		    "request.object.%s: %zu containers, more than the %d this webhook "
		    "checks",
		    path, containers, ADM_REVIEW_MAX_CONTAINERS);
	r->pod_spec = spec;
	r->spec_path = path;
	/* the metadata beside the spec: the object's, or its template's */
	const char *last = strrchr(path, '.');
	json_t *holder = r->object;
	if (last) {
		char parent[128];
		snprintf(parent, sizeof(parent), "%.*s", (int)(last - path), path);
		if ((rc = walk(r->object, "request.object", parent, &holder, err)) < 0)
			return rc;
	}
	json_t *meta = json_object_get(holder, "metadata");
	if (meta && !json_is_null(meta) && !json_is_object(meta))
		return pal_err_set(err, EINVAL,
				   "request.object: the pod's metadata must be an object");
	r->pod_meta = json_is_object(meta) ? meta : NULL;
	return 0;
}

int adm_review_parse(const char *data, size_t len, struct adm_review *r, struct pal_err *err)
{
	memset(r, 0, sizeof(*r));
	if (len > ADM_REVIEW_MAX_BYTES)
		return pal_err_set(err, EFBIG, "AdmissionReview larger than %u bytes",
				   ADM_REVIEW_MAX_BYTES);
	r->root = pal_json_load_buffer("AdmissionReview", data, len, err);
	if (!r->root)
		return -EINVAL;
	int rc;
	const char *api = NULL, *kind = NULL;
	if (!json_is_object(r->root)) {
		rc = pal_err_set(err, EINVAL, "an AdmissionReview must be a JSON object");
		goto fail;
	}
	if ((rc = get_str(r->root, "AdmissionReview", "apiVersion", true, &api, err)) < 0 ||
	    (rc = get_str(r->root, "AdmissionReview", "kind", true, &kind, err)) < 0)
		goto fail;
	if (strcmp(api, ADM_REVIEW_API_VERSION) != 0) {
		rc = pal_err_set(err, EINVAL,
				 "apiVersion is '%s': this webhook serves %s (set "
				 "admissionReviewVersions: [v1])",
				 api, ADM_REVIEW_API_VERSION);
		goto fail;
	}
	if (strcmp(kind, "AdmissionReview") != 0) {
		rc = pal_err_set(err, EINVAL, "kind is '%s', not AdmissionReview", kind);
		goto fail;
	}
	json_t *req = NULL, *rkind = NULL, *user = NULL;
	if ((rc = pal_json_opt_object(r->root, "AdmissionReview", "request", &req, err)) < 0)
		goto fail;
	if (!req) {
		rc = pal_err_set(err, EINVAL, "request: missing");
		goto fail;
	}
	if ((rc = get_str(req, "request", "uid", true, &r->uid, err)) < 0)
		goto fail;
	if (!*r->uid || strlen(r->uid) > 256) {
		rc = pal_err_set(err, EINVAL, "request.uid: must be 1 to 256 characters");
		goto fail;
	}
	if ((rc = pal_json_opt_object(req, "request", "kind", &rkind, err)) < 0)
		goto fail;
	if (!rkind) {
		rc = pal_err_set(err, EINVAL, "request.kind: missing");
		goto fail;
	}
	if ((rc = get_str(rkind, "request.kind", "kind", true, &r->kind, err)) < 0 ||
	    (rc = get_str(rkind, "request.kind", "group", false, &r->group, err)) < 0 ||
	    (rc = get_str(rkind, "request.kind", "version", false, &r->version, err)) < 0 ||
	    (rc = get_str(req, "request", "operation", true, &r->operation, err)) < 0 ||
	    (rc = get_str(req, "request", "namespace", false, &r->namespace, err)) < 0 ||
	    (rc = get_str(req, "request", "name", false, &r->name, err)) < 0 ||
	    (rc = get_str(req, "request", "subResource", false, &r->sub_resource, err)) < 0 ||
	    (rc = pal_json_opt_bool(req, "request", "dryRun", &r->dry_run, err)) < 0 ||
	    (rc = pal_json_opt_object(req, "request", "userInfo", &user, err)) < 0 ||
	    (rc = get_str(user, "request.userInfo", "username", false, &r->user, err)) < 0)
		goto fail;
	static const char *const ops[] = {"CREATE", "UPDATE", "DELETE", "CONNECT"};
	bool op_ok = false;
	for (size_t i = 0; i < 4; i++)
		op_ok |= !strcmp(r->operation, ops[i]);
	if (!op_ok) {
		rc = pal_err_set(err, EINVAL,
				 "request.operation: '%s' is not CREATE, UPDATE, DELETE or CONNECT",
				 r->operation);
		goto fail;
	}
	json_t *obj = json_object_get(req, "object");
	if (obj && !json_is_null(obj)) {
		if (!json_is_object(obj)) {
			rc = pal_err_set(err, EINVAL, "request.object: must be an object");
			goto fail;
		}
		r->object = obj;
	}
	if (!*r->name && r->object) {
		json_t *meta = json_object_get(r->object, "metadata");
		const char *n = json_string_value(json_object_get(meta, "name"));
		const char *gen = json_string_value(json_object_get(meta, "generateName"));
		r->name = n ? n : gen ? gen : "";
	}
	if ((rc = locate_pod(r, err)) < 0)
		goto fail;
	return 0;
fail:
	adm_review_free(r);
	return rc < 0 ? rc : -EINVAL;
}

char **adm_review_images(const struct adm_review *r)
{
	char **v = pal_xcalloc(1, sizeof(char *));
	static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers"};
	for (size_t l = 0; r->pod_spec && l < 3; l++) {
		size_t i;
		json_t *ct;
		json_array_foreach(json_object_get(r->pod_spec, lists[l]), i, ct)
		{
			const char *img = json_string_value(json_object_get(ct, "image"));
			if (img && !pal_strv_contains(v, img))
				pal_strv_push(&v, img);
		}
	}
	return v;
}
