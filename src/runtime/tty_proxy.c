#include "runtime/tty_proxy.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int exit_status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 255;
}

static int make_signalfd(sigset_t *old)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, old);
	return signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* Returns 1 when pid has exited (status filled), 0 otherwise. */
static int handle_signals(int sfd, pid_t pid, int *status, int master)
{
	struct signalfd_siginfo si;
	int done = 0;
	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			int ws;
			pid_t w;
			while ((w = waitpid(-1, &ws, WNOHANG)) > 0)
				if (w == pid) {
					*status = exit_status_of(ws);
					done = 1;
				}
			continue;
		}
		if (si.ssi_signo == SIGWINCH && master >= 0) {
			struct winsize ws;
			if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				ioctl(master, TIOCSWINSZ, &ws);
			continue;
		}
		kill(pid, (int)si.ssi_signo);
	}
	return done;
}

int rt_wait_forwarding_signals(pid_t pid, int *status)
{
	return rt_wait_relaying_pty(pid, -1, status);
}

static void copy_some(int from, int to, bool *open_flag)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			*open_flag = false;
		return;
	}
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			*open_flag = false;
			return;
		}
		off += w;
	}
}

int rt_wait_relaying_pty(pid_t pid, int master, int *status)
{
	sigset_t old;
	_cleanup_close_ int sfd = make_signalfd(&old);
	if (sfd < 0)
		return -errno;
	struct termios saved;
	bool raw = false;
	if (master >= 0 && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios t = saved;
		cfmakeraw(&t);
		raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
		struct winsize ws;
		if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
			ioctl(master, TIOCSWINSZ, &ws);
	}
	/* The child may have exited before we blocked SIGCHLD. */
	int ws;
	int done = 0;
	if (waitpid(pid, &ws, WNOHANG) == pid) {
		*status = exit_status_of(ws);
		done = 1;
	}
	bool in_open = master >= 0, out_open = master >= 0;
	while (!done) {
		struct pollfd p[3] = {{.fd = sfd, .events = POLLIN},
				      {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN},
				      {.fd = out_open ? master : -1, .events = POLLIN}};
		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			copy_some(STDIN_FILENO, master, &in_open);
		if (p[2].revents)
			copy_some(master, STDOUT_FILENO, &out_open);
		if (p[0].revents)
			done = handle_signals(sfd, pid, status, master);
	}
	if (master >= 0 && out_open) {
		/* Drain what the process wrote just before exiting. */
		fcntl(master, F_SETFL, O_NONBLOCK);
		bool still = true;
		for (int i = 0; i < 64 && still; i++)
			copy_some(master, STDOUT_FILENO, &still);
	}
	if (raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return done ? 0 : -EIO;
}
