/* Processes of a container's cgroup: joining, listing, signalling. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rt_cgroup_enter(struct rt_cgroup *cg, pid_t pid, struct pal_err *err)
{
	if (pid <= 0)
		return pal_err_set(err, EINVAL, "cannot move pid %d into a cgroup", (int)pid);
	char buf[24];
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n_dirs; i++) {
		const struct cg_dir *d = &cg->dirs[i];
		_cleanup_close_ int fd = cg_dir_open(d, O_PATH, err);
		if (fd < 0)
			return pal_err_prefix(err, "move pid %d into container %s", (int)pid,
					      cg->id);
		int r = cg_write(fd, d->path, "cgroup.procs", buf, NULL, err);
		if (r < 0)
			return pal_err_prefix(err, "move pid %d into container %s", (int)pid,
					      cg->id);
	}
	return 0;
}

/* cgroup.procs lists a directory's own processes only; a container may have
 * made sub-cgroups (with a cgroup namespace), so walk them too. */
static int collect(int dfd, const char *path, int depth, pid_t **pids, size_t *n,
		   struct pal_err *err)
{
	int r = cg_read_procs(dfd, path, pids, n, err);
	if (r < 0)
		return r;
	if (depth >= CG_MAX_NESTING)
		return 0;
	int lfd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lfd < 0)
		return pal_err_sys(err, errno, "open %s", path);
	_cleanup_closedir_ DIR *d = fdopendir(lfd);
	if (!d) {
		int e = errno;
		close(lfd);
		return pal_err_sys(err, e, "list %s", path);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		_cleanup_close_ int cfd =
		    openat(dirfd(d), de->d_name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (cfd < 0)
			continue; /* removed meanwhile */
		_cleanup_free_ char *cpath = pal_xasprintf("%s/%s", path, de->d_name);
		if ((r = collect(cfd, cpath, depth + 1, pids, n, err)) < 0)
			return r;
	}
	return 0;
}

static const struct cg_dir *procs_dir(const struct rt_cgroup *cg)
{
	const struct cg_dir *d = cg_v2_dir(cg);
	if (!d)
		d = cg_find_v1(cg, "pids");
	if (!d && cg->n_dirs)
		d = &cg->dirs[0];
	return d;
}

int rt_cgroup_pids(const struct rt_cgroup *cg, pid_t **pids, size_t *n, struct pal_err *err)
{
	*pids = NULL;
	*n = 0;
	const struct cg_dir *d = procs_dir(cg);
	if (!d)
		return pal_err_set(err, ENOENT, "container %s has no cgroup directory", cg->id);
	_cleanup_close_ int fd = cg_dir_open(d, O_PATH, err);
	if (fd < 0)
		return fd;
	int r = collect(fd, d->path, 0, pids, n, err);
	if (r < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
	}
	return r;
}

static bool try_cgroup_kill(const struct rt_cgroup *cg)
{
	const struct cg_dir *v2 = cg_v2_dir(cg);
	if (!v2)
		return false;
	struct pal_err e = {0};
	_cleanup_close_ int fd = cg_dir_open(v2, O_PATH, &e);
	if (fd < 0 || !cg_file_exists(fd, "cgroup.kill"))
		return false; /* kernels before 5.14 */
	if (cg_write(fd, v2->path, "cgroup.kill", "1", NULL, &e) < 0) {
		pal_debug("cgroup: %s; signalling one by one", e.msg);
		return false;
	}
	return true;
}

int rt_cgroup_signal_all(struct rt_cgroup *cg, int sig, struct pal_err *err)
{
	if (sig <= 0 || sig >= NSIG)
		return pal_err_set(err, EINVAL, "signal %d is out of range", sig);
	bool was_frozen = false, froze = false;
	struct pal_err e = {0};
	bool can_freeze = rt_cgroup_is_frozen(cg, &was_frozen, &e) == 0;
	if (sig == SIGKILL && try_cgroup_kill(cg)) {
		/* A task stopped by the v1 freezer dies only once thawed. */
		if (was_frozen)
			return rt_cgroup_freeze(cg, false, err);
		return 0;
	}
	/* Frozen, the cgroup cannot fork a process the signal would miss. */
	if (can_freeze && !was_frozen)
		froze = rt_cgroup_freeze(cg, true, &e) == 0;
	if (!froze && !was_frozen)
		pal_debug("cgroup %s: signalling without freezing: %s", cg->id, e.msg);
	pid_t *pids = NULL;
	size_t n = 0;
	int r = rt_cgroup_pids(cg, &pids, &n, err);
	for (size_t i = 0; r == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			r = pal_err_sys(err, errno, "kill -%d %d (container %s)", sig, (int)pids[i],
					cg->id);
	free(pids);
	/* Thaw what we froze; a paused container stays paused, except that
	 * SIGKILL must be able to finish its work. */
	if (froze || (was_frozen && sig == SIGKILL)) {
		struct pal_err te = {0};
		int tr = rt_cgroup_freeze(cg, false, &te);
		if (tr < 0 && r == 0) {
			if (err)
				*err = te;
			r = tr;
		}
	}
	return r;
}
