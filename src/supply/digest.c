#include "digest.h"
#include "common/strutil.h"

#include <errno.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <string.h>

static const EVP_MD *md_of(enum sup_hash h)
{
	switch (h) {
	case SUP_HASH_SHA384:
		return EVP_sha384();
	case SUP_HASH_SHA512:
		return EVP_sha512();
	default:
		return EVP_sha256();
	}
}

void sup_hash_raw(enum sup_hash h, const void *data, size_t len, unsigned char *out)
{
	unsigned int n = 0;
	if (!EVP_Digest(data, len, out, &n, md_of(h), NULL))
		abort(); /* only fails on allocation failure */
}

void sup_digest_compute(enum sup_hash h, const void *data, size_t len, char *out)
{
	unsigned char raw[64];
	sup_hash_raw(h, data, len, raw);
	size_t n = strlen(sup_hash_name(h));
	memcpy(out, sup_hash_name(h), n);
	out[n] = ':';
	sup_hex_encode(raw, sup_hash_len(h), out + n + 1);
}

int sup_digest_check(const char *digest, const void *data, size_t len, const char *what,
		     struct pal_err *err)
{
	int r = sup_digest_validate(digest, what, err);
	if (r < 0)
		return r;
	char got[SUP_DIGEST_MAX];
	sup_digest_compute((enum sup_hash)sup_digest_alg(digest), data, len, got);
	if (strcmp(got, digest) != 0)
		return pal_err_set(err, EBADMSG, "%s: content digest is %s, expected %s", what, got,
				   digest);
	return 0;
}

char *sup_b64_encode(const void *data, size_t len)
{
	size_t n = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	char *out = pal_xmalloc(n);
	sodium_bin2base64(out, n, data, len, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

int sup_b64_decode(const char *b64, unsigned char **out, size_t *out_len)
{
	size_t in_len = strlen(b64);
	unsigned char *buf = pal_xmalloc(in_len / 4 * 3 + 4);
	size_t n = 0;
	const char *end = NULL;
	if (sodium_base642bin(buf, in_len / 4 * 3 + 4, b64, in_len, " \r\n\t", &n, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    (end && *end)) {
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	*out_len = n;
	return 0;
}

int sup_hasher_init(struct sup_hasher *h, enum sup_hash alg)
{
	h->alg = alg;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || !EVP_DigestInit_ex(c, md_of(alg), NULL)) {
		EVP_MD_CTX_free(c);
		h->ctx = NULL;
		return -ENOMEM;
	}
	h->ctx = c;
	return 0;
}

void sup_hasher_update(struct sup_hasher *h, const void *data, size_t len)
{
	if (h->ctx && len)
		EVP_DigestUpdate(h->ctx, data, len);
}

void sup_hasher_final(struct sup_hasher *h, char *out)
{
	unsigned char raw[64];
	unsigned int n = 0;
	EVP_DigestFinal_ex(h->ctx, raw, &n);
	size_t k = strlen(sup_hash_name(h->alg));
	memcpy(out, sup_hash_name(h->alg), k);
	out[k] = ':';
	sup_hex_encode(raw, n, out + k + 1);
	sup_hasher_free(h);
}

void sup_hasher_free(struct sup_hasher *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}
