/* pal-test-console SOCKET OUT [INPUT]: plays conmon's part for terminal
 * tests. Listens on SOCKET, receives the pty master the runtime sends, writes
 * INPUT to it (if given), and copies what the container prints to OUT until
 * the container closes its side. Prints "ready" once listening. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: pal-test-console SOCKET OUT [INPUT]\n");
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
	if (c < 0) {
		perror("accept");
		return 1;
	}
	char data[256], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {data, sizeof(data)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	if (recvmsg(c, &mh, 0) < 0) {
		perror("recvmsg");
		return 1;
	}
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS) {
		fprintf(stderr, "no fd received\n");
		return 1;
	}
	int master;
	memcpy(&master, CMSG_DATA(cm), sizeof(int));
	int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (argc > 3)
		(void)!write(master, argv[3], strlen(argv[3]));
	char buf[4096];
	for (;;) {
		struct pollfd p = {master, POLLIN, 0};
		if (poll(&p, 1, 10000) <= 0)
			break;
		ssize_t n = read(master, buf, sizeof(buf));
		if (n <= 0)
			break; /* EIO once the last slave fd closes */
		(void)!write(out, buf, (size_t)n);
	}
	close(out);
	return 0;
}
