#include "sensor/decode.h"

#include "common/cleanup.h"
#include "common/strutil.h"
#include "proc/proc_table.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

void sen_decoded_clear(struct sen_decoded *d)
{
	free(d->path);
	free(d->path2);
	free(d->arg_str);
	free(d->exe_filename);
	free(d->exepath);
	free(d->cwd);
	pal_strv_free(d->argv);
	memset(d, 0, sizeof(*d));
}

char *sen_dpath_join(const char *comps, size_t len)
{
	/* Collect component starts, then emit them in reverse. */
	size_t n = 0, cap = 16;
	size_t *starts = pal_xmalloc(cap * sizeof(size_t));
	for (size_t i = 0; i < len;) {
		size_t l = strnlen(comps + i, len - i);
		if (l > 0) {
			if (n == cap) {
				cap *= 2;
				starts = pal_xrealloc(starts, cap * sizeof(size_t));
			}
			starts[n++] = i;
		}
		i += l + 1;
	}
	struct pal_buf b;
	pal_buf_init(&b);
	for (size_t k = n; k-- > 0;) {
		pal_buf_putc(&b, '/');
		size_t i = starts[k];
		pal_buf_append(&b, comps + i, strnlen(comps + i, len - i));
	}
	if (b.len == 0)
		pal_buf_putc(&b, '/');
	free(starts);
	return pal_buf_steal(&b);
}

char *sen_path_resolve(const char *base, const char *rel)
{
	struct pal_buf in;
	pal_buf_init(&in);
	if (rel[0] != '/') {
		pal_buf_puts(&in, base && base[0] == '/' ? base : "/");
		pal_buf_putc(&in, '/');
	}
	pal_buf_puts(&in, rel);

	/* Normalize in place into out: a stack of component ends. */
	char *out = pal_xmalloc(in.len + 2);
	size_t olen = 0;
	const char *p = in.data;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == 1 && p[0] == '.') {
			/* nothing */
		} else if (l == 2 && p[0] == '.' && p[1] == '.') {
			while (olen > 0 && out[olen - 1] != '/')
				olen--;
			if (olen > 0)
				olen--; /* the slash */
		} else {
			out[olen++] = '/';
			memcpy(out + olen, p, l);
			olen += l;
		}
		p += l;
	}
	if (olen == 0)
		out[olen++] = '/';
	out[olen] = '\0';
	pal_buf_free(&in);
	return out;
}

int sen_sockaddr_parse(const void *bytes, size_t len, struct pal_sockaddr *out)
{
	sa_family_t fam;
	if (!bytes || len < sizeof(fam))
		return -EINVAL;
	memcpy(&fam, bytes, sizeof(fam));
	if (fam == AF_INET) {
		struct sockaddr_in sin;
		if (len < sizeof(sin))
			return -EINVAL;
		memcpy(&sin, bytes, sizeof(sin));
		memset(out, 0, sizeof(*out));
		out->family = AF_INET;
		out->port = ntohs(sin.sin_port);
		memcpy(out->addr, &sin.sin_addr, 4);
		return 0;
	}
	if (fam == AF_INET6) {
		struct sockaddr_in6 sin6;
		if (len < sizeof(sin6))
			return -EINVAL;
		memcpy(&sin6, bytes, sizeof(sin6));
		memset(out, 0, sizeof(*out));
		out->family = AF_INET6;
		out->port = ntohs(sin6.sin6_port);
		memcpy(out->addr, &sin6.sin6_addr, 16);
		return 0;
	}
	if (fam == AF_UNIX) {
		memset(out, 0, sizeof(*out));
		out->family = AF_UNIX;
		size_t pl = len - offsetof(struct sockaddr_un, sun_path);
		if (pl >= sizeof(out->unix_path))
			pl = sizeof(out->unix_path) - 1;
		const char *path = (const char *)bytes + offsetof(struct sockaddr_un, sun_path);
		if (pl > 0 && path[0] == '\0') {
			/* Abstract socket: shown with a leading '@' as ss and Falco do. */
			out->unix_path[0] = '@';
			size_t n = pl - 1 < sizeof(out->unix_path) - 2 ? pl - 1
								       : sizeof(out->unix_path) - 2;
			for (size_t i = 0; i < n; i++)
				out->unix_path[1 + i] = path[1 + i] ? path[1 + i] : '@';
		} else {
			memcpy(out->unix_path, path, strnlen(path, pl));
		}
		return 0;
	}
	return -EAFNOSUPPORT;
}

