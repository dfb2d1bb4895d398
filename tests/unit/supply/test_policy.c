/* Trust policy parsing (errors at file:line:col) and scope matching. */
#include "helpers.h"
#include "supply/keys.h"

#include <openssl/ec.h>
#include "supply/policy.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

struct fx {
	char *dir;
	char *pub_a, *pub_b;
	char fp_a[SUP_DIGEST_MAX];
};

static char *write_pub(const char *dir, const char *name, char *fp)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	_cleanup_free_ char *pem = sup_key_public_pem(k);
	char *p = pal_xasprintf("%s/%s", dir, name);
	th_write(p, pem, strlen(pem));
	if (fp)
		sup_key_fingerprint(k, fp);
	EVP_PKEY_free(k);
	return p;
}

static int setup(void **state)
{
	struct fx *f = pal_xcalloc(1, sizeof(*f));
	f->dir = th_tmpdir();
	f->pub_a = write_pub(f->dir, "a.pub", f->fp_a);
	f->pub_b = write_pub(f->dir, "b.pub", NULL);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	free(f->pub_a);
	free(f->pub_b);
	th_rmdir(f->dir);
	free(f);
	return 0;
}

static int load(struct fx *f, const char *text, struct sup_policy **p, struct pal_err *err)
{
	_cleanup_free_ char *path = pal_xasprintf("%s/policy.yaml", f->dir);
	th_write(path, text, strlen(text));
	return sup_policy_load(path, p, err);
}

static void test_errors_name_the_place(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *text, *where, *what;
	} cases[] = {
	    {"trust:\n  bogus: 1\n", ":2:3:", "unknown key 'bogus' in trust"},
	    {"trust:\n  default:\n    - type: maybe\n", ":3:13:", "unknown requirement type"},
	    {"trust:\n  default:\n    - type: signed\n      keys: [nokey]\n",
	     ":4:14:", "not defined in trust.keys"},
	    {"trust:\n  keys:\n    a: {path: a.pub}\n  default:\n    - type: signed\n"
	     "      keys: [a]\n      threshold: 2\n",
	     ":5:7:", "could never be met"},
	    {"trust:\n  scopes:\n    busybox: [accept]\n", ":3:5:", "registry host"},
	    {"trust:\n  keys:\n    a:\n      path: a.pub\n      not_after: tomorrow\n",
	     ":5:18:", "RFC 3339"},
	    {"trust:\n  keys:\n    a:\n      path: missing.pub\n", ":4:13:", "missing.pub"},
	    {"trust:\n  revoked: [abc]\n", ":2:13:", "fingerprints"},
	    {"trust:\n  default: [accept\n", ":3:1:", "YAML syntax error"},
	    {"trust:\n  default:\n    - type: vulnerabilities\n      max: {severe: 1}\n",
	     ":4:13:", "unknown key 'severe'"},
	    {"trust:\n  default:\n    - type: vulnerabilities\n      max: {critical: -1}\n",
	     ":4:23:", "0 or more"},
	    {"trust:\n  scopes:\n    \"*.a*.com\": [accept]\n", ":3:5:", "wildcard"},
	    {"trust:\n  default: []\n", ":2:12:", "no requirements"},
	    {"trust:\n  keys:\n    a: {path: a.pub, pem: x}\n", ":3:8:", "exactly one of path"},
	    {"trust:\n  keys:\n    a:\n      path: a.pub\n      not_before: 2027-01-01T00:00:00Z\n"
	     "      not_after: 2026-01-01T00:00:00Z\n",
	     ":4:7:", "before not_after"},
	    {"trust:\n  cache: {ttl: -5}\n", ":2:16:", "cache.ttl"},
	};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(cases); i++) {
		struct sup_policy *p = NULL;
		struct pal_err err = {0};
		if (load(f, cases[i].text, &p, &err) == 0) {
			sup_policy_free(p);
			fail_msg("case %zu accepted", i);
		}
		if (!strstr(err.msg, cases[i].where) || !strstr(err.msg, cases[i].what))
			fail_msg("case %zu: '%s' lacks '%s' or '%s'", i, err.msg, cases[i].where,
				 cases[i].what);
		assert_non_null(strstr(err.msg, "policy.yaml"));
	}
}

