#include "sensor/event_json.h"

#include "common/capnames.h"
#include "common/cleanup.h"
#include "common/strutil.h"
#include "common/timefmt.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

char *sen_caps_string(uint64_t caps)
{
	struct pal_buf b;
	pal_buf_init(&b);
	for (unsigned i = 0; i < 64; i++) {
		if (!(caps >> i & 1))
			continue;
		if (b.len)
			pal_buf_putc(&b, ' ');
		const char *name = pal_cap_name(i);
		if (name)
			pal_buf_puts(&b, name);
		else
			pal_buf_printf(&b, "CAP_%u", i);
	}
	if (!b.data)
		pal_buf_puts(&b, "");
	return pal_buf_steal(&b);
}

const char *sen_res_string(int64_t res, char *buf, size_t cap)
{
	if (res >= 0)
		return "SUCCESS";
	const char *n = res >= -4095 ? strerrorname_np((int)-res) : NULL;
	if (n)
		return n;
	snprintf(buf, cap, "E%lld", (long long)-res);
	return buf;
}

static void addr_ip(const struct pal_sockaddr *a, char *buf, size_t cap)
{
	if (!inet_ntop(a->family, a->addr, buf, (socklen_t)cap))
		snprintf(buf, cap, "?");
}

void sen_sockaddr_string(const struct pal_sockaddr *a, char *buf, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	if (a->family == AF_INET) {
		addr_ip(a, ip, sizeof(ip));
		snprintf(buf, cap, "%s:%u", ip, a->port);
	} else if (a->family == AF_INET6) {
		addr_ip(a, ip, sizeof(ip));
		snprintf(buf, cap, "%s:%u", ip, a->port);
	} else if (a->family == AF_UNIX) {
		snprintf(buf, cap, "%s", a->unix_path);
	} else {
		snprintf(buf, cap, "%s", "");
	}
}

static void set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, v ? json_string(v) : json_null());
}

static void set_int(json_t *o, const char *k, int64_t v)
{
	json_object_set_new(o, k, json_integer(v));
}

static bool is_net_type(uint32_t t)
{
	return t >= PAL_EVT_SOCKET && t <= PAL_EVT_SENDMSG;
}

/* Which side is the server: the remote one for outgoing calls. */
static bool local_is_server(uint32_t t)
{
	return t == PAL_EVT_ACCEPT || t == PAL_EVT_ACCEPT4 || t == PAL_EVT_BIND ||
	       t == PAL_EVT_LISTEN;
}

static void add_socket_fields(json_t *o, const struct pal_event *ev)
{
	const struct pal_sockaddr *l = &ev->local, *r = &ev->remote;
	int fam = l->family ? l->family : r->family;
	char buf[160], ip[INET6_ADDRSTRLEN];
	if (fam == AF_INET || fam == AF_INET6) {
		set_str(o, "fd.type", fam == AF_INET ? "ipv4" : "ipv6");
		set_str(o, "fd.sockfamily", "ip");
		set_str(o, "fd.l4proto", ev->sock_type == SOCK_DGRAM ? "udp" : "tcp");
		const struct pal_sockaddr *cli = local_is_server(ev->type) ? r : l;
		const struct pal_sockaddr *srv = local_is_server(ev->type) ? l : r;
		if (l->family) {
			addr_ip(l, ip, sizeof(ip));
			set_str(o, "fd.lip", ip);
			set_int(o, "fd.lport", l->port);
		}
		if (r->family && (r->port || ev->type != PAL_EVT_LISTEN)) {
			addr_ip(r, ip, sizeof(ip));
			set_str(o, "fd.rip", ip);
			set_int(o, "fd.rport", r->port);
		}
		if (cli->family) {
			addr_ip(cli, ip, sizeof(ip));
			set_str(o, "fd.cip", ip);
			set_int(o, "fd.cport", cli->port);
		}
		if (srv->family) {
			addr_ip(srv, ip, sizeof(ip));
			set_str(o, "fd.sip", ip);
			set_int(o, "fd.sport", srv->port);
		}
		char c[80], s[80];
		sen_sockaddr_string(cli, c, sizeof(c));
		sen_sockaddr_string(srv, s, sizeof(s));
		if (ev->type == PAL_EVT_BIND || ev->type == PAL_EVT_LISTEN)
			snprintf(buf, sizeof(buf), "%s", s);
		else
			snprintf(buf, sizeof(buf), "%s->%s", c, s);
		set_str(o, "fd.name", buf);
	} else if (fam == AF_UNIX) {
		set_str(o, "fd.type", "unix");
		set_str(o, "fd.sockfamily", "unix");
		const char *p = r->unix_path[0] ? r->unix_path : l->unix_path;
		set_str(o, "fd.name", p);
	}
}

