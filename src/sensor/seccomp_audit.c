#include "sensor/seccomp_audit.h"

#include "common/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AUDIT_NLGRP_READLOG
#define AUDIT_NLGRP_READLOG 1
#endif

struct sen_audit {
	int fd;
	uint64_t lost;
	uint64_t last_serial;
	char buf[16384];
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Copies an audit value: "quoted", hex-encoded (even length, all hex), or bare. */
static void audit_value(const char *v, size_t vl, char *out, size_t cap)
{
	size_t o = 0;
	if (cap == 0)
		return;
	if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
		for (size_t i = 1; i + 1 < vl && o + 1 < cap; i++)
			out[o++] = v[i];
	} else {
		bool hex = vl > 0 && vl % 2 == 0;
		for (size_t i = 0; hex && i < vl; i++)
			hex = hexval(v[i]) >= 0;
		if (hex && !(vl == 6 && memcmp(v, "(null)", 6) == 0)) {
			for (size_t i = 0; i + 1 < vl && o + 1 < cap; i += 2)
				out[o++] = (char)(hexval(v[i]) << 4 | hexval(v[i + 1]));
		} else {
			for (size_t i = 0; i < vl && o + 1 < cap; i++)
				out[o++] = v[i];
		}
	}
	out[o] = '\0';
}

static bool parse_u64(const char *v, size_t vl, int base, uint64_t *out)
{
	char tmp[32];
	if (vl == 0 || vl >= sizeof(tmp))
		return false;
	memcpy(tmp, v, vl);
	tmp[vl] = '\0';
	char *end = NULL;
	errno = 0;
	unsigned long long x = strtoull(tmp, &end, base);
	if (errno || *end)
		return false;
	*out = x;
	return true;
}

int sen_audit_parse_seccomp(const char *text, size_t len, struct sen_audit_seccomp *out)
{
	memset(out, 0, sizeof(*out));
	out->syscall = -1;
	/* "audit(SEC.MSEC:SERIAL): " */
	if (len < 8 || memcmp(text, "audit(", 6) != 0)
		return -EINVAL;
	const char *p = text + 6, *end = text + len;
	const char *dot = memchr(p, '.', (size_t)(end - p));
	const char *colon = dot ? memchr(dot, ':', (size_t)(end - dot)) : NULL;
	const char *close = colon ? memchr(colon, ')', (size_t)(end - colon)) : NULL;
	uint64_t sec, msec, serial;
	if (!close || !parse_u64(p, (size_t)(dot - p), 10, &sec) ||
	    !parse_u64(dot + 1, (size_t)(colon - dot - 1), 10, &msec) ||
	    !parse_u64(colon + 1, (size_t)(close - colon - 1), 10, &serial) || msec > 999)
		return -EINVAL;
	out->ts_ns = sec * 1000000000ull + msec * 1000000ull;
	out->serial = serial;
	p = close + 1;
	if (p < end && *p == ':')
		p++;

	int seen = 0;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\n' || *p == '\0'))
			p++;
		if (p >= end)
			break;
		const char *eq = NULL, *q = p;
		while (q < end && *q != ' ' && *q != '=')
			q++;
		if (q >= end || *q != '=') {
			p = q;
			continue;
		}
		eq = q;
		const char *v = eq + 1, *ve = v;
		if (ve < end && *ve == '"') {
			ve++;
			while (ve < end && *ve != '"')
				ve++;
			if (ve < end)
				ve++;
		} else {
			while (ve < end && *ve != ' ' && *ve != '\n')
				ve++;
		}
		size_t kl = (size_t)(eq - p), vl = (size_t)(ve - v);
		uint64_t x;
#define KEY(s) (kl == strlen(s) && memcmp(p, s, kl) == 0)
		if (KEY("pid") && parse_u64(v, vl, 10, &x) && x <= UINT32_MAX) {
			out->pid = (uint32_t)x;
			seen |= 1;
		} else if (KEY("uid") && parse_u64(v, vl, 10, &x)) {
			out->uid = (uint32_t)x;
		} else if (KEY("gid") && parse_u64(v, vl, 10, &x)) {
			out->gid = (uint32_t)x;
		} else if (KEY("auid") && parse_u64(v, vl, 10, &x)) {
			out->auid = (uint32_t)x;
		} else if (KEY("sig") && parse_u64(v, vl, 10, &x)) {
			out->sig = (uint32_t)x;
		} else if (KEY("arch") && parse_u64(v, vl, 16, &x)) {
			out->arch = (uint32_t)x;
		} else if (KEY("syscall") && parse_u64(v, vl, 10, &x) && x < 1u << 20) {
			out->syscall = (int64_t)x;
			seen |= 2;
		} else if (KEY("code") && vl > 2 && v[0] == '0' && v[1] == 'x' &&
			   parse_u64(v + 2, vl - 2, 16, &x)) {
			out->code = (uint32_t)x;
			seen |= 4;
		} else if (KEY("comm")) {
			audit_value(v, vl, out->comm, sizeof(out->comm));
		} else if (KEY("exe")) {
			audit_value(v, vl, out->exe, sizeof(out->exe));
		}
#undef KEY
		p = ve;
	}
	return seen == 7 ? 0 : -EINVAL;
}

