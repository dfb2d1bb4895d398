/* The "process" object: of config.json, and the whole of an `exec
 * --process` file. */
#include "oci_internal.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <errno.h>
#include <string.h>

#define MAX_ADDITIONAL_GIDS 65536u /* NGROUPS_MAX */
#define MAX_RLIMITS	    64u

static int parse_console_size(json_t *proc, const char *path, struct rt_process *p,
			      struct pal_err *err)
{
	json_t *cs = NULL;
	char cp[RT_OCI_PATH_MAX];
	int r = rt_oci_object(proc, path, "consoleSize", &cs, err);
	if (r < 0 || !cs)
		return r;
	rt_oci_join(cp, path, "consoleSize");
	int64_t h = 0, w = 0;
	if ((r = rt_oci_required(cs, cp, "height", err)) < 0 ||
	    (r = rt_oci_required(cs, cp, "width", err)) < 0 ||
	    (r = rt_oci_int(cs, cp, "height", 0, UINT16_MAX, &h, NULL, err)) < 0 ||
	    (r = rt_oci_int(cs, cp, "width", 0, UINT16_MAX, &w, NULL, err)) < 0)
		return r;
	p->console_size.present = true;
	p->console_size.height = (uint32_t)h;
	p->console_size.width = (uint32_t)w;
	return 0;
}

static int parse_user(json_t *proc, const char *path, struct rt_user *u, struct pal_err *err)
{
	json_t *user = NULL;
	char up[RT_OCI_PATH_MAX], p[RT_OCI_PATH_MAX];
	int r;
	if ((r = rt_oci_required(proc, path, "user", err)) < 0 ||
	    (r = rt_oci_object(proc, path, "user", &user, err)) < 0)
		return r;
	rt_oci_join(up, path, "user");
	int64_t v = 0;
	bool has = false;
	if ((r = rt_oci_required(user, up, "uid", err)) < 0 ||
	    (r = rt_oci_int(user, up, "uid", 0, UINT32_MAX, &v, NULL, err)) < 0)
		return r;
	u->uid = (uint32_t)v;
	if ((r = rt_oci_required(user, up, "gid", err)) < 0 ||
	    (r = rt_oci_int(user, up, "gid", 0, UINT32_MAX, &v, NULL, err)) < 0)
		return r;
	u->gid = (uint32_t)v;
	if ((r = rt_oci_int(user, up, "umask", 0, 0777, &v, &has, err)) < 0)
		return r;
	u->has_umask = has;
	u->umask = has ? (uint32_t)v : 0;

	json_t *gids = NULL;
	if ((r = rt_oci_array(user, up, "additionalGids", MAX_ADDITIONAL_GIDS, &gids, err)) < 0)
		return r;
	if (gids) {
		u->n_additional_gids = json_array_size(gids);
		u->additional_gids = pal_xcalloc(u->n_additional_gids, sizeof(uint32_t));
		rt_oci_join(p, up, "additionalGids");
		size_t i;
		json_t *g;
		json_array_foreach(gids, i, g)
		{
			if (!json_is_integer(g) || json_integer_value(g) < 0 ||
			    json_integer_value(g) > UINT32_MAX)
				return rt_oci_fail(err,
						   "%s[%zu]: must be an integer between 0 and "
						   "4294967295",
						   p, i);
			u->additional_gids[i] = (uint32_t)json_integer_value(g);
		}
	}
	return rt_oci_strdup(user, up, "username", &u->username, err);
}

static int parse_args_env_cwd(json_t *proc, const char *path, struct rt_process *p,
			      struct pal_err *err)
{
	char ap[RT_OCI_PATH_MAX], ep[RT_OCI_PATH_MAX], cp[RT_OCI_PATH_MAX];
	int r;
	if ((r = rt_oci_strv(proc, path, "args", RT_OCI_MAX_ITEMS, &p->args, err)) < 0)
		return r;
	if (!p->args || !p->args[0])
		return rt_oci_fail(err, "%s: required, with at least one entry (the program)",
				   rt_oci_join(ap, path, "args"));
	if (!p->args[0][0])
		return rt_oci_fail(err, "%s[0]: the program name must not be empty",
				   rt_oci_join(ap, path, "args"));

	if ((r = rt_oci_strdup(proc, path, "commandLine", &p->command_line, err)) < 0)
		return r;
	if (p->command_line && *p->command_line)
		return rt_oci_fail(err, "%s: not supported on Linux (Windows only); use args",
				   rt_oci_join(cp, path, "commandLine"));

