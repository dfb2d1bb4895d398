/* Pod Security Standards: every control at baseline and restricted, a pod
 * that passes and one that fails, with the API server's wording. */
#include "admit/pss.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A pod that satisfies restricted. */
static const char restricted_pod[] =
    "{\"securityContext\": {\"runAsNonRoot\": true, \"seccompProfile\": {\"type\": "
    "\"RuntimeDefault\"}},"
    " \"containers\": [{\"name\": \"app\", \"image\": \"nginx\", \"securityContext\": "
    "{\"allowPrivilegeEscalation\": false, \"capabilities\": {\"drop\": [\"ALL\"]}}}]}";

/* The spec: restricted_pod with patch merged in (objects merged, arrays replaced). */
static json_t *spec_of(const char *patch)
{
	json_t *spec = json_loads(restricted_pod, 0, NULL);
	assert_non_null(spec);
	if (patch) {
		json_error_t jerr;
		json_t *p = json_loads(patch, 0, &jerr);
		if (!p)
			fail_msg("patch: %s: %s", jerr.text, patch);
		json_object_update_recursive(spec, p);
		json_decref(p);
	}
	return spec;
}

static void run(const char *patch, const char *meta_json, enum adm_level level,
		struct adm_result *res)
{
	json_t *spec = spec_of(patch);
	json_t *meta = meta_json ? json_loads(meta_json, 0, NULL) : NULL;
	adm_result_init(res);
	adm_pss_check(meta, spec, level, res);
	json_decref(spec);
	json_decref(meta);
}

static void dump(const struct adm_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		fprintf(stderr, "  [%s] %s\n", r->v[i].rule, r->v[i].message);
}

/* Exactly the messages given (NULL-terminated), in any order. */
static void expect(const char *patch, const char *meta, enum adm_level level, ...)
{
	struct adm_result res;
	run(patch, meta, level, &res);
	va_list ap;
	va_start(ap, level);
	size_t n = 0;
	for (const char *want = va_arg(ap, const char *); want; want = va_arg(ap, const char *)) {
		bool found = false;
		for (size_t i = 0; i < res.n; i++)
			found |= !strcmp(res.v[i].message, want);
		if (!found) {
			dump(&res);
			fail_msg("at %s, missing: %s\npatch: %s", adm_level_name(level), want,
				 patch ? patch : "-");
		}
		n++;
	}
	va_end(ap);
	if (res.n != n) {
		dump(&res);
		fail_msg("at %s, %zu finding(s), expected %zu\npatch: %s", adm_level_name(level),
			 res.n, n, patch ? patch : "-");
	}
	adm_result_free(&res);
}

#define PASS(patch, meta, level) expect(patch, meta, level, NULL)
#define B			 ADM_LEVEL_BASELINE
#define R			 ADM_LEVEL_RESTRICTED

/* A container with the restricted settings and extra securityContext fields. */
#define CT(name, extra)                                                                            \
	"{\"name\": \"" name "\", \"image\": \"nginx\", \"securityContext\": "                     \
	"{\"allowPrivilegeEscalation\": false, \"capabilities\": {\"drop\": [\"ALL\"]}" extra "}}"

static void test_compliant(void **state)
{
	(void)state;
	PASS(NULL, NULL, B);
	PASS(NULL, NULL, R);
	/* the minimal pod passes baseline and fails the four restricted basics */
	const char *minimal = "{\"securityContext\": null, \"containers\": [{\"name\": \"app\", "
			      "\"image\": \"nginx\"}]}";
	PASS(minimal, NULL, B);
	expect(
	    minimal, NULL, R,
	    "allowPrivilegeEscalation != false (container \"app\" must set "
	    "securityContext.allowPrivilegeEscalation=false)",
	    "unrestricted capabilities (container \"app\" must set "
	    "securityContext.capabilities.drop=[\"ALL\"])",
	    "runAsNonRoot != true (pod or container \"app\" must set "
	    "securityContext.runAsNonRoot=true)",
	    "seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type "
	    "to \"RuntimeDefault\" or \"Localhost\")",
	    NULL);
	/* privileged checks nothing */
	struct adm_result res;
	run("{\"hostNetwork\": true}", NULL, ADM_LEVEL_PRIVILEGED, &res);
	assert_int_equal(res.n, 0);
	adm_result_free(&res);
}

