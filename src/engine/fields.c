/* The fields rules can use, under Falco's names, and how each is read from a
 * struct pal_event without copying: strings are returned as views into the
 * event (or its process and container), and only values that do not exist
 * as such in the event (flags as text, joined argv, socket tuples) are
 * rendered into per-evaluation scratch memory. */
#include "engine/flags.h"
#include "engine/internal.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_ANCESTRY 256

/* ---- value helpers ------------------------------------------------------ */

static inline int v_str(struct eng_val *o, const char *s)
{
	if (!s)
		return 0;
	o->t = VT_STR;
	o->s.p = s;
	o->s.n = strlen(s);
	return 1;
}

static inline int v_strn(struct eng_val *o, const char *s, size_t n)
{
	o->t = VT_STR;
	o->s.p = s;
	o->s.n = n;
	return 1;
}

static inline int v_int(struct eng_val *o, int64_t i)
{
	o->t = VT_INT;
	o->i = i;
	return 1;
}

static inline int v_bool(struct eng_val *o, bool b)
{
	o->t = VT_BOOL;
	o->b = b;
	return 1;
}

static int v_scratch(struct eng_val *o, struct scratch_str *s)
{
	scratch_end(s);
	return v_strn(o, s->p, s->n);
}

/* ---- process helpers ------------------------------------------------------ */

static int proc_name(const struct pal_proc *p, struct eng_val *o)
{
	if (!p)
		return 0;
	size_t n = strnlen(p->comm, PAL_COMM_LEN);
	return n ? v_strn(o, p->comm, n) : 0;
}

int eng_proc_args(const struct pal_proc *p, struct eng_val *o)
{
	if (!p)
		return 0;
	/* proc.cmdline is "name arg1 arg2": the arguments are its tail, no copy. */
	size_t cl = strnlen(p->comm, PAL_COMM_LEN);
	if (p->cmdline && cl && strncmp(p->cmdline, p->comm, cl) == 0) {
		if (p->cmdline[cl] == ' ')
			return v_str(o, p->cmdline + cl + 1);
		if (p->cmdline[cl] == '\0')
			return v_strn(o, "", 0);
	}
	if (!p->argv || !p->argv[0])
		return p->cmdline ? v_strn(o, "", 0) : 0;
	struct scratch_str s;
	scratch_begin(&s);
	for (size_t i = 1; p->argv[i]; i++) {
		if (i > 1)
			scratch_puts(&s, " ", 1);
		scratch_puts(&s, p->argv[i], strlen(p->argv[i]));
	}
	return v_scratch(o, &s);
}

static int proc_cmdline(const struct pal_proc *p, struct eng_val *o)
{
	if (!p)
		return 0;
	if (p->cmdline)
		return v_str(o, p->cmdline);
	struct eng_val args;
	if (eng_proc_args(p, &args) <= 0)
		return 0;
	struct scratch_str s;
	scratch_begin(&s);
	scratch_puts(&s, p->comm, strnlen(p->comm, PAL_COMM_LEN));
	if (args.s.n) {
		scratch_puts(&s, " ", 1);
		scratch_puts(&s, args.s.p, args.s.n);
	}
	return v_scratch(o, &s);
}

int eng_proc_env(const char *const *env, struct eng_val *o)
{
	if (!env)
		return 0;
	struct scratch_str s;
	scratch_begin(&s);
	for (size_t i = 0; env[i]; i++) {
		if (i)
			scratch_puts(&s, " ", 1);
		scratch_puts(&s, env[i], strlen(env[i]));
	}
	return v_scratch(o, &s);
}

static int proc_env_var(const char *const *env, const char *key, size_t n, struct eng_val *o)
{
	if (!env)
		return 0;
	for (size_t i = 0; env[i]; i++)
		if (strncmp(env[i], key, n) == 0 && env[i][n] == '=')
			return v_str(o, env[i] + n + 1);
	return 0;
}

/* The event's environment, or the resolver's when the sensor did not
 * capture one. */
const char *const *eng_env_of(const struct eng_ctx *c)
{
	const struct pal_proc *p = c->ev->proc;
	if (!p)
		return NULL;
	if (p->env)
		return p->env;
	return c->rs->resolve_env ? c->rs->resolve_env(c->rs->resolve_env_ud, c->ev) : NULL;
}

uint32_t eng_exe_flags(const struct pal_event *ev)
{
	const struct pal_proc *p = ev->proc;
	uint32_t f = 0;
	if (p->is_exe_writable)
		f |= ENG_EXE_WRITABLE;
	if (ev->exe_upper_layer || p->exe_origin == PAL_EXE_ORIGIN_UPPER)
		f |= ENG_EXE_UPPER_LAYER;
	else if (!ev->exe_memfd && p->exe_origin == PAL_EXE_ORIGIN_IMAGE)
		f |= ENG_EXE_LOWER_LAYER;
	if (ev->exe_memfd || p->exe_origin == PAL_EXE_ORIGIN_MEMFD)
		f |= ENG_EXE_FROM_MEMFD;
	return f;
}

/* The process an indexed ancestor reference designates for value idx; *end is
 * set when a multi-valued reference has run out of ancestors. */
static const struct pal_proc *ref_proc(const struct eng_ctx *c, const struct eng_fref *r,
				       unsigned idx, bool *end)
{
	unsigned gen;
	*end = false;
	if (r->idx >= 0) {
		gen = (unsigned)r->idx;
	} else {
		gen = idx + 1;
		if (gen > MAX_ANCESTRY) {
			*end = true;
			return NULL;
		}
	}
	const struct pal_proc *p = c->ev->proc;
	for (unsigned i = 0; i < gen && p; i++)
		p = i < MAX_ANCESTRY ? p->parent : NULL;
	if (!p && r->idx < 0)
		*end = true;
	return p;
}

#define ANCESTOR_GETTER(fname, expr)                                                               \
	static int fname(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,          \
			 struct eng_val *o)                                                        \
	{                                                                                          \
		bool end;                                                                          \
		const struct pal_proc *p = ref_proc(c, r, idx, &end);                              \
		if (end)                                                                           \
			return -1;                                                                 \
		if (!p)                                                                            \
			return 0;                                                                  \
		return expr;                                                                       \
	}

ANCESTOR_GETTER(g_aname, proc_name(p, o))
ANCESTOR_GETTER(g_aexe, v_str(o, p->exe))
ANCESTOR_GETTER(g_aexepath, v_str(o, p->exepath))
ANCESTOR_GETTER(g_acmdline, proc_cmdline(p, o))
ANCESTOR_GETTER(g_apid, v_int(o, p->pid))

#define PROC_GETTER(fname, which, expr)                                                            \
	static int fname(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,          \
			 struct eng_val *o)                                                        \
	{                                                                                          \
		(void)r;                                                                           \
		(void)idx;                                                                         \
		const struct pal_proc *p = (which);                                                \
		if (!p)                                                                            \
			return 0;                                                                  \
		return expr;                                                                       \
	}

#define SELF   (c->ev->proc)
#define PARENT (c->ev->proc ? c->ev->proc->parent : NULL)

