/* Creating the container's directories, one per hierarchy, and undoing that
 * when anything fails. Every directory this call makes is remembered, so that
 * destroy (or the rollback here) removes exactly those and nothing that was
 * there before. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const struct cg_dir *cg_find_v1(const struct rt_cgroup *cg, const char *controller)
{
	const char *want = strcmp(controller, "systemd") == 0 ? "name=systemd" : controller;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		const struct cg_dir *d = &cg->dirs[i];
		if (d->h.v2)
			continue;
		if (pal_strv_contains(d->h.controllers, want))
			return d;
	}
	return NULL;
}

const struct cg_dir *cg_v2_dir(const struct rt_cgroup *cg)
{
	return cg->v2 >= 0 ? &cg->dirs[cg->v2] : NULL;
}

bool cg_v2_has_controller(const struct cg_dir *d, const char *controller)
{
	struct pal_err ignored = {0};
	_cleanup_close_ int fd = cg_dir_open(d, O_PATH, &ignored);
	if (fd < 0)
		return false;
	_cleanup_free_ char *s = NULL;
	if (cg_read(fd, d->path, "cgroup.controllers", &s, &ignored) < 0)
		return false;
	return cg_words_contain(s, controller);
}

void cg_dir_free(struct cg_dir *d)
{
	cg_hier_free(&d->h);
	free(d->rel);
	free(d->path);
	pal_strv_free(d->created);
	memset(d, 0, sizeof(*d));
}

void rt_cgroup_free(struct rt_cgroup *cg)
{
	if (!cg)
		return;
	for (size_t i = 0; i < cg->n_dirs; i++)
		cg_dir_free(&cg->dirs[i]);
	free(cg->dirs);
	free(cg->fs_root);
	free(cg->id);
	free(cg);
}

void rt_cgroup_set_test_hooks(struct rt_cgroup *cg, const struct rt_cgroup_test_hooks *hooks)
{
	if (hooks)
		cg->hooks = *hooks;
	else
		memset(&cg->hooks, 0, sizeof(cg->hooks));
}

uint64_t rt_cgroup_id(const struct rt_cgroup *cg)
{
	return cg->cgroup_id;
}

enum rt_cgroup_layout rt_cgroup_layout(const struct rt_cgroup *cg)
{
	return cg->layout;
}

const char *rt_cgroup_path(const struct rt_cgroup *cg, const char *hierarchy)
{
	if (!hierarchy)
		return NULL;
	if (strcmp(hierarchy, "unified") == 0) {
		const struct cg_dir *d = cg_v2_dir(cg);
		return d ? d->path : NULL;
	}
	const struct cg_dir *d = cg_find_v1(cg, hierarchy);
	return d ? d->path : NULL;
}

void cg_rollback_dir(const struct rt_cgroup *cg, const struct cg_dir *d)
{
	size_t n = pal_strv_len(d->created);
	for (size_t i = n; i-- > 0;) {
		_cleanup_free_ char *p = pal_path_join(d->h.mount, d->created[i]);
		if (cg->hooks.before_rmdir)
			cg->hooks.before_rmdir(p, cg->hooks.arg);
		if (rmdir(p) < 0 && errno != ENOENT)
			pal_debug("cgroup rollback: rmdir %s: %s", p, strerror(errno));
	}
}

/* Turns on, in a v2 parent, every controller the parent has (as runc does),
 * so the child can use them. One write for all first; if the kernel refuses
 * that (one controller cannot be enabled), one per controller, and what stays
 * off is reported by apply when a resource needs it. */