static void test_host_process(void **state)
{
	(void)state;
	const char *bad =
	    "{\"securityContext\": {\"windowsOptions\": {\"hostProcess\": true}}, "
	    "\"containers\": [" CT("app", ", \"windowsOptions\": {\"hostProcess\": true}") "]}";
	const char *msg = "hostProcess (pod and container \"app\" must not set "
			  "securityContext.windowsOptions.hostProcess=true)";
	expect(bad, NULL, B, msg, NULL);
	expect(bad, NULL, R, msg, NULL);
	PASS("{\"securityContext\": {\"windowsOptions\": {\"hostProcess\": false}}}", NULL, R);
}

static void test_host_namespaces(void **state)
{
	(void)state;
	const char *bad = "{\"hostNetwork\": true, \"hostPID\": true, \"hostIPC\": true}";
	const char *msg = "host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)";
	expect(bad, NULL, B, msg, NULL);
	expect(bad, NULL, R, msg, NULL);
	expect("{\"hostPID\": true}", NULL, B, "host namespaces (hostPID=true)", NULL);
	PASS("{\"hostNetwork\": false, \"hostPID\": false, \"hostIPC\": null}", NULL, R);
	/* a value of the wrong type counts as set */
	expect("{\"hostNetwork\": \"yes\"}", NULL, B, "host namespaces (hostNetwork=true)", NULL);
}

static void test_privileged(void **state)
{
	(void)state;
	const char *bad =
	    "{\"containers\": [" CT("a", ", \"privileged\": true") "], \"initContainers\": [" CT(
		"init", ", \"privileged\": true") "]}";
	const char *msg = "privileged (containers \"a\", \"init\" must not set "
			  "securityContext.privileged=true)";
	expect(bad, NULL, B, msg, NULL);
	expect(bad, NULL, R, msg, NULL);
	/* ephemeral containers count too */
	expect("{\"ephemeralContainers\": [" CT("debug", ", \"privileged\": true") "]}", NULL, B,
	       "privileged (container \"debug\" must not set securityContext.privileged=true)",
	       NULL);
	PASS("{\"containers\": [" CT("a", ", \"privileged\": false") "]}", NULL, R);
}

static void test_capabilities(void **state)
{
	(void)state;
	const char *add_admin =
	    "{\"containers\": [{\"name\": \"app\", \"image\": \"x\", \"securityContext\": "
	    "{\"allowPrivilegeEscalation\": false, \"capabilities\": {\"drop\": [\"ALL\"], "
	    "\"add\": "
	    "[\"SYS_ADMIN\", \"NET_ADMIN\", \"CHOWN\"]}}}]}";
	expect(add_admin, NULL, B,
	       "non-default capabilities (container \"app\" must not include \"NET_ADMIN\", "
	       "\"SYS_ADMIN\" in securityContext.capabilities.add)",
	       NULL);
	expect(add_admin, NULL, R,
	       "non-default capabilities (container \"app\" must not include \"NET_ADMIN\", "
	       "\"SYS_ADMIN\" in securityContext.capabilities.add)",
	       "unrestricted capabilities (container \"app\" must not include \"CHOWN\", "
	       "\"NET_ADMIN\", \"SYS_ADMIN\" in securityContext.capabilities.add)",
	       NULL);
	/* baseline allows adding the default set; restricted only NET_BIND_SERVICE */
	const char *add_default =
	    "{\"containers\": [{\"name\": \"app\", \"image\": \"x\", \"securityContext\": "
	    "{\"allowPrivilegeEscalation\": false, \"capabilities\": {\"drop\": [\"ALL\"], "
	    "\"add\": "
	    "[\"CHOWN\", \"KILL\", \"NET_BIND_SERVICE\", \"SETFCAP\", \"SYS_CHROOT\", "
	    "\"AUDIT_WRITE\"]}}}]}";
	PASS(add_default, NULL, B);
	expect(add_default, NULL, R,
	       "unrestricted capabilities (container \"app\" must not include \"AUDIT_WRITE\", "
	       "\"CHOWN\", \"KILL\", \"SETFCAP\", \"SYS_CHROOT\" in "
	       "securityContext.capabilities.add)",
	       NULL);
	PASS("{\"containers\": [{\"name\": \"app\", \"image\": \"x\", \"securityContext\": "
	     "{\"allowPrivilegeEscalation\": false, \"capabilities\": {\"drop\": [\"ALL\"], "
	     "\"add\": "
	     "[\"NET_BIND_SERVICE\"]}}}]}",
	     NULL, R);
	/* restricted: drop must include ALL */
	expect(
	    "{\"containers\": [{\"name\": \"app\", \"image\": \"x\", \"securityContext\": "
	    "{\"allowPrivilegeEscalation\": false, \"capabilities\": {\"drop\": [\"NET_RAW\"]}}}, "
	    "{\"name\": \"b\", \"image\": \"x\", \"securityContext\": "
	    "{\"allowPrivilegeEscalation\": false}}]}",
	    NULL, R,
	    "unrestricted capabilities (containers \"app\", \"b\" must set "
	    "securityContext.capabilities.drop=[\"ALL\"])",
	    NULL);
}

