/* Filesystem W^X: a container may execute only files it cannot write.
 *
 * Mechanism, in layers:
 *   - every writable mount (tmpfs, /dev, /dev/shm, writable binds) is noexec,
 *     which stops execve, the loader trick (ld.so /tmp/x) and mmap(PROT_EXEC);
 *   - a writable rootfs is made noexec as a whole, and the places programs
 *     live (/bin, /sbin, /lib*, /usr, /opt, the entrypoint's directory, and
 *     the policy's wx_exec_paths) are bind-mounted read-only and executable;
 *   - Landlock then allows execute only beneath those paths, so even a process
 *     that regains CAP_SYS_ADMIN cannot remount its way around it, and
 *     memfd/fileless execution is refused.
 */
#ifndef PAL_RUNTIME_WX_H
#define PAL_RUNTIME_WX_H

#include "common/err.h"
#include "runtime/oci_config.h"
#include "runtime/policy.h"

/* Container paths to keep executable (runs after pivot_root, in the container).
 * entrypoint: the resolved executable (absolute, symlinks followed). */
int rt_wx_plan(const struct rt_config *cfg, const struct rt_hardening *h, const char *entrypoint,
	       char ***exec_paths, struct pal_err *err);

/* Makes each exec path read-only and executable, then the writable root noexec. */
int rt_wx_apply(const struct rt_config *cfg, char *const *exec_paths, struct pal_err *err);

/* Landlock ABI version of the running kernel, 0 if unavailable. */
int rt_landlock_abi(void);

/* Builds a ruleset that handles only "execute" and grants it beneath each
 * path. Returns the ruleset fd (to enforce right before execve). Paths that do
 * not exist are skipped. */
int rt_landlock_prepare(char *const *exec_paths, struct pal_err *err);

/* landlock_restrict_self(); async-signal-safe. Needs no_new_privs or CAP_SYS_ADMIN. */
int rt_landlock_enforce(int ruleset_fd);

#endif
