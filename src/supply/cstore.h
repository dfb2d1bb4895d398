/* podman's containers-storage metadata (overlay or vfs driver): which images
 * exist under which names, the manifest each keeps and its digest, which
 * layers they stack, and which image a container was created from. Only
 * metadata is read; the store is never modified. */
#ifndef PAL_SUPPLY_CSTORE_H
#define PAL_SUPPLY_CSTORE_H

#include "common/err.h"

#include <stddef.h>

#define SUP_CSTORE_DEFAULT_ROOT "/var/lib/containers/storage"

struct sup_cstore_image {
	char *root;   /* the store's root directory */
	char *driver; /* "overlay" or "vfs" */
	char *id;     /* image id (hex) */
	char **names; /* NULL-terminated */
	char *digest; /* the manifest digest the store records for the image */
	char *top_layer;
	char *matched_name; /* the name the lookup matched, if it was a name */
};

/* Finds an image by name ("localhost/bb:latest", "bb", "repo@sha256:..."),
 * by full id, or by an id prefix of at least 12 hex digits. */
int sup_cstore_find_image(const char *root, const char *ref, struct sup_cstore_image *img,
			  struct pal_err *err);
void sup_cstore_image_free(struct sup_cstore_image *img);

/* Reads one of the image's big-data items ("manifest-sha256:...", a config
 * digest, "manifest"). */
int sup_cstore_big_data(const struct sup_cstore_image *img, const char *key, size_t max, char **out,
			size_t *len, struct pal_err *err);

/* The id of the image a container was created from. */
int sup_cstore_container_image(const char *root, const char *container_id, char **image_id,
			       struct pal_err *err);

/* The unpacked layer directories of the image, lowest first (NULL-terminated). */
int sup_cstore_layer_dirs(const struct sup_cstore_image *img, char ***dirs, struct pal_err *err);

#endif
