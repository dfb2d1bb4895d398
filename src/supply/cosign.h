/* cosign's signature formats, key-based:
 *  - simple signing: a JSON payload naming the image's manifest digest,
 *    stored as a layer of the "sha256-<hex>.sig" manifest with the base64
 *    signature in the layer annotation dev.cosignproject.cosign/signature;
 *  - sigstore bundles (v0.1-v0.3 JSON; v0.3 written): a message signature
 *    over the manifest bytes, or a DSSE envelope with an in-toto statement
 *    whose subject is the manifest digest, attached as an OCI 1.1 referrer. */
#ifndef PAL_SUPPLY_COSIGN_H
#define PAL_SUPPLY_COSIGN_H

#include "digest.h"
#include "common/strutil.h"

#include <jansson.h>
#include <stdbool.h>

#define SUP_MT_SIMPLESIGNING	"application/vnd.dev.cosign.simplesigning.v1+json"
#define SUP_ANN_COSIGN_SIG	"dev.cosignproject.cosign/signature"
#define SUP_MT_BUNDLE_V03	"application/vnd.dev.sigstore.bundle.v0.3+json"
#define SUP_MT_BUNDLE_PREFIX	"application/vnd.dev.sigstore.bundle"
#define SUP_MT_INTOTO		"application/vnd.in-toto+json"
#define SUP_INTOTO_STATEMENT_V1 "https://in-toto.io/Statement/v1"
#define SUP_SIMPLESIGNING_TYPE	"cosign container image signature"
#define SUP_PALISADE_PREDICATE	"https://palisade.dev/attestations/image-signature/v1"
#define SUP_MAX_SIG_DOC		(1u << 20)

struct sup_simplesign {
	char *docker_reference;
	char *digest;
};

/* The canonical payload cosign writes (compact JSON, "optional": null). */
char *sup_simplesign_payload(const char *docker_reference, const char *digest);
int sup_simplesign_parse(const char *name, const void *data, size_t len, struct sup_simplesign *out,
			 struct pal_err *err);
void sup_simplesign_free(struct sup_simplesign *s);

enum sup_bundle_content { SUP_BUNDLE_MESSAGE = 1, SUP_BUNDLE_DSSE = 2 };

struct sup_bundle {
	char *media_type;
	char *key_hint;
	enum sup_bundle_content content;
	/* message signature */
	int md_alg; /* enum sup_hash */
	unsigned char md[64];
	size_t md_len;
	unsigned char *sig;
	size_t sig_len;
	/* DSSE: only the first signature is kept (key-based bundles carry one) */
	char *payload_type;
	unsigned char *payload;
	size_t payload_len;
};

int sup_bundle_parse(const char *name, const void *data, size_t len, struct sup_bundle *b,
		     struct pal_err *err);
void sup_bundle_free(struct sup_bundle *b);
char *sup_bundle_message_json(const char *hint, enum sup_hash h, const unsigned char *md,
			      const unsigned char *sig, size_t sig_len);
char *sup_bundle_dsse_json(const char *hint, const char *payload_type, const void *payload,
			   size_t payload_len, const unsigned char *sig, size_t sig_len);

/* DSSE pre-authentication encoding: "DSSEv1 <len> <type> <len> <payload>". */
void sup_dsse_pae(const char *type, const void *payload, size_t len, struct pal_buf *out);

char *sup_intoto_statement(const char *name, const char *digest, const char *predicate_type);
/* Checks an in-toto statement names digest among its subjects. */
int sup_intoto_check(const char *name, const void *data, size_t len, const char *digest,
		     struct pal_err *err);

#endif
