/* Key formats and signature schemes. */
#include "helpers.h"
#include "supply/keys.h"

#include <errno.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

static EVP_PKEY *gen(const char *kind)
{
	if (!strcmp(kind, "p256"))
		return EVP_EC_gen("P-256");
	if (!strcmp(kind, "p384"))
		return EVP_EC_gen("P-384");
	if (!strcmp(kind, "p521"))
		return EVP_EC_gen("P-521");
	if (!strcmp(kind, "rsa"))
		return EVP_RSA_gen(2048);
	if (!strcmp(kind, "ed25519"))
		return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	return NULL;
}

/* Round trip through PEM, as the files palisade and openssl write. */
static EVP_PKEY *pub_roundtrip(EVP_PKEY *k)
{
	_cleanup_free_ char *pem = sup_key_public_pem(k);
	struct pal_err err = {0};
	EVP_PKEY *p = NULL;
	if (sup_key_load_public_mem("pub", pem, strlen(pem), &p, &err) < 0)
		fail_msg("%s", err.msg);
	return p;
}

static void test_sign_verify_all_types(void **state)
{
	(void)state;
	const char *kinds[] = {"p256", "p384", "p521", "rsa", "ed25519"};
	const char *msg = "{\"critical\":{}}";
	for (size_t i = 0; i < PAL_ARRAY_SIZE(kinds); i++) {
		EVP_PKEY *k = gen(kinds[i]);
		assert_non_null(k);
		EVP_PKEY *pub = pub_roundtrip(k);
		struct pal_err err = {0};
		unsigned char *sig = NULL;
		size_t sl = 0;
		assert_int_equal(sup_sign(k, -1, false, msg, strlen(msg), &sig, &sl, &err), 0);
		const char *scheme = NULL;
		assert_true(sup_verify_sig(pub, -1, msg, strlen(msg), sig, sl, &scheme));
		assert_non_null(scheme);
		/* tampered message, tampered signature */
		assert_false(sup_verify_sig(pub, -1, "{\"critical\":{ }}", 16, sig, sl, NULL));
		sig[sl / 2] ^= 1;
		assert_false(sup_verify_sig(pub, -1, msg, strlen(msg), sig, sl, NULL));
		free(sig);
		/* a different key of the same type */
		EVP_PKEY *other = gen(kinds[i]);
		assert_int_equal(sup_sign(other, -1, false, msg, strlen(msg), &sig, &sl, &err), 0);
		assert_false(sup_verify_sig(pub, -1, msg, strlen(msg), sig, sl, NULL));
		free(sig);
		EVP_PKEY_free(other);
		EVP_PKEY_free(pub);
		EVP_PKEY_free(k);
	}
}

static void test_ecdsa_hash_choices(void **state)
{
	(void)state;
	/* cosign (older) signs with SHA-256 whatever the curve; sigstore pairs P-384
	 * with SHA-384: both must verify. */
	EVP_PKEY *k = gen("p384");
	struct pal_err err = {0};
	unsigned char *sig = NULL;
	size_t sl = 0;
	const char *scheme = NULL;
	assert_int_equal(sup_sign(k, SUP_HASH_SHA256, false, "m", 1, &sig, &sl, &err), 0);
	assert_true(sup_verify_sig(k, -1, "m", 1, sig, sl, &scheme));
	assert_string_equal(scheme, "ecdsa-sha256");
	free(sig);
	assert_int_equal(sup_sign(k, -1, false, "m", 1, &sig, &sl, &err), 0);
	assert_true(sup_verify_sig(k, -1, "m", 1, sig, sl, &scheme));
	assert_string_equal(scheme, "ecdsa-sha384");
	/* a bundle that names SHA-256 does not accept a SHA-384 signature */
	assert_false(sup_verify_sig(k, SUP_HASH_SHA256, "m", 1, sig, sl, NULL));
	free(sig);
	EVP_PKEY_free(k);
}

static void test_rsa_pss(void **state)
{
	(void)state;
	EVP_PKEY *k = gen("rsa");
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	assert_int_equal(EVP_DigestSignInit(c, &pc, EVP_sha256(), NULL, k), 1);
	EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING);
	unsigned char sig[512];
	size_t sl = sizeof(sig);
	assert_int_equal(EVP_DigestSign(c, sig, &sl, (const unsigned char *)"m", 1), 1);
	EVP_MD_CTX_free(c);
	const char *scheme = NULL;
	assert_true(sup_verify_sig(k, -1, "m", 1, sig, sl, &scheme));
	assert_string_equal(scheme, "rsa-pss");
	EVP_PKEY_free(k);
}

/* RFC 8032 section 7.3, test vector "TEST abc" for Ed25519ph. */
static void test_ed25519ph_rfc8032(void **state)
{
	(void)state;
	unsigned char seed[32], pk[32], want[64];
	sup_hex_decode("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42", seed,
		       32);
	sup_hex_decode("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf", pk, 32);
	sup_hex_decode("98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae41"
		       "31f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406",
		       want, 64);
	EVP_PKEY *priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	EVP_PKEY *pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk, 32);
	struct pal_err err = {0};
	unsigned char *sig = NULL;
	size_t sl = 0;
	assert_int_equal(sup_sign(priv, -1, true, "abc", 3, &sig, &sl, &err), 0);
	assert_int_equal(sl, 64);
	assert_memory_equal(sig, want, 64);
	const char *scheme = NULL;
	assert_true(sup_verify_sig(pub, -1, "abc", 3, want, 64, &scheme));
	assert_string_equal(scheme, "ed25519ph");
	assert_true(sup_verify_sig(pub, SUP_HASH_SHA512, "abc", 3, want, 64, NULL));
	assert_false(sup_verify_sig(pub, -1, "abd", 3, want, 64, NULL));
	free(sig);
	/* Ed25519ph refuses non-Ed25519 keys */
	EVP_PKEY *ec = gen("p256");
	assert_int_equal(sup_sign(ec, -1, true, "abc", 3, &sig, &sl, &err), -EINVAL);
	EVP_PKEY_free(ec);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
}

