#include "runtime/console.h"
#include "runtime/container.h"
#include "runtime/tty_proxy.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

int rt_run(const struct rt_globals *g, const struct rt_create_opts *o, bool detach, bool keep,
	   int *status, struct pal_err *err)
{
	struct rt_create_opts co = *o;
	/* In the foreground without a console socket, we are the console: the
	 * init sends the pty master to our end of this pair. */
	int pair[2] = {-1, -1};
	if (!detach && !o->console_socket) {
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
			return pal_err_sys(err, errno, "socketpair");
		co.console_fd = pair[1];
	}
	pid_t pid = 0;
	int r = rt_create(g, &co, &pid, err);
	if (pair[1] >= 0)
		close(pair[1]);
	_cleanup_close_ int console = pair[0];
	if (r < 0)
		return r;
	pal_debug("run %s: start", o->id);
	if ((r = rt_start(g, o->id, err)) < 0) {
		struct pal_err e = {0};
		rt_delete(g, o->id, true, &e);
		return r;
	}
	if (detach)
		return 0;
	_cleanup_close_ int master = -1;
	struct pollfd p = {.fd = console, .events = POLLIN};
	if (console >= 0 && poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
		master = rt_recv_fd(console);
	pal_debug("run %s: wait", o->id);
	r = rt_wait_relaying_pty(pid, master, status);
	pal_debug("run %s: exited, delete", o->id);
	if (r < 0)
		pal_err_sys(err, -r, "wait for container %s", o->id);
	if (!keep) {
		struct pal_err e = {0};
		if (rt_delete(g, o->id, true, &e) < 0)
			pal_warn("%s", e.msg);
		pal_debug("run %s: deleted", o->id);
	}
	return r;
}
