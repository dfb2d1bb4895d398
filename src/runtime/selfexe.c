#include "runtime/container.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

bool rt_self_is_sealed(void)
{
	_cleanup_close_ int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals >= 0 && (seals & F_SEAL_WRITE) && (seals & F_SEAL_SEAL))
		return true;
	struct statvfs sv;
	return fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

/* The cheap way: a detached, read-only bind mount of our own binary. */
static void exec_from_ro_bind(char **argv, char **envp)
{
	_cleanup_close_ int tree =
	    open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return;
	struct mount_attr attr = {.attr_set =
				      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV};
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
		return;
	syscall(SYS_execveat, tree, "", argv, envp, AT_EMPTY_PATH);
}

/* The fallback: a sealed memfd copy (costs a copy of the binary). */
static void exec_from_sealed_memfd(char **argv, char **envp)
{
	_cleanup_close_ int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return;
	struct stat st;
	if (fstat(src, &st) < 0)
		return;
	_cleanup_close_ int mfd = memfd_create("palisade-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return;
	off_t left = st.st_size;
	while (left > 0) {
		ssize_t n = sendfile(mfd, src, NULL, (size_t)left);
		if (n <= 0)
			return;
		left -= n;
	}
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
		return;
	syscall(SYS_execveat, mfd, "", argv, envp, AT_EMPTY_PATH);
}

/* Where the runtime was installed, for its plugin: taken from /proc/self/exe
 * before the re-exec (afterwards it names the detached mount's root). Set
 * here on every start, so a caller's environment cannot choose it. */
static void record_exe_dir(void)
{
	char real[4096];
	if (!realpath("/proc/self/exe", real)) {
		unsetenv("_PALISADE_EXE_DIR");
		return;
	}
	char *slash = strrchr(real, '/');
	if (slash && slash != real)
		*slash = '\0';
	setenv("_PALISADE_EXE_DIR", real, 1);
}

const char *rt_self_dir(void)
{
	return getenv("_PALISADE_EXE_DIR");
}

int rt_seal_self(char **argv, char **envp)
{
	if (rt_self_is_sealed()) {
		/* Already on a read-only file system, or re-executed by us just now. */
		if (!getenv("_PALISADE_SEAL_TRIED"))
			record_exe_dir();
		return 0;
	}
	record_exe_dir();
	/* A marker stops a loop should the kernel report the clone as writable. */
	if (getenv("_PALISADE_SEAL_TRIED"))
		return -EPERM;
	setenv("_PALISADE_SEAL_TRIED", "1", 1);
	extern char **environ;
	(void)envp;
	exec_from_ro_bind(argv, environ);
	exec_from_sealed_memfd(argv, environ);
	return -errno ? -errno : -EPERM;
}
