/* Removing the container's directories. Only rmdir: a cgroup directory goes
 * away with its interface files once no task and no child cgroup is left;
 * anything else in the way is not ours to delete. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DESTROY_WAIT_MS 1000

/* Sub-cgroups the container made below its own directory, deepest first. */
static int rmdir_children(const struct rt_cgroup *cg, const char *path, int depth,
			  struct pal_err *err)
{
	if (depth >= CG_MAX_NESTING)
		return pal_err_set(err, ELOOP, "cgroups nested too deep below %s", path);
	_cleanup_closedir_ DIR *d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 : pal_err_sys(err, errno, "list %s", path);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		_cleanup_free_ char *child = pal_path_join(path, de->d_name);
		int r = rmdir_children(cg, child, depth + 1, err);
		if (r < 0)
			return r;
		if (cg->hooks.before_rmdir)
			cg->hooks.before_rmdir(child, cg->hooks.arg);
		if (rmdir(child) < 0 && errno != ENOENT)
			return pal_err_sys(err, errno, "rmdir %s", child);
	}
	return 0;
}

/* Exiting tasks keep a cgroup busy for a moment after kill. */
static int rmdir_leaf(const struct rt_cgroup *cg, const char *path, uint64_t deadline,
		      struct pal_err *err)
{
	unsigned nap = 1;
	for (;;) {
		int r = rmdir_children(cg, path, 0, err);
		if (r < 0 && err->code != EBUSY)
			return r;
		if (r == 0) {
			if (cg->hooks.before_rmdir)
				cg->hooks.before_rmdir(path, cg->hooks.arg);
			if (rmdir(path) == 0 || errno == ENOENT)
				return 0;
			if (errno != EBUSY)
				return pal_err_sys(err, errno, "rmdir %s", path);
		}
		if (cg_now_ms() >= deadline)
			return pal_err_set(err, EBUSY,
					   "rmdir %s: still busy after %d ms (processes left in "
					   "the cgroup: kill them first)",
					   path, DESTROY_WAIT_MS);
		cg_sleep_ms(nap);
		if (nap < 50)
			nap *= 2;
	}
}

static int destroy_dir(const struct rt_cgroup *cg, struct cg_dir *d, uint64_t deadline,
		       struct pal_err *err)
{
	int r = rmdir_leaf(cg, d->path, deadline, err);
	if (r < 0)
		return r;
	/* Parents we created, deepest first, while empty: a sibling container
	 * under the same new parent keeps it alive. */
	size_t n = pal_strv_len(d->created);
	for (size_t i = n; i-- > 0;) {
		if (strcmp(d->created[i], d->rel) == 0)
			continue;
		_cleanup_free_ char *p = pal_path_join(d->h.mount, d->created[i]);
		if (cg->hooks.before_rmdir)
			cg->hooks.before_rmdir(p, cg->hooks.arg);
		if (rmdir(p) < 0 && errno != ENOENT) {
			if (errno != EBUSY && errno != ENOTEMPTY)
				pal_warn("cgroup: rmdir %s: %s", p, strerror(errno));
			break;
		}
	}
	return 0;
}

int rt_cgroup_destroy(struct rt_cgroup *cg, struct pal_err *err)
{
	/* A frozen task cannot exit: thaw first (best effort). */
	bool frozen = false;
	struct pal_err e = {0};
	if (rt_cgroup_is_frozen(cg, &frozen, &e) == 0 && frozen)
		rt_cgroup_freeze(cg, false, &e);
	uint64_t deadline = cg_now_ms() + DESTROY_WAIT_MS;
	int first = 0;
	struct pal_err tmp;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		pal_err_clear(&tmp);
		int r = destroy_dir(cg, &cg->dirs[i], deadline, &tmp);
		if (r < 0 && first == 0) {
			first = r;
			if (err)
				*err = tmp;
		} else if (r < 0) {
			pal_warn("cgroup: %s", tmp.msg);
		}
	}
	if (first < 0)
		return pal_err_prefix(err, "remove cgroup of container %s", cg->id);
	return 0;
}