static void test_host_path_and_volume_types(void **state)
{
	(void)state;
	const char *vols =
	    "{\"volumes\": [{\"name\": \"sock\", \"hostPath\": {\"path\": "
	    "\"/var/run/docker.sock\"}}, {\"name\": \"nfs\", \"nfs\": {\"server\": "
	    "\"s\", \"path\": \"/\"}}, {\"name\": \"cfg\", \"configMap\": {\"name\": "
	    "\"c\"}}]}";
	expect(vols, NULL, B, "hostPath volumes (volume \"sock\")", NULL);
	expect(vols, NULL, R,
	       "restricted volume types (volumes \"sock\", \"nfs\" use restricted volume types "
	       "\"hostPath\", \"nfs\")",
	       NULL);
	const char *allowed =
	    "{\"volumes\": [{\"name\": \"a\", \"configMap\": {}}, {\"name\": \"b\", \"csi\": {}}, "
	    "{\"name\": \"c\", \"downwardAPI\": {}}, {\"name\": \"d\", \"emptyDir\": {}}, "
	    "{\"name\": \"e\", \"ephemeral\": {}}, {\"name\": \"f\", \"persistentVolumeClaim\": "
	    "{\"claimName\": \"x\"}}, {\"name\": \"g\", \"projected\": {}}, {\"name\": \"h\", "
	    "\"secret\": {}}]}";
	PASS(allowed, NULL, R);
	expect("{\"volumes\": [{\"name\": \"w\", \"weird\": {}}]}", NULL, R,
	       "restricted volume types (volume \"w\" uses restricted volume type \"unknown\")",
	       NULL);
	PASS("{\"volumes\": [{\"name\": \"w\", \"gitRepo\": {}}]}", NULL, B);
}

static void test_host_ports(void **state)
{
	(void)state;
	const char *bad = "{\"containers\": [{\"name\": \"web\", \"image\": \"x\", \"ports\": "
			  "[{\"containerPort\": 80, \"hostPort\": 80}, {\"containerPort\": 443, "
			  "\"hostPort\": 8443}]}]}";
	expect(bad, NULL, B, "hostPort (container \"web\" uses hostPorts 80, 8443)", NULL);
	expect(
	    "{\"containers\": [" CT(
		"web",
		"") "], \"initContainers\": [{\"name\": \"i\", "
		    "\"image\": \"x\", \"securityContext\": {\"allowPrivilegeEscalation\": false, "
		    "\"capabilities\": {\"drop\": [\"ALL\"]}}, \"ports\": [{\"hostPort\": "
		    "9000}]}]}",
	    NULL, R, "hostPort (container \"i\" uses hostPort 9000)", NULL);
	PASS("{\"containers\": [{\"name\": \"web\", \"image\": \"x\", \"ports\": "
	     "[{\"containerPort\": 80, \"hostPort\": 0}, {\"containerPort\": 81}]}]}",
	     NULL, B);
}

