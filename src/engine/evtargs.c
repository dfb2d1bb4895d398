/* evt.arg.NAME / evt.arg[N] / evt.rawarg.NAME / evt.args: the arguments of
 * each event type under Falco's names, and where each lives in struct
 * pal_event. Events carry enter and exit arguments together (the sensor
 * reports a syscall once, at exit), so e.g. ptrace has both `request` and
 * `res`. The per-type meaning of pal_event.arg[] expected here is listed in
 * docs/rules.md ("Sensor contract"). */
#include "engine/flags.h"
#include "engine/internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum evtarg_src {
	AS_RES = 0,
	AS_FD,
	AS_PATH,
	AS_PATH2,
	AS_FLAGS,
	AS_MODE,
	AS_A0,
	AS_A1,
	AS_A2,
	AS_A3,
	AS_STR,
	AS_LOCAL,
	AS_TUPLE,
	AS_DOMAIN,
	AS_SOCKTYPE,
	AS_PROTO,
	AS_EXE,
	AS_ARGS,
	AS_TID,
	AS_PID,
	AS_PPID,
	AS_CWD,
	AS_COMM,
	AS_ENV,
	AS_TTY,
	AS_LOGINUID,
	AS_UID,
	AS_GID,
	AS_EXEFLAGS,
	AS_CAPI,
	AS_CAPP,
	AS_CAPE,
};

enum evtarg_fmt {
	AF_INT = 0,
	AF_FD,
	AF_ERRNO,
	AF_STR,
	AF_MODE,
	AF_FLAGS,
	AF_ENUM,
	AF_CAPS,
	AF_ADDR,
	AF_TUPLE,
};

#define A(n, s, f)                                                                                 \
	{                                                                                          \
		n, s, f, 0                                                                         \
	}
#define AFL(n, s, t)                                                                               \
	{                                                                                          \
		n, s, AF_FLAGS, t                                                                  \
	}
#define AEN(n, s, t)                                                                               \
	{                                                                                          \
		n, s, AF_ENUM, t                                                                   \
	}
#define RES A("res", AS_RES, AF_ERRNO)

#define EXEC_COMMON                                                                                \
	RES, A("exe", AS_EXE, AF_STR), A("args", AS_ARGS, AF_STR), A("tid", AS_TID, AF_INT),       \
	    A("pid", AS_PID, AF_INT), A("ptid", AS_PPID, AF_INT), A("cwd", AS_CWD, AF_STR),        \
	    A("comm", AS_COMM, AF_STR), A("env", AS_ENV, AF_STR), A("tty", AS_TTY, AF_INT),        \
	    A("loginuid", AS_LOGINUID, AF_INT), A("uid", AS_UID, AF_INT),                          \
	    A("gid", AS_GID, AF_INT), A("cap_inheritable", AS_CAPI, AF_CAPS),                      \
	    A("cap_permitted", AS_CAPP, AF_CAPS), A("cap_effective", AS_CAPE, AF_CAPS)

static const struct eng_evtarg execve_args[] = {EXEC_COMMON, AFL("flags", AS_EXEFLAGS, FT_EXE),
						A("filename", AS_PATH, AF_STR)};
static const struct eng_evtarg execveat_args[] = {EXEC_COMMON, AFL("flags", AS_EXEFLAGS, FT_EXE),
						  A("pathname", AS_PATH, AF_STR)};
