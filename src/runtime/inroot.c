#include "runtime/inroot.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INROOT_RESOLVE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

int rt_inroot_open(int rootfd, const char *path, int flags)
{
	long fd = pal_openat2(rootfd, path, flags | O_CLOEXEC, 0, INROOT_RESOLVE);
	return fd < 0 ? -errno : (int)fd;
}

/* Walks path one component at a time: each missing directory is created
 * with mkdirat() on the fd of its already-resolved parent, and each prefix is
 * re-resolved from the root, so a symlink the image planted is followed the
 * way the container will see it, never outside. */
int rt_inroot_mkdir_p(int rootfd, const char *path, mode_t mode, struct pal_err *err)
{
	int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	if (cur < 0)
		return pal_err_sys(err, errno, "dup root fd");
	_cleanup_free_ char *copy = pal_xstrdup(path);
	char *save = NULL;
	for (char *comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		if (!strcmp(comp, ".") || !strcmp(comp, "..")) {
			close(cur);
			return pal_err_set(err, EINVAL, "%s: '.' and '..' are not allowed", path);
		}
		if (mkdirat(cur, comp, mode) < 0 && errno != EEXIST) {
			int e = errno;
			close(cur);
			return pal_err_sys(err, e, "mkdir %s (component %s)", path, comp);
		}
		size_t prefix_len = (size_t)(comp - copy) + strlen(comp);
		_cleanup_free_ char *prefix = pal_xstrndup(path, prefix_len);
		int next = rt_inroot_open(rootfd, prefix, O_PATH | O_DIRECTORY);
		close(cur);
		if (next < 0)
			return pal_err_sys(err, -next, "open %s in the container root", prefix);
		cur = next;
	}
	return cur;
}

int rt_inroot_parent(int rootfd, const char *path, const char **name, struct pal_err *err)
{
	const char *slash = strrchr(path, '/');
	if (!slash || slash[1] == '\0')
		return pal_err_set(err, EINVAL, "%s: not a path to a file", path);
	*name = slash + 1;
	if (!strcmp(*name, ".") || !strcmp(*name, ".."))
		return pal_err_set(err, EINVAL, "%s: '.' and '..' are not allowed", path);
	_cleanup_free_ char *dir = pal_xstrndup(path, (size_t)(slash - path));
	if (!*dir)
		return fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	return rt_inroot_mkdir_p(rootfd, dir, 0755, err);
}

int rt_inroot_touch(int rootfd, const char *path, struct pal_err *err)
{
	int fd = rt_inroot_open(rootfd, path, O_PATH);
	if (fd >= 0) {
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			return pal_err_set(err, EISDIR,
					   "%s is a directory in the container; a file is needed "
					   "to mount a file onto",
					   path);
		}
		return fd;
	}
	const char *name;
	_cleanup_close_ int parent = rt_inroot_parent(rootfd, path, &name, err);
	if (parent < 0)
		return parent;
	_cleanup_close_ int pfd = -1;
	/* O_PATH fds cannot create: reopen the parent as a real directory fd. */
	pfd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pfd < 0)
		return pal_err_sys(err, errno, "open parent of %s", path);
	int f = openat(pfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (f < 0 && errno != EEXIST)
		return pal_err_sys(err, errno, "create %s", path);
	if (f >= 0)
		close(f);
	fd = (int)pal_openat2(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0,
			      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (fd < 0)
		return pal_err_sys(err, errno, "open %s", path);
	return fd;
}

int rt_inroot_check_no_escape(int rootfd, const char *path, struct pal_err *err)
{
	/* pending: the path still to walk (link targets are spliced in front). */
	struct pal_buf pending;
	pal_buf_init(&pending);
	pal_buf_puts(&pending, path);
	struct pal_buf resolved;
	pal_buf_init(&resolved); /* logical container path walked so far */
	int links = 0, r = 0;
	size_t pos = 0;
	while (pos < pending.len) {
		while (pos < pending.len && pending.data[pos] == '/')
			pos++;
		if (pos >= pending.len)
			break;
		size_t end = pos;
		while (end < pending.len && pending.data[end] != '/')
			end++;
		_cleanup_free_ char *comp = pal_xstrndup(pending.data + pos, end - pos);
		pos = end;
		if (!strcmp(comp, "."))
			continue;
		if (!strcmp(comp, "..")) {
			char *last = strrchr(resolved.data ? resolved.data : "", '/');
			if (!resolved.len || !last) {
				r = pal_err_set(err, EXDEV,
						"%s: a symlink on this path climbs above the "
						"container root with '..'",
						path);
				goto out;
			}
			resolved.len = (size_t)(last - resolved.data);
			resolved.data[resolved.len] = '\0';
			continue;
		}
		size_t saved = resolved.len;
		pal_buf_putc(&resolved, '/');
		pal_buf_puts(&resolved, comp);
		int fd = rt_inroot_open(rootfd, resolved.data, O_PATH | O_NOFOLLOW);
		if (fd == -ENOENT)
			break; /* the rest will be created as directories */
		if (fd < 0) {
			r = pal_err_sys(err, -fd, "resolve %s", resolved.data);
			goto out;
		}
		struct stat st;
		if (fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode)) {
			close(fd);
			continue;
		}
		char target[PATH_MAX];
		ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
		close(fd);
		if (n < 0 || ++links > 40) {
			r = pal_err_set(err, ELOOP, "%s: too many or unreadable symlinks", path);
			goto out;
		}
		target[n] = '\0';
		resolved.len = saved;
		if (resolved.data)
			resolved.data[saved] = '\0';
		if (target[0] == '/') {
			resolved.len = 0;
			resolved.data[0] = '\0';
		}
		/* Replace the consumed prefix of pending with the link target. */
		struct pal_buf next;
		pal_buf_init(&next);
		pal_buf_puts(&next, target);
		pal_buf_putc(&next, '/');
		pal_buf_append(&next, pending.data + pos, pending.len - pos);
		pal_buf_free(&pending);
		pending = next;
		pos = 0;
	}
out:
	pal_buf_free(&pending);
	pal_buf_free(&resolved);
	return r;
}
