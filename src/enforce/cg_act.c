/* Acting on a container's cgroup: kill every process (cgroup.kill, or
 * freeze, SIGKILL each, thaw) and freeze / thaw.
 *
 * Directories are opened beneath their mount point without following any
 * symlink, and must be on a cgroup file system: a path in a record can never
 * lead a write anywhere else. */
#include "enforce/enforce.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "common/timefmt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

#define MAX_DEPTH 32
#define MAX_PIDS  100000

static int open_cg_dir(const struct enf_cg_dir *d, struct pal_err *err)
{
	_cleanup_close_ int mfd = open(d->mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0)
		return pal_err_sys(err, errno, "open %s", d->mount);
	const char *sub = d->path + strlen(d->mount);
	while (*sub == '/')
		sub++;
	int fd;
	if (*sub == '\0')
		fd = fcntl(mfd, F_DUPFD_CLOEXEC, 3);
	else
		fd = (int)pal_openat2(mfd, sub, O_DIRECTORY | O_RDONLY | O_CLOEXEC, 0,
				      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
					  RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
	if (fd < 0)
		return pal_err_sys(err, errno, "open %s", d->path);
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0) {
		int e = errno;
		close(fd);
		return pal_err_sys(err, e, "statfs %s", d->path);
	}
	if (sf.f_type != CGROUP2_SUPER_MAGIC && sf.f_type != CGROUP_SUPER_MAGIC) {
		close(fd);
		return pal_err_set(err, EXDEV, "%s is not on a cgroup file system", d->path);
	}
	return fd;
}

static int write_knob(int dfd, const char *dir, const char *file, const char *val,
		      struct pal_err *err)
{
	_cleanup_close_ int fd = openat(dfd, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : pal_err_sys(err, errno, "open %s/%s", dir, file);
	size_t n = strlen(val);
	if (write(fd, val, n) != (ssize_t)n)
		return pal_err_sys(err, errno, "write %s to %s/%s", val, dir, file);
	return 0;
}

static int read_knob(int dfd, const char *dir, const char *file, char **out, struct pal_err *err)
{
	_cleanup_close_ int fd = openat(dfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return pal_err_sys(err, errno, "open %s/%s", dir, file);
	size_t len;
	int r = pal_read_fd(fd, 1u << 20, out, &len);
	return r < 0 ? pal_err_sys(err, -r, "read %s/%s", dir, file) : 0;
}

static void nap_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* ---- freezing ---------------------------------------------------------- */

struct freezer {
	const struct enf_cg_dir *dir;
	bool v2;
};

static bool find_freezer(const struct enf_cgroup *cg, struct freezer *f)
{
	f->dir = enf_cgroup_v1(cg, "freezer");
	f->v2 = false;
	if (!f->dir) {
		f->dir = enf_cgroup_v2(cg);
		f->v2 = true;
	}
	return f->dir != NULL;
}

static int frozen_state(int dfd, const struct freezer *f, bool *frozen, struct pal_err *err)
{
	_cleanup_free_ char *s = NULL;
	int r = read_knob(dfd, f->dir->path, f->v2 ? "cgroup.events" : "freezer.state", &s, err);
	if (r < 0)
		return r;
	if (!f->v2) {
		*frozen = strncmp(s, "FROZEN", 6) == 0;
		return 0;
	}
	for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, "frozen ", 7) == 0) {
			*frozen = p[7] == '1';
			return 0;
		}
	}
	return pal_err_set(err, ENOTSUP, "%s/cgroup.events has no 'frozen' key", f->dir->path);
}

static int set_frozen(int dfd, const struct freezer *f, bool freeze, uint32_t timeout_ms,
		      struct pal_err *err)
{
	const char *file = f->v2 ? "cgroup.freeze" : "freezer.state";
	const char *want = f->v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED");
	uint64_t deadline = pal_time_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	unsigned nap = 1;
	for (;;) {
		/* v1 may stay FREEZING while a task sleeps uninterruptibly: asking
		 * again retries the tasks that have not stopped yet. */
		int r = write_knob(dfd, f->dir->path, file, want, err);
		if (r == -ENOENT)
			return pal_err_set(err, ENOTSUP, "%s has no %s", f->dir->path, file);
		if (r < 0)
			return r;
		bool frozen = !freeze;
		if ((r = frozen_state(dfd, f, &frozen, err)) < 0)
			return r;
		if (frozen == freeze)
			return 0;
		if (pal_time_monotonic_ns() >= deadline)
			break;
		nap_ms(nap);
		if (nap < 16)
			nap *= 2;
	}
	if (freeze) { /* rather running than half frozen */
		struct pal_err ignored = {0};
		write_knob(dfd, f->dir->path, file, f->v2 ? "0" : "THAWED", &ignored);
	}
	return pal_err_set(err, ETIMEDOUT, "%s did not report %s within %u ms", f->dir->path,
			   freeze ? "frozen" : "thawed", timeout_ms);
}