PROC_GETTER(g_pid, SELF, v_int(o, p->pid))
PROC_GETTER(g_ppid, SELF, v_int(o, p->ppid))
PROC_GETTER(g_vpid, SELF, v_int(o, p->vpid))
PROC_GETTER(g_pvpid, PARENT, v_int(o, p->vpid))
PROC_GETTER(g_name, SELF, proc_name(p, o))
PROC_GETTER(g_exe, SELF, v_str(o, p->exe))
PROC_GETTER(g_exepath, SELF, v_str(o, p->exepath))
PROC_GETTER(g_cmdline, SELF, proc_cmdline(p, o))
PROC_GETTER(g_args, SELF, eng_proc_args(p, o))
PROC_GETTER(g_cwd, SELF, v_str(o, p->cwd))
PROC_GETTER(g_tty, SELF, v_int(o, p->tty))
PROC_GETTER(g_pname, PARENT, proc_name(p, o))
PROC_GETTER(g_pexe, PARENT, v_str(o, p->exe))
PROC_GETTER(g_pexepath, PARENT, v_str(o, p->exepath))
PROC_GETTER(g_pcmdline, PARENT, proc_cmdline(p, o))
PROC_GETTER(g_exe_writable, SELF, v_bool(o, p->is_exe_writable))
PROC_GETTER(g_uid, SELF, v_int(o, p->euid))
PROC_GETTER(g_gid, SELF, v_int(o, p->egid))
PROC_GETTER(g_loginuid, SELF, v_int(o, (int32_t)p->loginuid))
PROC_GETTER(g_tid, SELF, v_int(o, c->ev->tid))
PROC_GETTER(g_ismain, SELF, v_bool(o, c->ev->tid == p->pid))

static int g_exeline(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		     struct eng_val *o)
{
	(void)r;
	(void)idx;
	const struct pal_proc *p = c->ev->proc;
	struct eng_val args;
	if (!p->exe || eng_proc_args(p, &args) <= 0)
		return 0;
	struct scratch_str s;
	scratch_begin(&s);
	scratch_puts(&s, p->exe, strlen(p->exe));
	if (args.s.n) {
		scratch_puts(&s, " ", 1);
		scratch_puts(&s, args.s.p, args.s.n);
	}
	return v_scratch(o, &s);
}

static int g_env(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx, struct eng_val *o)
{
	(void)idx;
	const char *const *env = eng_env_of(c);
	if (r->key)
		return proc_env_var(env, r->key, r->key_len, o);
	return eng_proc_env(env, o);
}

static int g_cmdnargs(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		      struct eng_val *o)
{
	(void)r;
	(void)idx;
	const struct pal_proc *p = c->ev->proc;
	if (!p->argv)
		return 0;
	size_t n = 0;
	while (p->argv[n])
		n++;
	return v_int(o, n ? (int64_t)n - 1 : 0);
}

static int64_t duration(const struct eng_ctx *c, const struct pal_proc *p)
{
	int64_t now_boot = (int64_t)c->ev->ts_ns - c->rs->clock_offset;
	int64_t d = now_boot - (int64_t)p->start_ns;
	return d > 0 ? d : 0;
}

PROC_GETTER(g_duration, SELF, p->start_ns ? v_int(o, duration(c, p)) : 0)
PROC_GETTER(g_pduration, PARENT, p->start_ns ? v_int(o, duration(c, p)) : 0)

static int g_upper(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		   struct eng_val *o)
{
	(void)r;
	(void)idx;
	return v_bool(o, c->ev->exe_upper_layer || c->ev->proc->exe_origin == PAL_EXE_ORIGIN_UPPER);
}

static int g_memfd(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		   struct eng_val *o)
{
	(void)r;
	(void)idx;
	return v_bool(o, c->ev->exe_memfd || c->ev->proc->exe_origin == PAL_EXE_ORIGIN_MEMFD);
}

static int caps_str(struct eng_val *o, uint64_t caps)
{
	struct scratch_str s;
	scratch_begin(&s);
	eng_render_caps(&s, caps);
	return v_scratch(o, &s);
}

PROC_GETTER(g_cap_eff, SELF, caps_str(o, p->cap_effective))
PROC_GETTER(g_cap_prm, SELF, caps_str(o, p->cap_permitted))
PROC_GETTER(g_cap_inh, SELF, caps_str(o, p->cap_inheritable))

static int g_user_name(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		       struct eng_val *o)
{
	(void)r;
	(void)idx;
	return v_str(o, eng_user_name(c, false, c->ev->proc->euid));
}

static int g_login_name(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
			struct eng_val *o)
{
	(void)r;
	(void)idx;
	uint32_t id = c->ev->proc->loginuid;
	if (id == UINT32_MAX)
		return 0;
	return v_str(o, eng_user_name(c, false, id));
}

static int g_group_name(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
			struct eng_val *o)
{
	(void)r;
	(void)idx;
	return v_str(o, eng_user_name(c, true, c->ev->proc->egid));
}

/* ---- container ------------------------------------------------------------ */

#define CT_GETTER(fname, expr)                                                                     \
	static int fname(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,          \
			 struct eng_val *o)                                                        \
	{                                                                                          \
		(void)r;                                                                           \
		(void)idx;                                                                         \
		const struct pal_container *ct = c->ev->container;                                 \
		if (!ct)                                                                           \
			return 0;                                                                  \
		return expr;                                                                       \
	}

CT_GETTER(g_ct_id, v_str(o, ct->id ? ct->id : ct->is_host ? "host" : NULL))
CT_GETTER(g_ct_name, v_str(o, ct->name ? ct->name : ct->is_host ? "host" : NULL))
CT_GETTER(g_ct_image, v_str(o, ct->image))
CT_GETTER(g_ct_repo, v_str(o, ct->image_repository))
CT_GETTER(g_ct_tag, v_str(o, ct->image_tag))
CT_GETTER(g_ct_digest, v_str(o, ct->image_digest))
CT_GETTER(g_ct_type, v_str(o, ct->runtime))
CT_GETTER(g_ct_priv, v_bool(o, ct->privileged))
CT_GETTER(g_pod_name, v_str(o, ct->pod_name))
CT_GETTER(g_pod_ns, v_str(o, ct->pod_namespace))

/* ---- event ---------------------------------------------------------------- */

static bool is_open_type(unsigned t)
{
	return t == PAL_EVT_OPEN || t == PAL_EVT_OPENAT || t == PAL_EVT_OPENAT2 ||
	       t == PAL_EVT_CREAT;
}

static bool is_socket_type(unsigned t)
{
	switch (t) {
	case PAL_EVT_SOCKET:
	case PAL_EVT_CONNECT:
	case PAL_EVT_ACCEPT:
	case PAL_EVT_ACCEPT4:
	case PAL_EVT_BIND:
	case PAL_EVT_LISTEN:
	case PAL_EVT_SENDTO:
	case PAL_EVT_SENDMSG:
		return true;
	default:
		return false;
	}
}

static bool is_dup_type(unsigned t)
{
	return t == PAL_EVT_DUP || t == PAL_EVT_DUP2 || t == PAL_EVT_DUP3;
}

