/* "linux.resources": cgroup limits. Values are checked for range and shape
 * here; whether the host's controllers can apply them is the cgroup code's
 * business. */
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

static int parse_dev_numbers(json_t *item, const char *ip, int64_t *major, int64_t *minor,
			     struct pal_err *err)
{
	int r;
	if ((r = rt_oci_value_object(item, ip, err)) < 0 ||
	    (r = rt_oci_required(item, ip, "major", err)) < 0 ||
	    (r = rt_oci_required(item, ip, "minor", err)) < 0 ||
	    (r = rt_oci_int(item, ip, "major", 0, UINT32_MAX, major, NULL, err)) < 0 ||
	    (r = rt_oci_int(item, ip, "minor", 0, UINT32_MAX, minor, NULL, err)) < 0)
		return r;
	return 0;
}

static int parse_weight_devices(json_t *bio, const char *bp,
				typeof(((struct rt_resources *)0)->block_io) *b,
				struct pal_err *err)
{
	json_t *arr = NULL;
	char lp[RT_OCI_PATH_MAX], ip[RT_OCI_PATH_MAX];
	int r = rt_oci_array(bio, bp, "weightDevice", RT_OCI_MAX_ITEMS, &arr, err);
	if (r < 0 || !arr)
		return r;
	rt_oci_join(lp, bp, "weightDevice");
	b->n_weight_device = json_array_size(arr);
	b->weight_device = pal_xcalloc(b->n_weight_device, sizeof(*b->weight_device));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		struct rt_weight_device *w = &b->weight_device[i];
		int64_t v = 0;
		rt_oci_index(ip, lp, i);
		if ((r = parse_dev_numbers(item, ip, &w->major, &w->minor, err)) < 0 ||
		    (r = rt_oci_int(item, ip, "weight", 0, UINT16_MAX, &v, &w->has_weight, err)) <
			0)
			return r;
		w->weight = (uint16_t)v;
		if ((r = rt_oci_int(item, ip, "leafWeight", 0, UINT16_MAX, &v, &w->has_leaf_weight,
				    err)) < 0)
			return r;
		w->leaf_weight = (uint16_t)v;
		if (!w->has_weight && !w->has_leaf_weight)
			return rt_oci_fail(err, "%s: needs weight, leafWeight or both", ip);
	}
	return 0;
}

static int parse_throttle(json_t *bio, const char *bp, const char *key,
			  struct rt_throttle_device **out, size_t *n, struct pal_err *err)
{
	json_t *arr = NULL;
	char lp[RT_OCI_PATH_MAX], ip[RT_OCI_PATH_MAX];
	int r = rt_oci_array(bio, bp, key, RT_OCI_MAX_ITEMS, &arr, err);
	if (r < 0 || !arr)
		return r;
	rt_oci_join(lp, bp, key);
	*n = json_array_size(arr);
	*out = pal_xcalloc(*n, sizeof(**out));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		struct rt_throttle_device *t = &(*out)[i];
		rt_oci_index(ip, lp, i);
		if ((r = parse_dev_numbers(item, ip, &t->major, &t->minor, err)) < 0 ||
		    (r = rt_oci_required(item, ip, "rate", err)) < 0 ||
		    (r = rt_oci_u64(item, ip, "rate", &t->rate, NULL, err)) < 0)
			return r;
	}
	return 0;
}

static int parse_block_io(json_t *res, const char *path, struct rt_resources *rs,
			  struct pal_err *err)
{
	json_t *bio = NULL;
	char bp[RT_OCI_PATH_MAX];
	int r = rt_oci_object(res, path, "blockIO", &bio, err);
	if (r < 0 || !bio)
		return r;
	rt_oci_join(bp, path, "blockIO");
	typeof(rs->block_io) *b = &rs->block_io;
	int64_t v = 0;
	if ((r = rt_oci_int(bio, bp, "weight", 0, UINT16_MAX, &v, &b->has_weight, err)) < 0)
		return r;
	b->weight = (uint16_t)v;
	if ((r = rt_oci_int(bio, bp, "leafWeight", 0, UINT16_MAX, &v, &b->has_leaf_weight, err)) <
	    0)
		return r;
	b->leaf_weight = (uint16_t)v;
	if ((r = parse_weight_devices(bio, bp, b, err)) < 0 ||
	    (r = parse_throttle(bio, bp, "throttleReadBpsDevice", &b->throttle_read_bps,
				&b->n_throttle_read_bps, err)) < 0 ||
	    (r = parse_throttle(bio, bp, "throttleWriteBpsDevice", &b->throttle_write_bps,
				&b->n_throttle_write_bps, err)) < 0 ||
	    (r = parse_throttle(bio, bp, "throttleReadIOPSDevice", &b->throttle_read_iops,
				&b->n_throttle_read_iops, err)) < 0 ||
	    (r = parse_throttle(bio, bp, "throttleWriteIOPSDevice", &b->throttle_write_iops,
				&b->n_throttle_write_iops, err)) < 0)
		return r;
	return 0;
}

