/* The admission: section: defaults, every key, every error (file:line:col). */
#include "admit/policy.h"
#include "common/strutil.h"
#include "runtime/oci_config.h"

#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <cmocka.h>

static struct adm_policy *load_ok(const char *text)
{
	struct adm_policy *p = NULL;
	struct pal_err err = {0};
	if (adm_policy_load_buffer("policy.yaml", text, strlen(text), &p, &err) < 0)
		fail_msg("policy should load: %s\n%s", err.msg, text);
	return p;
}

static void expect_error(const char *text, const char *want)
{
	struct adm_policy *p = NULL;
	struct pal_err err = {0};
	int r = adm_policy_load_buffer("policy.yaml", text, strlen(text), &p, &err);
	if (r == 0) {
		adm_policy_free(p);
		fail_msg("policy should be refused (%s):\n%s", want, text);
	}
	if (!strstr(err.msg, want))
		fail_msg("error '%s' does not contain '%s'", err.msg, want);
}

static bool has_path(const struct adm_paths *ps, const char *path)
{
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].path, path))
			return true;
	return false;
}

static void test_defaults(void **state)
{
	(void)state;
	struct adm_policy *p = adm_policy_new();
	assert_int_equal(p->mode, ADM_MODE_ENFORCE);
	assert_true(p->deny_caps & (1ull << CAP_SYS_ADMIN));
	assert_true(p->deny_caps & (1ull << CAP_SYS_MODULE));
	assert_true(p->deny_caps & (1ull << CAP_NET_ADMIN));
	assert_true(p->deny_caps & (1ull << CAP_BPF));
	/* the engines' default sets stay allowed */
	assert_false(p->deny_caps & (1ull << CAP_CHOWN));
	assert_false(p->deny_caps & (1ull << CAP_SETFCAP));
	assert_false(p->deny_caps & (1ull << CAP_NET_RAW));
	assert_false(p->deny_caps & (1ull << CAP_NET_BIND_SERVICE));
	for (int t = 0; t < RT_NS__COUNT; t++) {
		bool want = t == RT_NS_PID || t == RT_NS_NETWORK || t == RT_NS_IPC ||
			    t == RT_NS_UTS || t == RT_NS_MOUNT;
		assert_int_equal(!!(p->host_namespaces & (1u << t)), want);
	}
	assert_true(has_path(&p->deny_paths, "/var/run/docker.sock"));
	assert_true(has_path(&p->deny_paths, "/run/containerd"));
	assert_true(has_path(&p->deny_paths, "/"));
	assert_true(has_path(&p->allow_paths, "/var/lib/kubelet/pods/{pod-uid}"));
	assert_true(has_path(&p->readonly_paths, "/etc/ssl/certs"));
	assert_true(p->deny_devices);
	assert_int_equal(p->k8s.enforce, ADM_LEVEL_BASELINE);
	assert_int_equal(p->k8s.image_trust, ADM_MODE_ENFORCE);
	enum adm_level e, w;
	bool exempt;
	adm_k8s_levels(p, "kube-system", &e, &w, &exempt);
	assert_int_equal(e, ADM_LEVEL_PRIVILEGED);
	adm_k8s_levels(p, "default", &e, &w, &exempt);
	assert_int_equal(e, ADM_LEVEL_BASELINE);
	assert_int_equal(w, ADM_LEVEL_BASELINE);
	assert_false(exempt);
	assert_string_equal(p->source, "built-in defaults");
	adm_policy_free(p);
	/* a file without the section, or with an empty one, keeps the defaults */
	struct adm_policy *d = adm_policy_new();
	p = load_ok("trust:\n  default: [accept]\n");
	assert_int_equal(p->deny_caps, d->deny_caps);
	adm_policy_free(d);
	assert_string_equal(p->source, "policy.yaml");
	adm_policy_free(p);
	p = load_ok("admission:\n");
	assert_true(p->deny_caps & (1ull << CAP_SYS_ADMIN));
	adm_policy_free(p);
	p = load_ok("");
	adm_policy_free(p);
}

