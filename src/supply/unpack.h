/* Unpacking image layers into a root filesystem, safely.
 *
 * Every entry is created with *at() calls relative to a directory resolved
 * beneath the destination (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS), so
 * neither "../" nor a symlink planted by an earlier entry or layer can lead a
 * write outside it. Device nodes are refused and setuid/setgid bits dropped
 * unless the options allow them; xattrs (file capabilities) are not applied.
 * Each layer's compressed digest and its uncompressed digest (the config's
 * diff_id) are computed while reading and must match. */
#ifndef PAL_SUPPLY_UNPACK_H
#define PAL_SUPPLY_UNPACK_H

#include "image.h"

#include <stdbool.h>
#include <stdint.h>

struct sup_unpack_opts {
	bool allow_devices; /* create character and block devices */
	bool allow_setuid;  /* keep setuid/setgid bits */
	/* Resolve parent directories through symlinks, confined to the root
	 * (RESOLVE_IN_ROOT) instead of refusing such entries. */
	bool follow_symlinks_in_root;
	bool no_chown;	      /* leave files owned by us instead of the tar's uid/gid */
	uint64_t max_bytes;   /* uncompressed bytes over all layers; 0: 64 GiB */
	uint64_t max_entries; /* 0: 10 million */
};

struct sup_unpack_stats {
	uint64_t layers, entries, files, dirs, symlinks, hardlinks, whiteouts, bytes;
	uint64_t setid_stripped;
};

/* Applies one layer read from fd onto the tree at rootfd. digest and diff_id
 * may be NULL (not checked). */
int sup_layer_unpack(int fd, const char *digest, const char *diff_id, int rootfd,
		     const struct sup_unpack_opts *opts, struct sup_unpack_stats *stats,
		     struct pal_err *err);

/* Unpacks every layer of img (OCI layout images) into dest, which must be
 * absent or an empty directory. On failure dest is left for the caller to
 * remove. containers-storage images are already unpacked by podman: use
 * sup_cstore_layer_dirs() for them. */
int sup_image_unpack(struct sup_image *img, const char *dest, const struct sup_unpack_opts *opts,
		     struct sup_unpack_stats *stats, struct pal_err *err);

#endif