static int g_evt_num(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		     struct eng_val *o)
{
	(void)r;
	(void)idx;
	return v_int(o, (int64_t)c->evt_num);
}

static int fmt_time(const struct eng_ctx *c, struct eng_val *o, const char *fmt, bool ns, bool zulu)
{
	time_t sec = (time_t)(c->ev->ts_ns / 1000000000ull);
	unsigned long nsec = (unsigned long)(c->ev->ts_ns % 1000000000ull);
	struct tm tm;
	if (!gmtime_r(&sec, &tm))
		return 0;
	char buf[64];
	size_t n = strftime(buf, sizeof(buf), fmt, &tm);
	struct scratch_str s;
	scratch_begin(&s);
	scratch_puts(&s, buf, n);
	if (ns)
		scratch_printf(&s, ".%09lu", nsec);
	if (zulu)
		scratch_puts(&s, "Z", 1);
	return v_scratch(o, &s);
}

#define EV_GETTER(fname, expr)                                                                     \
	static int fname(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,          \
			 struct eng_val *o)                                                        \
	{                                                                                          \
		(void)r;                                                                           \
		(void)idx;                                                                         \
		const struct pal_event *ev = c->ev;                                                \
		(void)ev;                                                                          \
		return expr;                                                                       \
	}

EV_GETTER(g_time, fmt_time(c, o, "%H:%M:%S", true, false))
EV_GETTER(g_time_s, fmt_time(c, o, "%H:%M:%S", false, false))
EV_GETTER(g_time_iso, fmt_time(c, o, "%Y-%m-%dT%H:%M:%S", true, true))
EV_GETTER(g_datetime, fmt_time(c, o, "%Y-%m-%d %H:%M:%S", true, false))
EV_GETTER(g_datetime_s, fmt_time(c, o, "%Y-%m-%d %H:%M:%S", false, false))
EV_GETTER(g_rawtime, v_int(o, (int64_t)ev->ts_ns))
EV_GETTER(g_rawtime_s, v_int(o, (int64_t)(ev->ts_ns / 1000000000ull)))
EV_GETTER(g_rawtime_ns, v_int(o, (int64_t)(ev->ts_ns % 1000000000ull)))
EV_GETTER(g_type, v_str(o, pal_evt_type_name(ev->type)))
EV_GETTER(g_syscall_type, ev->type == PAL_EVT_PROCEXIT || ev->type == PAL_EVT_SECCOMP_DENIED
			      ? 0
			      : v_str(o, pal_evt_type_name(ev->type)))
EV_GETTER(g_dir, v_strn(o, "<", 1))
EV_GETTER(g_cpu, v_int(o, ev->cpu))
EV_GETTER(g_rawres, v_int(o, ev->res))
EV_GETTER(g_failed, v_bool(o, ev->res < 0))
EV_GETTER(g_hostname, v_str(o, c->rs->hostname))
EV_GETTER(g_source, v_strn(o, "syscall", 7))
EV_GETTER(g_args_all, eng_evtargs_render_all(c, o) ? 1 : 0)

static int g_res(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx, struct eng_val *o)
{
	(void)r;
	(void)idx;
	int64_t res = c->ev->res;
	if (res >= 0)
		return v_strn(o, "SUCCESS", 7);
	const char *e = res > -4096 ? eng_errno_name((int)-res) : NULL;
	if (e)
		return v_str(o, e);
	struct scratch_str s;
	scratch_begin(&s);
	scratch_printf(&s, "E%lld", (long long)-res);
	return v_scratch(o, &s);
}

static int g_category(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		      struct eng_val *o)
{
	(void)r;
	(void)idx;
	unsigned t = c->ev->type;
	const char *cat = "other";
	if (is_open_type(t) || is_dup_type(t) || (t >= PAL_EVT_UNLINK && t <= PAL_EVT_MKDIRAT) ||
	    t == PAL_EVT_MEMFD_CREATE)
		cat = "file";
	else if (is_socket_type(t))
		cat = "net";
	else if (t <= PAL_EVT_PROCEXIT || t == PAL_EVT_PTRACE)
		cat = "process";
	else if (t >= PAL_EVT_SETUID && t <= PAL_EVT_CAPSET)
		cat = "user";
	else if (t >= PAL_EVT_KILL && t <= PAL_EVT_TGKILL)
		cat = "signal";
	else if (t >= PAL_EVT_MOUNT && t <= PAL_EVT_BPF)
		cat = "system";
	return v_str(o, cat);
}

static bool open_flags(const struct pal_event *ev, uint32_t *flags)
{
	if (!is_open_type(ev->type))
		return false;
	*flags = ev->type == PAL_EVT_CREAT ? (O_CREAT | O_WRONLY | O_TRUNC) : ev->flags;
	return true;
}

static int g_is_open_read(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
			  struct eng_val *o)
{
	(void)r;
	(void)idx;
	uint32_t f;
	if (!open_flags(c->ev, &f))
		return v_bool(o, false);
	return v_bool(o, (f & O_ACCMODE) == O_RDONLY || (f & O_ACCMODE) == O_RDWR);
}

static int g_is_open_write(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
			   struct eng_val *o)
{
	(void)r;
	(void)idx;
	uint32_t f;
	if (!open_flags(c->ev, &f))
		return v_bool(o, false);
	return v_bool(o, (f & O_ACCMODE) == O_WRONLY || (f & O_ACCMODE) == O_RDWR);
}

static int g_is_open_create(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
			    struct eng_val *o)
{
	(void)r;
	(void)idx;
	uint32_t f;
	if (!open_flags(c->ev, &f))
		return v_bool(o, false);
	return v_bool(o, (f & O_CREAT) != 0);
}

static int g_is_open_exec(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
			  struct eng_val *o)
{
	(void)r;
	(void)idx;
	uint32_t f;
	if (!open_flags(c->ev, &f))
		return v_bool(o, false);
	return v_bool(o, (f & O_CREAT) && (c->ev->mode & 0111));
}

static int g_evt_arg(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		     struct eng_val *o)
{
	(void)idx;
	const struct eng_evtarg *a = r->args[c->ev->type];
	if (!a)
		return 0;
	if (r->f->flags & FF_RAW) {
		int64_t v;
		if (r->type == VT_INT)
			return eng_evtarg_raw(c->ev, a, &v) ? v_int(o, v) : 0;
	}
	return eng_evtarg_render(c, a, o) ? 1 : 0;
}

static int g_abspath(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		     struct eng_val *o)
{
	(void)r;
	(void)idx;
	return v_str(o, c->ev->path);
}

static int g_abspath_dst(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
			 struct eng_val *o)
{
	(void)r;
	(void)idx;
	return v_str(o, c->ev->path2);
}

/* ---- fd ------------------------------------------------------------------- */

enum fd_kind { FDK_NONE = 0, FDK_FILE, FDK_DIR, FDK_SOCK, FDK_MEMFD };

static int sock_family(const struct pal_event *ev)
{
	if (ev->sock_domain)
		return ev->sock_domain;
	if (ev->remote.family)
		return ev->remote.family;
	return ev->local.family;
}