static void test_every_key(void **state)
{
	(void)state;
	struct adm_policy *p =
	    load_ok("admission:\n"
		    "  mode: warn\n"
		    "  capabilities:\n"
		    "    deny: [sys_admin, CAP_NET_RAW]\n"
		    "  host_namespaces: [pid, net]\n"
		    "  host_paths:\n"
		    "    deny: [/srv/secret, {path: /data, reason: customer data}]\n"
		    "    allow: [/data/public, \"/var/lib/x/{container-id}/files\"]\n"
		    "    allow_readonly: [/srv/secret/ro]\n"
		    "  devices: allow\n"
		    "  exceptions:\n"
		    "    - images: [registry.example.com/infra, \"*.corp.example\"]\n"
		    "      annotations: {io.kubernetes.cri.container-name: exporter}\n"
		    "      allow: [host_namespaces:network, capabilities:NET_ADMIN, host_paths, "
		    "devices:/dev/fuse]\n"
		    "  kubernetes:\n"
		    "    enforce: restricted\n"
		    "    warn: restricted\n"
		    "    namespaces:\n"
		    "      kube-system: privileged\n"
		    "      dev: {enforce: baseline, warn: restricted}\n"
		    "      ops: {warn: restricted}\n"
		    "    exempt_namespaces: [palisade-system]\n"
		    "    image_trust: warn\n");
	assert_int_equal(p->mode, ADM_MODE_WARN);
	assert_int_equal(p->deny_caps, (1ull << CAP_SYS_ADMIN) | (1ull << CAP_NET_RAW));
	assert_int_equal(p->host_namespaces, (1u << RT_NS_PID) | (1u << RT_NS_NETWORK));
	assert_int_equal(p->deny_paths.n, 2);
	assert_string_equal(p->deny_paths.v[1].path, "/data");
	assert_string_equal(p->deny_paths.v[1].reason, "customer data");
	assert_int_equal(p->allow_paths.n, 2);
	assert_string_equal(p->allow_paths.v[1].path, "/var/lib/x/{container-id}/files");
	assert_int_equal(p->readonly_paths.n, 1);
	assert_false(p->deny_devices);
	assert_int_equal(p->n_exceptions, 1);
	const struct adm_exception *e = &p->exceptions[0];
	assert_int_equal(e->line, 12);
	assert_string_equal(e->images[1], "*.corp.example");
	assert_string_equal(e->annotations[0], "io.kubernetes.cri.container-name=exporter");
	assert_int_equal(e->n_allow, 4);
	assert_int_equal(e->allow[0].rule, ADM_RULE_HOST_NAMESPACES);
	assert_string_equal(e->allow[0].item, "network");
	assert_int_equal(e->allow[1].rule, ADM_RULE_CAPABILITIES);
	assert_string_equal(e->allow[1].item, "CAP_NET_ADMIN");
	assert_int_equal(e->allow[2].rule, ADM_RULE_HOST_PATHS);
	assert_null(e->allow[2].item);
	assert_string_equal(e->allow[3].item, "/dev/fuse");
	enum adm_level en, w;
	bool exempt;
	adm_k8s_levels(p, "kube-system", &en, &w, &exempt);
	assert_int_equal(en, ADM_LEVEL_PRIVILEGED);
	assert_int_equal(w, ADM_LEVEL_PRIVILEGED);
	adm_k8s_levels(p, "dev", &en, &w, &exempt);
	assert_int_equal(en, ADM_LEVEL_BASELINE);
	assert_int_equal(w, ADM_LEVEL_RESTRICTED);
	adm_k8s_levels(p, "ops", &en, &w, &exempt); /* enforce defaults to the global one */
	assert_int_equal(en, ADM_LEVEL_RESTRICTED);
	adm_k8s_levels(p, "palisade-system", &en, &w, &exempt);
	assert_true(exempt);
	adm_k8s_levels(p, "other", &en, &w, &exempt);
	assert_int_equal(en, ADM_LEVEL_RESTRICTED);
	assert_false(exempt);
	assert_int_equal(p->k8s.image_trust, ADM_MODE_WARN);
	adm_policy_free(p);
}

