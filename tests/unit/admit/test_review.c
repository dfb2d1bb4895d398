/* AdmissionReview v1: parsing and validation, the pod (template) of each
 * workload kind, decisions (levels per namespace, warnings, modes, image
 * trust with a real signature) and the response the API server reads. */
#include "helpers.h"
#include "admit/webhook.h"
#include "supply/cosign.h"
#include "supply/keys.h"
#include "supply/sigs.h"

#include <unistd.h>

static const char bad_pod_spec[] =
    "{\"hostNetwork\": true, \"containers\": [{\"name\": \"app\", \"image\": \"nginx:1.25\", "
    "\"securityContext\": {\"privileged\": true}}]}";
static const char min_pod_spec[] =
    "{\"containers\": [{\"name\": \"app\", \"image\": \"nginx:1.25\"}]}";
static const char restricted_pod_spec[] =
    "{\"securityContext\": {\"runAsNonRoot\": true, \"seccompProfile\": {\"type\": "
    "\"RuntimeDefault\"}}, \"containers\": [{\"name\": \"app\", \"image\": \"nginx:1.25\", "
    "\"securityContext\": {\"allowPrivilegeEscalation\": false, \"capabilities\": {\"drop\": "
    "[\"ALL\"]}}}]}";

/* An AdmissionReview for an object of kind (group) with the pod spec placed
 * where that kind carries it. */
static char *review_for(const char *group, const char *kind, const char *ns, const char *op,
			const char *spec)
{
	const char *fmt;
	if (!strcmp(kind, "Pod"))
		fmt = "{\"metadata\": {\"name\": \"x\"}, \"spec\": %s}";
	else if (!strcmp(kind, "CronJob"))
		fmt = "{\"metadata\": {\"name\": \"x\"}, \"spec\": {\"schedule\": \"* * * * *\", "
		      "\"jobTemplate\": {\"spec\": {\"template\": {\"metadata\": {}, \"spec\": "
		      "%s}}}}}";
	else if (!strcmp(kind, "PodTemplate"))
		fmt = "{\"metadata\": {\"name\": \"x\"}, \"template\": {\"spec\": %s}}";
	else
		fmt = "{\"metadata\": {\"name\": \"x\"}, \"spec\": {\"replicas\": 1, \"template\": "
		      "{\"metadata\": {\"labels\": {\"a\": \"b\"}}, \"spec\": %s}}}";
	char *obj = pal_xasprintf(fmt, spec);
	char *r = pal_xasprintf(
	    "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", "
	    "\"request\": {\"uid\": \"uid-1234\", \"kind\": {\"group\": \"%s\", \"version\": "
	    "\"v1\", "
	    "\"kind\": \"%s\"}, \"resource\": {\"group\": \"%s\", \"version\": \"v1\", "
	    "\"resource\": \"x\"}, \"namespace\": \"%s\", \"operation\": \"%s\", \"userInfo\": "
	    "{\"username\": \"alice\"}, \"object\": %s, \"oldObject\": null, \"dryRun\": false}}",
	    group, kind, group, ns, op, obj);
	free(obj);
	return r;
}

static int parse(const char *text, struct adm_review *r, struct pal_err *err)
{
	pal_err_clear(err);
	return adm_review_parse(text, strlen(text), r, err);
}

static void expect_parse_error(const char *text, const char *want)
{
	struct adm_review r;
	struct pal_err err = {0};
	if (parse(text, &r, &err) == 0) {
		adm_review_free(&r);
		fail_msg("should be refused (%s): %s", want, text);
	}
	if (!strstr(err.msg, want))
		fail_msg("error '%s' lacks '%s'", err.msg, want);
}

