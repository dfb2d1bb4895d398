/* cgroup v1 file names and write orders. Values come from cgroup_values.c. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define F_MEM "linux.resources.memory"
#define F_CPU "linux.resources.cpu"
#define F_BLK "linux.resources.blockIO"

static int put(const struct cg_target *t, const char *file, const char *value, const char *field,
	       struct pal_err *err)
{
	return cg_write(t->fd, t->dir->path, file, value, field, err);
}

static int put_memory_value(const struct cg_target *t, const char *file, int64_t v,
			    const char *field, struct pal_err *err)
{
	char buf[CG_VAL_MAX];
	int r = cg_val_memory(v, false, field, buf, err);
	if (r != 0)
		return r < 0 ? r : 0;
	return put(t, file, buf, field, err);
}

/* memory.limit_in_bytes may never exceed memory.memsw.limit_in_bytes, so the
 * order of the two writes depends on whether the limit grows (runc's rule). */
static int memory_and_swap(const struct cg_target *t, const struct rt_resources *res,
			   struct pal_err *err)
{
	int64_t limit = res->memory.has_limit ? res->memory.limit : 0;
	int64_t swap = res->memory.has_swap ? res->memory.swap : 0;
	bool have_memsw = cg_file_exists(t->fd, "memory.memsw.limit_in_bytes");
	if (limit == -1 && swap == 0 && have_memsw)
		swap = -1; /* unlimited memory, swap unset: unlimited both */
	if (swap != 0 && !have_memsw)
		return pal_err_set(err, ENOTSUP,
				   F_MEM ".swap: %s has no memory.memsw.limit_in_bytes (the kernel "
					 "has no swap accounting: boot with swapaccount=1)",
				   t->dir->path);
	bool swap_first = false;
	if (limit != 0 && swap != 0) {
		uint64_t cur = 0;
		int r = cg_read_u64(t->fd, t->dir->path, "memory.limit_in_bytes", &cur, err);
		if (r < 0)
			return r;
		swap_first = swap == -1 || cur < (uint64_t)swap;
	}
	if (swap_first) {
		int r =
		    put_memory_value(t, "memory.memsw.limit_in_bytes", swap, F_MEM ".swap", err);
		if (r < 0)
			return r;
	}
	int r = put_memory_value(t, "memory.limit_in_bytes", limit, F_MEM ".limit", err);
	if (r < 0)
		return r;
	if (!swap_first && swap != 0)
		return put_memory_value(t, "memory.memsw.limit_in_bytes", swap, F_MEM ".swap", err);
	return 0;
}

