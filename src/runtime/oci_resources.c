/* "linux.resources": cgroup limits. Values are checked for range and shape
 * here; whether the host's controllers can apply them is the cgroup code's
 * business. This file: device rules, memory, cpu, pids, and the whole;
 * oci_resources_io.c has the rest. */
#include "oci_internal.h"

#include "common/strutil.h"

#include <stdio.h>
#include <string.h>

static int parse_device_rule(json_t *item, const char *ip, struct rt_device_rule *d,
			     struct pal_err *err)
{
	const char *type = NULL, *access = NULL;
	int r;
	d->major = d->minor = -1;
	if ((r = rt_oci_value_object(item, ip, err)) < 0 ||
	    (r = rt_oci_required(item, ip, "allow", err)) < 0 ||
	    (r = rt_oci_bool(item, ip, "allow", &d->allow, err)) < 0 ||
	    (r = rt_oci_string(item, ip, "type", &type, err)) < 0 ||
	    (r = rt_oci_int(item, ip, "major", -1, UINT32_MAX, &d->major, NULL, err)) < 0 ||
	    (r = rt_oci_int(item, ip, "minor", -1, UINT32_MAX, &d->minor, NULL, err)) < 0 ||
	    (r = rt_oci_string(item, ip, "access", &access, err)) < 0)
		return r;
	d->type = 'a';
	if (type && *type) {
		if (strlen(type) != 1 || !strchr("acb", type[0]))
			return rt_oci_fail(
			    err,
			    "%s.type \"%.16s\": must be \"a\" (all), \"c\" (char) or "
			    "\"b\" (block)",
			    ip, type);
		d->type = type[0];
	}
	if (!access || !*access)
		access = "rwm";
	size_t n = strlen(access);
	bool seen[3] = {false, false, false};
	for (size_t i = 0; i < n; i++) {
		const char *k = strchr("rwm", access[i]);
		if (n > 3 || !access[i] || !k || seen[k - "rwm"])
			return rt_oci_fail(err,
					   "%s.access \"%.16s\": must combine r, w and m, each at "
					   "most once",
					   ip, access);
		seen[k - "rwm"] = true;
	}
	memcpy(d->access, access, n + 1);
	return 0;
}

static int parse_device_rules(json_t *res, const char *path, struct rt_resources *rs,
			      struct pal_err *err)
{
	json_t *arr = NULL;
	char lp[RT_OCI_PATH_MAX], ip[RT_OCI_PATH_MAX];
	int r = rt_oci_array(res, path, "devices", RT_OCI_MAX_ITEMS, &arr, err);
	if (r < 0 || !arr)
		return r;
	rt_oci_join(lp, path, "devices");
	rs->n_devices = json_array_size(arr);
	rs->devices = pal_xcalloc(rs->n_devices, sizeof(*rs->devices));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		if ((r = parse_device_rule(item, rt_oci_index(ip, lp, i), &rs->devices[i], err)) <
		    0)
			return r;
	}
	return 0;
}

/* Present boolean members set *has. */
static int opt_bool(json_t *obj, const char *path, const char *key, bool *has, bool *out,
		    struct pal_err *err)
{
	*has = rt_oci_member(obj, key) != NULL;
	return rt_oci_bool(obj, path, key, out, err);
}

static int parse_memory(json_t *res, const char *path, struct rt_resources *rs, struct pal_err *err)
{
	json_t *m = NULL;
	char mp[RT_OCI_PATH_MAX];
	int r = rt_oci_object(res, path, "memory", &m, err);
	if (r < 0 || !m)
		return r;
	rt_oci_join(mp, path, "memory");
	typeof(rs->memory) *mem = &rs->memory;
	if ((r = rt_oci_int(m, mp, "limit", -1, INT64_MAX, &mem->limit, &mem->has_limit, err)) <
		0 ||
	    (r = rt_oci_int(m, mp, "reservation", -1, INT64_MAX, &mem->reservation,
			    &mem->has_reservation, err)) < 0 ||
	    (r = rt_oci_int(m, mp, "swap", -1, INT64_MAX, &mem->swap, &mem->has_swap, err)) < 0 ||
	    (r = rt_oci_int(m, mp, "kernel", -1, INT64_MAX, &mem->kernel, &mem->has_kernel, err)) <
		0 ||
	    (r = rt_oci_int(m, mp, "kernelTCP", -1, INT64_MAX, &mem->kernel_tcp,
			    &mem->has_kernel_tcp, err)) < 0 ||
	    (r = rt_oci_u64(m, mp, "swappiness", &mem->swappiness, &mem->has_swappiness, err)) <
		0 ||
	    (r = opt_bool(m, mp, "disableOOMKiller", &mem->has_disable_oom_killer,
			  &mem->disable_oom_killer, err)) < 0 ||
	    (r = opt_bool(m, mp, "useHierarchy", &mem->has_use_hierarchy, &mem->use_hierarchy,
			  err)) < 0 ||
	    (r = opt_bool(m, mp, "checkBeforeUpdate", &mem->has_check_before_update,
			  &mem->check_before_update, err)) < 0)
		return r;
	/* Go clients write -1 ("leave it") into the uint64 as 2^64-1. */
	if (mem->has_swappiness && mem->swappiness == UINT64_MAX)
		mem->has_swappiness = false;
	if (mem->has_swappiness && mem->swappiness > 100)
		return rt_oci_fail(err, "%s.swappiness: must be between 0 and 100", mp);
	if (mem->has_limit && mem->has_swap && mem->limit > 0 && mem->swap > 0 &&
	    mem->swap < mem->limit)
		return rt_oci_fail(err,
				   "%s.swap: %lld is below limit %lld (swap is memory+swap, so it "
				   "must be at least the limit)",
				   mp, (long long)mem->swap, (long long)mem->limit);
	return 0;
}

