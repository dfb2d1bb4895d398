/* Which cgroup hierarchies are mounted under fs_root.
 *
 * A directory is taken for what its files say (cgroup.controllers: cgroup2;
 * cgroup.procs and tasks: v1), so the same code reads the host and a fake tree
 * in a test. The controllers of a v1 hierarchy come from /proc/self/mountinfo
 * when the directory is a mount point there (co-mounted "cpu,cpuacct" and
 * named hierarchies are told apart by the mount options), and from the
 * directory name otherwise. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const known_v1[] = {"cpu",	  "cpuacct", "cpuset",	 "memory", "devices",
				       "freezer", "net_cls", "net_prio", "blkio",  "perf_event",
				       "hugetlb", "pids",    "rdma",	 "misc",   "debug"};

bool cg_is_known_v1_controller(const char *name)
{
	for (size_t i = 0; i < PAL_ARRAY_SIZE(known_v1); i++)
		if (strcmp(known_v1[i], name) == 0)
			return true;
	return false;
}

/* "cpu", "net_cls", "name=systemd": lower-case words; named hierarchies allow
 * the characters systemd and others use. */
bool cg_valid_controller_name(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	const char *p = s;
	bool named = pal_str_starts_with(s, "name=");
	if (named) {
		p += 5;
		if (!*p)
			return false;
	}
	for (; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
			  (named && ((*p >= 'A' && *p <= 'Z') || *p == '-' || *p == '.'));
		if (!ok)
			return false;
	}
	return true;
}

void cg_hier_free(struct cg_hier *h)
{
	free(h->name);
	free(h->mount);
	free(h->mount_root);
	pal_strv_free(h->controllers);
	memset(h, 0, sizeof(*h));
}

void cg_scan_free(struct cg_scan *s)
{
	for (size_t i = 0; i < s->n; i++)
		cg_hier_free(&s->h[i]);
	free(s->h);
	memset(s, 0, sizeof(*s));
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

struct mount_entry {
	char *root, *point, *fstype, *super;
};

static void mount_entries_free(struct mount_entry *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].root);
		free(m[i].point);
		free(m[i].fstype);
		free(m[i].super);
	}
	free(m);
}

/* Only cgroup and cgroup2 mounts; a missing or odd mountinfo just yields none. */
static void read_cgroup_mounts(struct mount_entry **out, size_t *n_out)
{
	*out = NULL;
	*n_out = 0;
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		/* id parent maj:min root point opts [optional...] - fstype source super */
		char *sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		char *tail = sep + 3;
		char *fields[5] = {0};
		char *save = NULL;
		char *tok = strtok_r(line, " ", &save);
		for (int i = 0; i < 5 && tok; i++, tok = strtok_r(NULL, " ", &save))
			fields[i] = tok;
		char *fstype = strtok_r(tail, " ", &save);
		char *source = strtok_r(NULL, " ", &save);
		char *super = strtok_r(NULL, " \n", &save);
		if (!fields[4] || !fstype || !source || !super)
			continue;
		if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
			continue;
		*out = pal_xrealloc(*out, (*n_out + 1) * sizeof(**out));
		struct mount_entry *m = &(*out)[(*n_out)++];
		m->root = pal_xstrdup(fields[3]);
		m->point = pal_xstrdup(fields[4]);
		unescape_octal(m->root);
		unescape_octal(m->point);
		m->fstype = pal_xstrdup(fstype);
		m->super = pal_xstrdup(super);
	}
	free(line);
}

static const struct mount_entry *find_mount(const struct mount_entry *m, size_t n,
					    const char *point)
{
	const struct mount_entry *found = NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(m[i].point, point) == 0)
			found = &m[i]; /* the last one is on top */
	return found;
}

static char **controllers_from_super(const char *super)
{
	char **v = NULL;
	_cleanup_free_ char *copy = pal_xstrdup(super);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (cg_is_known_v1_controller(t) ||
		    (pal_str_starts_with(t, "name=") && cg_valid_controller_name(t)))
			pal_strv_push(&v, t);
	}
	return v;
}

static char **controllers_from_name(const char *name)
{
	if (strcmp(name, "systemd") == 0) {
		char **v = NULL;
		pal_strv_push(&v, "name=systemd");
		return v;
	}
	char **v = NULL;
	_cleanup_free_ char *copy = pal_xstrdup(name);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (cg_is_known_v1_controller(t))
			pal_strv_push(&v, t);
	return v;
}

