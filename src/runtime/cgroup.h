/* Cgroups for one container, on every layout a host may have:
 *   - v2 (unified): one directory under the cgroup2 mount;
 *   - v1: one directory per controller hierarchy;
 *   - hybrid: v1 controllers for limits plus a v2 directory (under the
 *     cgroup2 mount, e.g. /sys/fs/cgroup/unified) for identity and BPF.
 * On every layout with a v2 hierarchy the container also gets a v2 directory,
 * whose inode number is the cgroup id BPF's bpf_get_current_cgroup_id() returns.
 *
 * The filesystem root is a parameter so tests can run the v2 code against a
 * fake tree; nothing here assumes /sys/fs/cgroup.
 */
#ifndef PAL_RUNTIME_CGROUP_H
#define PAL_RUNTIME_CGROUP_H

#include "common/err.h"
#include "runtime/oci_config.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum rt_cgroup_layout {
	RT_CGROUP_V1 = 1,
	RT_CGROUP_V2 = 2,
	RT_CGROUP_HYBRID = 3,
};

struct rt_cgroup; /* opaque */
struct rt_cgroup_test_hooks;

/* Inspects fs_root (normally "/sys/fs/cgroup"): v2 if fs_root itself is a
 * cgroup2 mount (has cgroup.controllers), hybrid if v1 hierarchies are mounted
 * and a cgroup2 mount exists below fs_root ("unified"), v1 otherwise.
 * For fake trees (unit tests) the check is by files present, not statfs magic. */
int rt_cgroup_detect(const char *fs_root, enum rt_cgroup_layout *out, struct pal_err *err);
const char *rt_cgroup_layout_name(enum rt_cgroup_layout l);

struct rt_cgroup_opts {
	const char *fs_root;	    /* NULL: /sys/fs/cgroup */
	const char *path;	    /* OCI linux.cgroupsPath; NULL or "" uses default_parent/id */
	const char *id;		    /* container id, for the default path and messages */
	const char *default_parent; /* NULL: "palisade" */
	bool systemd;		    /* --systemd-cgroup: path is "slice:prefix:name" */
	/* Additions: */
	const char *proc_self_cgroup; /* NULL: /proc/self/cgroup (read for relative paths only) */
	const char *systemd_run_dir;  /* NULL: /run/systemd/system (present when systemd is init) */
	const struct rt_cgroup_test_hooks *test_hooks; /* NULL outside unit tests */
};

/* Fake cgroupfs trees in unit tests: a plain directory does not grow the
 * kernel's interface files by itself, nor empty itself on rmdir. The test
 * plays the kernel's part here. after_mkdir returning non-zero (a negative
 * errno) is treated like the kernel refusing the mkdir. */
struct rt_cgroup_test_hooks {
	int (*after_mkdir)(const char *path, void *arg);
	void (*before_rmdir)(const char *path, void *arg);
	void *arg;
};
/* Sets the hooks on a cgroup reopened with rt_cgroup_from_json (tests only). */
void rt_cgroup_set_test_hooks(struct rt_cgroup *cg, const struct rt_cgroup_test_hooks *hooks);

/* Creates the container's cgroup directories (all layouts), with parents as
 * needed. Existing directories are reused only when empty of processes
 * (podman's libpod_parent is shared; the leaf must be new or empty).
 * On failure nothing created by this call remains.
 * cgroupsPath as runc reads it: absolute from each hierarchy's root; relative
 * below the runtime's own cgroup (v1, and the v2 side of hybrid) or below its
 * parent (pure v2); ".." is refused. v2 parents other than the filesystem
 * root get every controller they have enabled in cgroup.subtree_control; new
 * v1 cpuset directories inherit cpus/mems. --systemd-cgroup is refused with a
 * message telling to use the cgroupfs manager. */
int rt_cgroup_create(const struct rt_cgroup_opts *opts, struct rt_cgroup **out,
		     struct pal_err *err);

/* Applies linux.resources. Fields the layout cannot honour are errors naming
 * the field (e.g. "linux.resources.memory.kernel: not supported on cgroup v2"),
 * except those the runtime-spec says to ignore when unsupported (kernel memory
 * limits, which the kernel removed: warning only). */
int rt_cgroup_apply(struct rt_cgroup *cg, const struct rt_resources *res, struct pal_err *err);

/* Device access control from linux.resources.devices: devices.allow/deny on
 * v1, a BPF_PROG_TYPE_CGROUP_DEVICE program on pure v2 (the program is attached
 * to the container's v2 directory and released with it). Called by apply when
 * rules are given: access starts from deny-all and the last matching rule
 * decides. With no rules device access is left as it is (an update without
 * devices must not reset it), so create must pass at least the defaults below.
 * On hybrid hosts the v1 devices controller is used. */

