/* cgroup v2 file names and conversions. Values come from cgroup_values.c. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define F_MEM "linux.resources.memory"
#define F_CPU "linux.resources.cpu"
#define F_BLK "linux.resources.blockIO"

static int put(const struct cg_target *t, const char *file, const char *value, const char *field,
	       struct pal_err *err)
{
	return cg_write(t->fd, t->dir->path, file, value, field, err);
}

static int unsupported(const char *field, const char *why, struct pal_err *err)
{
	return pal_err_set(err, ENOTSUP, "%s: not supported on cgroup v2 (%s)", field, why);
}

int cg_v2_memory(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	char buf[CG_VAL_MAX];
	int r;
	if (res->memory.has_swappiness)
		return unsupported(F_MEM ".swappiness",
				   "the kernel has no per-cgroup swappiness "
				   "there; remove it",
				   err);
	if (res->memory.has_disable_oom_killer && res->memory.disable_oom_killer)
		return unsupported(F_MEM ".disableOOMKiller",
				   "the OOM killer cannot be disabled per cgroup there", err);
	if ((r = cg_any_memory_check(t, "memory.current", res, err)) < 0)
		return r;
	if (res->memory.has_use_hierarchy && !res->memory.use_hierarchy)
		pal_warn("%s.useHierarchy=false is ignored: cgroup v2 is always hierarchical",
			 F_MEM);
	if (res->memory.has_kernel_tcp)
		pal_warn("%s.kernelTCP is ignored on cgroup v2: TCP buffers count toward "
			 "memory.max there",
			 F_MEM);
	if (res->memory.has_swap || (res->memory.has_limit && res->memory.limit == -1)) {
		r = cg_val_swap_v2(res->memory.has_limit, res->memory.limit, res->memory.has_swap,
				   res->memory.swap, buf, err);
		if (r < 0)
			return r;
		if (r == 0) {
			struct pal_err tmp = {0};
			r = put(t, "memory.swap.max", buf, F_MEM ".swap", &tmp);
			/* No swap on the host: "no swap" and "unlimited swap" both hold already. */
			bool harmless =
			    r == -ENOENT && (strcmp(buf, "max") == 0 || strcmp(buf, "0") == 0);
			if (r < 0 && !harmless) {
				if (err)
					*err = tmp;
				return r;
			}
		}
	}
	if (res->memory.has_limit) {
		r = cg_val_memory(res->memory.limit, true, F_MEM ".limit", buf, err);
		if (r < 0)
			return r;
		if (r == 0 && (r = put(t, "memory.max", buf, F_MEM ".limit", err)) < 0)
			return r;
	}
	if (res->memory.has_reservation) {
		r = cg_val_memory(res->memory.reservation, true, F_MEM ".reservation", buf, err);
		if (r < 0)
			return r;
		if (r == 0 && (r = put(t, "memory.low", buf, F_MEM ".reservation", err)) < 0)
			return r;
	}
	return 0;
}

