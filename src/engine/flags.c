#include "engine/flags.h"

#include "common/capnames.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/socket.h>

#define F(n)                                                                                       \
	{                                                                                          \
#n, n, n                                                                           \
	}
#define FM(n, m, v)                                                                                \
	{                                                                                          \
#n, m, v                                                                           \
	}

static const struct eng_flag open_flags[] = {
    FM(O_RDONLY, O_ACCMODE, O_RDONLY),
    FM(O_WRONLY, O_ACCMODE, O_WRONLY),
    FM(O_RDWR, O_ACCMODE, O_RDWR),
    F(O_CREAT),
    F(O_EXCL),
    F(O_NOCTTY),
    F(O_TRUNC),
    F(O_APPEND),
    F(O_NONBLOCK),
    F(O_DSYNC),
    FM(O_ASYNC, 020000, 020000),
    F(O_DIRECT),
    /* The kernel sets this for every 64-bit open; userspace headers define it as 0. */
    FM(O_LARGEFILE, 0100000, 0100000),
    F(O_DIRECTORY),
    F(O_NOFOLLOW),
    F(O_NOATIME),
    F(O_CLOEXEC),
    FM(O_SYNC, 04010000, 04010000),
    F(O_PATH),
    FM(O_TMPFILE, 020200000, 020200000),
};

static const struct eng_flag clone_flags[] = {
    F(CLONE_VM),
    F(CLONE_FS),
    F(CLONE_FILES),
    F(CLONE_SIGHAND),
    F(CLONE_PIDFD),
    F(CLONE_PTRACE),
    F(CLONE_VFORK),
    F(CLONE_PARENT),
    F(CLONE_THREAD),
    F(CLONE_NEWNS),
    F(CLONE_SYSVSEM),
    F(CLONE_SETTLS),
    F(CLONE_PARENT_SETTID),
    F(CLONE_CHILD_CLEARTID),
    F(CLONE_UNTRACED),
    F(CLONE_CHILD_SETTID),
    F(CLONE_NEWCGROUP),
    F(CLONE_NEWUTS),
    F(CLONE_NEWIPC),
    F(CLONE_NEWUSER),
    F(CLONE_NEWPID),
    F(CLONE_NEWNET),
    F(CLONE_IO),
};

static const struct eng_flag ns_flags[] = {
    F(CLONE_FILES),
    F(CLONE_FS),
    F(CLONE_NEWNS),
    F(CLONE_SYSVSEM),
    F(CLONE_NEWCGROUP),
    F(CLONE_NEWUTS),
    F(CLONE_NEWIPC),
    F(CLONE_NEWUSER),
    F(CLONE_NEWPID),
    F(CLONE_NEWNET),
    FM(CLONE_NEWTIME, 0x80, 0x80),
};

static const struct eng_flag mount_flags[] = {
    F(MS_RDONLY),
    F(MS_NOSUID),
    F(MS_NODEV),
    F(MS_NOEXEC),
    F(MS_SYNCHRONOUS),
    F(MS_REMOUNT),
    F(MS_MANDLOCK),
    F(MS_DIRSYNC),
    F(MS_NOATIME),
    F(MS_NODIRATIME),
    F(MS_BIND),
    F(MS_MOVE),
    F(MS_REC),
    F(MS_SILENT),
    F(MS_POSIXACL),
    F(MS_UNBINDABLE),
    F(MS_PRIVATE),
    F(MS_SLAVE),
    F(MS_SHARED),
    F(MS_RELATIME),
    F(MS_KERNMOUNT),
    F(MS_I_VERSION),
    F(MS_STRICTATIME),
    F(MS_LAZYTIME),
    FM(MS_NOSYMFOLLOW, 256, 256),
};

static const struct eng_flag umount_flags[] = {
    F(MNT_FORCE),
    F(MNT_DETACH),
    F(MNT_EXPIRE),
    F(UMOUNT_NOFOLLOW),
};

