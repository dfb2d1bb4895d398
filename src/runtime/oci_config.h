/* The OCI runtime configuration (config.json, runtime-spec 1.0-1.2, Linux),
 * parsed into plain C structs. Everything the runtime acts on is validated
 * here, before anything is created: a bad field is an error naming its JSON
 * path ("linux.namespaces[2].type: unknown namespace type 'foo'").
 *
 * Absent optional values use the has_* flags (or NULL / zero counts).
 */
#ifndef PAL_RUNTIME_OCI_CONFIG_H
#define PAL_RUNTIME_OCI_CONFIG_H

#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RT_CONFIG_MAX_BYTES (16u << 20)

struct rt_kv {
	char *key;
	char *value;
};

struct rt_user {
	uint32_t uid, gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t n_additional_gids;
	char *username; /* informational only */
};

/* Capability sets as bit masks over CAP_* numbers (0..63). */
struct rt_caps {
	bool present; /* process.capabilities given at all */
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct rt_rlimit {
	int resource; /* RLIMIT_* number */
	uint64_t soft, hard;
};

struct rt_process {
	bool terminal;
	struct { bool present; uint32_t height, width; } console_size;
	struct rt_user user;
	char **args;  /* NULL-terminated, at least one element */
	char *command_line; /* Windows only; rejected on Linux */
	char **env;   /* NULL-terminated, may be empty */
	char *cwd;    /* absolute */
	struct rt_caps caps;
	struct rt_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_no_new_privileges; /* the config says either way (else the node policy decides) */
	bool has_oom_score_adj;
	int oom_score_adj;
	char *apparmor_profile;  /* accepted only when empty: no AppArmor here */
	char *selinux_label;     /* accepted only when empty: no SELinux here */
	/* process.scheduler and process.ioPriority (spec 1.1+) */
	bool has_scheduler;
	struct { int policy; int nice; int priority; uint64_t flags; uint64_t runtime, deadline, period; } scheduler;
	bool has_io_priority;
	struct { int class_; int priority; } io_priority;
	/* process.execCPUAffinity (1.2) */
	char *exec_cpu_affinity_initial;
	char *exec_cpu_affinity_final;
};

enum rt_ns_type {
	RT_NS_PID = 0,
	RT_NS_NETWORK,
	RT_NS_MOUNT,
	RT_NS_IPC,
	RT_NS_UTS,
	RT_NS_USER,
	RT_NS_CGROUP,
	RT_NS_TIME,
	RT_NS__COUNT
};

struct rt_namespace {
	enum rt_ns_type type;
	char *path; /* NULL: create a new one; else join this one */
};

struct rt_id_mapping {
	uint32_t container_id, host_id, size;
};

struct rt_mount {
	char *destination; /* absolute, clean (validated) */
	char *type;        /* may be NULL (then bind if options say so) */
	char *source;
	char **options;    /* raw option strings, NULL-terminated */
	/* Derived from options by the parser: */
	unsigned long flags;        /* MS_* to set */
	unsigned long clear_flags;  /* MS_* explicitly cleared (e.g. "rw", "exec", "suid") */
	unsigned long propagation;  /* MS_PRIVATE/MS_SLAVE/MS_SHARED/MS_UNBINDABLE (| MS_REC), 0 if none */
	char *data;                 /* remaining comma-joined filesystem options, may be NULL */
	bool is_bind;               /* "bind" or "rbind" or type "bind" */
	bool recursive_bind;        /* "rbind" */
	bool idmap;                 /* "idmap"/"ridmap" (1.2) */
	bool recursive_idmap;       /* "ridmap": the idmapping applies to every submount */
	bool tmpcopyup;             /* "tmpcopyup": copy the image's content into the new tmpfs */
	struct rt_id_mapping *uid_mappings, *gid_mappings; /* mounts[].uidMappings (1.2) */
	size_t n_uid_mappings, n_gid_mappings;
	/* Recursive attribute changes (rro, rnoexec, ... ; mount_setattr). */
	uint64_t attr_set, attr_clr;
};

enum rt_dev_type { RT_DEV_CHAR = 'c', RT_DEV_BLOCK = 'b', RT_DEV_FIFO = 'p', RT_DEV_UNBUF = 'u' };

struct rt_device {
	char *path;
	char type;           /* 'c', 'b', 'u', 'p' */
	int64_t major, minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid, has_gid;
	uint32_t uid, gid;
};

struct rt_device_rule {
	bool allow;
	char type;  /* 'a', 'c', 'b' */
	int64_t major, minor; /* -1 means wildcard */
	char access[4]; /* subset of "rwm" */
};

struct rt_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct rt_throttle_device {
	int64_t major, minor;
	uint64_t rate;
};

struct rt_hugepage_limit {
	char *page_size; /* "2MB", "1GB", ... */
	uint64_t limit;
};

/* Every value is optional: has_* flags. */
struct rt_resources {
	struct rt_device_rule *devices;
	size_t n_devices;

