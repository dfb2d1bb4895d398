/* JSON lines to stdout or to a file (append; reopened on request for log rotation). */
#include "sink_impl.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

struct file_sink {
	char *path; /* NULL: stdout */
	int fd;
	atomic_bool aborted;
};

static int open_append(const char *path, struct pal_err *err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return pal_err_sys(err, errno, "open alert file %s", path);
	return fd;
}

/* A pipe on stdout gets its own non-blocking open file description (through
 * /proc/self/fd), so a stalled reader cannot wedge the worker past a close
 * deadline and fd 1's flags stay as they are for everyone else. */
static int open_stdout(void)
{
	struct stat st;
	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISFIFO(st.st_mode)) {
		int fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	return fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
}

static int write_line(struct file_sink *f, const struct out_msg *m, struct pal_err *err)
{
	/* One writev per line: with O_APPEND the line lands whole even when
	 * another process appends to the same file. */
	struct iovec iov[2] = {
	    {.iov_base = (void *)m->json, .iov_len = m->len},
	    {.iov_base = (void *)"\n", .iov_len = 1},
	};
	int cnt = 2;
	struct iovec *v = iov;
	while (cnt > 0) {
		ssize_t n = writev(f->fd, v, cnt);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (atomic_load(&f->aborted))
				return pal_err_set(err, ECANCELED, "write to %s: reader stalled",
						   f->path ? f->path : "stdout");
			struct pollfd p = {.fd = f->fd, .events = POLLOUT};
			poll(&p, 1, 100);
			continue;
		}
		if (n < 0)
			return pal_err_sys(err, errno, "write to %s", f->path ? f->path : "stdout");
		size_t done = (size_t)n;
		while (cnt > 0 && done >= v->iov_len) {
			done -= v->iov_len;
			v++;
			cnt--;
		}
		if (cnt > 0) {
			v->iov_base = (char *)v->iov_base + done;
			v->iov_len -= done;
		}
	}
	return 0;
}

static int fs_send(void *impl, const struct out_msg *m, struct pal_err *err)
{
	struct file_sink *f = impl;
	if (f->fd < 0)
		return OUT_SEND_RECONNECT;
	return write_line(f, m, err);
}

static int fs_connect(void *impl, struct pal_err *err)
{
	struct file_sink *f = impl;
	if (f->fd >= 0)
		return 0;
	int fd = f->path ? open_append(f->path, err) : open_stdout();
	if (fd < 0)
		return f->path ? fd : pal_err_sys(err, errno, "duplicate stdout");
	f->fd = fd;
	return 0;
}

static int fs_reopen(void *impl, struct pal_err *err)
{
	struct file_sink *f = impl;
	if (!f->path)
		return 0;
	int fd = open_append(f->path, err);
	if (fd < 0)
		return fd;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = fd;
	return 0;
}

static void fs_interrupt(void *impl)
{
	struct file_sink *f = impl;
	atomic_store(&f->aborted, true);
}

static void fs_destroy(void *impl)
{
	struct file_sink *f = impl;
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f);
}

static const struct out_sink_ops file_ops = {
    .kind = "file",
    .connect = fs_connect,
    .send = fs_send,
    .interrupt = fs_interrupt,
    .reopen = fs_reopen,
    .destroy = fs_destroy,
};

static const struct out_sink_ops stdout_ops = {
    .kind = "stdout",
    .connect = fs_connect,
    .send = fs_send,
    .interrupt = fs_interrupt,
    .destroy = fs_destroy,
};

struct out_sink *out_sink_stdout_new(const struct out_sink_opts *opts, struct pal_err *err)
{
	struct file_sink *f = pal_xcalloc(1, sizeof(*f));
	f->fd = -1;
	atomic_init(&f->aborted, false);
	return out_sink_new(&stdout_ops, f, "stdout", opts, err);
}

struct out_sink *out_sink_file_new(const char *path, const struct out_sink_opts *opts,
				   struct pal_err *err)
{
	if (!path || !*path) {
		pal_err_set(err, EINVAL, "file output: no path given");
		return NULL;
	}
	int fd = open_append(path, err);
	if (fd < 0)
		return NULL;
	struct file_sink *f = pal_xcalloc(1, sizeof(*f));
	f->path = pal_xstrdup(path);
	f->fd = fd;
	atomic_init(&f->aborted, false);
	_cleanup_free_ char *name = pal_xasprintf("file:%s", path);
	return out_sink_new(&file_ops, f, name, opts, err);
}
