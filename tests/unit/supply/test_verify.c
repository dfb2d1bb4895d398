/* Verification against policies: each requirement, signature kinds, key
 * rotation and revocation, vulnerability thresholds, and the verdict cache. */
#include "helpers.h"
#include "supply/supply.h"
#include "supply/vulns.h"

#include <errno.h>
#include <openssl/ec.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <time.h>
#include <cmocka.h>

struct fx {
	char *dir, *layout, *ref;
	char digest[SUP_DIGEST_MAX];
	EVP_PKEY *key[3];
	char *pub[3];
	struct sup_image *img;
};

static int setup(void **state)
{
	struct fx *f = pal_xcalloc(1, sizeof(*f));
	f->dir = th_tmpdir();
	f->layout = pal_xasprintf("%s/layout", f->dir);
	f->ref = pal_xasprintf("%s:v1", f->layout);
	struct th_entry l1[] = {{'f', "hello", "world", 0}};
	const struct th_entry *layers[] = {l1};
	size_t counts[] = {1};
	th_make_image(f->layout, "v1", layers, counts, 1, 'g', f->digest);
	for (int i = 0; i < 3; i++) {
		f->key[i] = EVP_EC_gen("P-256");
		f->pub[i] = pal_xasprintf("%s/%c.pub", f->dir, 'a' + i);
		_cleanup_free_ char *pem = sup_key_public_pem(f->key[i]);
		th_write(f->pub[i], pem, strlen(pem));
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	sup_image_close(f->img);
	for (int i = 0; i < 3; i++) {
		EVP_PKEY_free(f->key[i]);
		free(f->pub[i]);
	}
	free(f->layout);
	free(f->ref);
	th_rmdir(f->dir);
	free(f);
	return 0;
}

static void sign_simple_for(struct fx *f, int k, const char *digest)
{
	struct pal_err err = {0};
	struct sup_layout l;
	assert_int_equal(sup_layout_open(f->layout, SUP_LAYOUT_WRITE, &l, &err), 0);
	_cleanup_free_ char *payload = sup_simplesign_payload("localhost/app", digest);
	unsigned char *sig = NULL;
	size_t sl = 0;
	assert_int_equal(sup_sign(f->key[k], -1, false, payload, strlen(payload), &sig, &sl, &err),
			 0);
	_cleanup_free_ char *b64 = sup_b64_encode(sig, sl);
	/* stored under the image's digest whatever the payload says */
	if (sup_attach_simple(&l, f->digest, payload, strlen(payload), b64, &err) < 0)
		fail_msg("%s", err.msg);
	free(sig);
	sup_layout_close(&l);
}

static void sign_simple(struct fx *f, int k)
{
	sign_simple_for(f, k, f->digest);
}

static void sign_bundle(struct fx *f, int k, bool dsse, const char *subject_digest)
{
	struct pal_err err = {0};
	struct sup_image *img = NULL;
	assert_int_equal(sup_image_open(f->ref, &img, &err), 0);
	struct sup_layout l;
	assert_int_equal(sup_layout_open(f->layout, SUP_LAYOUT_WRITE, &l, &err), 0);
	struct sup_desc subject = {.media_type = (char *)SUP_MT_OCI_MANIFEST,
				   .digest = f->digest,
				   .size = (int64_t)img->manifest_len};
	unsigned char *sig = NULL;
	size_t sl = 0;
	_cleanup_free_ char *bundle = NULL;
	if (dsse) {
		_cleanup_free_ char *st = sup_intoto_statement("app", subject_digest, "x");
		struct pal_buf pae;
		pal_buf_init(&pae);
		sup_dsse_pae(SUP_MT_INTOTO, st, strlen(st), &pae);
		assert_int_equal(sup_sign(f->key[k], -1, false, pae.data, pae.len, &sig, &sl, &err),
				 0);
		pal_buf_free(&pae);
		bundle = sup_bundle_dsse_json("", SUP_MT_INTOTO, st, strlen(st), sig, sl);
	} else {
		unsigned char md[32];
		sup_hash_raw(SUP_HASH_SHA256, img->manifest, img->manifest_len, md);
		assert_int_equal(sup_sign(f->key[k], SUP_HASH_SHA256, false, img->manifest,
					  img->manifest_len, &sig, &sl, &err),
				 0);
		bundle = sup_bundle_message_json("", SUP_HASH_SHA256, md, sig, sl);
	}
	assert_int_equal(sup_attach_bundle(&l, &subject, bundle,
					   dsse ? SUP_BUNDLE_DSSE : SUP_BUNDLE_MESSAGE, &err),
			 0);
	free(sig);
	sup_layout_close(&l);
	sup_image_close(img);
}

/* Writes a policy whose keys a, b, c are the fixture's, then verifies. */
static struct sup_verdict verify_with(struct fx *f, const char *trust_body)
{
	_cleanup_free_ char *text = pal_xasprintf(
	    "trust:\n  signature_store: %s/store\n  reports_dir: %s/reports\n"
	    "  keys:\n    a: {path: a.pub}\n    b: {path: b.pub}\n    c: {path: c.pub}\n%s",
	    f->dir, f->dir, trust_body);
	_cleanup_free_ char *path = pal_xasprintf("%s/policy.yaml", f->dir);
	th_write(path, text, strlen(text));
	struct sup_policy *p = NULL;
	struct pal_err err = {0};
	if (sup_policy_load(path, &p, &err) < 0)
		fail_msg("%s", err.msg);
	sup_image_close(f->img);
	f->img = NULL;
	if (sup_image_open(f->ref, &f->img, &err) < 0)
		fail_msg("%s", err.msg);
	struct sup_verdict v;
	if (sup_verify_image(p, f->img, &v, &err) < 0)
		fail_msg("%s", err.msg);
	sup_policy_free(p);
	return v;
}

#define assert_reason(v, s)                                                                        \
	do {                                                                                       \
		if (!strstr((v).reason, (s)))                                                      \
			fail_msg("reason '%s' lacks '%s'", (v).reason, (s));                       \
	} while (0)

static void test_accept_reject(void **state)
{
	struct fx *f = *state;
	struct sup_verdict v = verify_with(f, "  default: [accept]\n");
	assert_true(v.allow);
	assert_string_equal(v.scope, "default");
	assert_string_equal(v.digest, f->digest);
	v = verify_with(f, "  default: [reject]\n");
	assert_false(v.allow);
	assert_reason(v, "rejects every image");
	_cleanup_free_ char *body =
	    pal_xasprintf("  default: [accept]\n  scopes:\n    %s: [reject]\n", f->layout);
	v = verify_with(f, body);
	assert_false(v.allow);
	assert_string_equal(v.scope, f->layout);
	assert_reason(v, "policy.yaml:");
}

static void test_signed_any(void **state)
{
	struct fx *f = *state;
	const char *pol = "  default:\n    - type: signed\n      keys: any\n";
	struct sup_verdict v = verify_with(f, pol);
	assert_false(v.allow);
	assert_reason(v, "no signature found");
	sign_simple(f, 1);
	v = verify_with(f, "  default:\n    - type: signed\n      keys: [a]\n");
	assert_false(v.allow);
	assert_reason(v, "does not verify with this key");
	v = verify_with(f, pol);
	assert_true(v.allow);
	assert_string_equal(v.keys, "b");
	assert_string_equal(v.signature, "simple-signing/ecdsa-sha256");
	char fp[SUP_DIGEST_MAX];
	sup_key_fingerprint(f->key[1], fp);
	assert_string_equal(v.fingerprint, fp);
}

static void test_threshold(void **state)
{
	struct fx *f = *state;
	const char *pol =
	    "  default:\n    - type: signed\n      keys: [a, b, c]\n      threshold: 2\n";
	sign_simple(f, 0);
	struct sup_verdict v = verify_with(f, pol);
	assert_false(v.allow);
	assert_reason(v, "signed by 1 of the 2 required");
	sign_bundle(f, 2, false, f->digest);
	v = verify_with(f, pol);
	assert_true(v.allow);
	assert_string_equal(v.keys, "a,c");
}

static void test_revocation_and_rotation(void **state)
{
	struct fx *f = *state;
	sign_simple(f, 0);
	char fp[SUP_DIGEST_MAX];
	sup_key_fingerprint(f->key[0], fp);
	_cleanup_free_ char *revoked = pal_xasprintf(
	    "  revoked: [%s]\n  default:\n    - type: signed\n      keys: [a, b]\n", fp);
	struct sup_verdict v = verify_with(f, revoked);
	assert_false(v.allow);
	assert_reason(v, "key a is revoked");
	sign_simple(f, 1); /* rotation: the new key signs too */
	v = verify_with(f, revoked);
	assert_true(v.allow);
	assert_string_equal(v.keys, "b");

	/* validity windows */
	const char *future = "  keys:\n    d: {path: a.pub, not_before: 2999-01-01T00:00:00Z}\n"
			     "  default:\n    - type: signed\n      keys: [d]\n";
	v = verify_with(f, future);
	assert_false(v.allow);
	assert_reason(v, "not valid before");
	const char *past = "  keys:\n    d: {path: a.pub, not_after: 2001-01-01T00:00:00Z}\n"
			   "  default:\n    - type: signed\n      keys: [d]\n";
	v = verify_with(f, past);
	assert_false(v.allow);
	assert_reason(v, "expired");
	const char *current = "  keys:\n    d: {path: a.pub, not_before: 2001-01-01T00:00:00Z, "
			      "not_after: 2999-01-01T00:00:00Z}\n"
			      "  default:\n    - type: signed\n      keys: [d]\n";
	v = verify_with(f, current);
	assert_true(v.allow);
}

static void test_wrong_digest_and_tamper(void **state)
{
	struct fx *f = *state;
	const char *pol = "  default:\n    - type: signed\n      keys: [a]\n";
	sign_simple_for(f, 0,
			"sha256:1111111111111111111111111111111111111111111111111111111111111111");
	struct sup_verdict v = verify_with(f, pol);
	assert_false(v.allow);
	assert_reason(v, "signed payload names sha256:1111");
	/* DSSE statement for another subject */
	sign_bundle(f, 0, true,
		    "sha256:2222222222222222222222222222222222222222222222222222222222222222");
	v = verify_with(f, pol);
	assert_false(v.allow);
	sign_bundle(f, 0, true, f->digest);
	v = verify_with(f, pol);
	assert_true(v.allow);
	assert_string_equal(v.signature, "bundle DSSE/ecdsa-sha256");
}

static void test_detached(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *payload = sup_simplesign_payload("x", f->digest);
	unsigned char *sig = NULL;
	size_t sl = 0;
	struct pal_err err = {0};
	assert_int_equal(sup_sign(f->key[0], -1, false, payload, strlen(payload), &sig, &sl, &err),
			 0);
	_cleanup_free_ char *b64 = sup_b64_encode(sig, sl);
	free(sig);
	struct sup_policy *p = NULL;
	assert_int_equal(sup_policy_for_key(f->pub[0], &p, &err), 0);
	assert_int_equal(sup_image_open(f->ref, &f->img, &err), 0);
	struct sup_sigset set = {0};
	assert_int_equal(sup_sigs_add_detached(&set, payload, strlen(payload), b64, "sig", &err),
			 0);
	struct sup_verify_opts o = {.extra = &set, .only_extra = true};
	struct sup_verdict v;
	assert_int_equal(sup_verify_image_opts(p, f->img, &o, &v, &err), 0);
	assert_true(v.allow);
	sup_sigset_free(&set);
	/* the same signature over a tampered payload */
	payload[10] ^= 1;
	assert_int_equal(sup_sigs_add_detached(&set, payload, strlen(payload), b64, "sig", &err),
			 0);
	assert_int_equal(sup_verify_image_opts(p, f->img, &o, &v, &err), 0);
	assert_false(v.allow);
	assert_reason(v, "does not verify");
	sup_sigset_free(&set);
	sup_policy_free(p);
}

static void write_report(struct fx *f, const char *name, const char *doc)
{
	_cleanup_free_ char *dir = pal_xasprintf("%s/reports", f->dir);
	mkdir(dir, 0755);
	_cleanup_free_ char *p = pal_xasprintf("%s/%s", dir, name);
	th_write(p, doc, strlen(doc));
}

static void test_vulnerabilities(void **state)
{
	struct fx *f = *state;
	const char *strict = "  default:\n    - type: vulnerabilities\n      max: {critical: 0}\n";
	struct sup_verdict v = verify_with(f, strict);
	assert_false(v.allow);
	assert_reason(v, "no vulnerability report");
	_cleanup_free_ char *name = pal_xasprintf("sha256-%s.trivy.json", f->digest + 7);
	_cleanup_free_ char *trivy = pal_xasprintf(
	    "{\"SchemaVersion\":2,\"ArtifactName\":\"app\",\"Metadata\":{\"RepoDigests\":"
	    "[\"localhost/app@%s\"]},\"Results\":[{\"Target\":\"os\",\"Vulnerabilities\":["
	    "{\"VulnerabilityID\":\"CVE-1\",\"Severity\":\"CRITICAL\"},"
	    "{\"VulnerabilityID\":\"CVE-2\",\"Severity\":\"HIGH\",\"FixedVersion\":\"1.2\"},"
	    "{\"VulnerabilityID\":\"CVE-3\",\"Severity\":\"HIGH\",\"FixedVersion\":\"1.3\"}]},"
	    "{\"Target\":\"lang\"}]}",
	    f->digest);
	write_report(f, name, trivy);
	v = verify_with(f, strict);
	assert_false(v.allow);
	assert_reason(v, "1 critical vulnerabilities, the policy allows 0");
	v = verify_with(f, "  default:\n    - type: vulnerabilities\n      max: {critical: 0}\n"
			   "      fixable_only: true\n");
	assert_true(v.allow);
	v = verify_with(f, "  default:\n    - type: vulnerabilities\n      max: {high: 1}\n"
			   "      fixable_only: true\n");
	assert_false(v.allow);
	assert_reason(v, "2 fixable high");

	/* a grype report beside it counts too */
	_cleanup_free_ char *gname = pal_xasprintf("sha256-%s.grype.json", f->digest + 7);
	_cleanup_free_ char *grype = pal_xasprintf(
	    "{\"matches\":[{\"vulnerability\":{\"id\":\"CVE-9\",\"severity\":\"Medium\","
	    "\"fix\":{\"state\":\"fixed\"}}},{\"vulnerability\":{\"id\":\"CVE-8\",\"severity\":"
	    "\"Negligible\",\"fix\":{\"state\":\"not-fixed\"}}}],\"source\":{\"type\":\"image\","
	    "\"target\":{\"manifestDigest\":\"%s\"}}}",
	    f->digest);
	write_report(f, gname, grype);
	v = verify_with(f, "  default:\n    - type: vulnerabilities\n      max: {medium: 0}\n");
	assert_false(v.allow);
	assert_reason(v, "grype report");
	v = verify_with(f, "  default:\n    - type: vulnerabilities\n      max: {low: 0}\n"
			   "      fixable_only: true\n");
	assert_true(v.allow);

	/* a report that names another image is not used for this one */
	_cleanup_free_ char *other = pal_xasprintf(
	    "{\"matches\":[],\"source\":{\"target\":{\"manifestDigest\":\"sha256:%064d\"}}}", 5);
	write_report(f, gname, other);
	v = verify_with(f, "  default:\n    - type: vulnerabilities\n      max: {medium: 5}\n");
	assert_false(v.allow);
	assert_reason(v, "not this image");
}

static void test_report_parsing(void **state)
{
	(void)state;
	struct sup_vuln_report r;
	struct pal_err err = {0};
	static const char *bad[] = {"[]",
				    "{}",
				    "{\"Results\":{}}",
				    "{\"Results\":[{\"Vulnerabilities\":[1]}]}",
				    "{\"matches\":[{\"vulnerability\":{\"severity\":3}}]}",
				    "{\"matches\":{}}"};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(bad); i++)
		if (sup_vulns_parse("r", bad[i], strlen(bad[i]), &r, &err) == 0)
			fail_msg("report %zu accepted", i);
	static const char ok[] =
	    "{\"SchemaVersion\":2,\"Results\":[{\"Vulnerabilities\":["
	    "{\"Severity\":\"UNKNOWN\"},{\"Severity\":\"LOW\",\"FixedVersion\":"
	    "\"\"}]}]}";
	assert_int_equal(sup_vulns_parse("r", ok, strlen(ok), &r, &err), 0);
	assert_int_equal(r.format, SUP_REPORT_TRIVY);
	assert_int_equal(r.total[SUP_SEV_UNKNOWN], 1);
	assert_int_equal(r.total[SUP_SEV_LOW], 1);
	assert_int_equal(r.fixable[SUP_SEV_LOW], 0);
	sup_vulns_free(&r);
}

