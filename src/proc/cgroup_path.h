/* Recognizes the container a cgroup path belongs to, for every runtime whose
 * layout Palisade knows: palisade-runtime, podman/libpod, docker, containerd
 * (CRI and ctr), CRI-O, and Kubernetes pod slices, with the cgroupfs and the
 * systemd cgroup drivers. Pure string functions: no file access. */
#ifndef PAL_PROC_CGROUP_PATH_H
#define PAL_PROC_CGROUP_PATH_H

#include <stdbool.h>
#include <stddef.h>

#define PROC_CONTAINER_ID_MAX 128

struct proc_cgroup_match {
	const char
	    *runtime; /* static string: "palisade", "podman", "docker", "containerd", "cri-o" */
	char id[PROC_CONTAINER_ID_MAX + 1];
	char pod_uid[64]; /* Kubernetes pod UID with dashes, "" when not in a pod */
};

/* Matches one cgroup path (as in /proc/<pid>/cgroup, e.g.
 * "/machine.slice/libpod-<id>.scope/container"). The deepest component that
 * names a container wins. ctr_namespaces is a NULL-terminated list of
 * containerd namespaces whose "/<ns>/<id>" paths count as containers (NULL
 * means {"default", "k8s.io"}). Returns true on a match. */
bool proc_cgroup_path_match(const char *path, const char *const *ctr_namespaces,
			    struct proc_cgroup_match *m);

/* Matches the content of a /proc/<pid>/cgroup file. The unified (v2) line
 * "0::<path>" is tried first, then the v1 lines; *from_v2 tells which one
 * matched, because only a v2 match makes the v2 cgroup id a key for the
 * container. Returns true on a match. */
bool proc_cgroup_file_match(const char *content, size_t len, const char *const *ctr_namespaces,
			    struct proc_cgroup_match *m, bool *from_v2);

/* The unified hierarchy's path from a /proc/<pid>/cgroup file ("0::/x" -> "/x"),
 * copied into out; false if the file has no such line or it does not fit. */
bool proc_cgroup_v2_path(const char *content, size_t len, char *out, size_t cap);

#endif
