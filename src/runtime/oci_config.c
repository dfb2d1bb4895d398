/* config.json: the document's top level, loading from a bundle, freeing, and
 * lookups. Sections are parsed by the other oci_*.c files. */
#include "oci_internal.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <string.h>

static bool parse_number(const char **s, unsigned long *out)
{
	const char *p = *s;
	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return false;
	unsigned long v = 0;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 1000000)
			return false;
		p++;
	}
	*s = p;
	*out = v;
	return true;
}

/* SemVer "MAJOR.MINOR.PATCH" with any pre-release or build suffix
 * ("1.0.2-dev", "1.1.0-rc.1"). Major 1 only: the spec keeps compatibility
 * within a major version. */
static int check_version(const char *v, struct pal_err *err)
{
	const char *p = v;
	unsigned long major, minor, patch;
	if (!parse_number(&p, &major) || *p++ != '.' || !parse_number(&p, &minor) || *p++ != '.' ||
	    !parse_number(&p, &patch) || (*p && *p != '-' && *p != '+'))
		return rt_oci_fail(err,
				   "ociVersion \"%.64s\": not a version (MAJOR.MINOR.PATCH, e.g. "
				   "\"1.0.2\")",
				   v);
	if (major != 1)
		return rt_oci_fail(
		    err,
		    "ociVersion \"%.64s\": runtime-spec %lu.x is not supported; this "
		    "runtime implements 1.x (1.0 to 1.2)",
		    v, major);
	return 0;
}

static int refuse_other_platforms(json_t *root, struct pal_err *err)
{
	static const char *const platforms[] = {"solaris", "windows", "vm", "zos"};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(platforms); i++)
		if (rt_oci_member(root, platforms[i]))
			return rt_oci_fail(err,
					   "%s: configuration for another platform; this runtime "
					   "runs Linux containers only",
					   platforms[i]);
	return 0;
}

static int parse_root(json_t *root, const char *bundle_dir, struct rt_config *cfg,
		      struct pal_err *err)
{
	json_t *r_obj = NULL;
	const char *path = NULL;
	int r;
	if ((r = rt_oci_required(root, "", "root", err)) < 0 ||
	    (r = rt_oci_object(root, "", "root", &r_obj, err)) < 0 ||
	    (r = rt_oci_required(r_obj, "root", "path", err)) < 0 ||
	    (r = rt_oci_string(r_obj, "root", "path", &path, err)) < 0 ||
	    (r = rt_oci_bool(r_obj, "root", "readonly", &cfg->root.readonly, err)) < 0)
		return r;
	if (!*path)
		return rt_oci_fail(err, "root.path: must not be empty (the root filesystem, e.g. "
					"\"rootfs\")");
	cfg->root.path = rt_oci_abs_path(bundle_dir, path);
	if (!cfg->root.path)
		return pal_err_sys(err, errno, "root.path \"%.256s\": cannot make it absolute",
				   path);
	return 0;
}

static int parse_document(json_t *root, const char *bundle_dir, struct rt_config *cfg,
			  struct pal_err *err)
{
	json_t *proc = NULL, *lx = NULL;
	int r;
	if ((r = rt_oci_required(root, "", "ociVersion", err)) < 0 ||
	    (r = rt_oci_strdup(root, "", "ociVersion", &cfg->oci_version, err)) < 0 ||
	    (r = check_version(cfg->oci_version, err)) < 0 ||
	    (r = refuse_other_platforms(root, err)) < 0 ||
	    (r = parse_root(root, bundle_dir, cfg, err)) < 0 ||
	    (r = rt_oci_object(root, "", "process", &proc, err)) < 0)
		return r;
	if (proc) {
		cfg->has_process = true;
		if ((r = rt_oci_parse_process(proc, "process", &cfg->process, err)) < 0)
			return r;
	}
	if ((r = rt_oci_strdup(root, "", "hostname", &cfg->hostname, err)) < 0 ||
	    (r = rt_oci_strdup(root, "", "domainname", &cfg->domainname, err)) < 0 ||
	    (r = rt_oci_parse_mounts(root, bundle_dir, cfg, err)) < 0 ||
	    (r = rt_oci_parse_hooks(root, cfg, err)) < 0 ||
	    (r = rt_oci_string_map(root, "", "annotations", RT_OCI_MAX_ITEMS, &cfg->annotations,
				   &cfg->n_annotations, err)) < 0 ||
	    (r = rt_oci_object(root, "", "linux", &lx, err)) < 0)
		return r;
	if (lx && (r = rt_oci_parse_linux(lx, cfg, err)) < 0)
		return r;
	return rt_oci_validate(cfg, err);
}

int rt_config_parse(const char *json_text, size_t len, const char *source_name,
		    const char *bundle_dir, struct rt_config *cfg, struct pal_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	const char *name = source_name ? source_name : "config.json";
	_cleanup_json_ json_t *root = rt_oci_load(json_text, len, name, err);
	if (!root)
		return -(err && err->code ? err->code : EINVAL);
	int r = parse_document(root, bundle_dir, cfg, err);
	if (r < 0) {
		rt_config_free(cfg);
		return pal_err_prefix(err, "%s", name);
	}
	return 0;
}

int rt_config_load(const char *bundle_dir, struct rt_config *cfg, struct pal_err *err)
{
	memset(cfg, 0, sizeof(*cfg));
	const char *bundle = bundle_dir && *bundle_dir ? bundle_dir : ".";
	_cleanup_free_ char *path = pal_path_join(bundle, "config.json");
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = pal_read_file(path, RT_CONFIG_MAX_BYTES, &data, &len, err);
	if (r < 0)
		return r;
	return rt_config_parse(data, len, path, bundle, cfg, err);
}

void rt_config_free(struct rt_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->oci_version);
	free(cfg->root.path);
	rt_process_free(&cfg->process);
	free(cfg->hostname);
	free(cfg->domainname);
	rt_oci_free_mounts(cfg);
	rt_oci_free_hooks(cfg);
	rt_oci_free_kv(cfg->annotations, cfg->n_annotations);
	rt_oci_free_linux(cfg);
	memset(cfg, 0, sizeof(*cfg));
}

const struct rt_namespace *rt_config_namespace(const struct rt_config *cfg, enum rt_ns_type t)
{
	for (size_t i = 0; cfg && i < cfg->n_namespaces; i++)
		if (cfg->namespaces[i].type == t)
			return &cfg->namespaces[i];
	return NULL;
}

const char *rt_config_annotation(const struct rt_config *cfg, const char *key)
{
	for (size_t i = 0; cfg && key && i < cfg->n_annotations; i++)
		if (strcmp(cfg->annotations[i].key, key) == 0)
			return cfg->annotations[i].value;
	return NULL;
}