static const struct eng_evtarg clone_args[] = {
    RES,
    A("exe", AS_EXE, AF_STR),
    A("args", AS_ARGS, AF_STR),
    A("tid", AS_TID, AF_INT),
    A("pid", AS_PID, AF_INT),
    A("ptid", AS_PPID, AF_INT),
    A("cwd", AS_CWD, AF_STR),
    A("comm", AS_COMM, AF_STR),
    AFL("flags", AS_FLAGS, FT_CLONE),
    A("uid", AS_UID, AF_INT),
    A("gid", AS_GID, AF_INT),
};
static const struct eng_evtarg procexit_args[] = {
    A("status", AS_A0, AF_INT),
    AEN("sig", AS_A1, ET_SIGNAL),
};
static const struct eng_evtarg open_args[] = {
    A("fd", AS_RES, AF_FD),
    A("name", AS_PATH, AF_STR),
    AFL("flags", AS_FLAGS, FT_OPEN),
    A("mode", AS_MODE, AF_MODE),
};
static const struct eng_evtarg openat2_args[] = {
    A("fd", AS_RES, AF_FD),	 A("name", AS_PATH, AF_STR),	    AFL("flags", AS_FLAGS, FT_OPEN),
    A("mode", AS_MODE, AF_MODE), AFL("resolve", AS_A0, FT_RESOLVE),
};
static const struct eng_evtarg creat_args[] = {
    A("fd", AS_RES, AF_FD),
    A("name", AS_PATH, AF_STR),
    A("mode", AS_MODE, AF_MODE),
};
static const struct eng_evtarg unlink_args[] = {RES, A("path", AS_PATH, AF_STR)};
static const struct eng_evtarg unlinkat_args[] = {
    RES,
    A("name", AS_PATH, AF_STR),
    AFL("flags", AS_FLAGS, FT_UNLINKAT),
};
static const struct eng_evtarg rename_args[] = {
    RES,
    A("oldpath", AS_PATH, AF_STR),
    A("newpath", AS_PATH2, AF_STR),
};
static const struct eng_evtarg renameat2_args[] = {
    RES,
    A("oldpath", AS_PATH, AF_STR),
    A("newpath", AS_PATH2, AF_STR),
    AFL("flags", AS_FLAGS, FT_RENAME),
};
static const struct eng_evtarg chmod_args[] = {
    RES,
    A("filename", AS_PATH, AF_STR),
    A("mode", AS_MODE, AF_MODE),
};
static const struct eng_evtarg fchmod_args[] = {
    RES,
    A("fd", AS_FD, AF_FD),
    A("mode", AS_MODE, AF_MODE),
};
static const struct eng_evtarg symlink_args[] = {
    RES,
    A("target", AS_PATH, AF_STR),
    A("linkpath", AS_PATH2, AF_STR),
};
static const struct eng_evtarg link_args[] = {
    RES,
    A("oldpath", AS_PATH, AF_STR),
    A("newpath", AS_PATH2, AF_STR),
};
static const struct eng_evtarg linkat_args[] = {
    RES,
    A("oldpath", AS_PATH, AF_STR),
    A("newpath", AS_PATH2, AF_STR),
    AFL("flags", AS_FLAGS, FT_LINKAT),
};
static const struct eng_evtarg mkdir_args[] = {
    RES,
    A("path", AS_PATH, AF_STR),
    A("mode", AS_MODE, AF_MODE),
};
static const struct eng_evtarg socket_args[] = {
    A("fd", AS_RES, AF_FD),
    AEN("domain", AS_DOMAIN, ET_AF),
    AFL("type", AS_SOCKTYPE, FT_SOCKTYPE),
    A("proto", AS_PROTO, AF_INT),
};
static const struct eng_evtarg connect_args[] = {
    RES,
    A("tuple", AS_TUPLE, AF_TUPLE),
    A("fd", AS_FD, AF_FD),
};
static const struct eng_evtarg accept_args[] = {
    A("fd", AS_RES, AF_FD),
    A("tuple", AS_TUPLE, AF_TUPLE),
};
static const struct eng_evtarg accept4_args[] = {
    A("fd", AS_RES, AF_FD),
    A("tuple", AS_TUPLE, AF_TUPLE),
    AFL("flags", AS_FLAGS, FT_ACCEPT4),
};
static const struct eng_evtarg bind_args[] = {
    RES,
    A("addr", AS_LOCAL, AF_ADDR),
    A("fd", AS_FD, AF_FD),
};
static const struct eng_evtarg listen_args[] = {
    RES,
    A("fd", AS_FD, AF_FD),
    A("backlog", AS_A0, AF_INT),
};
static const struct eng_evtarg send_args[] = {
    RES,
    A("fd", AS_FD, AF_FD),
    A("tuple", AS_TUPLE, AF_TUPLE),
};
static const struct eng_evtarg setuid_args[] = {RES, A("uid", AS_A0, AF_INT)};
static const struct eng_evtarg setgid_args[] = {RES, A("gid", AS_A0, AF_INT)};
static const struct eng_evtarg setreuid_args[] = {
    RES,
    A("ruid", AS_A0, AF_INT),
    A("euid", AS_A1, AF_INT),
};
static const struct eng_evtarg setregid_args[] = {
    RES,
    A("rgid", AS_A0, AF_INT),
    A("egid", AS_A1, AF_INT),
};
static const struct eng_evtarg setresuid_args[] = {
    RES,
    A("ruid", AS_A0, AF_INT),
    A("euid", AS_A1, AF_INT),
    A("suid", AS_A2, AF_INT),
};
static const struct eng_evtarg setresgid_args[] = {
    RES,
    A("rgid", AS_A0, AF_INT),
    A("egid", AS_A1, AF_INT),
    A("sgid", AS_A2, AF_INT),
};
static const struct eng_evtarg capset_args[] = {
    RES,
    A("cap_inheritable", AS_A0, AF_CAPS),
    A("cap_permitted", AS_A1, AF_CAPS),
    A("cap_effective", AS_A2, AF_CAPS),
};
static const struct eng_evtarg ptrace_args[] = {
    RES,
    AEN("request", AS_A0, ET_PTRACE),
    A("pid", AS_A1, AF_INT),
};
static const struct eng_evtarg mount_args[] = {
    RES,
    A("dev", AS_PATH2, AF_STR),
    A("dir", AS_PATH, AF_STR),
    A("type", AS_STR, AF_STR),
    AFL("flags", AS_FLAGS, FT_MOUNT),
};
static const struct eng_evtarg umount_args[] = {
    RES,
    A("name", AS_PATH, AF_STR),
    AFL("flags", AS_FLAGS, FT_UMOUNT),
};
static const struct eng_evtarg unshare_args[] = {RES, AFL("flags", AS_FLAGS, FT_NS)};
static const struct eng_evtarg setns_args[] = {
    RES,
    A("fd", AS_FD, AF_FD),
    AFL("nstype", AS_FLAGS, FT_NS),
};
static const struct eng_evtarg pivot_root_args[] = {
    RES,
    A("new_root", AS_PATH, AF_STR),
    A("put_old", AS_PATH2, AF_STR),
};
static const struct eng_evtarg init_module_args[] = {
    RES,
    A("length", AS_A0, AF_INT),
    A("uargs", AS_STR, AF_STR),
};
static const struct eng_evtarg finit_module_args[] = {
    RES,
    A("fd", AS_FD, AF_FD),
    A("uargs", AS_STR, AF_STR),
    AFL("flags", AS_FLAGS, FT_FINIT),
};
static const struct eng_evtarg bpf_args[] = {RES, AEN("cmd", AS_A0, ET_BPF)};
static const struct eng_evtarg memfd_args[] = {
    A("fd", AS_RES, AF_FD),
    A("name", AS_STR, AF_STR),
    AFL("flags", AS_FLAGS, FT_MEMFD),
};
static const struct eng_evtarg dup_args[] = {RES, A("oldfd", AS_A0, AF_FD)};
static const struct eng_evtarg dup2_args[] = {
    RES,
    A("oldfd", AS_A0, AF_FD),
    A("newfd", AS_A1, AF_FD),
};
static const struct eng_evtarg dup3_args[] = {
    RES,
    A("oldfd", AS_A0, AF_FD),
    A("newfd", AS_A1, AF_FD),
    AFL("flags", AS_FLAGS, FT_DUP3),
};
static const struct eng_evtarg kill_args[] = {
    RES,
    A("pid", AS_A0, AF_INT),
    AEN("sig", AS_A1, ET_SIGNAL),
};
static const struct eng_evtarg tkill_args[] = {
    RES,
    A("tid", AS_A0, AF_INT),
    AEN("sig", AS_A1, ET_SIGNAL),
};
static const struct eng_evtarg tgkill_args[] = {
    RES,
    A("pid", AS_A0, AF_INT),
    A("tid", AS_A1, AF_INT),
    AEN("sig", AS_A2, ET_SIGNAL),
};
static const struct eng_evtarg seccomp_denied_args[] = {
    A("syscall", AS_A0, AF_INT),
    A("action", AS_A1, AF_INT),
};

