/* The names a runtime-spec seccomp profile uses (actions, operators,
 * architectures, flags), mapped to libseccomp and kernel values, and the
 * lists `palisade-runtime features` prints. */
#include "runtime/seccomp.h"
#include "runtime/seccomp_priv.h"

#include "common/cleanup.h"

#include <errno.h>
#include <string.h>

static const char *const action_names[] = {
    [RT_SCMP_ACT_KILL] = "SCMP_ACT_KILL",
    [RT_SCMP_ACT_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
    [RT_SCMP_ACT_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
    [RT_SCMP_ACT_TRAP] = "SCMP_ACT_TRAP",
    [RT_SCMP_ACT_ERRNO] = "SCMP_ACT_ERRNO",
    [RT_SCMP_ACT_TRACE] = "SCMP_ACT_TRACE",
    [RT_SCMP_ACT_ALLOW] = "SCMP_ACT_ALLOW",
    [RT_SCMP_ACT_LOG] = "SCMP_ACT_LOG",
    [RT_SCMP_ACT_NOTIFY] = "SCMP_ACT_NOTIFY",
    NULL,
};

static const char *const op_names[] = {
    [RT_SCMP_CMP_NE] = "SCMP_CMP_NE",
    [RT_SCMP_CMP_LT] = "SCMP_CMP_LT",
    [RT_SCMP_CMP_LE] = "SCMP_CMP_LE",
    [RT_SCMP_CMP_EQ] = "SCMP_CMP_EQ",
    [RT_SCMP_CMP_GE] = "SCMP_CMP_GE",
    [RT_SCMP_CMP_GT] = "SCMP_CMP_GT",
    [RT_SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
    NULL,
};

static const enum scmp_compare op_values[] = {
    [RT_SCMP_CMP_NE] = SCMP_CMP_NE,
    [RT_SCMP_CMP_LT] = SCMP_CMP_LT,
    [RT_SCMP_CMP_LE] = SCMP_CMP_LE,
    [RT_SCMP_CMP_EQ] = SCMP_CMP_EQ,
    [RT_SCMP_CMP_GE] = SCMP_CMP_GE,
    [RT_SCMP_CMP_GT] = SCMP_CMP_GT,
    [RT_SCMP_CMP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
};

/* Every architecture libseccomp 2.5 knows. */
static const struct rt_seccomp_name_value archs[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
};

static const char *const arch_names[] = {
    "SCMP_ARCH_X86",	 "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",		"SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",	"SCMP_ARCH_MIPS64N32",
    "SCMP_ARCH_MIPSEL",	 "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
    "SCMP_ARCH_PPC64",	 "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	"SCMP_ARCH_S390X",
    "SCMP_ARCH_PARISC",	 "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	NULL,
};

/* The flags runtime-spec lets a profile request. NEW_LISTENER and
 * TSYNC_ESRCH are the runtime's business, not the profile's. */
static const struct rt_seccomp_name_value flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", RT_SECCOMP_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", RT_SECCOMP_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", RT_SECCOMP_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", RT_SECCOMP_FLAG_WAIT_KILLABLE_RECV},
};

static const char *const flag_names[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
    "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    NULL,
};

_Static_assert(PAL_ARRAY_SIZE(archs) + 1 == PAL_ARRAY_SIZE(arch_names), "arch tables differ");
_Static_assert(PAL_ARRAY_SIZE(flags) + 1 == PAL_ARRAY_SIZE(flag_names), "flag tables differ");

const char *rt_seccomp_action_name(enum rt_seccomp_action a)
{
	if ((unsigned)a >= PAL_ARRAY_SIZE(action_names) - 1)
		return NULL;
	return action_names[a];
}

const char *rt_seccomp_op_name(enum rt_seccomp_op op)
{
	if ((unsigned)op >= PAL_ARRAY_SIZE(op_names) - 1)
		return NULL;
	return op_names[op];
}

enum scmp_compare rt_seccomp_scmp_op(enum rt_seccomp_op op)
{
	if ((unsigned)op >= PAL_ARRAY_SIZE(op_values))
		return _SCMP_CMP_MIN;
	return op_values[op];
}

int rt_seccomp_arch_token(const char *name, uint32_t *token)
{
	for (size_t i = 0; name && i < PAL_ARRAY_SIZE(archs); i++) {
		if (strcmp(archs[i].name, name) == 0) {
			*token = (uint32_t)archs[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

int rt_seccomp_flag_value(const char *name, unsigned int *flag)
{
	for (size_t i = 0; name && i < PAL_ARRAY_SIZE(flags); i++) {
		if (strcmp(flags[i].name, name) == 0) {
			*flag = (unsigned int)flags[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

const char *const *rt_seccomp_known_actions(void)
{
	return action_names;
}

const char *const *rt_seccomp_known_operators(void)
{
	return op_names;
}

const char *const *rt_seccomp_known_archs(void)
{
	return arch_names;
}

const char *const *rt_seccomp_known_flags(void)
{
	return flag_names;
}
