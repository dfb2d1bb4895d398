#include "sensor/syscalls.h"

#include <asm/unistd_64.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

struct map {
	enum pal_evt_type type;
	int nr;
};

static const struct map table[] = {
    {PAL_EVT_EXECVE, __NR_execve},
    {PAL_EVT_EXECVEAT, __NR_execveat},
    {PAL_EVT_OPEN, __NR_open},
    {PAL_EVT_OPENAT, __NR_openat},
    {PAL_EVT_OPENAT2, __NR_openat2},
    {PAL_EVT_CREAT, __NR_creat},
    {PAL_EVT_UNLINK, __NR_unlink},
    {PAL_EVT_UNLINKAT, __NR_unlinkat},
    {PAL_EVT_RENAME, __NR_rename},
    {PAL_EVT_RENAMEAT, __NR_renameat},
    {PAL_EVT_RENAMEAT2, __NR_renameat2},
    {PAL_EVT_CHMOD, __NR_chmod},
    {PAL_EVT_FCHMOD, __NR_fchmod},
    {PAL_EVT_FCHMODAT, __NR_fchmodat},
    {PAL_EVT_FCHMODAT, __NR_fchmodat2},
    {PAL_EVT_SYMLINK, __NR_symlink},
    {PAL_EVT_SYMLINKAT, __NR_symlinkat},
    {PAL_EVT_LINK, __NR_link},
    {PAL_EVT_LINKAT, __NR_linkat},
    {PAL_EVT_MKDIR, __NR_mkdir},
    {PAL_EVT_MKDIRAT, __NR_mkdirat},
    {PAL_EVT_SOCKET, __NR_socket},
    {PAL_EVT_CONNECT, __NR_connect},
    {PAL_EVT_ACCEPT, __NR_accept},
    {PAL_EVT_ACCEPT4, __NR_accept4},
    {PAL_EVT_BIND, __NR_bind},
    {PAL_EVT_LISTEN, __NR_listen},
    {PAL_EVT_SENDTO, __NR_sendto},
    {PAL_EVT_SENDMSG, __NR_sendmsg},
    {PAL_EVT_SETUID, __NR_setuid},
    {PAL_EVT_SETGID, __NR_setgid},
    {PAL_EVT_SETREUID, __NR_setreuid},
    {PAL_EVT_SETREGID, __NR_setregid},
    {PAL_EVT_SETRESUID, __NR_setresuid},
    {PAL_EVT_SETRESGID, __NR_setresgid},
    {PAL_EVT_CAPSET, __NR_capset},
    {PAL_EVT_PTRACE, __NR_ptrace},
    {PAL_EVT_MOUNT, __NR_mount},
    {PAL_EVT_UMOUNT2, __NR_umount2},
    {PAL_EVT_UNSHARE, __NR_unshare},
    {PAL_EVT_SETNS, __NR_setns},
    {PAL_EVT_PIVOT_ROOT, __NR_pivot_root},
    {PAL_EVT_INIT_MODULE, __NR_init_module},
    {PAL_EVT_FINIT_MODULE, __NR_finit_module},
    {PAL_EVT_BPF, __NR_bpf},
    {PAL_EVT_MEMFD_CREATE, __NR_memfd_create},
    {PAL_EVT_DUP, __NR_dup},
    {PAL_EVT_DUP2, __NR_dup2},
    {PAL_EVT_DUP3, __NR_dup3},
    {PAL_EVT_KILL, __NR_kill},
    {PAL_EVT_TKILL, __NR_tkill},
    {PAL_EVT_TGKILL, __NR_tgkill},
};

size_t sen_syscalls_of_type(enum pal_evt_type t, int *nrs, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].type == t && n < cap)
			nrs[n++] = table[i].nr;
	return n;
}

bool sen_type_is_sched(enum pal_evt_type t)
{
	switch (t) {
	case PAL_EVT_CLONE:
	case PAL_EVT_CLONE3:
	case PAL_EVT_FORK:
	case PAL_EVT_VFORK:
	case PAL_EVT_PROCEXIT:
		return true;
	default:
		return false;
	}
}

void sen_syscall_name(long nr, unsigned arch, char *buf, size_t cap)
{
	/* libseccomp knows every architecture's table; the audit arch value is
	 * the same token (AUDIT_ARCH_*). */
	char *name = NULL;
	if (nr >= 0 && nr <= 4096)
		name = seccomp_syscall_resolve_num_arch(arch ? arch : SCMP_ARCH_NATIVE, (int)nr);
	snprintf(buf, cap, "%s", name ? name : "unknown");
	free(name);
}
