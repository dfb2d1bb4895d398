/* A cache of compiled seccomp programs under the runtime root, so the cost
 * of compiling a profile (milliseconds for podman's, with its 32-bit x86
 * section) is paid once per distinct profile, not per container.
 *
 * Entries are keyed by a complete, unambiguous description of everything the
 * compiler reads (profile, options, Palisade and libseccomp versions); a hit
 * compares that description byte for byte, so a file-name collision can never
 * hand out another profile's program. The directory is root-only. */
#ifndef PAL_RUNTIME_SECCOMP_CACHE_H
#define PAL_RUNTIME_SECCOMP_CACHE_H

#include "common/err.h"
#include "runtime/seccomp.h"

/* The description of (cfg or the default profile when NULL, opts). Caller frees. */
char *rt_seccomp_cache_key(const struct rt_seccomp *cfg, const struct rt_seccomp_build_opts *opts,
			   size_t *len);

/* 0 and *out filled on a hit; -ENOENT on a miss (or an unusable entry). */
int rt_seccomp_cache_get(const char *root, const char *key, size_t key_len,
			 struct rt_seccomp_program *out);
int rt_seccomp_cache_put(const char *root, const char *key, size_t key_len,
			 const struct rt_seccomp_program *p, struct pal_err *err);

/* Compile through the cache. */
int rt_seccomp_compile_cached(const char *root, const struct rt_seccomp *cfg,
			      const struct rt_seccomp_build_opts *opts,
			      struct rt_seccomp_program *out, struct pal_err *err);

#endif