static void add_path_fields(json_t *o, const char *path)
{
	set_str(o, "fd.name", path);
	if (!path || path[0] != '/')
		return;
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *dir =
	    slash == path ? pal_xstrdup("/") : pal_xstrndup(path, (size_t)(slash - path));
	set_str(o, "fd.directory", dir);
	set_str(o, "fd.filename", slash + 1);
}

static void add_args(json_t *o, const struct pal_event *ev)
{
	const int64_t *a = ev->arg;
	switch (ev->type) {
	case PAL_EVT_CLONE:
	case PAL_EVT_CLONE3:
	case PAL_EVT_FORK:
	case PAL_EVT_VFORK:
		set_int(o, "evt.arg.pid", a[0]);
		set_int(o, "evt.arg.flags", ev->flags);
		break;
	case PAL_EVT_PROCEXIT:
		set_int(o, "evt.arg.status", a[0]);
		set_int(o, "evt.arg.sig", a[1]);
		json_object_set_new(o, "evt.arg.core", json_boolean(a[2]));
		break;
	case PAL_EVT_OPEN:
	case PAL_EVT_OPENAT:
	case PAL_EVT_OPENAT2:
	case PAL_EVT_CREAT:
	case PAL_EVT_UNLINKAT:
	case PAL_EVT_RENAMEAT2:
	case PAL_EVT_LINKAT:
	case PAL_EVT_UNSHARE:
	case PAL_EVT_MEMFD_CREATE:
	case PAL_EVT_DUP3:
	case PAL_EVT_ACCEPT4:
	case PAL_EVT_UMOUNT2:
	case PAL_EVT_FINIT_MODULE:
		set_int(o, "evt.arg.flags", ev->flags);
		break;
	default:
		break;
	}
	switch (ev->type) {
	case PAL_EVT_OPEN:
	case PAL_EVT_OPENAT:
	case PAL_EVT_OPENAT2:
	case PAL_EVT_CREAT:
	case PAL_EVT_CHMOD:
	case PAL_EVT_FCHMOD:
	case PAL_EVT_FCHMODAT:
	case PAL_EVT_MKDIR:
	case PAL_EVT_MKDIRAT:
		set_int(o, "evt.arg.mode", ev->mode);
		break;
	case PAL_EVT_RENAME:
	case PAL_EVT_RENAMEAT:
	case PAL_EVT_RENAMEAT2:
	case PAL_EVT_LINK:
	case PAL_EVT_LINKAT:
		set_str(o, "evt.arg.oldpath", ev->path);
		set_str(o, "evt.arg.newpath", ev->path2);
		set_str(o, "fs.path.source", ev->path);
		set_str(o, "fs.path.target", ev->path2);
		break;
	case PAL_EVT_SYMLINK:
	case PAL_EVT_SYMLINKAT:
		set_str(o, "evt.arg.target", ev->path);
		set_str(o, "evt.arg.linkpath", ev->path2);
		set_str(o, "fs.path.source", ev->path);
		set_str(o, "fs.path.target", ev->path2);
		break;
	case PAL_EVT_SOCKET:
		set_int(o, "evt.arg.domain", ev->sock_domain);
		set_int(o, "evt.arg.type", ev->sock_type);
		set_int(o, "evt.arg.proto", ev->sock_protocol);
		break;
	case PAL_EVT_SETUID:
	case PAL_EVT_SETGID:
		set_int(o, ev->type == PAL_EVT_SETUID ? "evt.arg.uid" : "evt.arg.gid",
			(int64_t)(uint32_t)a[0]);
		break;
	case PAL_EVT_SETREUID:
	case PAL_EVT_SETREGID:
	case PAL_EVT_SETRESUID:
	case PAL_EVT_SETRESGID: {
		bool u = ev->type == PAL_EVT_SETREUID || ev->type == PAL_EVT_SETRESUID;
		set_int(o, u ? "evt.arg.ruid" : "evt.arg.rgid", (int64_t)(int32_t)a[0]);
		set_int(o, u ? "evt.arg.euid" : "evt.arg.egid", (int64_t)(int32_t)a[1]);
		if (ev->type == PAL_EVT_SETRESUID || ev->type == PAL_EVT_SETRESGID)
			set_int(o, u ? "evt.arg.suid" : "evt.arg.sgid", (int64_t)(int32_t)a[2]);
		break;
	}
	case PAL_EVT_CAPSET: {
		_cleanup_free_ char *e = sen_caps_string((uint64_t)a[0]);
		_cleanup_free_ char *p = sen_caps_string((uint64_t)a[1]);
		_cleanup_free_ char *i = sen_caps_string((uint64_t)a[2]);
		set_str(o, "evt.arg.cap_effective", e);
		set_str(o, "evt.arg.cap_permitted", p);
		set_str(o, "evt.arg.cap_inheritable", i);
		break;
	}
	case PAL_EVT_PTRACE:
		set_int(o, "evt.arg.request", a[0]);
		set_int(o, "evt.arg.pid", (int32_t)a[1]);
		break;
	case PAL_EVT_MOUNT:
		set_str(o, "evt.arg.dev", ev->path2);
		set_str(o, "evt.arg.dir", ev->path);
		set_str(o, "evt.arg.type", ev->arg_str);
		set_int(o, "evt.arg.flags", ev->flags);
		break;
	case PAL_EVT_SETNS:
		set_int(o, "evt.arg.fd", a[0]);
		set_int(o, "evt.arg.nstype", ev->flags);
		break;
	case PAL_EVT_INIT_MODULE:
		set_int(o, "evt.arg.len", a[0]);
		set_str(o, "evt.arg.uargs", ev->arg_str);
		break;
	case PAL_EVT_FINIT_MODULE:
		set_int(o, "evt.arg.fd", a[0]);
		set_str(o, "evt.arg.uargs", ev->arg_str);
		break;
	case PAL_EVT_BPF:
		set_int(o, "evt.arg.cmd", a[0]);
		break;
	case PAL_EVT_MEMFD_CREATE:
		set_str(o, "evt.arg.name", ev->arg_str);
		break;
	case PAL_EVT_DUP:
	case PAL_EVT_DUP2:
	case PAL_EVT_DUP3:
		set_int(o, "evt.arg.oldfd", a[0]);
		set_int(o, "evt.arg.newfd", a[1]);
		break;
	case PAL_EVT_KILL:
	case PAL_EVT_TKILL:
	case PAL_EVT_TGKILL:
		set_int(o, "evt.arg.pid", (int32_t)a[0]);
		set_int(o, "evt.arg.sig", a[1]);
		if (ev->type == PAL_EVT_TGKILL)
			set_int(o, "evt.arg.tid", (int32_t)a[2]);
		break;
	case PAL_EVT_SECCOMP_DENIED:
		set_str(o, "evt.arg.syscall", ev->arg_str);
		set_int(o, "evt.arg.syscall_nr", a[0]);
		set_int(o, "evt.arg.arch", a[1]);
		set_int(o, "evt.arg.action", a[2]);
		break;
	default:
		break;
	}
}