static void test_apparmor(void **state)
{
	(void)state;
	const char *bad = "{\"securityContext\": {\"runAsNonRoot\": true, \"seccompProfile\": "
			  "{\"type\": \"RuntimeDefault\"}, \"appArmorProfile\": {\"type\": "
			  "\"Unconfined\"}}}";
	const char *msg = "forbidden AppArmor profile (pod must not set AppArmor profile type to "
			  "\"Unconfined\")";
	expect(bad, NULL, B, msg, NULL);
	expect(bad, NULL, R, msg, NULL);
	expect(NULL,
	       "{\"annotations\": {\"container.apparmor.security.beta.kubernetes.io/app\": "
	       "\"unconfined\"}}",
	       B,
	       "forbidden AppArmor profile (annotation must not set AppArmor profile type to "
	       "\"container.apparmor.security.beta.kubernetes.io/app=unconfined\")",
	       NULL);
	PASS("{\"containers\": [" CT("app", ", \"appArmorProfile\": {\"type\": \"Localhost\", "
					    "\"localhostProfile\": \"p\"}") "]}",
	     "{\"annotations\": {\"container.apparmor.security.beta.kubernetes.io/app\": "
	     "\"runtime/default\", \"container.apparmor.security.beta.kubernetes.io/b\": "
	     "\"localhost/prof\", \"other\": \"unconfined\"}}",
	     R);
}

static void test_selinux(void **state)
{
	(void)state;
	const char *bad =
	    "{\"securityContext\": {\"runAsNonRoot\": true, \"seccompProfile\": {\"type\": "
	    "\"RuntimeDefault\"}, \"seLinuxOptions\": {\"type\": \"spc_t\"}}, \"containers\": [" CT(
		"app",
		", \"seLinuxOptions\": {\"user\": \"system_u\", \"role\": \"system_r\"}") "]}";
	const char *msg = "seLinuxOptions (pod and container \"app\" set forbidden "
			  "securityContext.seLinuxOptions: type \"spc_t\"; user may not be set; "
			  "role may not be set)";
	expect(bad, NULL, B, msg, NULL);
	expect(bad, NULL, R, msg, NULL);
	for (const char *const *t =
		 (const char *const[]){"container_t", "container_init_t", "container_kvm_t",
				       "container_engine_t", "", NULL};
	     *t; t++) {
		char patch[256];
		snprintf(patch, sizeof(patch),
			 "{\"securityContext\": {\"seLinuxOptions\": {\"type\": \"%s\", "
			 "\"level\": \"s0:c1,c2\"}}}",
			 *t);
		PASS(patch, NULL, R);
	}
}

static void test_proc_mount(void **state)
{
	(void)state;
	const char *bad = "{\"containers\": [" CT("app", ", \"procMount\": \"Unmasked\"") "]}";
	const char *msg =
	    "procMount (container \"app\" must not set securityContext.procMount to \"Unmasked\")";
	expect(bad, NULL, B, msg, NULL);
	expect(bad, NULL, R, msg, NULL);
	PASS("{\"containers\": [" CT("app", ", \"procMount\": \"Default\"") "]}", NULL, R);
}

static void test_seccomp(void **state)
{
	(void)state;
	/* baseline: anything but Unconfined, and nothing required */
	const char *unconfined =
	    "{\"securityContext\": {\"seccompProfile\": {\"type\": \"Unconfined\"}}, "
	    "\"containers\": [" CT("app", ", \"seccompProfile\": {\"type\": \"Unconfined\"}") "]}";
	expect(unconfined, NULL, B,
	       "seccompProfile (pod and container \"app\" must not set "
	       "securityContext.seccompProfile.type to \"Unconfined\")",
	       NULL);
	expect(unconfined, NULL, R,
	       "seccompProfile (pod and container \"app\" must not set "
	       "securityContext.seccompProfile.type to \"Unconfined\")",
	       NULL);
	PASS("{\"securityContext\": {\"runAsNonRoot\": true, \"seccompProfile\": null}}", NULL, B);
	/* restricted: the pod's profile, or every container's */
	const char *per_container =
	    "{\"securityContext\": {\"runAsNonRoot\": true, \"seccompProfile\": null}, "
	    "\"containers\": [" CT("a", ", \"seccompProfile\": {\"type\": \"Localhost\", "
					"\"localhostProfile\": \"p.json\"}") ", " CT("b", "") "]}";
	expect(
	    per_container, NULL, R,
	    "seccompProfile (pod or container \"b\" must set securityContext.seccompProfile.type "
	    "to \"RuntimeDefault\" or \"Localhost\")",
	    NULL);
	PASS("{\"securityContext\": {\"runAsNonRoot\": true, \"seccompProfile\": null}, "
	     "\"containers\": [" CT("a",
				    ", \"seccompProfile\": {\"type\": \"RuntimeDefault\"}") "]}",
	     NULL, R);
}

