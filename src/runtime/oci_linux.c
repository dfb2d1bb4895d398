/* The "linux" object: namespaces, ID mappings, cgroups path, sysctl,
 * propagation, masked/readonly paths, personality, time offsets, and the
 * sections this runtime refuses. Devices, resources and seccomp have their
 * own files. */
#include "oci_internal.h"

#include "common/strutil.h"

#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

static int parse_namespaces(json_t *lx, struct rt_config *cfg, struct pal_err *err)
{
	json_t *arr = NULL;
	char ip[RT_OCI_PATH_MAX];
	int r = rt_oci_array(lx, "linux", "namespaces", RT_OCI_MAX_ITEMS, &arr, err);
	if (r < 0 || !arr)
		return r;
	cfg->n_namespaces = json_array_size(arr);
	cfg->namespaces = pal_xcalloc(cfg->n_namespaces, sizeof(*cfg->namespaces));
	int seen_at[RT_NS__COUNT];
	for (int t = 0; t < RT_NS__COUNT; t++)
		seen_at[t] = -1;
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		struct rt_namespace *ns = &cfg->namespaces[i];
		const char *type = NULL;
		rt_oci_index(ip, "linux.namespaces", i);
		if ((r = rt_oci_value_object(item, ip, err)) < 0 ||
		    (r = rt_oci_required(item, ip, "type", err)) < 0 ||
		    (r = rt_oci_string(item, ip, "type", &type, err)) < 0 ||
		    (r = rt_oci_strdup(item, ip, "path", &ns->path, err)) < 0)
			return r;
		int t = rt_oci_ns_from_name(type);
		if (t < 0)
			return rt_oci_fail(
			    err,
			    "%s.type \"%.64s\": unknown namespace type (pid, network, "
			    "mount, ipc, uts, user, cgroup or time)",
			    ip, type);
		if (seen_at[t] >= 0)
			return rt_oci_fail(err,
					   "%s.type \"%s\": duplicate (also in "
					   "linux.namespaces[%d])",
					   ip, type, seen_at[t]);
		seen_at[t] = (int)i;
		ns->type = (enum rt_ns_type)t;
		if (ns->path && !*ns->path) {
			free(ns->path);
			ns->path = NULL;
		}
		if (ns->path && ns->path[0] != '/')
			return rt_oci_fail(err, "%s.path \"%.256s\": must be an absolute path", ip,
					   ns->path);
	}
	return 0;
}

