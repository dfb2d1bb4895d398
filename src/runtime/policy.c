#include "runtime/policy.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "common/yamldoc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void rt_hardening_defaults(struct rt_hardening *h)
{
	memset(h, 0, sizeof(*h));
	h->seccomp_default = true;
	h->seccomp_log_denials = true;
	h->wx = true;
	h->wx_exec_paths = pal_xcalloc(1, sizeof(char *));
	h->no_new_privs = true;
	h->allow_annotations = true;
	h->source = pal_xstrdup("built-in defaults");
}

void rt_hardening_free(struct rt_hardening *h)
{
	pal_strv_free(h->wx_exec_paths);
	free(h->source);
	memset(h, 0, sizeof(*h));
}

static int parse_exec_paths(char **paths, const char *what, struct pal_err *err)
{
	for (size_t i = 0; paths[i]; i++) {
		if (!pal_path_is_clean_absolute(paths[i]) || strcmp(paths[i], "/") == 0)
			return pal_err_set(err, EINVAL,
					   "%s: '%s' must be an absolute path below / without '.' "
					   "or '..' components",
					   what, paths[i]);
		size_t n = strlen(paths[i]);
		if (n > 1 && paths[i][n - 1] == '/')
			paths[i][n - 1] = '\0';
	}
	return 0;
}

