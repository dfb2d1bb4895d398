/* The boundary between palisade-runtime and palisade-trust.so, the plugin
 * that verifies images and writes audit records. Those need OpenSSL and
 * libsodium, whose start-up cost (hundreds of KiB of relocated tables) would
 * otherwise be paid by every container start, twice (the CVE-2019-5736
 * re-exec); the runtime loads the plugin only on a node whose policy has a
 * trust section, or to audit a denial. Plain C types only cross it. */
#ifndef PAL_RUNTIME_TRUST_PLUGIN_H
#define PAL_RUNTIME_TRUST_PLUGIN_H

#include "common/err.h"

#include <stddef.h>

#define PAL_TRUST_ABI         1
#define PAL_TRUST_PLUGIN_NAME "palisade-trust.so"

struct pal_trust_request {
	int abi;
	const char *container_id;
	const char *policy_path;
	const char *policy_text;
	size_t policy_len;
	const char *image_ref;    /* opened by palisade run (layout or storage), may be NULL */
	const char *image_digest; /* what palisade run unpacked, may be NULL */
	const char *named_ref;    /* from CRI annotations, may be NULL */
	const char *storage_root; /* containers-storage root, NULL: default */
};

struct pal_trust_reply {
	int allow;
	int cached;
	char image[512];
	char digest[160];
	char scope[256];
	char reason[2048];
};

/* 0: judged (reply->allow says how); < 0: could not judge (a denial too). */
typedef int (*pal_trust_check_fn)(const struct pal_trust_request *req,
				  struct pal_trust_reply *reply, struct pal_err *err);
/* Appends one record (type, JSON object text) to the audit log at path
 * (NULL: the default path). */
typedef int (*pal_trust_audit_fn)(const char *path, const char *type, const char *payload_json,
				  struct pal_err *err);

#endif