	if ((r = rt_oci_strv(proc, path, "env", RT_OCI_MAX_ITEMS, &p->env, err)) < 0)
		return r;
	if (!p->env)
		p->env = pal_xcalloc(1, sizeof(char *));
	rt_oci_join(ep, path, "env");
	for (size_t i = 0; p->env[i]; i++) {
		const char *eq = strchr(p->env[i], '=');
		if (!eq || eq == p->env[i])
			return rt_oci_fail(err, "%s[%zu] \"%.256s\": must have the form NAME=value",
					   ep, i, p->env[i]);
	}

	if ((r = rt_oci_required(proc, path, "cwd", err)) < 0 ||
	    (r = rt_oci_strdup(proc, path, "cwd", &p->cwd, err)) < 0)
		return r;
	if (p->cwd[0] != '/')
		return rt_oci_fail(err, "%s \"%.256s\": must be an absolute path",
				   rt_oci_join(cp, path, "cwd"), p->cwd);
	return 0;
}

static int parse_cap_set(json_t *caps, const char *path, const char *key, uint64_t *mask,
			 struct pal_err *err)
{
	_cleanup_strv_ char **names = NULL;
	char sp[RT_OCI_PATH_MAX];
	int r = rt_oci_strv(caps, path, key, RT_OCI_MAX_ITEMS, &names, err);
	if (r < 0 || !names)
		return r;
	rt_oci_join(sp, path, key);
	for (size_t i = 0; names[i]; i++) {
		int cap = rt_cap_from_name(names[i]);
		if (cap >= 0) {
			*mask |= 1ull << cap;
			continue;
		}
		_cleanup_free_ char *prefixed = pal_xasprintf("CAP_%s", names[i]);
		if (rt_cap_from_name(prefixed) >= 0)
			return rt_oci_fail(err,
					   "%s[%zu] \"%.64s\": unknown capability (names take the "
					   "CAP_ prefix: \"%s\")",
					   sp, i, names[i], prefixed);
		return rt_oci_fail(err,
				   "%s[%zu] \"%.64s\": unknown capability (see capabilities(7) "
				   "for the names, e.g. \"CAP_NET_BIND_SERVICE\")",
				   sp, i, names[i]);
	}
	return 0;
}

static int parse_capabilities(json_t *proc, const char *path, struct rt_caps *c,
			      struct pal_err *err)
{
	json_t *caps = NULL;
	char cp[RT_OCI_PATH_MAX];
	int r = rt_oci_object(proc, path, "capabilities", &caps, err);
	if (r < 0 || !caps)
		return r;
	rt_oci_join(cp, path, "capabilities");
	c->present = true;
	if ((r = parse_cap_set(caps, cp, "bounding", &c->bounding, err)) < 0 ||
	    (r = parse_cap_set(caps, cp, "effective", &c->effective, err)) < 0 ||
	    (r = parse_cap_set(caps, cp, "inheritable", &c->inheritable, err)) < 0 ||
	    (r = parse_cap_set(caps, cp, "permitted", &c->permitted, err)) < 0 ||
	    (r = parse_cap_set(caps, cp, "ambient", &c->ambient, err)) < 0)
		return r;
	return 0;
}

static int parse_rlimits(json_t *proc, const char *path, struct rt_process *p, struct pal_err *err)
{
	json_t *arr = NULL;
	char lp[RT_OCI_PATH_MAX], ip[RT_OCI_PATH_MAX];
	int r = rt_oci_array(proc, path, "rlimits", MAX_RLIMITS, &arr, err);
	if (r < 0 || !arr)
		return r;
	rt_oci_join(lp, path, "rlimits");
	p->n_rlimits = json_array_size(arr);
	p->rlimits = pal_xcalloc(p->n_rlimits, sizeof(*p->rlimits));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		struct rt_rlimit *rl = &p->rlimits[i];
		const char *type = NULL;
		rt_oci_index(ip, lp, i);
		if ((r = rt_oci_value_object(item, ip, err)) < 0 ||
		    (r = rt_oci_required(item, ip, "type", err)) < 0 ||
		    (r = rt_oci_required(item, ip, "soft", err)) < 0 ||
		    (r = rt_oci_required(item, ip, "hard", err)) < 0 ||
		    (r = rt_oci_string(item, ip, "type", &type, err)) < 0 ||
		    (r = rt_oci_u64(item, ip, "soft", &rl->soft, NULL, err)) < 0 ||
		    (r = rt_oci_u64(item, ip, "hard", &rl->hard, NULL, err)) < 0)
			return r;
		rl->resource = rt_oci_rlimit_from_name(type);
		if (rl->resource < 0)
			return rt_oci_fail(err,
					   "%s.type \"%.64s\": unknown resource (see getrlimit(2), "
					   "e.g. \"RLIMIT_NOFILE\")",
					   ip, type);
		if (rl->soft > rl->hard)
			return rt_oci_fail(
			    err, "%s: soft limit %llu is above the hard limit %llu for %s", ip,
			    (unsigned long long)rl->soft, (unsigned long long)rl->hard, type);
		for (size_t j = 0; j < i; j++)
			if (p->rlimits[j].resource == rl->resource)
				return rt_oci_fail(err, "%s: duplicate %s (also in %s[%zu])", ip,
						   type, lp, j);
	}
	return 0;
}