int rt_hardening_parse_yaml(struct pal_yaml *y, struct rt_hardening *h, struct pal_err *err)
{
	yaml_node_t *root = pal_yaml_root(y);
	if (!root)
		return 0;
	if (!pal_yaml_is_map(root))
		return pal_yaml_err(y, root, err,
				    "the policy must be a mapping of sections "
				    "(hardening:, trust:, admission:)");
	yaml_node_t *sec = pal_yaml_map_get(y, root, "hardening");
	if (!sec)
		return 0;
	if (!pal_yaml_is_map(sec))
		return pal_yaml_err(y, sec, err, "hardening must be a mapping");
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(y, sec, k, v)
	{
		const char *key = pal_yaml_scalar(k);
		int r = 0;
		if (!key) {
			r = pal_yaml_err(y, k, err, "hardening: keys must be strings");
		} else if (!strcmp(key, "seccomp")) {
			const char *s = pal_yaml_scalar(v);
			if (s && !strcmp(s, "default"))
				h->seccomp_default = true;
			else if (s && !strcmp(s, "off"))
				h->seccomp_default = false;
			else
				r = pal_yaml_err(y, v, err,
						 "hardening.seccomp must be 'default' or 'off'");
		} else if (!strcmp(key, "seccomp_log_denials")) {
			r = pal_yaml_get_bool(y, v, "hardening.seccomp_log_denials",
					      &h->seccomp_log_denials, err);
		} else if (!strcmp(key, "wx")) {
			r = pal_yaml_get_bool(y, v, "hardening.wx", &h->wx, err);
		} else if (!strcmp(key, "wx_exec_paths")) {
			char **paths = NULL;
			r = pal_yaml_get_strv(y, v, "hardening.wx_exec_paths", false, &paths, err);
			if (r == 0 &&
			    (r = parse_exec_paths(paths, "hardening.wx_exec_paths", err)) < 0)
				pal_err_prefix(err, "%s:%u:%u", y->name, pal_yaml_line(v),
					       pal_yaml_col(v));
			if (r == 0) {
				pal_strv_free(h->wx_exec_paths);
				h->wx_exec_paths = paths;
			} else {
				pal_strv_free(paths);
			}
		} else if (!strcmp(key, "no_new_privs")) {
			r = pal_yaml_get_bool(y, v, "hardening.no_new_privs", &h->no_new_privs,
					      err);
		} else if (!strcmp(key, "allow_annotations")) {
			r = pal_yaml_get_bool(y, v, "hardening.allow_annotations",
					      &h->allow_annotations, err);
		} else {
			r = pal_yaml_err(y, k, err,
					 "hardening: unknown key '%s' (known: seccomp, "
					 "seccomp_log_denials, wx, wx_exec_paths, no_new_privs, "
					 "allow_annotations)",
					 key);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

const char *rt_policy_path(const char *path)
{
	if (path && *path)
		return path;
	path = getenv("PALISADE_POLICY");
	if (path && *path)
		return path;
	return pal_path_exists(RT_POLICY_DEFAULT_PATH) ? RT_POLICY_DEFAULT_PATH : NULL;
}

int rt_hardening_load(const char *path, struct rt_hardening *h, struct pal_err *err)
{
	rt_hardening_defaults(h);
	path = rt_policy_path(path);
	if (!path)
		return 0;
	struct pal_yaml y;
	int r = pal_yaml_load_file(&y, path, 4u << 20, err);
	if (r < 0) {
		rt_hardening_free(h);
		return pal_err_prefix(err, "load policy");
	}
	r = rt_hardening_parse_yaml(&y, h, err);
	pal_yaml_free(&y);
	if (r < 0) {
		rt_hardening_free(h);
		return r;
	}
	free(h->source);
	h->source = pal_xstrdup(path);
	return 0;
}

int rt_policy_file_load(const char *path, struct rt_policy_file *f, struct pal_err *err)
{
	memset(f, 0, sizeof(*f));
	path = rt_policy_path(path);
	if (!path)
		return 0;
	int r = pal_read_file(path, 4u << 20, &f->text, &f->len, err);
	if (r < 0)
		return pal_err_prefix(err, "load policy");
	f->path = pal_xstrdup(path);
	f->yaml = pal_xcalloc(1, sizeof(*f->yaml));
	r = pal_yaml_load_buffer(f->yaml, path, f->text, f->len, err);
	if (r < 0) {
		rt_policy_file_free(f);
		return pal_err_prefix(err, "load policy");
	}
	return 0;
}

void rt_policy_file_free(struct rt_policy_file *f)
{
	if (f->yaml) {
		pal_yaml_free(f->yaml);
		free(f->yaml);
	}
	free(f->text);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

bool rt_policy_file_has(const struct rt_policy_file *f, const char *section)
{
	return f->yaml && pal_yaml_map_get(f->yaml, pal_yaml_root(f->yaml), section) != NULL;
}

int rt_hardening_from_file(const struct rt_policy_file *f, struct rt_hardening *h,
			   struct pal_err *err)
{
	rt_hardening_defaults(h);
	if (!f->yaml)
		return 0;
	int r = rt_hardening_parse_yaml(f->yaml, h, err);
	if (r < 0) {
		rt_hardening_free(h);
		return r;
	}
	free(h->source);
	h->source = pal_xstrdup(f->path);
	return 0;
}

static int parse_on_off(const char *key, const char *val, const char *on, const char *off,
			bool *out, struct pal_err *err)
{
	if (!strcmp(val, on)) {
		*out = true;
		return 0;
	}
	if (!strcmp(val, off)) {
		*out = false;
		return 0;
	}
	return pal_err_set(err, EINVAL, "annotation %s: '%s' is not '%s' or '%s'", key, val, on,
			   off);
}

int rt_hardening_apply_annotations(struct rt_hardening *h, const struct rt_config *cfg,
				   struct pal_err *err)
{
	static const char *const keys[] = {RT_ANNOT_SECCOMP, RT_ANNOT_WX, RT_ANNOT_WX_EXEC_PATHS,
					   RT_ANNOT_NNP};
	for (size_t i = 0; i < cfg->n_annotations; i++) {
		const char *key = cfg->annotations[i].key;
		if (!pal_str_starts_with(key, "io.palisade.hardening."))
			continue;
		bool known = false;
		for (size_t j = 0; j < PAL_ARRAY_SIZE(keys); j++)
			known |= !strcmp(key, keys[j]);
		if (!known)
			return pal_err_set(
			    err, EINVAL,
			    "annotation %s: unknown hardening annotation (known: %s, "
			    "%s, %s, %s)",
			    key, keys[0], keys[1], keys[2], keys[3]);
		if (!h->allow_annotations)
			return pal_err_set(err, EPERM,
					   "annotation %s: the node policy (%s) does not allow "
					   "per-container hardening overrides",
					   key, h->source);
	}
	const char *v;
	int r;
	if ((v = rt_config_annotation(cfg, RT_ANNOT_SECCOMP)) &&
	    (r = parse_on_off(RT_ANNOT_SECCOMP, v, "default", "off", &h->seccomp_default, err)) < 0)
		return r;
	if ((v = rt_config_annotation(cfg, RT_ANNOT_WX)) &&
	    (r = parse_on_off(RT_ANNOT_WX, v, "on", "off", &h->wx, err)) < 0)
		return r;
	if ((v = rt_config_annotation(cfg, RT_ANNOT_NNP)) &&
	    (r = parse_on_off(RT_ANNOT_NNP, v, "on", "off", &h->no_new_privs, err)) < 0)
		return r;
	if ((v = rt_config_annotation(cfg, RT_ANNOT_WX_EXEC_PATHS))) {
		_cleanup_free_ char *copy = pal_xstrdup(v);
		char *save = NULL;
		for (char *tok = strtok_r(copy, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			if (!*tok)
				continue;
			char *one[] = {tok, NULL};
			if ((r = parse_exec_paths(one, "annotation " RT_ANNOT_WX_EXEC_PATHS, err)) <
			    0)
				return r;
			if (!pal_strv_contains(h->wx_exec_paths, tok))
				pal_strv_push(&h->wx_exec_paths, tok);
		}
	}
	return 0;
}