#define T(a)                                                                                       \
	{                                                                                          \
		a, sizeof(a) / sizeof(a[0])                                                        \
	}
static const struct {
	const struct eng_evtarg *v;
	size_t n;
} type_args[PAL_EVT__COUNT] = {
    [PAL_EVT_EXECVE] = T(execve_args),
    [PAL_EVT_EXECVEAT] = T(execveat_args),
    [PAL_EVT_CLONE] = T(clone_args),
    [PAL_EVT_CLONE3] = T(clone_args),
    [PAL_EVT_FORK] = T(clone_args),
    [PAL_EVT_VFORK] = T(clone_args),
    [PAL_EVT_PROCEXIT] = T(procexit_args),
    [PAL_EVT_OPEN] = T(open_args),
    [PAL_EVT_OPENAT] = T(open_args),
    [PAL_EVT_OPENAT2] = T(openat2_args),
    [PAL_EVT_CREAT] = T(creat_args),
    [PAL_EVT_UNLINK] = T(unlink_args),
    [PAL_EVT_UNLINKAT] = T(unlinkat_args),
    [PAL_EVT_RENAME] = T(rename_args),
    [PAL_EVT_RENAMEAT] = T(rename_args),
    [PAL_EVT_RENAMEAT2] = T(renameat2_args),
    [PAL_EVT_CHMOD] = T(chmod_args),
    [PAL_EVT_FCHMOD] = T(fchmod_args),
    [PAL_EVT_FCHMODAT] = T(chmod_args),
    [PAL_EVT_SYMLINK] = T(symlink_args),
    [PAL_EVT_SYMLINKAT] = T(symlink_args),
    [PAL_EVT_LINK] = T(link_args),
    [PAL_EVT_LINKAT] = T(linkat_args),
    [PAL_EVT_MKDIR] = T(mkdir_args),
    [PAL_EVT_MKDIRAT] = T(mkdir_args),
    [PAL_EVT_SOCKET] = T(socket_args),
    [PAL_EVT_CONNECT] = T(connect_args),
    [PAL_EVT_ACCEPT] = T(accept_args),
    [PAL_EVT_ACCEPT4] = T(accept4_args),
    [PAL_EVT_BIND] = T(bind_args),
    [PAL_EVT_LISTEN] = T(listen_args),
    [PAL_EVT_SENDTO] = T(send_args),
    [PAL_EVT_SENDMSG] = T(send_args),
    [PAL_EVT_SETUID] = T(setuid_args),
    [PAL_EVT_SETGID] = T(setgid_args),
    [PAL_EVT_SETREUID] = T(setreuid_args),
    [PAL_EVT_SETREGID] = T(setregid_args),
    [PAL_EVT_SETRESUID] = T(setresuid_args),
    [PAL_EVT_SETRESGID] = T(setresgid_args),
    [PAL_EVT_CAPSET] = T(capset_args),
    [PAL_EVT_PTRACE] = T(ptrace_args),
    [PAL_EVT_MOUNT] = T(mount_args),
    [PAL_EVT_UMOUNT2] = T(umount_args),
    [PAL_EVT_UNSHARE] = T(unshare_args),
    [PAL_EVT_SETNS] = T(setns_args),
    [PAL_EVT_PIVOT_ROOT] = T(pivot_root_args),
    [PAL_EVT_INIT_MODULE] = T(init_module_args),
    [PAL_EVT_FINIT_MODULE] = T(finit_module_args),
    [PAL_EVT_BPF] = T(bpf_args),
    [PAL_EVT_MEMFD_CREATE] = T(memfd_args),
    [PAL_EVT_DUP] = T(dup_args),
    [PAL_EVT_DUP2] = T(dup2_args),
    [PAL_EVT_DUP3] = T(dup3_args),
    [PAL_EVT_KILL] = T(kill_args),
    [PAL_EVT_TKILL] = T(tkill_args),
    [PAL_EVT_TGKILL] = T(tgkill_args),
    [PAL_EVT_SECCOMP_DENIED] = T(seccomp_denied_args),
};

