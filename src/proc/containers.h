/* The container registry: which container a process belongs to.
 *
 * Sources, in order: palisade-runtime's state files (by cgroup id and by id),
 * then the cgroup v2 path of the event's cgroup id (open_by_handle_at on the
 * cgroup2 mount: works after the process is gone), then the process's cgroup
 * paths (/proc/<pid>/cgroup, for v1-only layouts) for podman/libpod,
 * docker, containerd (CRI and ctr), CRI-O and Kubernetes pods, on cgroup v2
 * and v1/hybrid layouts. Image name and digest come from the state file, or
 * from containers-storage (podman, CRI-O) and docker's config. Anything else
 * is the host.
 *
 * Returned pointers stay valid until proc_containers_free(). */
#ifndef PAL_PROC_CONTAINERS_H
#define PAL_PROC_CONTAINERS_H

#include "common/err.h"
#include "sensor/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct proc_containers_opts {
	const char *state_dir;	  /* NULL: $PALISADE_STATE_DIR or /run/palisade/containers */
	const char *storage_root; /* NULL: /var/lib/containers/storage */
	const char *docker_root;  /* NULL: /var/lib/docker */
	const char *proc_root;	  /* NULL: /proc */
	const char *cgroup2_root; /* NULL: the cgroup2 mount found in /proc/self/mountinfo */
	const char *const *ctr_namespaces; /* NULL: {"default", "k8s.io"} */
};

struct proc_containers;

struct proc_containers *proc_containers_new(const struct proc_containers_opts *opts);
void proc_containers_free(struct proc_containers *c);

const struct pal_container *proc_containers_host(struct proc_containers *c);

/* The container of process pid whose v2 cgroup id is cgroup_id. Answers from
 * the cache when cgroup_id is known to belong to a container's own cgroup,
 * else reads /proc/<pid>/cgroup. Never NULL (host when unknown). */
const struct pal_container *proc_containers_resolve(struct proc_containers *c, uint32_t pid,
						    uint64_t cgroup_id);

/* Same, from the text of a /proc/<pid>/cgroup file (tests, and callers that
 * already read it). */
const struct pal_container *proc_containers_from_cgroup_text(struct proc_containers *c,
							     const char *text, size_t len,
							     uint64_t cgroup_id);

/* Same, from a cgroup v2 path ("/machine.slice/libpod-<id>.scope"). */
const struct pal_container *proc_containers_from_v2_path(struct proc_containers *c,
							 const char *path, uint64_t cgroup_id);

/* By id (full, or a unique prefix of at least 12 characters); NULL if unknown. */
const struct pal_container *proc_containers_find(struct proc_containers *c, const char *id);

/* Rereads the state directory (cheap when its mtime did not change). */
void proc_containers_refresh(struct proc_containers *c);

/* An inotify descriptor that becomes readable when palisade-runtime writes a
 * state file; -1 if inotify is unavailable. Loading a container when its
 * state file appears (at create, before its first instruction) rather than
 * at its first event matters for short-lived containers: by the time their
 * events are read, `run` may have deleted the file. */
int proc_containers_watch_fd(struct proc_containers *c);

/* Loads the state files the watch reported; cheap when there are none. */
void proc_containers_watch_drain(struct proc_containers *c);

size_t proc_containers_count(const struct proc_containers *c);

#endif