static void test_kinds(void **state)
{
	(void)state;
	static const struct {
		const char *group, *kind, *path;
		enum adm_kind k;
	} kinds[] = {
	    {"", "Pod", "spec", ADM_KIND_POD},
	    {"apps", "Deployment", "spec.template.spec", ADM_KIND_DEPLOYMENT},
	    {"apps", "ReplicaSet", "spec.template.spec", ADM_KIND_REPLICASET},
	    {"apps", "StatefulSet", "spec.template.spec", ADM_KIND_STATEFULSET},
	    {"apps", "DaemonSet", "spec.template.spec", ADM_KIND_DAEMONSET},
	    {"batch", "Job", "spec.template.spec", ADM_KIND_JOB},
	    {"batch", "CronJob", "spec.jobTemplate.spec.template.spec", ADM_KIND_CRONJOB},
	    {"", "ReplicationController", "spec.template.spec", ADM_KIND_REPLICATIONCONTROLLER},
	    {"", "PodTemplate", "template.spec", ADM_KIND_PODTEMPLATE},
	};
	struct adm_webhook w;
	struct pal_err err = {0};
	assert_int_equal(adm_webhook_init(&w, NULL, &err), 0);
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char *text =
		    review_for(kinds[i].group, kinds[i].kind, "default", "CREATE", bad_pod_spec);
		struct adm_review r;
		if (parse(text, &r, &err) < 0)
			fail_msg("%s: %s", kinds[i].kind, err.msg);
		assert_int_equal(r.k, kinds[i].k);
		assert_string_equal(r.spec_path, kinds[i].path);
		assert_non_null(r.pod_spec);
		assert_string_equal(r.uid, "uid-1234");
		assert_string_equal(r.namespace, "default");
		assert_string_equal(r.name, "x");
		assert_string_equal(r.user, "alice");
		char **images = adm_review_images(&r);
		assert_string_equal(images[0], "nginx:1.25");
		assert_null(images[1]);
		pal_strv_free(images);
		if (r.k != ADM_KIND_POD && r.k != ADM_KIND_PODTEMPLATE)
			assert_non_null(r.pod_meta);

		struct adm_decision d;
		adm_webhook_decide(&w, &r, &d);
		assert_false(d.allowed);
		assert_true(d.checked);
		assert_string_equal(
		    d.message, "violates PodSecurity \"baseline:latest\": host namespaces "
			       "(hostNetwork=true), privileged (container \"app\" must not set "
			       "securityContext.privileged=true)");
		json_t *resp = adm_review_response(&r, &d);
		assert_string_equal(json_string_value(json_object_get(resp, "apiVersion")),
				    "admission.k8s.io/v1");
		assert_string_equal(json_string_value(json_object_get(resp, "kind")),
				    "AdmissionReview");
		json_t *rr = json_object_get(resp, "response");
		assert_string_equal(json_string_value(json_object_get(rr, "uid")), "uid-1234");
		assert_true(json_is_false(json_object_get(rr, "allowed")));
		json_t *st = json_object_get(rr, "status");
		assert_int_equal(json_integer_value(json_object_get(st, "code")), 403);
		assert_string_equal(json_string_value(json_object_get(st, "message")), d.message);
		assert_null(json_object_get(rr, "warnings"));
		json_decref(resp);
		adm_decision_free(&d);
		adm_review_free(&r);
		free(text);

		/* a compliant template is allowed, with no status */
		text = review_for(kinds[i].group, kinds[i].kind, "default", "UPDATE", min_pod_spec);
		assert_int_equal(parse(text, &r, &err), 0);
		adm_webhook_decide(&w, &r, &d);
		assert_true(d.allowed);
		resp = adm_review_response(&r, &d);
		rr = json_object_get(resp, "response");
		assert_true(json_is_true(json_object_get(rr, "allowed")));
		assert_null(json_object_get(rr, "status"));
		json_decref(resp);
		adm_decision_free(&d);
		adm_review_free(&r);
		free(text);
	}
	adm_webhook_free(&w);
}

