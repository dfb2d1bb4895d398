/* OCI resource values → cgroup file values, shared by the v1 and v2 writers.
 * The conversions follow runc and crun so a container gets the same limits
 * whichever runtime podman or containerd picks. */
#include "cgroup_internal.h"

#include "common/strutil.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int cg_val_memory(int64_t v, bool v2, const char *field, char buf[CG_VAL_MAX], struct pal_err *err)
{
	if (v == 0)
		return 1; /* 0 means "not set" to runc and Docker */
	if (v == -1) {
		snprintf(buf, CG_VAL_MAX, "%s", v2 ? "max" : "-1");
		return 0;
	}
	if (v < 0)
		return pal_err_set(err, EINVAL,
				   "%s: %" PRId64 " is not a byte count (use -1 for unlimited)",
				   field, v);
	snprintf(buf, CG_VAL_MAX, "%" PRId64, v);
	return 0;
}

/* OCI's swap is memory+swap; cgroup v2's memory.swap.max is swap alone. */
int cg_val_swap_v2(bool has_limit, int64_t limit, bool has_swap, int64_t swap, char buf[CG_VAL_MAX],
		   struct pal_err *err)
{
	const char *field = "linux.resources.memory.swap";
	int64_t mem = has_limit ? limit : 0;
	int64_t sw = has_swap ? swap : 0;
	/* Unlimited memory with swap unset: both unlimited, like cgroup v1. */
	if (mem == -1 && sw == 0) {
		snprintf(buf, CG_VAL_MAX, "max");
		return 0;
	}
	if (sw == -1) {
		snprintf(buf, CG_VAL_MAX, "max");
		return 0;
	}
	if (sw == 0)
		return 1;
	if (sw < 0)
		return pal_err_set(err, EINVAL, "%s: %" PRId64 " is not a byte count", field, sw);
	if (mem == -1) {
		snprintf(buf, CG_VAL_MAX, "%" PRId64, sw);
		return 0;
	}
	if (mem == 0)
		return pal_err_set(err, EINVAL,
				   "%s: cgroup v2 sets swap as (swap - memory.limit), so swap "
				   "needs linux.resources.memory.limit too",
				   field);
	if (mem < 0)
		return pal_err_set(err, EINVAL,
				   "linux.resources.memory.limit: %" PRId64 " is not a byte count",
				   mem);
	if (sw < mem)
		return pal_err_set(err, EINVAL,
				   "%s (%" PRId64 ") must be at least memory.limit (%" PRId64
				   "): it counts memory plus swap",
				   field, sw, mem);
	snprintf(buf, CG_VAL_MAX, "%" PRId64, sw - mem);
	return 0;
}

int cg_val_swappiness(uint64_t v, char buf[CG_VAL_MAX], struct pal_err *err)
{
	if (v > 100)
		return pal_err_set(
		    err, EINVAL,
		    "linux.resources.memory.swappiness: %" PRIu64 " is out of range (0-100)", v);
	snprintf(buf, CG_VAL_MAX, "%" PRIu64, v);
	return 0;
}

/* crun's mapping of shares [2, 262144] onto weight [1, 10000], linear, with
 * the ends clamped; shares 0 is Docker's "unset". */
uint64_t cg_val_cpu_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares <= 2)
		return 1;
	if (shares >= 262144)
		return 10000;
	return 1 + ((shares - 2) * 9999) / 262142;
}

/* cpu.max is "<quota|max> [period]"; an absent period keeps the kernel's. */
int cg_val_cpu_max(bool has_quota, int64_t quota, bool has_period, uint64_t period,
		   char buf[CG_VAL_MAX])
{
	int64_t q = has_quota ? quota : 0;
	uint64_t p = has_period ? period : 0;
	if (q == 0 && p == 0)
		return 1;
	int n = q > 0 ? snprintf(buf, CG_VAL_MAX, "%" PRId64, q) : snprintf(buf, CG_VAL_MAX, "max");
	if (p != 0)
		snprintf(buf + n, CG_VAL_MAX - (size_t)n, " %" PRIu64, p);
	return 0;
}

