/* An OCI image layout directory: oci-layout, index.json and blobs/<alg>/<hex>.
 * Blobs are opened beneath the layout directory only (no symlinks), and every
 * blob read into memory is checked against its digest and size. */
#ifndef PAL_SUPPLY_LAYOUT_H
#define PAL_SUPPLY_LAYOUT_H

#include "oci.h"

#include <jansson.h>
#include <stdbool.h>

struct sup_layout {
	int dirfd;
	char *path;
	json_t *index_json; /* the parsed index.json, kept to rewrite it faithfully */
	struct sup_index index;
	bool locked;
};

enum { SUP_LAYOUT_READ = 0, SUP_LAYOUT_WRITE = 1, SUP_LAYOUT_CREATE = 2 };

/* Opens path. SUP_LAYOUT_WRITE takes an exclusive lock until close;
 * SUP_LAYOUT_CREATE (implies WRITE) makes an empty layout if path is absent. */
int sup_layout_open(const char *path, int mode, struct sup_layout *l, struct pal_err *err);
void sup_layout_close(struct sup_layout *l);
bool sup_layout_is_layout(const char *path);

/* Reads a blob into memory after checking that it is a regular file of the
 * expected size (size < 0: any size up to max) with the given digest. */
int sup_layout_read_blob(struct sup_layout *l, const char *digest, int64_t size, size_t max,
			 char **out, size_t *len, struct pal_err *err);
/* Opens a blob for streaming (caller verifies the digest while reading). */
int sup_layout_open_blob(struct sup_layout *l, const char *digest, int64_t size, int *fd,
			 struct pal_err *err);
/* Stores data as a blob; digest_out receives its sha256 digest. */
int sup_layout_write_blob(struct sup_layout *l, const void *data, size_t len, char *digest_out,
			  struct pal_err *err);

/* Index entries by tag (org.opencontainers.image.ref.name); -1 if absent. */
int sup_layout_find_tag(const struct sup_layout *l, const char *tag);
/* Adds a descriptor to index.json (replacing an entry with the same tag when
 * tag is set, or with the same digest otherwise) and writes it atomically. */
int sup_layout_put_manifest(struct sup_layout *l, const struct sup_desc *d, const char *tag,
			    struct pal_err *err);

#endif
