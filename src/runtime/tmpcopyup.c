/* tmpcopyup: a tmpfs mounted over an image directory starts with a copy of
 * what the image had there (podman asks for it on every --tmpfs).
 *
 * The tree is the image's, so it is walked only through file descriptors:
 * every name is a single component from readdir, opened with O_NOFOLLOW
 * relative to its parent, and its type is checked again on the open fd, so
 * a symlink is copied as a symlink and never followed. */
#include "runtime/tmpcopyup.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define COPY_MAX_DEPTH 64
#define COPY_CHUNK     (1u << 20)

struct copy_ctx {
	struct pal_err *err;
	char path[PATH_MAX]; /* relative path of the current entry, for messages */
};

static int fail(struct copy_ctx *c, int code, const char *what)
{
	return pal_err_sys(c->err, code, "tmpcopyup: %s %s", what, c->path);
}

static int copy_bytes(struct copy_ctx *c, int in, int out)
{
	bool plain = false;
	for (;;) {
		ssize_t n;
		if (!plain) {
			n = copy_file_range(in, NULL, out, NULL, COPY_CHUNK, 0);
			if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL ||
				      errno == EOPNOTSUPP)) {
				plain = true;
				continue;
			}
		} else {
			char buf[65536];
			n = read(in, buf, sizeof(buf));
			for (ssize_t off = 0; n > 0 && off < n;) {
				ssize_t w = write(out, buf + off, (size_t)(n - off));
				if (w < 0 && errno == EINTR)
					continue;
				if (w < 0)
					return fail(c, errno, "write");
				off += w;
			}
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(c, errno, "copy");
		if (n == 0)
			return 0;
	}
}

/* Owner, then mode (a chown clears set-id bits), then times. */
static int copy_meta(struct copy_ctx *c, int ddir, const char *name, const struct stat *st)
{
	if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, errno,
			    errno == EINVAL ? "chown (an owner not mapped in the user namespace)"
					    : "chown");
	if (!S_ISLNK(st->st_mode) && fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
		return fail(c, errno, "chmod");
	const struct timespec times[2] = {st->st_atim, st->st_mtim};
	if (utimensat(ddir, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, errno, "set times of");
	return 0;
}

static int copy_regular(struct copy_ctx *c, int sdir, int ddir, const char *name,
			const struct stat *st)
{
	_cleanup_close_ int in =
	    openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (in < 0)
		return fail(c, errno, "open");
	struct stat now;
	if (fstat(in, &now) < 0)
		return fail(c, errno, "stat");
	if (!S_ISREG(now.st_mode) || now.st_ino != st->st_ino || now.st_dev != st->st_dev)
		return fail(c, ESTALE, "changed while copied:");
	_cleanup_close_ int out =
	    openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return fail(c, errno, "create");
	return copy_bytes(c, in, out);
}

static int copy_dir(struct copy_ctx *c, int sdir, int ddir, unsigned depth);

static int copy_entry(struct copy_ctx *c, int sdir, int ddir, const char *name, unsigned depth)
{
	struct stat st;
	if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, errno, "stat");
	int r = 0;
	switch (st.st_mode & S_IFMT) {
	case S_IFREG:
		r = copy_regular(c, sdir, ddir, name, &st);
		break;
	case S_IFDIR: {
		if (depth >= COPY_MAX_DEPTH)
			return fail(c, ELOOP, "directories nested too deep at");
		if (mkdirat(ddir, name, 0700) < 0)
			return fail(c, errno, "mkdir");
		_cleanup_close_ int s =
		    openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		_cleanup_close_ int d =
		    openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0 || d < 0)
			return fail(c, errno, "open directory");
		r = copy_dir(c, s, d, depth + 1);
		break;
	}
	case S_IFLNK: {
		char target[PATH_MAX];
		ssize_t n = readlinkat(sdir, name, target, sizeof(target) - 1);
		if (n < 0)
			return fail(c, errno, "readlink");
		target[n] = '\0';
		if (symlinkat(target, ddir, name) < 0)
			return fail(c, errno, "symlink");
		break;
	}
	case S_IFIFO:
	case S_IFCHR:
	case S_IFBLK:
		if (mknodat(ddir, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0)
			return fail(c, errno, "mknod");
		break;
	default:
		/* A unix socket in an image means nothing once copied. */
		return 0;
	}
	return r < 0 ? r : copy_meta(c, ddir, name, &st);
}

static int copy_dir(struct copy_ctx *c, int sdir, int ddir, unsigned depth)
{
	int fd = dup(sdir);
	if (fd < 0)
		return fail(c, errno, "dup");
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return fail(c, errno, "read directory");
	}
	size_t base = strlen(c->path);
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(c->path + base, sizeof(c->path) - base, "%s%s", base ? "/" : "",
			     de->d_name) >= (int)(sizeof(c->path) - base))
			return fail(c, ENAMETOOLONG, "path too long:");
		int r = copy_entry(c, sdir, ddir, de->d_name, depth);
		c->path[base] = '\0';
		if (r < 0)
			return r;
		errno = 0;
	}
	if (errno)
		return fail(c, errno, "read directory");
	return 0;
}

int rt_tmpcopyup(int src_dir, int dst_dir, struct pal_err *err)
{
	struct copy_ctx c = {.err = err};
	_cleanup_close_ int s = openat(src_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int d = openat(dst_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s < 0 || d < 0)
		return pal_err_sys(err, errno, "tmpcopyup: open the directories");
	return copy_dir(&c, s, d, 0);
}