static void test_sysctls(void **state)
{
	(void)state;
	const char *bad = "{\"securityContext\": {\"runAsNonRoot\": true, \"seccompProfile\": "
			  "{\"type\": \"RuntimeDefault\"}, \"sysctls\": [{\"name\": "
			  "\"kernel.msgmax\", \"value\": \"1\"}, {\"name\": "
			  "\"net.ipv4.tcp_syncookies\", \"value\": \"1\"}, {\"name\": "
			  "\"kernel.sem\", \"value\": \"1\"}]}}";
	expect(bad, NULL, B, "forbidden sysctls (kernel.msgmax, kernel.sem)", NULL);
	expect(bad, NULL, R, "forbidden sysctls (kernel.msgmax, kernel.sem)", NULL);
	static const char *const safe[] = {"kernel.shm_rmid_forced",
					   "net.ipv4.ip_local_port_range",
					   "net.ipv4.ip_unprivileged_port_start",
					   "net.ipv4.tcp_syncookies",
					   "net.ipv4.ping_group_range",
					   "net.ipv4.ip_local_reserved_ports",
					   "net.ipv4.tcp_keepalive_time",
					   "net.ipv4.tcp_fin_timeout",
					   "net.ipv4.tcp_keepalive_intvl",
					   "net.ipv4.tcp_keepalive_probes"};
	for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++) {
		char patch[256];
		snprintf(patch, sizeof(patch),
			 "{\"securityContext\": {\"sysctls\": [{\"name\": \"%s\", \"value\": "
			 "\"1\"}]}}",
			 safe[i]);
		PASS(patch, NULL, R);
	}
}

static void test_probe_hosts(void **state)
{
	(void)state;
	const char *bad =
	    "{\"containers\": [{\"name\": \"app\", \"image\": \"x\", \"livenessProbe\": "
	    "{\"httpGet\": {\"host\": \"169.254.169.254\", \"port\": 80}}, \"lifecycle\": "
	    "{\"preStop\": {\"tcpSocket\": {\"host\": \"10.0.0.1\", \"port\": 22}}}}]}";
	expect(bad, NULL, B,
	       "probe or lifecycle host (container \"app\" uses probe or lifecycle hosts "
	       "\"10.0.0.1\", \"169.254.169.254\")",
	       NULL);
	PASS("{\"containers\": [{\"name\": \"app\", \"image\": \"x\", \"readinessProbe\": "
	     "{\"httpGet\": {\"host\": \"\", \"path\": \"/\", \"port\": 80}}}]}",
	     NULL, B);
}

static void test_privilege_escalation(void **state)
{
	(void)state;
	const char *bad = "{\"containers\": [{\"name\": \"app\", \"image\": \"x\", "
			  "\"securityContext\": {\"allowPrivilegeEscalation\": true, "
			  "\"capabilities\": {\"drop\": [\"ALL\"]}}}]}";
	PASS(bad, NULL, B);
	expect(bad, NULL, R,
	       "allowPrivilegeEscalation != false (container \"app\" must set "
	       "securityContext.allowPrivilegeEscalation=false)",
	       NULL);
}

static void test_run_as_non_root(void **state)
{
	(void)state;
	const char *explicit_false =
	    "{\"securityContext\": {\"runAsNonRoot\": false, \"seccompProfile\": {\"type\": "
	    "\"RuntimeDefault\"}}, \"containers\": [" CT("app", ", \"runAsNonRoot\": false") "]}";
	PASS(explicit_false, NULL, B);
	expect(explicit_false, NULL, R,
	       "runAsNonRoot != true (pod and container \"app\" must not set "
	       "securityContext.runAsNonRoot=false)",
	       NULL);
	/* unset at the pod: every container must set it */
	expect("{\"securityContext\": {\"runAsNonRoot\": null, \"seccompProfile\": {\"type\": "
	       "\"RuntimeDefault\"}}, \"containers\": [" CT(
		   "a", ", \"runAsNonRoot\": true") ", " CT("b", "") "]}",
	       NULL, R,
	       "runAsNonRoot != true (pod or container \"b\" must set "
	       "securityContext.runAsNonRoot=true)",
	       NULL);
	PASS("{\"securityContext\": {\"runAsNonRoot\": null, \"seccompProfile\": {\"type\": "
	     "\"RuntimeDefault\"}}, \"containers\": [" CT("a", ", \"runAsNonRoot\": true") "]}",
	     NULL, R);
}

