#include "runtime/sync.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

int rt_sync_send(int fd, uint32_t type, int code, const char *payload, size_t len)
{
	if (len > RT_SYNC_PAYLOAD_MAX)
		len = RT_SYNC_PAYLOAD_MAX;
	struct {
		uint32_t type;
		int32_t code;
		uint32_t len;
	} hdr = {type, code, (uint32_t)len};
	struct iovec iov[2] = {{&hdr, sizeof(hdr)}, {(void *)payload, len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	ssize_t n;
	do {
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

int rt_sync_recv(int fd, struct rt_sync_msg *m)
{
	ssize_t n;
	do {
		n = recv(fd, m, sizeof(*m) - 1, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	size_t hdr = offsetof(struct rt_sync_msg, payload);
	if ((size_t)n < hdr || m->len != (size_t)n - hdr)
		return -EPROTO;
	m->payload[m->len] = '\0';
	return 0;
}

int rt_sync_expect(int fd, uint32_t want, struct rt_sync_msg *m, struct pal_err *err)
{
	int r = rt_sync_recv(fd, m);
	if (r == -EPIPE)
		return pal_err_set(err, EPIPE, "the container init exited during setup");
	if (r < 0)
		return pal_err_sys(err, -r, "read from container init");
	if (m->type == RT_SYNC_ERROR)
		return pal_err_set(err, m->code ? m->code : EIO, "%s", m->payload);
	if (m->type != want)
		return pal_err_set(err, EPROTO, "unexpected setup message %u (wanted %u)", m->type,
				   want);
	return 0;
}

void rt_sync_send_error(int fd, const struct pal_err *err)
{
	const char *msg = err && err->msg[0] ? err->msg : "unknown error";
	rt_sync_send(fd, RT_SYNC_ERROR, err ? err->code : EIO, msg, strlen(msg));
}