static const struct eng_flag unlinkat_flags[] = {F(AT_REMOVEDIR)};
static const struct eng_flag linkat_flags[] = {F(AT_SYMLINK_FOLLOW), F(AT_EMPTY_PATH)};
static const struct eng_flag rename_flags[] = {
    FM(RENAME_NOREPLACE, 1, 1),
    FM(RENAME_EXCHANGE, 2, 2),
    FM(RENAME_WHITEOUT, 4, 4),
};
static const struct eng_flag memfd_flags[] = {
    FM(MFD_CLOEXEC, 1, 1),     FM(MFD_ALLOW_SEALING, 2, 2), FM(MFD_HUGETLB, 4, 4),
    FM(MFD_NOEXEC_SEAL, 8, 8), FM(MFD_EXEC, 0x10, 0x10),
};
static const struct eng_flag dup3_flags[] = {F(O_CLOEXEC)};
static const struct eng_flag accept4_flags[] = {F(SOCK_NONBLOCK), F(SOCK_CLOEXEC)};
static const struct eng_flag exe_flags[] = {
    FM(EXE_WRITABLE, ENG_EXE_WRITABLE, ENG_EXE_WRITABLE),
    FM(EXE_UPPER_LAYER, ENG_EXE_UPPER_LAYER, ENG_EXE_UPPER_LAYER),
    FM(EXE_FROM_MEMFD, ENG_EXE_FROM_MEMFD, ENG_EXE_FROM_MEMFD),
    FM(EXE_LOWER_LAYER, ENG_EXE_LOWER_LAYER, ENG_EXE_LOWER_LAYER),
};
static const struct eng_flag finit_flags[] = {
    FM(MODULE_INIT_IGNORE_MODVERSIONS, 1, 1),
    FM(MODULE_INIT_IGNORE_VERMAGIC, 2, 2),
    FM(MODULE_INIT_COMPRESSED_FILE, 4, 4),
};
static const struct eng_flag resolve_flags[] = {
    F(RESOLVE_NO_XDEV), F(RESOLVE_NO_MAGICLINKS), F(RESOLVE_NO_SYMLINKS),
    F(RESOLVE_BENEATH), F(RESOLVE_IN_ROOT),	  F(RESOLVE_CACHED),
};
static const struct eng_flag socktype_flags[] = {
    FM(SOCK_STREAM, 0xf, SOCK_STREAM),
    FM(SOCK_DGRAM, 0xf, SOCK_DGRAM),
    FM(SOCK_RAW, 0xf, SOCK_RAW),
    FM(SOCK_RDM, 0xf, SOCK_RDM),
    FM(SOCK_SEQPACKET, 0xf, SOCK_SEQPACKET),
    FM(SOCK_DCCP, 0xf, SOCK_DCCP),
    FM(SOCK_PACKET, 0xf, SOCK_PACKET),
    F(SOCK_NONBLOCK),
    F(SOCK_CLOEXEC),
};

#define T(a)                                                                                       \
	{                                                                                          \
		a, sizeof(a) / sizeof(a[0])                                                        \
	}
static const struct {
	const struct eng_flag *v;
	size_t n;
} flag_tables[FT__COUNT] = {
    [FT_OPEN] = T(open_flags),
    [FT_CLONE] = T(clone_flags),
    [FT_NS] = T(ns_flags),
    [FT_MOUNT] = T(mount_flags),
    [FT_UMOUNT] = T(umount_flags),
    [FT_UNLINKAT] = T(unlinkat_flags),
    [FT_LINKAT] = T(linkat_flags),
    [FT_RENAME] = T(rename_flags),
    [FT_MEMFD] = T(memfd_flags),
    [FT_DUP3] = T(dup3_flags),
    [FT_ACCEPT4] = T(accept4_flags),
    [FT_EXE] = T(exe_flags),
    [FT_FINIT] = T(finit_flags),
    [FT_RESOLVE] = T(resolve_flags),
    [FT_SOCKTYPE] = T(socktype_flags),
};

const struct eng_flag *eng_flag_table(int table, size_t *n)
{
	if (table < 0 || table >= FT__COUNT) {
		*n = 0;
		return NULL;
	}
	*n = flag_tables[table].n;
	return flag_tables[table].v;
}