static void test_nothing_to_check(void **state)
{
	(void)state;
	struct adm_webhook w;
	struct pal_err err = {0};
	assert_int_equal(adm_webhook_init(&w, NULL, &err), 0);
	struct adm_review r;
	struct adm_decision d;
	/* a kind without pods, a same-named kind of another group, DELETE, a
	 * status update, an exempt namespace (kube-system is privileged by default) */
	const char *cases[][5] = {
	    {"", "ConfigMap", "default", "CREATE", "not a kind that carries a pod"},
	    {"example.com", "Deployment", "default", "CREATE", "not a kind that carries a pod"},
	    {"apps", "Deployment", "default", "DELETE", "no pod to check for this operation"},
	};
	for (size_t i = 0; i < 3; i++) {
		char *text =
		    review_for(cases[i][0], cases[i][1], cases[i][2], cases[i][3], bad_pod_spec);
		assert_int_equal(parse(text, &r, &err), 0);
		adm_webhook_decide(&w, &r, &d);
		assert_true(d.allowed);
		assert_false(d.checked);
		assert_string_equal(d.skipped, cases[i][4]);
		adm_decision_free(&d);
		adm_review_free(&r);
		free(text);
	}
	char *text = review_for("", "Pod", "default", "UPDATE", bad_pod_spec);
	json_t *j = json_loads(text, 0, NULL);
	json_object_set_new(json_object_get(j, "request"), "subResource", json_string("status"));
	char *status = json_dumps(j, 0);
	assert_int_equal(parse(status, &r, &err), 0);
	adm_webhook_decide(&w, &r, &d);
	assert_true(d.allowed);
	adm_decision_free(&d);
	adm_review_free(&r);
	/* kubectl debug adds ephemeral containers through a subresource: checked */
	json_object_set_new(json_object_get(j, "request"), "subResource",
			    json_string("ephemeralcontainers"));
	free(status);
	status = json_dumps(j, 0);
	assert_int_equal(parse(status, &r, &err), 0);
	adm_webhook_decide(&w, &r, &d);
	assert_false(d.allowed);
	adm_decision_free(&d);
	adm_review_free(&r);
	free(status);
	json_decref(j);
	free(text);
	text = review_for("", "Pod", "kube-system", "CREATE", bad_pod_spec);
	assert_int_equal(parse(text, &r, &err), 0);
	adm_webhook_decide(&w, &r, &d);
	assert_true(d.allowed);
	assert_true(d.checked);
	adm_decision_free(&d);
	adm_review_free(&r);
	free(text);
	adm_webhook_free(&w);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_parse_error("not json", "invalid JSON");
	expect_parse_error("[]", "an AdmissionReview must be a JSON object");
	expect_parse_error("{\"kind\": \"AdmissionReview\"}",
			   "AdmissionReview.apiVersion: missing");
	expect_parse_error("{\"apiVersion\": \"admission.k8s.io/v1beta1\", \"kind\": "
			   "\"AdmissionReview\", \"request\": {}}",
			   "apiVersion is 'admission.k8s.io/v1beta1': this webhook serves "
			   "admission.k8s.io/v1");
	expect_parse_error("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"Pod\"}",
			   "kind is 'Pod', not AdmissionReview");
	expect_parse_error("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
			   "\"AdmissionReview\"}",
			   "request: missing");
	expect_parse_error("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
			   "\"AdmissionReview\", \"request\": {\"kind\": {\"kind\": \"Pod\"}}}",
			   "request.uid: missing");
	expect_parse_error("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
			   "\"AdmissionReview\", \"request\": {\"uid\": 5}}",
			   "request.uid must be a string");
	expect_parse_error("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
			   "\"AdmissionReview\", \"request\": {\"uid\": \"\"}}",
			   "request.uid: must be 1 to 256 characters");
	expect_parse_error("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
			   "\"AdmissionReview\", \"request\": {\"uid\": \"u\"}}",
			   "request.kind: missing");
	expect_parse_error("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
			   "\"AdmissionReview\", \"request\": {\"uid\": \"u\", \"kind\": {}}}",
			   "request.kind.kind: missing");
	expect_parse_error(
	    "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
	    "\"AdmissionReview\", \"request\": {\"uid\": \"u\", \"kind\": {\"kind\": "
	    "\"Pod\"}}}",
	    "request.operation: missing");
	expect_parse_error(
	    "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
	    "\"AdmissionReview\", \"request\": {\"uid\": \"u\", \"kind\": {\"kind\": "
	    "\"Pod\"}, \"operation\": \"PATCH\"}}",
	    "request.operation: 'PATCH' is not CREATE");
	expect_parse_error(
	    "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
	    "\"AdmissionReview\", \"request\": {\"uid\": \"u\", \"kind\": {\"kind\": "
	    "\"Pod\"}, \"operation\": \"CREATE\", \"object\": []}}",
	    "request.object: must be an object");
	expect_parse_error(
	    "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
	    "\"AdmissionReview\", \"request\": {\"uid\": \"u\", \"kind\": {\"kind\": "
	    "\"Pod\"}, \"operation\": \"CREATE\", \"object\": {}}}",
	    "a Pod must carry a pod spec: request.object.spec: missing");
	expect_parse_error(
	    "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
	    "\"AdmissionReview\", \"request\": {\"uid\": \"u\", \"kind\": {\"group\": "
	    "\"batch\", \"kind\": \"CronJob\"}, \"operation\": \"CREATE\", "
	    "\"object\": {\"spec\": {\"jobTemplate\": {\"spec\": {\"template\": "
	    "5}}}}}}",
	    "request.object.spec.jobTemplate.spec.template: must be an object");
	expect_parse_error(
	    "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
	    "\"AdmissionReview\", \"request\": {\"uid\": \"u\", \"kind\": {\"kind\": "
	    "\"Pod\"}, \"operation\": \"CREATE\", \"object\": {\"metadata\": 1, "
	    "\"spec\": {}}}}",
	    "the pod's metadata must be an object");
	expect_parse_error("{\"apiVersion\": \"admission.k8s.io/v1\", \"apiVersion\": \"x\"}",
			   "invalid JSON");
	/* a forged pod with more containers than any real one */
	struct pal_buf many;
	pal_buf_init(&many);
	pal_buf_puts(&many, "{\"containers\": [");
	for (int i = 0; i < 1025; i++)
		pal_buf_printf(&many, "%s{\"name\": \"c%d\", \"image\": \"x\"}", i ? ", " : "", i);
	pal_buf_puts(&many, "]}");
	char *text = review_for("", "Pod", "default", "CREATE", many.data);
	expect_parse_error(text, "request.object.spec: 1025 containers, more than the 1024 this "
				 "webhook checks");
	free(text);
	pal_buf_free(&many);
	/* DELETE carries no object: fine */
	struct adm_review r;
	struct pal_err err = {0};
	assert_int_equal(parse("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": "
			       "\"AdmissionReview\", \"request\": {\"uid\": \"u\", \"kind\": "
			       "{\"kind\": \"Pod\"}, \"operation\": \"DELETE\", \"object\": null}}",
			       &r, &err),
			 0);
	assert_null(r.pod_spec);
	adm_review_free(&r);
}

