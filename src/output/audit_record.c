#include "audit_record.h"

#include <errno.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

void out_audit_hex(const unsigned char *bin, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[bin[i] >> 4];
		hex[2 * i + 1] = digits[bin[i] & 15];
	}
	hex[2 * n] = '\0';
}

int out_audit_record_hash(json_t *rec, const unsigned char *key, size_t key_len, char hex[65])
{
	json_t *copy = json_copy(rec); /* shallow: members are shared, not modified */
	if (!copy)
		return -ENOMEM;
	json_object_del(copy, "hash");
	char *canon = json_dumps(copy, OUT_AUDIT_CANON_FLAGS);
	json_decref(copy);
	if (!canon)
		return -ENOMEM;
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t len = strlen(canon);
	if (key) {
		unsigned int mdlen = 0;
		if (!HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)canon, len, md,
			  &mdlen)) {
			free(canon);
			return -ENOMEM;
		}
	} else {
		SHA256((const unsigned char *)canon, len, md);
	}
	free(canon);
	out_audit_hex(md, sizeof(md), hex);
	return 0;
}
