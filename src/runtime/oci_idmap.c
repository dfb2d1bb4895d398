/* uidMappings/gidMappings (of linux and of idmapped mounts), checked the way
 * the kernel checks /proc/PID/uid_map, so mistakes surface at parse time
 * with the JSON path instead of as EINVAL from a write deep in create. */
#include "oci_internal.h"

#include "common/strutil.h"

static bool ranges_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

static int check_mapping(const struct rt_id_mapping *maps, size_t i, const char *ip, const char *lp,
			 struct pal_err *err)
{
	const struct rt_id_mapping *m = &maps[i];
	if (m->size == 0)
		return rt_oci_fail(err, "%s.size: must be at least 1", ip);
	if ((uint64_t)m->container_id + m->size - 1 > UINT32_MAX)
		return rt_oci_fail(err, "%s: containerID %u + size %u goes past 4294967295", ip,
				   m->container_id, m->size);
	if ((uint64_t)m->host_id + m->size - 1 > UINT32_MAX)
		return rt_oci_fail(err, "%s: hostID %u + size %u goes past 4294967295", ip,
				   m->host_id, m->size);
	for (size_t j = 0; j < i; j++) {
		const struct rt_id_mapping *o = &maps[j];
		if (ranges_overlap(m->container_id, m->size, o->container_id, o->size))
			return rt_oci_fail(err, "%s: container IDs overlap with %s[%zu]", ip, lp,
					   j);
		if (ranges_overlap(m->host_id, m->size, o->host_id, o->size))
			return rt_oci_fail(err, "%s: host IDs overlap with %s[%zu]", ip, lp, j);
	}
	return 0;
}

int rt_oci_parse_id_mappings(json_t *obj, const char *path, const char *key,
			     struct rt_id_mapping **out, size_t *n, struct pal_err *err)
{
	json_t *arr = NULL;
	char lp[RT_OCI_PATH_MAX], ip[RT_OCI_PATH_MAX];
	int r = rt_oci_array(obj, path, key, RT_OCI_MAX_ID_MAPPINGS, &arr, err);
	if (r < 0 || !arr)
		return r;
	rt_oci_join(lp, path, key);
	*n = json_array_size(arr);
	*out = pal_xcalloc(*n, sizeof(**out));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		int64_t c = 0, h = 0, s = 0;
		rt_oci_index(ip, lp, i);
		if ((r = rt_oci_value_object(item, ip, err)) < 0 ||
		    (r = rt_oci_required(item, ip, "containerID", err)) < 0 ||
		    (r = rt_oci_required(item, ip, "hostID", err)) < 0 ||
		    (r = rt_oci_required(item, ip, "size", err)) < 0 ||
		    (r = rt_oci_int(item, ip, "containerID", 0, UINT32_MAX, &c, NULL, err)) < 0 ||
		    (r = rt_oci_int(item, ip, "hostID", 0, UINT32_MAX, &h, NULL, err)) < 0 ||
		    (r = rt_oci_int(item, ip, "size", 0, UINT32_MAX, &s, NULL, err)) < 0)
			return r;
		(*out)[i] = (struct rt_id_mapping){(uint32_t)c, (uint32_t)h, (uint32_t)s};
		if ((r = check_mapping(*out, i, ip, lp, err)) < 0)
			return r;
	}
	return 0;
}
