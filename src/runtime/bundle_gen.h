/* config.json for `palisade run`: the runtime's default spec adjusted to what
 * the user asked, so `palisade run` exercises exactly the code podman and
 * containerd drive. */
#ifndef PAL_RUNTIME_BUNDLE_GEN_H
#define PAL_RUNTIME_BUNDLE_GEN_H

#include "common/err.h"
#include "runtime/oci_config.h"

#include <stdbool.h>
#include <stdint.h>

struct rt_volume {
	char *source;	   /* host path, absolute */
	char *destination; /* container path, absolute */
	bool readonly;
};

struct rt_bundle_spec {
	const char *id;
	const char *rootfs; /* absolute */
	char **args;	    /* the process, required */
	char **image_env;   /* the image's Env, may be NULL */
	char **env;	    /* KEY=VALUE from the command line, override the image's */
	const char *cwd;    /* NULL: "/" */
	bool has_user;
	uint32_t uid, gid;
	bool tty;
	bool readonly;
	bool host_network;
	struct rt_volume *volumes;
	size_t n_volumes;
	int64_t memory;	 /* bytes, 0: no limit */
	int64_t pids;	 /* 0: no limit */
	char **cap_add;	 /* "CAP_NET_RAW" or "NET_RAW" */
	char **cap_drop; /* same, or "ALL" */
	struct rt_kv *annotations;
	size_t n_annotations;
	const char *cgroup_parent; /* NULL: "/palisade" */
};

/* The config.json text (caller frees), or NULL with err filled. */
char *rt_bundle_config_json(const struct rt_bundle_spec *s, struct pal_err *err);

/* podman's default capability set, the one `palisade run` starts from. */
const char *const *rt_bundle_default_caps(void);

/* Parses "SRC:DST[:ro|rw]". */
int rt_volume_parse(const char *spec, struct rt_volume *v, struct pal_err *err);
void rt_volume_free(struct rt_volume *v);

#endif
