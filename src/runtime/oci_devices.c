/* "linux.devices": device nodes to create in the container. Paths are kept
 * under /dev: a node elsewhere (over /etc/passwd, in a bind-mounted host
 * directory) is never what a legitimate config asks for. */
#include "oci_internal.h"

#include "common/strutil.h"

#include <string.h>
#include <sys/stat.h>

/* Duplicates are checked pairwise; real configs list a few dozen devices. */
#define MAX_DEVICES 4096u

static int parse_type(json_t *item, const char *ip, struct rt_device *d, struct pal_err *err)
{
	const char *type = NULL;
	int r;
	if ((r = rt_oci_required(item, ip, "type", err)) < 0 ||
	    (r = rt_oci_string(item, ip, "type", &type, err)) < 0)
		return r;
	if (strlen(type) != 1 || !strchr("cbup", type[0]))
		return rt_oci_fail(err,
				   "%s.type \"%.16s\": must be \"c\" (char), \"b\" (block), \"u\" "
				   "(unbuffered char) or \"p\" (FIFO)",
				   ip, type);
	d->type = type[0];
	return 0;
}

static int parse_numbers(json_t *item, const char *ip, struct rt_device *d, struct pal_err *err)
{
	int r;
	if (d->type != RT_DEV_FIFO) {
		if ((r = rt_oci_required(item, ip, "major", err)) < 0 ||
		    (r = rt_oci_required(item, ip, "minor", err)) < 0)
			return r;
	}
	if ((r = rt_oci_int(item, ip, "major", 0, UINT32_MAX, &d->major, NULL, err)) < 0 ||
	    (r = rt_oci_int(item, ip, "minor", 0, UINT32_MAX, &d->minor, NULL, err)) < 0)
		return r;
	int64_t v = 0;
	/* podman writes st_mode with its file-type bits (S_IFCHR|0600 = 8576), as Go's
	 * os.FileMode conversion does; they must agree with "type" and are dropped. */
	if ((r = rt_oci_int(item, ip, "fileMode", 0, S_IFMT | 07777, &v, &d->has_file_mode, err)) <
	    0)
		return r;
	mode_t fmt = (mode_t)v & S_IFMT;
	mode_t want = d->type == RT_DEV_BLOCK ? S_IFBLK : d->type == RT_DEV_FIFO ? S_IFIFO : S_IFCHR;
	if (fmt && fmt != want)
		return rt_oci_fail(err, "%s.fileMode %#llo: its file-type bits do not match type \"%c\"",
				   ip, (unsigned long long)v, d->type);
	d->file_mode = (uint32_t)v & 07777;
	if ((r = rt_oci_int(item, ip, "uid", 0, UINT32_MAX, &v, &d->has_uid, err)) < 0)
		return r;
	d->uid = (uint32_t)v;
	if ((r = rt_oci_int(item, ip, "gid", 0, UINT32_MAX, &v, &d->has_gid, err)) < 0)
		return r;
	d->gid = (uint32_t)v;
	return 0;
}

static int parse_device(json_t *item, const char *ip, struct rt_device *d, struct pal_err *err)
{
	char pp[RT_OCI_PATH_MAX];
	int r;
	if ((r = rt_oci_value_object(item, ip, err)) < 0 ||
	    (r = rt_oci_required(item, ip, "path", err)) < 0 ||
	    (r = rt_oci_strdup(item, ip, "path", &d->path, err)) < 0 ||
	    (r = rt_oci_container_path(d->path, rt_oci_join(pp, ip, "path"), err)) < 0)
		return r;
	if (!pal_str_starts_with(d->path, "/dev/"))
		return rt_oci_fail(err, "%s \"%.256s\": device nodes must be under /dev", pp,
				   d->path);
	if ((r = parse_type(item, ip, d, err)) < 0 || (r = parse_numbers(item, ip, d, err)) < 0)
		return r;
	return 0;
}

int rt_oci_parse_devices(json_t *lx, struct rt_config *cfg, struct pal_err *err)
{
	json_t *arr = NULL;
	char ip[RT_OCI_PATH_MAX];
	int r = rt_oci_array(lx, "linux", "devices", MAX_DEVICES, &arr, err);
	if (r < 0 || !arr)
		return r;
	cfg->n_devices = json_array_size(arr);
	cfg->devices = pal_xcalloc(cfg->n_devices, sizeof(*cfg->devices));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		rt_oci_index(ip, "linux.devices", i);
		if ((r = parse_device(item, ip, &cfg->devices[i], err)) < 0)
			return r;
		for (size_t j = 0; j < i; j++)
			if (strcmp(cfg->devices[j].path, cfg->devices[i].path) == 0)
				return rt_oci_fail(err,
						   "%s.path \"%.256s\": duplicate (also in "
						   "linux.devices[%zu])",
						   ip, cfg->devices[i].path, j);
	}
	return 0;
}

void rt_oci_free_devices(struct rt_config *cfg)
{
	for (size_t i = 0; i < cfg->n_devices; i++)
		free(cfg->devices[i].path);
	free(cfg->devices);
	cfg->devices = NULL;
	cfg->n_devices = 0;
}
