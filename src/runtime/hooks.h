/* OCI hooks: each runs with the container state JSON on stdin, its own env,
 * and its timeout; a failure reports the hook, its status and what it printed. */
#ifndef PAL_RUNTIME_HOOKS_H
#define PAL_RUNTIME_HOOKS_H

#include "common/err.h"
#include "runtime/oci_config.h"

const char *rt_hook_kind_name(enum rt_hook_kind k);

/* Runs every hook of `kind` in order; stops at the first failure. */
int rt_hooks_run(const struct rt_config *cfg, enum rt_hook_kind kind, const char *state_json,
		 struct pal_err *err);

#endif
