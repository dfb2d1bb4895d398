/* Simple-signing payloads, sigstore bundles, DSSE and in-toto statements. */
#include "helpers.h"
#include "supply/cosign.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define D1 "sha256:0c6bb1bb159afe6f90db3982c05b90559a6f84fddf53c30e2455e054732e9bab"
#define D2 "sha256:1111111111111111111111111111111111111111111111111111111111111111"

static void test_simplesign_roundtrip(void **state)
{
	(void)state;
	_cleanup_free_ char *p = sup_simplesign_payload("localhost/app", D1);
	/* cosign's exact shape: critical.identity, critical.image, critical.type, optional */
	assert_non_null(strstr(p, "\"docker-manifest-digest\":\"" D1 "\""));
	assert_non_null(strstr(p, "\"type\":\"cosign container image signature\""));
	assert_non_null(strstr(p, "\"optional\":null"));
	struct sup_simplesign s;
	struct pal_err err = {0};
	assert_int_equal(sup_simplesign_parse("p", p, strlen(p), &s, &err), 0);
	assert_string_equal(s.digest, D1);
	assert_string_equal(s.docker_reference, "localhost/app");
	sup_simplesign_free(&s);
}

static void test_simplesign_rejects(void **state)
{
	(void)state;
	static const struct {
		const char *doc, *why;
	} bad[] = {
	    {"[]", "JSON object"},
	    {"{}", "critical"},
	    {"{\"critical\":{\"type\":\"atomic container signature\",\"image\":{"
	     "\"docker-manifest-digest\":\"" D1 "\"}}}",
	     "critical.type"},
	    {"{\"critical\":{\"type\":\"cosign container image signature\"}}", "critical.image"},
	    {"{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{"
	     "\"docker-manifest-digest\":\"sha256:abc\"}}}",
	     "not a valid digest"},
	    {"{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{"
	     "\"docker-manifest-digest\":5}}}",
	     "must be a string"},
	    {"{\"critical\":", "invalid JSON"},
	};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(bad); i++) {
		struct sup_simplesign s;
		struct pal_err err = {0};
		assert_true(sup_simplesign_parse("p", bad[i].doc, strlen(bad[i].doc), &s, &err) <
			    0);
		if (!strstr(err.msg, bad[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].why);
	}
}

