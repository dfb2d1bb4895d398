/* Audit log verification: every line must parse, carry the next seq, chain
 * to the previous record's hash and hash to its own "hash". Only a last line
 * without its newline is "torn" (an interrupted write), never "invalid". */
#include "audit.h"
#include "audit_record.h"

#include "common/cleanup.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static bool is_hex64(json_t *v)
{
	if (!json_is_string(v) || json_string_length(v) != 64)
		return false;
	for (const char *p = json_string_value(v); *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static void fail(struct out_audit_report *rep, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct out_audit_report *rep, uint64_t line, const char *fmt, ...)
{
	rep->verdict = OUT_AUDIT_INVALID;
	rep->bad_line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rep->what, sizeof(rep->what), fmt, ap);
	va_end(ap);
}

/* Checks one complete line; true when valid (the report advanced). */
static bool check_line(struct out_audit_report *rep, uint64_t lineno, const char *line, size_t len,
		       const unsigned char *key, size_t key_len)
{
	json_error_t jerr;
	_cleanup_json_ json_t *rec = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!rec) {
		fail(rep, lineno, "not valid JSON at column %d: %s", jerr.column, jerr.text);
		return false;
	}
	if (!json_is_object(rec)) {
		fail(rep, lineno, "not a JSON object");
		return false;
	}
	json_t *seq = json_object_get(rec, "seq");
	json_t *alg = json_object_get(rec, "alg");
	json_t *hash = json_object_get(rec, "hash");
	json_t *prev = json_object_get(rec, "prev");
	if (!json_is_integer(seq) || !json_is_string(json_object_get(rec, "time")) ||
	    !json_is_string(json_object_get(rec, "type")) || !json_object_get(rec, "payload") ||
	    !json_is_string(alg)) {
		fail(rep, lineno,
		     "missing or mistyped field (needs seq, time, type, payload, alg)");
		return false;
	}
	if (!is_hex64(hash) || !is_hex64(prev)) {
		fail(rep, lineno, "hash and prev must be 64 lowercase hex digits");
		return false;
	}
	const char *a = json_string_value(alg);
	if (strcmp(a, OUT_AUDIT_ALG_HMAC) == 0 && !key) {
		fail(rep, lineno, "the record is keyed (hmac-sha256): verify with --key FILE");
		return false;
	}
	if (strcmp(a, OUT_AUDIT_ALG_SHA256) == 0 && key) {
		fail(rep, lineno,
		     "the record is unkeyed (sha256) but a key was given: a keyed log must be "
		     "hmac-sha256 throughout (records rewritten without the key?)");
		return false;
	}
	if (strcmp(a, OUT_AUDIT_ALG_HMAC) != 0 && strcmp(a, OUT_AUDIT_ALG_SHA256) != 0) {
		fail(rep, lineno, "unknown alg '%s'", a);
		return false;
	}
	char want[65];
	if (out_audit_record_hash(rec, key, key_len, want) < 0) {
		fail(rep, lineno, "cannot serialize the record");
		return false;
	}
	if (CRYPTO_memcmp(want, json_string_value(hash), 64) != 0) {
		fail(rep, lineno,
		     "hash mismatch: the record's content was changed after it was "
		     "written");
		return false;
	}
	json_int_t expect = (json_int_t)rep->last_seq + 1;
	if (json_integer_value(seq) != expect) {
		fail(rep, lineno,
		     "seq %" JSON_INTEGER_FORMAT " where %" JSON_INTEGER_FORMAT
		     " was expected: records are missing, reordered or duplicated",
		     json_integer_value(seq), expect);
		return false;
	}
	if (strcmp(json_string_value(prev), rep->last_hash) != 0) {
		if (lineno == 1)
			fail(rep, lineno, "prev of the first record must be 64 zeros");
		else
			fail(rep, lineno,
			     "prev does not match the hash of line %" PRIu64
			     ": the chain is broken (a record was removed or replaced)",
			     lineno - 1);
		return false;
	}
	rep->last_seq++;
	memcpy(rep->last_hash, json_string_value(hash), 65);
	rep->records++;
	return true;
}

void out_audit_verify_stream(FILE *f, const unsigned char *key, size_t key_len,
			     struct out_audit_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	memcpy(rep->last_hash, OUT_AUDIT_ZERO_HASH, 65);
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	uint64_t lineno = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] != '\n') {
			/* Only the last line can lack its newline: getline stops at EOF. */
			rep->verdict = OUT_AUDIT_TORN;
			rep->bad_line = lineno;
			rep->torn_bytes = (uint64_t)n;
			return;
		}
		if ((size_t)n > OUT_AUDIT_MAX_LINE) {
			fail(rep, lineno, "line of %zd bytes exceeds the %u byte record limit", n,
			     OUT_AUDIT_MAX_LINE);
			return;
		}
		if (!check_line(rep, lineno, line, (size_t)n - 1, key, key_len))
			return;
	}
	if (ferror(f))
		fail(rep, lineno + 1, "read error");
}

int out_audit_verify_file(const char *path, const char *key_file, struct out_audit_report *rep,
			  struct pal_err *err)
{
	unsigned char *key = NULL;
	size_t key_len = 0;
	if (key_file && out_audit_load_key(key_file, &key, &key_len, err) < 0)
		return -err->code;
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f) {
		int e = errno;
		if (key) {
			OPENSSL_cleanse(key, key_len);
			free(key);
		}
		return pal_err_sys(err, e, "open audit log %s", path);
	}
	out_audit_verify_stream(f, key, key_len, rep);
	if (key) {
		OPENSSL_cleanse(key, key_len);
		free(key);
	}
	return 0;
}
