#include "keys.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SUP_MAX_KEY_FILE (64u << 10)
#define COSIGN_SCRYPT_N	 32768
#define COSIGN_SCRYPT_R	 8
#define COSIGN_SCRYPT_P	 1

void sup_crypto_init(void)
{
	static bool done;
	if (!done) {
		if (sodium_init() < 0)
			abort();
		done = true;
	}
}

const char *sup_key_password_env(void)
{
	const char *p = getenv("PALISADE_PASSWORD");
	return p ? p : getenv("COSIGN_PASSWORD");
}

static void openssl_reason(char *buf, size_t cap)
{
	unsigned long e = ERR_get_error();
	if (e)
		ERR_error_string_n(e, buf, cap);
	else
		snprintf(buf, cap, "unrecognized data");
	ERR_clear_error();
}

static int curve_nid(EVP_PKEY *k)
{
	char name[64];
	size_t n = 0;
	if (EVP_PKEY_get_base_id(k) != EVP_PKEY_EC)
		return NID_undef;
	if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &n))
		return NID_undef;
	return OBJ_sn2nid(name) != NID_undef ? OBJ_sn2nid(name) : OBJ_ln2nid(name);
}

const char *sup_key_type(EVP_PKEY *k)
{
	static __thread char rsa[32];
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_EC:
		switch (curve_nid(k)) {
		case NID_X9_62_prime256v1:
			return "ecdsa-p256";
		case NID_secp384r1:
			return "ecdsa-p384";
		case NID_secp521r1:
			return "ecdsa-p521";
		default:
			return "unsupported";
		}
	case EVP_PKEY_RSA:
		snprintf(rsa, sizeof(rsa), "rsa-%d", EVP_PKEY_get_bits(k));
		return rsa;
	case EVP_PKEY_ED25519:
		return "ed25519";
	default:
		return "unsupported";
	}
}

bool sup_key_supported(EVP_PKEY *k)
{
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA)
		return EVP_PKEY_get_bits(k) >= 2048;
	return strcmp(sup_key_type(k), "unsupported") != 0;
}

enum sup_hash sup_key_hash(EVP_PKEY *k)
{
	switch (curve_nid(k)) {
	case NID_secp384r1:
		return SUP_HASH_SHA384;
	case NID_secp521r1:
		return SUP_HASH_SHA512;
	default:
		return SUP_HASH_SHA256;
	}
}

void sup_key_fingerprint(EVP_PKEY *k, char *out)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(k, &der);
	if (n <= 0) {
		snprintf(out, SUP_DIGEST_MAX, "sha256:unknown");
		return;
	}
	sup_digest_compute(SUP_HASH_SHA256, der, (size_t)n, out);
	OPENSSL_free(der);
}

int sup_key_load_public_mem(const char *name, const char *pem, size_t len, EVP_PKEY **out,
			    struct pal_err *err)
{
	sup_crypto_init();
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	if (!b)
		return pal_err_set(err, ENOMEM, "%s: out of memory", name);
	EVP_PKEY *k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	if (!k) {
		char why[256];
		openssl_reason(why, sizeof(why));
		return pal_err_set(err, EINVAL,
				   "%s: not a PEM public key (-----BEGIN PUBLIC KEY-----): %s",
				   name, why);
	}
	if (!sup_key_supported(k)) {
		EVP_PKEY_free(k);
		return pal_err_set(err, EINVAL,
				   "%s: unsupported key type (use ECDSA P-256/384/521, RSA >= 2048 "
				   "bits or Ed25519)",
				   name);
	}
	*out = k;
	return 0;
}

int sup_key_load_public(const char *path, EVP_PKEY **out, struct pal_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = pal_read_file(path, SUP_MAX_KEY_FILE, &data, &len, err);
	if (r < 0)
		return r;
	return sup_key_load_public_mem(path, data, len, out, err);
}

/* cosign's encrypted key: a JSON document (scrypt parameters and salt,
 * secretbox nonce, ciphertext) wrapping a PKCS#8 DER private key. */