const struct eng_evtarg *eng_evtarg_find(unsigned type, const char *name, size_t n)
{
	if (type >= PAL_EVT__COUNT)
		return NULL;
	for (size_t i = 0; i < type_args[type].n; i++) {
		const struct eng_evtarg *a = &type_args[type].v[i];
		if (strlen(a->name) == n && memcmp(a->name, name, n) == 0)
			return a;
	}
	return NULL;
}

const struct eng_evtarg *eng_evtarg_at(unsigned type, size_t idx)
{
	if (type >= PAL_EVT__COUNT || idx >= type_args[type].n)
		return NULL;
	return &type_args[type].v[idx];
}

size_t eng_evtarg_count(unsigned type)
{
	return type < PAL_EVT__COUNT ? type_args[type].n : 0;
}

bool eng_evtarg_is_numeric(const struct eng_evtarg *a)
{
	switch (a->fmt) {
	case AF_STR:
	case AF_ADDR:
	case AF_TUPLE:
		return false;
	default:
		return true;
	}
}

static uint64_t proc_caps(const struct pal_event *ev, int which)
{
	const struct pal_proc *p = ev->proc;
	return which == 0 ? p->cap_inheritable : which == 1 ? p->cap_permitted : p->cap_effective;
}

bool eng_evtarg_raw(const struct pal_event *ev, const struct eng_evtarg *a, int64_t *out)
{
	const struct pal_proc *p = ev->proc;
	switch (a->src) {
	case AS_RES:
		*out = ev->res;
		return true;
	case AS_FD:
		*out = ev->fd;
		return true;
	case AS_FLAGS:
		*out = ev->flags;
		return true;
	case AS_MODE:
		*out = ev->mode;
		return true;
	case AS_A0:
	case AS_A1:
	case AS_A2:
	case AS_A3:
		*out = ev->arg[a->src - AS_A0];
		return true;
	case AS_DOMAIN:
		*out = ev->sock_domain;
		return true;
	case AS_SOCKTYPE:
		*out = ev->sock_type;
		return true;
	case AS_PROTO:
		*out = ev->sock_protocol;
		return true;
	case AS_TID:
		*out = ev->tid;
		return true;
	case AS_PID:
		*out = p->pid;
		return true;
	case AS_PPID:
		*out = p->ppid;
		return true;
	case AS_TTY:
		*out = p->tty;
		return true;
	case AS_LOGINUID:
		*out = (int32_t)p->loginuid;
		return true;
	case AS_UID:
		*out = p->euid;
		return true;
	case AS_GID:
		*out = p->egid;
		return true;
	case AS_EXEFLAGS:
		*out = eng_exe_flags(ev);
		return true;
	case AS_CAPI:
	case AS_CAPP:
	case AS_CAPE:
		*out = (int64_t)proc_caps(ev, a->src - AS_CAPI);
		return true;
	default:
		return false;
	}
}