static int parse_lsm(json_t *proc, const char *path, struct rt_process *p, struct pal_err *err)
{
	char lp[RT_OCI_PATH_MAX];
	int r;
	if ((r = rt_oci_strdup(proc, path, "apparmorProfile", &p->apparmor_profile, err)) < 0 ||
	    (r = rt_oci_strdup(proc, path, "selinuxLabel", &p->selinux_label, err)) < 0)
		return r;
	if (p->apparmor_profile && *p->apparmor_profile)
		return rt_oci_fail(err,
				   "%s \"%.128s\": not supported on this runtime (no AppArmor); "
				   "remove it or leave it empty",
				   rt_oci_join(lp, path, "apparmorProfile"), p->apparmor_profile);
	if (p->selinux_label && *p->selinux_label)
		return rt_oci_fail(err,
				   "%s \"%.128s\": not supported on this runtime (no SELinux); "
				   "remove it or leave it empty",
				   rt_oci_join(lp, path, "selinuxLabel"), p->selinux_label);
	return 0;
}

int rt_oci_parse_process(json_t *obj, const char *path, struct rt_process *p, struct pal_err *err)
{
	int64_t oom = 0;
	bool has_oom = false;
	int r;
	if ((r = rt_oci_bool(obj, path, "terminal", &p->terminal, err)) < 0 ||
	    (r = parse_console_size(obj, path, p, err)) < 0 ||
	    (r = parse_user(obj, path, &p->user, err)) < 0 ||
	    (r = parse_args_env_cwd(obj, path, p, err)) < 0 ||
	    (r = parse_capabilities(obj, path, &p->caps, err)) < 0 ||
	    (r = parse_rlimits(obj, path, p, err)) < 0 ||
	    (r = rt_oci_bool(obj, path, "noNewPrivileges", &p->no_new_privileges, err)) < 0 ||
	    ((p->has_no_new_privileges = rt_oci_member(obj, "noNewPrivileges") != NULL), 0) ||
	    (r = rt_oci_int(obj, path, "oomScoreAdj", -1000, 1000, &oom, &has_oom, err)) < 0 ||
	    (r = parse_lsm(obj, path, p, err)) < 0 ||
	    (r = rt_oci_parse_scheduler(obj, path, p, err)) < 0 ||
	    (r = rt_oci_parse_io_priority(obj, path, p, err)) < 0 ||
	    (r = rt_oci_parse_cpu_affinity(obj, path, p, err)) < 0)
		return r;
	p->has_oom_score_adj = has_oom;
	p->oom_score_adj = (int)oom;
	return 0;
}

void rt_process_free(struct rt_process *p)
{
	if (!p)
		return;
	free(p->user.additional_gids);
	free(p->user.username);
	pal_strv_free(p->args);
	free(p->command_line);
	pal_strv_free(p->env);
	free(p->cwd);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	free(p->exec_cpu_affinity_initial);
	free(p->exec_cpu_affinity_final);
	memset(p, 0, sizeof(*p));
}

int rt_process_parse(const char *json_text, size_t len, const char *source_name,
		     struct rt_process *proc, struct pal_err *err)
{
	memset(proc, 0, sizeof(*proc));
	const char *name = source_name ? source_name : "process.json";
	_cleanup_json_ json_t *root = rt_oci_load(json_text, len, name, err);
	if (!root)
		return -(err && err->code ? err->code : EINVAL);
	int r = rt_oci_parse_process(root, "", proc, err);
	if (r < 0) {
		rt_process_free(proc);
		return pal_err_prefix(err, "%s", name);
	}
	return 0;
}
