/* Container state that outlives a single palisade-runtime invocation:
 *   <root>/<id>/state.json   what later commands (start, state, kill, exec,
 *                            pause, delete) need, written atomically;
 *   <root>/<id>/exec.fifo    present between create and start;
 *   <root>/<id>/config.json  the bundle's config as created (hooks, exec template);
 *   <root>/<id>/seccomp.bpf  the compiled filter exec reuses.
 * plus the agent-facing record in $PALISADE_STATE_DIR (docs/state-files.md).
 */
#ifndef PAL_RUNTIME_STATE_H
#define PAL_RUNTIME_STATE_H

#include "common/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define RT_DEFAULT_ROOT	       "/run/palisade-runtime"
#define RT_AGENT_STATE_DEFAULT "/run/palisade/containers"
#define RT_OCI_VERSION	       "1.2.0"

enum rt_status {
	RT_STATUS_CREATING,
	RT_STATUS_CREATED,
	RT_STATUS_RUNNING,
	RT_STATUS_PAUSED,
	RT_STATUS_STOPPED
};

struct rt_state {
	char *id;
	pid_t pid;
	uint64_t pid_start; /* /proc/<pid>/stat starttime: tells a reused pid apart */
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339 */
	char *owner;
	json_t *annotations; /* object, may be NULL */
	json_t *cgroup;	     /* rt_cgroup_to_json(), may be NULL */
	uint64_t cgroup_id;
	bool has_poststart_hooks;
	bool has_poststop_hooks;
	bool has_seccomp;	    /* seccomp.bpf exists */
	bool no_new_privs;	    /* applied to the init; exec inherits the default */
	char **landlock_exec_paths; /* container paths granted execute; NULL: no Landlock */
	json_t *hardening;	    /* summary for the agent record */
	char *image_ref;
	char *image_digest;
	char *name;
	char *engine; /* who asked: podman, containerd, cri-o, palisade; NULL if unknown */
};

void rt_state_free(struct rt_state *s);

/* Container ids: 1-1024 characters of [A-Za-z0-9_+.-], not "." or "..". */
int rt_id_validate(const char *id, struct pal_err *err);

/* The runtime root (mkdir -p 0700). */
int rt_root_prepare(const char *root, struct pal_err *err);
/* Creates <root>/<id> exclusively: an existing id is an EEXIST error naming it. */
int rt_state_dir_create(const char *root, const char *id, struct pal_err *err);
char *rt_state_path(const char *root, const char *id, const char *file);
int rt_state_save(const char *root, const struct rt_state *s, struct pal_err *err);
/* ENOENT error "container <id> does not exist" when absent. */
int rt_state_load(const char *root, const char *id, struct rt_state *s, struct pal_err *err);
/* The parser behind load, for state.json text already in memory. */
int rt_state_parse(const char *path, const char *id, const char *text, size_t len,
		   struct rt_state *s, struct pal_err *err);
int rt_state_remove(const char *root, const char *id, struct pal_err *err);

/* The --pid-file of create and exec, replaced atomically. */
int rt_write_pid_file(const char *path, pid_t pid, struct pal_err *err);

/* Reads pid's start time and whether it is a zombie. -ESRCH if gone. */
int rt_proc_start_time(pid_t pid, uint64_t *start, bool *zombie);
/* Is the recorded init still the same, live process? */
bool rt_state_init_alive(const struct rt_state *s);
/* created/running/paused/stopped, from the process, the fifo and the freezer. */
enum rt_status rt_state_status(const char *root, const struct rt_state *s);
const char *rt_status_name(enum rt_status st);

/* The runc-compatible `state` JSON (ociVersion, id, pid, status, bundle,
 * rootfs, created, owner, annotations). */
json_t *rt_state_to_oci_json(const struct rt_state *s, enum rt_status st);

/* Agent-facing record ($PALISADE_STATE_DIR/<id>.json). */
const char *rt_agent_state_dir(void);
int rt_agent_record_write(const struct rt_state *s, enum rt_status st, struct pal_err *err);
void rt_agent_record_remove(const char *id);

#endif
