/* Private to the cgroup manager (src/runtime/cgroup_*.c). */
#ifndef PAL_RUNTIME_CGROUP_INTERNAL_H
#define PAL_RUNTIME_CGROUP_INTERNAL_H

#include "runtime/cgroup.h"

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

#define CG_DEFAULT_FS_ROOT "/sys/fs/cgroup"
#define CG_MAX_HIERARCHIES 32
#define CG_MAX_FILE	   (1u << 20) /* largest interface file read */
#define CG_MAX_NESTING	   32	      /* sub-cgroups walked below a container's dir */
#define CG_VAL_MAX	   96	      /* one formatted value */

/* One mounted hierarchy under fs_root. */
struct cg_hier {
	char *name;	    /* directory under fs_root ("cpu", "cpu,cpuacct", "systemd",
			       "unified"); "" when fs_root itself is the cgroup2 mount */
	char *mount;	    /* absolute mount point */
	char *mount_root;   /* the mount's root inside its hierarchy (mountinfo), "/" usually */
	char **controllers; /* v1: "cpu", "cpuacct", "name=systemd", ...; v2: NULL */
	bool v2;
};

struct cg_scan {
	enum rt_cgroup_layout layout;
	struct cg_hier *h;
	size_t n;
};

/* The container's directory in one hierarchy. */
struct cg_dir {
	struct cg_hier h;
	char *rel;	/* below the mount: "/libpod_parent/libpod-<id>" */
	char *path;	/* mount + rel */
	char **created; /* rel paths this container created, parents first */
};

struct rt_cgroup {
	enum rt_cgroup_layout layout;
	char *fs_root;
	char *id;
	struct cg_dir *dirs;
	size_t n_dirs;
	int v2; /* index of the v2 directory in dirs, -1 if none */
	uint64_t cgroup_id;
	struct rt_cgroup_test_hooks hooks;
};

/* ---- detection (cgroup_detect.c) ---- */
int cg_scan(const char *fs_root, struct cg_scan *out, struct pal_err *err);
void cg_scan_free(struct cg_scan *s);
void cg_hier_free(struct cg_hier *h);
bool cg_is_known_v1_controller(const char *name);
bool cg_valid_controller_name(const char *s);

/* ---- cgroupsPath (cgroup_path.c) ---- */
bool cg_valid_container_id(const char *id);
/* Splits and checks a cgroupsPath (or default parent): no "..", no control
 * characters; "." and empty components are dropped. *clean is "a/b/c"
 * without slashes at either end; *absolute tells how it started. */
int cg_clean_path(const char *what, const char *in, char **clean, bool *absolute,
		  struct pal_err *err);
/* The container's path below hierarchy h's mount. self_cgroup is the text of
 * /proc/self/cgroup (needed only for a relative path). */
int cg_resolve_rel(const char *clean, bool absolute, const struct cg_hier *h,
		   enum rt_cgroup_layout layout, const char *self_cgroup, char **rel,
		   struct pal_err *err);
/* The systemd driver is refused with a message saying what to configure. */
int cg_systemd_unsupported(const struct rt_cgroup_opts *opts, struct pal_err *err);
/* rel is clean, absolute and below the mount (not "/"). */
bool cg_valid_rel(const char *rel);

/* ---- file access (cgroup_io.c) ---- */
/* Opens the container's directory (O_PATH unless flags say otherwise), resolved
 * beneath its mount without following symlinks. */
int cg_dir_open(const struct cg_dir *d, int flags, struct pal_err *err);
/* Writes value to dir/file (O_TRUNC, like runc); errors read
 * "<field>: write '<value>' to <path>/<file>: <strerror>". field may be NULL. */
int cg_write(int dfd, const char *dir_path, const char *file, const char *value, const char *field,
	     struct pal_err *err);
/* Writes each line with its own write() on one open file: the kernel takes
 * multi-entry files (io.max, devices.allow, ...) one entry per write. */
int cg_write_lines(int dfd, const char *dir_path, const char *file, char *const *lines, size_t n,
		   const char *field, struct pal_err *err);
int cg_read(int dfd, const char *dir_path, const char *file, char **out, struct pal_err *err);
/* Reads a file holding one unsigned number (or "max" → UINT64_MAX). */
int cg_read_u64(int dfd, const char *dir_path, const char *file, uint64_t *out,
		struct pal_err *err);
bool cg_file_exists(int dfd, const char *file);
/* Space- or newline-separated word list contains word. */
bool cg_words_contain(const char *text, const char *word);
void cg_trim(char *s);
/* Reads cgroup.procs of dfd into *pids (appending). */
int cg_read_procs(int dfd, const char *dir_path, pid_t **pids, size_t *n, struct pal_err *err);
void cg_sleep_ms(unsigned ms);
uint64_t cg_now_ms(void);

/* ---- lookups (cgroup_create.c) ---- */
/* The v1 directory whose hierarchy carries controller ("systemd" matches
 * "name=systemd"), or NULL. */