static void test_cache(void **state)
{
	struct fx *f = *state;
	sign_simple(f, 0);
	_cleanup_free_ char *cache_dir = pal_xasprintf("%s/cache", f->dir);
	_cleanup_free_ char *text =
	    pal_xasprintf("trust:\n  signature_store: %s/store\n  cache: {dir: %s, ttl: 600}\n"
			  "  keys:\n    a: {path: a.pub, not_after: 2999-01-01T00:00:00Z}\n"
			  "  default:\n    - type: signed\n      keys: [a]\n",
			  f->dir, cache_dir);
	_cleanup_free_ char *path = pal_xasprintf("%s/policy.yaml", f->dir);
	th_write(path, text, strlen(text));
	struct sup_policy *p = NULL;
	struct pal_err err = {0};
	assert_int_equal(sup_policy_load(path, &p, &err), 0);
	assert_int_equal(sup_image_open(f->ref, &f->img, &err), 0);
	struct sup_cache *c = NULL;
	if (sup_cache_open(p->cache_dir, &c, &err) < 0)
		fail_msg("%s", err.msg);
	struct sup_verdict v;
	assert_int_equal(sup_verify_image_cached(c, p, f->img, &v, &err), 0);
	assert_true(v.allow);
	assert_false(v.cached);
	assert_true(v.expires <= (int64_t)time(NULL) + 600);
	assert_int_equal(sup_verify_image_cached(c, p, f->img, &v, &err), 0);
	assert_true(v.allow);
	assert_true(v.cached);
	sup_cache_close(c);

	/* a new process: served from disk */
	assert_int_equal(sup_cache_open(p->cache_dir, &c, &err), 0);
	assert_int_equal(sup_verify_image_cached(c, p, f->img, &v, &err), 0);
	assert_true(v.cached);
	sup_cache_close(c);

	/* a forged entry (valid structure, bad MAC) is ignored */
	unsigned char key[32];
	sup_cache_key(p->generation, f->img->manifest_digest, "default", key);
	char hex[65];
	sup_hex_encode(key, 32, hex);
	_cleanup_free_ char *entry = pal_xasprintf("%s/%s", cache_dir, hex);
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(pal_read_file(entry, 1 << 16, &data, &len, &err), 0);
	data[len - 1] ^= 1;
	th_write(entry, data, len);
	free(data);
	assert_int_equal(sup_cache_open(p->cache_dir, &c, &err), 0);
	assert_int_equal(sup_verify_image_cached(c, p, f->img, &v, &err), 0);
	assert_false(v.cached);
	assert_true(v.allow);
	sup_cache_close(c);

	/* revoking the key makes a new generation: the cached allow is not used */
	char fp[SUP_DIGEST_MAX];
	sup_key_fingerprint(f->key[0], fp);
	sup_policy_free(p);
	_cleanup_free_ char *text2 = pal_xasprintf("%s  revoked: [%s]\n", text, fp);
	th_write(path, text2, strlen(text2));
	assert_int_equal(sup_policy_load(path, &p, &err), 0);
	assert_int_equal(sup_cache_open(p->cache_dir, &c, &err), 0);
	assert_int_equal(sup_verify_image_cached(c, p, f->img, &v, &err), 0);
	assert_false(v.cached);
	assert_false(v.allow);
	assert_int_equal(sup_cache_clear(c, &err), 0);
	sup_cache_close(c);
	sup_policy_free(p);

	/* a cache directory others can write is refused */
	chmod(cache_dir, 0777);
	assert_true(sup_cache_open(cache_dir, &c, &err) < 0);
	assert_non_null(strstr(err.msg, "mode"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_accept_reject, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_signed_any, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_threshold, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_revocation_and_rotation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_digest_and_tamper, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_detached, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vulnerabilities, setup, teardown),
	    cmocka_unit_test(test_report_parsing),
	    cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