static void test_valid_policy(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *text =
	    pal_xasprintf("hardening:\n  seccomp: default\n"
			  "admission:\n  anything: [1, 2]\n"
			  "trust:\n"
			  "  signature_store: /tmp/store\n"
			  "  reports_dir: /tmp/reports\n"
			  "  cache: {dir: /tmp/cache, ttl: 60}\n"
			  "  revoked: [%s]\n"
			  "  keys:\n"
			  "    a: {path: a.pub, not_before: 2026-01-01T00:00:00Z}\n"
			  "    b: {path: %s, not_after: 2027-06-01T12:00:00+02:00}\n"
			  "  default: [reject]\n"
			  "  scopes:\n"
			  "    localhost/app:\n"
			  "      - type: signed\n"
			  "        keys: any\n"
			  "        threshold: 2\n"
			  "      - type: vulnerabilities\n"
			  "        max: {critical: 0, high: 3}\n"
			  "        fixable_only: true\n"
			  "    /srv/images: [accept]\n",
			  f->fp_a, f->pub_b);
	struct sup_policy *p = NULL;
	struct pal_err err = {0};
	if (load(f, text, &p, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(p->has_trust);
	assert_int_equal(p->n_keys, 2);
	assert_true(p->keys[0].revoked);
	assert_false(p->keys[1].revoked);
	assert_int_equal(p->keys[0].not_before, 1767225600);
	assert_int_equal(p->keys[1].not_after, 1811844000);
	assert_int_equal(p->n_scopes, 2);
	assert_int_equal(p->scopes[0].n_reqs, 2);
	assert_int_equal(p->scopes[0].reqs[0].threshold, 2);
	assert_int_equal(p->scopes[0].reqs[1].max[SUP_SEV_CRITICAL], 0);
	assert_int_equal(p->scopes[0].reqs[1].max[SUP_SEV_MEDIUM], -1);
	assert_true(p->scopes[0].reqs[1].fixable_only);
	assert_int_equal(p->cache_ttl, 60);
	assert_string_equal(p->signature_store, "/tmp/store");
	char gen[SUP_DIGEST_MAX];
	snprintf(gen, sizeof(gen), "%s", p->generation);
	sup_policy_free(p);
	/* rewriting a key file changes the generation even if the YAML does not */
	free(write_pub(f->dir, "a.pub", NULL));
	assert_int_equal(load(f, text, &p, &err), 0);
	assert_string_not_equal(gen, p->generation);
	sup_policy_free(p);
}

static void test_no_trust_section(void **state)
{
	struct fx *f = *state;
	struct sup_policy *p = NULL;
	struct pal_err err = {0};
	assert_int_equal(load(f, "hardening:\n  x: 1\n", &p, &err), 0);
	assert_false(p->has_trust);
	assert_int_equal(p->deflt.reqs[0].type, SUP_REQ_ACCEPT);
	sup_policy_free(p);
	/* a trust section without default rejects what no scope names */
	assert_int_equal(load(f, "trust:\n  scopes:\n    localhost: [accept]\n", &p, &err), 0);
	assert_int_equal(p->deflt.reqs[0].type, SUP_REQ_REJECT);
	sup_policy_free(p);
}

static const char *scope_of(struct sup_policy *p, const char *ref, const char *path,
			    const char *tag)
{
	struct sup_image img = {0};
	img.reference = (char *)ref;
	img.layout_path = (char *)path;
	img.tag = (char *)tag;
	snprintf(img.manifest_digest, sizeof(img.manifest_digest), "sha256:%064d", 7);
	return sup_policy_match(p, &img)->name;
}

static void test_scope_precedence(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *text =
	    pal_xasprintf("trust:\n  default: [reject]\n  scopes:\n"
			  "    docker.io/library/busybox:1.36: [accept]\n"
			  "    docker.io/library/busybox@sha256:%064d: [accept]\n"
			  "    docker.io/library/busybox: [accept]\n"
			  "    docker.io/library: [accept]\n"
			  "    docker.io: [accept]\n"
			  "    \"*.example.com\": [accept]\n"
			  "    \"*.sub.example.com\": [accept]\n"
			  "    registry.example.com/team: [accept]\n"
			  "    localhost:5000/x: [accept]\n"
			  "    /srv/images: [accept]\n"
			  "    /srv/images/app:v1: [accept]\n"
			  "    /srv/images/app: [accept]\n",
			  7);
	struct sup_policy *p = NULL;
	struct pal_err err = {0};
	if (load(f, text, &p, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(scope_of(p, "busybox:1.36", NULL, NULL),
			    "docker.io/library/busybox:1.36");
	assert_string_equal(
	    scope_of(p, "busybox:1.35", NULL, NULL),
	    "docker.io/library/"
	    "busybox@sha256:0000000000000000000000000000000000000000000000000000000000000007");
	sup_policy_free(p);
	/* without the digest scope, the repository wins */
	text = (free(text), pal_xstrdup("trust:\n  default: [reject]\n  scopes:\n"
					"    docker.io/library/busybox:1.36: [accept]\n"
					"    docker.io/library/busybox: [accept]\n"
					"    docker.io/library: [accept]\n"
					"    docker.io: [accept]\n"
					"    \"*.example.com\": [accept]\n"
					"    \"*.sub.example.com\": [accept]\n"
					"    registry.example.com/team: [accept]\n"
					"    localhost:5000/x: [accept]\n"
					"    /srv/images: [accept]\n"
					"    /srv/images/app:v1: [accept]\n"
					"    /srv/images/app: [accept]\n"));
	assert_int_equal(load(f, text, &p, &err), 0);
	assert_string_equal(scope_of(p, "busybox", NULL, NULL), "docker.io/library/busybox");
	assert_string_equal(scope_of(p, "docker.io/library/alpine:3", NULL, NULL),
			    "docker.io/library");
	assert_string_equal(scope_of(p, "bitnami/redis", NULL, NULL), "docker.io");
	assert_string_equal(scope_of(p, "registry.example.com/team/app:1", NULL, NULL),
			    "registry.example.com/team");
	assert_string_equal(scope_of(p, "registry.example.com/other/app:1", NULL, NULL),
			    "*.example.com");
	assert_string_equal(scope_of(p, "a.sub.example.com/app", NULL, NULL), "*.sub.example.com");
	assert_string_equal(scope_of(p, "localhost:5000/x/y:1", NULL, NULL), "localhost:5000/x");
	assert_string_equal(scope_of(p, "quay.io/x/y", NULL, NULL), "default");
	assert_string_equal(scope_of(p, NULL, "/srv/images/app", "v1"), "/srv/images/app:v1");
	assert_string_equal(scope_of(p, NULL, "/srv/images/app", "v2"), "/srv/images/app");
	assert_string_equal(scope_of(p, NULL, "/srv/images/other", "v2"), "/srv/images");
	assert_string_equal(scope_of(p, NULL, "/srv/imagesX", NULL), "default");
	/* a layout path scope wins over the reference the layout names */
	assert_string_equal(scope_of(p, "busybox", "/srv/images/bb", NULL), "/srv/images");
	assert_string_equal(scope_of(p, "busybox", "/elsewhere", NULL),
			    "docker.io/library/busybox");
	sup_policy_free(p);
}

static void test_times(void **state)
{
	(void)state;
	int64_t t = 0;
	assert_int_equal(sup_parse_time("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(sup_parse_time("2026-01-01T00:00:00.123Z", &t), 0);
	assert_int_equal(t, 1767225600);
	assert_int_equal(sup_parse_time("2026-01-01T01:00:00+01:00", &t), 0);
	assert_int_equal(t, 1767225600);
	assert_true(sup_parse_time("2026-01-01", &t) < 0);
	assert_true(sup_parse_time("2026-01-01T00:00:00", &t) < 0);
	assert_true(sup_parse_time("2026-01-01T00:00:00Zjunk", &t) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_errors_name_the_place, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_valid_policy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_trust_section, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_scope_precedence, setup, teardown),
	    cmocka_unit_test(test_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
