/* Host paths bound into a container. The decision is made on the source as
 * the kernel will see it (symlinks resolved, as the runtime's open of the
 * source follows them); the most specific matching entry wins, so an
 * engine's per-container directory under a denied tree stays usable. */
#include "internal.h"
#include "common/cleanup.h"
#include "common/strutil.h"

#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static bool id_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 256 || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

static const char *first_annotation(const struct rt_config *cfg, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *v = rt_config_annotation(cfg, keys[i]);
		if (v)
			return v;
	}
	return NULL;
}

void adm_placeholders_init(struct adm_placeholders *ph, const struct rt_config *cfg,
			   const char *container_id)
{
	static const char *const sandbox_keys[] = {"io.kubernetes.cri.sandbox-id",
						   "io.kubernetes.cri-o.SandboxID"};
	static const char *const uid_keys[] = {"io.kubernetes.cri.sandbox-uid",
					       "io.kubernetes.pod.uid"};
	memset(ph, 0, sizeof(*ph));
	ph->container_id = container_id;
	const char *v = first_annotation(cfg, sandbox_keys, PAL_ARRAY_SIZE(sandbox_keys));
	ph->sandbox_id = id_ok(v) ? v : NULL;
	v = first_annotation(cfg, uid_keys, PAL_ARRAY_SIZE(uid_keys));
	if (!v) {
		/* CRI-O passes the pod's labels, the pod uid among them, as JSON. */
		const char *labels = rt_config_annotation(cfg, "io.kubernetes.cri-o.Labels");
		json_t *j = labels ? json_loads(labels, 0, NULL) : NULL;
		json_t *uid = json_object_get(j, "io.kubernetes.pod.uid");
		if (json_is_string(uid) && id_ok(json_string_value(uid)))
			ph->pod_uid = pal_xstrdup(json_string_value(uid));
		json_decref(j);
	} else if (id_ok(v)) {
		ph->pod_uid = pal_xstrdup(v);
	}
}

void adm_placeholders_free(struct adm_placeholders *ph)
{
	free(ph->pod_uid);
	memset(ph, 0, sizeof(*ph));
}

/* Number of components of entry matched as a prefix of path, or -1.
 * "/" only matches itself (component count 0). */
static int match_entry(const char *entry, const char *path, const struct adm_placeholders *ph)
{
	if (!strcmp(entry, "/"))
		return !strcmp(path, "/") ? 0 : -1;
	const char *e = entry, *p = path;
	int comps = 0;
	for (;;) {
		while (*e == '/')
			e++;
		while (*p == '/')
			p++;
		if (!*e)
			return comps;
		if (!*p)
			return -1;
		const char *ee = strchrnul(e, '/'), *pe = strchrnul(p, '/');
		size_t el = (size_t)(ee - e), pl = (size_t)(pe - p);
		if (e[0] == '{' && ph) {
			const char *want = NULL;
			bool any = false;
			if (el == 14 && !strncmp(e, "{container-id}", el)) {
				want = ph->container_id;
				any = !want;
			} else if (el == 12 && !strncmp(e, "{sandbox-id}", el)) {
				want = ph->sandbox_id;
			} else if (el == 9 && !strncmp(e, "{pod-uid}", el)) {
				want = ph->pod_uid;
			}
			if (!any && (!want || strlen(want) != pl || strncmp(want, p, pl)))
				return -1;
		} else if (el != pl || strncmp(e, p, el)) {
			return -1;
		}
		comps++;
		e = ee;
		p = pe;
	}
}

/* The longest match in a list, trying each entry as written and resolved
 * (a denied /var/run/docker.sock also covers /run/docker.sock). */
static int best_match(const struct adm_paths *ps, const char *path,
		      const struct adm_placeholders *ph, const struct adm_path **which)
{
	int best = -1;
	for (size_t i = 0; i < ps->n; i++) {
		int m = match_entry(ps->v[i].path, path, ph);
		if (m < 0 && !strchr(ps->v[i].path, '{')) {
			char real[PATH_MAX];
			if (realpath(ps->v[i].path, real) && strcmp(real, ps->v[i].path))
				m = match_entry(real, path, ph);
		}
		if (m > best) {
			best = m;
			if (which)
				*which = &ps->v[i];
		}
	}
	return best;
}

const struct adm_path *adm_path_denied(const struct adm_policy *p,
				       const struct adm_placeholders *ph, const char *resolved,
				       bool readonly, bool *readonly_would_do)
{
	const struct adm_path *deny = NULL;
	int d = best_match(&p->deny_paths, resolved, ph, &deny);
	if (readonly_would_do)
		*readonly_would_do = false;
	if (d < 0)
		return NULL;
	if (best_match(&p->allow_paths, resolved, ph, NULL) > d)
		return NULL;
	if (best_match(&p->readonly_paths, resolved, NULL, NULL) > d) {
		if (readonly)
			return NULL;
		if (readonly_would_do)
			*readonly_would_do = true;
	}
	return deny;
}

