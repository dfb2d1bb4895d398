/* pal-probe: a small static program the integration tests copy into
 * container root filesystems to try things busybox cannot express (mmap with
 * PROT_EXEC, fileless exec, raw syscalls) and report the outcome as one word:
 * "ok" or the errno name. Built with `cc -static` at test time. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int report(long r)
{
	if (r < 0) {
		const char *name = strerrorname_np(errno);
		printf("%s\n", name ? name : "error");
		return 1;
	}
	printf("ok\n");
	return 0;
}

static int list_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return report(-1);
	int self = dirfd(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		int fd = atoi(de->d_name);
		if (fd <= 2 || fd == self)
			continue;
		char target[512] = "";
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = readlink(link, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		printf("%d %s\n", fd, target);
	}
	closedir(d);
	return 0;
}

static int mmap_exec(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return report(-1);
	void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
	return report(p == MAP_FAILED ? -1 : 0);
}

static int memfd_exec(const char *src, char **argv)
{
	int in = open(src, O_RDONLY);
	if (in < 0)
		return report(-1);
	struct stat st;
	fstat(in, &st);
	int m = memfd_create("x", MFD_CLOEXEC);
	if (m < 0)
		return report(-1);
	if (sendfile(m, in, NULL, (size_t)st.st_size) != st.st_size)
		return report(-1);
	char *envp[] = {NULL};
	fexecve(m, argv, envp);
	return report(-1);
}

static int try_syscall(const char *name)
{
	if (!strcmp(name, "keyctl"))
		return report(syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, "x"));
	if (!strcmp(name, "unshare"))
		return report(unshare(CLONE_NEWNS));
	if (!strcmp(name, "unshare-user"))
		return report(unshare(CLONE_NEWUSER));
	if (!strcmp(name, "mount"))
		return report(mount("none", "/tmp", "tmpfs", 0, NULL));
	if (!strcmp(name, "bpf"))
		return report(syscall(SYS_bpf, 0, NULL, 0));
	if (!strcmp(name, "init_module"))
		return report(syscall(SYS_init_module, "x", 1, ""));
	if (!strcmp(name, "ptrace"))
		return report(syscall(SYS_ptrace, 0 /* TRACEME */, 0, 0, 0));
	if (!strcmp(name, "userfaultfd"))
		return report(syscall(SYS_userfaultfd, 0));
	if (!strcmp(name, "perf_event_open"))
		return report(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0));
	if (!strcmp(name, "mkdir"))
		return report(mkdir("/tmp/probe-dir", 0755));
	if (!strcmp(name, "getpid"))
		return report(getpid());
	if (!strcmp(name, "socket-packet"))
		return report(socket(AF_PACKET, SOCK_RAW, 0));
	fprintf(stderr, "unknown syscall probe %s\n", name);
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: pal-probe fds | mmap-exec FILE | memfd-exec FILE ARGS... | "
				"syscall NAME | nnp | hold-write FD\n");
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "fds"))
		return list_fds();
	if (!strcmp(cmd, "mmap-exec") && argc == 3)
		return mmap_exec(argv[2]);
	if (!strcmp(cmd, "memfd-exec") && argc >= 4)
		return memfd_exec(argv[2], argv + 3);
	if (!strcmp(cmd, "syscall") && argc == 3)
		return try_syscall(argv[2]);
	if (!strcmp(cmd, "nnp")) {
		printf("%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
		return 0;
	}
	fprintf(stderr, "pal-probe: bad arguments\n");
	return 2;
}
