/* Rules that tie sections together: what a field asks for must be possible
 * with the namespaces the config creates, and must not reach the host. */
#include "oci_internal.h"

#include "common/strutil.h"

#include <stdio.h>
#include <string.h>

static const struct rt_namespace *find_ns(const struct rt_config *cfg, enum rt_ns_type t)
{
	return rt_config_namespace(cfg, t);
}

static int check_uts(const struct rt_config *cfg, struct pal_err *err)
{
	const struct {
		const char *key, *value;
	} names[] = {{"hostname", cfg->hostname}, {"domainname", cfg->domainname}};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(names); i++) {
		const char *v = names[i].value;
		if (!v || !*v)
			continue;
		if (strlen(v) > RT_OCI_MAX_HOSTNAME)
			return rt_oci_fail(err, "%s: longer than %u bytes", names[i].key,
					   RT_OCI_MAX_HOSTNAME);
		if (!find_ns(cfg, RT_NS_UTS))
			return rt_oci_fail(err,
					   "%s \"%s\": needs a UTS namespace (add {\"type\": "
					   "\"uts\"} to linux.namespaces), or the host's name "
					   "would change",
					   names[i].key, v);
	}
	return 0;
}

static int check_user_ns(const struct rt_config *cfg, struct pal_err *err)
{
	const struct rt_namespace *user = find_ns(cfg, RT_NS_USER);
	bool maps = cfg->n_uid_mappings || cfg->n_gid_mappings;
	if (!user && maps)
		return rt_oci_fail(err,
				   "linux.%s: mappings need a user namespace (add {\"type\": "
				   "\"user\"} to linux.namespaces)",
				   cfg->n_uid_mappings ? "uidMappings" : "gidMappings");
	if (user && !user->path) {
		if (!cfg->n_uid_mappings)
			return rt_oci_fail(err, "linux.uidMappings: a new user namespace needs uid "
						"mappings");
		if (!cfg->n_gid_mappings)
			return rt_oci_fail(err, "linux.gidMappings: a new user namespace needs gid "
						"mappings");
	}
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct rt_mount *m = &cfg->mounts[i];
		if (m->idmap && !m->n_uid_mappings && !user)
			return rt_oci_fail(
			    err,
			    "mounts[%zu]: \"idmap\" needs uidMappings/gidMappings on "
			    "the mount or a container user namespace",
			    i);
	}
	return 0;
}

static int check_time_ns(const struct rt_config *cfg, struct pal_err *err)
{
	if (!cfg->has_time_offsets)
		return 0;
	const struct rt_namespace *t = find_ns(cfg, RT_NS_TIME);
	if (!t || t->path)
		return rt_oci_fail(err, "linux.timeOffsets: offsets need a new time namespace "
					"({\"type\": \"time\"} without a path)");
	return 0;
}

static bool is_ipc_sysctl(const char *k)
{
	return pal_str_starts_with(k, "kernel.msg") || pal_str_starts_with(k, "kernel.shm") ||
	       strcmp(k, "kernel.sem") == 0 || strcmp(k, "kernel.sem_next_id") == 0 ||
	       pal_str_starts_with(k, "fs.mqueue.");
}

static int check_sysctl_key(const struct rt_config *cfg, const char *k, const char *v,
			    struct pal_err *err)
{
	char kp[RT_OCI_PATH_MAX];
	snprintf(kp, sizeof(kp), "linux.sysctl[\"%.128s\"]", k);
	if (strchr(k, '/'))
		return rt_oci_fail(err, "%s: name it with dots (net.ipv4.ip_forward), not slashes",
				   kp);
	for (const char *p = k;;) {
		size_t n = strcspn(p, ".");
		if (n == 0)
			return rt_oci_fail(err, "%s: empty name component", kp);
		p += n;
		if (!*p)
			break;
		p++;
	}
	if (strchr(v, '\n') && v[strcspn(v, "\n") + 1])
		return rt_oci_fail(err, "%s: the value must be a single line", kp);
	if (is_ipc_sysctl(k)) {
		if (!find_ns(cfg, RT_NS_IPC))
			return rt_oci_fail(err,
					   "%s: needs an IPC namespace, or the host's IPC "
					   "limits would change",
					   kp);
		return 0;
	}
	if (pal_str_starts_with(k, "net.")) {
		if (!find_ns(cfg, RT_NS_NETWORK))
			return rt_oci_fail(err,
					   "%s: not allowed in the host's network namespace "
					   "(add {\"type\": \"network\"} to linux.namespaces)",
					   kp);
		return 0;
	}
	if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0) {
		if (!find_ns(cfg, RT_NS_UTS))
			return rt_oci_fail(err,
					   "%s: needs a UTS namespace, or the host's name would "
					   "change",
					   kp);
		bool host = k[7] == 'h';
		const char *field = host ? cfg->hostname : cfg->domainname;
		if (field && *field)
			return rt_oci_fail(err,
					   "%s: conflicts with the \"%s\" field; use only the "
					   "field",
					   kp, host ? "hostname" : "domainname");
		return 0;
	}
	return rt_oci_fail(err,
			   "%s: not namespaced (only kernel.msg*, kernel.sem, kernel.shm*, "
			   "fs.mqueue.*, net.* and kernel.hostname/domainname are), so it would "
			   "change the host",
			   kp);
}

int rt_oci_validate(struct rt_config *cfg, struct pal_err *err)
{
	int r;
	if ((r = check_uts(cfg, err)) < 0 || (r = check_user_ns(cfg, err)) < 0 ||
	    (r = check_time_ns(cfg, err)) < 0)
		return r;
	for (size_t i = 0; i < cfg->n_sysctl; i++)
		if ((r = check_sysctl_key(cfg, cfg->sysctl[i].key, cfg->sysctl[i].value, err)) < 0)
			return r;
	return 0;
}