/* The device rules every container needs for the nodes the runtime creates in
 * /dev (null, zero, full, random, urandom, tty, console/ptmx, pts/N), in the
 * order runc appends them after linux.resources.devices. runc also appends
 * "c *:* m" and "b *:* m" (mknod of anything); this hardened list does not.
 * The caller composes: linux.resources.devices, an "rwm" allow rule per
 * linux.devices entry, then these. Static storage. */
const struct rt_device_rule *rt_cgroup_default_device_rules(size_t *n);

/* Moves pid into every directory of the container's cgroup. */
int rt_cgroup_enter(struct rt_cgroup *cg, pid_t pid, struct pal_err *err);

/* The v2 cgroup id (inode of the v2 directory); 0 if the host has no v2 hierarchy. */
uint64_t rt_cgroup_id(const struct rt_cgroup *cg);
enum rt_cgroup_layout rt_cgroup_layout(const struct rt_cgroup *cg);

/* Absolute host path of the container's directory in the given hierarchy:
 * "unified" for v2, or a v1 controller name ("memory", "pids", ...). NULL if absent. */
const char *rt_cgroup_path(const struct rt_cgroup *cg, const char *hierarchy);

/* All pids in the container's cgroup (from the v2 dir if present, else pids/
 * or the first v1 hierarchy). Caller frees *pids. */
int rt_cgroup_pids(const struct rt_cgroup *cg, pid_t **pids, size_t *n, struct pal_err *err);

/* Freezes or thaws (v1 freezer.state, v2 cgroup.freeze), waiting until the
 * kernel reports the new state. */
int rt_cgroup_freeze(struct rt_cgroup *cg, bool freeze, struct pal_err *err);
int rt_cgroup_is_frozen(const struct rt_cgroup *cg, bool *frozen, struct pal_err *err);

/* Signals every process of the cgroup without racing forks: freeze, signal,
 * thaw. v2 with sig == SIGKILL uses cgroup.kill when the kernel has it. */
int rt_cgroup_signal_all(struct rt_cgroup *cg, int sig, struct pal_err *err);

/* Removes the container's directories (leaf first, then parents this
 * cgroup created, when empty). Retries briefly while the kernel still lists
 * exiting tasks. Parents that existed before rt_cgroup_create stay. Only
 * rmdir is used (sub-cgroups the container made go too, deepest first); a
 * frozen cgroup is thawed first so that killed tasks can exit. */
int rt_cgroup_destroy(struct rt_cgroup *cg, struct pal_err *err);

void rt_cgroup_free(struct rt_cgroup *cg);

/* Persistence in the runtime state file, so later invocations (state, kill,
 * pause, delete, exec) reopen the same cgroup. from_json checks everything:
 * paths absolute, clean, below their hierarchy under fs_root; "created" only
 * the directory or its ancestors; the directories fit the layout. */
json_t *rt_cgroup_to_json(const struct rt_cgroup *cg);
int rt_cgroup_from_json(json_t *j, struct rt_cgroup **out, struct pal_err *err);

/* What a "cgroup" mount inside the container must show: on v2 the runtime
 * mounts cgroup2 (with a cgroup namespace); on v1/hybrid it mounts a tmpfs at
 * the destination and bind-mounts, per hierarchy, the container's directory at
 * <dest>/<name> (name = mount point name under fs_root, e.g. "cpu", "memory",
 * "systemd", "unified"). On v2 the plan is empty (n = 0): without a cgroup
 * namespace, bind-mount rt_cgroup_path(cg, "unified") at the destination.
 * Co-mounted hierarchies ("cpu,cpuacct") come as one entry; the aliases a
 * host has as symlinks ("cpu" -> "cpu,cpuacct") are the mount code's call. */
struct rt_cgroup_bind {
	char *name;	 /* subdirectory under the destination */
	char *host_path; /* the container's directory in that hierarchy */
};
int rt_cgroup_mount_plan(const struct rt_cgroup *cg, struct rt_cgroup_bind **binds, size_t *n,
			 struct pal_err *err);
void rt_cgroup_mount_plan_free(struct rt_cgroup_bind *binds, size_t n);

/* Memory/CPU/pids usage for `palisade-runtime events --stats` style output,
 * shaped like runc's: {"cpu":{"usage":{"total","user","kernel"}} (ns),
 * "memory":{"usage":{"usage","limit","max"}} (bytes), "pids":{"current",
 * "limit"}}. A key the host cannot tell is absent; an absent limit means none. */
int rt_cgroup_stats(const struct rt_cgroup *cg, json_t **out, struct pal_err *err);

#endif
