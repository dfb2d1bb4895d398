/* SCMP_ACT_NOTIFY end to end: the child installs the filter and hands the
 * listener to the test's AF_UNIX socket with rt_seccomp_send_listener; the
 * test answers the child's notified syscalls. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runtime/seccomp.h"
#include "test_seccomp_helpers.h"

#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define NOTIFY_PROBE_DIR "/nonexistent-palisade-notify/dir"

struct notify_case {
	char sock_path[512];
	char *state_json;
	struct rt_seccomp_program prog;
};

static int notify_child(void *arg)
{
	struct notify_case *c = arg;
	int fd = child_install(&c->prog);
	CHILD_CHECK(fd > 0);
	struct pal_err err = {0};
	if (rt_seccomp_send_listener(c->prog.listener_path, fd, c->state_json, &err) < 0) {
		dprintf(2, "send listener: %s\n", err.msg);
		return 1;
	}
	close(fd);
	/* First call: the test answers EXDEV. Without the filter it is ENOENT. */
	CHILD_EXPECT_ERRNO(mkdirat(AT_FDCWD, NOTIFY_PROBE_DIR, 0700), EXDEV);
	/* Second call: the test lets it continue to the kernel. */
	CHILD_EXPECT_ERRNO(mkdirat(AT_FDCWD, NOTIFY_PROBE_DIR, 0700), ENOENT);
	return 0;
}

static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r;
	do {
		r = poll(&p, 1, timeout_ms);
	} while (r < 0 && errno == EINTR);
	return r;
}

/* Binds a listening socket; long paths through /proc/self/fd/<dir>. */
static int listen_at(const char *path)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int dfd = -1;
	if (strlen(path) < sizeof(addr.sun_path)) {
		strcpy(addr.sun_path, path);
	} else {
		char dir[512];
		strcpy(dir, path);
		char *slash = strrchr(dir, '/');
		*slash = '\0';
		dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		assert_true(dfd >= 0);
		snprintf(addr.sun_path, sizeof(addr.sun_path), "/proc/self/fd/%d/%s", dfd,
			 slash + 1);
	}
	assert_int_equal(bind(s, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(listen(s, 1), 0);
	if (dfd >= 0)
		close(dfd);
	return s;
}

/* Receives the listener fd and the whole payload up to EOF. */
static int receive_listener(int listen_fd, char **payload, size_t *len)
{
	assert_int_equal(wait_readable(listen_fd, 10000), 1);
	int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(conn >= 0);
	size_t cap = 1 << 20, got = 0;
	char *buf = malloc(cap);
	int received_fd = -1;
	for (;;) {
		assert_int_equal(wait_readable(conn, 10000), 1);
		union {
			char b[CMSG_SPACE(sizeof(int) * 4)];
			struct cmsghdr align;
		} control;
		struct iovec iov = {.iov_base = buf + got, .iov_len = cap - got};
		struct msghdr msg = {.msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = control.b,
				     .msg_controllen = sizeof(control.b)};
		ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
		assert_true(n >= 0);
		assert_false(msg.msg_flags & MSG_CTRUNC);
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			assert_int_equal(c->cmsg_level, SOL_SOCKET);
			assert_int_equal(c->cmsg_type, SCM_RIGHTS);
			assert_int_equal(c->cmsg_len, CMSG_LEN(sizeof(int)));
			assert_int_equal(received_fd, -1); /* exactly one fd */
			memcpy(&received_fd, CMSG_DATA(c), sizeof(int));
		}
		if (n == 0)
			break;
		got += (size_t)n;
		assert_true(got < cap);
	}
	close(conn);
	buf[got] = '\0';
	*payload = buf;
	*len = got;
	return received_fd;
}

static void answer(int listener, pid_t child, int error, bool cont)
{
	struct seccomp_notif_sizes sizes;
	assert_int_equal(syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes), 0);
	/* The kernel's structs may be larger than this header's. */
	size_t req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif)
			      ? sizes.seccomp_notif
			      : sizeof(struct seccomp_notif);
	size_t resp_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp)
			       ? sizes.seccomp_notif_resp
			       : sizeof(struct seccomp_notif_resp);
	struct seccomp_notif *req = calloc(1, req_size);
	struct seccomp_notif_resp *resp = calloc(1, resp_size);
	assert_int_equal(wait_readable(listener, 10000), 1);
	assert_int_equal(ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req), 0);
	assert_int_equal(req->data.nr, SYS_mkdirat);
	assert_int_equal(req->pid, child);
	resp->id = req->id;
	resp->error = cont ? 0 : -error;
	resp->val = 0;
	resp->flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
	assert_int_equal(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp), 0);
	free(req);
	free(resp);
}

