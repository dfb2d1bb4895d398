/* Canonical form and hashing of one audit record, shared by the writer and
 * the verifier. */
#ifndef PAL_OUTPUT_AUDIT_RECORD_H
#define PAL_OUTPUT_AUDIT_RECORD_H

#include <jansson.h>
#include <stddef.h>

#define OUT_AUDIT_ALG_SHA256 "sha256"
#define OUT_AUDIT_ALG_HMAC   "hmac-sha256"
#define OUT_AUDIT_ZERO_HASH  "0000000000000000000000000000000000000000000000000000000000000000"

#define OUT_AUDIT_CANON_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)

/* hex (65 bytes) = SHA-256 or, with a key, HMAC-SHA256 of the record's
 * canonical serialization without its "hash" key. rec is not modified. 0 or -ENOMEM. */
int out_audit_record_hash(json_t *rec, const unsigned char *key, size_t key_len, char hex[65]);

/* Lowercase hex of 32 bytes. */
void out_audit_hex(const unsigned char *bin, size_t n, char *hex);

#endif
