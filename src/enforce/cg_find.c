/* Finding a container's cgroup directories, and refusing any that could
 * reach beyond the container. */
#include "enforce/enforce.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"
#include "proc/cgroup_path.h"
#include "proc/container_info.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD_MAX (1u << 20)

void enf_cgroup_clear(struct enf_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->dirs[i].path);
		free(cg->dirs[i].mount);
		free(cg->dirs[i].rel);
		free(cg->dirs[i].controllers);
	}
	free(cg->dirs);
	cg->dirs = NULL;
	cg->n = 0;
}

const struct enf_cg_dir *enf_cgroup_v2(const struct enf_cgroup *cg)
{
	for (size_t i = 0; i < cg->n; i++)
		if (cg->dirs[i].v2)
			return &cg->dirs[i];
	return NULL;
}

/* True when the comma-separated list holds word. */
static bool list_has(const char *list, const char *word, size_t wn)
{
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		if (n == wn && memcmp(p, word, n) == 0)
			return true;
		if (!c)
			break;
		p = c + 1;
	}
	return false;
}

const struct enf_cg_dir *enf_cgroup_v1(const struct enf_cgroup *cg, const char *controller)
{
	for (size_t i = 0; i < cg->n; i++)
		if (!cg->dirs[i].v2 &&
		    list_has(cg->dirs[i].controllers, controller, strlen(controller)))
			return &cg->dirs[i];
	return NULL;
}

