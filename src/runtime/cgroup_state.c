/* The cgroup part of the runtime's state file. Read back by later
 * invocations (kill, delete, pause, ...), so everything is checked again:
 * each path must be absolute, clean and below its hierarchy's mount under
 * fs_root; "created" may only name the directory or its ancestors there. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <string.h>

#define STATE_VERSION 1

json_t *rt_cgroup_to_json(const struct rt_cgroup *cg)
{
	json_t *dirs = json_array();
	for (size_t i = 0; i < cg->n_dirs; i++) {
		const struct cg_dir *d = &cg->dirs[i];
		json_t *ctrls = json_array();
		for (char **c = d->h.controllers; c && *c; c++)
			json_array_append_new(ctrls, json_string(*c));
		json_t *created = json_array();
		for (char **c = d->created; c && *c; c++)
			json_array_append_new(created, json_string(*c));
		json_array_append_new(dirs, json_pack("{s:s, s:b, s:o, s:s, s:s, s:o}", "name",
						      d->h.name, "v2", d->h.v2, "controllers",
						      ctrls, "mount_root", d->h.mount_root, "path",
						      d->path, "created", created));
	}
	return json_pack("{s:i, s:s, s:s, s:s, s:I, s:o}", "version", STATE_VERSION, "layout",
			 rt_cgroup_layout_name(cg->layout), "fs_root", cg->fs_root, "id", cg->id,
			 "cgroup_id", (json_int_t)cg->cgroup_id, "dirs", dirs);
}

static bool is_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

/* created[] entries are rel paths: the leaf itself or one of its ancestors. */
static bool is_self_or_ancestor(const char *a, const char *rel)
{
	size_t n = strlen(a);
	return cg_valid_rel(a) && strncmp(rel, a, n) == 0 && (rel[n] == '\0' || rel[n] == '/');
}

static int parse_dir(json_t *j, const char *jp, const struct rt_cgroup *cg, struct cg_dir *d,
		     struct pal_err *err)
{
	if (!json_is_object(j))
		return pal_err_set(err, EINVAL, "%s must be an object", jp);
	const char *name = NULL, *path = NULL, *mount_root = "/";
	bool v2 = false;
	json_t *created = NULL;
	int r;
	if ((r = pal_json_opt_string(j, jp, "name", &name, err)) < 0 ||
	    (r = pal_json_opt_bool(j, jp, "v2", &v2, err)) < 0 ||
	    (r = pal_json_opt_string(j, jp, "mount_root", &mount_root, err)) < 0 ||
	    (r = pal_json_opt_string(j, jp, "path", &path, err)) < 0 ||
	    (r = pal_json_opt_strv(j, jp, "controllers", &d->h.controllers, err)) < 0 ||
	    (r = pal_json_opt_array(j, jp, "created", &created, err)) < 0)
		return r;
	if (!name || !path)
		return pal_err_set(err, EINVAL, "%s needs \"name\" and \"path\"", jp);
	bool at_root = name[0] == '\0';
	if (at_root ? !(v2 && cg->layout == RT_CGROUP_V2)
		    : (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
		       strlen(name) > 255))
		return pal_err_set(err, EINVAL, "%s.name: '%s' is not a hierarchy under %s", jp,
				   name, cg->fs_root);
	if (!pal_path_is_clean_absolute(mount_root))
		return pal_err_set(err, EINVAL, "%s.mount_root: '%s' is not a clean absolute path",
				   jp, mount_root);
	d->h.name = pal_xstrdup(name);
	d->h.v2 = v2;
	d->h.mount = at_root ? pal_xstrdup(cg->fs_root) : pal_path_join(cg->fs_root, name);
	d->h.mount_root = pal_xstrdup(mount_root);
	if (v2 && d->h.controllers && d->h.controllers[0])
		return pal_err_set(err, EINVAL, "%s.controllers: a v2 directory lists none", jp);
	if (!v2 && (!d->h.controllers || !d->h.controllers[0]))
		return pal_err_set(err, EINVAL, "%s.controllers: a v1 hierarchy needs some", jp);
	for (char **c = d->h.controllers; c && *c; c++)
		if (!cg_valid_controller_name(*c))
			return pal_err_set(err, EINVAL, "%s.controllers: '%s' is not a controller",
					   jp, *c);
	if (!pal_path_is_clean_absolute(path) || !is_below(path, d->h.mount))
		return pal_err_set(err, EINVAL,
				   "%s.path: '%s' must be a clean absolute path below %s", jp, path,
				   d->h.mount);
	d->path = pal_xstrdup(path);
	d->rel = pal_xstrdup(path + strlen(d->h.mount));
	if (!cg_valid_rel(d->rel))
		return pal_err_set(err, EINVAL, "%s.path: '%s' is not usable", jp, path);
	size_t i;
	json_t *c;
	json_array_foreach(created, i, c)
	{
		const char *s = json_string_value(c);
		if (!s || !is_self_or_ancestor(s, d->rel))
			return pal_err_set(err, EINVAL,
					   "%s.created[%zu]: must be '%s' or one of its parents",
					   jp, i, d->rel);
		pal_strv_push(&d->created, s);
	}
	return 0;
}