	struct {
		bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness,
			has_disable_oom_killer, has_use_hierarchy, has_check_before_update;
		int64_t limit, reservation, swap, kernel, kernel_tcp; /* -1 = unlimited */
		uint64_t swappiness;
		bool disable_oom_killer, use_hierarchy, check_before_update;
	} memory;

	struct {
		bool has_shares, has_quota, has_burst, has_period, has_realtime_runtime,
			has_realtime_period, has_idle;
		uint64_t shares, period, burst, realtime_period;
		int64_t quota, realtime_runtime, idle;
		char *cpus, *mems; /* cpuset lists, NULL if absent */
	} cpu;

	struct {
		bool has_limit;
		int64_t limit; /* <= 0 means unlimited ("max") */
	} pids;

	struct {
		bool has_weight, has_leaf_weight;
		uint16_t weight, leaf_weight;
		struct rt_weight_device *weight_device;
		size_t n_weight_device;
		struct rt_throttle_device *throttle_read_bps, *throttle_write_bps,
			*throttle_read_iops, *throttle_write_iops;
		size_t n_throttle_read_bps, n_throttle_write_bps, n_throttle_read_iops,
			n_throttle_write_iops;
	} block_io;

	struct rt_hugepage_limit *hugepage_limits;
	size_t n_hugepage_limits;

	struct {
		bool has_class_id;
		uint32_t class_id;
		struct rt_kv *priorities; /* interface name -> priority (as decimal string) */
		size_t n_priorities;
	} network;

	struct rt_kv *rdma; /* device -> "hca_handle=N hca_object=M" */
	size_t n_rdma;

	struct rt_kv *unified; /* cgroup v2 file -> value */
	size_t n_unified;
};

enum rt_seccomp_action {
	RT_SCMP_ACT_KILL = 0,    /* SCMP_ACT_KILL = kill thread */
	RT_SCMP_ACT_KILL_PROCESS,
	RT_SCMP_ACT_KILL_THREAD,
	RT_SCMP_ACT_TRAP,
	RT_SCMP_ACT_ERRNO,
	RT_SCMP_ACT_TRACE,
	RT_SCMP_ACT_ALLOW,
	RT_SCMP_ACT_LOG,
	RT_SCMP_ACT_NOTIFY,
};

enum rt_seccomp_op {
	RT_SCMP_CMP_NE = 0,
	RT_SCMP_CMP_LT,
	RT_SCMP_CMP_LE,
	RT_SCMP_CMP_EQ,
	RT_SCMP_CMP_GE,
	RT_SCMP_CMP_GT,
	RT_SCMP_CMP_MASKED_EQ,
};

struct rt_seccomp_arg {
	unsigned index; /* 0..5 */
	uint64_t value, value_two;
	enum rt_seccomp_op op;
};

struct rt_seccomp_rule {
	char **names; /* syscall names, NULL-terminated */
	enum rt_seccomp_action action;
	bool has_errno_ret;
	uint32_t errno_ret;
	struct rt_seccomp_arg *args;
	size_t n_args;
};

struct rt_seccomp {
	enum rt_seccomp_action default_action;
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	char **architectures; /* "SCMP_ARCH_X86_64", ... NULL-terminated, may be empty */
	char **flags;         /* "SECCOMP_FILTER_FLAG_LOG", ... */
	char *listener_path;
	char *listener_metadata;
	struct rt_seccomp_rule *syscalls;
	size_t n_syscalls;
};

struct rt_hook {
	char *path; /* absolute */
	char **args;
	char **env;
	bool has_timeout;
	int timeout; /* seconds, > 0 */
};

struct rt_hook_list {
	struct rt_hook *hooks;
	size_t n;
};

enum rt_hook_kind {
	RT_HOOK_PRESTART = 0,
	RT_HOOK_CREATE_RUNTIME,
	RT_HOOK_CREATE_CONTAINER,
	RT_HOOK_START_CONTAINER,
	RT_HOOK_POSTSTART,
	RT_HOOK_POSTSTOP,
	RT_HOOK__COUNT
};

struct rt_personality {
	bool present;
	char *domain;  /* "LINUX" or "LINUX32" */
	unsigned long persona; /* PER_LINUX or PER_LINUX32, from domain */
	char **flags;
};

struct rt_config {
	char *oci_version;
	struct { char *path; bool readonly; } root;
	bool has_process;
	struct rt_process process;
	char *hostname;
	char *domainname;
	struct rt_mount *mounts;
	size_t n_mounts;
	struct rt_hook_list hooks[RT_HOOK__COUNT];
	struct rt_kv *annotations;
	size_t n_annotations;