int cg_val_cpu_idle(int64_t idle, char buf[CG_VAL_MAX], struct pal_err *err)
{
	if (idle != 0 && idle != 1)
		return pal_err_set(err, EINVAL,
				   "linux.resources.cpu.idle: %" PRId64 " is not 0 or 1", idle);
	snprintf(buf, CG_VAL_MAX, "%" PRId64, idle);
	return 0;
}

void cg_val_pids(int64_t limit, char buf[CG_VAL_MAX])
{
	if (limit <= 0)
		snprintf(buf, CG_VAL_MAX, "max");
	else
		snprintf(buf, CG_VAL_MAX, "%" PRId64, limit);
}

int cg_val_blkio_weight(uint16_t w, const char *field, struct pal_err *err)
{
	if (w != 0 && (w < 10 || w > 1000))
		return pal_err_set(err, EINVAL, "%s: %u is out of range (10-1000)", field, w);
	return 0;
}

/* runc's mapping of blkio weight [10, 1000] onto io.weight [1, 10000]. */
uint64_t cg_val_io_weight(uint16_t w)
{
	if (w == 0)
		return 0;
	if (w < 10)
		w = 10;
	return 1 + ((uint64_t)w - 10) * 9999 / 990;
}

int cg_val_devnum(int64_t major, int64_t minor, const char *field, char buf[CG_VAL_MAX],
		  struct pal_err *err)
{
	if (major < 0 || minor < 0 || major > UINT32_MAX || minor > UINT32_MAX)
		return pal_err_set(err, EINVAL,
				   "%s: device %" PRId64 ":%" PRId64
				   " needs a non-negative major and minor",
				   field, major, minor);
	snprintf(buf, CG_VAL_MAX, "%" PRId64 ":%" PRId64, major, minor);
	return 0;
}

int cg_val_throttle(const struct rt_throttle_device *td, const char *v2_key, const char *field,
		    char buf[CG_VAL_MAX], struct pal_err *err)
{
	char dev[CG_VAL_MAX];
	int r = cg_val_devnum(td->major, td->minor, field, dev, err);
	if (r < 0)
		return r;
	if (!v2_key)
		snprintf(buf, CG_VAL_MAX, "%s %" PRIu64, dev, td->rate);
	else if (td->rate == 0) /* v1 reads 0 as "no limit"; in io.max 0 would stop all I/O */
		snprintf(buf, CG_VAL_MAX, "%s %s=max", dev, v2_key);
	else
		snprintf(buf, CG_VAL_MAX, "%s %s=%" PRIu64, dev, v2_key, td->rate);
	return 0;
}

/* "2MB", "1GB", "64KB": the kernel's hugetlb.<size>.* file names. */
int cg_val_hugepage_size(const char *s, const char *field, struct pal_err *err)
{
	size_t n = s ? strlen(s) : 0;
	size_t digits = strspn(s ? s : "", "0123456789");
	if (n < 3 || n > 16 || digits == 0 || s[0] == '0' || n - digits != 2 ||
	    (strcmp(s + digits, "KB") != 0 && strcmp(s + digits, "MB") != 0 &&
	     strcmp(s + digits, "GB") != 0))
		return pal_err_set(err, EINVAL,
				   "%s: page size '%s' is not of the form <number>KB|MB|GB "
				   "(e.g. 2MB)",
				   field, s ? s : "");
	return 0;
}

static bool valid_word(const char *s, size_t max, const char *extra)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > max)
		return false;
	for (const char *p = s; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || strchr(extra, *p);
		if (!ok)
			return false;
	}
	return true;
}

int cg_val_ifprio(const struct rt_kv *kv, const char *field, char **line, struct pal_err *err)
{
	/* IFNAMSIZ - 1 characters; names may hold '-', '_', '.', '@'. */
	if (!valid_word(kv->key, 15, "-_.@") || strcmp(kv->key, ".") == 0)
		return pal_err_set(err, EINVAL, "%s: '%s' is not an interface name", field,
				   kv->key ? kv->key : "");
	uint64_t prio;
	if (pal_parse_uint64(kv->value, &prio) < 0 || prio > UINT32_MAX)
		return pal_err_set(err, EINVAL, "%s: priority '%s' of %s is not a number", field,
				   kv->value ? kv->value : "", kv->key);
	*line = pal_xasprintf("%s %" PRIu64, kv->key, prio);
	return 0;
}

