/* linux.resources, part two: block I/O, huge pages, network classes and
 * priorities, RDMA, and cgroup v2 "unified" files. Names that end up in
 * cgroup files are checked so they cannot add lines or climb directories. */
#include "oci_internal.h"

#include "common/strutil.h"

#include <stdio.h>
#include <string.h>

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

int rt_oci_parse_res_block_io(json_t *res, const char *path, struct rt_resources *rs,
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

int rt_oci_parse_res_hugepages(json_t *res, const char *path, struct rt_resources *rs,
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

int rt_oci_parse_res_network(json_t *res, const char *path, struct rt_resources *rs,
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

int rt_oci_parse_res_rdma(json_t *res, const char *path, struct rt_resources *rs,
			  struct pal_err *err)
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

int rt_oci_parse_res_unified(json_t *res, const char *path, struct rt_resources *rs,
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