int cg_v2_cpu(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	char buf[CG_VAL_MAX];
	int r;
	if ((res->cpu.has_realtime_runtime && res->cpu.realtime_runtime != 0) ||
	    (res->cpu.has_realtime_period && res->cpu.realtime_period != 0))
		return unsupported(F_CPU ".realtimeRuntime/realtimePeriod",
				   "the kernel has no real-time group scheduling there", err);
	bool idle = res->cpu.has_idle && res->cpu.idle == 1;
	if (idle && res->cpu.has_shares && res->cpu.shares)
		return pal_err_set(err, EINVAL, F_CPU ": cannot set both idle and shares");
	uint64_t weight = res->cpu.has_shares ? cg_val_cpu_weight(res->cpu.shares) : 0;
	if (weight) {
		snprintf(buf, sizeof(buf), "%" PRIu64, weight);
		if ((r = put(t, "cpu.weight", buf, F_CPU ".shares", err)) < 0)
			return r;
	}
	if (cg_val_cpu_max(res->cpu.has_quota, res->cpu.quota, res->cpu.has_period, res->cpu.period,
			   buf) == 0 &&
	    (r = put(t, "cpu.max", buf, F_CPU ".quota/period", err)) < 0)
		return r;
	if (res->cpu.has_burst) {
		snprintf(buf, sizeof(buf), "%" PRIu64, res->cpu.burst);
		if ((r = put(t, "cpu.max.burst", buf, F_CPU ".burst", err)) < 0)
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

static void push_line(char ***lines, size_t *n, const char *s)
{
	*lines = pal_xrealloc(*lines, (*n + 2) * sizeof(char *));
	(*lines)[(*n)++] = pal_xstrdup(s);
	(*lines)[*n] = NULL;
}

static int io_max_lines(const struct rt_resources *res, char ***lines, size_t *n,
			struct pal_err *err)
{
	const struct rt_throttle_device *tds[] = {
	    res->block_io.throttle_read_bps, res->block_io.throttle_write_bps,
	    res->block_io.throttle_read_iops, res->block_io.throttle_write_iops};
	const size_t ns[] = {res->block_io.n_throttle_read_bps, res->block_io.n_throttle_write_bps,
			     res->block_io.n_throttle_read_iops,
			     res->block_io.n_throttle_write_iops};
	static const char *const keys[] = {"rbps", "wbps", "riops", "wiops"};
	static const char *const fields[] = {
	    F_BLK ".throttleReadBpsDevice", F_BLK ".throttleWriteBpsDevice",
	    F_BLK ".throttleReadIOPSDevice", F_BLK ".throttleWriteIOPSDevice"};
	for (size_t k = 0; k < 4; k++)
		for (size_t i = 0; i < ns[k]; i++) {
			char buf[CG_VAL_MAX];
			int r = cg_val_throttle(&tds[k][i], keys[k], fields[k], buf, err);
			if (r < 0)
				return r;
			push_line(lines, n, buf);
		}
	return 0;
}

int cg_v2_io(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	char buf[CG_VAL_MAX];
	int r;
	bool bfq = cg_file_exists(t->fd, "io.bfq.weight");
	if (res->block_io.has_leaf_weight && res->block_io.leaf_weight)
		return unsupported(F_BLK ".leafWeight", "there is no leaf weight", err);
	if (res->block_io.has_weight && res->block_io.weight) {
		if ((r = cg_val_blkio_weight(res->block_io.weight, F_BLK ".weight", err)) < 0)
			return r;
		if (bfq) /* BFQ takes the blkio range as it is */
			snprintf(buf, sizeof(buf), "%u", res->block_io.weight);
		else
			snprintf(buf, sizeof(buf), "%" PRIu64,
				 cg_val_io_weight(res->block_io.weight));
		if ((r = put(t, bfq ? "io.bfq.weight" : "io.weight", buf, F_BLK ".weight", err)) <
		    0)
			return r;
	}
	_cleanup_strv_ char **lines = NULL;
	size_t n = 0;
	for (size_t i = 0; i < res->block_io.n_weight_device; i++) {
		const struct rt_weight_device *wd = &res->block_io.weight_device[i];
		char dev[CG_VAL_MAX], field[80];
		snprintf(field, sizeof(field), F_BLK ".weightDevice[%zu]", i);
		if (wd->has_leaf_weight && wd->leaf_weight)
			return unsupported(field, "there is no leaf weight", err);
		if (!wd->has_weight)
			continue;
		if (!bfq)
			return pal_err_set(err, ENOTSUP,
					   "%s: per-device weights need the BFQ I/O scheduler on "
					   "cgroup v2 (%s has no io.bfq.weight)",
					   field, t->dir->path);
		if ((r = cg_val_devnum(wd->major, wd->minor, field, dev, err)) < 0)
			return r;
		snprintf(buf, sizeof(buf), "%s %u", dev, wd->weight);
		push_line(&lines, &n, buf);
	}
	if ((r = cg_write_lines(t->fd, t->dir->path, "io.bfq.weight", lines, n,
				F_BLK ".weightDevice", err)) < 0)
		return r;
	pal_strv_free(lines);
	lines = NULL;
	n = 0;
	if ((r = io_max_lines(res, &lines, &n, err)) < 0)
		return r;
	return cg_write_lines(t->fd, t->dir->path, "io.max", lines, n, F_BLK ".throttle*", err);
}

int cg_v2_hugetlb(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	for (size_t i = 0; i < res->n_hugepage_limits; i++) {
		const struct rt_hugepage_limit *h = &res->hugepage_limits[i];
		char field[80], file[64], buf[CG_VAL_MAX];
		snprintf(field, sizeof(field), "linux.resources.hugepageLimits[%zu]", i);
		int r = cg_val_hugepage_size(h->page_size, field, err);
		if (r < 0)
			return r;
		snprintf(buf, sizeof(buf), "%" PRIu64, h->limit);
		snprintf(file, sizeof(file), "hugetlb.%s.max", h->page_size);
		if ((r = put(t, file, buf, field, err)) < 0)
			return r;
		/* Reservations are limited alike where the kernel has them (5.7+). */
		snprintf(file, sizeof(file), "hugetlb.%s.rsvd.max", h->page_size);
		if (cg_file_exists(t->fd, file) && (r = put(t, file, buf, field, err)) < 0)
			return r;
	}
	return 0;
}

int cg_v2_unified(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	for (size_t i = 0; i < res->n_unified; i++) {
		const struct rt_kv *kv = &res->unified[i];
		char field[200];
		snprintf(field, sizeof(field), "linux.resources.unified[\"%.128s\"]",
			 kv->key ? kv->key : "");
		int r = cg_val_unified_key(kv->key, kv->value, field, err);
		if (r < 0)
			return r;
		if (!cg_file_exists(t->fd, kv->key)) {
			_cleanup_free_ char *avail = NULL;
			struct pal_err ignored = {0};
			cg_read(t->fd, t->dir->path, "cgroup.controllers", &avail, &ignored);
			if (avail)
				cg_trim(avail);
			return pal_err_set(err, ENOENT,
					   "%s: %s has no file %s (controllers enabled for this "
					   "cgroup: '%s')",
					   field, t->dir->path, kv->key, avail ? avail : "");
		}
		if ((r = put(t, kv->key, kv->value, field, err)) < 0)
			return r;
	}
	return 0;
}

/* ---- controllers whose files are named alike on v1 and v2 ---- */

int cg_any_cpuset(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	int r;
	if (res->cpu.cpus && *res->cpu.cpus &&
	    (r = put(t, "cpuset.cpus", res->cpu.cpus, F_CPU ".cpus", err)) < 0)
		return r;
	if (res->cpu.mems && *res->cpu.mems &&
	    (r = put(t, "cpuset.mems", res->cpu.mems, F_CPU ".mems", err)) < 0)
		return r;
	return 0;
}

int cg_any_pids(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	char buf[CG_VAL_MAX];
	cg_val_pids(res->pids.limit, buf);
	return put(t, "pids.max", buf, "linux.resources.pids.limit", err);
}

int cg_any_memory_check(const struct cg_target *t, const char *usage_file,
			const struct rt_resources *res, struct pal_err *err)
{
	if (!res->memory.has_check_before_update || !res->memory.check_before_update ||
	    !res->memory.has_limit || res->memory.limit <= 0)
		return 0;
	uint64_t usage = 0;
	int r = cg_read_u64(t->fd, t->dir->path, usage_file, &usage, err);
	if (r < 0)
		return pal_err_prefix(err, F_MEM ".checkBeforeUpdate");
	if (usage > (uint64_t)res->memory.limit)
		return pal_err_set(err, EBUSY,
				   F_MEM ".limit: %" PRId64
					 " is below the current usage of %" PRIu64
					 " bytes (%s/%s) and checkBeforeUpdate is set",
				   res->memory.limit, usage, t->dir->path, usage_file);
	return 0;
}

int cg_any_rdma(const struct cg_target *t, const struct rt_resources *res, struct pal_err *err)
{
	_cleanup_strv_ char **lines = NULL;
	size_t n = 0;
	for (size_t i = 0; i < res->n_rdma; i++) {
		char field[80];
		snprintf(field, sizeof(field), "linux.resources.rdma[%zu]", i);
		_cleanup_free_ char *line = NULL;
		int r = cg_val_rdma(&res->rdma[i], field, &line, err);
		if (r < 0)
			return r;
		push_line(&lines, &n, line);
	}
	return cg_write_lines(t->fd, t->dir->path, "rdma.max", lines, n, "linux.resources.rdma",
			      err);
}