static int layout_from_name(const char *s, enum rt_cgroup_layout *out)
{
	static const enum rt_cgroup_layout all[] = {RT_CGROUP_V1, RT_CGROUP_V2, RT_CGROUP_HYBRID};
	for (size_t i = 0; i < 3; i++)
		if (strcmp(s, rt_cgroup_layout_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	return -EINVAL;
}

static int check_shape(const struct rt_cgroup *cg, struct pal_err *err)
{
	size_t n_v2 = 0;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		n_v2 += cg->dirs[i].h.v2;
		for (size_t k = 0; k < i; k++)
			if (strcmp(cg->dirs[i].h.name, cg->dirs[k].h.name) == 0)
				return pal_err_set(err, EINVAL, "cgroup.dirs: '%s' appears twice",
						   cg->dirs[i].h.name);
	}
	bool ok = cg->layout == RT_CGROUP_V2   ? cg->n_dirs == 1 && n_v2 == 1
		  : cg->layout == RT_CGROUP_V1 ? n_v2 == 0 && cg->n_dirs > 0
					       : n_v2 == 1;
	if (!ok)
		return pal_err_set(err, EINVAL,
				   "cgroup.dirs: %zu directories (%zu v2) do not fit layout %s",
				   cg->n_dirs, n_v2, rt_cgroup_layout_name(cg->layout));
	return 0;
}

static int parse(json_t *j, struct rt_cgroup *cg, struct pal_err *err)
{
	if (!json_is_object(j))
		return pal_err_set(err, EINVAL, "cgroup state must be a JSON object");
	int64_t version = 0;
	uint64_t id = 0;
	const char *layout = NULL, *fs_root = NULL, *cid = NULL;
	json_t *dirs = NULL;
	int r;
	if ((r = pal_json_opt_int64(j, "cgroup", "version", &version, err)) < 0 ||
	    (r = pal_json_opt_string(j, "cgroup", "layout", &layout, err)) < 0 ||
	    (r = pal_json_opt_string(j, "cgroup", "fs_root", &fs_root, err)) < 0 ||
	    (r = pal_json_opt_string(j, "cgroup", "id", &cid, err)) < 0 ||
	    (r = pal_json_opt_uint64(j, "cgroup", "cgroup_id", &id, err)) < 0 ||
	    (r = pal_json_opt_array(j, "cgroup", "dirs", &dirs, err)) < 0)
		return r;
	if (version != STATE_VERSION)
		return pal_err_set(err, EINVAL, "cgroup.version: %lld is not %d",
				   (long long)version, STATE_VERSION);
	if (!layout || layout_from_name(layout, &cg->layout) < 0)
		return pal_err_set(err, EINVAL, "cgroup.layout: '%s' is not v1, v2 or hybrid",
				   layout ? layout : "");
	if (!fs_root || !pal_path_is_clean_absolute(fs_root) || strcmp(fs_root, "/") == 0)
		return pal_err_set(err, EINVAL, "cgroup.fs_root: '%s' is not a clean absolute path",
				   fs_root ? fs_root : "");
	if (!cid || (*cid && !cg_valid_container_id(cid)))
		return pal_err_set(err, EINVAL, "cgroup.id: missing or invalid");
	if (!dirs || json_array_size(dirs) == 0 || json_array_size(dirs) > CG_MAX_HIERARCHIES)
		return pal_err_set(err, EINVAL, "cgroup.dirs: 1 to %d entries expected",
				   CG_MAX_HIERARCHIES);
	cg->fs_root = pal_xstrdup(fs_root);
	cg->id = pal_xstrdup(cid);
	cg->cgroup_id = id;
	cg->dirs = pal_xcalloc(json_array_size(dirs), sizeof(*cg->dirs));
	size_t i;
	json_t *d;
	json_array_foreach(dirs, i, d)
	{
		char jp[48];
		snprintf(jp, sizeof(jp), "cgroup.dirs[%zu]", i);
		cg->n_dirs++;
		if ((r = parse_dir(d, jp, cg, &cg->dirs[i], err)) < 0)
			return r;
		if (cg->dirs[i].h.v2)
			cg->v2 = (int)i;
	}
	return check_shape(cg, err);
}

int rt_cgroup_from_json(json_t *j, struct rt_cgroup **out, struct pal_err *err)
{
	*out = NULL;
	struct rt_cgroup *cg = pal_xcalloc(1, sizeof(*cg));
	cg->v2 = -1;
	int r = parse(j, cg, err);
	if (r < 0) {
		rt_cgroup_free(cg);
		return r;
	}
	*out = cg;
	return 0;
}
