/* Digest and hex syntax: no hashing here, so code that only checks what a
 * digest looks like (admission's image references) does not pull in OpenSSL. */
#include "digest.h"
#include "common/strutil.h"

#include <errno.h>
#include <string.h>

size_t sup_hash_len(enum sup_hash h)
{
	return h == SUP_HASH_SHA512 ? 64 : h == SUP_HASH_SHA384 ? 48 : 32;
}

const char *sup_hash_name(enum sup_hash h)
{
	return h == SUP_HASH_SHA512 ? "sha512" : h == SUP_HASH_SHA384 ? "sha384" : "sha256";
}

int sup_digest_alg(const char *digest)
{
	if (!digest)
		return -1;
	if (!strncmp(digest, "sha256:", 7))
		return SUP_HASH_SHA256;
	if (!strncmp(digest, "sha512:", 7))
		return SUP_HASH_SHA512;
	if (!strncmp(digest, "sha384:", 7))
		return SUP_HASH_SHA384;
	return -1;
}

bool sup_digest_is_valid(const char *digest)
{
	int alg = sup_digest_alg(digest);
	if (alg < 0)
		return false;
	const char *hex = digest + 7;
	size_t want = 2 * sup_hash_len((enum sup_hash)alg);
	if (strlen(hex) != want)
		return false;
	for (size_t i = 0; i < want; i++) {
		char c = hex[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

int sup_digest_validate(const char *digest, const char *what, struct pal_err *err)
{
	if (!digest)
		return pal_err_set(err, EINVAL, "%s: missing digest", what);
	if (!sup_digest_is_valid(digest))
		return pal_err_set(err, EINVAL,
				   "%s: '%.80s' is not a valid digest (want sha256:<64 lowercase "
				   "hex> or sha512:<128 lowercase hex>)",
				   what, digest);
	return 0;
}

const char *sup_digest_hex(const char *digest)
{
	return sup_digest_is_valid(digest) ? digest + 7 : NULL;
}

void sup_hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char hx[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hx[in[i] >> 4];
		out[2 * i + 1] = hx[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sup_hex_decode(const char *hex, unsigned char *out, size_t out_len)
{
	if (strlen(hex) != 2 * out_len)
		return -EINVAL;
	for (size_t i = 0; i < out_len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}