static int parse_cgroups_path(json_t *lx, struct rt_config *cfg, struct pal_err *err)
{
	int r = rt_oci_strdup(lx, "linux", "cgroupsPath", &cfg->cgroups_path, err);
	if (r < 0 || !cfg->cgroups_path)
		return r;
	if (!*cfg->cgroups_path) {
		free(cfg->cgroups_path);
		cfg->cgroups_path = NULL;
		return 0;
	}
	const char *p = cfg->cgroups_path;
	if (strchr(p, '\n'))
		return rt_oci_fail(err, "linux.cgroupsPath: must not contain a newline");
	/* Components are separated by '/' (cgroupfs) or ':' (systemd's
	 * "slice:prefix:name"); none may climb out of the hierarchy. */
	while (*p) {
		size_t n = strcspn(p, "/:");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return rt_oci_fail(err,
					   "linux.cgroupsPath \"%.256s\": must not contain \"..\"",
					   cfg->cgroups_path);
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned long flags;
} propagation_modes[] = {
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

static int parse_propagation(json_t *lx, struct rt_config *cfg, struct pal_err *err)
{
	const char *s = NULL;
	int r = rt_oci_string(lx, "linux", "rootfsPropagation", &s, err);
	if (r < 0 || !s || !*s)
		return r;
	for (size_t i = 0; i < PAL_ARRAY_SIZE(propagation_modes); i++) {
		if (strcmp(propagation_modes[i].name, s) == 0) {
			cfg->rootfs_propagation = propagation_modes[i].flags;
			return 0;
		}
	}
	return rt_oci_fail(err,
			   "linux.rootfsPropagation \"%.64s\": unknown mode (private, shared, "
			   "slave or unbindable, optionally with an r prefix)",
			   s);
}

static int parse_path_list(json_t *lx, const char *key, char ***out, struct pal_err *err)
{
	char lp[RT_OCI_PATH_MAX], ip[RT_OCI_PATH_MAX];
	int r = rt_oci_strv(lx, "linux", key, RT_OCI_MAX_ITEMS, out, err);
	if (r < 0 || !*out)
		return r;
	rt_oci_join(lp, "linux", key);
	for (size_t i = 0; (*out)[i]; i++)
		if ((r = rt_oci_container_path((*out)[i], rt_oci_index(ip, lp, i), err)) < 0)
			return r;
	return 0;
}

static int parse_personality(json_t *lx, struct rt_config *cfg, struct pal_err *err)
{
	json_t *pers = NULL;
	int r = rt_oci_object(lx, "linux", "personality", &pers, err);
	if (r < 0 || !pers)
		return r;
	const char *pp = "linux.personality";
	struct rt_personality *p = &cfg->personality;
	p->present = true;
	if ((r = rt_oci_required(pers, pp, "domain", err)) < 0 ||
	    (r = rt_oci_strdup(pers, pp, "domain", &p->domain, err)) < 0 ||
	    (r = rt_oci_strv(pers, pp, "flags", 64, &p->flags, err)) < 0)
		return r;
	if (strcmp(p->domain, "LINUX") == 0)
		p->persona = PER_LINUX;
	else if (strcmp(p->domain, "LINUX32") == 0)
		p->persona = PER_LINUX32;
	else
		return rt_oci_fail(err, "%s.domain \"%.64s\": must be \"LINUX\" or \"LINUX32\"", pp,
				   p->domain);
	if (p->flags && p->flags[0])
		return rt_oci_fail(err, "%s.flags[0] \"%.64s\": no personality flags are supported",
				   pp, p->flags[0]);
	return 0;
}

static int parse_time_offset(json_t *v, const char *ep, int64_t *secs, uint32_t *nsecs,
			     struct pal_err *err)
{
	int64_t s = 0, ns = 0;
	int r;
	if ((r = rt_oci_value_object(v, ep, err)) < 0 ||
	    (r = rt_oci_int(v, ep, "secs", INT64_MIN, INT64_MAX, &s, NULL, err)) < 0 ||
	    (r = rt_oci_int(v, ep, "nanosecs", 0, 999999999, &ns, NULL, err)) < 0)
		return r;
	*secs = s;
	*nsecs = (uint32_t)ns;
	return 0;
}

static int parse_time_offsets(json_t *lx, struct rt_config *cfg, struct pal_err *err)
{
	json_t *offs = NULL;
	char ep[RT_OCI_PATH_MAX];
	int r = rt_oci_object(lx, "linux", "timeOffsets", &offs, err);
	if (r < 0 || !offs)
		return r;
	cfg->has_time_offsets = true;
	const char *clock;
	json_t *v;
	json_object_foreach(offs, clock, v)
	{
		snprintf(ep, sizeof(ep), "linux.timeOffsets.%.64s", clock);
		if (strcmp(clock, "monotonic") == 0) {
			cfg->has_time_offsets_monotonic = true;
			r = parse_time_offset(v, ep, &cfg->time_offsets_monotonic.secs,
					      &cfg->time_offsets_monotonic.nanosecs, err);
		} else if (strcmp(clock, "boottime") == 0) {
			cfg->has_time_offsets_boottime = true;
			r = parse_time_offset(v, ep, &cfg->time_offsets_boottime.secs,
					      &cfg->time_offsets_boottime.nanosecs, err);
		} else {
			return rt_oci_fail(err,
					   "%s: unknown clock (a time namespace offsets only "
					   "\"monotonic\" and \"boottime\")",
					   ep);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* Known fields whose features this runtime does not implement: refusing them
 * beats starting a container without the isolation its author asked for. */
static int refuse_unsupported(json_t *lx, struct rt_config *cfg, struct pal_err *err)
{
	static const struct {
		const char *key, *what;
	} refused[] = {
	    {"intelRdt", "Intel RDT (resctrl)"},
	    {"memoryPolicy", "NUMA memory policies"},
	    {"netDevices", "moving network devices into the container"},
	};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(refused); i++)
		if (rt_oci_member(lx, refused[i].key))
			return rt_oci_fail(
			    err, "linux.%s: not supported by this runtime (%s); remove it",
			    refused[i].key, refused[i].what);
	int r = rt_oci_strdup(lx, "linux", "mountLabel", &cfg->mount_label, err);
	if (r < 0)
		return r;
	if (cfg->mount_label && *cfg->mount_label)
		return rt_oci_fail(err,
				   "linux.mountLabel \"%.128s\": not supported on this runtime (no "
				   "SELinux); remove it or leave it empty",
				   cfg->mount_label);
	return 0;
}

int rt_oci_parse_linux(json_t *lx, struct rt_config *cfg, struct pal_err *err)
{
	json_t *res = NULL, *sc = NULL;
	int r;
	if ((r = refuse_unsupported(lx, cfg, err)) < 0 ||
	    (r = parse_namespaces(lx, cfg, err)) < 0 ||
	    (r = rt_oci_parse_id_mappings(lx, "linux", "uidMappings", &cfg->uid_mappings,
					  &cfg->n_uid_mappings, err)) < 0 ||
	    (r = rt_oci_parse_id_mappings(lx, "linux", "gidMappings", &cfg->gid_mappings,
					  &cfg->n_gid_mappings, err)) < 0 ||
	    (r = rt_oci_parse_devices(lx, cfg, err)) < 0 ||
	    (r = parse_cgroups_path(lx, cfg, err)) < 0 ||
	    (r = rt_oci_object(lx, "linux", "resources", &res, err)) < 0)
		return r;
	if (res) {
		cfg->has_resources = true;
		if ((r = rt_oci_parse_resources(res, "linux.resources", &cfg->resources, err)) < 0)
			return r;
	}
	if ((r = rt_oci_string_map(lx, "linux", "sysctl", RT_OCI_MAX_ITEMS, &cfg->sysctl,
				   &cfg->n_sysctl, err)) < 0 ||
	    (r = rt_oci_object(lx, "linux", "seccomp", &sc, err)) < 0)
		return r;
	if (sc) {
		cfg->has_seccomp = true;
		if ((r = rt_oci_parse_seccomp(sc, "linux.seccomp", &cfg->seccomp, err)) < 0)
			return r;
	}
	if ((r = parse_propagation(lx, cfg, err)) < 0 ||
	    (r = parse_path_list(lx, "maskedPaths", &cfg->masked_paths, err)) < 0 ||
	    (r = parse_path_list(lx, "readonlyPaths", &cfg->readonly_paths, err)) < 0 ||
	    (r = parse_personality(lx, cfg, err)) < 0 || (r = parse_time_offsets(lx, cfg, err)) < 0)
		return r;
	return 0;
}

void rt_oci_free_linux(struct rt_config *cfg)
{
	for (size_t i = 0; i < cfg->n_namespaces; i++)
		free(cfg->namespaces[i].path);
	free(cfg->namespaces);
	free(cfg->uid_mappings);
	free(cfg->gid_mappings);
	rt_oci_free_devices(cfg);
	free(cfg->cgroups_path);
	rt_oci_free_resources(&cfg->resources);
	rt_oci_free_kv(cfg->sysctl, cfg->n_sysctl);
	rt_oci_free_seccomp(&cfg->seccomp);
	pal_strv_free(cfg->masked_paths);
	pal_strv_free(cfg->readonly_paths);
	free(cfg->mount_label);
	free(cfg->personality.domain);
	pal_strv_free(cfg->personality.flags);
}