/* "<digits><unit>B" with unit K, M, G, T or P (or none): the <hugepagesize>
 * part of hugetlb.<hugepagesize>.limit_in_bytes. */
static bool valid_page_size(const char *s)
{
	size_t digits = strspn(s, "0123456789");
	if (digits == 0 || digits > 10 || s[0] == '0')
		return false;
	s += digits;
	if (*s && strchr("KMGTP", *s))
		s++;
	return strcmp(s, "B") == 0;
}

static int parse_hugepages(json_t *res, const char *path, struct rt_resources *rs,
			   struct pal_err *err)
{
	json_t *arr = NULL;
	char lp[RT_OCI_PATH_MAX], ip[RT_OCI_PATH_MAX];
	int r = rt_oci_array(res, path, "hugepageLimits", 64, &arr, err);
	if (r < 0 || !arr)
		return r;
	rt_oci_join(lp, path, "hugepageLimits");
	rs->n_hugepage_limits = json_array_size(arr);
	rs->hugepage_limits = pal_xcalloc(rs->n_hugepage_limits, sizeof(*rs->hugepage_limits));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		struct rt_hugepage_limit *h = &rs->hugepage_limits[i];
		rt_oci_index(ip, lp, i);
		if ((r = rt_oci_value_object(item, ip, err)) < 0 ||
		    (r = rt_oci_required(item, ip, "pageSize", err)) < 0 ||
		    (r = rt_oci_required(item, ip, "limit", err)) < 0 ||
		    (r = rt_oci_strdup(item, ip, "pageSize", &h->page_size, err)) < 0 ||
		    (r = rt_oci_u64(item, ip, "limit", &h->limit, NULL, err)) < 0)
			return r;
		if (!valid_page_size(h->page_size))
			return rt_oci_fail(
			    err, "%s.pageSize \"%.32s\": must look like \"2MB\" or \"1GB\"", ip,
			    h->page_size);
	}
	return 0;
}

/* Interface and RDMA device names end up in cgroup files as the first word
 * of a line: no whitespace, no slashes. */
static bool valid_device_name(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n > 0 && n <= max && strcspn(s, " \t\n/") == n;
}

static int parse_network(json_t *res, const char *path, struct rt_resources *rs,
			 struct pal_err *err)
{
	json_t *net = NULL, *arr = NULL;
	char np[RT_OCI_PATH_MAX], lp[RT_OCI_PATH_MAX], ip[RT_OCI_PATH_MAX];
	int r = rt_oci_object(res, path, "network", &net, err);
	if (r < 0 || !net)
		return r;
	rt_oci_join(np, path, "network");
	int64_t v = 0;
	if ((r = rt_oci_int(net, np, "classID", 0, UINT32_MAX, &v, &rs->network.has_class_id,
			    err)) < 0)
		return r;
	rs->network.class_id = (uint32_t)v;
	if ((r = rt_oci_array(net, np, "priorities", RT_OCI_MAX_ITEMS, &arr, err)) < 0 || !arr)
		return r;
	rt_oci_join(lp, np, "priorities");
	rs->network.n_priorities = json_array_size(arr);
	rs->network.priorities = pal_xcalloc(rs->network.n_priorities, sizeof(struct rt_kv));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		const char *name = NULL;
		rt_oci_index(ip, lp, i);
		if ((r = rt_oci_value_object(item, ip, err)) < 0 ||
		    (r = rt_oci_required(item, ip, "name", err)) < 0 ||
		    (r = rt_oci_required(item, ip, "priority", err)) < 0 ||
		    (r = rt_oci_string(item, ip, "name", &name, err)) < 0 ||
		    (r = rt_oci_int(item, ip, "priority", 0, UINT32_MAX, &v, NULL, err)) < 0)
			return r;
		if (!valid_device_name(name, 15))
			return rt_oci_fail(err, "%s.name \"%.32s\": not a network interface name",
					   ip, name);
		rs->network.priorities[i].key = pal_xstrdup(name);
		rs->network.priorities[i].value = pal_xasprintf("%lld", (long long)v);
	}
	return 0;
}