struct slot {
	const char *p;
	size_t len;
	uint16_t kind;
};

static char *slot_str(const struct slot *s)
{
	if (s->kind != SEN_SLOT_STR || s->len == 0)
		return NULL;
	return pal_xstrndup(s->p, strnlen(s->p, s->len));
}

static char *slot_dpath(const struct slot *s)
{
	if (s->kind != SEN_SLOT_DPATH)
		return NULL;
	return sen_dpath_join(s->p, s->len);
}

/* Name in slot i, made absolute with the base directory in slot i+1. */
static char *resolve_at(const struct slot *sl, int i)
{
	char *name = slot_str(&sl[i]);
	char *base = slot_dpath(&sl[i + 1]);
	char *out;
	if (!name) {
		out = base;
		base = NULL;
	} else if (name[0] == '/' || base) {
		out = sen_path_resolve(base, name);
	} else {
		out = PAL_STEAL(name); /* relative with an unknown base: as given */
	}
	free(name);
	free(base);
	return out;
}

static void sock_from_wire(const struct sen_wire_sock *w, struct pal_sockaddr *local,
			   struct pal_sockaddr *remote)
{
	memset(local, 0, sizeof(*local));
	memset(remote, 0, sizeof(*remote));
	local->family = remote->family = w->family;
	if (w->family != AF_INET && w->family != AF_INET6)
		return;
	size_t n = w->family == AF_INET ? 4 : 16;
	memcpy(local->addr, w->laddr, n);
	memcpy(remote->addr, w->raddr, n);
	local->port = w->lport;
	remote->port = w->rport;
}

static void unix_path_into(const struct slot *s, struct pal_sockaddr *a)
{
	if (s->kind != SEN_SLOT_BYTES)
		return;
	struct pal_sockaddr tmp;
	if (sen_sockaddr_parse(s->p, s->len, &tmp) == 0 && tmp.family == AF_UNIX) {
		a->family = AF_UNIX;
		memcpy(a->unix_path, tmp.unix_path, sizeof(a->unix_path));
	}
}

static void addr_into(const struct slot *s, struct pal_sockaddr *a)
{
	if (s->kind != SEN_SLOT_BYTES)
		return;
	struct pal_sockaddr tmp;
	if (sen_sockaddr_parse(s->p, s->len, &tmp) == 0)
		*a = tmp;
}