struct eng_enum {
	int64_t v;
	const char *name;
};

#define E(n)                                                                                       \
	{                                                                                          \
		n, #n                                                                              \
	}
static const struct eng_enum af_names[] = {
    E(AF_UNSPEC),     E(AF_UNIX),      E(AF_INET),     E(AF_AX25),  E(AF_IPX),	   E(AF_APPLETALK),
    E(AF_NETROM),     E(AF_BRIDGE),    E(AF_ATMPVC),   E(AF_X25),   E(AF_INET6),   E(AF_ROSE),
    E(AF_DECnet),     E(AF_NETBEUI),   E(AF_SECURITY), E(AF_KEY),   E(AF_NETLINK), E(AF_PACKET),
    E(AF_ASH),	      E(AF_ECONET),    E(AF_ATMSVC),   E(AF_RDS),   E(AF_SNA),	   E(AF_IRDA),
    E(AF_PPPOX),      E(AF_WANPIPE),   E(AF_LLC),      E(AF_IB),    E(AF_MPLS),	   E(AF_CAN),
    E(AF_TIPC),	      E(AF_BLUETOOTH), E(AF_IUCV),     E(AF_RXRPC), E(AF_ISDN),	   E(AF_PHONET),
    E(AF_IEEE802154), E(AF_CAIF),      E(AF_ALG),      E(AF_NFC),   E(AF_VSOCK),   E(AF_KCM),
    E(AF_QIPCRTR),    E(AF_SMC),       E(AF_XDP),
};

static const struct eng_enum ptrace_names[] = {
    {0, "PTRACE_TRACEME"},
    {1, "PTRACE_PEEKTEXT"},
    {2, "PTRACE_PEEKDATA"},
    {3, "PTRACE_PEEKUSR"},
    {4, "PTRACE_POKETEXT"},
    {5, "PTRACE_POKEDATA"},
    {6, "PTRACE_POKEUSR"},
    {7, "PTRACE_CONT"},
    {8, "PTRACE_KILL"},
    {9, "PTRACE_SINGLESTEP"},
    {12, "PTRACE_GETREGS"},
    {13, "PTRACE_SETREGS"},
    {14, "PTRACE_GETFPREGS"},
    {15, "PTRACE_SETFPREGS"},
    {16, "PTRACE_ATTACH"},
    {17, "PTRACE_DETACH"},
    {18, "PTRACE_GETFPXREGS"},
    {19, "PTRACE_SETFPXREGS"},
    {24, "PTRACE_SYSCALL"},
    {0x4200, "PTRACE_SETOPTIONS"},
    {0x4201, "PTRACE_GETEVENTMSG"},
    {0x4202, "PTRACE_GETSIGINFO"},
    {0x4203, "PTRACE_SETSIGINFO"},
    {0x4204, "PTRACE_GETREGSET"},
    {0x4205, "PTRACE_SETREGSET"},
    {0x4206, "PTRACE_SEIZE"},
    {0x4207, "PTRACE_INTERRUPT"},
    {0x4208, "PTRACE_LISTEN"},
    {0x4209, "PTRACE_PEEKSIGINFO"},
    {0x420a, "PTRACE_GETSIGMASK"},
    {0x420b, "PTRACE_SETSIGMASK"},
    {0x420c, "PTRACE_SECCOMP_GET_FILTER"},
    {0x420d, "PTRACE_SECCOMP_GET_METADATA"},
    {0x420e, "PTRACE_GET_SYSCALL_INFO"},
};

static const struct eng_enum signal_names[] = {
    E(SIGHUP),	E(SIGINT),    E(SIGQUIT), E(SIGILL),  E(SIGTRAP),   E(SIGABRT), E(SIGBUS),
    E(SIGFPE),	E(SIGKILL),   E(SIGUSR1), E(SIGSEGV), E(SIGUSR2),   E(SIGPIPE), E(SIGALRM),
    E(SIGTERM), E(SIGSTKFLT), E(SIGCHLD), E(SIGCONT), E(SIGSTOP),   E(SIGTSTP), E(SIGTTIN),
    E(SIGTTOU), E(SIGURG),    E(SIGXCPU), E(SIGXFSZ), E(SIGVTALRM), E(SIGPROF), E(SIGWINCH),
    E(SIGIO),	E(SIGPWR),    E(SIGSYS),
};

