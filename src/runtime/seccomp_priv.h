/* Private to the seccomp files: name tables, flag values and the rule
 * helper shared by the OCI profile compiler and the default profile. */
#ifndef PAL_RUNTIME_SECCOMP_PRIV_H
#define PAL_RUNTIME_SECCOMP_PRIV_H

#include "common/err.h"
#include "runtime/oci_config.h"

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Filter flags by value: the kernel's uapi header on the build machine may
 * predate some of them. */
#define RT_SECCOMP_FLAG_TSYNC		   (1U << 0)
#define RT_SECCOMP_FLAG_LOG		   (1U << 1)
#define RT_SECCOMP_FLAG_SPEC_ALLOW	   (1U << 2)
#define RT_SECCOMP_FLAG_NEW_LISTENER	   (1U << 3)
#define RT_SECCOMP_FLAG_TSYNC_ESRCH	   (1U << 4)
#define RT_SECCOMP_FLAG_WAIT_KILLABLE_RECV (1U << 5)
#define RT_SECCOMP_FLAGS_ALL		   0x3fU

/* Bounds of what a compiled program may carry (also enforced on load). */
#define RT_SECCOMP_MAX_LISTENER_PATH	 4095U
#define RT_SECCOMP_MAX_LISTENER_METADATA (64U * 1024U)

struct rt_seccomp_name_value {
	const char *name;
	uint64_t value;
};

/* OCI names <-> values; NULL when out of range / unknown. */
const char *rt_seccomp_action_name(enum rt_seccomp_action a);
const char *rt_seccomp_op_name(enum rt_seccomp_op op);
/* Returns 0 and the SCMP_ARCH_* token, or -ENOENT. */
int rt_seccomp_arch_token(const char *name, uint32_t *token);
/* Returns 0 and the SECCOMP_FILTER_FLAG_* bit, or -ENOENT. */
int rt_seccomp_flag_value(const char *name, unsigned int *flag);
/* The libseccomp comparison for op, or 0 (_SCMP_CMP_MIN) if unknown. */
enum scmp_compare rt_seccomp_scmp_op(enum rt_seccomp_op op);

/* Adds one rule group (every name × the filter's architectures) with the
 * conditions given. Conditions sharing an argument index are split into one
 * rule each, as runc does, because libseccomp refuses two comparisons of the
 * same argument in one rule. Names unknown to libseccomp are skipped, and a
 * rule whose action equals def_action is skipped (libseccomp rejects it as
 * redundant). what names the group in errors ("linux.seccomp.syscalls[3]"). */
int rt_seccomp_add_rules(scmp_filter_ctx ctx, uint32_t def_action, const char *const *names,
			 uint32_t action, const struct scmp_arg_cmp *conds, size_t n_conds,
			 const char *what, struct pal_err *err);

/* Adds the default profile's architectures and rules to ctx (created with
 * SCMP_ACT_ALLOW). */
int rt_seccomp_build_default(scmp_filter_ctx ctx, uint64_t effective_caps, struct pal_err *err);

#endif