bool adm_host_path_allowed(const struct adm_policy *p, const struct rt_config *cfg,
			   const char *container_id, const char *resolved, bool readonly,
			   const char **reason)
{
	if (p->mode == ADM_MODE_OFF)
		return true;
	struct adm_placeholders ph;
	adm_placeholders_init(&ph, cfg, container_id);
	const struct adm_path *deny = adm_path_denied(p, &ph, resolved, readonly, NULL);
	adm_placeholders_free(&ph);
	if (deny && reason)
		*reason = deny->reason;
	return !deny;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Is anything mounted below path (in this mount namespace)? */
static bool has_submounts(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return true; /* cannot tell: assume the worst */
	size_t n = strlen(path);
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	while (!found && getline(&line, &cap, f) > 0) {
		/* id parent major:minor root mountpoint ... */
		char *save = NULL, *field = strtok_r(line, " ", &save);
		for (int i = 0; field && i < 4; i++)
			field = strtok_r(NULL, " ", &save);
		if (!field)
			continue;
		unescape_octal(field);
		found = (n == 1 && field[1]) ||
			(!strncmp(field, path, n) && field[n] == '/' && field[n + 1]);
	}
	free(line);
	return found;
}

/* Read-only as far as the container can tell: the bind itself and, for a
 * recursive bind, every submount (rro, or nothing mounted below). podman's
 * `-v SRC:DST:ro` is a recursive bind with ro. */
static bool bind_readonly(const struct rt_mount *m, const char *resolved)
{
	if (!(m->flags & MS_RDONLY) && !(m->attr_set & MOUNT_ATTR_RDONLY))
		return false;
	if (!m->recursive_bind || (m->attr_set & MOUNT_ATTR_RDONLY))
		return true;
	return !has_submounts(resolved);
}

static void check_bind(const struct adm_policy *p, const struct adm_placeholders *ph,
		       const struct rt_mount *m, size_t i, struct adm_result *res)
{
	char real[PATH_MAX];
	const char *resolved = realpath(m->source, real) ? real : m->source;
	bool ro_would_do = false;
	const struct adm_path *deny =
	    adm_path_denied(p, ph, resolved, bind_readonly(m, resolved), &ro_would_do);
	if (!deny)
		return;
	char field[64];
	snprintf(field, sizeof(field), "mounts[%zu].source", i);
	_cleanup_free_ char *resolves = strcmp(resolved, m->source)
					    ? pal_xasprintf(" (resolves to %s)", resolved)
					    : pal_xstrdup("");
	_cleanup_free_ char *entry =
	    strcmp(deny->path, resolved)
		? pal_xasprintf(" (admission.host_paths.deny: %s)", deny->path)
		: pal_xstrdup("");
	adm_result_add(
	    res, "host_paths", resolved, field, "%s %s%s: %s%s%s", field, m->source, resolves,
	    deny->reason, entry,
	    ro_would_do ? "; a read-only bind (ro, and rro when submounts exist) would be allowed"
			: "");
}

static bool pseudo_fs(const char *type)
{
	static const char *const types[] = {"proc",   "sysfs",	 "tmpfs",   "devpts", "mqueue",
					    "cgroup", "cgroup2", "shm",	    "ramfs",  "overlay",
					    "bind",   "none",	 "devtmpfs"};
	for (size_t i = 0; type && i < PAL_ARRAY_SIZE(types); i++)
		if (!strcmp(type, types[i]))
			return true;
	return false;
}

void adm_check_host_paths(const struct adm_policy *p, const struct rt_config *cfg,
			  const struct adm_placeholders *ph, struct adm_result *res)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct rt_mount *m = &cfg->mounts[i];
		if (!m->source || m->source[0] != '/')
			continue;
		if (m->is_bind) {
			check_bind(p, ph, m, i, res);
			continue;
		}
		/* A filesystem mounted from a host block device is the host's disk. */
		struct stat st;
		if (pseudo_fs(m->type) || stat(m->source, &st) < 0 || !S_ISBLK(st.st_mode))
			continue;
		char field[64];
		snprintf(field, sizeof(field), "mounts[%zu].source", i);
		adm_result_add(res, "host_paths", m->source, field,
			       "%s %s: mounts a host block device (%u:%u) as %s", field, m->source,
			       major(st.st_rdev), minor(st.st_rdev), m->type ? m->type : "?");
	}
}