static void test_default_entries_and_shorthands(void **state)
{
	(void)state;
	struct adm_policy *d = adm_policy_new();
	struct adm_policy *p = load_ok("admission:\n"
				       "  capabilities: {deny: [default, NET_RAW]}\n"
				       "  host_namespaces: allow\n"
				       "  host_paths:\n"
				       "    deny: [default, /srv]\n"
				       "    allow: [default]\n"
				       "    allow_readonly: []\n"
				       "  kubernetes: {enforce: privileged}\n");
	assert_int_equal(p->deny_caps, d->deny_caps | (1ull << CAP_NET_RAW));
	assert_int_equal(p->host_namespaces, 0);
	assert_int_equal(p->deny_paths.n, d->deny_paths.n + 1);
	assert_int_equal(p->allow_paths.n, d->allow_paths.n);
	assert_int_equal(p->readonly_paths.n, 0);
	/* warn follows enforce when not given */
	assert_int_equal(p->k8s.warn, ADM_LEVEL_PRIVILEGED);
	adm_policy_free(p);
	p = load_ok("admission:\n  host_namespaces: deny\n  mode: off\n");
	assert_int_equal(p->host_namespaces, d->host_namespaces);
	assert_int_equal(p->mode, ADM_MODE_OFF);
	adm_policy_free(p);
	adm_policy_free(d);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("- a\n", "policy.yaml:1:1: the policy must be a mapping");
	expect_error("admission: [1]\n", "policy.yaml:1:12: admission must be a mapping");
	expect_error("admission:\n  mod: enforce\n",
		     "policy.yaml:2:3: admission: unknown key 'mod' (allowed: mode, capabilities,");
	expect_error("admission:\n  mode: strict\n",
		     "policy.yaml:2:9: admission.mode must be one of enforce, warn, off (got "
		     "'strict')");
	expect_error("admission:\n  capabilities: [CAP_SYS_ADMIN]\n",
		     "2:17: admission.capabilities must be a mapping");
	expect_error("admission:\n  capabilities:\n    drop: []\n",
		     "3:5: admission.capabilities: unknown key 'drop' (allowed: deny)");
	expect_error("admission:\n  capabilities:\n    deny: CAP_SYS_ADMIN\n",
		     "3:11: admission.capabilities.deny must be a list");
	expect_error("admission:\n  capabilities:\n    deny: [CAP_SYS_ADMIN, CAP_NOPE]\n",
		     "3:27: admission.capabilities.deny: unknown capability 'CAP_NOPE'");
	expect_error("admission:\n  host_namespaces: [pid, host]\n",
		     "2:26: admission.host_namespaces: unknown namespace type 'host'");
	expect_error("admission:\n  host_namespaces: yes\n",
		     "2:20: admission.host_namespaces must be 'deny'");
	expect_error("admission:\n  host_paths: [/etc]\n",
		     "2:15: admission.host_paths must be a mapping");
	expect_error("admission:\n  host_paths:\n    block: []\n",
		     "3:5: admission.host_paths: unknown key 'block' (allowed: deny, allow, "
		     "allow_readonly)");
	expect_error("admission:\n  host_paths:\n    deny: [etc]\n",
		     "3:12: admission.host_paths.deny: 'etc' must be an absolute path");
	expect_error("admission:\n  host_paths:\n    deny: [/etc/../root]\n",
		     "admission.host_paths.deny: '/etc/../root' must be an absolute path");
	expect_error("admission:\n  host_paths:\n    deny: [/etc/]\n", "trailing '/'");
	expect_error("admission:\n  host_paths:\n    deny: [\"/x/{container-id}\"]\n",
		     "3:12: admission.host_paths.deny: '/x/{container-id}': placeholders are only "
		     "allowed in host_paths.allow");
	expect_error("admission:\n  host_paths:\n    allow: [\"/x/{id}\"]\n",
		     "a placeholder must be a whole path component");
	expect_error("admission:\n  host_paths:\n    allow: [/]\n",
		     "3:13: admission.host_paths.allow: '/' would allow every path");
	expect_error("admission:\n  host_paths:\n    deny: [{path: /x, why: y}]\n",
		     "3:23: admission.host_paths.deny: unknown key 'why' (allowed: path, reason)");
	expect_error("admission:\n  host_paths:\n    deny: [[/x]]\n",
		     "3:12: admission.host_paths.deny: every entry must be a path");
	expect_error("admission:\n  devices: maybe\n",
		     "2:12: admission.devices must be 'deny' or 'allow'");
	expect_error("admission:\n  exceptions: {images: []}\n",
		     "2:15: admission.exceptions must be a list");
	expect_error("admission:\n  exceptions:\n    - allow: [devices]\n",
		     "3:7: an exception needs images or annotations");
	expect_error("admission:\n  exceptions:\n    - images: [localhost/a]\n",
		     "3:7: an exception needs allow");
	expect_error("admission:\n  exceptions:\n    - images: [localhost/a]\n      allow: []\n",
		     "4:14: exceptions[].allow must not be empty");
	expect_error("admission:\n  exceptions:\n    - images: []\n      allow: [devices]\n",
		     "3:15: exceptions[].images must not be empty");
	expect_error("admission:\n  exceptions:\n    - images: [nginx]\n      allow: [devices]\n",
		     "3:16: exceptions[].images: scope 'nginx' must start with a registry host");
	expect_error("admission:\n  exceptions:\n    - images: [registry.example.com/infra/*]\n"
		     "      allow: [devices]\n",
		     "'*' is only allowed as *.host");
	expect_error("admission:\n  exceptions:\n    - images: [localhost/a]\n"
		     "      allow: [privileged]\n",
		     "4:15: exceptions[].allow: unknown rule 'privileged'");
	expect_error("admission:\n  exceptions:\n    - images: [localhost/a]\n"
		     "      allow: [capabilities:CAP_BOGUS]\n",
		     "exceptions[].allow: unknown capability 'CAP_BOGUS'");
	expect_error("admission:\n  exceptions:\n    - images: [localhost/a]\n"
		     "      allow: [\"host_namespaces:\"]\n",
		     "has an empty item");
	expect_error("admission:\n  exceptions:\n    - images: [localhost/a]\n"
		     "      allow: [host_paths:relative]\n",
		     "'relative' must be an absolute path");
	expect_error("admission:\n  exceptions:\n    - annotations: [a]\n      allow: [devices]\n",
		     "3:20: exceptions[].annotations must be a mapping");
	expect_error("admission:\n  exceptions:\n    - images: [localhost/a]\n      when: x\n"
		     "      allow: [devices]\n",
		     "4:7: admission.exceptions[]: unknown key 'when'");
	expect_error("admission:\n  kubernetes:\n    enforce: strict\n",
		     "3:14: admission.kubernetes.enforce must be one of privileged, baseline, "
		     "restricted");
	expect_error("admission:\n  kubernetes:\n    level: baseline\n",
		     "3:5: admission.kubernetes: unknown key 'level'");
	expect_error("admission:\n  kubernetes:\n    namespaces: {Prod: restricted}\n",
		     "3:18: admission.kubernetes.namespaces: 'Prod' is not a namespace name");
	expect_error("admission:\n  kubernetes:\n    namespaces: {a: restricted, a: baseline}\n",
		     "3:33: namespace 'a' is listed twice");
	expect_error("admission:\n  kubernetes:\n    namespaces: {a: {audit: baseline}}\n",
		     "3:22: admission.kubernetes.namespaces: unknown key 'audit'");
	expect_error("admission:\n  kubernetes:\n    namespaces: {a: [baseline]}\n",
		     "3:21: namespace 'a': give a level");
	expect_error(
	    "admission:\n  kubernetes:\n    exempt_namespaces: [ok, -bad]\n",
	    "3:29: admission.kubernetes.exempt_namespaces: '-bad' is not a namespace name");
	expect_error("admission:\n  kubernetes:\n    image_trust: yes\n",
		     "3:18: admission.kubernetes.image_trust must be one of enforce, warn, off");
	expect_error("admission:\n  mode: [\n", "policy.yaml:");
}