const struct cg_dir *cg_find_v1(const struct rt_cgroup *cg, const char *controller);
const struct cg_dir *cg_v2_dir(const struct rt_cgroup *cg);
/* Controller listed in the v2 directory's cgroup.controllers. */
bool cg_v2_has_controller(const struct cg_dir *d, const char *controller);
void cg_dir_free(struct cg_dir *d);
/* Removes what create made in d (reverse order), ignoring errors. */
void cg_rollback_dir(const struct rt_cgroup *cg, const struct cg_dir *d);

/* ---- values shared by v1 and v2 (cgroup_values.c) ---- */
/* Each returns 0 and fills buf, 1 when the value means "leave unset", or a
 * negative errno with err naming field. */
int cg_val_memory(int64_t v, bool v2, const char *field, char buf[CG_VAL_MAX], struct pal_err *err);
int cg_val_swap_v2(bool has_limit, int64_t limit, bool has_swap, int64_t swap, char buf[CG_VAL_MAX],
		   struct pal_err *err);
int cg_val_swappiness(uint64_t v, char buf[CG_VAL_MAX], struct pal_err *err);
uint64_t cg_val_cpu_weight(uint64_t shares); /* 0: leave unset */
int cg_val_cpu_max(bool has_quota, int64_t quota, bool has_period, uint64_t period,
		   char buf[CG_VAL_MAX]);
int cg_val_cpu_idle(int64_t idle, char buf[CG_VAL_MAX], struct pal_err *err);
void cg_val_pids(int64_t limit, char buf[CG_VAL_MAX]);
int cg_val_blkio_weight(uint16_t w, const char *field, struct pal_err *err);
uint64_t cg_val_io_weight(uint16_t blkio_weight); /* 0: leave unset */
int cg_val_devnum(int64_t major, int64_t minor, const char *field, char buf[CG_VAL_MAX],
		  struct pal_err *err);
/* "8:0 1048576" (v1 blkio.throttle.*) or "8:0 rbps=1048576" (v2 io.max; rate 0 → max). */
int cg_val_throttle(const struct rt_throttle_device *td, const char *v2_key, const char *field,
		    char buf[CG_VAL_MAX], struct pal_err *err);
int cg_val_hugepage_size(const char *page_size, const char *field, struct pal_err *err);
int cg_val_ifprio(const struct rt_kv *kv, const char *field, char **line, struct pal_err *err);
int cg_val_rdma(const struct rt_kv *kv, const char *field, char **line, struct pal_err *err);
int cg_val_unified_key(const char *key, const char *value, const char *field, struct pal_err *err);
/* Checks a device rule and returns its access bits (BPF_DEVCG_ACC_*); empty
 * access means "rwm". */
int cg_val_device_rule(const struct rt_device_rule *r, const char *field, unsigned *access,
		       struct pal_err *err);
/* "c 1:3 rwm", "a *:* rwm". */
void cg_val_device_rule_v1(char type, int64_t major, int64_t minor, unsigned access,
			   char buf[CG_VAL_MAX]);

/* ---- per-layout writers (cgroup_v1.c, cgroup_v2.c) ---- */
struct cg_target {
	const struct cg_dir *dir;
	int fd;
};
int cg_v1_memory(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
int cg_v1_cpu(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
int cg_v1_blkio(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
int cg_v1_hugetlb(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
int cg_v2_memory(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
int cg_v2_cpu(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
int cg_v2_io(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
int cg_v2_hugetlb(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
int cg_v2_unified(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
/* Same file names on both layouts. */
int cg_any_cpuset(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
int cg_any_pids(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
int cg_any_rdma(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
/* memory.checkBeforeUpdate: refuse a limit below the current usage. */
int cg_any_memory_check(const struct cg_target *t, const char *usage_file,
			const struct rt_resources *r, struct pal_err *err);
int cg_v1_net_cls(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);
int cg_v1_net_prio(const struct cg_target *t, const struct rt_resources *r, struct pal_err *err);

/* ---- devices ---- */
int cg_v1_devices(const struct cg_target *t, const struct rt_device_rule *rules, size_t n,
		  struct pal_err *err);
/* Builds the BPF_PROG_TYPE_CGROUP_DEVICE program for rules (default deny,
 * the last matching rule decides). Caller frees *insns. */
int cg_bpf_devices_build(const struct rt_device_rule *rules, size_t n, struct bpf_insn **insns,
			 size_t *n_insns, struct pal_err *err);
/* Loads the program; returns the prog fd or a negative errno. */
int cg_bpf_devices_load(const struct bpf_insn *insns, size_t n_insns, struct pal_err *err);
/* Loads, attaches (BPF_F_ALLOW_MULTI) to the cgroup directory, then detaches
 * any device program attached there before (an update replaces the rules). */
int cg_bpf_devices_apply(int cgroup_fd, const char *cgroup_path, const struct rt_device_rule *rules,
			 size_t n, struct pal_err *err);

#endif