static struct adm_webhook *webhook_with(const char *yaml, char **dir_out)
{
	char *dir = th_tmpdir();
	char *path = pal_xasprintf("%s/policy.yaml", dir);
	FILE *f = fopen(path, "w");
	fputs(yaml, f);
	fclose(f);
	struct adm_webhook *w = pal_xcalloc(1, sizeof(*w));
	struct pal_err err = {0};
	if (adm_webhook_init(w, path, &err) < 0)
		fail_msg("%s", err.msg);
	free(path);
	*dir_out = dir;
	return w;
}

static void drop_webhook(struct adm_webhook *w, char *dir)
{
	adm_webhook_free(w);
	free(w);
	th_rmdir(dir);
}

static void decide(struct adm_webhook *w, const char *ns, const char *spec, struct adm_decision *d)
{
	char *text = review_for("", "Pod", ns, "CREATE", spec);
	struct adm_review r;
	struct pal_err err = {0};
	if (parse(text, &r, &err) < 0)
		fail_msg("%s", err.msg);
	adm_webhook_decide(w, &r, d);
	adm_review_free(&r);
	free(text);
}

static void test_namespace_levels_and_warnings(void **state)
{
	(void)state;
	char *dir;
	struct adm_webhook *w = webhook_with("admission:\n"
					     "  kubernetes:\n"
					     "    enforce: baseline\n"
					     "    warn: restricted\n"
					     "    namespaces:\n"
					     "      prod: restricted\n"
					     "      lab: {enforce: privileged, warn: baseline}\n"
					     "    exempt_namespaces: [palisade-system]\n",
					     &dir);
	struct adm_decision d;
	/* default namespace: baseline enforced, restricted findings as warnings */
	decide(w, "default", min_pod_spec, &d);
	assert_true(d.allowed);
	assert_int_equal(pal_strv_len(d.warnings), 4);
	assert_string_equal(d.warnings[0],
			    "would violate PodSecurity \"restricted:latest\": "
			    "allowPrivilegeEscalation != false (container \"app\" must set "
			    "securityContext.allowPrivilegeEscalation=false)");
	adm_decision_free(&d);
	/* prod: restricted enforced */
	decide(w, "prod", min_pod_spec, &d);
	assert_false(d.allowed);
	assert_non_null(strstr(d.message, "violates PodSecurity \"restricted:latest\": "
					  "allowPrivilegeEscalation != false"));
	assert_non_null(strstr(d.message, "runAsNonRoot != true (pod or container \"app\" must set "
					  "securityContext.runAsNonRoot=true)"));
	adm_decision_free(&d);
	decide(w, "prod", restricted_pod_spec, &d);
	assert_true(d.allowed);
	assert_null(d.warnings[0]);
	adm_decision_free(&d);
	/* lab: privileged enforced, baseline violations are warnings */
	decide(w, "lab", bad_pod_spec, &d);
	assert_true(d.allowed);
	assert_int_equal(pal_strv_len(d.warnings), 2);
	assert_string_equal(d.warnings[0], "would violate PodSecurity \"baseline:latest\": host "
					   "namespaces (hostNetwork=true)");
	char *text = review_for("", "Pod", "lab", "CREATE", bad_pod_spec);
	struct adm_review r;
	struct pal_err err = {0};
	assert_int_equal(parse(text, &r, &err), 0);
	json_t *resp = adm_review_response(&r, &d);
	json_t *warnings = json_object_get(json_object_get(resp, "response"), "warnings");
	assert_int_equal(json_array_size(warnings), 2);
	assert_true(json_is_true(json_object_get(json_object_get(resp, "response"), "allowed")));
	json_decref(resp);
	json_t *log = adm_decision_log(&r, &d);
	assert_string_equal(json_string_value(json_object_get(log, "warn")), "baseline");
	assert_string_equal(json_string_value(json_object_get(log, "enforce")), "privileged");
	json_decref(log);
	adm_review_free(&r);
	free(text);
	adm_decision_free(&d);
	/* exempt: nothing checked */
	decide(w, "palisade-system", bad_pod_spec, &d);
	assert_true(d.allowed);
	assert_false(d.checked);
	assert_string_equal(d.skipped, "namespace is exempt");
	adm_decision_free(&d);
	drop_webhook(w, dir);

	/* admission.mode warn: every denial becomes a warning; off: nothing */
	w = webhook_with("admission:\n  mode: warn\n", &dir);
	decide(w, "default", bad_pod_spec, &d);
	assert_true(d.allowed);
	assert_int_equal(pal_strv_len(d.warnings), 2);
	assert_non_null(strstr(d.warnings[1], "would violate PodSecurity \"baseline:latest\": "
					      "privileged"));
	adm_decision_free(&d);
	drop_webhook(w, dir);
	w = webhook_with("admission:\n  mode: off\n", &dir);
	decide(w, "default", bad_pod_spec, &d);
	assert_true(d.allowed);
	assert_false(d.checked);
	adm_decision_free(&d);
	drop_webhook(w, dir);
}

