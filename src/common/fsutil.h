/* File helpers. Paths that a container or an image controls are never opened
 * by string on the host: callers resolve them with pal_openat2() relative to a
 * directory fd and RESOLVE_IN_ROOT / RESOLVE_BENEATH. */
#ifndef PAL_COMMON_FSUTIL_H
#define PAL_COMMON_FSUTIL_H

#include "err.h"

#include <linux/openat2.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Reads a whole file (at most max bytes; larger files are an EFBIG error that
 * names the path). The result is NUL-terminated; *len excludes the NUL. */
int pal_read_file(const char *path, size_t max, char **out, size_t *len, struct pal_err *err);
int pal_read_fileat(int dirfd, const char *path, size_t max, char **out, size_t *len,
		    struct pal_err *err);
int pal_read_fd(int fd, size_t max, char **out, size_t *len);
/* Reads fd into buf until end of file, cap bytes or an error, whichever
 * comes first (what lies beyond cap stays unread): the bytes read, or -errno
 * when the very first read fails. For files read for what they hold up to a
 * bound (/etc/passwd of an image, /proc/<pid>/environ). */
ssize_t pal_read_upto(int fd, char *buf, size_t cap);

/* Writes data to an existing file (cgroup and /proc knobs): no create, no truncate. */
int pal_write_existing(int dirfd, const char *path, const char *data, size_t len,
		       struct pal_err *err);

/* Creates or replaces path atomically: write to a temporary beside it, fsync, rename. */
int pal_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			  struct pal_err *err);
/* The same without fsync: for state that does not outlive a reboot anyway
 * (runtime state, pid files), where readers need atomicity, not durability. */
int pal_write_file_replace(const char *path, const void *data, size_t len, mode_t mode,
			   struct pal_err *err);

int pal_write_all(int fd, const void *data, size_t len);

/* mkdir -p; existing directories are fine, anything else in the way is an error. */
int pal_mkdir_p(const char *path, mode_t mode, struct pal_err *err);

/* Removes a directory tree without following symlinks, never crossing mounts. */
int pal_rm_rf(const char *path, struct pal_err *err);

long pal_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve);

bool pal_path_exists(const char *path);

/* Returns true if path is absolute, normalized enough to contain no "." or
 * ".." components and no empty component other than the leading slash. */
bool pal_path_is_clean_absolute(const char *path);

/* Joins a and b with exactly one slash. Caller frees. */
char *pal_path_join(const char *a, const char *b);

/* Marks every fd >= from close-on-exec, so nothing of ours leaks into an exec'd program. */
int pal_close_range_cloexec(int from);

#endif
