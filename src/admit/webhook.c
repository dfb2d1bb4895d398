#include "webhook.h"
#include "pss.h"
#include "common/cleanup.h"
#include "common/strutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void adm_decision_free(struct adm_decision *d)
{
	free(d->message);
	pal_strv_free(d->warnings);
	adm_result_free(&d->violations);
	for (size_t i = 0; i < d->n_images; i++) {
		free(d->images[i].image);
		free(d->images[i].reason);
		free(d->images[i].scope);
	}
	free(d->images);
	memset(d, 0, sizeof(*d));
}

static bool has_message(const struct adm_result *r, const char *msg)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].message, msg))
			return true;
	return false;
}

static void warn(struct adm_decision *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(struct adm_decision *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	pal_strv_push(&d->warnings, s);
	free(s);
}

static void check_pod_security(const struct adm_review *r, struct adm_decision *d, bool warn_only)
{
	adm_pss_check(r->pod_meta, r->pod_spec, d->enforce, &d->violations);
	for (size_t i = 0; warn_only && i < d->violations.n; i++)
		warn(d, "would violate PodSecurity \"%s:%s\": %s", adm_level_name(d->enforce),
		     ADM_PSS_VERSION, d->violations.v[i].message);
	if (d->warn <= d->enforce)
		return;
	struct adm_result extra;
	adm_result_init(&extra);
	adm_pss_check(r->pod_meta, r->pod_spec, d->warn, &extra);
	for (size_t i = 0; i < extra.n; i++)
		if (!has_message(&d->violations, extra.v[i].message))
			warn(d, "would violate PodSecurity \"%s:%s\": %s", adm_level_name(d->warn),
			     ADM_PSS_VERSION, extra.v[i].message);
	adm_result_free(&extra);
}

static void check_images(struct adm_webhook *w, const struct adm_review *r, struct adm_decision *d,
			 struct pal_buf *denials, bool warn_only)
{
	if (w->policy->k8s.image_trust == ADM_MODE_OFF)
		return;
	_cleanup_strv_ char **images = adm_review_images(r);
	size_t n = pal_strv_len(images);
	d->images = pal_xcalloc(n ? n : 1, sizeof(*d->images));
	for (size_t i = 0; i < n; i++) {
		struct adm_image_verdict *v = &d->images[d->n_images++];
		adm_webhook_check_image(w, images[i], v);
		if (v->allow)
			continue;
		if (warn_only || w->policy->k8s.image_trust == ADM_MODE_WARN)
			warn(d, "image \"%s\" would be denied: %s", v->image, v->reason);
		else
			pal_buf_printf(denials, "%simage \"%s\" is not trusted: %s",
				       denials->len ? "; " : "", v->image, v->reason);
	}
}

int adm_webhook_decide(struct adm_webhook *w, const struct adm_review *r, struct adm_decision *d)
{
	memset(d, 0, sizeof(*d));
	d->warnings = pal_xcalloc(1, sizeof(char *));
	d->allowed = true;
	const struct adm_policy *p = w->policy;
	bool exempt = false;
	adm_k8s_levels(p, r->namespace, &d->enforce, &d->warn, &exempt);
	if (p->mode == ADM_MODE_OFF) {
		d->skipped = "admission.mode is off";
		return 0;
	}
	if (!r->pod_spec) {
		d->skipped = r->k == ADM_KIND_OTHER ? "not a kind that carries a pod"
						    : "no pod to check for this operation";
		return 0;
	}
	if (exempt) {
		d->skipped = "namespace is exempt";
		return 0;
	}
	d->checked = true;
	bool warn_only = p->mode == ADM_MODE_WARN;
	check_pod_security(r, d, warn_only);
	struct pal_buf denials;
	pal_buf_init(&denials);
	pal_buf_puts(&denials, "");
	if (!warn_only && d->violations.n) {
		pal_buf_printf(&denials,
			       "violates PodSecurity \"%s:%s\": ", adm_level_name(d->enforce),
			       ADM_PSS_VERSION);
		for (size_t i = 0; i < d->violations.n; i++)
			pal_buf_printf(&denials, "%s%s", i ? ", " : "", d->violations.v[i].message);
	}
	check_images(w, r, d, &denials, warn_only);
	if (denials.len) {
		d->allowed = false;
		d->message = pal_buf_steal(&denials);
	}
	pal_buf_free(&denials);
	return 0;
}

json_t *adm_review_response(const struct adm_review *r, const struct adm_decision *d)
{
	json_t *resp = json_pack("{s:s, s:b}", "uid", r->uid, "allowed", d->allowed);
	if (!d->allowed)
		json_object_set_new(resp, "status",
				    json_pack("{s:i, s:s, s:o}", "code", 403, "reason", "Forbidden",
					      "message", adm_json_string(d->message)));
	if (d->warnings && d->warnings[0]) {
		json_t *arr = json_array();
		for (char **s = d->warnings; *s; s++)
			json_array_append_new(arr, adm_json_string(*s));
		json_object_set_new(resp, "warnings", arr);
	}
	return json_pack("{s:s, s:s, s:o}", "apiVersion", ADM_REVIEW_API_VERSION, "kind",
			 "AdmissionReview", "response", resp);
}

json_t *adm_decision_log(const struct adm_review *r, const struct adm_decision *d)
{
	json_t *log =
	    json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:b}", "msg", "admission decision",
		      "uid", adm_json_string(r->uid), "kind", adm_json_string(r->kind), "namespace",
		      adm_json_string(r->namespace), "name", adm_json_string(r->name), "operation",
		      adm_json_string(r->operation), "allowed", d->allowed, "dry_run", r->dry_run);
	if (*r->user)
		json_object_set_new(log, "user", adm_json_string(r->user));
	if (!d->checked) {
		json_object_set_new(log, "skipped", json_string(d->skipped ? d->skipped : "?"));
		return log;
	}
	json_object_set_new(log, "enforce", json_string(adm_level_name(d->enforce)));
	json_object_set_new(log, "warn", json_string(adm_level_name(d->warn)));
	json_t *viol = json_array();
	for (size_t i = 0; i < d->violations.n; i++)
		json_array_append_new(viol, adm_json_string(d->violations.v[i].message));
	json_object_set_new(log, "violations", viol);
	json_t *warns = json_array();
	for (char **s = d->warnings; s && *s; s++)
		json_array_append_new(warns, adm_json_string(*s));
	json_object_set_new(log, "warnings", warns);
	json_t *imgs = json_array();
	for (size_t i = 0; i < d->n_images; i++) {
		const struct adm_image_verdict *v = &d->images[i];
		json_t *o = json_pack("{s:o, s:b, s:b, s:o}", "image", adm_json_string(v->image),
				      "allow", v->allow, "cached", v->cached, "reason",
				      adm_json_string(v->reason ? v->reason : ""));
		if (v->scope)
			json_object_set_new(o, "scope", adm_json_string(v->scope));
		json_array_append_new(imgs, o);
	}
	json_object_set_new(log, "images", imgs);
	if (d->message)
		json_object_set_new(log, "message", adm_json_string(d->message));
	return log;
}
