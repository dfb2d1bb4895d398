#include "runtime/console.h"
#include "runtime/inroot.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int rt_console_connect(const char *path, struct pal_err *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path))
		return pal_err_set(err, ENAMETOOLONG, "console socket path %s is too long", path);
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return pal_err_sys(err, errno, "console socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;
		close(fd);
		return pal_err_sys(err, e, "connect to console socket %s", path);
	}
	return fd;
}

int rt_send_fd(int sockfd, int fd, const char *payload)
{
	char buf[CMSG_SPACE(sizeof(int))];
	memset(buf, 0, sizeof(buf));
	struct iovec iov = {.iov_base = (void *)payload, .iov_len = strlen(payload)};
	if (iov.iov_len == 0) {
		iov.iov_base = (void *)" ";
		iov.iov_len = 1;
	}
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do {
		n = sendmsg(sockfd, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

int rt_recv_fd(int sockfd)
{
	char data[256];
	char buf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf, .msg_controllen = sizeof(buf)};
	ssize_t n;
	do {
		n = recvmsg(sockfd, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

int rt_console_setup(int sockfd, const struct rt_process *p, bool bind_console, struct pal_err *err)
{
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return pal_err_sys(err, errno,
				   "open /dev/ptmx in the container (is devpts "
				   "mounted on /dev/pts?)");
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		return pal_err_sys(err, errno, "unlock pty");
	_cleanup_close_ int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return pal_err_sys(err, errno, "open pty slave");
	unsigned ptn = 0;
	if (ioctl(master, TIOCGPTN, &ptn) < 0)
		return pal_err_sys(err, errno, "pty number");
	if (p->console_size.present) {
		struct winsize ws = {.ws_row = (unsigned short)p->console_size.height,
				     .ws_col = (unsigned short)p->console_size.width};
		if (ioctl(master, TIOCSWINSZ, &ws) < 0)
			return pal_err_sys(err, errno, "set console size");
	}
	char name[64];
	snprintf(name, sizeof(name), "/dev/pts/%u", ptn);
	int r = rt_send_fd(sockfd, master, name);
	if (r < 0)
		return pal_err_sys(err, -r, "send the pty to the console socket");
	if (bind_console) {
		_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0)
			return pal_err_sys(err, errno, "open /");
		_cleanup_close_ int target = rt_inroot_touch(root, "/dev/console", err);
		if (target < 0)
			return target;
		_cleanup_close_ int tree =
		    open_tree(slave, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (tree < 0 || move_mount(tree, "", target, "",
					   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return pal_err_sys(err, errno, "bind %s on /dev/console", name);
	}
	if (setsid() < 0)
		return pal_err_sys(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return pal_err_sys(err, errno, "make the pty the controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return pal_err_sys(err, errno, "dup pty to fd %d", fd);
	return 0;
}
