/* Path operations inside a container root that the image controls. Every
 * lookup goes through openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) from a
 * directory fd of the root, so a symlink or ".." can never lead outside it,
 * and every creation is fd-relative to a parent resolved that way. */
#ifndef PAL_RUNTIME_INROOT_H
#define PAL_RUNTIME_INROOT_H

#include "common/err.h"

#include <sys/types.h>

/* Opens path (absolute, container view) under rootfd. Returns fd or -errno
 * (without filling err: ENOENT is often expected). */
int rt_inroot_open(int rootfd, const char *path, int flags);

/* mkdir -p inside the root; returns an O_PATH fd of the final directory. */
int rt_inroot_mkdir_p(int rootfd, const char *path, mode_t mode, struct pal_err *err);

/* Ensures an empty regular file exists at path (parents created); returns an
 * O_PATH fd of it. An existing non-directory is reused; a directory is an error. */
int rt_inroot_touch(int rootfd, const char *path, struct pal_err *err);

/* Splits path into an O_PATH fd of its (created) parent and its last
 * component (pointer into path). */
int rt_inroot_parent(int rootfd, const char *path, const char **name, struct pal_err *err);

/* Refuses a path whose symlinks, followed with the root as "/", would climb
 * above the root through "..": runc and crun silently clamp such links; a
 * hardened runtime names them. Absolute links are container-relative and fine. */
int rt_inroot_check_no_escape(int rootfd, const char *path, struct pal_err *err);

#endif
