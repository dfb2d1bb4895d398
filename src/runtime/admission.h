/* Admission at `create`: before anything of the container exists, its
 * config is checked against the node policy's `admission:` section and its
 * image against `trust:`. The image is found where each engine leaves it:
 * `palisade run`'s annotations (a layout or a containers-storage image it
 * opened), podman's containers-storage record of this container, or the CRI
 * annotations of containerd and CRI-O (a reference only). A denial carries
 * every reason and is appended to the audit log. */
#ifndef PAL_RUNTIME_ADMISSION_H
#define PAL_RUNTIME_ADMISSION_H

#include "common/err.h"
#include "runtime/oci_config.h"
#include "runtime/policy.h"

#include <jansson.h>

struct rt_admission {
	const char *id;
	const struct rt_config *cfg;
	const struct rt_policy_file *policy; /* the node policy (path NULL: built-in defaults) */
	const char *image_ref;   /* known to the caller (palisade run), else from the config */
	const char *image_digest;
};

struct rt_admission_verdict {
	char *image;        /* what was judged, NULL if no image is known */
	char *digest;       /* its manifest digest, when known */
	json_t *record;     /* the decision, for the audit log */
};

/* 0: admitted (warnings logged); -EPERM: denied with err naming every reason;
 * other negative values: admission could not be carried out (also a denial). */
int rt_admission_check(const struct rt_admission *in, struct rt_admission_verdict *v,
		       struct pal_err *err);
void rt_admission_verdict_free(struct rt_admission_verdict *v);

/* Appends a denial to the audit log ($PALISADE_AUDIT_LOG, else the default path). */
void rt_admission_audit(const struct rt_admission_verdict *v);

#endif