static void decode_syscall(struct sen_decoded *d, const struct slot *sl)
{
	const struct sen_wire_hdr *h = &d->h;
	const int64_t *a = (const int64_t *)h->args;
	int64_t res = h->res;
	bool t01 = h->truncated & (SEN_SLOT_TRUNC(0) | SEN_SLOT_TRUNC(1));
	bool t23 = h->truncated & (SEN_SLOT_TRUNC(2) | SEN_SLOT_TRUNC(3));

	d->fd = -1;
	for (int i = 0; i < 6; i++)
		d->arg[i] = a[i];

	switch (h->type) {
	case PAL_EVT_EXECVE:
	case PAL_EVT_EXECVEAT:
	case PAL_EVT_UNLINK:
	case PAL_EVT_UNLINKAT:
	case PAL_EVT_CHMOD:
	case PAL_EVT_FCHMOD:
	case PAL_EVT_FCHMODAT:
	case PAL_EVT_MKDIR:
	case PAL_EVT_MKDIRAT:
	case PAL_EVT_UMOUNT2:
	case PAL_EVT_SETNS:
		d->path = resolve_at(sl, 0);
		break;
	case PAL_EVT_OPEN:
	case PAL_EVT_OPENAT:
	case PAL_EVT_OPENAT2:
	case PAL_EVT_CREAT:
		if (res >= 0 && sl[1].kind == SEN_SLOT_DPATH)
			d->path = slot_dpath(&sl[1]);
		else
			d->path = resolve_at(sl, 0);
		d->fd = res >= 0 ? res : -1;
		break;
	case PAL_EVT_RENAME:
	case PAL_EVT_RENAMEAT:
	case PAL_EVT_RENAMEAT2:
	case PAL_EVT_LINK:
	case PAL_EVT_LINKAT:
	case PAL_EVT_PIVOT_ROOT:
		d->path = resolve_at(sl, 0);
		d->path2 = resolve_at(sl, 2);
		break;
	case PAL_EVT_SYMLINK:
	case PAL_EVT_SYMLINKAT:
		d->path = slot_str(&sl[0]);
		d->path2 = resolve_at(sl, 2);
		break;
	case PAL_EVT_MOUNT:
		d->path = resolve_at(sl, 2);
		d->path2 = slot_str(&sl[0]);
		d->arg_str = slot_str(&sl[1]);
		break;
	case PAL_EVT_INIT_MODULE:
	case PAL_EVT_MEMFD_CREATE:
		d->arg_str = slot_str(&sl[0]);
		break;
	case PAL_EVT_FINIT_MODULE:
		d->arg_str = slot_str(&sl[0]);
		d->path = slot_dpath(&sl[1]);
		break;
	default:
		break;
	}
	if (d->path && t01)
		d->trunc |= PAL_TRUNC_PATH;
	if (d->path2 && t23)
		d->trunc |= PAL_TRUNC_PATH2;

	if (h->flags & SEN_WF_HAS_SOCK) {
		sock_from_wire(&h->sock, &d->local, &d->remote);
		d->local.family = d->remote.family = h->sock.family;
	}

	switch (h->type) {
	case PAL_EVT_OPEN:
		d->flags = a[1];
		d->mode = a[2];
		break;
	case PAL_EVT_OPENAT:
	case PAL_EVT_OPENAT2:
		d->flags = a[2];
		d->mode = a[3];
		break;
	case PAL_EVT_CREAT:
		d->flags = O_CREAT | O_WRONLY | O_TRUNC;
		d->mode = a[1];
		break;
	case PAL_EVT_UNLINKAT:
		d->flags = a[2];
		break;
	case PAL_EVT_CHMOD:
	case PAL_EVT_FCHMOD:
	case PAL_EVT_MKDIR:
		d->mode = a[1];
		if (h->type == PAL_EVT_FCHMOD)
			d->fd = a[0];
		break;
	case PAL_EVT_FCHMODAT:
	case PAL_EVT_MKDIRAT:
		d->mode = a[2];
		if (h->type == PAL_EVT_FCHMODAT)
			d->flags = a[3];
		break;
	case PAL_EVT_RENAMEAT2:
	case PAL_EVT_LINKAT:
		d->flags = a[4];
		break;
	case PAL_EVT_SOCKET:
		d->fd = res >= 0 ? res : -1;
		break;
	case PAL_EVT_CONNECT:
		d->fd = a[0];
		addr_into(&sl[0], &d->remote);
		unix_path_into(&sl[1], &d->local);
		break;
	case PAL_EVT_BIND:
		d->fd = a[0];
		addr_into(&sl[0], &d->local);
		break;
	case PAL_EVT_ACCEPT:
	case PAL_EVT_ACCEPT4:
		d->fd = res >= 0 ? res : -1;
		unix_path_into(&sl[1], &d->local);
		if (h->type == PAL_EVT_ACCEPT4)
			d->flags = a[3];
		break;
	case PAL_EVT_LISTEN:
		d->fd = a[0];
		unix_path_into(&sl[1], &d->local);
		break;
	case PAL_EVT_SENDTO:
	case PAL_EVT_SENDMSG:
		d->fd = a[0];
		addr_into(&sl[0], &d->remote);
		break;
	case PAL_EVT_CAPSET:
		d->arg[0] = a[3];
		d->arg[1] = a[4];
		d->arg[2] = a[5];
		d->arg[3] = d->arg[4] = d->arg[5] = 0;
		break;
	case PAL_EVT_MOUNT:
		d->flags = a[3];
		break;
	case PAL_EVT_UMOUNT2:
		d->flags = a[1];
		break;
	case PAL_EVT_UNSHARE:
		d->flags = a[0];
		break;
	case PAL_EVT_SETNS:
		d->fd = a[0];
		d->flags = a[1];
		break;
	case PAL_EVT_INIT_MODULE:
		d->arg[0] = a[1];
		break;
	case PAL_EVT_FINIT_MODULE:
		d->fd = a[0];
		d->flags = a[2];
		break;
	case PAL_EVT_MEMFD_CREATE:
		d->flags = a[1];
		d->fd = res >= 0 ? res : -1;
		break;
	case PAL_EVT_DUP:
		d->arg[1] = res;
		d->fd = res;
		d->path = d->path ? d->path : slot_dpath(&sl[1]);
		unix_path_into(&sl[1], &d->local);
		break;
	case PAL_EVT_DUP2:
	case PAL_EVT_DUP3:
		d->fd = a[1];
		if (h->type == PAL_EVT_DUP3)
			d->flags = a[2];
		d->path = d->path ? d->path : slot_dpath(&sl[1]);
		unix_path_into(&sl[1], &d->local);
		break;
	case PAL_EVT_TGKILL:
		d->arg[0] = a[0];
		d->arg[1] = a[2];
		d->arg[2] = a[1];
		break;
	default:
		break;
	}
	if (h->type == PAL_EVT_SOCKET) {
		d->local.family = d->remote.family = 0;
	}
}

