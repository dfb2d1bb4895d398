/* pal-test-seccomp-agent SOCKET OUT: a seccomp notify agent for the
 * listenerPath tests. Receives the listener fd and the container state the
 * runtime sends, writes the state to OUT, then answers every notification
 * with EACCES and appends "syscall <nr>" to OUT. Prints "ready" when listening. */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: pal-test-seccomp-agent SOCKET OUT\n");
		return 2;
	}
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", argv[1]);
	unlink(argv[1]);
	if (bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 1) < 0) {
		perror("listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	int c = accept(ls, NULL, NULL);
	char data[65536], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {data, sizeof(data) - 1};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ssize_t n = recvmsg(c, &mh, 0);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (n <= 0 || !cm || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "no listener fd received\n");
		return 1;
	}
	data[n] = '\0';
	int nfd;
	memcpy(&nfd, CMSG_DATA(cm), sizeof(int));
	FILE *out = fopen(argv[2], "w");
	setvbuf(out, NULL, _IONBF, 0);
	fprintf(out, "%s\n", data);
	struct seccomp_notif_sizes sz;
	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0)
		return 1;
	struct seccomp_notif *req = calloc(1, sz.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, sz.seccomp_notif_resp);
	for (;;) {
		struct pollfd p = {nfd, POLLIN, 0};
		if (poll(&p, 1, 20000) <= 0 || (p.revents & (POLLHUP | POLLERR)))
			break;
		memset(req, 0, sz.seccomp_notif);
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			break;
		}
		fprintf(out, "syscall %d\n", req->data.nr);
		memset(resp, 0, sz.seccomp_notif_resp);
		resp->id = req->id;
		resp->error = -EACCES;
		ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
	return 0;
}
