/* Where the container's cgroup goes in each hierarchy (linux.cgroupsPath).
 *
 * As runc does: an absolute path is taken from each hierarchy's root; a
 * relative path is placed below the runtime's own cgroup in that hierarchy on
 * v1 (and the v2 directory of a hybrid host), and below the parent of the
 * runtime's own cgroup on a pure v2 host (the runtime's own cgroup has
 * processes, so no controllers could be enabled for children there); no path
 * at all means <default_parent>/<id> from the root. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

bool cg_valid_container_id(const char *id)
{
	if (!id || !*id || strlen(id) > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return false;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		if (*p == '/' || *p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

int cg_clean_path(const char *what, const char *in, char **clean, bool *absolute,
		  struct pal_err *err)
{
	*clean = NULL;
	if (strlen(in) >= PATH_MAX)
		return pal_err_set(err, ENAMETOOLONG, "%s is longer than %d bytes", what, PATH_MAX);
	for (const unsigned char *p = (const unsigned char *)in; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return pal_err_set(err, EINVAL, "%s '%s' contains a control character",
					   what, in);
	struct pal_buf b;
	pal_buf_init(&b);
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			pal_buf_free(&b);
			return pal_err_set(err, EINVAL,
					   "%s '%s': '..' components are not allowed (the cgroup "
					   "must stay inside the cgroup filesystem)",
					   what, in);
		}
		if (!(n == 1 && p[0] == '.')) {
			if (b.len)
				pal_buf_putc(&b, '/');
			pal_buf_append(&b, p, n);
		}
		p += n;
	}
	*absolute = in[0] == '/';
	*clean = pal_buf_steal(&b);
	if (!*clean)
		*clean = pal_xstrdup("");
	return 0;
}

bool cg_valid_rel(const char *rel)
{
	return rel && rel[0] == '/' && rel[1] != '\0' && pal_path_is_clean_absolute(rel) &&
	       !pal_str_ends_with(rel, "/") && strlen(rel) < PATH_MAX;
}

/* The runtime's own cgroup in hierarchy h, from /proc/self/cgroup text:
 * "N:ctrl,ctrl:/path" for v1, "0::/path" for v2. */
static int own_cgroup(const char *text, const struct cg_hier *h, char **out, struct pal_err *err)
{
	_cleanup_free_ char *copy = pal_xstrdup(text);
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *ctrls = c1 + 1, *path = c2 + 1;
		bool match = false;
		if (h->v2) {
			match = ctrls[0] == '\0' && strncmp(line, "0:", 2) == 0;
		} else {
			for (char **c = h->controllers; c && *c && !match; c++) {
				_cleanup_free_ char *list = pal_xstrdup(ctrls);
				char *s2 = NULL;
				for (char *t = strtok_r(list, ",", &s2); t;
				     t = strtok_r(NULL, ",", &s2))
					if (strcmp(t, *c) == 0)
						match = true;
			}
		}
		if (!match)
			continue;
		if (!pal_path_is_clean_absolute(path))
			return pal_err_set(err, EINVAL,
					   "/proc/self/cgroup lists '%s' for hierarchy %s: not a "
					   "clean absolute path",
					   path, h->v2 ? "cgroup2" : h->controllers[0]);
		/* The path is relative to the hierarchy root; the mount may show a subtree. */
		const char *mr = h->mount_root;
		if (strcmp(mr, "/") != 0 && pal_str_starts_with(path, mr) &&
		    (path[strlen(mr)] == '/' || path[strlen(mr)] == '\0'))
			path += strlen(mr);
		*out = pal_xstrdup(*path ? path : "/");
		return 0;
	}
	return pal_err_set(err, ENOENT,
			   "the runtime's own cgroup in hierarchy %s is not listed in "
			   "/proc/self/cgroup; use an absolute linux.cgroupsPath",
			   h->v2 ? "cgroup2" : h->controllers[0]);
}

int cg_resolve_rel(const char *clean, bool absolute, const struct cg_hier *h,
		   enum rt_cgroup_layout layout, const char *self_cgroup, char **rel,
		   struct pal_err *err)
{
	*rel = NULL;
	_cleanup_free_ char *base = NULL;
	if (absolute) {
		base = pal_xstrdup("/");
	} else {
		if (!self_cgroup)
			return pal_err_set(err, EINVAL, "relative cgroupsPath without own cgroup");
		int r = own_cgroup(self_cgroup, h, &base, err);
		if (r < 0)
			return r;
		if (layout == RT_CGROUP_V2) {
			char *slash = strrchr(base, '/');
			if (slash == base)
				base[1] = '\0';
			else
				*slash = '\0';
		}
	}
	char *joined = pal_path_join(base, clean);
	size_t n = strlen(joined);
	while (n > 1 && joined[n - 1] == '/')
		joined[--n] = '\0';
	if (!cg_valid_rel(joined)) {
		int e = pal_err_set(err, EINVAL,
				    "cgroupsPath resolves to '%s' in %s: it must name a directory "
				    "below the hierarchy root",
				    joined, h->mount);
		free(joined);
		return e;
	}
	*rel = joined;
	return 0;
}

int cg_systemd_unsupported(const struct rt_cgroup_opts *opts, struct pal_err *err)
{
	const char *run_dir = opts->systemd_run_dir ? opts->systemd_run_dir : "/run/systemd/system";
	if (!pal_path_exists(run_dir))
		return pal_err_set(err, ENOTSUP,
				   "the systemd cgroup driver needs systemd running as init (%s "
				   "does not exist); configure the cgroupfs manager (podman: "
				   "--cgroup-manager=cgroupfs)",
				   run_dir);
	const char *p = opts->path ? opts->path : "";
	const char *c1 = strchr(p, ':');
	if (!c1 || !strchr(c1 + 1, ':'))
		return pal_err_set(err, EINVAL,
				   "--systemd-cgroup expects linux.cgroupsPath as "
				   "\"slice:prefix:name\", got '%s'",
				   p);
	return pal_err_set(err, ENOTSUP,
			   "the systemd cgroup driver (D-Bus transient units) is not supported "
			   "by palisade-runtime; configure the cgroupfs manager (podman: "
			   "--cgroup-manager=cgroupfs; containerd: SystemdCgroup = false)");
}