static const struct eng_enum bpf_names[] = {
    {0, "BPF_MAP_CREATE"},
    {1, "BPF_MAP_LOOKUP_ELEM"},
    {2, "BPF_MAP_UPDATE_ELEM"},
    {3, "BPF_MAP_DELETE_ELEM"},
    {4, "BPF_MAP_GET_NEXT_KEY"},
    {5, "BPF_PROG_LOAD"},
    {6, "BPF_OBJ_PIN"},
    {7, "BPF_OBJ_GET"},
    {8, "BPF_PROG_ATTACH"},
    {9, "BPF_PROG_DETACH"},
    {10, "BPF_PROG_TEST_RUN"},
    {11, "BPF_PROG_GET_NEXT_ID"},
    {12, "BPF_MAP_GET_NEXT_ID"},
    {13, "BPF_PROG_GET_FD_BY_ID"},
    {14, "BPF_MAP_GET_FD_BY_ID"},
    {15, "BPF_OBJ_GET_INFO_BY_FD"},
    {16, "BPF_PROG_QUERY"},
    {17, "BPF_RAW_TRACEPOINT_OPEN"},
    {18, "BPF_BTF_LOAD"},
    {19, "BPF_BTF_GET_FD_BY_ID"},
    {20, "BPF_TASK_FD_QUERY"},
    {21, "BPF_MAP_LOOKUP_AND_DELETE_ELEM"},
    {22, "BPF_MAP_FREEZE"},
    {23, "BPF_BTF_GET_NEXT_ID"},
    {24, "BPF_MAP_LOOKUP_BATCH"},
    {25, "BPF_MAP_LOOKUP_AND_DELETE_BATCH"},
    {26, "BPF_MAP_UPDATE_BATCH"},
    {27, "BPF_MAP_DELETE_BATCH"},
    {28, "BPF_LINK_CREATE"},
    {29, "BPF_LINK_UPDATE"},
    {30, "BPF_LINK_GET_FD_BY_ID"},
    {31, "BPF_LINK_GET_NEXT_ID"},
    {32, "BPF_ENABLE_STATS"},
    {33, "BPF_ITER_CREATE"},
    {34, "BPF_LINK_DETACH"},
    {35, "BPF_PROG_BIND_MAP"},
};

static const struct {
	const struct eng_enum *v;
	size_t n;
} enum_tables[ET__COUNT] = {
    [ET_AF] = T(af_names),
    [ET_PTRACE] = T(ptrace_names),
    [ET_SIGNAL] = T(signal_names),
    [ET_BPF] = T(bpf_names),
};

const char *eng_enum_name(int table, int64_t v)
{
	if (table < 0 || table >= ET__COUNT)
		return NULL;
	for (size_t i = 0; i < enum_tables[table].n; i++)
		if (enum_tables[table].v[i].v == v)
			return enum_tables[table].v[i].name;
	return NULL;
}

bool eng_enum_value(int table, const char *name, size_t n, bool icase, int64_t *out)
{
	if (table < 0 || table >= ET__COUNT)
		return false;
	for (size_t i = 0; i < enum_tables[table].n; i++) {
		const char *e = enum_tables[table].v[i].name;
		if (strlen(e) != n)
			continue;
		if (icase ? strncasecmp(e, name, n) == 0 : memcmp(e, name, n) == 0) {
			*out = enum_tables[table].v[i].v;
			return true;
		}
	}
	return false;
}

const char *eng_cap_name(unsigned bit)
{
	return pal_cap_name(bit);
}

const char *eng_errno_name(int e)
{
	return e > 0 ? strerrorname_np(e) : NULL;
}