static void test_private_key_formats(void **state)
{
	(void)state;
	EVP_PKEY *k = NULL;
	struct pal_err err = {0};
	assert_int_equal(sup_keygen_p256(&k, &err), 0);
	assert_string_equal(sup_key_type(k), "ecdsa-p256");
	char fp[SUP_DIGEST_MAX], fp2[SUP_DIGEST_MAX];
	sup_key_fingerprint(k, fp);
	assert_true(sup_digest_is_valid(fp));

	/* plain PKCS#8 */
	_cleanup_free_ char *plain = NULL;
	assert_int_equal(sup_key_private_pem(k, NULL, &plain, &err), 0);
	assert_non_null(strstr(plain, "BEGIN PRIVATE KEY"));
	EVP_PKEY *k2 = NULL;
	assert_int_equal(sup_key_load_private_mem("k", plain, strlen(plain), NULL, &k2, &err), 0);
	sup_key_fingerprint(k2, fp2);
	assert_string_equal(fp, fp2);
	EVP_PKEY_free(k2);

	/* cosign's encrypted format */
	_cleanup_free_ char *enc = NULL;
	assert_int_equal(sup_key_private_pem(k, "s3cret", &enc, &err), 0);
	assert_non_null(strstr(enc, "BEGIN ENCRYPTED SIGSTORE PRIVATE KEY"));
	k2 = NULL;
	assert_int_equal(sup_key_load_private_mem("k", enc, strlen(enc), "s3cret", &k2, &err), 0);
	sup_key_fingerprint(k2, fp2);
	assert_string_equal(fp, fp2);
	EVP_PKEY_free(k2);
	k2 = NULL;
	assert_int_equal(sup_key_load_private_mem("k", enc, strlen(enc), "wrong", &k2, &err),
			 -EACCES);
	assert_non_null(strstr(err.msg, "wrong password"));
	assert_true(sup_key_load_private_mem("k", enc, strlen(enc), NULL, &k2, &err) < 0);
	assert_non_null(strstr(err.msg, "COSIGN_PASSWORD"));

	/* OpenSSL's encrypted PKCS#8 */
	BIO *b = BIO_new(BIO_s_mem());
	assert_int_equal(
	    PEM_write_bio_PKCS8PrivateKey(b, k, EVP_aes_256_cbc(), "pw", 2, NULL, NULL), 1);
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);
	assert_int_equal(sup_key_load_private_mem("k", p, (size_t)n, "pw", &k2, &err), 0);
	EVP_PKEY_free(k2);
	BIO_free(b);

	/* garbage */
	assert_true(sup_key_load_private_mem("k", "nope", 4, NULL, &k2, &err) < 0);
	assert_true(sup_key_load_public_mem("k", "nope", 4, &k2, &err) < 0);
	assert_non_null(strstr(err.msg, "PUBLIC KEY"));
	EVP_PKEY_free(k);
}

static void test_cosign_key_tamper(void **state)
{
	(void)state;
	EVP_PKEY *k = NULL;
	struct pal_err err = {0};
	assert_int_equal(sup_keygen_p256(&k, &err), 0);
	_cleanup_free_ char *enc = NULL;
	assert_int_equal(sup_key_private_pem(k, "pw", &enc, &err), 0);
	/* huge scrypt parameters must be refused before any work is done */
	static const char hostile[] =
	    "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"
	    "eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjo0Mjk0OTY3Mjk2LCJyIjo4LCJw"
	    "IjoxfSwic2FsdCI6IkFBQUEifSwiY2lwaGVyIjp7Im5hbWUiOiJuYWNsL3NlY3JldGJveCIsIm5v"
	    "bmNlIjoiQUFBQSJ9LCJjaXBoZXJ0ZXh0IjoiQUFBQSJ9\n"
	    "-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
	EVP_PKEY *k2 = NULL;
	assert_true(sup_key_load_private_mem("k", hostile, strlen(hostile), "pw", &k2, &err) < 0);
	assert_non_null(strstr(err.msg, "scrypt parameters"));
	EVP_PKEY_free(k);
}

static void test_unsupported_keys(void **state)
{
	(void)state;
	EVP_PKEY *small = EVP_RSA_gen(1024);
	_cleanup_free_ char *pem = sup_key_public_pem(small);
	EVP_PKEY *k = NULL;
	struct pal_err err = {0};
	assert_true(sup_key_load_public_mem("k", pem, strlen(pem), &k, &err) < 0);
	assert_non_null(strstr(err.msg, "unsupported"));
	EVP_PKEY_free(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sign_verify_all_types),
	    cmocka_unit_test(test_ecdsa_hash_choices),
	    cmocka_unit_test(test_rsa_pss),
	    cmocka_unit_test(test_ed25519ph_rfc8032),
	    cmocka_unit_test(test_private_key_formats),
	    cmocka_unit_test(test_cosign_key_tamper),
	    cmocka_unit_test(test_unsupported_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