/* Is prefix a leading part of path at a component boundary? */
static bool path_below(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (n == 1 && prefix[0] == '/')
		return path[0] == '/';
	return strncmp(path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Adds the directory of hierarchy path rel on mount m (deduplicated). */
static int add_dir(struct enf_cgroup *cg, const struct enf_cg_mount *m, const char *rel)
{
	if (!path_below(rel, m->root))
		return -ENOENT; /* that part of the hierarchy is not visible here */
	const char *sub = strcmp(m->root, "/") == 0 ? rel : rel + strlen(m->root);
	char *path = (sub[0] == '\0' || strcmp(sub, "/") == 0)
			 ? pal_xstrdup(m->path)
			 : pal_xasprintf("%s%s", m->path, sub);
	for (size_t i = 0; i < cg->n; i++) {
		if (strcmp(cg->dirs[i].path, path) == 0) {
			free(path);
			return 0;
		}
	}
	cg->dirs = pal_xrealloc(cg->dirs, (cg->n + 1) * sizeof(*cg->dirs));
	cg->dirs[cg->n++] = (struct enf_cg_dir){
	    .path = path,
	    .mount = pal_xstrdup(m->path),
	    .rel = pal_xstrdup(rel),
	    .controllers = pal_xstrdup(m->controllers),
	    .v2 = m->v2,
	};
	return 0;
}

/* The mount a full directory path lies below (the longest mount point). */
static const struct enf_cg_mount *mount_of_path(const struct enf_cg_mounts *ms, const char *path)
{
	const struct enf_cg_mount *best = NULL;
	for (size_t i = 0; i < ms->n; i++) {
		if (path_below(path, ms->m[i].path) &&
		    (!best || strlen(ms->m[i].path) > strlen(best->path)))
			best = &ms->m[i];
	}
	return best;
}

int enf_cgroup_from_record(const char *state_dir, const char *id, const struct enf_cg_mounts *ms,
			   struct enf_cgroup *cg, struct pal_err *err)
{
	memset(cg, 0, sizeof(*cg));
	if (!proc_container_id_valid(id))
		return pal_err_set(err, EINVAL, "container id \"%s\" is not valid", id);
	if (!state_dir) {
		const char *env = getenv("PALISADE_STATE_DIR");
		state_dir = env && *env ? env : "/run/palisade/containers";
	}
	_cleanup_close_ int dfd = open(state_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? -ENOENT : pal_err_sys(err, errno, "open %s", state_dir);
	_cleanup_free_ char *name = pal_xasprintf("%s.json", id);
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT
				       : pal_err_sys(err, errno, "open %s/%s", state_dir, name);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = pal_read_fd(fd, RECORD_MAX, &text, &len);
	if (r < 0)
		return pal_err_sys(err, -r, "read %s/%s", state_dir, name);
	_cleanup_free_ char *where = pal_xasprintf("%s/%s", state_dir, name);
	_cleanup_json_ json_t *j = pal_json_load_buffer(where, text, len, err);
	if (!j)
		return -EINVAL;
	const char *rid = NULL;
	uint64_t cgroup_id = 0;
	json_t *paths = NULL;
	if (!json_is_object(j))
		return pal_err_set(err, EINVAL, "%s: not a container record", where);
	if ((r = pal_json_opt_string(j, "", "id", &rid, err)) < 0 ||
	    (r = pal_json_opt_uint64(j, "", "cgroup_id", &cgroup_id, err)) < 0 ||
	    (r = pal_json_opt_object(j, "", "cgroup_paths", &paths, err)) < 0)
		return pal_err_prefix(err, "%s", where);
	if (!rid || strcmp(rid, id) != 0)
		return pal_err_set(err, EINVAL, "%s: the record is not about container %s", where,
				   id);
	if (!paths || json_object_size(paths) == 0)
		return pal_err_set(err, ENOENT, "%s: the record lists no cgroup paths", where);
	const char *key;
	json_t *v;
	json_object_foreach(paths, key, v)
	{
		const char *p = json_string_value(v);
		if (!p || !pal_path_is_clean_absolute(p)) {
			enf_cgroup_clear(cg);
			return pal_err_set(err, EINVAL,
					   "%s: cgroup_paths.%s must be a clean absolute path",
					   where, key);
		}
		const struct enf_cg_mount *m = mount_of_path(ms, p);
		if (!m)
			continue; /* not below any cgroup mount: never touched */
		if (m->v2 != (strcmp(key, "unified") == 0))
			continue;
		const char *sub = p + strlen(m->path);
		_cleanup_free_ char *rel = strcmp(m->root, "/") == 0
					       ? pal_xstrdup(*sub ? sub : "/")
					       : pal_xasprintf("%s%s", m->root, sub);
		add_dir(cg, m, rel);
	}
	if (cg->n == 0)
		return pal_err_set(
		    err, ENOENT,
		    "%s: none of the record's cgroup paths is below a cgroup mount of "
		    "this host",
		    where);
	const struct enf_cg_dir *v2 = enf_cgroup_v2(cg);
	if (v2 && cgroup_id) {
		struct stat st;
		if (stat(v2->path, &st) < 0) {
			r = pal_err_sys(err, errno, "%s", v2->path);
			enf_cgroup_clear(cg);
			return r;
		}
		if ((uint64_t)st.st_ino != cgroup_id) {
			r = pal_err_set(
			    err, ESTALE,
			    "%s is cgroup %llu, but the record of container %s says %llu: "
			    "stale record, not acting on it",
			    v2->path, (unsigned long long)st.st_ino, id,
			    (unsigned long long)cgroup_id);
			enf_cgroup_clear(cg);
			return r;
		}
	}
	return 0;
}

/* Iterates the lines "hier:controllers:path" of a /proc/<pid>/cgroup text. */
struct cg_line {
	char controllers[256];
	char path[4096];
	bool v2;
};

static bool next_cg_line(const char **p, const char *end, struct cg_line *out)
{
	while (*p < end) {
		const char *nl = memchr(*p, '\n', (size_t)(end - *p));
		const char *le = nl ? nl : end;
		const char *line = *p;
		*p = nl ? nl + 1 : end;
		const char *c1 = memchr(line, ':', (size_t)(le - line));
		if (!c1)
			continue;
		const char *c2 = memchr(c1 + 1, ':', (size_t)(le - c1 - 1));
		if (!c2)
			continue;
		size_t cn = (size_t)(c2 - c1 - 1), pn = (size_t)(le - c2 - 1);
		if (cn >= sizeof(out->controllers) || pn >= sizeof(out->path) || pn == 0)
			continue;
		memcpy(out->controllers, c1 + 1, cn);
		out->controllers[cn] = '\0';
		memcpy(out->path, c2 + 1, pn);
		out->path[pn] = '\0';
		out->v2 = (c1 - line == 1 && line[0] == '0' && cn == 0);
		return true;
	}
	return false;
}

/* The mount of a v1 line's controllers ("cpu,cpuacct", "name=systemd"), or the v2 mount. */
static const struct enf_cg_mount *mount_of_line(const struct enf_cg_mounts *ms,
						const struct cg_line *l)
{
	const struct enf_cg_mount *fallback = NULL;
	for (size_t i = 0; i < ms->n; i++) {
		const struct enf_cg_mount *m = &ms->m[i];
		if (m->v2 != l->v2)
			continue;
		if (!l->v2) {
			const char *c = strchr(l->controllers, ',');
			size_t n = c ? (size_t)(c - l->controllers) : strlen(l->controllers);
			if (!list_has(m->controllers, l->controllers, n))
				continue;
		}
		/* A bind mount of a sub-tree is second choice to the whole hierarchy. */
		if (strcmp(m->root, "/") == 0)
			return m;
		if (!fallback)
			fallback = m;
	}
	return fallback;
}

/* The shortest leading part of path that names container id, in place. */
static bool cut_to_container(char *path, const char *id)
{
	size_t n = strlen(path);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char saved = path[i];
		path[i] = '\0';
		struct proc_cgroup_match m;
		if (proc_cgroup_path_match(path, NULL, &m) && strcmp(m.id, id) == 0)
			return true;
		path[i] = saved;
	}
	return false;
}

int enf_cgroup_from_proc_text(const char *text, size_t len, const char *id,
			      const struct enf_cg_mounts *ms, struct enf_cgroup *cg,
			      struct pal_err *err)
{
	memset(cg, 0, sizeof(*cg));
	if (!proc_container_id_valid(id))
		return pal_err_set(err, EINVAL, "container id \"%s\" is not valid", id);
	const char *p = text, *end = text + len;
	struct cg_line l;
	while (next_cg_line(&p, end, &l)) {
		if (!pal_path_is_clean_absolute(l.path) || !cut_to_container(l.path, id))
			continue;
		const struct enf_cg_mount *m = mount_of_line(ms, &l);
		if (m)
			add_dir(cg, m, l.path);
	}
	if (cg->n == 0)
		return pal_err_set(err, ENOENT,
				   "no cgroup of the process names container %s (or none is "
				   "mounted on this host)",
				   id);
	return 0;
}

int enf_cgroup_check_excludes(const struct enf_cgroup *cg, const char *const *cgroup_texts,
			      const char *const *names, struct pal_err *err)
{
	for (size_t i = 0; i < cg->n; i++) {
		const struct enf_cg_dir *d = &cg->dirs[i];
		if (strcmp(d->rel, "/") == 0)
			return pal_err_set(err, EPERM, "%s is the root of a cgroup hierarchy",
					   d->path);
		for (size_t k = 0; cgroup_texts && cgroup_texts[k]; k++) {
			const char *t = cgroup_texts[k];
			const char *p = t, *end = t + strlen(t);
			struct cg_line l;
			while (next_cg_line(&p, end, &l)) {
				if (l.v2 != d->v2)
					continue;
				if (!d->v2) {
					const char *c = strchr(l.controllers, ',');
					size_t n =
					    c ? (size_t)(c - l.controllers) : strlen(l.controllers);
					if (!list_has(d->controllers, l.controllers, n))
						continue;
				}
				if (path_below(l.path, d->rel))
					return pal_err_set(
					    err, EPERM, "%s holds %s", d->path,
					    names && names[k] ? names[k] : "a protected process");
			}
		}
	}
	return 0;
}
