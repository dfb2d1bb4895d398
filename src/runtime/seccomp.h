/* Seccomp filters, built with libseccomp from the OCI config (or the default
 * profile when the config has none), compiled to classic BPF once in the
 * runtime process, and loaded in the container's init just before execve.
 *
 * Compiling ahead lets `create` report profile errors before anything is
 * started, lets `exec` reuse the container's compiled filter from the state
 * directory, and keeps libseccomp out of the path between fork and exec.
 */
#ifndef PAL_RUNTIME_SECCOMP_H
#define PAL_RUNTIME_SECCOMP_H

#include "common/err.h"
#include "runtime/oci_config.h"

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rt_seccomp_program {
	struct sock_filter *insns;
	size_t n_insns;
	unsigned int flags;       /* SECCOMP_FILTER_FLAG_* to pass at load (TSYNC, LOG, SPEC_ALLOW,
				     WAIT_KILLABLE_RECV); NEW_LISTENER added when needs_listener */
	bool needs_listener;      /* some rule uses SCMP_ACT_NOTIFY */
	char *listener_path;      /* linux.seccomp.listenerPath, may be NULL */
	char *listener_metadata;
};

struct rt_seccomp_build_opts {
	/* Mark denials for the kernel's audit log (SECCOMP_FILTER_FLAG_LOG), so
	 * the sensor can report attempts that seccomp stopped. */
	bool log_denials;
	/* Effective capabilities of the container process, for the default
	 * profile (e.g. mount is only allowed with CAP_SYS_ADMIN). */
	uint64_t effective_caps;
};

/* Compiles cfg (NULL: the default profile). Unknown syscall names for the
 * target architecture are skipped as runc does (the name may exist only on
 * other kernels); unknown actions/operators/architectures/flags are errors
 * naming the field. */
int rt_seccomp_compile(const struct rt_seccomp *cfg, const struct rt_seccomp_build_opts *opts,
		       struct rt_seccomp_program *out, struct pal_err *err);
void rt_seccomp_program_free(struct rt_seccomp_program *p);

/* Serialization for the runtime state dir (exec reuses the container's filter). */
int rt_seccomp_program_save(const struct rt_seccomp_program *p, const char *path,
			    struct pal_err *err);
int rt_seccomp_program_load_file(const char *path, struct rt_seccomp_program *out,
				 struct pal_err *err);
/* The loader behind load_file, for a file already in memory (source_name
 * names it in errors). Every field is validated. */
int rt_seccomp_program_load_buf(const void *data, size_t len, const char *source_name,
				struct rt_seccomp_program *out, struct pal_err *err);
/* The bytes save writes (caller frees). */
char *rt_seccomp_program_serialize(const struct rt_seccomp_program *p, size_t *len);

/* Installs the filter in the calling process (async-signal-safe; no
 * allocation). Returns the listener fd (>= 0) when the program needs one,
 * 0 otherwise, or -errno. */
int rt_seccomp_install(const struct rt_seccomp_program *p);

/* Sends a listener fd to linux.seccomp.listenerPath as the runtime-spec
 * describes: one SCM_RIGHTS message whose payload is the container state JSON
 * (with "fds": ["seccompFd"] and "metadata"). */
int rt_seccomp_send_listener(const char *socket_path, int listener_fd, const char *state_json,
			     struct pal_err *err);

/* The default profile's deny list, for `features` and documentation. */
const char *const *rt_seccomp_default_denied(void);

/* Names accepted in configs, for `palisade-runtime features`. */
const char *const *rt_seccomp_known_actions(void);
const char *const *rt_seccomp_known_operators(void);
const char *const *rt_seccomp_known_archs(void);
const char *const *rt_seccomp_known_flags(void);
/* Flags the running kernel supports (subset of known). */
const char *const *rt_seccomp_supported_flags(void);
/* Actions the running kernel supports (SECCOMP_GET_ACTION_AVAIL). */
const char *const *rt_seccomp_supported_actions(void);

#endif
