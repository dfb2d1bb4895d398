/* Syscall-heavy loops for the sensor benchmark (bench/sensor_bench.sh).
 *
 *   sensor_loops open N          open+close a file N times
 *   sensor_loops exec N          fork+exec /bin/true N times
 *   sensor_loops connect N       TCP connect to a 127.0.0.1 listener N times
 *   sensor_loops flood N RATE    N failing linkat calls at RATE per second
 *                                (0: as fast as possible)
 *
 * Prints one line: "<mode> n=<N> ns_per_op=<X> ops_per_s=<Y>". */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int loop_open(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 1;
		close(fd);
	}
	return 0;
}

static int loop_exec(long n)
{
	char *argv[] = {"true", NULL};
	for (long i = 0; i < n; i++) {
		pid_t pid;
		if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) != 0)
			return 1;
		int st;
		if (waitpid(pid, &st, 0) < 0)
			return 1;
	}
	return 0;
}

static void *acceptor(void *arg)
{
	int s = *(int *)arg;
	for (;;) {
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		close(c);
	}
}

static int loop_connect(long n)
{
	int srv = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	socklen_t al = sizeof(a);
	if (srv < 0 || bind(srv, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(srv, 4096) < 0 ||
	    getsockname(srv, (struct sockaddr *)&a, &al) < 0)
		return 1;
	pthread_t th;
	pthread_create(&th, NULL, acceptor, &srv);
	for (long i = 0; i < n; i++) {
		int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
			return 1;
		close(s);
	}
	return 0;
}

static int loop_flood(long n, long rate)
{
	const long batch = 1000;
	uint64_t start = now_ns();
	for (long i = 0; i < n; i += batch) {
		for (long j = 0; j < batch && i + j < n; j++)
			syscall(SYS_linkat, AT_FDCWD, "/nonexistent-pal-bench/a", AT_FDCWD,
				"/nonexistent-pal-bench/b", 0);
		if (rate > 0) {
			/* Hold the rate: sleep until this batch is due. */
			uint64_t due =
			    start + (uint64_t)((i + batch) * 1000000000.0 / (double)rate);
			uint64_t t = now_ns();
			if (due > t) {
				struct timespec ts = {.tv_sec = (time_t)((due - t) / 1000000000ull),
						      .tv_nsec = (long)((due - t) % 1000000000ull)};
				nanosleep(&ts, NULL);
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s open|exec|connect|flood N [RATE]\n", argv[0]);
		return 2;
	}
	const char *mode = argv[1];
	long n = atol(argv[2]);
	long rate = argc > 3 ? atol(argv[3]) : 0;
	if (n <= 0) {
		fprintf(stderr, "N must be positive\n");
		return 2;
	}
	uint64_t t0 = now_ns();
	int r;
	if (!strcmp(mode, "open"))
		r = loop_open(n);
	else if (!strcmp(mode, "exec"))
		r = loop_exec(n);
	else if (!strcmp(mode, "connect"))
		r = loop_connect(n);
	else if (!strcmp(mode, "flood"))
		r = loop_flood(n, rate);
	else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	uint64_t dt = now_ns() - t0;
	if (r) {
		fprintf(stderr, "%s loop failed: %s\n", mode, strerror(errno));
		return 1;
	}
	printf("%s n=%ld ns_per_op=%.1f ops_per_s=%.0f\n", mode, n, (double)dt / (double)n,
	       (double)n * 1e9 / (double)dt);
	return 0;
}
