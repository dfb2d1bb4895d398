/* The Kubernetes manifests in deploy/: valid YAML, the fields the API server
 * requires present and consistent with each other, the webhook's own Pod
 * passing the restricted profile, and the policy in the ConfigMap loading.
 * (No cluster here: this is what can be checked without one.) */
#include "helpers.h"
#include "admit/policy.h"
#include "admit/pss.h"
#include "common/yamldoc.h"
#include "supply/policy.h"

#include <ctype.h>

#define DEPLOY_DIR PAL_TEST_DATA_DIR "/../../deploy"

static bool plain_int(const char *s)
{
	if (*s == '-')
		s++;
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* YAML -> JSON with the YAML 1.2 core schema for plain scalars. */
static json_t *to_json(struct pal_yaml *y, yaml_node_t *n)
{
	if (pal_yaml_is_scalar(n)) {
		const char *s = pal_yaml_scalar(n);
		if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
			return json_string(s);
		if (!strcmp(s, "true") || !strcmp(s, "false"))
			return json_boolean(s[0] == 't');
		if (!*s || !strcmp(s, "null") || !strcmp(s, "~"))
			return json_null();
		if (plain_int(s))
			return json_integer(strtoll(s, NULL, 10));
		return json_string(s);
	}
	if (pal_yaml_is_seq(n)) {
		json_t *a = json_array();
		yaml_node_t *item;
		PAL_YAML_SEQ_FOREACH(y, n, item)
		json_array_append_new(a, to_json(y, item));
		return a;
	}
	json_t *o = json_object();
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(y, n, k, v)
	{
		const char *key = pal_yaml_scalar(k);
		if (!key)
			fail_msg("%s:%u: a mapping key that is not a scalar", y->name,
				 pal_yaml_line(k));
		if (json_object_get(o, key))
			fail_msg("%s:%u: duplicate key %s", y->name, pal_yaml_line(k), key);
		json_object_set_new(o, key, to_json(y, v));
	}
	return o;
}

static json_t *load(const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", DEPLOY_DIR, name);
	struct pal_yaml y;
	struct pal_err err = {0};
	if (pal_yaml_load_file(&y, path, 1 << 20, &err) < 0)
		fail_msg("%s", err.msg);
	yaml_node_t *root = pal_yaml_root(&y);
	if (!pal_yaml_is_map(root))
		fail_msg("%s: not a mapping", path);
	json_t *j = to_json(&y, root);
	pal_yaml_free(&y);
	return j;
}

/* The value at a dotted path ("spec.template.spec"; "[0]" indexes arrays). */
static json_t *at(json_t *j, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	char *save = NULL;
	for (char *step = strtok_r(buf, ".", &save); step && j; step = strtok_r(NULL, ".", &save)) {
		char *br = strchr(step, '[');
		if (br) {
			*br = '\0';
			if (*step)
				j = json_object_get(j, step);
			j = json_array_get(j, strtoul(br + 1, NULL, 10));
		} else {
			j = json_object_get(j, step);
		}
	}
	return j;
}

static const char *str_at(json_t *j, const char *path)
{
	json_t *v = at(j, path);
	if (!json_is_string(v))
		fail_msg("%s: missing or not a string", path);
	return json_string_value(v);
}

static bool array_has(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), s))
			return true;
	}
	return false;
}

static void check_object(json_t *j, const char *api, const char *kind, const char *name)
{
	assert_string_equal(str_at(j, "apiVersion"), api);
	assert_string_equal(str_at(j, "kind"), kind);
	assert_string_equal(str_at(j, "metadata.name"), name);
}

static void test_namespace(void **state)
{
	(void)state;
	json_t *ns = load("namespace.yaml");
	check_object(ns, "v1", "Namespace", "palisade-system");
	json_t *enforce =
	    json_object_get(at(ns, "metadata.labels"), "pod-security.kubernetes.io/enforce");
	assert_string_equal(json_string_value(enforce), "restricted");
	json_decref(ns);
}

static void test_webhook_configuration(void **state)
{
	(void)state;
	json_t *w = load("webhook.yaml");
	check_object(w, "admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration",
		     "palisade-admission");
	json_t *hook = at(w, "webhooks[0]");
	assert_non_null(hook);
	/* a fully qualified name: at least three DNS labels */
	const char *name = str_at(hook, "name");
	assert_non_null(strchr(strchr(name, '.') + 1, '.'));
	assert_true(array_has(at(hook, "admissionReviewVersions"), "v1"));
	assert_string_equal(str_at(hook, "sideEffects"), "None");
	assert_string_equal(str_at(hook, "failurePolicy"), "Fail");
	json_int_t timeout = json_integer_value(at(hook, "timeoutSeconds"));
	assert_true(timeout >= 1 && timeout <= 30);
	assert_string_equal(str_at(hook, "clientConfig.service.namespace"), "palisade-system");
	assert_string_equal(str_at(hook, "clientConfig.service.name"), "palisade-admission");
	assert_string_equal(str_at(hook, "clientConfig.service.path"), "/validate");
	assert_int_equal(json_integer_value(at(hook, "clientConfig.service.port")), 443);
	assert_true(json_is_string(at(hook, "clientConfig.caBundle")));
	/* the webhook's own namespace is excluded */
	json_t *expr = at(hook, "namespaceSelector.matchExpressions[0]");
	assert_string_equal(str_at(expr, "key"), "kubernetes.io/metadata.name");
	assert_string_equal(str_at(expr, "operator"), "NotIn");
	assert_true(array_has(at(expr, "values"), "palisade-system"));
	/* every kind the webhook understands is routed to it, on create and update */
	static const struct {
		const char *group, *resource;
	} want[] = {{"", "pods"},
		    {"", "pods/ephemeralcontainers"},
		    {"", "replicationcontrollers"},
		    {"", "podtemplates"},
		    {"apps", "deployments"},
		    {"apps", "replicasets"},
		    {"apps", "statefulsets"},
		    {"apps", "daemonsets"},
		    {"batch", "jobs"},
		    {"batch", "cronjobs"}};
	json_t *rules = at(hook, "rules");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		bool found = false;
		size_t k;
		json_t *rule;
		json_array_foreach(rules, k, rule)
		{
			if (array_has(json_object_get(rule, "apiGroups"), want[i].group) &&
			    array_has(json_object_get(rule, "resources"), want[i].resource) &&
			    array_has(json_object_get(rule, "operations"), "CREATE") &&
			    array_has(json_object_get(rule, "operations"), "UPDATE") &&
			    array_has(json_object_get(rule, "apiVersions"), "v1"))
				found = true;
		}
		if (!found)
			fail_msg("no rule routes %s/%s", want[i].group, want[i].resource);
	}
	json_decref(w);
}