static int decrypt_cosign(const char *name, const unsigned char *body, long body_len,
			  const char *password, EVP_PKEY **out, struct pal_err *err)
{
	_cleanup_json_ json_t *j =
	    pal_json_load_buffer(name, (const char *)body, (size_t)body_len, err);
	if (!j)
		return -EINVAL;
	json_t *kdf = json_object_get(j, "kdf"), *cipher = json_object_get(j, "cipher");
	json_t *params = json_object_get(kdf, "params");
	const char *kdf_name = json_string_value(json_object_get(kdf, "name"));
	const char *cipher_name = json_string_value(json_object_get(cipher, "name"));
	const char *salt_b64 = json_string_value(json_object_get(kdf, "salt"));
	const char *nonce_b64 = json_string_value(json_object_get(cipher, "nonce"));
	const char *ct_b64 = json_string_value(json_object_get(j, "ciphertext"));
	json_t *jn = json_object_get(params, "N"), *jr = json_object_get(params, "r"),
	       *jp = json_object_get(params, "p");
	if (!pal_str_eq(kdf_name, "scrypt") || !pal_str_eq(cipher_name, "nacl/secretbox") ||
	    !salt_b64 || !nonce_b64 || !ct_b64 || !json_is_integer(jn) || !json_is_integer(jr) ||
	    !json_is_integer(jp))
		return pal_err_set(
		    err, EINVAL,
		    "%s: encrypted key must use kdf scrypt (N, r, p, salt) and cipher "
		    "nacl/secretbox (nonce) with a ciphertext",
		    name);
	json_int_t N = json_integer_value(jn), R = json_integer_value(jr),
		   P = json_integer_value(jp);
	/* Bound the work a key file can demand: N <= 2^20, r <= 32, p <= 16. */
	if (N < 2 || N > (1 << 20) || (N & (N - 1)) || R < 1 || R > 32 || P < 1 || P > 16)
		return pal_err_set(err, EINVAL, "%s: scrypt parameters out of range", name);
	if (!password)
		return pal_err_set(err, EINVAL,
				   "%s is encrypted: set COSIGN_PASSWORD (or PALISADE_PASSWORD)",
				   name);
	_cleanup_free_ unsigned char *salt = NULL, *nonce = NULL, *ct = NULL;
	size_t salt_len, nonce_len, ct_len;
	if (sup_b64_decode(salt_b64, &salt, &salt_len) < 0 ||
	    sup_b64_decode(nonce_b64, &nonce, &nonce_len) < 0 ||
	    sup_b64_decode(ct_b64, &ct, &ct_len) < 0)
		return pal_err_set(err, EINVAL, "%s: salt, nonce and ciphertext must be base64",
				   name);
	if (nonce_len != crypto_secretbox_NONCEBYTES || ct_len < crypto_secretbox_MACBYTES)
		return pal_err_set(err, EINVAL, "%s: bad nonce or ciphertext length", name);
	unsigned char key[crypto_secretbox_KEYBYTES];
	if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)password, strlen(password), salt,
						  salt_len, (uint64_t)N, (uint32_t)R, (uint32_t)P,
						  key, sizeof(key)) != 0)
		return pal_err_set(err, ENOMEM, "%s: scrypt failed", name);
	size_t pt_len = ct_len - crypto_secretbox_MACBYTES;
	_cleanup_free_ unsigned char *pt = pal_xmalloc(pt_len + 1);
	int bad = crypto_secretbox_open_easy(pt, ct, ct_len, nonce, key);
	sodium_memzero(key, sizeof(key));
	if (bad)
		return pal_err_set(err, EACCES, "%s: wrong password (decryption failed)", name);
	const unsigned char *p = pt;
	EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)pt_len);
	sodium_memzero(pt, pt_len);
	if (!k)
		return pal_err_set(err, EINVAL, "%s: decrypted key is not PKCS#8", name);
	*out = k;
	return 0;
}

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	(void)rwflag;
	const char *pw = u;
	if (!pw)
		return -1;
	int n = (int)strlen(pw);
	if (n > size)
		n = size;
	memcpy(buf, pw, (size_t)n);
	return n;
}

