#include "runtime/admission.h"
#include "runtime/policy.h"
#include "admit/oci_check.h"
#include "admit/policy.h"
#include "admit/result.h"
#include "runtime/container.h"
#include "runtime/trust_plugin.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <dlfcn.h>
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

static void *plugin;

/* palisade-trust.so, beside the binary (build tree) or in ../lib/palisade. */
static int load_plugin(struct pal_err *err)
{
	if (plugin)
		return 0;
	const char *dir = rt_self_dir();
	if (!dir)
		return pal_err_set(err, ENOENT, "cannot locate %s: the runtime's directory is unknown",
				   PAL_TRUST_PLUGIN_NAME);
	_cleanup_free_ char *a = pal_xasprintf("%s/%s", dir, PAL_TRUST_PLUGIN_NAME);
	_cleanup_free_ char *b = pal_xasprintf("%s/../lib/palisade/%s", dir, PAL_TRUST_PLUGIN_NAME);
	plugin = dlopen(a, RTLD_NOW | RTLD_LOCAL);
	if (!plugin)
		plugin = dlopen(b, RTLD_NOW | RTLD_LOCAL);
	if (!plugin)
		return pal_err_set(err, ENOENT, "image trust needs %s (looked in %s and %s): %s",
				   PAL_TRUST_PLUGIN_NAME, dir, b, dlerror());
	return 0;
}

static int check_image(const struct rt_admission *in, struct rt_admission_verdict *v, json_t *rec,
		       struct pal_err *err)
{
	const struct rt_policy_file *pf = in->policy;
	/* Most nodes have no trust section: skip the whole image machinery. */
	if (!rt_policy_file_has(pf, "trust"))
		return 0;
	int r = load_plugin(err);
	if (r < 0)
		return r;
	pal_trust_check_fn check = (pal_trust_check_fn)dlsym(plugin, "pal_trust_check");
	if (!check)
		return pal_err_set(err, ENOENT, "%s lacks pal_trust_check", PAL_TRUST_PLUGIN_NAME);
	struct pal_trust_request req = {.abi = PAL_TRUST_ABI,
					.container_id = in->id,
					.policy_path = pf->path,
					.policy_text = pf->text,
					.policy_len = pf->len,
					.image_ref = in->image_ref,
					.image_digest = in->image_digest,
					.named_ref = adm_config_image_ref(in->cfg),
					.storage_root = getenv("PALISADE_STORAGE_ROOT")};
	struct pal_trust_reply rep;
	r = check(&req, &rep, err);
	json_t *ji = json_object();
	json_object_set_new(ji, "image", json_string(rep.image));
	if (rep.digest[0])
		json_object_set_new(ji, "digest", json_string(rep.digest));
	json_object_set_new(ji, "allow", json_boolean(r == 0 && rep.allow));
	json_object_set_new(ji, "reason", json_string(r == 0 ? rep.reason : err->msg));
	json_object_set_new(ji, "scope", json_string(rep.scope));
	json_object_set_new(ji, "cached", json_boolean(rep.cached));
	json_object_set_new(rec, "image", ji);
	v->image = rep.image[0] ? pal_xstrdup(rep.image) : NULL;
	v->digest = rep.digest[0] ? pal_xstrdup(rep.digest) : NULL;
	if (r < 0)
		return pal_err_prefix(err, "image trust");
	if (!rep.allow)
		return pal_err_set(err, EPERM, "image trust denied %s%s%s%s: %s", rep.image,
				   rep.digest[0] ? " (" : "", rep.digest, rep.digest[0] ? ")" : "",
				   rep.reason);
	return 0;
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
	struct pal_err e = {0};
	pal_trust_audit_fn audit = NULL;
	if (load_plugin(&e) == 0)
		audit = (pal_trust_audit_fn)dlsym(plugin, "pal_trust_audit");
	_cleanup_free_ char *text = json_dumps(v->record, JSON_COMPACT);
	const char *path = getenv("PALISADE_AUDIT_LOG");
	if (!audit || !text)
		pal_warn("audit log: not recorded: %s", e.msg[0] ? e.msg : "no audit function");
	else if (audit(path && *path ? path : NULL, "admission", text, &e) < 0)
		pal_warn("audit log: %s", e.msg);
}
