/* Response actions: kill a process, kill or freeze a container.
 *
 * The agent calls these when a rule with `actions:` matches. Each returns an
 * outcome (ok / failed / skipped and a detail text) that goes into the alert,
 * and never throws a wider net than asked:
 *
 *   - a process is signalled through a pidfd, after checking that the pid
 *     still names the process the event was about (its start time), so a
 *     reused pid is never hit;
 *   - a container is acted on through its own cgroup, found from
 *     palisade-runtime's agent record (cgroup_paths) or from the process's
 *     /proc/<pid>/cgroup for other runtimes, and only when that cgroup is
 *     provably the container's (its path names the container id, or the
 *     record's cgroup id matches the directory's inode);
 *   - nothing is ever done to the host (container id "host"), pid 1, the
 *     agent itself, a cgroup hierarchy's root, or a cgroup holding the agent
 *     or pid 1. kill_process on a process outside containers is skipped
 *     unless host enforcement is enabled.
 *
 * With dry_run the target is resolved and every safety rule checked, and the
 * outcome says what would have been done.
 */
#ifndef PAL_ENFORCE_ENFORCE_H
#define PAL_ENFORCE_ENFORCE_H

#include "common/err.h"
#include "sensor/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum enf_result {
	ENF_OK = 0,  /* carried out */
	ENF_FAILED,  /* tried and failed: detail says why */
	ENF_SKIPPED, /* not attempted: disabled, dry run, or a safety rule */
};

#define ENF_DETAIL_MAX 512

struct enf_outcome {
	enum enf_result result;
	char detail[ENF_DETAIL_MAX];
};

const char *enf_result_name(enum enf_result r); /* "ok", "failed", "skipped" */

struct enf_opts {
	bool enabled; /* false: every action is skipped ("enforcement is disabled") */
	bool dry_run; /* resolve and check, then report what would be done */
	bool host;    /* allow kill_process on processes outside containers */
	/* palisade-runtime's agent records; NULL: $PALISADE_STATE_DIR or
	 * /run/palisade/containers. */
	const char *state_dir;
	const char *proc_root; /* NULL: /proc */
	/* How long freeze_container waits for the freezer to report FROZEN
	 * (0: 1000 ms). The event loop waits with it, so keep it short. */
	uint32_t freeze_timeout_ms;
};

/* What an action is aimed at, taken from the event. */
struct enf_target {
	uint32_t pid;
	uint64_t start_ns; /* boot-time ns (pal_proc.start_ns); 0: unknown */
	const char *comm;
	const char *container_id; /* NULL or "host": the host */
	uint64_t cgroup_id;	  /* the container's v2 cgroup id, 0 if unknown */
	bool is_host;
};

void enf_target_from_event(const struct pal_event *ev, struct enf_target *t);

struct enf;

struct enf *enf_new(const struct enf_opts *o);
void enf_free(struct enf *e);

void enf_kill_process(struct enf *e, const struct enf_target *t, struct enf_outcome *out);
void enf_kill_container(struct enf *e, const struct enf_target *t, struct enf_outcome *out);
void enf_freeze_container(struct enf *e, const struct enf_target *t, struct enf_outcome *out);

/* ---- building blocks (exposed for tests) ----------------------------------- */

/* Sends sig to pid through a pidfd, after checking that /proc/<pid>/stat's
 * start time still matches start_ns (boot-time ns; compared in clock ticks).
 * 0; -ESRCH when the process is gone; -ESTALE when the pid now names another
 * process; other -errno with err filled. */
int enf_pid_signal(const char *proc_root, uint32_t pid, uint64_t start_ns, int sig,
		   struct pal_err *err);

/* The start time of pid in clock ticks since boot (field 22 of /proc/<pid>/stat). */
int enf_pid_start_ticks(const char *proc_root, uint32_t pid, uint64_t *ticks);

/* Whether pid is still the process that started at start_ns (boot-time ns):
 * 0 when it is; -ESRCH when pid is gone; -ESTALE when it names another
 * process or start_ns is unknown (0); other -errno. */
