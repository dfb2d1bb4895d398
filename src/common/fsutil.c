#include "fsutil.h"
#include "cleanup.h"
#include "strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

long pal_openat2(int dirfd, const char *path, int flags, mode_t mode, unsigned long long resolve)
{
	struct open_how how = {.flags = (unsigned long long)flags, .mode = mode, .resolve = resolve};
	long fd;
	do {
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	} while (fd < 0 && errno == EAGAIN);
	return fd;
}

int pal_read_fd(int fd, size_t max, char **out, size_t *len)
{
	struct pal_buf b;
	pal_buf_init(&b);
	char chunk[16384];
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			pal_buf_free(&b);
			return -e;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > max) {
			pal_buf_free(&b);
			return -EFBIG;
		}
		pal_buf_append(&b, chunk, (size_t)n);
	}
	if (len)
		*len = b.len;
	*out = pal_buf_steal(&b);
	return 0;
}

ssize_t pal_read_upto(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	while (len < cap) {
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return len ? (ssize_t)len : -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	return (ssize_t)len;
}

int pal_read_fileat(int dirfd, const char *path, size_t max, char **out, size_t *len,
		    struct pal_err *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return pal_err_sys(err, errno, "open %s", path);
	int r = pal_read_fd(fd, max, out, len);
	if (r == -EFBIG)
		return pal_err_set(err, EFBIG, "%s is larger than the limit of %zu bytes", path,
				   max);
	if (r < 0)
		return pal_err_sys(err, -r, "read %s", path);
	return 0;
}

int pal_read_file(const char *path, size_t max, char **out, size_t *len, struct pal_err *err)
{
	return pal_read_fileat(AT_FDCWD, path, max, out, len, err);
}

int pal_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int pal_write_existing(int dirfd, const char *path, const char *data, size_t len,
		       struct pal_err *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return pal_err_sys(err, errno, "open %s", path);
	int r = pal_write_all(fd, data, len);
	if (r < 0)
		return pal_err_sys(err, -r, "write '%.*s' to %s", (int)(len > 64 ? 64 : len), data,
				   path);
	return 0;
}

static int write_replace(const char *path, const void *data, size_t len, mode_t mode,
			 bool durable, struct pal_err *err)
{
	_cleanup_free_ char *tmp = pal_xasprintf("%s.tmp.%d", path, (int)getpid());
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return pal_err_sys(err, errno, "create %s", tmp);
	int r = pal_write_all(fd, data, len);
	if (r == 0 && durable && fsync(fd) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return pal_err_sys(err, -r, "write %s", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return pal_err_sys(err, e, "rename %s to %s", tmp, path);
	}
	return 0;
}

int pal_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode,
			  struct pal_err *err)
{
	return write_replace(path, data, len, mode, true, err);
}

int pal_write_file_replace(const char *path, const void *data, size_t len, mode_t mode,
			   struct pal_err *err)
{
	return write_replace(path, data, len, mode, false, err);
}

int pal_mkdir_p(const char *path, mode_t mode, struct pal_err *err)
{
	if (!path || !*path)
		return pal_err_set(err, EINVAL, "empty directory path");
	struct stat existing;
	if (stat(path, &existing) == 0 && S_ISDIR(existing.st_mode))
		return 0; /* the common case, one call */
	_cleanup_free_ char *copy = pal_xstrdup(path);
	size_t n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	for (char *p = copy + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;
			*p = '\0';
			if (mkdir(copy, mode) < 0 && errno != EEXIST)
				return pal_err_sys(err, errno, "mkdir %s", copy);
			if (errno == EEXIST || saved == '\0') {
				struct stat st;
				if (stat(copy, &st) < 0)
					return pal_err_sys(err, errno, "stat %s", copy);
				if (!S_ISDIR(st.st_mode))
					return pal_err_set(err, ENOTDIR,
							   "%s exists and is not a directory", copy);
			}
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	return 0;
}

static int rm_rf_at(int parent_fd, const char *name, dev_t dev, int depth, struct pal_err *err)
{
	if (depth > 256)
		return pal_err_set(err, ELOOP, "directory tree too deep at %s", name);
	struct stat st;
	if (fstatat(parent_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return pal_err_sys(err, errno, "stat %s", name);
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent_fd, name, 0) < 0 && errno != ENOENT)
			return pal_err_sys(err, errno, "unlink %s", name);
		return 0;
	}
	if (st.st_dev != dev)
		return pal_err_set(err, EXDEV, "refusing to remove %s: it is a mount point", name);
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return pal_err_sys(err, errno, "open %s", name);
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		return pal_err_sys(err, e, "opendir %s", name);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		int r = rm_rf_at(dirfd(d), de->d_name, dev, depth + 1, err);
		if (r < 0)
			return pal_err_prefix(err, "%s", name);
	}
	if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return pal_err_sys(err, errno, "rmdir %s", name);
	return 0;
}

int pal_rm_rf(const char *path, struct pal_err *err)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return pal_err_sys(err, errno, "stat %s", path);
	}
	return rm_rf_at(AT_FDCWD, path, st.st_dev, 0, err);
}

bool pal_path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

bool pal_path_is_clean_absolute(const char *path)
{
	if (!path || path[0] != '/')
		return false;
	const char *p = path + 1;
	if (*p == '\0')
		return true;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0)
			return false; /* "//" */
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		if (!slash)
			return true;
		p = slash + 1;
		if (*p == '\0')
			return true; /* a single trailing slash is tolerated */
	}
}

char *pal_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	while (la > 0 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	return pal_xasprintf("%.*s/%s", (int)la, a, b);
}

int pal_close_range_cloexec(int from)
{
	if (syscall(SYS_close_range, (unsigned)from, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	/* Kernels before 5.11: walk /proc/self/fd. */
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	int self = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		int64_t fd;
		if (pal_parse_int64(de->d_name, &fd) < 0 || fd < from || fd == self)
			continue;
		int flags = fcntl((int)fd, F_GETFD);
		if (flags >= 0)
			fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC);
	}
	closedir(d);
	return 0;
}