static int parse_rdma(json_t *res, const char *path, struct rt_resources *rs, struct pal_err *err)
{
	json_t *map = NULL;
	char mp[RT_OCI_PATH_MAX], ep[RT_OCI_PATH_MAX];
	int r = rt_oci_object(res, path, "rdma", &map, err);
	if (r < 0 || !map)
		return r;
	rt_oci_join(mp, path, "rdma");
	if (json_object_size(map) > RT_OCI_MAX_ITEMS)
		return rt_oci_fail(err, "%s: too many devices", mp);
	rs->n_rdma = json_object_size(map);
	rs->rdma = pal_xcalloc(rs->n_rdma, sizeof(*rs->rdma));
	size_t i = 0;
	const char *dev;
	json_t *v;
	json_object_foreach(map, dev, v)
	{
		int64_t handles = 0, objects = 0;
		bool has_h = false, has_o = false;
		snprintf(ep, sizeof(ep), "%s[\"%.64s\"]", mp, dev);
		if (!valid_device_name(dev, 64))
			return rt_oci_fail(err, "%s: not an RDMA device name", ep);
		if ((r = rt_oci_value_object(v, ep, err)) < 0 ||
		    (r = rt_oci_int(v, ep, "hcaHandles", 0, UINT32_MAX, &handles, &has_h, err)) <
			0 ||
		    (r = rt_oci_int(v, ep, "hcaObjects", 0, UINT32_MAX, &objects, &has_o, err)) < 0)
			return r;
		if (!has_h && !has_o)
			return rt_oci_fail(err, "%s: needs hcaHandles, hcaObjects or both", ep);
		struct pal_buf b;
		pal_buf_init(&b);
		if (has_h)
			pal_buf_printf(&b, "hca_handle=%lld", (long long)handles);
		if (has_o)
			pal_buf_printf(&b, "%shca_object=%lld", has_h ? " " : "",
				       (long long)objects);
		rs->rdma[i].key = pal_xstrdup(dev);
		rs->rdma[i].value = pal_buf_steal(&b);
		i++;
	}
	return 0;
}

static int parse_unified(json_t *res, const char *path, struct rt_resources *rs,
			 struct pal_err *err)
{
	char up[RT_OCI_PATH_MAX];
	int r = rt_oci_string_map(res, path, "unified", RT_OCI_MAX_ITEMS, &rs->unified,
				  &rs->n_unified, err);
	if (r < 0)
		return r;
	rt_oci_join(up, path, "unified");
	for (size_t i = 0; i < rs->n_unified; i++) {
		const char *k = rs->unified[i].key;
		/* A file of the container's own cgroup: "<controller>.<knob>". */
		const char *dot = strchr(k, '.');
		if (strchr(k, '/') || !dot || dot == k || !dot[1] || strchr(k, '\n'))
			return rt_oci_fail(err,
					   "%s[\"%.128s\"]: must name a cgroup file like "
					   "\"memory.max\" (no slashes)",
					   up, k);
	}
	return 0;
}

int rt_oci_parse_resources(json_t *res, const char *path, struct rt_resources *rs,
			   struct pal_err *err)
{
	int r;
	if ((r = parse_device_rules(res, path, rs, err)) < 0 ||
	    (r = parse_memory(res, path, rs, err)) < 0 || (r = parse_cpu(res, path, rs, err)) < 0 ||
	    (r = parse_pids(res, path, rs, err)) < 0 ||
	    (r = parse_block_io(res, path, rs, err)) < 0 ||
	    (r = parse_hugepages(res, path, rs, err)) < 0 ||
	    (r = parse_network(res, path, rs, err)) < 0 ||
	    (r = parse_rdma(res, path, rs, err)) < 0 || (r = parse_unified(res, path, rs, err)) < 0)
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
