/* Symbolic names for syscall argument values, rendered as Falco prints them
 * ("O_WRONLY|O_CREAT|O_TRUNC", "AF_PACKET", "PTRACE_ATTACH",
 * "CAP_CHOWN CAP_SYS_ADMIN"). */
#ifndef PAL_ENGINE_FLAGS_H
#define PAL_ENGINE_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum eng_flag_table {
	FT_OPEN = 0,
	FT_CLONE,
	FT_NS, /* unshare / setns: CLONE_NEW* and friends */
	FT_MOUNT,
	FT_UMOUNT,
	FT_UNLINKAT,
	FT_LINKAT,
	FT_RENAME,
	FT_MEMFD,
	FT_DUP3,
	FT_ACCEPT4,
	FT_EXE, /* execve: where the executable comes from */
	FT_FINIT,
	FT_RESOLVE,
	FT_SOCKTYPE,
	FT__COUNT
};

enum eng_enum_table { ET_AF = 0, ET_PTRACE, ET_SIGNAL, ET_BPF, ET__COUNT };

struct eng_flag {
	const char *name;
	uint64_t mask, value; /* set when (v & mask) == value */
};

/* Falco's exe flags for execve (evt.arg.flags). */
#define ENG_EXE_WRITABLE    (1u << 0)
#define ENG_EXE_UPPER_LAYER (1u << 1)
#define ENG_EXE_FROM_MEMFD  (1u << 2)
#define ENG_EXE_LOWER_LAYER (1u << 3)

const struct eng_flag *eng_flag_table(int table, size_t *n);
/* NULL if v is not a known value. */
const char *eng_enum_name(int table, int64_t v);
/* The value of the table's entry with exactly that name; false if none. */
bool eng_enum_value(int table, const char *name, size_t n, bool icase, int64_t *out);
/* CAP_* name of bit, NULL past the known capabilities. */
const char *eng_cap_name(unsigned bit);
/* "ENOENT" for 2; NULL if unknown. */
const char *eng_errno_name(int e);

#endif