int sen_decode(const void *data, size_t len, struct sen_decoded *out, struct pal_err *err)
{
	memset(out, 0, sizeof(*out));
	if (len < sizeof(struct sen_wire_hdr))
		return pal_err_set(err, EBADMSG,
				   "sensor record of %zu bytes is shorter than its header", len);
	memcpy(&out->h, data, sizeof(out->h));
	const struct sen_wire_hdr *h = &out->h;
	if (h->version != SEN_WIRE_VERSION)
		return pal_err_set(
		    err, EPROTO,
		    "sensor record version %u, expected %u: BPF object and agent differ",
		    h->version, SEN_WIRE_VERSION);
	if (h->type >= PAL_EVT__COUNT)
		return pal_err_set(err, EBADMSG, "sensor record has unknown event type %u",
				   h->type);
	if (h->kind < SEN_W_EXEC || h->kind > SEN_W_SYSCALL)
		return pal_err_set(err, EBADMSG, "sensor record has unknown kind %u", h->kind);

	const char *body = (const char *)data + sizeof(struct sen_wire_hdr);
	size_t blen = len - sizeof(struct sen_wire_hdr);
	struct slot sl[SEN_WIRE_SLOTS];
	for (int i = 0; i < SEN_WIRE_SLOTS; i++) {
		sl[i].kind = h->slot_len[i] ? h->slot_kind[i] : SEN_SLOT_NONE;
		sl[i].len = h->slot_len[i];
		sl[i].p = body;
		if (sl[i].kind == SEN_SLOT_NONE) {
			sl[i].len = 0;
			continue;
		}
		if (sl[i].kind > SEN_SLOT_BYTES || (size_t)h->slot_off[i] + h->slot_len[i] > blen)
			return pal_err_set(err, EBADMSG,
					   "sensor record slot %d (offset %u, %u bytes, kind %u) "
					   "lies outside its %zu data bytes",
					   i, h->slot_off[i], h->slot_len[i], h->slot_kind[i],
					   blen);
		sl[i].p = body + h->slot_off[i];
	}

	switch (h->kind) {
	case SEN_W_EXEC:
		out->exe_filename = slot_str(&sl[0]);
		if (sl[1].kind == SEN_SLOT_ARGV)
			out->argv = proc_split_nul(sl[1].p, sl[1].len);
		else
			out->argv = pal_xcalloc(1, sizeof(char *));
		out->exepath = slot_dpath(&sl[2]);
		out->cwd = slot_dpath(&sl[3]);
		if (h->truncated & (SEN_SLOT_TRUNC(0) | SEN_SLOT_TRUNC(2)))
			out->trunc |= PAL_TRUNC_EXE;
		if (h->truncated & SEN_SLOT_TRUNC(1))
			out->trunc |= PAL_TRUNC_ARGV;
		if (h->truncated & SEN_SLOT_TRUNC(3))
			out->trunc |= PAL_TRUNC_CWD;
		out->fd = -1;
		break;
	case SEN_W_FORK:
		out->fd = -1;
		out->arg[0] = h->res;
		out->arg[1] = (int64_t)h->args[0];
		out->flags = (uint32_t)h->args[0];
		break;
	case SEN_W_EXIT:
		out->fd = -1;
		out->arg[0] = (h->res >> 8) & 0xff;
		out->arg[1] = h->res & 0x7f;
		out->arg[2] = (h->res & 0x80) != 0;
		break;
	default:
		decode_syscall(out, sl);
		break;
	}
	return 0;
}