int sup_key_load_private_mem(const char *name, const char *pem, size_t len, const char *password,
			     EVP_PKEY **out, struct pal_err *err)
{
	sup_crypto_init();
	BIO *b = BIO_new_mem_buf(pem, (int)len);
	char *pem_name = NULL, *header = NULL;
	unsigned char *body = NULL;
	long body_len = 0;
	int ok = b && PEM_read_bio(b, &pem_name, &header, &body, &body_len);
	BIO_free(b);
	if (!ok) {
		ERR_clear_error();
		return pal_err_set(err, EINVAL, "%s: not a PEM private key", name);
	}
	int r = 0;
	EVP_PKEY *k = NULL;
	if (!strcmp(pem_name, "ENCRYPTED SIGSTORE PRIVATE KEY") ||
	    !strcmp(pem_name, "ENCRYPTED COSIGN PRIVATE KEY")) {
		r = decrypt_cosign(name, body, body_len, password, &k, err);
	} else {
		BIO *b2 = BIO_new_mem_buf(pem, (int)len);
		k = b2 ? PEM_read_bio_PrivateKey(b2, NULL, pass_cb, (void *)password) : NULL;
		BIO_free(b2);
		if (!k) {
			char why[256];
			openssl_reason(why, sizeof(why));
			r = pal_err_set(err, EINVAL, "%s: cannot read %s%s: %s", name, pem_name,
					strstr(pem_name, "ENCRYPTED") && !password
					    ? " (encrypted: set COSIGN_PASSWORD)"
					    : "",
					why);
		}
	}
	OPENSSL_free(pem_name);
	OPENSSL_free(header);
	OPENSSL_clear_free(body, (size_t)body_len);
	if (r < 0)
		return r;
	if (!sup_key_supported(k)) {
		EVP_PKEY_free(k);
		return pal_err_set(err, EINVAL, "%s: unsupported key type", name);
	}
	*out = k;
	return 0;
}

int sup_key_load_private(const char *path, const char *password, EVP_PKEY **out,
			 struct pal_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = pal_read_file(path, SUP_MAX_KEY_FILE, &data, &len, err);
	if (r < 0)
		return r;
	r = sup_key_load_private_mem(path, data, len, password, out, err);
	sodium_memzero(data, len);
	return r;
}

static char *bio_steal(BIO *b)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);
	char *s = pal_xstrndup(p, (size_t)n);
	BIO_free(b);
	return s;
}

char *sup_key_public_pem(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (!b || !PEM_write_bio_PUBKEY(b, k))
		abort();
	return bio_steal(b);
}

static int cosign_encrypt(EVP_PKEY *k, const char *password, char **out, struct pal_err *err)
{
	unsigned char *der = NULL;
	int der_len = i2d_PrivateKey(k, &der);
	/* i2d_PrivateKey writes the traditional form for EC; PKCS#8 is what cosign wants */
	OPENSSL_free(der);
	der = NULL;
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
	if (!p8)
		return pal_err_set(err, EINVAL, "cannot encode the private key as PKCS#8");
	der_len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (der_len <= 0)
		return pal_err_set(err, EINVAL, "cannot encode the private key as PKCS#8");
	unsigned char salt[32], nonce[crypto_secretbox_NONCEBYTES], key[crypto_secretbox_KEYBYTES];
	randombytes_buf(salt, sizeof(salt));
	randombytes_buf(nonce, sizeof(nonce));
	if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)password, strlen(password), salt,
						  sizeof(salt), COSIGN_SCRYPT_N, COSIGN_SCRYPT_R,
						  COSIGN_SCRYPT_P, key, sizeof(key)) != 0) {
		OPENSSL_clear_free(der, (size_t)der_len);
		return pal_err_set(err, ENOMEM, "scrypt failed");
	}
	size_t ct_len = (size_t)der_len + crypto_secretbox_MACBYTES;
	_cleanup_free_ unsigned char *ct = pal_xmalloc(ct_len);
	crypto_secretbox_easy(ct, der, (size_t)der_len, nonce, key);
	sodium_memzero(key, sizeof(key));
	OPENSSL_clear_free(der, (size_t)der_len);
	_cleanup_free_ char *s = sup_b64_encode(salt, sizeof(salt));
	_cleanup_free_ char *n = sup_b64_encode(nonce, sizeof(nonce));
	_cleanup_free_ char *c = sup_b64_encode(ct, ct_len);
	json_t *j = json_pack("{s:{s:s, s:{s:i, s:i, s:i}, s:s}, s:{s:s, s:s}, s:s}", "kdf", "name",
			      "scrypt", "params", "N", COSIGN_SCRYPT_N, "r", COSIGN_SCRYPT_R, "p",
			      COSIGN_SCRYPT_P, "salt", s, "cipher", "name", "nacl/secretbox",
			      "nonce", n, "ciphertext", c);
	_cleanup_free_ char *body = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	BIO *b = BIO_new(BIO_s_mem());
	if (!b || !PEM_write_bio(b, "ENCRYPTED SIGSTORE PRIVATE KEY", "",
				 (const unsigned char *)body, (long)strlen(body)))
		abort();
	*out = bio_steal(b);
	return 0;
}

