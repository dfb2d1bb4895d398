/* Finding an image's signatures and checking one against a key.
 *
 * Signatures live in an OCI image layout: the image's own layout, or the
 * signature store (itself an OCI layout) for images in containers-storage.
 * In either, the signatures for manifest digest sha256:<hex> are
 *  - the layers of the manifest tagged "sha256-<hex>.sig" (simple signing),
 *  - the sigstore bundles of manifests whose subject is that digest (OCI 1.1
 *    referrers, listed untagged in index.json).
 * An image chosen from an index also counts signatures made for the index. */
#ifndef PAL_SUPPLY_SIGS_H
#define PAL_SUPPLY_SIGS_H

#include "cosign.h"
#include "image.h"
#include "keys.h"

enum sup_sig_kind { SUP_SIG_SIMPLE = 1, SUP_SIG_MESSAGE, SUP_SIG_DSSE };

struct sup_sig {
	enum sup_sig_kind kind;
	char *origin;  /* where it was found, for messages */
	char *error;   /* why it could not be read (then nothing else is set) */
	char *subject; /* the digest it was stored for */
	unsigned char *payload;
	size_t payload_len;
	char *payload_type;
	unsigned char *sig;
	size_t sig_len;
	int md_alg;
	unsigned char md[64];
	size_t md_len;
};

struct sup_sigset {
	struct sup_sig *v;
	size_t n;
};

const char *sup_sig_kind_name(enum sup_sig_kind k);

/* Gathers every signature for img from its layout and from store_dir (an OCI
 * layout; skipped when NULL or absent). Unreadable signatures are kept with
 * their error so that a verdict can say why they did not count. */
int sup_sigs_collect(const struct sup_image *img, const char *store_dir, struct sup_sigset *set,
		     struct pal_err *err);
/* A detached simple-signing signature (payload + base64 signature). */
int sup_sigs_add_detached(struct sup_sigset *set, const void *payload, size_t len,
			  const char *sig_b64, const char *origin, struct pal_err *err);
void sup_sigset_free(struct sup_sigset *set);

/* Checks s with key against img: true if the signature verifies and what it
 * signs names the image; otherwise why says what failed. */
bool sup_sig_verify(const struct sup_sig *s, const struct sup_image *img, EVP_PKEY *key,
		    const char **scheme, char *why, size_t cap);

/* Writing (palisade sign). */
int sup_attach_simple(struct sup_layout *l, const char *subject_digest, const void *payload,
		      size_t len, const char *sig_b64, struct pal_err *err);
int sup_attach_bundle(struct sup_layout *l, const struct sup_desc *subject, const char *bundle,
		      enum sup_bundle_content content, struct pal_err *err);

#endif