static enum fd_kind fd_kind(const struct pal_event *ev)
{
	unsigned t = ev->type;
	if (is_open_type(t)) {
		uint32_t f = ev->flags;
		if ((f & O_DIRECTORY) && (f & O_TMPFILE) != O_TMPFILE && t != PAL_EVT_CREAT)
			return FDK_DIR;
		return FDK_FILE;
	}
	if (is_socket_type(t))
		return FDK_SOCK;
	if (is_dup_type(t))
		return sock_family(ev) ? FDK_SOCK : ev->path ? FDK_FILE : FDK_NONE;
	if (t == PAL_EVT_MEMFD_CREATE)
		return FDK_MEMFD;
	if ((t == PAL_EVT_FCHMOD || t == PAL_EVT_FINIT_MODULE) && ev->path)
		return FDK_FILE;
	return FDK_NONE;
}

/* Accept, bind and listen see the socket from the server's side. */
static bool server_side(const struct pal_event *ev)
{
	unsigned t = ev->type;
	return t == PAL_EVT_ACCEPT || t == PAL_EVT_ACCEPT4 || t == PAL_EVT_BIND ||
	       t == PAL_EVT_LISTEN;
}

static const struct pal_sockaddr *client_addr(const struct pal_event *ev)
{
	return server_side(ev) ? &ev->remote : &ev->local;
}

static const struct pal_sockaddr *server_addr(const struct pal_event *ev)
{
	return server_side(ev) ? &ev->local : &ev->remote;
}

static bool sa_is_ip(const struct pal_sockaddr *a)
{
	return a->family == AF_INET || a->family == AF_INET6;
}

static int sa_ip(const struct pal_sockaddr *a, struct eng_val *o)
{
	if (!sa_is_ip(a))
		return 0;
	o->t = VT_IP;
	memset(&o->ip, 0, sizeof(o->ip));
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (a->family == AF_INET) {
		o->ip.family = 4;
		memcpy(o->ip.a, a->addr, 4);
	} else if (memcmp(a->addr, v4mapped, 12) == 0) {
		o->ip.family = 4;
		memcpy(o->ip.a, a->addr + 12, 4);
	} else {
		o->ip.family = 6;
		memcpy(o->ip.a, a->addr, 16);
	}
	return 1;
}

static int sa_port(const struct pal_sockaddr *a, struct eng_val *o)
{
	return sa_is_ip(a) ? v_int(o, a->port) : 0;
}

static void put_ip_port(struct scratch_str *s, const struct pal_sockaddr *a)
{
	struct eng_val ip;
	char buf[INET6_ADDRSTRLEN];
	sa_ip(a, &ip);
	inet_ntop(ip.ip.family == 4 ? AF_INET : AF_INET6, ip.ip.a, buf, sizeof(buf));
	if (ip.ip.family == 6)
		scratch_printf(s, "[%s]:%u", buf, a->port);
	else
		scratch_printf(s, "%s:%u", buf, a->port);
}

int eng_addr_str(const struct pal_sockaddr *a, struct eng_val *o)
{
	if (a->family == AF_UNIX)
		return a->unix_path[0] ? v_strn(o, a->unix_path, strnlen(a->unix_path, 108)) : 0;
	if (!sa_is_ip(a))
		return 0;
	struct scratch_str s;
	scratch_begin(&s);
	put_ip_port(&s, a);
	return v_scratch(o, &s);
}

int eng_fd_tuple(const struct pal_event *ev, struct eng_val *o)
{
	int fam = sock_family(ev);
	if (fam == AF_UNIX) {
		const struct pal_sockaddr *a = ev->remote.unix_path[0] ? &ev->remote : &ev->local;
		return a->unix_path[0] ? v_strn(o, a->unix_path, strnlen(a->unix_path, 108)) : 0;
	}
	const struct pal_sockaddr *cl = client_addr(ev), *sv = server_addr(ev);
	if (sa_is_ip(cl) && sa_is_ip(sv)) {
		struct scratch_str s;
		scratch_begin(&s);
		put_ip_port(&s, cl);
		scratch_puts(&s, "->", 2);
		put_ip_port(&s, sv);
		return v_scratch(o, &s);
	}
	if (sa_is_ip(sv))
		return eng_addr_str(sv, o);
	if (sa_is_ip(cl))
		return eng_addr_str(cl, o);
	return 0;
}

#define FD_GETTER(fname, expr)                                                                     \
	static int fname(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,          \
			 struct eng_val *o)                                                        \
	{                                                                                          \
		(void)r;                                                                           \
		(void)idx;                                                                         \
		const struct pal_event *ev = c->ev;                                                \
		enum fd_kind k = fd_kind(ev);                                                      \
		if (k == FDK_NONE)                                                                 \
			return 0;                                                                  \
		return expr;                                                                       \
	}

static int fd_num(const struct pal_event *ev, struct eng_val *o)
{
	unsigned t = ev->type;
	if (is_open_type(t) || t == PAL_EVT_SOCKET || t == PAL_EVT_ACCEPT || t == PAL_EVT_ACCEPT4 ||
	    t == PAL_EVT_MEMFD_CREATE)
		return v_int(o, ev->res >= 0 ? ev->res : -1);
	return ev->fd >= 0 ? v_int(o, ev->fd) : 0;
}

static const char *sock_type_name(const struct pal_event *ev, char *typechar)
{
	switch (sock_family(ev)) {
	case AF_INET:
		*typechar = '4';
		return "ipv4";
	case AF_INET6:
		*typechar = '6';
		return "ipv6";
	case AF_UNIX:
		*typechar = 'u';
		return "unix";
	case AF_NETLINK:
		*typechar = 'n';
		return "netlink";
	case 0:
		return NULL;
	default:
		*typechar = 'o';
		return "unknown";
	}
}

static const char *fd_type_name(const struct pal_event *ev, enum fd_kind k, char *typechar)
{
	switch (k) {
	case FDK_FILE:
		*typechar = 'f';
		return "file";
	case FDK_DIR:
		*typechar = 'd';
		return "directory";
	case FDK_MEMFD:
		*typechar = 'm';
		return "memfd";
	case FDK_SOCK:
		return sock_type_name(ev, typechar);
	default:
		return NULL;
	}
}

static int fd_type(const struct pal_event *ev, enum fd_kind k, struct eng_val *o, bool ch)
{
	static const char chars[] = "fdm46unot";
	char t = 0;
	const char *name = fd_type_name(ev, k, &t);
	if (!name)
		return 0;
	if (!ch)
		return v_str(o, name);
	const char *p = strchr(chars, t);
	return p ? v_strn(o, p, 1) : 0;
}

static int fd_name(const struct eng_ctx *c, enum fd_kind k, struct eng_val *o)
{
	const struct pal_event *ev = c->ev;
	if (k == FDK_SOCK)
		return eng_fd_tuple(ev, o);
	if (k == FDK_MEMFD && !ev->path) {
		if (!ev->arg_str)
			return 0;
		struct scratch_str s;
		scratch_begin(&s);
		scratch_printf(&s, "memfd:%s", ev->arg_str);
		return v_scratch(o, &s);
	}
	return v_str(o, ev->path);
}

