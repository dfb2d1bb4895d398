/* The "process" object: of config.json, and the whole of an `exec
 * --process` file. */
#include "oci_internal.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <errno.h>
#include <linux/ioprio.h>
#include <linux/sched.h>
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

static const struct {
	const char *name;
	int value; /* -1: named by the spec, absent from Linux */
} sched_policies[] = {
    {"SCHED_OTHER", SCHED_NORMAL},	{"SCHED_FIFO", SCHED_FIFO}, {"SCHED_RR", SCHED_RR},
    {"SCHED_BATCH", SCHED_BATCH},	{"SCHED_ISO", -1},	    {"SCHED_IDLE", SCHED_IDLE},
    {"SCHED_DEADLINE", SCHED_DEADLINE},
};

static const struct {
	const char *name;
	uint64_t bit;
} sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", SCHED_FLAG_RESET_ON_FORK},
    {"SCHED_FLAG_RECLAIM", SCHED_FLAG_RECLAIM},
    {"SCHED_FLAG_DL_OVERRUN", SCHED_FLAG_DL_OVERRUN},
    {"SCHED_FLAG_KEEP_POLICY", SCHED_FLAG_KEEP_POLICY},
    {"SCHED_FLAG_KEEP_PARAMS", SCHED_FLAG_KEEP_PARAMS},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", SCHED_FLAG_UTIL_CLAMP_MIN},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", SCHED_FLAG_UTIL_CLAMP_MAX},
};

static int parse_sched_policy(json_t *s, const char *sp, struct rt_process *p, struct pal_err *err)
{
	const char *policy = NULL;
	int r;
	if ((r = rt_oci_required(s, sp, "policy", err)) < 0 ||
	    (r = rt_oci_string(s, sp, "policy", &policy, err)) < 0)
		return r;
	for (size_t i = 0; i < PAL_ARRAY_SIZE(sched_policies); i++) {
		if (strcmp(sched_policies[i].name, policy) != 0)
			continue;
		if (sched_policies[i].value < 0)
			return rt_oci_fail(err, "%s.policy \"%s\": not implemented by Linux", sp,
					   policy);
		p->scheduler.policy = sched_policies[i].value;
		return 0;
	}
	return rt_oci_fail(err,
			   "%s.policy \"%.64s\": unknown policy (SCHED_OTHER, SCHED_FIFO, "
			   "SCHED_RR, SCHED_BATCH, SCHED_IDLE or SCHED_DEADLINE)",
			   sp, policy);
}

static int parse_sched_flags(json_t *s, const char *sp, struct rt_process *p, struct pal_err *err)
{
	_cleanup_strv_ char **flags = NULL;
	int r = rt_oci_strv(s, sp, "flags", 64, &flags, err);
	for (size_t i = 0; r == 0 && flags && flags[i]; i++) {
		size_t k = 0;
		while (k < PAL_ARRAY_SIZE(sched_flags) && strcmp(sched_flags[k].name, flags[i]))
			k++;
		if (k == PAL_ARRAY_SIZE(sched_flags))
			return rt_oci_fail(err, "%s.flags[%zu] \"%.64s\": unknown scheduler flag",
					   sp, i, flags[i]);
		p->scheduler.flags |= sched_flags[k].bit;
	}
	return r;
}

static int check_sched_values(const char *sp, struct rt_process *p, struct pal_err *err)
{
	int pol = p->scheduler.policy;
	bool rt = pol == SCHED_FIFO || pol == SCHED_RR;
	if (rt && (p->scheduler.priority < 1 || p->scheduler.priority > 99))
		return rt_oci_fail(err,
				   "%s.priority: must be between 1 and 99 for SCHED_FIFO "
				   "and SCHED_RR",
				   sp);
	if (!rt && p->scheduler.priority != 0)
		return rt_oci_fail(err,
				   "%s.priority: only SCHED_FIFO and SCHED_RR take a "
				   "priority; leave it 0",
				   sp);
	bool dl = pol == SCHED_DEADLINE;
	if (!dl && (p->scheduler.runtime || p->scheduler.deadline || p->scheduler.period))
		return rt_oci_fail(err,
				   "%s: runtime, deadline and period apply only to "
				   "SCHED_DEADLINE",
				   sp);
	if (dl && (p->scheduler.runtime == 0 || p->scheduler.runtime > p->scheduler.deadline ||
		   (p->scheduler.period && p->scheduler.deadline > p->scheduler.period)))
		return rt_oci_fail(err,
				   "%s: SCHED_DEADLINE needs 0 < runtime <= deadline <= "
				   "period (period 0 means deadline)",
				   sp);
	return 0;
}

