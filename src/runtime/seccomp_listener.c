/* Hands the seccomp notification fd to the agent listening on
 * linux.seccomp.listenerPath: one SCM_RIGHTS message whose bytes are the
 * container process state JSON (runtime-spec "Container Process State"). */
#include "runtime/seccomp.h"

#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Paths longer than sun_path are reached through the directory's fd in
 * /proc/self/fd, so only the last component has to fit. */
static int connect_unix(int fd, const char *path, struct pal_err *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if (len < sizeof(addr.sun_path)) {
		memcpy(addr.sun_path, path, len + 1);
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
			return pal_err_sys(err, errno, "connect to seccomp listener %s", path);
		return 0;
	}
	char dir[PATH_MAX], base[PATH_MAX];
	if (len >= sizeof(dir))
		return pal_err_set(err, ENAMETOOLONG, "seccomp listener path %.64s... is too long",
				   path);
	memcpy(dir, path, len + 1);
	memcpy(base, path, len + 1);
	_cleanup_close_ int dfd = open(dirname(dir), O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return pal_err_sys(err, errno, "open the directory of seccomp listener %s", path);
	int n = snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dfd,
			 basename(base));
	if (n < 0 || (size_t)n >= sizeof(addr.sun_path))
		return pal_err_set(err, ENAMETOOLONG,
				   "seccomp listener %s: the socket's file name is too long", path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return pal_err_sys(err, errno, "connect to seccomp listener %s", path);
	return 0;
}

int rt_seccomp_send_listener(const char *socket_path, int listener_fd, const char *state_json,
			     struct pal_err *err)
{
	if (!socket_path || !*socket_path)
		return pal_err_set(err, EINVAL,
				   "no seccomp listener path (linux.seccomp."
				   "listenerPath)");
	if (listener_fd < 0)
		return pal_err_set(err, EBADF, "no seccomp listener fd to send to %s", socket_path);
	/* A stream socket carries ancillary data only along with data. */
	if (!state_json || !*state_json)
		return pal_err_set(err, EINVAL, "empty container state for seccomp listener %s",
				   socket_path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return pal_err_sys(err, errno, "create a socket for seccomp listener %s",
				   socket_path);
	int r = connect_unix(fd, socket_path, err);
	if (r < 0)
		return r;

	size_t len = strlen(state_json);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	memset(&control, 0, sizeof(control));
	struct iovec iov = {.iov_base = (void *)state_json, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control.buf,
			     .msg_controllen = sizeof(control.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &listener_fd, sizeof(int));

	size_t sent = 0;
	while (sent < len) {
		ssize_t n = sent == 0 ? sendmsg(fd, &msg, MSG_NOSIGNAL)
				      : send(fd, state_json + sent, len - sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return pal_err_sys(err, n < 0 ? errno : EIO,
					   "send the seccomp listener fd to %s", socket_path);
		sent += (size_t)n;
	}
	return 0;
}
