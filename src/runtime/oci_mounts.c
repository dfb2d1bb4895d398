/* "mounts": destinations, sources, and the option strings turned into
 * mount(2) flags, propagation, mount_setattr(2) attributes and filesystem
 * data, with the option set runc and crun accept. */
#include "oci_internal.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <string.h>
#include <sys/mount.h>

enum opt_kind {
	OPT_NOOP,
	OPT_SET,	 /* MS_* to set */
	OPT_CLEAR,	 /* MS_* to clear */
	OPT_PROPAGATION, /* MS_PRIVATE/... (| MS_REC) */
	OPT_ATTR_SET,	 /* MOUNT_ATTR_* to set recursively */
	OPT_ATTR_CLEAR,	 /* MOUNT_ATTR_* to clear recursively */
	OPT_ATIME,	 /* recursive atime mode (a value of MOUNT_ATTR__ATIME) */
	OPT_BIND,
	OPT_RBIND,
	OPT_IDMAP,
	OPT_RIDMAP,
	OPT_TMPCOPYUP,
};

static const struct {
	const char *name;
	enum opt_kind kind;
	unsigned long value;
} mount_options[] = {
    {"defaults", OPT_NOOP, 0},
    {"ro", OPT_SET, MS_RDONLY},
    {"rw", OPT_CLEAR, MS_RDONLY},
    {"nosuid", OPT_SET, MS_NOSUID},
    {"suid", OPT_CLEAR, MS_NOSUID},
    {"nodev", OPT_SET, MS_NODEV},
    {"dev", OPT_CLEAR, MS_NODEV},
    {"noexec", OPT_SET, MS_NOEXEC},
    {"exec", OPT_CLEAR, MS_NOEXEC},
    {"sync", OPT_SET, MS_SYNCHRONOUS},
    {"async", OPT_CLEAR, MS_SYNCHRONOUS},
    {"dirsync", OPT_SET, MS_DIRSYNC},
    {"remount", OPT_SET, MS_REMOUNT},
    {"mand", OPT_SET, MS_MANDLOCK},
    {"nomand", OPT_CLEAR, MS_MANDLOCK},
    {"noatime", OPT_SET, MS_NOATIME},
    {"atime", OPT_CLEAR, MS_NOATIME},
    {"nodiratime", OPT_SET, MS_NODIRATIME},
    {"diratime", OPT_CLEAR, MS_NODIRATIME},
    {"relatime", OPT_SET, MS_RELATIME},
    {"norelatime", OPT_CLEAR, MS_RELATIME},
    {"strictatime", OPT_SET, MS_STRICTATIME},
    {"nostrictatime", OPT_CLEAR, MS_STRICTATIME},
    {"lazytime", OPT_SET, MS_LAZYTIME},
    {"nolazytime", OPT_CLEAR, MS_LAZYTIME},
    {"iversion", OPT_SET, MS_I_VERSION},
    {"noiversion", OPT_CLEAR, MS_I_VERSION},
    {"silent", OPT_SET, MS_SILENT},
    {"loud", OPT_CLEAR, MS_SILENT},
    {"nosymfollow", OPT_SET, MS_NOSYMFOLLOW},
    {"symfollow", OPT_CLEAR, MS_NOSYMFOLLOW},
    {"bind", OPT_BIND, 0},
    {"rbind", OPT_RBIND, 0},
    {"private", OPT_PROPAGATION, MS_PRIVATE},
    {"rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC},
    {"shared", OPT_PROPAGATION, MS_SHARED},
    {"rshared", OPT_PROPAGATION, MS_SHARED | MS_REC},
    {"slave", OPT_PROPAGATION, MS_SLAVE},
    {"rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC},
    {"unbindable", OPT_PROPAGATION, MS_UNBINDABLE},
    {"runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC},
    {"rro", OPT_ATTR_SET, MOUNT_ATTR_RDONLY},
    {"rrw", OPT_ATTR_CLEAR, MOUNT_ATTR_RDONLY},
    {"rnosuid", OPT_ATTR_SET, MOUNT_ATTR_NOSUID},
    {"rsuid", OPT_ATTR_CLEAR, MOUNT_ATTR_NOSUID},
    {"rnodev", OPT_ATTR_SET, MOUNT_ATTR_NODEV},
    {"rdev", OPT_ATTR_CLEAR, MOUNT_ATTR_NODEV},
    {"rnoexec", OPT_ATTR_SET, MOUNT_ATTR_NOEXEC},
    {"rexec", OPT_ATTR_CLEAR, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", OPT_ATTR_SET, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", OPT_ATTR_CLEAR, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", OPT_ATTR_SET, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", OPT_ATTR_CLEAR, MOUNT_ATTR_NOSYMFOLLOW},
    /* The atime modes are one field for mount_setattr(2): choosing one
     * replaces the others. The negative forms pick what mount(8) means by
     * them: "atime" and "nostrictatime" are the kernel default (relatime),
     * "norelatime" is strict atime. */
    {"rrelatime", OPT_ATIME, MOUNT_ATTR_RELATIME},
    {"rnoatime", OPT_ATIME, MOUNT_ATTR_NOATIME},
    {"rstrictatime", OPT_ATIME, MOUNT_ATTR_STRICTATIME},
    {"ratime", OPT_ATIME, MOUNT_ATTR_RELATIME},
    {"rnostrictatime", OPT_ATIME, MOUNT_ATTR_RELATIME},
    {"rnorelatime", OPT_ATIME, MOUNT_ATTR_STRICTATIME},
    {"idmap", OPT_IDMAP, 0},
    {"ridmap", OPT_RIDMAP, 0},
    {"tmpcopyup", OPT_TMPCOPYUP, 0},
};

static void apply_option(struct rt_mount *m, enum opt_kind kind, unsigned long v)
{
	switch (kind) {
	case OPT_NOOP:
		break;
	case OPT_SET:
		m->flags |= v;
		m->clear_flags &= ~v;
		break;
	case OPT_CLEAR:
		m->flags &= ~v;
		m->clear_flags |= v;
		break;
	case OPT_PROPAGATION:
		m->propagation = v; /* the last one wins */
		break;
	case OPT_ATTR_SET:
		m->attr_set |= v;
		m->attr_clr &= ~(uint64_t)v;
		break;
	case OPT_ATTR_CLEAR:
		m->attr_set &= ~(uint64_t)v;
		m->attr_clr |= v;
		break;
	case OPT_ATIME:
		m->attr_clr |= MOUNT_ATTR__ATIME;
		m->attr_set = (m->attr_set & ~(uint64_t)MOUNT_ATTR__ATIME) | v;
		break;
	case OPT_BIND:
		m->is_bind = true;
		m->flags |= MS_BIND;
		break;
	case OPT_RBIND:
		m->is_bind = true;
		m->recursive_bind = true;
		m->flags |= MS_BIND | MS_REC;
		break;
	case OPT_IDMAP:
		m->idmap = true;
		break;
	case OPT_RIDMAP:
		m->idmap = true;
		m->recursive_idmap = true;
		break;
	case OPT_TMPCOPYUP:
		m->tmpcopyup = true;
		break;
	}
}

int rt_oci_parse_mount_options(char **options, const char *path, struct rt_mount *m,
			       struct pal_err *err)
{
	struct pal_buf data;
	pal_buf_init(&data);
	for (size_t i = 0; options && options[i]; i++) {
		const char *o = options[i];
		if (!*o) {
			pal_buf_free(&data);
			return rt_oci_fail(err, "%s.options[%zu]: empty option", path, i);
		}
		size_t k = 0;
		while (k < PAL_ARRAY_SIZE(mount_options) && strcmp(mount_options[k].name, o) != 0)
			k++;
		if (k < PAL_ARRAY_SIZE(mount_options)) {
			apply_option(m, mount_options[k].kind, mount_options[k].value);
			continue;
		}
		/* Anything else is the filesystem's own (mode=755, size=64k, ...). */
		if (data.len)
			pal_buf_putc(&data, ',');
		pal_buf_puts(&data, o);
	}
	free(m->data);
	m->data = data.len ? pal_buf_steal(&data) : NULL;
	pal_buf_free(&data);
	return 0;
}

static int parse_source(json_t *item, const char *ip, const char *bundle_dir, struct rt_mount *m,
			struct pal_err *err)
{
	int r = rt_oci_strdup(item, ip, "source", &m->source, err);
	if (r < 0 || !m->is_bind)
		return r;
	if (!m->source || !*m->source)
		return rt_oci_fail(err, "%s.source: a bind mount needs a source path", ip);
	if (m->source[0] != '/') {
		/* Bind sources may be relative to the bundle (config.md, Mounts). */
		char *abs = rt_oci_abs_path(bundle_dir, m->source);
		if (!abs)
			return rt_oci_fail(err, "%s.source \"%.256s\": cannot make it absolute", ip,
					   m->source);
		free(m->source);
		m->source = abs;
	}
	return 0;
}

static int parse_mount(json_t *item, const char *ip, const char *bundle_dir, struct rt_mount *m,
		       struct pal_err *err)
{
	char dp[RT_OCI_PATH_MAX];
	int r;
	if ((r = rt_oci_value_object(item, ip, err)) < 0 ||
	    (r = rt_oci_required(item, ip, "destination", err)) < 0 ||
	    (r = rt_oci_strdup(item, ip, "destination", &m->destination, err)) < 0 ||
	    (r = rt_oci_container_path(m->destination, rt_oci_join(dp, ip, "destination"), err)) <
		0)
		return r;
	if (strcmp(m->destination, "/") == 0)
		return rt_oci_fail(err,
				   "%s \"/\": mounting over the container's root is not supported; "
				   "use root.path",
				   dp);
	if ((r = rt_oci_strdup(item, ip, "type", &m->type, err)) < 0)
		return r;
	if (m->type && !*m->type) {
		free(m->type);
		m->type = NULL;
	}
	if ((r = rt_oci_strv(item, ip, "options", RT_OCI_MAX_ITEMS, &m->options, err)) < 0 ||
	    (r = rt_oci_parse_mount_options(m->options, ip, m, err)) < 0)
		return r;
	if (m->type && strcmp(m->type, "bind") == 0 && !m->is_bind)
		apply_option(m, OPT_BIND, 0);
	if ((r = parse_source(item, ip, bundle_dir, m, err)) < 0 ||
	    (r = rt_oci_parse_id_mappings(item, ip, "uidMappings", &m->uid_mappings,
					  &m->n_uid_mappings, err)) < 0 ||
	    (r = rt_oci_parse_id_mappings(item, ip, "gidMappings", &m->gid_mappings,
					  &m->n_gid_mappings, err)) < 0)
		return r;
	if (!m->n_uid_mappings != !m->n_gid_mappings)
		return rt_oci_fail(err, "%s: uidMappings and gidMappings must be given together",
				   ip);
	if (m->n_uid_mappings && !m->idmap)
		return rt_oci_fail(err,
				   "%s: uidMappings/gidMappings need the \"idmap\" or \"ridmap\" "
				   "option",
				   ip);
	if (m->idmap && !m->is_bind)
		return rt_oci_fail(err,
				   "%s: idmapped mounts must be bind mounts (add \"bind\" or "
				   "\"rbind\")",
				   ip);
	return 0;
}

int rt_oci_parse_mounts(json_t *root, const char *bundle_dir, struct rt_config *cfg,
			struct pal_err *err)
{
	json_t *arr = NULL;
	char ip[RT_OCI_PATH_MAX];
	int r = rt_oci_array(root, "", "mounts", RT_OCI_MAX_ITEMS, &arr, err);
	if (r < 0 || !arr)
		return r;
	cfg->n_mounts = json_array_size(arr);
	cfg->mounts = pal_xcalloc(cfg->n_mounts, sizeof(*cfg->mounts));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		r = parse_mount(item, rt_oci_index(ip, "mounts", i), bundle_dir, &cfg->mounts[i],
				err);
		if (r < 0)
			return r;
	}
	return 0;
}

void rt_oci_free_mounts(struct rt_config *cfg)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		struct rt_mount *m = &cfg->mounts[i];
		free(m->destination);
		free(m->type);
		free(m->source);
		pal_strv_free(m->options);
		free(m->data);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(cfg->mounts);
	cfg->mounts = NULL;
	cfg->n_mounts = 0;
}