static int parse_scheduler(json_t *proc, const char *path, struct rt_process *p,
			   struct pal_err *err)
{
	json_t *s = NULL;
	char sp[RT_OCI_PATH_MAX];
	int r = rt_oci_object(proc, path, "scheduler", &s, err);
	if (r < 0 || !s)
		return r;
	rt_oci_join(sp, path, "scheduler");
	p->has_scheduler = true;
	int64_t nice = 0, prio = 0;
	if ((r = parse_sched_policy(s, sp, p, err)) < 0 ||
	    (r = rt_oci_int(s, sp, "nice", -20, 19, &nice, NULL, err)) < 0 ||
	    (r = rt_oci_int(s, sp, "priority", INT32_MIN, INT32_MAX, &prio, NULL, err)) < 0 ||
	    (r = parse_sched_flags(s, sp, p, err)) < 0 ||
	    (r = rt_oci_u64(s, sp, "runtime", &p->scheduler.runtime, NULL, err)) < 0 ||
	    (r = rt_oci_u64(s, sp, "deadline", &p->scheduler.deadline, NULL, err)) < 0 ||
	    (r = rt_oci_u64(s, sp, "period", &p->scheduler.period, NULL, err)) < 0)
		return r;
	p->scheduler.nice = (int)nice;
	p->scheduler.priority = (int)prio;
	return check_sched_values(sp, p, err);
}

static int parse_io_priority(json_t *proc, const char *path, struct rt_process *p,
			     struct pal_err *err)
{
	json_t *io = NULL;
	char ip[RT_OCI_PATH_MAX];
	int r = rt_oci_object(proc, path, "ioPriority", &io, err);
	if (r < 0 || !io)
		return r;
	rt_oci_join(ip, path, "ioPriority");
	const char *cls = NULL;
	int64_t prio = 0;
	if ((r = rt_oci_required(io, ip, "class", err)) < 0 ||
	    (r = rt_oci_string(io, ip, "class", &cls, err)) < 0 ||
	    (r = rt_oci_int(io, ip, "priority", 0, 7, &prio, NULL, err)) < 0)
		return r;
	if (strcmp(cls, "IOPRIO_CLASS_RT") == 0)
		p->io_priority.class_ = IOPRIO_CLASS_RT;
	else if (strcmp(cls, "IOPRIO_CLASS_BE") == 0)
		p->io_priority.class_ = IOPRIO_CLASS_BE;
	else if (strcmp(cls, "IOPRIO_CLASS_IDLE") == 0)
		p->io_priority.class_ = IOPRIO_CLASS_IDLE;
	else
		return rt_oci_fail(err,
				   "%s.class \"%.64s\": unknown class (IOPRIO_CLASS_RT, "
				   "IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE)",
				   ip, cls);
	p->has_io_priority = true;
	p->io_priority.priority = (int)prio;
	return 0;
}

static int parse_cpu_affinity(json_t *proc, const char *path, struct rt_process *p,
			      struct pal_err *err)
{
	json_t *aff = NULL;
	char ap[RT_OCI_PATH_MAX];
	int r = rt_oci_object(proc, path, "execCPUAffinity", &aff, err);
	if (r < 0 || !aff)
		return r;
	rt_oci_join(ap, path, "execCPUAffinity");
	if ((r = rt_oci_strdup(aff, ap, "initial", &p->exec_cpu_affinity_initial, err)) < 0 ||
	    (r = rt_oci_strdup(aff, ap, "final", &p->exec_cpu_affinity_final, err)) < 0)
		return r;
	if (p->exec_cpu_affinity_initial && !rt_oci_valid_cpu_list(p->exec_cpu_affinity_initial))
		return rt_oci_fail(err, "%s.initial \"%.128s\": must be a CPU list like \"0-3,7\"",
				   ap, p->exec_cpu_affinity_initial);
	if (p->exec_cpu_affinity_final && !rt_oci_valid_cpu_list(p->exec_cpu_affinity_final))
		return rt_oci_fail(err, "%s.final \"%.128s\": must be a CPU list like \"0-3,7\"",
				   ap, p->exec_cpu_affinity_final);
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
	    (r = rt_oci_int(obj, path, "oomScoreAdj", -1000, 1000, &oom, &has_oom, err)) < 0 ||
	    (r = parse_lsm(obj, path, p, err)) < 0 ||
	    (r = parse_scheduler(obj, path, p, err)) < 0 ||
	    (r = parse_io_priority(obj, path, p, err)) < 0 ||
	    (r = parse_cpu_affinity(obj, path, p, err)) < 0)
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