static int fd_directory(const struct pal_event *ev, enum fd_kind k, struct eng_val *o)
{
	if ((k != FDK_FILE && k != FDK_DIR) || !ev->path)
		return 0;
	if (k == FDK_DIR)
		return v_str(o, ev->path);
	const char *slash = strrchr(ev->path, '/');
	if (!slash)
		return 0;
	return v_strn(o, ev->path, slash == ev->path ? 1 : (size_t)(slash - ev->path));
}

static int fd_filename(const struct pal_event *ev, enum fd_kind k, struct eng_val *o)
{
	if (k != FDK_FILE || !ev->path)
		return 0;
	const char *slash = strrchr(ev->path, '/');
	return v_str(o, slash ? slash + 1 : ev->path);
}

static int fd_l4proto(const struct pal_event *ev, struct eng_val *o)
{
	int fam = sock_family(ev);
	if (fam != AF_INET && fam != AF_INET6)
		return 0;
	switch (ev->sock_type & 0xf) {
	case SOCK_STREAM:
		return v_strn(o, "tcp", 3);
	case SOCK_DGRAM:
		return v_strn(o, "udp", 3);
	case SOCK_RAW:
		if (ev->sock_protocol == IPPROTO_ICMP || ev->sock_protocol == IPPROTO_ICMPV6)
			return v_strn(o, "icmp", 4);
		return v_strn(o, "raw", 3);
	default:
		if (ev->sock_protocol == IPPROTO_TCP)
			return v_strn(o, "tcp", 3);
		if (ev->sock_protocol == IPPROTO_UDP)
			return v_strn(o, "udp", 3);
		return 0;
	}
}

static int fd_join_container(const struct eng_ctx *c, enum fd_kind k, bool dir, struct eng_val *o)
{
	struct eng_val id, v;
	if (g_ct_id(c, NULL, 0, &id) <= 0)
		return 0;
	if ((dir ? fd_directory(c->ev, k, &v) : fd_name(c, k, &v)) <= 0)
		return 0;
	struct scratch_str s;
	scratch_begin(&s);
	scratch_puts(&s, id.s.p, id.s.n);
	scratch_puts(&s, ":", 1);
	scratch_puts(&s, v.s.p, v.s.n);
	return v_scratch(o, &s);
}

FD_GETTER(g_fd_num, fd_num(ev, o))
FD_GETTER(g_fd_type, fd_type(ev, k, o, false))
FD_GETTER(g_fd_typechar, fd_type(ev, k, o, true))
FD_GETTER(g_fd_name, fd_name(c, k, o))
FD_GETTER(g_fd_directory, fd_directory(ev, k, o))
FD_GETTER(g_fd_filename, fd_filename(ev, k, o))
FD_GETTER(g_fd_cip, k == FDK_SOCK ? sa_ip(client_addr(ev), o) : 0)
FD_GETTER(g_fd_sip, k == FDK_SOCK ? sa_ip(server_addr(ev), o) : 0)
FD_GETTER(g_fd_lip, k == FDK_SOCK ? sa_ip(&ev->local, o) : 0)
FD_GETTER(g_fd_rip, k == FDK_SOCK ? sa_ip(&ev->remote, o) : 0)
FD_GETTER(g_fd_cport, k == FDK_SOCK ? sa_port(client_addr(ev), o) : 0)
FD_GETTER(g_fd_sport, k == FDK_SOCK ? sa_port(server_addr(ev), o) : 0)
FD_GETTER(g_fd_lport, k == FDK_SOCK ? sa_port(&ev->local, o) : 0)
FD_GETTER(g_fd_rport, k == FDK_SOCK ? sa_port(&ev->remote, o) : 0)
FD_GETTER(g_fd_l4proto, k == FDK_SOCK ? fd_l4proto(ev, o) : 0)
FD_GETTER(g_fd_is_server, k == FDK_SOCK ? v_bool(o, server_side(ev)) : 0)
FD_GETTER(g_fd_ctname, fd_join_container(c, k, false, o))
FD_GETTER(g_fd_ctdir, fd_join_container(c, k, true, o))

static int g_fd_sockfamily(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
			   struct eng_val *o)
{
	(void)r;
	(void)idx;
	if (fd_kind(c->ev) != FDK_SOCK)
		return 0;
	int fam = sock_family(c->ev);
	if (fam == AF_INET || fam == AF_INET6)
		return v_strn(o, "ip", 2);
	if (fam == AF_UNIX)
		return v_strn(o, "unix", 4);
	return 0;
}

/* fd.ip / fd.port / fd.net: value 0 is the client side, value 1 the server side. */
static int g_fd_ip_both(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
			struct eng_val *o)
{
	(void)r;
	if (idx > 1)
		return -1;
	if (fd_kind(c->ev) != FDK_SOCK)
		return idx ? -1 : 0;
	return sa_ip(idx ? server_addr(c->ev) : client_addr(c->ev), o);
}

static int g_fd_port_both(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
			  struct eng_val *o)
{
	(void)r;
	if (idx > 1)
		return -1;
	if (fd_kind(c->ev) != FDK_SOCK)
		return idx ? -1 : 0;
	return sa_port(idx ? server_addr(c->ev) : client_addr(c->ev), o);
}

/* ---- fs.path ---------------------------------------------------------------- */

static int g_fs_name(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		     struct eng_val *o)
{
	(void)r;
	(void)idx;
	const struct pal_event *ev = c->ev;
	if (ev->res < 0)
		return 0;
	switch (ev->type) {
	case PAL_EVT_OPEN:
	case PAL_EVT_OPENAT:
	case PAL_EVT_OPENAT2:
	case PAL_EVT_CREAT:
	case PAL_EVT_MKDIR:
	case PAL_EVT_MKDIRAT:
	case PAL_EVT_UNLINK:
	case PAL_EVT_UNLINKAT:
	case PAL_EVT_CHMOD:
	case PAL_EVT_FCHMOD:
	case PAL_EVT_FCHMODAT:
	case PAL_EVT_UMOUNT2:
		return v_str(o, ev->path);
	default:
		return 0;
	}
}

/* Falco's orientation: a link's source is the new name, its target the file
 * it points to; a rename goes from source to target. */
static int fs_two(const struct eng_ctx *c, bool source, struct eng_val *o)
{
	const struct pal_event *ev = c->ev;
	if (ev->res < 0)
		return 0;
	switch (ev->type) {
	case PAL_EVT_RENAME:
	case PAL_EVT_RENAMEAT:
	case PAL_EVT_RENAMEAT2:
		return v_str(o, source ? ev->path : ev->path2);
	case PAL_EVT_LINK:
	case PAL_EVT_LINKAT:
	case PAL_EVT_SYMLINK:
	case PAL_EVT_SYMLINKAT:
	case PAL_EVT_MOUNT:
		return v_str(o, source ? ev->path2 : ev->path);
	default:
		return 0;
	}
}

EV_GETTER(g_fs_source, fs_two(c, true, o))
EV_GETTER(g_fs_target, fs_two(c, false, o))

/* ---- the catalog ------------------------------------------------------------ */

#define FLD(n, t, g, d)                                                                            \
	{                                                                                          \
		n, t, FA_NONE, 0, g, d                                                             \
	}