static void test_cap_names(void **state)
{
	(void)state;
	assert_int_equal(adm_cap_parse("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
	assert_int_equal(adm_cap_parse("sys_admin"), CAP_SYS_ADMIN);
	assert_int_equal(adm_cap_parse("Cap_Bpf"), CAP_BPF);
	assert_int_equal(adm_cap_parse("ALL"), -1);
	assert_int_equal(adm_cap_parse(""), -1);
	assert_int_equal(adm_cap_parse(NULL), -1);
	for (size_t i = 0; i < adm_n_default_deny_caps; i++)
		assert_string_not_equal(adm_cap_reason(adm_default_deny_caps[i]),
					"denied by admission.capabilities.deny");
}

static void test_load_file(void **state)
{
	(void)state;
	char path[] = "/tmp/pal-admit-policy-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char text[] = "admission:\n  mode: off\n";
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	struct adm_policy *p = NULL;
	struct pal_err err = {0};
	assert_int_equal(adm_policy_load(path, &p, &err), 0);
	assert_int_equal(p->mode, ADM_MODE_OFF);
	assert_string_equal(p->source, path);
	adm_policy_free(p);
	/* $PALISADE_POLICY is used when no path is given */
	setenv("PALISADE_POLICY", path, 1);
	assert_int_equal(adm_policy_load(NULL, &p, &err), 0);
	assert_int_equal(p->mode, ADM_MODE_OFF);
	adm_policy_free(p);
	unlink(path);
	assert_true(adm_policy_load(NULL, &p, &err) < 0);
	assert_non_null(strstr(err.msg, path));
	unsetenv("PALISADE_POLICY");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_every_key),
	    cmocka_unit_test(test_default_entries_and_shorthands),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_cap_names),
	    cmocka_unit_test(test_load_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
