/* Building the container's filesystem view inside its new mount namespace,
 * with the fd-based mount API (open_tree/fsopen/fsmount/move_mount/
 * mount_setattr): no mount target is ever named by a path string the image
 * could redirect. */
#ifndef PAL_RUNTIME_MOUNTS_H
#define PAL_RUNTIME_MOUNTS_H

#include "common/err.h"
#include "runtime/cgroup.h"
#include "runtime/oci_config.h"

#include <stdbool.h>

struct rt_mount_env {
	const struct rt_config *cfg;
	const char *bundle;
	bool wx;			       /* writable mounts get noexec */
	const struct rt_cgroup_bind *cg_binds; /* for "cgroup" mounts on v1/hybrid */
	size_t n_cg_binds;
	bool cgroup_v2; /* pure v2: mount cgroup2 */
	bool userns;	/* no mknod: bind-mount device nodes instead */
	int rootfd;	/* O_PATH fd of the container root (set by prepare) */
};

/* Sets the propagation of "/" (rootfsPropagation, default rslave) and makes
 * the rootfs a mount point of its own; opens env->rootfd. */
int rt_mounts_prepare_root(struct rt_mount_env *env, const char *rootfs, struct pal_err *err);

/* Every entry of config.json's mounts, in order. */
int rt_mounts_apply(struct rt_mount_env *env, struct pal_err *err);

/* Default device nodes (when /dev is a tmpfs from the config), config devices,
 * /dev symlinks. */
int rt_devices_create(struct rt_mount_env *env, struct pal_err *err);

/* pivot_root into the rootfs and detach the old root (MS_MOVE + chroot with no_pivot). */
int rt_pivot_root(struct rt_mount_env *env, bool no_pivot, struct pal_err *err);

/* After pivot: maskedPaths, readonlyPaths. */
int rt_mask_paths(char *const *paths, struct pal_err *err);
int rt_readonly_paths(char *const *paths, struct pal_err *err);

/* Remounts one existing in-container path (or "/") with attributes changed
 * on that mount only; when bind_first, first binds it onto itself so the
 * change does not affect the mount it lives on. */
int rt_mount_set_attr(const char *path, bool bind_first, uint64_t set, uint64_t clear,
		      struct pal_err *err);

/* Does any config mount cover path (is path at or below a mount destination)?
 * Returns the index of the deepest such mount, or -1. */
ssize_t rt_mounts_covering(const struct rt_config *cfg, const char *path);
bool rt_mount_is_readonly(const struct rt_mount *m);

#endif
