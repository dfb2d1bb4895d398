/* process.scheduler, process.ioPriority and process.execCPUAffinity: how
 * the container's processes are scheduled. Values the kernel would refuse
 * (a real-time priority of 0, SCHED_ISO) are refused here, with the path. */
#include "oci_internal.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <linux/ioprio.h>
#include <linux/sched.h>
#include <string.h>

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

int rt_oci_parse_scheduler(json_t *proc, const char *path, struct rt_process *p,
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

int rt_oci_parse_io_priority(json_t *proc, const char *path, struct rt_process *p,
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

int rt_oci_parse_cpu_affinity(json_t *proc, const char *path, struct rt_process *p,
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
