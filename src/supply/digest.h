/* Content digests ("sha256:<hex>", "sha512:<hex>") and base64, the two
 * encodings every OCI and sigstore document uses to name bytes. */
#ifndef PAL_SUPPLY_DIGEST_H
#define PAL_SUPPLY_DIGEST_H

#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "sha512:" + 128 hex + NUL */
#define SUP_DIGEST_MAX 136

enum sup_hash { SUP_HASH_SHA256 = 0, SUP_HASH_SHA384, SUP_HASH_SHA512 };

size_t sup_hash_len(enum sup_hash h);
const char *sup_hash_name(enum sup_hash h); /* "sha256" ... */

/* Checks "alg:hex" strictly: known algorithm, lowercase hex of the right length.
 * what names the field in the error message. */
int sup_digest_validate(const char *digest, const char *what, struct pal_err *err);
bool sup_digest_is_valid(const char *digest);

/* Computes the digest of data as "sha256:<hex>" into out (SUP_DIGEST_MAX). */
void sup_digest_compute(enum sup_hash h, const void *data, size_t len, char *out);
/* Raw hash into out (sup_hash_len bytes). */
void sup_hash_raw(enum sup_hash h, const void *data, size_t len, unsigned char *out);

/* Verifies that data hashes to digest (any supported algorithm); the error
 * names what and both digests. */
int sup_digest_check(const char *digest, const void *data, size_t len, const char *what,
		     struct pal_err *err);

/* The hex part of a digest ("sha256:abc" -> "abc"); NULL if malformed. */
const char *sup_digest_hex(const char *digest);

void sup_hex_encode(const unsigned char *in, size_t len, char *out); /* out: 2*len+1 */
int sup_hex_decode(const char *hex, unsigned char *out, size_t out_len);

/* Standard base64 (with padding). Decoding ignores newlines and spaces and
 * rejects anything else that is not base64. Caller frees. */
char *sup_b64_encode(const void *data, size_t len);
int sup_b64_decode(const char *b64, unsigned char **out, size_t *out_len);

/* Incremental hashing for streams (layers). */
struct sup_hasher {
	void *ctx; /* EVP_MD_CTX */
	enum sup_hash alg;
};
int sup_hasher_init(struct sup_hasher *h, enum sup_hash alg);
void sup_hasher_update(struct sup_hasher *h, const void *data, size_t len);
/* Writes "alg:hex" into out (SUP_DIGEST_MAX) and releases the context. */
void sup_hasher_final(struct sup_hasher *h, char *out);
void sup_hasher_free(struct sup_hasher *h);
/* The algorithm a digest string uses; -1 if unknown. */
int sup_digest_alg(const char *digest);

#endif