int sen_audit_open(struct sen_audit **out, struct pal_err *err)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_AUDIT);
	if (fd < 0)
		return pal_err_sys(err, errno, "open the audit netlink socket");
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK,
				 .nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1)};
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		return pal_err_sys(
		    err, e, "subscribe to the audit log multicast group (needs CAP_AUDIT_READ)");
	}
	/* Bursts of denials must fit: ask for a large buffer (FORCE works as root). */
	int sz = 8 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	struct sen_audit *a = pal_xcalloc(1, sizeof(*a));
	a->fd = fd;
	*out = a;
	return 0;
}

void sen_audit_close(struct sen_audit *a)
{
	if (!a)
		return;
	close(a->fd);
	free(a);
}

int sen_audit_fd(const struct sen_audit *a)
{
	return a->fd;
}

uint64_t sen_audit_lost(const struct sen_audit *a)
{
	return a->lost;
}

/* Every audit record carries a serial (several records of one event share
 * it); a gap means records the kernel could not deliver to us. */
static void note_serial(struct sen_audit *a, const char *text, size_t len)
{
	const char *colon = memchr(text, ':', len < 64 ? len : 64);
	const char *close = colon ? memchr(colon, ')', len - (size_t)(colon - text)) : NULL;
	uint64_t serial;
	if (!close || !parse_u64(colon + 1, (size_t)(close - colon - 1), 10, &serial))
		return;
	if (a->last_serial && serial > a->last_serial + 1)
		a->lost += serial - a->last_serial - 1;
	if (serial > a->last_serial)
		a->last_serial = serial;
}

int sen_audit_drain(struct sen_audit *a, sen_audit_cb cb, void *ctx)
{
	int count = 0;
	for (;;) {
		ssize_t n = recv(a->fd, a->buf, sizeof(a->buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return count;
			if (errno == ENOBUFS) {
				/* Overrun: the serial gap of the next record tells how many. */
				continue;
			}
			return -errno;
		}
		/* One record per datagram. The kernel does not pad audit messages
		 * to NLMSG_ALIGN, so NLMSG_NEXT would step past the end: read the
		 * one message with its length checked against what arrived. */
		if ((size_t)n < NLMSG_HDRLEN)
			continue;
		struct nlmsghdr *h = (struct nlmsghdr *)a->buf;
		size_t mlen = h->nlmsg_len < (size_t)n ? h->nlmsg_len : (size_t)n;
		if (mlen < NLMSG_HDRLEN)
			continue;
		size_t tl = mlen - NLMSG_HDRLEN;
		note_serial(a, NLMSG_DATA(h), tl);
		if (h->nlmsg_type != SEN_AUDIT_SECCOMP)
			continue;
		struct sen_audit_seccomp rec;
		if (sen_audit_parse_seccomp(NLMSG_DATA(h), tl, &rec) == 0) {
			cb(&rec, ctx);
			count++;
		}
	}
}
