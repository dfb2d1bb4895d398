/* One image, wherever it is stored: an OCI image layout (path[:tag|@digest],
 * optionally prefixed "oci:") or podman's containers-storage ("containers-
 * storage:NAME", or a name that is not a layout path). Opening resolves the
 * image index for this platform and checks the digest of every document
 * relied on: index, manifest, config. */
#ifndef PAL_SUPPLY_IMAGE_H
#define PAL_SUPPLY_IMAGE_H

#include "cstore.h"
#include "digest.h"
#include "layout.h"
#include "oci.h"

enum sup_image_source { SUP_IMAGE_LAYOUT = 1, SUP_IMAGE_CSTORE = 2 };

struct sup_open_opts {
	const char *storage_root;	     /* containers-storage root; NULL: default */
	const struct sup_platform *platform; /* NULL: this host */
	const char *reference;		     /* name for policy scopes, overriding the image's */
	bool writable;			     /* lock an OCI layout for writing (sign) */
};

struct sup_image {
	enum sup_image_source source;
	char *ref;	 /* as given by the user */
	char *reference; /* docker-style name (host/repo:tag) for scopes, or NULL */
	char *layout_path;
	char *tag;
	char manifest_digest[SUP_DIGEST_MAX];
	char *manifest_media_type;
	char *manifest; /* the raw manifest bytes (signed by message signatures) */
	size_t manifest_len;
	char index_digest[SUP_DIGEST_MAX]; /* set when the image was chosen from an index */
	char *index_raw;		   /* that index's bytes */
	size_t index_len;
	struct sup_manifest m;
	struct sup_config config;
	struct sup_layout layout;   /* SUP_IMAGE_LAYOUT */
	struct sup_cstore_image cs; /* SUP_IMAGE_CSTORE */
};

int sup_image_open(const char *ref, struct sup_image **out, struct pal_err *err);
int sup_image_open_opts(const char *ref, const struct sup_open_opts *opts, struct sup_image **out,
			struct pal_err *err);
void sup_image_close(struct sup_image *img);

/* "path:tag" / "name" for messages. */
const char *sup_image_name(const struct sup_image *img);

#endif