int cg_val_rdma(const struct rt_kv *kv, const char *field, char **line, struct pal_err *err)
{
	if (!valid_word(kv->key, 64, "-_."))
		return pal_err_set(err, EINVAL, "%s: '%s' is not an RDMA device name", field,
				   kv->key ? kv->key : "");
	/* "hca_handle=N hca_object=M", either part optional, values a number or max. */
	if (!kv->value || !*kv->value || strlen(kv->value) > 80)
		return pal_err_set(err, EINVAL, "%s: %s has no limits", field, kv->key);
	for (const char *p = kv->value; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '=' || *p == ' '))
			return pal_err_set(err, EINVAL,
					   "%s: '%s' for %s is not \"hca_handle=N hca_object=M\"",
					   field, kv->value, kv->key);
	*line = pal_xasprintf("%s %s", kv->key, kv->value);
	return 0;
}

/* Files that would let a config take the cgroup out of the runtime's hands. */
static const char *const unified_refused[] = {
    "cgroup.procs", "cgroup.threads", "cgroup.subtree_control",
    "cgroup.kill",  "cgroup.type",    "cgroup.freeze"};

int cg_val_unified_key(const char *key, const char *value, const char *field, struct pal_err *err)
{
	if (!key || !*key || strchr(key, '/') || strstr(key, "..") || !strchr(key, '.') ||
	    key[0] == '.' || strlen(key) > 128)
		return pal_err_set(err, EINVAL,
				   "%s: '%s' is not a cgroup interface file name "
				   "(<controller>.<name>, no '/' or '..')",
				   field, key ? key : "");
	if (!valid_word(key, 128, "._-"))
		return pal_err_set(err, EINVAL, "%s: '%s' has characters no cgroup file has", field,
				   key);
	for (size_t i = 0; i < sizeof(unified_refused) / sizeof(unified_refused[0]); i++)
		if (strcmp(key, unified_refused[i]) == 0)
			return pal_err_set(err, EPERM,
					   "%s: %s is managed by the runtime and cannot be set "
					   "from the config",
					   field, key);
	if (!value)
		return pal_err_set(err, EINVAL, "%s: no value", field);
	return 0;
}

int cg_val_device_rule(const struct rt_device_rule *r, const char *field, unsigned *access,
		       struct pal_err *err)
{
	if (r->type != 'a' && r->type != 'c' && r->type != 'b')
		return pal_err_set(err, EINVAL, "%s.type: '%c' is not a, c or b", field,
				   r->type ? r->type : '?');
	if (r->major < -1 || r->major > UINT32_MAX || r->minor < -1 || r->minor > UINT32_MAX)
		return pal_err_set(err, EINVAL,
				   "%s: device %" PRId64 ":%" PRId64
				   " out of range (-1 is the wildcard)",
				   field, r->major, r->minor);
	unsigned acc = 0;
	for (size_t i = 0; i < sizeof(r->access) && r->access[i]; i++) {
		switch (r->access[i]) {
		case 'r':
			acc |= BPF_DEVCG_ACC_READ;
			break;
		case 'w':
			acc |= BPF_DEVCG_ACC_WRITE;
			break;
		case 'm':
			acc |= BPF_DEVCG_ACC_MKNOD;
			break;
		default:
			return pal_err_set(err, EINVAL,
					   "%s.access: '%.4s' is not a combination of r, w and m",
					   field, r->access);
		}
	}
	*access = acc ? acc : (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD);
	return 0;
}

void cg_val_device_rule_v1(char type, int64_t major, int64_t minor, unsigned access,
			   char buf[CG_VAL_MAX])
{
	char maj[24], min[24];
	if (major < 0)
		snprintf(maj, sizeof(maj), "*");
	else
		snprintf(maj, sizeof(maj), "%" PRId64, major);
	if (minor < 0)
		snprintf(min, sizeof(min), "*");
	else
		snprintf(min, sizeof(min), "%" PRId64, minor);
	snprintf(buf, CG_VAL_MAX, "%c %s:%s %s%s%s", type, maj, min,
		 access & BPF_DEVCG_ACC_READ ? "r" : "", access & BPF_DEVCG_ACC_WRITE ? "w" : "",
		 access & BPF_DEVCG_ACC_MKNOD ? "m" : "");
}