static void v2_enable_controllers(int pfd, const char *ppath)
{
	struct pal_err e = {0};
	_cleanup_free_ char *avail = NULL, *enabled = NULL;
	if (cg_read(pfd, ppath, "cgroup.controllers", &avail, &e) < 0 ||
	    cg_read(pfd, ppath, "cgroup.subtree_control", &enabled, &e) < 0) {
		pal_debug("cgroup: %s", e.msg);
		return;
	}
	struct pal_buf all;
	pal_buf_init(&all);
	_cleanup_strv_ char **missing = NULL;
	char *save = NULL;
	for (char *c = strtok_r(avail, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
		_cleanup_free_ char *plus = pal_xasprintf("+%s", c);
		if (cg_words_contain(enabled, c) || cg_words_contain(enabled, plus))
			continue;
		pal_strv_push(&missing, plus);
		pal_buf_printf(&all, "%s%s", all.len ? " " : "", plus);
	}
	if (all.len && cg_write(pfd, ppath, "cgroup.subtree_control", all.data, NULL, &e) < 0) {
		for (char **m = missing; m && *m; m++)
			if (cg_write(pfd, ppath, "cgroup.subtree_control", *m, NULL, &e) < 0)
				pal_debug("cgroup: enabling %s: %s", *m, e.msg);
	}
	pal_buf_free(&all);
}

/* A new v1 cpuset directory starts with empty cpus and mems, which no task may
 * join: copy the parent's, as the kernel's cgroup.clone_children would. */
static int v1_cpuset_inherit(int pfd, const char *ppath, int cfd, const char *cpath,
			     struct pal_err *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	for (size_t i = 0; i < 2; i++) {
		_cleanup_free_ char *mine = NULL, *parent = NULL;
		int r = cg_read(cfd, cpath, files[i], &mine, err);
		if (r < 0)
			return r;
		cg_trim(mine);
		if (*mine)
			continue;
		if ((r = cg_read(pfd, ppath, files[i], &parent, err)) < 0)
			return r;
		cg_trim(parent);
		if (!*parent)
			return pal_err_set(err, EINVAL,
					   "%s/%s is empty, so no cpuset below it can be used; "
					   "set it or choose another cgroupsPath",
					   ppath, files[i]);
		if ((r = cg_write(cfd, cpath, files[i], parent, NULL, err)) < 0)
			return r;
	}
	return 0;
}

static int leaf_must_be_unused(int fd, const char *path, struct pal_err *err)
{
	pid_t *pids = NULL;
	size_t n = 0;
	int r = cg_read_procs(fd, path, &pids, &n, err);
	free(pids);
	if (r < 0)
		return r;
	if (n > 0)
		return pal_err_set(err, EEXIST,
				   "cgroup %s already exists and has %zu process(es): another "
				   "container uses this cgroupsPath",
				   path, n);
	return 0;
}

/* mkdir -p of d->rel below the mount, one component at a time through
 * directory fds (no symlink is followed), remembering what it made. */
static int make_dir(struct rt_cgroup *cg, struct cg_dir *d, struct pal_err *err)
{
	int cur = open(d->h.mount, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (cur < 0)
		return pal_err_sys(err, errno, "open %s", d->h.mount);
	_cleanup_free_ char *cur_path = pal_xstrdup(d->h.mount);
	_cleanup_free_ char *rel = pal_xstrdup("");
	bool cpuset = !d->h.v2 && pal_strv_contains(d->h.controllers, "cpuset");
	_cleanup_free_ char *copy = pal_xstrdup(d->rel + 1);
	char *save = NULL;
	int r = 0;
	for (char *comp = strtok_r(copy, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		bool leaf = save == NULL || *save == '\0';
		if (d->h.v2 && rel[0] != '\0') /* never the filesystem root's own */
			v2_enable_controllers(cur, cur_path);
		bool made = mkdirat(cur, comp, 0755) == 0;
		if (!made && errno != EEXIST) {
			r = pal_err_sys(err, errno, "mkdir %s/%s", cur_path, comp);
			break;
		}
		char *nrel = pal_xasprintf("%s/%s", rel, comp);
		free(rel);
		rel = nrel;
		char *npath = pal_path_join(d->h.mount, rel);
		if (made)
			pal_strv_push(&d->created, rel);
		int nfd = openat(cur, comp, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			r = pal_err_sys(err, errno, "open %s", npath);
			free(npath);
			break;
		}
		if (made && cg->hooks.after_mkdir &&
		    (r = cg->hooks.after_mkdir(npath, cg->hooks.arg)) < 0)
			r = pal_err_sys(err, -r, "mkdir %s", npath);
		if (r == 0 && made && cpuset)
			r = v1_cpuset_inherit(cur, cur_path, nfd, npath, err);
		if (r == 0 && leaf && !made)
			r = leaf_must_be_unused(nfd, npath, err);
		close(cur);
		cur = nfd;
		free(cur_path);
		cur_path = npath;
		if (r < 0)
			break;
	}
	close(cur);
	return r;
}

static int build_dirs(struct rt_cgroup *cg, struct cg_scan *scan, const struct rt_cgroup_opts *o,
		      struct pal_err *err)
{
	_cleanup_free_ char *clean = NULL;
	bool absolute = true;
	int r;
	if (o->path && *o->path) {
		r = cg_clean_path("linux.cgroupsPath", o->path, &clean, &absolute, err);
	} else {
		const char *parent = o->default_parent ? o->default_parent : "palisade";
		_cleanup_free_ char *joined = pal_xasprintf("/%s/%s", parent, cg->id);
		r = cg_clean_path("default cgroup parent", joined, &clean, &absolute, err);
	}
	if (r < 0)
		return r;
	_cleanup_free_ char *self = NULL;
	if (!absolute) {
		const char *f = o->proc_self_cgroup ? o->proc_self_cgroup : "/proc/self/cgroup";
		if ((r = pal_read_file(f, CG_MAX_FILE, &self, NULL, err)) < 0)
			return pal_err_prefix(err, "relative linux.cgroupsPath '%s'", o->path);
	}
	cg->dirs = pal_xcalloc(scan->n, sizeof(*cg->dirs));
	for (size_t i = 0; i < scan->n; i++) {
		struct cg_dir *d = &cg->dirs[cg->n_dirs];
		r = cg_resolve_rel(clean, absolute, &scan->h[i], scan->layout, self, &d->rel, err);
		if (r < 0)
			return r;
		d->h = scan->h[i];
		memset(&scan->h[i], 0, sizeof(scan->h[i]));
		d->path = pal_path_join(d->h.mount, d->rel);
		if (d->h.v2)
			cg->v2 = (int)cg->n_dirs;
		cg->n_dirs++;
	}
	return 0;
}

int rt_cgroup_create(const struct rt_cgroup_opts *opts, struct rt_cgroup **out, struct pal_err *err)
{
	*out = NULL;
	if (opts->systemd)
		return cg_systemd_unsupported(opts, err);
	if ((!opts->path || !*opts->path) && !cg_valid_container_id(opts->id))
		return pal_err_set(err, EINVAL,
				   "container id '%s' cannot name a cgroup (empty, '/', '.', "
				   "'..' or control characters)",
				   opts->id ? opts->id : "");
	const char *fs_root = opts->fs_root ? opts->fs_root : CG_DEFAULT_FS_ROOT;
	struct cg_scan scan;
	int r = cg_scan(fs_root, &scan, err);
	if (r < 0)
		return r;
	struct rt_cgroup *cg = pal_xcalloc(1, sizeof(*cg));
	cg->layout = scan.layout;
	cg->fs_root = pal_xstrdup(fs_root);
	cg->id = pal_xstrdup(opts->id ? opts->id : "");
	cg->v2 = -1;
	if (opts->test_hooks)
		cg->hooks = *opts->test_hooks;
	r = build_dirs(cg, &scan, opts, err);
	cg_scan_free(&scan);
	for (size_t i = 0; r == 0 && i < cg->n_dirs; i++) {
		r = make_dir(cg, &cg->dirs[i], err);
		if (r < 0) {
			for (size_t j = i + 1; j-- > 0;)
				cg_rollback_dir(cg, &cg->dirs[j]);
		}
	}
	const struct cg_dir *v2 = cg_v2_dir(cg);
	if (r == 0 && v2) {
		struct stat st;
		if (stat(v2->path, &st) < 0) {
			r = pal_err_sys(err, errno, "stat %s", v2->path);
			for (size_t j = cg->n_dirs; j-- > 0;)
				cg_rollback_dir(cg, &cg->dirs[j]);
		} else {
			cg->cgroup_id = (uint64_t)st.st_ino;
		}
	}
	if (r < 0) {
		rt_cgroup_free(cg);
		return pal_err_prefix(err, "create cgroup for container %s",
				      opts->id ? opts->id : "");
	}
	*out = cg;
	return 0;
}
