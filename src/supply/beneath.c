#include "beneath.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int walk(int dirfd, const char *rel, int flags, unsigned mode)
{
	char *copy = pal_xstrdup(rel);
	int cur = dirfd, r = -1;
	char *save = NULL;
	char *c = strtok_r(copy, "/", &save);
	if (!c) {
		r = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
		goto out;
	}
	while (c) {
		char *next = strtok_r(NULL, "/", &save);
		if (!strcmp(c, "..")) {
			errno = EXDEV;
			break;
		}
		int fd = next ? openat(cur, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
			      : openat(cur, c, flags | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd < 0) {
			/* a symlink as the last component reads as ELOOP, as openat2 says */
			break;
		}
		if (cur != dirfd)
			close(cur);
		cur = fd;
		c = next;
		if (!c) {
			r = cur;
			cur = dirfd;
		}
	}
out:
	if (cur != dirfd) {
		int e = errno;
		close(cur);
		errno = e;
	}
	free(copy);
	return r;
}

int sup_open_beneath(int dirfd, const char *rel, int flags, unsigned mode)
{
	static int have_openat2 = -1;
	if (have_openat2 != 0) {
		long fd =
		    pal_openat2(dirfd, rel, flags | O_CLOEXEC, mode,
				RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
		if (fd >= 0 || errno != ENOSYS) {
			have_openat2 = 1;
			return (int)fd;
		}
		have_openat2 = 0;
	}
	return walk(dirfd, rel, flags, mode);
}