static bool string_src(const struct eng_ctx *c, const struct eng_evtarg *a, struct eng_val *out)
{
	const struct pal_event *ev = c->ev;
	const struct pal_proc *p = ev->proc;
	const char *s = NULL;
	switch (a->src) {
	case AS_PATH:
		s = ev->path;
		break;
	case AS_PATH2:
		s = ev->path2;
		break;
	case AS_STR:
		s = ev->arg_str;
		break;
	case AS_EXE:
		s = p->exe;
		break;
	case AS_CWD:
		s = p->cwd;
		break;
	case AS_COMM:
		out->t = VT_STR;
		out->s.p = p->comm;
		out->s.n = strnlen(p->comm, PAL_COMM_LEN);
		return true;
	case AS_ARGS:
		return eng_proc_args(p, out) > 0;
	case AS_ENV:
		return eng_proc_env(eng_env_of(c), out) > 0;
	case AS_LOCAL:
		return eng_addr_str(&ev->local, out) > 0;
	case AS_TUPLE:
		return eng_fd_tuple(ev, out) > 0;
	default:
		return false;
	}
	if (!s)
		return false;
	out->t = VT_STR;
	out->s.p = s;
	out->s.n = strlen(s);
	return true;
}

bool eng_evtarg_render(const struct eng_ctx *c, const struct eng_evtarg *a, struct eng_val *out)
{
	if (!eng_evtarg_is_numeric(a))
		return string_src(c, a, out);
	int64_t v;
	if (!eng_evtarg_raw(c->ev, a, &v))
		return string_src(c, a, out);
	struct scratch_str s;
	scratch_begin(&s);
	switch (a->fmt) {
	case AF_FD:
		if (a->src == AS_RES && v < 0 && eng_errno_name((int)-v)) {
			const char *e = eng_errno_name((int)-v);
			scratch_puts(&s, e, strlen(e));
		} else {
			scratch_printf(&s, "%lld", (long long)v);
		}
		break;
	case AF_ERRNO: {
		const char *e = v < 0 ? eng_errno_name((int)-v) : NULL;
		if (e)
			scratch_puts(&s, e, strlen(e));
		else
			scratch_printf(&s, "%lld", (long long)v);
		break;
	}
	case AF_MODE:
		scratch_printf(&s, "0%llo", (unsigned long long)v);
		break;
	case AF_FLAGS:
		eng_render_flags(&s, a->table, (uint64_t)v);
		break;
	case AF_ENUM: {
		const char *e = eng_enum_name(a->table, v);
		if (e)
			scratch_puts(&s, e, strlen(e));
		else
			scratch_printf(&s, "%lld", (long long)v);
		break;
	}
	case AF_CAPS:
		eng_render_caps(&s, (uint64_t)v);
		break;
	default:
		scratch_printf(&s, "%lld", (long long)v);
		break;
	}
	scratch_end(&s);
	out->t = VT_STR;
	out->s.p = s.p;
	out->s.n = s.n;
	return true;
}