/* A signature store (an OCI layout) holding a simple-signing signature by
 * key for digest, and the public key's PEM. */
static char *make_signed_store(const char *store, const char *digest, const char *identity)
{
	EVP_PKEY *k = NULL;
	struct pal_err err = {0};
	assert_int_equal(sup_keygen_p256(&k, &err), 0);
	struct sup_layout l;
	if (sup_layout_open(store, SUP_LAYOUT_CREATE, &l, &err) < 0)
		fail_msg("%s", err.msg);
	char *payload = sup_simplesign_payload(identity, digest);
	unsigned char *sig = NULL;
	size_t siglen = 0;
	assert_int_equal(sup_sign(k, -1, false, payload, strlen(payload), &sig, &siglen, &err), 0);
	char *b64 = sup_b64_encode(sig, siglen);
	if (sup_attach_simple(&l, digest, payload, strlen(payload), b64, &err) < 0)
		fail_msg("%s", err.msg);
	sup_layout_close(&l);
	free(b64);
	free(sig);
	free(payload);
	char *pem = sup_key_public_pem(k);
	EVP_PKEY_free(k);
	return pem;
}

static void test_image_trust(void **state)
{
	(void)state;
	char *dir = th_tmpdir();
	char *store = pal_xasprintf("%s/sigstore", dir);
	const char *signed_digest =
	    "sha256:1111111111111111111111111111111111111111111111111111111111111111";
	char *pem = make_signed_store(store, signed_digest, "registry.example.com/team/app");
	struct pal_buf y;
	pal_buf_init(&y);
	pal_buf_printf(&y,
		       "trust:\n"
		       "  signature_store: %s\n"
		       "  keys:\n"
		       "    release:\n"
		       "      pem: |\n",
		       store);
	for (char *line = strtok(pem, "\n"); line; line = strtok(NULL, "\n"))
		pal_buf_printf(&y, "        %s\n", line);
	pal_buf_puts(&y, "  default: [reject]\n"
			 "  scopes:\n"
			 "    registry.example.com/team: [{type: signed, keys: [release]}]\n"
			 "    docker.io/library: [accept]\n"
			 "    registry.example.com/untrusted: [reject]\n");
	char *wdir;
	struct adm_webhook *w = webhook_with(y.data, &wdir);
	pal_buf_free(&y);
	struct adm_image_verdict v;
	/* a digest-pinned reference with a signature in the store */
	char *ref = pal_xasprintf("registry.example.com/team/app@%s", signed_digest);
	adm_webhook_check_image(w, ref, &v);
	if (!v.allow)
		fail_msg("should verify: %s", v.reason);
	assert_string_equal(v.scope, "registry.example.com/team");
	assert_non_null(strstr(v.reason, "signature verified with key release"));
	assert_false(v.cached);
	free(v.image), free(v.reason), free(v.scope);
	/* the second time from the cache */
	adm_webhook_check_image(w, ref, &v);
	assert_true(v.allow);
	assert_true(v.cached);
	free(v.image), free(v.reason), free(v.scope);
	free(ref);
	/* no digest in a scope that requires signatures */
	adm_webhook_check_image(w, "registry.example.com/team/app:1.0", &v);
	assert_false(v.allow);
	assert_string_equal(v.reason, "scope registry.example.com/team requires signatures or "
				      "vulnerability reports, which can only be checked for a "
				      "digest: pin the image as "
				      "registry.example.com/team/app@sha256:<digest>");
	free(v.image), free(v.reason), free(v.scope);
	/* another digest: no signature */
	adm_webhook_check_image(w,
				"registry.example.com/team/"
				"app@sha256:2222222222222222222222222222222222222222222222222222"
				"222222222222",
				&v);
	assert_false(v.allow);
	assert_non_null(strstr(v.reason, "no signature found for sha256:2222"));
	free(v.image), free(v.reason), free(v.scope);
	/* scope rules by name alone */
	adm_webhook_check_image(w, "nginx:1.25", &v);
	assert_true(v.allow);
	assert_string_equal(v.scope, "docker.io/library");
	free(v.image), free(v.reason), free(v.scope);
	adm_webhook_check_image(w, "registry.example.com/untrusted/x:1", &v);
	assert_false(v.allow);
	assert_non_null(strstr(v.reason, "rejects every image"));
	free(v.image), free(v.reason), free(v.scope);
	adm_webhook_check_image(w, "quay.io/x/y:1", &v);
	assert_false(v.allow);
	assert_string_equal(v.scope, "default");
	free(v.image), free(v.reason), free(v.scope);
	adm_webhook_check_image(w, "Nginx:1", &v);
	assert_false(v.allow);
	assert_non_null(strstr(v.reason, "not a valid image reference"));
	free(v.image), free(v.reason), free(v.scope);

	/* in a decision: every container's image, each reported */
	struct adm_decision d;
	decide(w, "default",
	       "{\"initContainers\": [{\"name\": \"init\", \"image\": \"busybox\"}], "
	       "\"containers\": [{\"name\": \"app\", \"image\": "
	       "\"registry.example.com/team/app:1.0\"}, {\"name\": \"side\", \"image\": "
	       "\"busybox\"}]}",
	       &d);
	assert_false(d.allowed);
	assert_int_equal(d.n_images, 2);
	assert_string_equal(d.message,
			    "image \"registry.example.com/team/app:1.0\" is not trusted: "
			    "scope registry.example.com/team requires signatures or "
			    "vulnerability reports, which can only be checked for a "
			    "digest: pin the image as "
			    "registry.example.com/team/app@sha256:<digest>");
	adm_decision_free(&d);
	drop_webhook(w, wdir);
	free(pem);
	free(store);
	th_rmdir(dir);
}

