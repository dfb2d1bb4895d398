/* Test helper for tests/integration/sensor_*.bats, built static so it runs
 * inside a busybox container. Each subcommand makes one kind of attempt the
 * sensor must see, and prints what it did as "key=value" lines.
 *
 *   ptrace              fork a child and PTRACE_ATTACH to it
 *   module FILE         finit_module(FILE) and init_module(garbage): both fail
 *   seccomp-keyctl      install a filter (errno for keyctl, SECCOMP_FILTER_FLAG_LOG)
 *                       and call keyctl: the call never reaches the tracepoints
 *   memfd-exec          run /bin/true's image from a memfd (fileless exec)
 *   flood N PATH        N linkat() calls on a missing PATH (fast failures)
 *   connect PORT        TCP connect to 127.0.0.1:PORT and send a line
 *   udp PORT            sendto 127.0.0.1:PORT (UDP)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int do_ptrace(void)
{
	pid_t child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		pause();
		_exit(0);
	}
	long r = ptrace(PTRACE_ATTACH, child, NULL, NULL);
	printf("ptrace_target=%d ptrace_res=%ld errno=%d\n", child, r, r < 0 ? errno : 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return 0;
}

static int do_module(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(file);
		return 1;
	}
	long r = syscall(SYS_finit_module, fd, "pal_test=1", 0);
	printf("finit_module_res=%ld errno=%d\n", r, r < 0 ? errno : 0);
	static const char garbage[] = "not an ELF module";
	r = syscall(SYS_init_module, garbage, sizeof(garbage), "pal_test=2");
	printf("init_module_res=%ld errno=%d\n", r, r < 0 ? errno : 0);
	close(fd);
	return 0;
}

static int do_seccomp_keyctl(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx || seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(keyctl), 0) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1) < 0 || seccomp_load(ctx) < 0) {
		fprintf(stderr, "seccomp filter: failed\n");
		return 1;
	}
	seccomp_release(ctx);
	long r = syscall(SYS_keyctl, 0, 0, 0, 0, 0);
	printf("pid=%d keyctl_res=%ld errno=%d\n", getpid(), r, r < 0 ? errno : 0);
	return r < 0 && errno == EPERM ? 0 : 1;
}

static int do_memfd_exec(void)
{
	int src = open("/bin/true", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		src = open("/bin/busybox", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return 1;
	int m = memfd_create("pal-fileless", 0);
	char buf[65536];
	ssize_t n;
	while ((n = read(src, buf, sizeof(buf))) > 0)
		if (write(m, buf, (size_t)n) != n)
			return 1;
	close(src);
	pid_t c = fork();
	if (c == 0) {
		char *argv[] = {"true", NULL};
		char *envp[] = {NULL};
		fexecve(m, argv, envp);
		_exit(127);
	}
	int st = 0;
	waitpid(c, &st, 0);
	printf("memfd_exec_pid=%d status=%d\n", c, st);
	return 0;
}

static int do_flood(long n, const char *path)
{
	long fails = 0;
	for (long i = 0; i < n; i++)
		if (syscall(SYS_linkat, AT_FDCWD, path, AT_FDCWD, path, 0) < 0)
			fails++;
	printf("flood_calls=%ld failed=%ld\n", n, fails);
	return 0;
}

static int do_connect(int port)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int r = connect(s, (struct sockaddr *)&a, sizeof(a));
	printf("connect_res=%d errno=%d\n", r, r < 0 ? errno : 0);
	if (r == 0 && write(s, "hello\n", 6) != 6)
		return 1;
	close(s);
	return r == 0 ? 0 : 1;
}

static int do_udp(int port)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	ssize_t r = sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
	printf("sendto_res=%zd\n", r);
	close(s);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "ptrace"))
		return do_ptrace();
	if (argc >= 3 && !strcmp(argv[1], "module"))
		return do_module(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "seccomp-keyctl"))
		return do_seccomp_keyctl();
	if (argc >= 2 && !strcmp(argv[1], "memfd-exec"))
		return do_memfd_exec();
	if (argc >= 4 && !strcmp(argv[1], "flood"))
		return do_flood(atol(argv[2]), argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "connect"))
		return do_connect(atoi(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "udp"))
		return do_udp(atoi(argv[2]));
	fprintf(stderr,
		"usage: %s ptrace|module FILE|seccomp-keyctl|memfd-exec|flood N PATH|"
		"connect PORT|udp PORT\n",
		argv[0]);
	return 2;
}