static int parse_cpu(json_t *res, const char *path, struct rt_resources *rs, struct pal_err *err)
{
	json_t *c = NULL;
	char cp[RT_OCI_PATH_MAX];
	int r = rt_oci_object(res, path, "cpu", &c, err);
	if (r < 0 || !c)
		return r;
	rt_oci_join(cp, path, "cpu");
	typeof(rs->cpu) *cpu = &rs->cpu;
	if ((r = rt_oci_u64(c, cp, "shares", &cpu->shares, &cpu->has_shares, err)) < 0 ||
	    (r = rt_oci_int(c, cp, "quota", -1, INT64_MAX, &cpu->quota, &cpu->has_quota, err)) <
		0 ||
	    (r = rt_oci_u64(c, cp, "burst", &cpu->burst, &cpu->has_burst, err)) < 0 ||
	    (r = rt_oci_u64(c, cp, "period", &cpu->period, &cpu->has_period, err)) < 0 ||
	    (r = rt_oci_int(c, cp, "realtimeRuntime", -1, INT64_MAX, &cpu->realtime_runtime,
			    &cpu->has_realtime_runtime, err)) < 0 ||
	    (r = rt_oci_u64(c, cp, "realtimePeriod", &cpu->realtime_period,
			    &cpu->has_realtime_period, err)) < 0 ||
	    (r = rt_oci_int(c, cp, "idle", 0, 1, &cpu->idle, &cpu->has_idle, err)) < 0 ||
	    (r = rt_oci_strdup(c, cp, "cpus", &cpu->cpus, err)) < 0 ||
	    (r = rt_oci_strdup(c, cp, "mems", &cpu->mems, err)) < 0)
		return r;
	if (cpu->has_burst && cpu->has_quota && cpu->quota > 0 && cpu->burst > (uint64_t)cpu->quota)
		return rt_oci_fail(err, "%s.burst: %llu is above quota %lld", cp,
				   (unsigned long long)cpu->burst, (long long)cpu->quota);
	if (cpu->cpus && !rt_oci_valid_cpu_list(cpu->cpus))
		return rt_oci_fail(err, "%s.cpus \"%.128s\": must be a CPU list like \"0-3,7\"", cp,
				   cpu->cpus);
	if (cpu->mems && !rt_oci_valid_cpu_list(cpu->mems))
		return rt_oci_fail(err, "%s.mems \"%.128s\": must be a node list like \"0-1\"", cp,
				   cpu->mems);
	return 0;
}

static int parse_pids(json_t *res, const char *path, struct rt_resources *rs, struct pal_err *err)
{
	json_t *p = NULL;
	char pp[RT_OCI_PATH_MAX];
	int r = rt_oci_object(res, path, "pids", &p, err);
	if (r < 0 || !p)
		return r;
	rt_oci_join(pp, path, "pids");
	if ((r = rt_oci_required(p, pp, "limit", err)) < 0)
		return r;
	return rt_oci_int(p, pp, "limit", INT64_MIN, INT64_MAX, &rs->pids.limit,
			  &rs->pids.has_limit, err);
}

int rt_oci_parse_resources(json_t *res, const char *path, struct rt_resources *rs,
			   struct pal_err *err)
{
	int r;
	if ((r = parse_device_rules(res, path, rs, err)) < 0 ||
	    (r = parse_memory(res, path, rs, err)) < 0 || (r = parse_cpu(res, path, rs, err)) < 0 ||
	    (r = parse_pids(res, path, rs, err)) < 0 ||
	    (r = rt_oci_parse_res_block_io(res, path, rs, err)) < 0 ||
	    (r = rt_oci_parse_res_hugepages(res, path, rs, err)) < 0 ||
	    (r = rt_oci_parse_res_network(res, path, rs, err)) < 0 ||
	    (r = rt_oci_parse_res_rdma(res, path, rs, err)) < 0 ||
	    (r = rt_oci_parse_res_unified(res, path, rs, err)) < 0)
		return r;
	return 0;
}

void rt_oci_free_kv(struct rt_kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void rt_oci_free_resources(struct rt_resources *rs)
{
	free(rs->devices);
	free(rs->cpu.cpus);
	free(rs->cpu.mems);
	free(rs->block_io.weight_device);
	free(rs->block_io.throttle_read_bps);
	free(rs->block_io.throttle_write_bps);
	free(rs->block_io.throttle_read_iops);
	free(rs->block_io.throttle_write_iops);
	for (size_t i = 0; i < rs->n_hugepage_limits; i++)
		free(rs->hugepage_limits[i].page_size);
	free(rs->hugepage_limits);
	rt_oci_free_kv(rs->network.priorities, rs->network.n_priorities);
	rt_oci_free_kv(rs->rdma, rs->n_rdma);
	rt_oci_free_kv(rs->unified, rs->n_unified);
	memset(rs, 0, sizeof(*rs));
}
