/* The hash-chained audit log: an append-only file of JSON lines
 *
 *   {"alg":"sha256","hash":"…","payload":{…},"prev":"…","seq":7,"time":"…","type":"alert"}
 *
 * seq counts from 1 without gaps; prev is the previous record's hash (64
 * zeros for the first); hash is the lowercase hex SHA-256 (or HMAC-SHA256
 * with a key) of the record's canonical form without "hash": jansson's
 * JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII serialization of the
 * object minus that key. Lines are written in that same form plus "hash".
 * docs/outputs.md has the threat model and the crash and locking rules.
 */
#ifndef PAL_OUTPUT_AUDIT_H
#define PAL_OUTPUT_AUDIT_H

#include "common/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define OUT_AUDIT_DEFAULT_PATH "/var/lib/palisade/audit.log"
#define OUT_AUDIT_MAX_LINE     (4u << 20) /* a record's line, bytes */
#define OUT_AUDIT_KEY_MIN      16
#define OUT_AUDIT_KEY_MAX      1024

enum out_audit_sync {
	OUT_AUDIT_SYNC_EACH = 0, /* fdatasync after every record (default) */
	OUT_AUDIT_SYNC_NONE, /* leave it to the kernel: a power loss may lose the last records */
};

struct out_audit_opts {
	const char *path;     /* NULL: OUT_AUDIT_DEFAULT_PATH */
	const char *key_file; /* NULL: plain SHA-256; else HMAC-SHA256 with the file's bytes */
	enum out_audit_sync sync;
};

struct out_audit;

/* Opens (creating the file 0600 and its directory 0700 as needed) and checks
 * that the last record can be chained to. */
int out_audit_open(const struct out_audit_opts *o, struct out_audit **out, struct pal_err *err);

/* Appends one record of the given type ("alert", "action", "admission",
 * "policy_reload", … : [a-z0-9_.-]{1,64}) with payload (borrowed; NULL means
 * JSON null). Safe across threads and processes (flock). *seq gets the record's
 * seq when seq is not NULL. A torn last line left by a crashed writer is cut
 * off first and recorded as an "audit_torn_tail" record. */
int out_audit_append(struct out_audit *a, const char *type, json_t *payload, uint64_t *seq,
		     struct pal_err *err);

void out_audit_close(struct out_audit *a);

/* Reads a key file: its raw bytes, OUT_AUDIT_KEY_MIN..OUT_AUDIT_KEY_MAX long. */
int out_audit_load_key(const char *path, unsigned char **key, size_t *len, struct pal_err *err);

enum out_audit_verdict {
	OUT_AUDIT_VALID = 0, /* every line is a valid, chained record */
	OUT_AUDIT_TORN,	     /* valid records, then an incomplete last line (crash mid-write) */
	OUT_AUDIT_INVALID,   /* line bad_line is the first that fails */
};

struct out_audit_report {
	enum out_audit_verdict verdict;
	uint64_t records;  /* valid records before the end or the first bad line */
	uint64_t bad_line; /* 1-based; INVALID: the failing line, TORN: the torn line */
	uint64_t torn_bytes;
	uint64_t last_seq;
	char last_hash[65];
	char what[512]; /* INVALID: what mismatched */
};

/* Verifies a whole log read from f. key NULL: records must be plain SHA-256. */
void out_audit_verify_stream(FILE *f, const unsigned char *key, size_t key_len,
			     struct out_audit_report *rep);
int out_audit_verify_file(const char *path, const char *key_file, struct out_audit_report *rep,
			  struct pal_err *err);

#endif