	/* linux */
	struct rt_namespace *namespaces;
	size_t n_namespaces;
	struct rt_id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct rt_device *devices;
	size_t n_devices;
	char *cgroups_path; /* may be NULL: the runtime picks one */
	bool has_resources;
	struct rt_resources resources;
	struct rt_kv *sysctl;
	size_t n_sysctl;
	bool has_seccomp;
	struct rt_seccomp seccomp;
	unsigned long rootfs_propagation; /* MS_* or 0 */
	char **masked_paths;
	char **readonly_paths;
	char *mount_label;
	struct rt_personality personality;
	/* linux.timeOffsets (time namespace) */
	bool has_time_offsets;
	struct { int64_t secs; uint32_t nanosecs; } time_offsets_monotonic, time_offsets_boottime;
	bool has_time_offsets_monotonic, has_time_offsets_boottime;
};

/* Parses a config.json document. bundle_dir resolves a relative root.path
 * (the result in cfg->root.path is absolute). On error cfg is left empty. */
int rt_config_parse(const char *json_text, size_t len, const char *source_name,
		    const char *bundle_dir, struct rt_config *cfg, struct pal_err *err);
/* Reads <bundle>/config.json and parses it. */
int rt_config_load(const char *bundle_dir, struct rt_config *cfg, struct pal_err *err);
void rt_config_free(struct rt_config *cfg);

/* Parses a process.json (the `exec --process` file): the same schema as
 * config.json's "process" object. */
int rt_process_parse(const char *json_text, size_t len, const char *source_name,
		     struct rt_process *proc, struct pal_err *err);
void rt_process_free(struct rt_process *proc);

/* Lookups. */
const struct rt_namespace *rt_config_namespace(const struct rt_config *cfg, enum rt_ns_type t);
const char *rt_config_annotation(const struct rt_config *cfg, const char *key);
const char *rt_ns_type_name(enum rt_ns_type t);   /* "pid", "network", ... (OCI names) */
int rt_ns_clone_flag(enum rt_ns_type t);           /* CLONE_NEWPID, ... */
const char *rt_ns_proc_name(enum rt_ns_type t);   /* "pid", "net", ... (/proc/PID/ns names) */

/* Capability names "CAP_SYS_ADMIN" <-> numbers. Unknown names are errors. */
int rt_cap_from_name(const char *name);            /* -1 if unknown */
const char *rt_cap_name(int cap);                  /* NULL if unknown */
int rt_cap_last(void);                             /* highest cap the running kernel knows */

/* `palisade-runtime spec`: the default config.json text (caller frees). */
char *rt_config_default_spec(bool rootless);

#endif