int enf_cgroup_freeze(const struct enf_cgroup *cg, bool freeze, uint32_t timeout_ms, char *detail,
		      size_t cap, struct pal_err *err)
{
	struct freezer f;
	if (!find_freezer(cg, &f))
		return pal_err_set(err, ENOTSUP,
				   "the container has neither a v1 freezer nor a v2 cgroup");
	int dfd = open_cg_dir(f.dir, err);
	if (dfd < 0)
		return dfd;
	int r = set_frozen(dfd, &f, freeze, timeout_ms ? timeout_ms : 1000, err);
	close(dfd);
	if (r < 0)
		return r;
	snprintf(detail, cap, "%s %s (%s)", freeze ? "froze" : "thawed", f.dir->path,
		 f.v2 ? "cgroup.freeze" : "freezer.state");
	return 0;
}

/* ---- killing ------------------------------------------------------------- */

struct pidlist {
	pid_t *v;
	size_t n;
};

static void collect_procs(int dfd, const char *path, int depth, struct pidlist *pl)
{
	_cleanup_close_ int fd = openat(dfd, "cgroup.procs", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		_cleanup_free_ char *text = NULL;
		size_t len = 0;
		if (pal_read_fd(fd, 8u << 20, &text, &len) == 0) {
			for (char *p = text; *p && pl->n < MAX_PIDS;) {
				char *end = NULL;
				long v = strtol(p, &end, 10);
				if (end == p)
					break;
				if (v > 0) {
					pl->v = pal_xrealloc(pl->v, (pl->n + 1) * sizeof(*pl->v));
					pl->v[pl->n++] = (pid_t)v;
				}
				p = end;
				while (*p == '\n')
					p++;
			}
		}
	}
	if (depth >= MAX_DEPTH)
		return;
	int dup = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dup < 0)
		return;
	DIR *d = fdopendir(dup);
	if (!d) {
		close(dup);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_close_ int cfd =
		    openat(dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd >= 0)
			collect_procs(cfd, path, depth + 1, pl);
	}
	closedir(d);
}

/* SIGKILL to every process in the directory's subtree; never to the agent or pid 1. */
static long kill_all(int dfd, const char *path)
{
	struct pidlist pl = {0};
	collect_procs(dfd, path, 0, &pl);
	long n = 0;
	pid_t self = getpid();
	for (size_t i = 0; i < pl.n; i++) {
		if (pl.v[i] == self || pl.v[i] == 1)
			continue;
		if (kill(pl.v[i], SIGKILL) == 0)
			n++;
	}
	free(pl.v);
	return n;
}

static bool subtree_empty(int dfd, const char *path)
{
	struct pidlist pl = {0};
	collect_procs(dfd, path, 0, &pl);
	free(pl.v);
	return pl.n == 0;
}

int enf_cgroup_kill(const struct enf_cgroup *cg, enum enf_kill_method how, uint32_t timeout_ms,
		    long *killed, char *detail, size_t cap, struct pal_err *err)
{
	if (!timeout_ms)
		timeout_ms = 1000;
	*killed = 0;
	const struct enf_cg_dir *v2 = enf_cgroup_v2(cg);
	if (how == ENF_KILL_AUTO && v2) {
		int dfd = open_cg_dir(v2, err);
		if (dfd < 0)
			return dfd;
		int r = write_knob(dfd, v2->path, "cgroup.kill", "1", err);
		close(dfd);
		if (r == 0) {
			*killed = -1;
			snprintf(detail, cap, "SIGKILL to every process of %s (cgroup.kill)",
				 v2->path);
			return 0;
		}
		if (r != -ENOENT)
			return r;
		/* a kernel before 5.14: no cgroup.kill */
	}

	struct freezer f;
	if (find_freezer(cg, &f)) {
		int dfd = open_cg_dir(f.dir, err);
		if (dfd < 0)
			return dfd;
		/* Frozen, nothing forks or exits behind our back: the pid list is
		 * exact and no pid can be reused before the signals land. */
		int r = set_frozen(dfd, &f, true, timeout_ms, err);
		if (r < 0) {
			close(dfd);
			return pal_err_prefix(err, "freeze before killing");
		}
		*killed = kill_all(dfd, f.dir->path);
		r = set_frozen(dfd, &f, false, timeout_ms, err);
		close(dfd);
		if (r < 0)
			return pal_err_prefix(err, "thaw after SIGKILL to %ld processes", *killed);
		snprintf(detail, cap, "SIGKILL to %ld processes of %s (frozen, killed, thawed)",
			 *killed, f.dir->path);
		return 0;
	}

	/* No freezer at all: kill until the cgroup stays empty. */
	if (cg->n == 0)
		return pal_err_set(err, ENOENT, "no cgroup directory");
	const struct enf_cg_dir *d = &cg->dirs[0];
	int dfd = open_cg_dir(d, err);
	if (dfd < 0)
		return dfd;
	uint64_t deadline = pal_time_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
	for (;;) {
		*killed += kill_all(dfd, d->path);
		nap_ms(5);
		if (subtree_empty(dfd, d->path))
			break;
		if (pal_time_monotonic_ns() >= deadline) {
			close(dfd);
			return pal_err_set(err, ETIMEDOUT,
					   "%s still has processes after %u ms of SIGKILL", d->path,
					   timeout_ms);
		}
	}
	close(dfd);
	snprintf(detail, cap, "SIGKILL to %ld processes of %s (no freezer)", *killed, d->path);
	return 0;
}