int sup_key_private_pem(EVP_PKEY *k, const char *password, char **out, struct pal_err *err)
{
	sup_crypto_init();
	if (password && *password)
		return cosign_encrypt(k, password, out, err);
	BIO *b = BIO_new(BIO_s_mem());
	if (!b || !PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)) {
		BIO_free(b);
		return pal_err_set(err, EINVAL, "cannot encode the private key");
	}
	*out = bio_steal(b);
	return 0;
}

int sup_keygen_p256(EVP_PKEY **out, struct pal_err *err)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	if (!k)
		return pal_err_set(err, ENOMEM, "cannot generate a P-256 key");
	*out = k;
	return 0;
}

static const EVP_MD *md_of(enum sup_hash h)
{
	return h == SUP_HASH_SHA512   ? EVP_sha512()
	       : h == SUP_HASH_SHA384 ? EVP_sha384()
				      : EVP_sha256();
}

static int ed25519ph_sign(EVP_PKEY *k, const void *msg, size_t len, unsigned char **sig,
			  size_t *siglen, struct pal_err *err)
{
	unsigned char seed[32], pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	size_t n = sizeof(seed);
	if (!EVP_PKEY_get_raw_private_key(k, seed, &n) || n != sizeof(seed))
		return pal_err_set(err, EINVAL, "cannot read the Ed25519 private key");
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof(seed));
	crypto_sign_ed25519ph_state st;
	crypto_sign_ed25519ph_init(&st);
	crypto_sign_ed25519ph_update(&st, msg, len);
	unsigned char *s = pal_xmalloc(crypto_sign_BYTES);
	unsigned long long sl = 0;
	crypto_sign_ed25519ph_final_create(&st, s, &sl, sk);
	sodium_memzero(sk, sizeof(sk));
	*sig = s;
	*siglen = (size_t)sl;
	return 0;
}

int sup_sign(EVP_PKEY *k, int h, bool ed25519ph, const void *msg, size_t len, unsigned char **sig,
	     size_t *siglen, struct pal_err *err)
{
	sup_crypto_init();
	bool ed = EVP_PKEY_get_base_id(k) == EVP_PKEY_ED25519;
	if (ed25519ph && !ed)
		return pal_err_set(err, EINVAL, "Ed25519ph needs an Ed25519 key, not %s",
				   sup_key_type(k));
	if (ed25519ph)
		return ed25519ph_sign(k, msg, len, sig, siglen, err);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	const EVP_MD *md = ed ? NULL : md_of(h >= 0 ? (enum sup_hash)h : sup_key_hash(k));
	size_t n = 0;
	unsigned char *s = NULL;
	int ok = c && EVP_DigestSignInit(c, NULL, md, NULL, k) == 1 &&
		 EVP_DigestSign(c, NULL, &n, msg, len) == 1;
	if (ok) {
		s = pal_xmalloc(n);
		ok = EVP_DigestSign(c, s, &n, msg, len) == 1;
	}
	EVP_MD_CTX_free(c);
	if (!ok) {
		free(s);
		char why[256];
		openssl_reason(why, sizeof(why));
		return pal_err_set(err, EINVAL, "signing with %s key failed: %s", sup_key_type(k),
				   why);
	}
	*sig = s;
	*siglen = n;
	return 0;
}

