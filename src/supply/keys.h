/* Signing keys in the formats cosign and OpenSSL write: PEM public keys
 * (SubjectPublicKeyInfo), PKCS#8 private keys (plain or password-encrypted),
 * and cosign's "ENCRYPTED SIGSTORE PRIVATE KEY" (scrypt + nacl secretbox).
 * Signatures: ECDSA P-256/384/521 (ASN.1 DER), RSA (PKCS#1 v1.5 or PSS,
 * SHA-256), Ed25519 and Ed25519ph (RFC 8032, through libsodium). */
#ifndef PAL_SUPPLY_KEYS_H
#define PAL_SUPPLY_KEYS_H

#include "digest.h"

#include <openssl/evp.h>
#include <stdbool.h>

void sup_crypto_init(void);

/* The key password from PALISADE_PASSWORD or COSIGN_PASSWORD (NULL if neither). */
const char *sup_key_password_env(void);

int sup_key_load_public(const char *path, EVP_PKEY **out, struct pal_err *err);
int sup_key_load_public_mem(const char *name, const char *pem, size_t len, EVP_PKEY **out,
			    struct pal_err *err);
/* password may be NULL (unencrypted keys only). */
int sup_key_load_private(const char *path, const char *password, EVP_PKEY **out,
			 struct pal_err *err);
int sup_key_load_private_mem(const char *name, const char *pem, size_t len, const char *password,
			     EVP_PKEY **out, struct pal_err *err);

/* "sha256:<hex>" of the DER SubjectPublicKeyInfo: how policies name keys in
 * revocation lists (`openssl pkey -pubin -outform DER | sha256sum`). */
void sup_key_fingerprint(EVP_PKEY *k, char *out);
/* "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa-3072", "ed25519", or "unsupported". */
const char *sup_key_type(EVP_PKEY *k);
bool sup_key_supported(EVP_PKEY *k);
/* The hash sigstore pairs with the key (SHA-384 for P-384, SHA-512 for P-521, else SHA-256). */
enum sup_hash sup_key_hash(EVP_PKEY *k);

char *sup_key_public_pem(EVP_PKEY *k);
/* PKCS#8 PEM, or cosign's encrypted format when password is non-empty. */
int sup_key_private_pem(EVP_PKEY *k, const char *password, char **out, struct pal_err *err);
int sup_keygen_p256(EVP_PKEY **out, struct pal_err *err);

/* Signs msg. ECDSA and RSA hash with sup_key_hash(k) (or h when h >= 0);
 * Ed25519 signs the message itself, or its SHA-512 prehash when ed25519ph. */
int sup_sign(EVP_PKEY *k, int h, bool ed25519ph, const void *msg, size_t len, unsigned char **sig,
	     size_t *siglen, struct pal_err *err);

/* Verifies sig over msg with every scheme the key type allows (ECDSA with
 * SHA-256 or the curve's hash, RSA PKCS#1 v1.5 or PSS, Ed25519 or Ed25519ph).
 * When h >= 0 only that hash is tried (message-signature bundles name it).
 * Returns true when one verifies; *scheme names it. */
bool sup_verify_sig(EVP_PKEY *k, int h, const void *msg, size_t len, const unsigned char *sig,
		    size_t siglen, const char **scheme);

#endif
