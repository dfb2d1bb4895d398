/* linux.resources → files. For each controller the v1 hierarchy that carries
 * it wins; otherwise the v2 directory, if the controller is enabled there
 * (on a hybrid host that is how hugetlb gets applied); otherwise the field
 * cannot be honoured and the error says why. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

typedef int (*cg_writer_fn)(const struct cg_target *t, const struct rt_resources *r,
			    struct pal_err *err);

struct cg_group {
	const char *field;	   /* for messages: "linux.resources.memory" */
	const char *v1_controller; /* NULL: no v1 form */
	const char *v2_controller; /* NULL: no v2 form */
	cg_writer_fn v1, v2;
	bool (*wanted)(const struct rt_resources *r);
};

static bool want_memory(const struct rt_resources *r)
{
	return r->memory.has_limit || r->memory.has_reservation || r->memory.has_swap ||
	       r->memory.has_kernel_tcp || r->memory.has_swappiness ||
	       r->memory.has_use_hierarchy ||
	       (r->memory.has_disable_oom_killer && r->memory.disable_oom_killer);
}

static bool want_cpu(const struct rt_resources *r)
{
	return (r->cpu.has_shares && r->cpu.shares) || (r->cpu.has_quota && r->cpu.quota) ||
	       (r->cpu.has_period && r->cpu.period) || r->cpu.has_burst ||
	       (r->cpu.has_realtime_runtime && r->cpu.realtime_runtime) ||
	       (r->cpu.has_realtime_period && r->cpu.realtime_period) || r->cpu.has_idle;
}

static bool want_cpuset(const struct rt_resources *r)
{
	return (r->cpu.cpus && *r->cpu.cpus) || (r->cpu.mems && *r->cpu.mems);
}

static bool want_pids(const struct rt_resources *r)
{
	return r->pids.has_limit;
}

static bool want_blkio(const struct rt_resources *r)
{
	const typeof(r->block_io) *b = &r->block_io;
	return (b->has_weight && b->weight) || (b->has_leaf_weight && b->leaf_weight) ||
	       b->n_weight_device || b->n_throttle_read_bps || b->n_throttle_write_bps ||
	       b->n_throttle_read_iops || b->n_throttle_write_iops;
}

static bool want_hugetlb(const struct rt_resources *r)
{
	return r->n_hugepage_limits > 0;
}

static bool want_net_cls(const struct rt_resources *r)
{
	return r->network.has_class_id;
}

static bool want_net_prio(const struct rt_resources *r)
{
	return r->network.n_priorities > 0;
}

static bool want_rdma(const struct rt_resources *r)
{
	return r->n_rdma > 0;
}

/* cpuset first: a memory limit does not care, but tasks must find cpus. */
static const struct cg_group groups[] = {
    {"linux.resources.cpu.cpus/mems", "cpuset", "cpuset", cg_any_cpuset, cg_any_cpuset,
     want_cpuset},
    {"linux.resources.memory", "memory", "memory", cg_v1_memory, cg_v2_memory, want_memory},
    {"linux.resources.cpu", "cpu", "cpu", cg_v1_cpu, cg_v2_cpu, want_cpu},
    {"linux.resources.pids", "pids", "pids", cg_any_pids, cg_any_pids, want_pids},
    {"linux.resources.blockIO", "blkio", "io", cg_v1_blkio, cg_v2_io, want_blkio},
    {"linux.resources.hugepageLimits", "hugetlb", "hugetlb", cg_v1_hugetlb, cg_v2_hugetlb,
     want_hugetlb},
    {"linux.resources.network.classID", "net_cls", NULL, cg_v1_net_cls, NULL, want_net_cls},
    {"linux.resources.network.priorities", "net_prio", NULL, cg_v1_net_prio, NULL, want_net_prio},
    {"linux.resources.rdma", "rdma", "rdma", cg_any_rdma, cg_any_rdma, want_rdma},
};