static bool evp_verify(EVP_PKEY *k, const EVP_MD *md, int rsa_pad, const void *msg, size_t len,
		       const unsigned char *sig, size_t siglen)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pc = NULL;
	bool ok = c && EVP_DigestVerifyInit(c, &pc, md, NULL, k) == 1;
	if (ok && rsa_pad) {
		ok = EVP_PKEY_CTX_set_rsa_padding(pc, rsa_pad) > 0;
		if (ok && rsa_pad == RSA_PKCS1_PSS_PADDING)
			ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_AUTO) > 0;
	}
	ok = ok && EVP_DigestVerify(c, sig, siglen, msg, len) == 1;
	EVP_MD_CTX_free(c);
	ERR_clear_error();
	return ok;
}

static bool ed25519ph_verify(EVP_PKEY *k, const void *msg, size_t len, const unsigned char *sig,
			     size_t siglen)
{
	unsigned char pk[32];
	size_t n = sizeof(pk);
	if (siglen != crypto_sign_BYTES || !EVP_PKEY_get_raw_public_key(k, pk, &n) || n != 32)
		return false;
	crypto_sign_ed25519ph_state st;
	crypto_sign_ed25519ph_init(&st);
	crypto_sign_ed25519ph_update(&st, msg, len);
	return crypto_sign_ed25519ph_final_verify(&st, sig, pk) == 0;
}

bool sup_verify_sig(EVP_PKEY *k, int h, const void *msg, size_t len, const unsigned char *sig,
		    size_t siglen, const char **scheme)
{
	sup_crypto_init();
	const char *dummy;
	if (!scheme)
		scheme = &dummy;
	if (!sig || siglen == 0 || siglen > 1024)
		return false;
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_EC: {
		enum sup_hash first = h >= 0 ? (enum sup_hash)h : SUP_HASH_SHA256;
		if (evp_verify(k, md_of(first), 0, msg, len, sig, siglen)) {
			*scheme = first == SUP_HASH_SHA256   ? "ecdsa-sha256"
				  : first == SUP_HASH_SHA384 ? "ecdsa-sha384"
							     : "ecdsa-sha512";
			return true;
		}
		enum sup_hash curve = sup_key_hash(k);
		if (h < 0 && curve != SUP_HASH_SHA256 &&
		    evp_verify(k, md_of(curve), 0, msg, len, sig, siglen)) {
			*scheme = curve == SUP_HASH_SHA384 ? "ecdsa-sha384" : "ecdsa-sha512";
			return true;
		}
		return false;
	}
	case EVP_PKEY_RSA: {
		const EVP_MD *md = md_of(h >= 0 ? (enum sup_hash)h : SUP_HASH_SHA256);
		if (EVP_PKEY_get_bits(k) < 2048)
			return false;
		if (evp_verify(k, md, RSA_PKCS1_PADDING, msg, len, sig, siglen)) {
			*scheme = "rsa-pkcs1v15";
			return true;
		}
		if (evp_verify(k, md, RSA_PKCS1_PSS_PADDING, msg, len, sig, siglen)) {
			*scheme = "rsa-pss";
			return true;
		}
		return false;
	}
	case EVP_PKEY_ED25519:
		/* Ed25519ph signs with a domain prefix, so a signature valid in one
		 * scheme can never verify in the other: trying both is safe. */
		if (h != SUP_HASH_SHA512 && evp_verify(k, NULL, 0, msg, len, sig, siglen)) {
			*scheme = "ed25519";
			return true;
		}
		if (ed25519ph_verify(k, msg, len, sig, siglen)) {
			*scheme = "ed25519ph";
			return true;
		}
		return false;
	default:
		return false;
	}
}
