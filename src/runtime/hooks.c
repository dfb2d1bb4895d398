#include "runtime/hooks.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOOK_OUTPUT_MAX 4096

const char *rt_hook_kind_name(enum rt_hook_kind k)
{
	static const char *const names[RT_HOOK__COUNT] = {
	    [RT_HOOK_PRESTART] = "prestart",
	    [RT_HOOK_CREATE_RUNTIME] = "createRuntime",
	    [RT_HOOK_CREATE_CONTAINER] = "createContainer",
	    [RT_HOOK_START_CONTAINER] = "startContainer",
	    [RT_HOOK_POSTSTART] = "poststart",
	    [RT_HOOK_POSTSTOP] = "poststop",
	};
	return (unsigned)k < RT_HOOK__COUNT ? names[k] : "unknown";
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static int run_one(const struct rt_hook *h, const char *what, const char *state_json,
		   struct pal_err *err)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return pal_err_sys(err, errno, "%s: pipe", what);
	if (pipe2(out, O_CLOEXEC) < 0) {
		int e = errno;
		close(in[0]);
		close(in[1]);
		return pal_err_sys(err, e, "%s: pipe", what);
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return pal_err_sys(err, e, "%s: fork", what);
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		char *default_args[] = {h->path, NULL};
		char *empty_env[] = {NULL};
		execve(h->path, h->args && h->args[0] ? h->args : default_args,
		       h->env ? h->env : empty_env);
		dprintf(2, "exec %s: %s", h->path, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	/* State is small (a few KiB) and fits the pipe; a hook that does not read
	 * stdin must not block us, hence the non-blocking write. */
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	(void)!write(in[1], state_json, strlen(state_json));
	close(in[1]);

	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	char output[HOOK_OUTPUT_MAX + 1];
	size_t out_len = 0;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	long timeout_ms = h->has_timeout ? (long)h->timeout * 1000 : -1;
	bool timed_out = false, out_open = true;
	for (;;) {
		struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
				      {.fd = out_open ? out[0] : -1, .events = POLLIN}};
		long wait = -1;
		if (timeout_ms >= 0) {
			wait = timeout_ms - elapsed_ms(&start);
			if (wait <= 0) {
				timed_out = true;
				break;
			}
		}
		int n = poll(p, 2, (int)wait);
		if (n < 0 && errno != EINTR)
			break;
		if (p[1].revents) {
			char buf[1024];
			ssize_t k = read(out[0], buf, sizeof(buf));
			if (k <= 0) {
				out_open = false;
			} else {
				size_t take = (size_t)k;
				if (take > HOOK_OUTPUT_MAX - out_len)
					take = HOOK_OUTPUT_MAX - out_len;
				memcpy(output + out_len, buf, take);
				out_len += take;
			}
		}
		/* The hook exited: take what it already wrote, but do not wait for
		 * daemons it left behind holding the pipe. */
		if (p[0].revents || (pidfd < 0 && !out_open)) {
			fcntl(out[0], F_SETFL, O_NONBLOCK);
			ssize_t k;
			while (out_len < HOOK_OUTPUT_MAX &&
			       (k = read(out[0], output + out_len, HOOK_OUTPUT_MAX - out_len)) > 0)
				out_len += (size_t)k;
			break;
		}
	}
	close(out[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pidfd >= 0)
		close(pidfd);
	output[out_len] = '\0';
	while (out_len && (output[out_len - 1] == '\n' || output[out_len - 1] == ' '))
		output[--out_len] = '\0';
	if (timed_out)
		return pal_err_set(err, ETIMEDOUT, "%s %s timed out after %d s%s%s", what, h->path,
				   h->timeout, out_len ? ": " : "", output);
	if (WIFSIGNALED(status))
		return pal_err_set(err, EIO, "%s %s killed by signal %d%s%s", what, h->path,
				   WTERMSIG(status), out_len ? ": " : "", output);
	if (WEXITSTATUS(status) != 0)
		return pal_err_set(err, EIO, "%s %s exited with status %d%s%s", what, h->path,
				   WEXITSTATUS(status), out_len ? ": " : "", output);
	return 0;
}

int rt_hooks_run(const struct rt_config *cfg, enum rt_hook_kind kind, const char *state_json,
		 struct pal_err *err)
{
	const struct rt_hook_list *list = &cfg->hooks[kind];
	for (size_t i = 0; i < list->n; i++) {
		char what[64];
		snprintf(what, sizeof(what), "hook %s[%zu]", rt_hook_kind_name(kind), i);
		int r = run_one(&list->hooks[i], what, state_json, err);
		if (r < 0)
			return r;
	}
	return 0;
}