int cg_v1_memory(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	int r = cg_any_memory_check(t, "memory.usage_in_bytes", res, err);
	if (r < 0)
		return r;
	if (res->memory.has_use_hierarchy &&
	    (r = put(t, "memory.use_hierarchy", res->memory.use_hierarchy ? "1" : "0",
		     F_MEM ".useHierarchy", err)) < 0)
		return r;
	r = memory_and_swap(t, res, err);
	if (r < 0)
		return r;
	if (res->memory.has_reservation) {
		r = put_memory_value(t, "memory.soft_limit_in_bytes", res->memory.reservation,
				     F_MEM ".reservation", err);
		if (r < 0)
			return r;
	}
	if (res->memory.has_kernel_tcp) {
		/* Kernels from 6.x refuse it (EOPNOTSUPP): ignored, like the kernel limit. */
		struct pal_err tmp = {0};
		r = put_memory_value(t, "memory.kmem.tcp.limit_in_bytes", res->memory.kernel_tcp,
				     F_MEM ".kernelTCP", &tmp);
		if (r == -EOPNOTSUPP || r == -ENOENT) {
			pal_warn(F_MEM ".kernelTCP is ignored: this kernel no longer limits TCP "
				       "buffer memory per cgroup");
		} else if (r < 0) {
			if (err)
				*err = tmp;
			return r;
		}
	}
	if (res->memory.has_swappiness) {
		char buf[CG_VAL_MAX];
		r = cg_val_swappiness(res->memory.swappiness, buf, err);
		if (r < 0)
			return r;
		r = put(t, "memory.swappiness", buf, F_MEM ".swappiness", err);
		if (r < 0)
			return r;
	}
	if (res->memory.has_disable_oom_killer && res->memory.disable_oom_killer) {
		r = put(t, "memory.oom_control", "1", F_MEM ".disableOOMKiller", err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The kernel clamps cpu.shares to its range silently; say so instead. */
static int cpu_shares(const struct cg_target *t, uint64_t shares, struct pal_err *err)
{
	if (shares == 0)
		return 0;
	char buf[CG_VAL_MAX];
	snprintf(buf, sizeof(buf), "%" PRIu64, shares);
	int r = put(t, "cpu.shares", buf, F_CPU ".shares", err);
	if (r < 0)
		return r;
	uint64_t got = 0;
	r = cg_read_u64(t->fd, t->dir->path, "cpu.shares", &got, err);
	if (r < 0)
		return r;
	if (got != shares)
		return pal_err_set(err, ERANGE,
				   F_CPU ".shares: the kernel turned %" PRIu64 " into %" PRIu64
					 " (valid range 2-262144)",
				   shares, got);
	return 0;
}

/* A smaller period may be refused while the old quota/period ratio would
 * exceed the parent's; writing the quota first then succeeds (runc). */
static int cpu_bandwidth(const struct cg_target *t, const struct rt_resources *res,
			 struct pal_err *err)
{
	char q[CG_VAL_MAX], p[CG_VAL_MAX];
	bool want_q = res->cpu.has_quota && res->cpu.quota != 0;
	bool want_p = res->cpu.has_period && res->cpu.period != 0;
	snprintf(q, sizeof(q), "%" PRId64, res->cpu.quota < 0 ? -1 : res->cpu.quota);
	snprintf(p, sizeof(p), "%" PRIu64, res->cpu.period);
	bool q_done = false;
	if (want_p) {
		struct pal_err tmp = {0};
		int r = put(t, "cpu.cfs_period_us", p, F_CPU ".period", &tmp);
		if (r == -EINVAL && want_q) {
			r = put(t, "cpu.cfs_quota_us", q, F_CPU ".quota", err);
			if (r < 0)
				return r;
			q_done = true;
			r = put(t, "cpu.cfs_period_us", p, F_CPU ".period", err);
		} else if (r < 0 && err) {
			*err = tmp;
		}
		if (r < 0)
			return r;
	}
	if (want_q && !q_done) {
		int r = put(t, "cpu.cfs_quota_us", q, F_CPU ".quota", err);
		if (r < 0)
			return r;
	}
	if (res->cpu.has_burst) {
		char b[CG_VAL_MAX];
		snprintf(b, sizeof(b), "%" PRIu64, res->cpu.burst);
		int r = put(t, "cpu.cfs_burst_us", b, F_CPU ".burst", err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Real-time runtime must fit in the parent's: the directories this container
 * created start with none, so give them the runtime the container asks for
 * (top down). Parents that were there before are not ours to change. */
static int rt_runtime_parents(const struct cg_target *t, int64_t runtime, struct pal_err *err)
{
	char buf[CG_VAL_MAX];
	snprintf(buf, sizeof(buf), "%" PRId64, runtime);
	for (char **c = t->dir->created; c && *c; c++) {
		if (strcmp(*c, t->dir->rel) == 0)
			continue;
		struct cg_dir parent = {.h = t->dir->h, .rel = *c};
		parent.path = pal_path_join(t->dir->h.mount, *c);
		int fd = cg_dir_open(&parent, O_PATH, err);
		uint64_t cur = 0;
		int r = fd < 0 ? fd : cg_read_u64(fd, parent.path, "cpu.rt_runtime_us", &cur, err);
		if (r == 0 && cur < (uint64_t)runtime)
			r = cg_write(fd, parent.path, "cpu.rt_runtime_us", buf,
				     F_CPU ".realtimeRuntime", err);
		if (fd >= 0)
			close(fd);
		free(parent.path);
		if (r < 0)
			return r;
	}
	return 0;
}

int cg_v1_cpu(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	char buf[CG_VAL_MAX];
	int r;
	if (res->cpu.has_idle && res->cpu.idle == 1 && res->cpu.has_shares && res->cpu.shares)
		return pal_err_set(err, EINVAL, F_CPU ": cannot set both idle and shares");
	if (res->cpu.has_shares && (r = cpu_shares(t, res->cpu.shares, err)) < 0)
		return r;
	if ((r = cpu_bandwidth(t, res, err)) < 0)
		return r;
	/* The period first: the runtime is checked against it. */
	if (res->cpu.has_realtime_period && res->cpu.realtime_period != 0) {
		snprintf(buf, sizeof(buf), "%" PRIu64, res->cpu.realtime_period);
		if ((r = put(t, "cpu.rt_period_us", buf, F_CPU ".realtimePeriod", err)) < 0)
			return r;
	}
	if (res->cpu.has_realtime_runtime && res->cpu.realtime_runtime != 0) {
		if (res->cpu.realtime_runtime > 0 &&
		    (r = rt_runtime_parents(t, res->cpu.realtime_runtime, err)) < 0)
			return r;
		snprintf(buf, sizeof(buf), "%" PRId64, res->cpu.realtime_runtime);
		if ((r = put(t, "cpu.rt_runtime_us", buf, F_CPU ".realtimeRuntime", err)) < 0)
			return r;
	}
	if (res->cpu.has_idle) {
		if ((r = cg_val_cpu_idle(res->cpu.idle, buf, err)) < 0)
			return r;
		if ((r = put(t, "cpu.idle", buf, F_CPU ".idle", err)) < 0)
			return r;
	}
	return 0;
}

static int throttle_lines(const struct cg_target *t, const char *file,
			  const struct rt_throttle_device *td, size_t n, const char *field,
			  struct pal_err *err)
{
	if (n == 0)
		return 0;
	char **lines = pal_xcalloc(n + 1, sizeof(char *));
	int r = 0;
	for (size_t i = 0; i < n && r == 0; i++) {
		char buf[CG_VAL_MAX];
		r = cg_val_throttle(&td[i], NULL, field, buf, err);
		if (r == 0)
			lines[i] = pal_xstrdup(buf);
	}
	if (r == 0)
		r = cg_write_lines(t->fd, t->dir->path, file, lines, n, field, err);
	pal_strv_free(lines);
	return r;
}

int cg_v1_blkio(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	/* CFQ's blkio.weight is gone from current kernels; BFQ offers blkio.bfq.weight. */
	bool cfq = cg_file_exists(t->fd, "blkio.weight");
	const char *weight_file = cfq ? "blkio.weight" : "blkio.bfq.weight";
	const char *wdev_file = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
	char buf[CG_VAL_MAX];
	int r;
	if (res->block_io.has_weight && res->block_io.weight) {
		if ((r = cg_val_blkio_weight(res->block_io.weight, F_BLK ".weight", err)) < 0)
			return r;
		snprintf(buf, sizeof(buf), "%u", res->block_io.weight);
		if ((r = put(t, weight_file, buf, F_BLK ".weight", err)) < 0)
			return r;
	}
	if (res->block_io.has_leaf_weight && res->block_io.leaf_weight) {
		snprintf(buf, sizeof(buf), "%u", res->block_io.leaf_weight);
		if ((r = put(t, "blkio.leaf_weight", buf, F_BLK ".leafWeight", err)) < 0)
			return r;
	}
	for (size_t i = 0; i < res->block_io.n_weight_device; i++) {
		const struct rt_weight_device *wd = &res->block_io.weight_device[i];
		char dev[CG_VAL_MAX], field[80];
		snprintf(field, sizeof(field), F_BLK ".weightDevice[%zu]", i);
		if ((r = cg_val_devnum(wd->major, wd->minor, field, dev, err)) < 0)
			return r;
		if (wd->has_weight) {
			snprintf(buf, sizeof(buf), "%s %u", dev, wd->weight);
			if ((r = put(t, wdev_file, buf, field, err)) < 0)
				return r;
		}
		if (wd->has_leaf_weight) {
			snprintf(buf, sizeof(buf), "%s %u", dev, wd->leaf_weight);
			if ((r = put(t, "blkio.leaf_weight_device", buf, field, err)) < 0)
				return r;
		}
	}
	const struct rt_throttle_device *tds[] = {
	    res->block_io.throttle_read_bps, res->block_io.throttle_write_bps,
	    res->block_io.throttle_read_iops, res->block_io.throttle_write_iops};
	const size_t ns[] = {res->block_io.n_throttle_read_bps, res->block_io.n_throttle_write_bps,
			     res->block_io.n_throttle_read_iops,
			     res->block_io.n_throttle_write_iops};
	static const char *const files[] = {
	    "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
	    "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
	static const char *const fields[] = {
	    F_BLK ".throttleReadBpsDevice", F_BLK ".throttleWriteBpsDevice",
	    F_BLK ".throttleReadIOPSDevice", F_BLK ".throttleWriteIOPSDevice"};
	for (size_t k = 0; k < 4; k++)
		if ((r = throttle_lines(t, files[k], tds[k], ns[k], fields[k], err)) < 0)
			return r;
	return 0;
}

int cg_v1_hugetlb(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct rt_hugepage_limit *h = &res->hugepage_limits[i];
		char field[80], file[64], buf[CG_VAL_MAX];
		snprintf(field, sizeof(field), "linux.resources.hugepageLimits[%zu]", i);
		int r = cg_val_hugepage_size(h->page_size, field, err);
		if (r < 0)
			return r;
		snprintf(file, sizeof(file), "hugetlb.%s.limit_in_bytes", h->page_size);
		snprintf(buf, sizeof(buf), "%" PRIu64, h->limit);
		if ((r = put(t, file, buf, field, err)) < 0)
			return r;
	}
	return 0;
}

int cg_v1_net_cls(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	char buf[CG_VAL_MAX];
	snprintf(buf, sizeof(buf), "%" PRIu32, res->network.class_id);
	return put(t, "net_cls.classid", buf, "linux.resources.network.classID", err);
}

int cg_v1_net_prio(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	const char *field = "linux.resources.network.priorities";
	for (size_t i = 0; i < res->network.n_priorities; i++) {
		_cleanup_free_ char *line = NULL;
		int r = cg_val_ifprio(&res->network.priorities[i], field, &line, err);
		if (r < 0)
			return r;
		/* Each interface is its own write; the file keeps all of them. */
		if ((r = put(t, "net_prio.ifpriomap", line, field, err)) < 0)
			return r;
	}
	return 0;
}