static void test_image_trust_modes(void **state)
{
	(void)state;
	char *dir;
	struct adm_webhook *w =
	    webhook_with("trust:\n  default: [reject]\nadmission:\n  kubernetes:\n    image_trust: "
			 "warn\n",
			 &dir);
	struct adm_decision d;
	decide(w, "default", min_pod_spec, &d);
	assert_true(d.allowed);
	assert_int_equal(pal_strv_len(d.warnings), 1);
	assert_true(pal_str_starts_with(d.warnings[0],
					"image \"nginx:1.25\" would be denied: "
					"scope default rejects every image (requirement "
					"at "));
	adm_decision_free(&d);
	drop_webhook(w, dir);
	w = webhook_with("trust:\n  default: [reject]\nadmission:\n  kubernetes:\n    image_trust: "
			 "off\n",
			 &dir);
	decide(w, "default", min_pod_spec, &d);
	assert_true(d.allowed);
	assert_int_equal(d.n_images, 0);
	adm_decision_free(&d);
	drop_webhook(w, dir);
	/* pod security and image findings together */
	w = webhook_with("trust:\n  default: [reject]\n", &dir);
	decide(w, "default", bad_pod_spec, &d);
	assert_false(d.allowed);
	assert_non_null(strstr(d.message, "violates PodSecurity \"baseline:latest\": host "
					  "namespaces (hostNetwork=true), privileged"));
	assert_non_null(strstr(d.message, "; image \"nginx:1.25\" is not trusted: scope default "
					  "rejects every image"));
	adm_decision_free(&d);
	drop_webhook(w, dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kinds),
	    cmocka_unit_test(test_nothing_to_check),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_namespace_levels_and_warnings),
	    cmocka_unit_test(test_image_trust),
	    cmocka_unit_test(test_image_trust_modes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