static char *args_string(const char *const *argv)
{
	struct pal_buf b;
	pal_buf_init(&b);
	pal_buf_puts(&b, "");
	for (size_t i = 1; argv && argv[0] && argv[i]; i++) {
		if (i > 1)
			pal_buf_putc(&b, ' ');
		pal_buf_puts(&b, argv[i]);
	}
	return pal_buf_steal(&b);
}

json_t *sen_event_to_json(const struct pal_event *ev)
{
	json_t *o = json_object();
	char buf[64];
	const struct pal_proc *p = ev->proc;
	const struct pal_container *c = ev->container;

	set_int(o, "evt.time", (int64_t)ev->ts_ns);
	struct timespec ts = {.tv_sec = (time_t)(ev->ts_ns / 1000000000ull),
			      .tv_nsec = (long)(ev->ts_ns % 1000000000ull)};
	char tbuf[64];
	pal_time_rfc3339(&ts, tbuf, sizeof(tbuf));
	set_str(o, "evt.datetime", tbuf);
	set_str(o, "evt.type", pal_evt_type_name((enum pal_evt_type)ev->type));
	set_str(o, "evt.res", sen_res_string(ev->res, buf, sizeof(buf)));
	set_int(o, "evt.rawres", ev->res);
	set_int(o, "evt.cpu", ev->cpu);
	set_int(o, "thread.tid", ev->tid);
	if (ev->truncated) {
		json_t *t = json_array();
		static const char *const names[] = {"path", "path2", "argv", "cwd", "exe", "env"};
		for (unsigned i = 0; i < 6; i++)
			if (ev->truncated >> i & 1)
				json_array_append_new(t, json_string(names[i]));
		json_object_set_new(o, "evt.truncated", t);
	}

	if (p) {
		set_int(o, "proc.pid", p->pid);
		set_int(o, "proc.ppid", p->ppid);
		set_int(o, "proc.vpid", p->vpid);
		set_str(o, "proc.name", p->comm);
		set_str(o, "proc.exe", p->exe);
		set_str(o, "proc.exepath", p->exepath);
		set_str(o, "proc.cmdline", p->cmdline);
		_cleanup_free_ char *args = args_string(p->argv);
		set_str(o, "proc.args", args);
		set_str(o, "proc.cwd", p->cwd);
		set_int(o, "proc.tty", p->tty);
		json_object_set_new(o, "proc.is_exe_writable", json_boolean(p->is_exe_writable));
		json_object_set_new(o, "proc.is_exe_upper_layer",
				    json_boolean(p->exe_origin == PAL_EXE_ORIGIN_UPPER));
		json_object_set_new(o, "proc.is_exe_from_memfd",
				    json_boolean(p->exe_origin == PAL_EXE_ORIGIN_MEMFD));
		const struct pal_proc *par = p->parent;
		set_str(o, "proc.pname", par ? par->comm : NULL);
		set_str(o, "proc.pexepath", par ? par->exepath : NULL);
		set_str(o, "proc.pcmdline", par ? par->cmdline : NULL);
		const struct pal_proc *anc = par;
		for (int n = 1; n <= SEN_JSON_ANCESTRY; n++) {
			char k[32];
			snprintf(k, sizeof(k), "proc.aname[%d]", n);
			set_str(o, k, anc ? anc->comm : NULL);
			snprintf(k, sizeof(k), "proc.apid[%d]", n);
			if (anc)
				set_int(o, k, anc->pid);
			else
				json_object_set_new(o, k, json_null());
			anc = anc ? anc->parent : NULL;
		}
		set_int(o, "user.uid", p->uid);
		set_int(o, "user.euid", p->euid);
		set_int(o, "user.loginuid", (int32_t)p->loginuid);
		set_int(o, "group.gid", p->gid);
		set_int(o, "group.egid", p->egid);
		_cleanup_free_ char *ce = sen_caps_string(p->cap_effective);
		_cleanup_free_ char *cp = sen_caps_string(p->cap_permitted);
		_cleanup_free_ char *ci = sen_caps_string(p->cap_inheritable);
		set_str(o, "thread.cap_effective", ce);
		set_str(o, "thread.cap_permitted", cp);
		set_str(o, "thread.cap_inheritable", ci);
	}

	if (ev->fd >= 0)
		set_int(o, "fd.num", ev->fd);
	if (is_net_type(ev->type) && ev->type != PAL_EVT_SOCKET)
		add_socket_fields(o, ev);
	else if ((ev->type == PAL_EVT_DUP || ev->type == PAL_EVT_DUP2 ||
		  ev->type == PAL_EVT_DUP3) &&
		 (ev->local.family || ev->remote.family))
		add_socket_fields(o, ev);
	else if (ev->path && ev->type != PAL_EVT_SYMLINK && ev->type != PAL_EVT_SYMLINKAT)
		add_path_fields(o, ev->path);
	else if (ev->path2)
		add_path_fields(o, ev->path2);
	if (ev->type == PAL_EVT_EXECVE || ev->type == PAL_EVT_EXECVEAT) {
		if (ev->res < 0)
			set_str(o, "evt.arg.filename", ev->path);
	}
	add_args(o, ev);

	if (c) {
		set_str(o, "container.id", c->id);
		set_str(o, "container.name", c->name);
		set_str(o, "container.type", c->runtime);
		set_str(o, "container.image", c->image);
		set_str(o, "container.image.repository", c->image_repository);
		set_str(o, "container.image.tag", c->image_tag);
		set_str(o, "container.image.digest", c->image_digest);
		json_object_set_new(o, "container.privileged", json_boolean(c->privileged));
		set_str(o, "k8s.pod.name", c->pod_name);
		set_str(o, "k8s.ns.name", c->pod_namespace);
	}
	return o;
}
