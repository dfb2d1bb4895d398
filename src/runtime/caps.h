/* Applying the five capability sets to the container process. Names were
 * validated and turned into bit masks by the config parser (oci_config.h). */
#ifndef PAL_RUNTIME_CAPS_H
#define PAL_RUNTIME_CAPS_H

#include "runtime/oci_config.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Drops from the bounding set everything not in caps->bounding. Must run
 * while the process still has CAP_SETPCAP. Async-signal-safe. Returns 0 or -errno. */
int rt_caps_drop_bounding(const struct rt_caps *caps);

/* Switches to uid/gid/groups while keeping capabilities (PR_SET_KEEPCAPS),
 * then sets effective/permitted/inheritable and raises ambient caps.
 * Before changing anything it checks that effective is within permitted and
 * ambient within permitted and inheritable (step "check capabilities: ...",
 * -EINVAL). Capabilities the running kernel does not know are left out, as
 * runc does (the caller can warn using rt_caps_all_mask()). Supplementary
 * groups are replaced by user->additional_gids (cleared when there are none).
 * Async-signal-safe (runs between fork and exec). Returns 0 or -errno and
 * writes the failing step's name to *step. */
int rt_caps_set_user_and_caps(const struct rt_user *user, const struct rt_caps *caps,
			      const char **step);

/* Reads a process's CapEff/CapPrm/CapBnd/CapInh/CapAmb from /proc/<pid>/status
 * (pid 0: self). */
struct rt_caps_status {
	uint64_t effective, permitted, bounding, inheritable, ambient;
};
int rt_caps_read_status(pid_t pid, struct rt_caps_status *out);
/* The parser behind it, over a status file's text: each line's value must be
 * 1-16 hex digits; all five keys must appear, once. -EINVAL / -ENODATA. */
int rt_caps_parse_status(const char *text, size_t len, struct rt_caps_status *out);

/* Mask of every capability the running kernel knows. */
uint64_t rt_caps_all_mask(void);

/* The highest capability number the running kernel knows, probed with
 * PR_CAPBSET_READ (no file access) and cached. Async-signal-safe; calling
 * it once before fork saves the probe in the child. */
int rt_caps_last_cap(void);

#endif