static bool file_in(const char *dir, const char *file)
{
	_cleanup_free_ char *p = pal_path_join(dir, file);
	struct stat st;
	return lstat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int cmp_hier(const void *a, const void *b)
{
	return strcmp(((const struct cg_hier *)a)->name, ((const struct cg_hier *)b)->name);
}

static void push_hier(struct cg_scan *s, const char *name, const char *mount,
		      const struct mount_entry *me, char **controllers, bool v2)
{
	s->h = pal_xrealloc(s->h, (s->n + 1) * sizeof(*s->h));
	struct cg_hier *h = &s->h[s->n++];
	h->name = pal_xstrdup(name);
	h->mount = pal_xstrdup(mount);
	h->mount_root = pal_xstrdup(me && me->root[0] == '/' ? me->root : "/");
	h->controllers = controllers;
	h->v2 = v2;
}

/* Keeps v1 hierarchies with controllers, and of the named ones only
 * name=systemd (runc joins that one too, for systemd inside containers). */
static bool wanted_v1(char **controllers)
{
	if (!controllers || !controllers[0])
		return false;
	for (char **c = controllers; *c; c++)
		if (!pal_str_starts_with(*c, "name=") || strcmp(*c, "name=systemd") == 0)
			return true;
	return false;
}

static int scan_subdirs(const char *fs_root, struct cg_scan *out, struct pal_err *err)
{
	struct mount_entry *mounts = NULL;
	size_t n_mounts = 0;
	read_cgroup_mounts(&mounts, &n_mounts);

	_cleanup_closedir_ DIR *d = opendir(fs_root);
	if (!d) {
		int e = errno;
		mount_entries_free(mounts, n_mounts);
		return pal_err_sys(err, e, "open cgroup filesystem root %s", fs_root);
	}
	bool have_v2 = false;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_free_ char *p = pal_path_join(fs_root, de->d_name);
		struct stat st;
		if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue; /* symlinks such as cpu -> cpu,cpuacct are aliases */
		const struct mount_entry *me = find_mount(mounts, n_mounts, p);
		if (file_in(p, "cgroup.controllers")) {
			if (have_v2) /* one cgroup2 mount is enough; prefer "unified" */
				continue;
			have_v2 = true;
			push_hier(out, de->d_name, p, me, NULL, true);
			continue;
		}
		if (!file_in(p, "cgroup.procs") || !file_in(p, "tasks"))
			continue;
		char **ctrls = me && strcmp(me->fstype, "cgroup") == 0
				   ? controllers_from_super(me->super)
				   : controllers_from_name(de->d_name);
		if (!wanted_v1(ctrls)) {
			pal_strv_free(ctrls);
			continue;
		}
		if (out->n >= CG_MAX_HIERARCHIES) {
			pal_strv_free(ctrls);
			mount_entries_free(mounts, n_mounts);
			return pal_err_set(err, E2BIG, "more than %d cgroup hierarchies under %s",
					   CG_MAX_HIERARCHIES, fs_root);
		}
		push_hier(out, de->d_name, p, me, ctrls, false);
	}
	mount_entries_free(mounts, n_mounts);
	if (out->n == 0)
		return pal_err_set(err, ENOENT,
				   "no cgroup hierarchy under %s: it has no cgroup.controllers "
				   "(cgroup v2) and no v1 controller directories; mount cgroup2 "
				   "or the v1 controllers there",
				   fs_root);
	qsort(out->h, out->n, sizeof(*out->h), cmp_hier);
	size_t n_v1 = out->n - (have_v2 ? 1 : 0);
	out->layout = n_v1 == 0 ? RT_CGROUP_HYBRID : have_v2 ? RT_CGROUP_HYBRID : RT_CGROUP_V1;
	return 0;
}

int cg_scan(const char *fs_root, struct cg_scan *out, struct pal_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!pal_path_is_clean_absolute(fs_root))
		return pal_err_set(err, EINVAL,
				   "cgroup filesystem root '%s' must be a clean absolute path",
				   fs_root ? fs_root : "(null)");
	if (file_in(fs_root, "cgroup.controllers")) {
		struct mount_entry *mounts = NULL;
		size_t n_mounts = 0;
		read_cgroup_mounts(&mounts, &n_mounts);
		out->layout = RT_CGROUP_V2;
		push_hier(out, "", fs_root, find_mount(mounts, n_mounts, fs_root), NULL, true);
		mount_entries_free(mounts, n_mounts);
		return 0;
	}
	int r = scan_subdirs(fs_root, out, err);
	if (r < 0)
		cg_scan_free(out);
	return r;
}

int rt_cgroup_detect(const char *fs_root, enum rt_cgroup_layout *out, struct pal_err *err)
{
	struct cg_scan s;
	int r = cg_scan(fs_root ? fs_root : CG_DEFAULT_FS_ROOT, &s, err);
	if (r < 0)
		return r;
	*out = s.layout;
	cg_scan_free(&s);
	return 0;
}

const char *rt_cgroup_layout_name(enum rt_cgroup_layout l)
{
	switch (l) {
	case RT_CGROUP_V1:
		return "v1";
	case RT_CGROUP_V2:
		return "v2";
	case RT_CGROUP_HYBRID:
		return "hybrid";
	}
	return "unknown";
}