int enf_pid_is(const char *proc_root, uint32_t pid, uint64_t start_ns);

/* A cgroup hierarchy mounted on this host. */
struct enf_cg_mount {
	char *path;	   /* mount point, e.g. /sys/fs/cgroup/unified */
	char *root;	   /* the hierarchy path mounted there ("/" normally) */
	char *controllers; /* v1: "freezer", "cpu,cpuacct", "name=systemd"; v2: "" */
	bool v2;
};

struct enf_cg_mounts {
	struct enf_cg_mount *m;
	size_t n;
};

/* Parses /proc/self/mountinfo text: every cgroup and cgroup2 mount. */
void enf_cg_mounts_parse(const char *text, size_t len, struct enf_cg_mounts *out);
void enf_cg_mounts_clear(struct enf_cg_mounts *ms);

/* One cgroup directory of a container. */
struct enf_cg_dir {
	char *path;	   /* absolute directory path */
	char *mount;	   /* the mount point it lies below */
	char *rel;	   /* path inside the hierarchy ("/libpod_parent/libpod-<id>") */
	char *controllers; /* as in enf_cg_mount */
	bool v2;
};

/* The cgroups of one container: its v2 directory (if any), its v1 freezer
 * directory (if any) and its other v1 directories. */
struct enf_cgroup {
	struct enf_cg_dir *dirs;
	size_t n;
};
void enf_cgroup_clear(struct enf_cgroup *cg);
const struct enf_cg_dir *enf_cgroup_v2(const struct enf_cgroup *cg);
const struct enf_cg_dir *enf_cgroup_v1(const struct enf_cgroup *cg, const char *controller);

/* From palisade-runtime's record <state_dir>/<id>.json (cgroup_paths). Only
 * paths below a cgroup mount of ms are taken; when the record has a cgroup_id
 * the v2 directory's inode must equal it. -ENOENT when there is no record. */
int enf_cgroup_from_record(const char *state_dir, const char *id, const struct enf_cg_mounts *ms,
			   struct enf_cgroup *cg, struct pal_err *err);

/* From the text of /proc/<pid>/cgroup: for each hierarchy, the ancestor of
 * the process's cgroup that names container id (the runtime layouts
 * proc/cgroup_path.h knows). Hierarchies where no component names the
 * container are left out, so nothing outside the container is ever taken. */
int enf_cgroup_from_proc_text(const char *text, size_t len, const char *id,
			      const struct enf_cg_mounts *ms, struct enf_cgroup *cg,
			      struct pal_err *err);

/* Refuses a cgroup that is a hierarchy root or contains the cgroup of one of
 * the processes whose /proc/<pid>/cgroup texts are given (the agent, pid 1). */
int enf_cgroup_check_excludes(const struct enf_cgroup *cg, const char *const *cgroup_texts,
			      const char *const *names, struct pal_err *err);

enum enf_kill_method {
	ENF_KILL_AUTO = 0,   /* cgroup.kill when the kernel has it, else freeze-kill-thaw */
	ENF_KILL_FREEZE_KILL /* freeze, SIGKILL every pid, thaw (tests force it) */
};

/* Kills every process of the container's cgroups. *killed receives the number
 * of processes signalled (-1 when cgroup.kill did it in one write). detail
 * says how. */
int enf_cgroup_kill(const struct enf_cgroup *cg, enum enf_kill_method how, uint32_t timeout_ms,
		    long *killed, char *detail, size_t cap, struct pal_err *err);

/* Freezes (or thaws) with the freezer the runtime uses: the v1 freezer when
 * the container has one, else the v2 core freezer (cgroup.freeze); waits up
 * to timeout_ms for the state to be reached. */
int enf_cgroup_freeze(const struct enf_cgroup *cg, bool freeze, uint32_t timeout_ms, char *detail,
		      size_t cap, struct pal_err *err);

#endif
