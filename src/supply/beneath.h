/* Opening a path beneath a directory without following any symlink: openat2
 * with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, or, where openat2 is missing (old
 * kernels, valgrind), a walk of O_NOFOLLOW opens one component at a time,
 * which gives the same guarantee for paths without "..". */
#ifndef PAL_SUPPLY_BENEATH_H
#define PAL_SUPPLY_BENEATH_H

/* Returns an fd or -1 with errno set (ELOOP/ENOTDIR for symlinks on the way,
 * EXDEV for "..", as openat2 reports them). */
int sup_open_beneath(int dirfd, const char *rel, int flags, unsigned mode);

#endif
