/* Steps of preparing the container process that do not touch mounts: the
 * executable lookup, rlimits, OOM score, personality, scheduling, sysctls,
 * hostname and the working directory. */
#ifndef PAL_RUNTIME_PROCESS_SETUP_H
#define PAL_RUNTIME_PROCESS_SETUP_H

#include "common/err.h"
#include "runtime/oci_config.h"

/* Like execvp's search, with PATH from the process env; the result is the
 * path to exec and, in *real, the same with symlinks resolved. */
int rt_find_executable(const char *arg0, char *const *env, char **path, char **real,
		       struct pal_err *err);

/* Ambient capabilities the kernel cannot raise (not in both permitted and
 * inheritable) are dropped with a warning, as runc does: its own default spec
 * lists ambient capabilities without inheritable ones. */
void rt_caps_normalize_ambient(struct rt_caps *caps);

int rt_apply_rlimits(const struct rt_process *p, struct pal_err *err);
int rt_apply_oom_score_adj(const struct rt_process *p, struct pal_err *err);
int rt_apply_personality(const struct rt_config *cfg, struct pal_err *err);
int rt_apply_scheduling(const struct rt_process *p, struct pal_err *err);
int rt_apply_hostname(const struct rt_config *cfg, struct pal_err *err);
/* Writes linux.sysctl through the container's own procfs (checked to be procfs). */
int rt_apply_sysctl(const struct rt_config *cfg, struct pal_err *err);
/* chdir to cwd (created if missing) and check the result is inside the
 * container: a leaked host directory fd must never become the cwd
 * (CVE-2024-21626). */
int rt_enter_cwd(const char *cwd, struct pal_err *err);

#endif