static void test_pae(void **state)
{
	(void)state;
	/* the DSSE specification's example */
	struct pal_buf b;
	pal_buf_init(&b);
	sup_dsse_pae("http://example.com/HelloWorld", "hello world", 11, &b);
	assert_string_equal(b.data, "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
	pal_buf_free(&b);
}

static void test_bundle_roundtrip(void **state)
{
	(void)state;
	unsigned char md[32], sig[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	sup_hash_raw(SUP_HASH_SHA256, "manifest", 8, md);
	_cleanup_free_ char *msg = sup_bundle_message_json("hint", SUP_HASH_SHA256, md, sig, 8);
	struct sup_bundle b;
	struct pal_err err = {0};
	assert_int_equal(sup_bundle_parse("b", msg, strlen(msg), &b, &err), 0);
	assert_int_equal(b.content, SUP_BUNDLE_MESSAGE);
	assert_string_equal(b.media_type, SUP_MT_BUNDLE_V03);
	assert_string_equal(b.key_hint, "hint");
	assert_int_equal(b.md_alg, SUP_HASH_SHA256);
	assert_memory_equal(b.md, md, 32);
	assert_int_equal(b.sig_len, 8);
	sup_bundle_free(&b);

	_cleanup_free_ char *st = sup_intoto_statement("app", D1, SUP_PALISADE_PREDICATE);
	_cleanup_free_ char *dsse =
	    sup_bundle_dsse_json(NULL, SUP_MT_INTOTO, st, strlen(st), sig, 8);
	assert_int_equal(sup_bundle_parse("b", dsse, strlen(dsse), &b, &err), 0);
	assert_int_equal(b.content, SUP_BUNDLE_DSSE);
	assert_string_equal(b.payload_type, SUP_MT_INTOTO);
	assert_int_equal(b.payload_len, strlen(st));
	assert_int_equal(sup_intoto_check("s", b.payload, b.payload_len, D1, &err), 0);
	assert_int_equal(sup_intoto_check("s", b.payload, b.payload_len, D2, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "not the image"));
	sup_bundle_free(&b);
}

static void test_bundle_rejects(void **state)
{
	(void)state;
	unsigned char md[32] = {0}, sig[4] = {1, 2, 3, 4};
	_cleanup_free_ char *good = sup_bundle_message_json("", SUP_HASH_SHA256, md, sig, 4);
	/* every truncation of a valid bundle is refused */
	for (size_t n = 0; n < strlen(good); n++) {
		struct sup_bundle b;
		struct pal_err err = {0};
		if (sup_bundle_parse("b", good, n, &b, &err) == 0)
			fail_msg("truncated bundle of %zu bytes accepted", n);
	}
	static const struct {
		const char *doc, *why;
	} bad[] = {
	    {"{\"mediaType\":\"application/json\"}", "mediaType"},
	    {"{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\"}",
	     "verificationMaterial"},
	    {"{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
	     "\"verificationMaterial\":{}}",
	     "exactly one"},
	    {"{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
	     "\"verificationMaterial\":{},\"messageSignature\":{\"messageDigest\":{\"algorithm\":"
	     "\"MD5\",\"digest\":\"AAAA\"},\"signature\":\"AAAA\"}}",
	     "algorithm"},
	    {"{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
	     "\"verificationMaterial\":{},\"messageSignature\":{\"messageDigest\":{\"algorithm\":"
	     "\"SHA2_256\",\"digest\":\"AAAA\"},\"signature\":\"AAAA\"}}",
	     "bytes"},
	    {"{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
	     "\"verificationMaterial\":{},\"dsseEnvelope\":{\"payload\":\"e30=\",\"payloadType\":"
	     "\"application/vnd.in-toto+json\",\"signatures\":[]}}",
	     "exactly one signature"},
	    {"{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
	     "\"verificationMaterial\":{},\"dsseEnvelope\":{\"payload\":\"!!\",\"payloadType\":"
	     "\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":\"AAAA\"}]}}",
	     "base64"},
	};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(bad); i++) {
		struct sup_bundle b;
		struct pal_err err = {0};
		assert_true(sup_bundle_parse("b", bad[i].doc, strlen(bad[i].doc), &b, &err) < 0);
		if (!strstr(err.msg, bad[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].why);
	}
}

static void test_sigstore_js_bundle(void **state)
{
	(void)state;
	/* the shape @sigstore/sign writes for a key-based message signature (v0.2) */
	static const char doc[] =
	    "{\"mediaType\":\"application/vnd.dev.sigstore.bundle+json;version=0.2\","
	    "\"verificationMaterial\":{\"publicKey\":{},\"timestampVerificationData\":{}},"
	    "\"messageSignature\":{\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":"
	    "\"DGuxuxWa/m+Q2zmCwFuQVZpvhP3fU8MOJFXgVHMum6s=\"},\"signature\":"
	    "\"MEQCIEw/4ULck1AgNAGOa9hFxIXBNapAEjMuTEqh+Hd7LMuWAiBpVPz9ya5W/WnMiOGEF4dWuHP66SP8b"
	    "YZyZciRVptsbA==\"}}";
	struct sup_bundle b;
	struct pal_err err = {0};
	assert_int_equal(sup_bundle_parse("b", doc, strlen(doc), &b, &err), 0);
	assert_null(b.key_hint);
	assert_int_equal(b.sig_len, 70);
	sup_bundle_free(&b);
}

static void test_base64_and_digests(void **state)
{
	(void)state;
	unsigned char *out = NULL;
	size_t n = 0;
	assert_int_equal(sup_b64_decode("aGVs\nbG8=", &out, &n), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "hello", 5);
	free(out);
	assert_int_equal(sup_b64_decode("aGVsbG8", &out, &n), -EINVAL);
	assert_int_equal(sup_b64_decode("aGV*bG8=", &out, &n), -EINVAL);
	_cleanup_free_ char *e = sup_b64_encode("hello", 5);
	assert_string_equal(e, "aGVsbG8=");

	char d[SUP_DIGEST_MAX];
	sup_digest_compute(SUP_HASH_SHA256, "{}", 2, d);
	assert_string_equal(
	    d, "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
	struct pal_err err = {0};
	assert_int_equal(sup_digest_check(d, "{}", 2, "x", &err), 0);
	assert_int_equal(sup_digest_check(d, "{ }", 3, "x", &err), -EBADMSG);
	assert_false(sup_digest_is_valid("sha256:ABC"));
	assert_false(sup_digest_is_valid(
	    "sha256:44136FA355B3678A1146AD16F7E8649E94FB4FC21FE77E8310C060F61CAAFF8A"));
	assert_false(sup_digest_is_valid("md5:d41d8cd98f00b204e9800998ecf8427e"));
	sup_digest_compute(SUP_HASH_SHA512, "", 0, d);
	assert_true(sup_digest_is_valid(d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_simplesign_roundtrip),
	    cmocka_unit_test(test_simplesign_rejects),
	    cmocka_unit_test(test_pae),
	    cmocka_unit_test(test_bundle_roundtrip),
	    cmocka_unit_test(test_bundle_rejects),
	    cmocka_unit_test(test_sigstore_js_bundle),
	    cmocka_unit_test(test_base64_and_digests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