static void test_deployment_and_service(void **state)
{
	(void)state;
	json_t *d = load("deployment.yaml");
	json_t *svc = load("service.yaml");
	json_t *cm = load("policy-configmap.yaml");
	check_object(d, "apps/v1", "Deployment", "palisade-admission");
	check_object(svc, "v1", "Service", "palisade-admission");
	check_object(cm, "v1", "ConfigMap", "palisade-policy");
	assert_string_equal(str_at(d, "metadata.namespace"), "palisade-system");
	assert_string_equal(str_at(svc, "metadata.namespace"), "palisade-system");
	assert_string_equal(str_at(cm, "metadata.namespace"), "palisade-system");
	/* selectors agree with the template's labels */
	json_t *labels = at(d, "spec.template.metadata.labels");
	const char *key;
	json_t *v;
	json_object_foreach(at(d, "spec.selector.matchLabels"), key, v)
	{
		assert_true(json_equal(v, json_object_get(labels, key)));
	}
	json_object_foreach(at(svc, "spec.selector"), key, v)
	{
		assert_true(json_equal(v, json_object_get(labels, key)));
	}
	json_t *ct = at(d, "spec.template.spec.containers[0]");
	/* the Service's target port is a named port of the container */
	assert_string_equal(str_at(ct, "ports[0].name"), str_at(svc, "spec.ports[0].targetPort"));
	assert_int_equal(json_integer_value(at(svc, "spec.ports[0].port")), 443);
	/* the command line of `palisade admit serve` */
	json_t *args = at(ct, "args");
	assert_true(array_has(args, "admit"));
	assert_true(array_has(args, "serve"));
	assert_true(array_has(args, "--listen=:8443"));
	assert_true(array_has(args, "--tls-cert=/etc/palisade/tls/tls.crt"));
	assert_true(array_has(args, "--tls-key=/etc/palisade/tls/tls.key"));
	assert_true(array_has(args, "--policy=/etc/palisade/policy/policy.yaml"));
	assert_int_equal(json_integer_value(at(ct, "ports[0].containerPort")), 8443);
	/* probes on /healthz over HTTPS */
	static const char *const probes[] = {"readinessProbe", "livenessProbe"};
	for (size_t i = 0; i < 2; i++) {
		json_t *p = json_object_get(ct, probes[i]);
		assert_string_equal(str_at(p, "httpGet.path"), "/healthz");
		assert_string_equal(str_at(p, "httpGet.scheme"), "HTTPS");
		assert_string_equal(str_at(p, "httpGet.port"), str_at(ct, "ports[0].name"));
	}
	/* the mounts name the secret and the ConfigMap */
	assert_string_equal(str_at(d, "spec.template.spec.volumes[0].secret.secretName"),
			    "palisade-admission-tls");
	assert_string_equal(str_at(d, "spec.template.spec.volumes[1].configMap.name"),
			    str_at(cm, "metadata.name"));
	assert_string_equal(str_at(ct, "volumeMounts[0].mountPath"), "/etc/palisade/tls");
	assert_string_equal(str_at(ct, "volumeMounts[1].mountPath"), "/etc/palisade/policy");
	/* the webhook's own Pod passes the restricted profile */
	struct adm_result res;
	adm_result_init(&res);
	adm_pss_check(at(d, "spec.template.metadata"), at(d, "spec.template.spec"),
		      ADM_LEVEL_RESTRICTED, &res);
	if (res.n) {
		th_dump(&res);
		fail_msg("deploy/deployment.yaml does not meet the restricted profile");
	}
	adm_result_free(&res);
	assert_true(json_is_true(at(ct, "securityContext.readOnlyRootFilesystem")));
	/* the policy in the ConfigMap loads (admission and trust) */
	const char *policy =
	    json_string_value(json_object_get(json_object_get(cm, "data"), "policy.yaml"));
	assert_non_null(policy);
	struct adm_policy *ap = NULL;
	struct pal_err err = {0};
	if (adm_policy_load_buffer("policy.yaml", policy, strlen(policy), &ap, &err) < 0)
		fail_msg("%s", err.msg);
	enum adm_level e, w;
	bool exempt;
	adm_k8s_levels(ap, "palisade-system", &e, &w, &exempt);
	assert_true(exempt);
	adm_policy_free(ap);
	struct sup_policy *sp = NULL;
	if (sup_policy_load_buffer("policy.yaml", policy, strlen(policy), NULL, &sp, &err) < 0)
		fail_msg("%s", err.msg);
	sup_policy_free(sp);
	json_decref(d);
	json_decref(svc);
	json_decref(cm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_namespace),
	    cmocka_unit_test(test_webhook_configuration),
	    cmocka_unit_test(test_deployment_and_service),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