bool eng_evtarg_flag_mask(const struct eng_evtarg *a, const char *name, size_t n, bool icase,
			  uint64_t *mask, uint64_t *value, bool *is_enum)
{
	*is_enum = false;
	if (a->fmt == AF_ENUM) {
		int64_t v;
		if (!eng_enum_value(a->table, name, n, icase, &v))
			return false;
		*mask = ~(uint64_t)0;
		*value = (uint64_t)v;
		*is_enum = true;
		return true;
	}
	if (a->fmt != AF_FLAGS)
		return false;
	size_t nf;
	const struct eng_flag *f = eng_flag_table(a->table, &nf);
	for (size_t i = 0; i < nf; i++) {
		if (strlen(f[i].name) != n)
			continue;
		if (icase ? strncasecmp(f[i].name, name, n) == 0
			  : memcmp(f[i].name, name, n) == 0) {
			*mask = f[i].mask;
			*value = f[i].value;
			return true;
		}
	}
	return false;
}

void eng_render_flags(struct scratch_str *s, int table, uint64_t v)
{
	size_t nf;
	const struct eng_flag *f = eng_flag_table(table, &nf);
	bool any = false;
	uint64_t covered = 0;
	for (size_t i = 0; i < nf; i++) {
		if ((v & f[i].mask) != f[i].value)
			continue;
		if (f[i].mask == 0)
			continue;
		if (any)
			scratch_puts(s, "|", 1);
		scratch_puts(s, f[i].name, strlen(f[i].name));
		covered |= f[i].mask;
		any = true;
	}
	uint64_t rest = v & ~covered;
	if (rest || !any) {
		if (any)
			scratch_puts(s, "|", 1);
		scratch_printf(s, "0x%llx", (unsigned long long)rest);
	}
}

void eng_render_caps(struct scratch_str *s, uint64_t caps)
{
	bool any = false;
	for (unsigned b = 0; b < 64; b++) {
		if (!(caps >> b & 1))
			continue;
		const char *n = eng_cap_name(b);
		if (any)
			scratch_puts(s, " ", 1);
		if (n)
			scratch_puts(s, n, strlen(n));
		else
			scratch_printf(s, "CAP_%u", b);
		any = true;
	}
}

bool eng_evtargs_render_all(const struct eng_ctx *c, struct eng_val *out)
{
	unsigned t = c->ev->type;
	size_t n = eng_evtarg_count(t);
	struct eng_val vals[32];
	bool have[32];
	if (n > 32)
		n = 32;
	/* Render every value first: each rendering commits its own scratch string. */
	for (size_t i = 0; i < n; i++)
		have[i] = eng_evtarg_render(c, eng_evtarg_at(t, i), &vals[i]);
	struct scratch_str s;
	scratch_begin(&s);
	for (size_t i = 0; i < n; i++) {
		const char *name = eng_evtarg_at(t, i)->name;
		if (i)
			scratch_puts(&s, " ", 1);
		scratch_puts(&s, name, strlen(name));
		scratch_puts(&s, "=", 1);
		if (have[i])
			scratch_puts(&s, vals[i].s.p, vals[i].s.n);
		else
			scratch_puts(&s, "<NA>", 4);
	}
	scratch_end(&s);
	out->t = VT_STR;
	out->s.p = s.p;
	out->s.n = s.n;
	return true;
}