/* Builds the runtime-spec "Container Process State" the runtime would send;
 * pad makes it larger than one socket buffer. */
static char *state_json(const char *metadata, size_t pad)
{
	char *filler = malloc(pad + 1);
	memset(filler, 'a', pad);
	filler[pad] = '\0';
	size_t cap = pad + 1024;
	char *s = malloc(cap);
	snprintf(s, cap,
		 "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":4242,"
		 "\"metadata\":\"%s\",\"state\":{\"ociVersion\":\"1.0.2\",\"id\":\"notify-test\","
		 "\"status\":\"creating\",\"pid\":4242,\"bundle\":\"/b\","
		 "\"annotations\":{\"pad\":\"%s\"}}}",
		 metadata, filler);
	free(filler);
	return s;
}

static void run_notify_case(const char *sock_path, char **flags, unsigned expect_flags, size_t pad)
{
	struct notify_case c;
	memset(&c, 0, sizeof(c));
	snprintf(c.sock_path, sizeof(c.sock_path), "%s", sock_path);
	char *names[] = {"mkdirat", NULL};
	struct rt_seccomp_rule rule = {.names = names, .action = RT_SCMP_ACT_NOTIFY};
	struct rt_seccomp cfg = {.default_action = RT_SCMP_ACT_ALLOW,
				 .flags = flags,
				 .listener_path = c.sock_path,
				 .listener_metadata = "team=palisade",
				 .syscalls = &rule,
				 .n_syscalls = 1};
	struct pal_err err = {0};
	if (rt_seccomp_compile(&cfg, NULL, &c.prog, &err) < 0)
		fail_msg("compile: %s", err.msg);
	assert_true(c.prog.needs_listener);
	assert_int_equal(c.prog.flags, expect_flags | SECCOMP_FILTER_FLAG_NEW_LISTENER);
	assert_string_equal(c.prog.listener_path, c.sock_path);
	assert_string_equal(c.prog.listener_metadata, "team=palisade");
	c.state_json = state_json(c.prog.listener_metadata, pad);

	int listen_fd = listen_at(c.sock_path);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSYS, SIG_DFL);
		syscall(SYS_exit_group, notify_child(&c) & 0xff);
	}
	char *payload = NULL;
	size_t len = 0;
	int listener = receive_listener(listen_fd, &payload, &len);
	assert_true(listener >= 0);
	assert_int_equal(len, strlen(c.state_json));
	assert_string_equal(payload, c.state_json);
	answer(listener, pid, EXDEV, false);
	answer(listener, pid, 0, true);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(child_exit_code(status), 0);
	close(listener);
	close(listen_fd);
	unlink(c.sock_path);
	free(payload);
	free(c.state_json);
	rt_seccomp_program_free(&c.prog);
}

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/palisade-notify-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_notify_answers(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof(path), "%s/listener.sock", tmpdir);
	run_notify_case(path, NULL, 0, 16);
}

/* TSYNC cannot be combined with NEW_LISTENER without TSYNC_ESRCH, which
 * the installer adds; a large state document crosses socket buffers. */
static void test_notify_with_tsync_and_large_state(void **state)
{
	(void)state;
	char path[512];
	snprintf(path, sizeof(path), "%s/tsync.sock", tmpdir);
	char *flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
			 NULL};
	run_notify_case(path, flags,
			SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
			300 * 1024);
}

/* A listener path longer than sun_path still connects. */
static void test_notify_long_socket_path(void **state)
{
	(void)state;
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/%0120d", tmpdir, 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	char path[600];
	snprintf(path, sizeof(path), "%s/l.sock", dir);
	assert_true(strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path));
	run_notify_case(path, NULL, 0, 16);
}

static void test_send_listener_errors(void **state)
{
	(void)state;
	struct pal_err err = {0};
	char path[512];
	snprintf(path, sizeof(path), "%s/nobody-listens.sock", tmpdir);
	assert_true(rt_seccomp_send_listener(path, 0, "{}", &err) < 0);
	assert_non_null(strstr(err.msg, path));
	pal_err_clear(&err);
	assert_true(rt_seccomp_send_listener(path, 0, "", &err) < 0);
	assert_non_null(strstr(err.msg, "empty container state"));
	pal_err_clear(&err);
	assert_true(rt_seccomp_send_listener(NULL, 0, "{}", &err) < 0);
	assert_non_null(strstr(err.msg, "listenerPath"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_notify_answers),
	    cmocka_unit_test(test_notify_with_tsync_and_large_state),
	    cmocka_unit_test(test_notify_long_socket_path),
	    cmocka_unit_test(test_send_listener_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
