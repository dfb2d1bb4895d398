/* Reading and writing cgroup interface files, relative to a directory fd. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Without openat2 (pre-5.6 kernels, valgrind): one component at a time, none
 * of them a symlink. rel is clean (no "..", checked when it was made). */
static int walk_open(int mfd, const char *rel, int flags)
{
	int cur = dup(mfd);
	if (cur < 0)
		return -1;
	char *copy = pal_xstrdup(rel);
	char *save = NULL;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		bool last = save == NULL || *save == '\0';
		int nfd =
		    openat(cur, c, (last ? flags : O_PATH) | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(cur);
		if (nfd < 0) {
			free(copy);
			errno = e;
			return -1;
		}
		cur = nfd;
	}
	free(copy);
	return cur;
}

int cg_dir_open(const struct cg_dir *d, int flags, struct pal_err *err)
{
	_cleanup_close_ int mfd = open(d->h.mount, O_DIRECTORY | O_PATH | O_CLOEXEC);
	if (mfd < 0)
		return pal_err_sys(err, errno, "open %s", d->h.mount);
	long fd = pal_openat2(mfd, d->rel + 1, flags | O_DIRECTORY | O_CLOEXEC, 0,
			      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (fd < 0 && errno == ENOSYS)
		fd = walk_open(mfd, d->rel + 1, flags);
	if (fd < 0)
		return pal_err_sys(err, errno, "open cgroup %s", d->path);
	return (int)fd;
}

static int open_for_write(int dfd, const char *dir_path, const char *file, const char *field,
			  struct pal_err *err)
{
	int fd = openat(dfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		int e = errno;
		if (field)
			return pal_err_sys(err, e, "%s: open %s/%s", field, dir_path, file);
		return pal_err_sys(err, e, "open %s/%s", dir_path, file);
	}
	return fd;
}

static int write_one(int fd, const char *dir_path, const char *file, const char *value,
		     const char *field, struct pal_err *err)
{
	size_t len = strlen(value);
	ssize_t n;
	do {
		n = write(fd, value, len);
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)len)
		return 0;
	int e = n < 0 ? errno : EIO;
	if (field)
		return pal_err_sys(err, e, "%s: write '%.64s' to %s/%s", field, value, dir_path,
				   file);
	return pal_err_sys(err, e, "write '%.64s' to %s/%s", value, dir_path, file);
}

int cg_write(int dfd, const char *dir_path, const char *file, const char *value, const char *field,
	     struct pal_err *err)
{
	_cleanup_close_ int fd = open_for_write(dfd, dir_path, file, field, err);
	if (fd < 0)
		return fd;
	return write_one(fd, dir_path, file, value, field, err);
}

int cg_write_lines(int dfd, const char *dir_path, const char *file, char *const *lines, size_t n,
		   const char *field, struct pal_err *err)
{
	if (n == 0)
		return 0;
	_cleanup_close_ int fd = open_for_write(dfd, dir_path, file, field, err);
	if (fd < 0)
		return fd;
	for (size_t i = 0; i < n; i++) {
		/* One entry per write; the newline keeps a plain file (fake tree) readable. */
		_cleanup_free_ char *l = pal_xasprintf("%s\n", lines[i]);
		int r = write_one(fd, dir_path, file, l, field, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int cg_read(int dfd, const char *dir_path, const char *file, char **out, struct pal_err *err)
{
	_cleanup_close_ int fd = openat(dfd, file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return pal_err_sys(err, errno, "open %s/%s", dir_path, file);
	int r = pal_read_fd(fd, CG_MAX_FILE, out, NULL);
	if (r < 0)
		return pal_err_sys(err, -r, "read %s/%s", dir_path, file);
	return 0;
}

void cg_trim(char *s)
{
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	size_t i = 0;
	while (s[i] && isspace((unsigned char)s[i]))
		i++;
	if (i)
		memmove(s, s + i, n - i + 1);
}

int cg_read_u64(int dfd, const char *dir_path, const char *file, uint64_t *out, struct pal_err *err)
{
	_cleanup_free_ char *s = NULL;
	int r = cg_read(dfd, dir_path, file, &s, err);
	if (r < 0)
		return r;
	cg_trim(s);
	if (strcmp(s, "max") == 0) {
		*out = UINT64_MAX;
		return 0;
	}
	if (pal_parse_uint64(s, out) < 0)
		return pal_err_set(err, EINVAL, "%s/%s: expected a number, read '%.32s'", dir_path,
				   file, s);
	return 0;
}

bool cg_file_exists(int dfd, const char *file)
{
	struct stat st;
	return fstatat(dfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

bool cg_words_contain(const char *text, const char *word)
{
	size_t wl = strlen(word);
	const char *p = text;
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		const char *s = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if ((size_t)(p - s) == wl && strncmp(s, word, wl) == 0)
			return true;
	}
	return false;
}

int cg_read_procs(int dfd, const char *dir_path, pid_t **pids, size_t *n, struct pal_err *err)
{
	_cleanup_free_ char *s = NULL;
	int r = cg_read(dfd, dir_path, "cgroup.procs", &s, err);
	if (r < 0)
		return r;
	char *save = NULL;
	for (char *t = strtok_r(s, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		int64_t v;
		if (pal_parse_int64(t, &v) < 0 || v <= 0 || v > INT32_MAX)
			return pal_err_set(err, EINVAL, "%s/cgroup.procs: unexpected line '%.32s'",
					   dir_path, t);
		*pids = pal_xrealloc(*pids, (*n + 1) * sizeof(**pids));
		(*pids)[(*n)++] = (pid_t)v;
	}
	return 0;
}

void cg_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

uint64_t cg_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