static int unavailable(const struct rt_cgroup *cg, const struct cg_group *g, struct pal_err *err)
{
	const struct cg_dir *v2 = cg_v2_dir(cg);
	const char *ctl = g->v1_controller ? g->v1_controller : g->v2_controller;
	if (!g->v2_controller)
		return pal_err_set(err, ENOTSUP,
				   "%s: the %s controller is not mounted (it exists on cgroup "
				   "v1 only; mount it under %s or drop the field)",
				   g->field, ctl, cg->fs_root);
	if (!v2)
		return pal_err_set(err, ENOTSUP, "%s: the %s controller is not mounted under %s",
				   g->field, ctl, cg->fs_root);
	return pal_err_set(err, ENOTSUP,
			   "%s: the %s controller is %snot enabled for %s (its "
			   "cgroup.controllers lacks %s: the parent's cgroup.subtree_control "
			   "must enable it)",
			   g->field, g->v2_controller,
			   cg->layout == RT_CGROUP_HYBRID ? "neither on a cgroup v1 hierarchy nor "
							  : "",
			   v2->path, g->v2_controller);
}

static int apply_group(const struct rt_cgroup *cg, const struct cg_group *g,
		       const struct rt_resources *res, struct pal_err *err)
{
	const struct cg_dir *d = g->v1_controller ? cg_find_v1(cg, g->v1_controller) : NULL;
	cg_writer_fn fn = g->v1;
	if (!d) {
		const struct cg_dir *v2 = cg_v2_dir(cg);
		if (!g->v2_controller || !v2 || !cg_v2_has_controller(v2, g->v2_controller))
			return unavailable(cg, g, err);
		d = v2;
		fn = g->v2;
	}
	_cleanup_close_ int fd = cg_dir_open(d, O_PATH, err);
	if (fd < 0)
		return pal_err_prefix(err, "%s", g->field);
	struct cg_target t = {.dir = d, .fd = fd};
	return fn(&t, res, err);
}

static int apply_devices(const struct rt_cgroup *cg, const struct rt_resources *res,
			 struct pal_err *err)
{
	const struct cg_dir *d = cg_find_v1(cg, "devices");
	if (d) {
		_cleanup_close_ int fd = cg_dir_open(d, O_PATH, err);
		if (fd < 0)
			return fd;
		struct cg_target t = {.dir = d, .fd = fd};
		return cg_v1_devices(&t, res->devices, res->n_devices, err);
	}
	const struct cg_dir *v2 = cg_v2_dir(cg);
	if (!v2)
		return pal_err_set(
		    err, ENOTSUP,
		    "linux.resources.devices: no devices controller is mounted "
		    "under %s and there is no cgroup v2 hierarchy for a device program",
		    cg->fs_root);
	/* BPF attaches to an open directory, not an O_PATH handle. */
	_cleanup_close_ int fd = cg_dir_open(v2, O_RDONLY, err);
	if (fd < 0)
		return fd;
	return cg_bpf_devices_apply(fd, v2->path, res->devices, res->n_devices, err);
}

static int apply_unified(const struct rt_cgroup *cg, const struct rt_resources *res,
			 struct pal_err *err)
{
	const struct cg_dir *v2 = cg_v2_dir(cg);
	if (!v2)
		return pal_err_set(err, ENOTSUP,
				   "linux.resources.unified: this host has no cgroup v2 hierarchy "
				   "(cgroup v1 only); use the v1 fields instead");
	_cleanup_close_ int fd = cg_dir_open(v2, O_PATH, err);
	if (fd < 0)
		return fd;
	struct cg_target t = {.dir = v2, .fd = fd};
	return cg_v2_unified(&t, res, err);
}

int rt_cgroup_apply(struct rt_cgroup *cg, const struct rt_resources *res, struct pal_err *err)
{
	if (res->memory.has_kernel)
		pal_warn("linux.resources.memory.kernel is ignored: kernel memory limits are "
			 "deprecated and the kernel no longer enforces them");
	int r;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (!groups[i].wanted(res))
			continue;
		if ((r = apply_group(cg, &groups[i], res, err)) < 0)
			return pal_err_prefix(err, "container %s", cg->id);
	}
	/* No rules: device access is left as it is (an update without devices must
	 * not reset them); create always passes at least the default rules. */
	if (res->n_devices && (r = apply_devices(cg, res, err)) < 0)
		return pal_err_prefix(err, "container %s", cg->id);
	/* Last: unified values override what the fields above wrote (runc's order). */
	if (res->n_unified && (r = apply_unified(cg, res, err)) < 0)
		return pal_err_prefix(err, "container %s", cg->id);
	return 0;
}