static void test_run_as_user(void **state)
{
	(void)state;
	const char *root = "{\"securityContext\": {\"runAsUser\": 0, \"runAsNonRoot\": true, "
			   "\"seccompProfile\": {\"type\": \"RuntimeDefault\"}}, \"containers\": "
			   "[" CT("app", ", \"runAsUser\": 0") "]}";
	PASS(root, NULL, B);
	expect(root, NULL, R, "runAsUser=0 (pod and container \"app\" must not set runAsUser=0)",
	       NULL);
	PASS("{\"securityContext\": {\"runAsUser\": 1000, \"runAsNonRoot\": true, "
	     "\"seccompProfile\": {\"type\": \"RuntimeDefault\"}}}",
	     NULL, R);
}

static void test_windows_pods(void **state)
{
	(void)state;
	/* the Linux-only restricted controls do not apply to Windows pods */
	expect("{\"os\": {\"name\": \"windows\"}, \"securityContext\": {\"runAsNonRoot\": true, "
	       "\"seccompProfile\": null}, \"containers\": [{\"name\": \"app\", \"image\": "
	       "\"x\"}]}",
	       NULL, R, NULL);
}

static void test_finding_fields(void **state)
{
	(void)state;
	struct adm_result res;
	run("{\"hostNetwork\": true, \"containers\": [{\"name\": \"app\", \"image\": \"x\"}]}",
	    NULL, R, &res);
	bool saw_baseline = false, saw_restricted = false;
	for (size_t i = 0; i < res.n; i++) {
		if (!strcmp(res.v[i].rule, "hostNamespaces")) {
			assert_int_equal(res.v[i].level, ADM_LEVEL_BASELINE);
			saw_baseline = true;
		}
		if (!strcmp(res.v[i].rule, "allowPrivilegeEscalation")) {
			assert_int_equal(res.v[i].level, ADM_LEVEL_RESTRICTED);
			saw_restricted = true;
		}
	}
	assert_true(saw_baseline && saw_restricted);
	adm_result_free(&res);
	/* garbage where objects are expected does not crash, and denies */
	json_t *spec = json_loads("{\"containers\": [1, \"x\", {\"name\": 5, \"securityContext\": "
				  "{\"privileged\": 1}}], \"volumes\": {}, \"securityContext\": "
				  "[]}",
				  0, NULL);
	adm_result_init(&res);
	adm_pss_check(NULL, spec, R, &res);
	assert_true(res.n > 0);
	adm_result_free(&res);
	json_decref(spec);
}

static void test_long_lists(void **state)
{
	(void)state;
	/* 200 privileged containers: one finding, the names elided after 64 */
	json_t *spec = json_object();
	json_t *cts = json_array();
	for (int i = 0; i < 200; i++) {
		char name[16];
		snprintf(name, sizeof(name), "n%d", i);
		json_array_append_new(cts, json_pack("{s:s, s:s, s:{s:b}}", "name", name, "image",
						     "x", "securityContext", "privileged", 1));
	}
	json_object_set_new(spec, "containers", cts);
	struct adm_result res;
	adm_result_init(&res);
	adm_pss_check(NULL, spec, B, &res);
	assert_int_equal(res.n, 1);
	assert_non_null(strstr(res.v[0].message, "containers \"n0\", \"n1\""));
	assert_non_null(strstr(res.v[0].message, "\"n63\", ... must not set"));
	assert_null(strstr(res.v[0].message, "\"n64\""));
	adm_result_free(&res);
	json_decref(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compliant),
	    cmocka_unit_test(test_host_process),
	    cmocka_unit_test(test_host_namespaces),
	    cmocka_unit_test(test_privileged),
	    cmocka_unit_test(test_capabilities),
	    cmocka_unit_test(test_host_path_and_volume_types),
	    cmocka_unit_test(test_host_ports),
	    cmocka_unit_test(test_apparmor),
	    cmocka_unit_test(test_selinux),
	    cmocka_unit_test(test_proc_mount),
	    cmocka_unit_test(test_seccomp),
	    cmocka_unit_test(test_sysctls),
	    cmocka_unit_test(test_probe_hosts),
	    cmocka_unit_test(test_privilege_escalation),
	    cmocka_unit_test(test_run_as_non_root),
	    cmocka_unit_test(test_run_as_user),
	    cmocka_unit_test(test_windows_pods),
	    cmocka_unit_test(test_finding_fields),
	    cmocka_unit_test(test_long_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
