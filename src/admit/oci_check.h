/* Admission of an OCI runtime config at `palisade-runtime create`, before
 * anything is created: privileged-equivalent capabilities in any set, the
 * host's namespaces, host paths bound into the container (the engines'
 * sockets and state, the host's system directories), host devices. Every
 * violation is collected with the JSON field it concerns:
 *
 *   process.capabilities.bounding: CAP_SYS_ADMIN is privileged-equivalent (...)
 *   linux.namespaces: no network namespace: the container would share the host's network
 *   mounts[7].source /var/run/docker.sock: the container engine's socket
 *
 * Exceptions of the policy (by image scope and/or annotations) lift single
 * findings; they stay in the result, marked excepted. */
#ifndef PAL_ADMIT_OCI_CHECK_H
#define PAL_ADMIT_OCI_CHECK_H

#include "policy.h"
#include "result.h"
#include "runtime/oci_config.h"

#include <stdbool.h>

/* Annotations naming the image a container runs, in the order they are read. */
#define ADM_ANNOT_IMAGE_CONTAINERD "io.kubernetes.cri.image-name"
#define ADM_ANNOT_IMAGE_CRIO	   "io.kubernetes.cri-o.ImageName"
#define ADM_ANNOT_IMAGE_PALISADE   "io.palisade.image" /* palisade run */

struct adm_oci_input {
	const char *image_ref;	  /* the container's image, for exceptions; NULL if unknown */
	const char *container_id; /* the runtime's container id, for {container-id}; NULL: any */
};

/* Checks cfg against p, adding every finding to res (initialized by the
 * caller). Returns 0 when the container may be created (res->warn tells
 * whether findings were only warned about), -EPERM when it is denied. */
int adm_check_oci_config(const struct adm_policy *p, const struct rt_config *cfg,
			 const char *image_ref, struct adm_result *res);
/* The same with the container id, which makes {container-id} in
 * host_paths.allow match this container's own directories only. */
int adm_check_oci_config_ex(const struct adm_policy *p, const struct rt_config *cfg,
			    const struct adm_oci_input *in, struct adm_result *res);

/* Verdict for one host path about to be bound (resolved, e.g. from the
 * O_PATH fd the runtime opened, to close the window between check and mount).
 * Returns true if allowed; otherwise *reason says what the path is. */
bool adm_host_path_allowed(const struct adm_policy *p, const struct rt_config *cfg,
			   const char *container_id, const char *resolved, bool readonly,
			   const char **reason);

/* The image reference recorded in the config's annotations (CRI-O,
 * containerd's CRI, palisade run), or NULL. podman records none: its image is
 * found through containers-storage (sup_cstore_container_image). */
const char *adm_config_image_ref(const struct rt_config *cfg);

#endif
