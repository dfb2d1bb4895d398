/* Foreground helpers for `run` and `exec` without --detach: forward signals
 * to the container process, and relay a pty when the caller has no console
 * socket of its own. */
#ifndef PAL_RUNTIME_TTY_PROXY_H
#define PAL_RUNTIME_TTY_PROXY_H

#include <sys/types.h>

/* Waits for pid, forwarding every catchable signal we receive to it. *status
 * is the exit code, or 128+N when killed by signal N (like a shell). */
int rt_wait_forwarding_signals(pid_t pid, int *status);

/* Like rt_wait_forwarding_signals, while copying our stdin to the pty master
 * and the master to our stdout (our terminal in raw mode meanwhile). */
int rt_wait_relaying_pty(pid_t pid, int master, int *status);

#endif