#define FLDX(n, t, am, fl, g, d)                                                                   \
	{                                                                                          \
		n, t, am, fl, g, d                                                                 \
	}
#define NA(n, t, why)                                                                              \
	{                                                                                          \
		n, t, FA_NONE, FF_UNAVAILABLE, NULL, why                                           \
	}
#define NAX(n, t, am, fl, why)                                                                     \
	{                                                                                          \
		n, t, am, (fl) | FF_UNAVAILABLE, NULL, why                                         \
	}

#define WHY_RAW	    "the sensor reports resolved absolute paths only"
#define WHY_FDSTATE "Palisade keeps no per-descriptor socket state"
#define WHY_DNS	    "Palisade does not resolve IP addresses to DNS names"
#define WHY_SESSION "the process table does not track sessions and process groups"
#define WHY_RES	    "the sensor does not capture process resource usage"
#define WHY_INODE   "the sensor does not capture executable inode times"
#define WHY_CT	    "the container registry does not record it"
#define WHY_K8S	    "Palisade reads pod name and namespace only"
#define WHY_SCHED   "the sensor does not capture scheduler or I/O events"
#define WHY_STDIO   "the process table does not track standard stream types (use dup2/dup3 onto 0-2)"

static const struct eng_field fields[] = {
    /* evt */
    FLDX("evt.num", VT_INT, FA_NONE, FF_EVT_NUM, g_evt_num, "event number (per ruleset)"),
    FLD("evt.time", VT_STR, g_time, "event time (UTC) with nanoseconds"),
    FLD("evt.time.s", VT_STR, g_time_s, "event time (UTC), seconds"),
    FLD("evt.time.iso8601", VT_STR, g_time_iso, "event time, ISO 8601 UTC"),
    FLD("evt.datetime", VT_STR, g_datetime, "event date and time (UTC) with nanoseconds"),
    FLD("evt.datetime.s", VT_STR, g_datetime_s, "event date and time (UTC), seconds"),
    FLD("evt.rawtime", VT_INT, g_rawtime, "event time, ns since the epoch"),
    FLD("evt.rawtime.s", VT_INT, g_rawtime_s, "event time, seconds since the epoch"),
    FLD("evt.rawtime.ns", VT_INT, g_rawtime_ns, "event time, ns part"),
    FLDX("evt.type", VT_STR, FA_NONE, FF_EVT_TYPE, g_type, "event type (syscall name)"),
    FLDX("syscall.type", VT_STR, FA_NONE, FF_LOWCARD, g_syscall_type,
	 "syscall name; unset for pseudo events"),
    FLDX("evt.dir", VT_STR, FA_NONE, FF_LOWCARD, g_dir,
	 "always '<': events are reported on completion"),
    FLD("evt.cpu", VT_INT, g_cpu, "CPU the event happened on"),
    FLDX("evt.res", VT_STR, FA_NONE, FF_LOWCARD, g_res, "SUCCESS or the errno name"),
    FLD("evt.rawres", VT_INT, g_rawres, "return value (-errno on failure)"),
    FLD("evt.failed", VT_BOOL, g_failed, "true when the syscall failed"),
    FLD("evt.args", VT_STR, g_args_all, "all arguments as name=value"),
    FLDX("evt.arg", VT_STR, FA_EVTARG, FF_PREFIX, g_evt_arg,
	 "one argument as text: evt.arg.NAME or evt.arg[N]"),
    FLDX("evt.rawarg", VT_STR, FA_EVTARG, FF_PREFIX | FF_RAW, g_evt_arg,
	 "one argument, numbers as numbers: evt.rawarg.NAME"),
    FLD("evt.is_open_read", VT_BOOL, g_is_open_read, "open for reading"),
    FLD("evt.is_open_write", VT_BOOL, g_is_open_write, "open for writing (creat too)"),
    FLD("evt.is_open_exec", VT_BOOL, g_is_open_exec, "open creating a file with execute bits"),
    FLD("evt.is_open_create", VT_BOOL, g_is_open_create, "open with O_CREAT (creat too)"),
    FLDX("evt.category", VT_STR, FA_NONE, FF_LOWCARD, g_category,
	 "file, net, process, user, signal, system, other"),
    FLD("evt.hostname", VT_STR, g_hostname, "host name of the node"),
    FLDX("evt.source", VT_STR, FA_NONE, FF_LOWCARD, g_source, "always 'syscall'"),
    FLD("evt.abspath", VT_STR, g_abspath, "absolute path of the event"),
    FLD("evt.abspath.src", VT_STR, g_abspath, "absolute source path"),
    FLD("evt.abspath.dst", VT_STR, g_abspath_dst, "absolute destination path"),
    NA("evt.latency", VT_INT, WHY_SCHED),
    NA("evt.deltatime", VT_INT, WHY_SCHED),
    NA("evt.reltime", VT_INT, WHY_SCHED),
    NA("evt.info", VT_STR, WHY_SCHED),
    NA("evt.buffer", VT_STR, "the sensor does not capture I/O buffers"),
    NA("evt.buflen", VT_INT, "the sensor does not capture I/O buffers"),
    NA("evt.is_io", VT_BOOL, WHY_SCHED),
    NA("evt.is_io_read", VT_BOOL, WHY_SCHED),
    NA("evt.is_io_write", VT_BOOL, WHY_SCHED),
    NA("evt.io_dir", VT_STR, WHY_SCHED),
    NA("evt.is_wait", VT_BOOL, WHY_SCHED),
    NA("evt.wait_latency", VT_INT, WHY_SCHED),
    NA("evt.is_syslog", VT_BOOL, WHY_SCHED),
    NA("evt.count", VT_INT, "meaningless without chisels"),
    NAX("evt.type.is", VT_INT, FA_NONE, FF_PREFIX, "use evt.type"),
    NA("evt.plugininfo", VT_STR, "Palisade has no plugins"),
    NA("evt.pluginname", VT_STR, "Palisade has no plugins"),

    /* proc */
    FLD("proc.pid", VT_INT, g_pid, "process id (tgid)"),
    FLD("proc.ppid", VT_INT, g_ppid, "parent process id"),
    FLD("proc.vpid", VT_INT, g_vpid, "pid inside the container's pid namespace"),
    FLD("proc.pvpid", VT_INT, g_pvpid, "parent's pid inside its pid namespace"),
    FLD("proc.name", VT_STR, g_name, "process name (comm, 15 characters)"),
    FLD("proc.exe", VT_STR, g_exe, "argv[0] as executed"),
    FLD("proc.exepath", VT_STR, g_exepath, "full path of the executable"),
    FLD("proc.cmdline", VT_STR, g_cmdline, "proc.name and the arguments"),
    FLD("proc.args", VT_STR, g_args, "the arguments"),
    FLD("proc.exeline", VT_STR, g_exeline, "proc.exe and the arguments"),
    FLD("proc.cwd", VT_STR, g_cwd, "current working directory"),
    FLDX("proc.env", VT_STR, FA_KEY, 0, g_env, "environment; proc.env[NAME] for one variable"),
    FLD("proc.tty", VT_INT, g_tty, "controlling terminal, 0 if none"),
    FLD("proc.pname", VT_STR, g_pname, "parent's name"),
    FLD("proc.pexe", VT_STR, g_pexe, "parent's argv[0]"),
    FLD("proc.pexepath", VT_STR, g_pexepath, "parent's executable path"),
    FLD("proc.pcmdline", VT_STR, g_pcmdline, "parent's command line"),
    FLDX("proc.aname", VT_STR, FA_INDEX, 0, g_aname,
	 "ancestor's name: [0] self, [1] parent...; no index = any ancestor"),
    FLDX("proc.apid", VT_INT, FA_INDEX, 0, g_apid, "ancestor's pid"),
    FLDX("proc.aexe", VT_STR, FA_INDEX, 0, g_aexe, "ancestor's argv[0]"),
    FLDX("proc.aexepath", VT_STR, FA_INDEX, 0, g_aexepath, "ancestor's executable path"),
    FLDX("proc.acmdline", VT_STR, FA_INDEX, 0, g_acmdline, "ancestor's command line"),
    FLD("proc.duration", VT_INT, g_duration, "ns since the process started"),
    FLD("proc.ppid.duration", VT_INT, g_pduration, "ns since the parent started"),
    FLD("proc.is_exe_upper_layer", VT_BOOL, g_upper,
	"executable lives on the container's overlayfs upper layer"),
    FLD("proc.is_exe_from_memfd", VT_BOOL, g_memfd, "executable is a memfd"),
    FLD("proc.is_exe_writable", VT_BOOL, g_exe_writable,
	"executable is writable by the process's user"),
    FLD("proc.cmdnargs", VT_INT, g_cmdnargs, "number of arguments"),
    NA("proc.sid", VT_INT, WHY_SESSION),
    NA("proc.sname", VT_STR, WHY_SESSION),
    NA("proc.vpgid", VT_INT, WHY_SESSION),
    NA("proc.vpgid.name", VT_STR, WHY_SESSION),
    NA("proc.vpgid.exe", VT_STR, WHY_SESSION),
    NA("proc.vpgid.exepath", VT_STR, WHY_SESSION),
    NA("proc.is_vpgid_leader", VT_BOOL, WHY_SESSION),
    NA("proc.is_sid_leader", VT_BOOL, WHY_SESSION),
    NA("proc.loginshellid", VT_INT, WHY_SESSION),
    NA("proc.nthreads", VT_INT, WHY_RES),
    NA("proc.nchilds", VT_INT, WHY_RES),
    NA("proc.fdopencount", VT_INT, WHY_RES),
    NA("proc.fdlimit", VT_INT, WHY_RES),
    NA("proc.fdusage", VT_INT, WHY_RES),
    NA("proc.vmsize", VT_INT, WHY_RES),
    NA("proc.vmrss", VT_INT, WHY_RES),
    NA("proc.vmswap", VT_INT, WHY_RES),
    NA("proc.exe_ino", VT_INT, WHY_INODE),
    NA("proc.exe_ino.ctime", VT_INT, WHY_INODE),
    NA("proc.exe_ino.mtime", VT_INT, WHY_INODE),
    NA("proc.exe_ino.ctime_duration_proc_start", VT_INT, WHY_INODE),
    NA("proc.exe_ino.ctime_duration_pidns_start", VT_INT, WHY_INODE),
    NA("proc.pidns_init_start_ts", VT_INT, WHY_RES),
    NA("proc.is_container_healthcheck", VT_BOOL, WHY_CT),
    NA("proc.is_container_liveness_probe", VT_BOOL, WHY_CT),
    NA("proc.is_container_readiness_probe", VT_BOOL, WHY_CT),
    NA("proc.stdin.type", VT_STR, WHY_STDIO),
    NA("proc.stdout.type", VT_STR, WHY_STDIO),
    NA("proc.stderr.type", VT_STR, WHY_STDIO),
    NA("proc.stdin.name", VT_STR, WHY_STDIO),
    NA("proc.stdout.name", VT_STR, WHY_STDIO),
    NA("proc.stderr.name", VT_STR, WHY_STDIO),

    /* thread */
    FLD("thread.tid", VT_INT, g_tid, "thread id"),
    FLD("thread.ismain", VT_BOOL, g_ismain, "the thread is the process's main thread"),
    FLD("thread.cap_effective", VT_STR, g_cap_eff, "effective capabilities, CAP_* names"),
    FLD("thread.cap_permitted", VT_STR, g_cap_prm, "permitted capabilities"),
    FLD("thread.cap_inheritable", VT_STR, g_cap_inh, "inheritable capabilities"),
    NA("thread.vtid", VT_INT, "the sensor reports host thread ids only"),
    NA("thread.pfmajor", VT_INT, WHY_RES),
    NA("thread.pfminor", VT_INT, WHY_RES),
    NA("thread.cgroups", VT_STR, WHY_CT),
    NAX("thread.cgroup", VT_STR, FA_NONE, FF_PREFIX, WHY_CT),
    NA("thread.exectime", VT_INT, WHY_SCHED),
    NA("thread.totexectime", VT_INT, WHY_SCHED),

    /* user, group */
    FLD("user.uid", VT_INT, g_uid, "effective user id"),
    FLD("user.name", VT_STR, g_user_name, "user name (see docs/rules.md for containers)"),
    FLD("user.loginuid", VT_INT, g_loginuid, "audit user id, -1 if unset"),
    FLD("user.loginname", VT_STR, g_login_name, "name of the audit user"),
    NA("user.homedir", VT_STR, "not resolved"),
    NA("user.shell", VT_STR, "not resolved"),
    FLD("group.gid", VT_INT, g_gid, "effective group id"),
    FLD("group.name", VT_STR, g_group_name, "group name"),

    /* container, k8s */
    FLD("container.id", VT_STR, g_ct_id, "container id; 'host' for the host"),
    FLD("container.name", VT_STR, g_ct_name, "container name; 'host' for the host"),
    FLD("container.image", VT_STR, g_ct_image, "image reference"),
    FLD("container.image.repository", VT_STR, g_ct_repo, "image repository"),
    FLD("container.image.tag", VT_STR, g_ct_tag, "image tag"),
    FLD("container.image.digest", VT_STR, g_ct_digest, "image digest"),
    FLDX("container.type", VT_STR, FA_NONE, FF_LOWCARD, g_ct_type,
	 "runtime: palisade, podman, docker, containerd..."),
    FLD("container.privileged", VT_BOOL, g_ct_priv, "container runs privileged"),
    NA("container.image.id", VT_STR, WHY_CT),
    NA("container.start_ts", VT_INT, WHY_CT),
    NA("container.duration", VT_INT, WHY_CT),
    NA("container.mounts", VT_STR, WHY_CT),
    NAX("container.mount", VT_STR, FA_KEY, FF_PREFIX, WHY_CT),
    NA("container.healthcheck", VT_STR, WHY_CT),
    NA("container.liveness_probe", VT_STR, WHY_CT),
    NA("container.readiness_probe", VT_STR, WHY_CT),
    NA("container.ip", VT_STR, WHY_CT),
    NA("container.cni.json", VT_STR, WHY_CT),
    NA("container.host_pid", VT_BOOL, WHY_CT),
    NA("container.host_network", VT_BOOL, WHY_CT),
    NA("container.host_ipc", VT_BOOL, WHY_CT),
    FLD("k8s.pod.name", VT_STR, g_pod_name, "pod name"),
    FLD("k8s.ns.name", VT_STR, g_pod_ns, "pod namespace"),
    NA("k8s.pod.id", VT_STR, WHY_K8S),
    NA("k8s.pod.uid", VT_STR, WHY_K8S),
    NAX("k8s.pod.label", VT_STR, FA_KEY, FF_PREFIX, WHY_K8S),
    NA("k8s.pod.labels", VT_STR, WHY_K8S),
    NA("k8s.pod.ip", VT_STR, WHY_K8S),
    NA("k8s.pod.cni.json", VT_STR, WHY_K8S),
    NA("k8s.ns.id", VT_STR, WHY_K8S),
    NAX("k8s.ns.label", VT_STR, FA_KEY, FF_PREFIX, WHY_K8S),
    NA("k8s.ns.labels", VT_STR, WHY_K8S),
    NA("k8s.rc.name", VT_STR, WHY_K8S),
    NA("k8s.rs.name", VT_STR, WHY_K8S),
    NA("k8s.svc.name", VT_STR, WHY_K8S),
    NA("k8s.deployment.name", VT_STR, WHY_K8S),

    /* fd */
    FLD("fd.num", VT_INT, g_fd_num, "descriptor number; -1 for a failed open"),
    FLDX("fd.type", VT_STR, FA_NONE, FF_LOWCARD, g_fd_type,
	 "file, directory, ipv4, ipv6, unix, netlink, memfd"),
    FLDX("fd.typechar", VT_STR, FA_NONE, FF_LOWCARD, g_fd_typechar, "f d 4 6 u n m o"),
    FLD("fd.name", VT_STR, g_fd_name, "file path, or socket tuple cip:cport->sip:sport"),
    FLD("fd.directory", VT_STR, g_fd_directory, "directory of the file"),
    FLD("fd.filename", VT_STR, g_fd_filename, "file name without its directory"),
    FLDX("fd.ip", VT_IP, FA_NONE, FF_BOTH_SIDES, g_fd_ip_both, "client or server IP"),
    FLD("fd.cip", VT_IP, g_fd_cip, "client IP"),
    FLD("fd.sip", VT_IP, g_fd_sip, "server IP"),
    FLD("fd.lip", VT_IP, g_fd_lip, "local IP"),
    FLD("fd.rip", VT_IP, g_fd_rip, "remote IP"),
    FLDX("fd.port", VT_INT, FA_NONE, FF_BOTH_SIDES, g_fd_port_both, "client or server port"),
    FLD("fd.cport", VT_INT, g_fd_cport, "client port"),
    FLD("fd.sport", VT_INT, g_fd_sport, "server port"),
    FLD("fd.lport", VT_INT, g_fd_lport, "local port"),
    FLD("fd.rport", VT_INT, g_fd_rport, "remote port"),
    FLDX("fd.l4proto", VT_STR, FA_NONE, FF_LOWCARD, g_fd_l4proto, "tcp, udp, icmp or raw"),
    FLDX("fd.sockfamily", VT_STR, FA_NONE, FF_LOWCARD, g_fd_sockfamily, "ip or unix"),
    FLD("fd.is_server", VT_BOOL, g_fd_is_server, "the process is the server side"),
    FLDX("fd.net", VT_IP, FA_NONE, FF_BOTH_SIDES, g_fd_ip_both, "client or server network (CIDR)"),
    FLD("fd.cnet", VT_IP, g_fd_cip, "client network (CIDR)"),
    FLD("fd.snet", VT_IP, g_fd_sip, "server network (CIDR)"),
    FLD("fd.lnet", VT_IP, g_fd_lip, "local network (CIDR)"),
    FLD("fd.rnet", VT_IP, g_fd_rip, "remote network (CIDR)"),
    FLD("fd.containername", VT_STR, g_fd_ctname, "container.id:fd.name"),
    FLD("fd.containerdirectory", VT_STR, g_fd_ctdir, "container.id:fd.directory"),
    NA("fd.nameraw", VT_STR, WHY_RAW),
    NA("fd.connected", VT_BOOL, WHY_FDSTATE),
    NA("fd.name_changed", VT_BOOL, WHY_FDSTATE),
    NA("fd.cip.name", VT_STR, WHY_DNS),
    NA("fd.sip.name", VT_STR, WHY_DNS),
    NA("fd.lip.name", VT_STR, WHY_DNS),
    NA("fd.rip.name", VT_STR, WHY_DNS),
    NA("fd.dev", VT_INT, "the sensor does not capture device numbers"),
    NA("fd.dev.major", VT_INT, "the sensor does not capture device numbers"),
    NA("fd.dev.minor", VT_INT, "the sensor does not capture device numbers"),
    NA("fd.ino", VT_INT, "the sensor does not capture inode numbers"),
    NA("fd.uid", VT_STR, WHY_FDSTATE),
    NAX("fd.types", VT_STR, FA_INDEX, 0, WHY_FDSTATE),
    NA("fd.cproto", VT_STR, WHY_FDSTATE),
    NA("fd.sproto", VT_STR, WHY_FDSTATE),
    NA("fd.lproto", VT_STR, WHY_FDSTATE),
    NA("fd.rproto", VT_STR, WHY_FDSTATE),

    /* fs.path */
    FLD("fs.path.name", VT_STR, g_fs_name, "path a successful file syscall worked on"),
    FLD("fs.path.source", VT_STR, g_fs_source, "source path (rename, link, symlink, mount)"),
    FLD("fs.path.target", VT_STR, g_fs_target, "target path (rename, link, symlink, mount)"),
    NA("fs.path.nameraw", VT_STR, WHY_RAW),
    NA("fs.path.sourceraw", VT_STR, WHY_RAW),
    NA("fs.path.targetraw", VT_STR, WHY_RAW),
};

size_t eng_field_count(void)
{
	return sizeof(fields) / sizeof(fields[0]);
}

const struct eng_field *eng_field_at(size_t i)
{
	return i < eng_field_count() ? &fields[i] : NULL;
}

const struct eng_field *eng_field_lookup(const char *name, size_t n, const char **suffix,
					 size_t *suffix_len)
{
	*suffix = NULL;
	*suffix_len = 0;
	for (size_t i = 0; i < eng_field_count(); i++)
		if (strlen(fields[i].name) == n && memcmp(fields[i].name, name, n) == 0)
			return &fields[i];
	/* evt.arg.flags, k8s.pod.label.app: a prefix field and its argument. */
	for (size_t i = 0; i < eng_field_count(); i++) {
		if (!(fields[i].flags & FF_PREFIX))
			continue;
		size_t k = strlen(fields[i].name);
		if (n > k + 1 && memcmp(fields[i].name, name, k) == 0 && name[k] == '.') {
			*suffix = name + k + 1;
			*suffix_len = n - k - 1;
			return &fields[i];
		}
	}
	return NULL;
}
