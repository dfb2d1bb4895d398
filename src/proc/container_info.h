/* What the runtimes' own files tell about a container: palisade-runtime's
 * agent-facing state files (docs/state-files.md), containers-storage (podman,
 * CRI-O) and docker's config.v2.json. Parsers take buffers so tests and
 * fuzzers feed them directly; every field is validated (untrusted input). */
#ifndef PAL_PROC_CONTAINER_INFO_H
#define PAL_PROC_CONTAINER_INFO_H

#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct proc_container_info {
	char *id;
	char *name;
	char *runtime;
	char *image;	    /* full reference, e.g. localhost/bb:latest */
	char *image_digest; /* sha256:<64 hex> */
	char *pod_name;
	char *pod_namespace;
	char *status;
	uint64_t cgroup_id; /* 0 when unknown */
	uint32_t pid;
	bool privileged;
};

void proc_container_info_clear(struct proc_container_info *ci);

/* A palisade state file ("<id>.json"). name is used in messages. */
int proc_state_file_parse(const char *name, const char *data, size_t len,
			  struct proc_container_info *out, struct pal_err *err);

/* containers-storage: finds container id in containers.json and its image in
 * images.json (either may be NULL). Fills name, image, image_digest.
 * Returns 0 when found, -ENOENT when the id is not listed. */
int proc_storage_lookup(const char *containers_json, size_t clen, const char *images_json,
			size_t ilen, const char *id, struct proc_container_info *out,
			struct pal_err *err);

/* docker's /var/lib/docker/containers/<id>/config.v2.json. */
int proc_docker_config_parse(const char *data, size_t len, struct proc_container_info *out,
			     struct pal_err *err);

/* Splits an image reference into repository, tag and digest (any may come
 * back empty). "localhost/bb:latest" -> "localhost/bb", "latest", "";
 * "repo@sha256:..." -> "repo", "", "sha256:...". Caller frees the three. */
void proc_image_ref_split(const char *ref, char **repo, char **tag, char **digest);

/* True for [A-Za-z0-9][A-Za-z0-9_.-]{0,127}. */
bool proc_container_id_valid(const char *id);

#endif
