/* Terminals: the container's pty comes from its own devpts; the master is
 * handed to the caller (conmon, containerd's shim) over the console socket
 * with one SCM_RIGHTS message, the slave becomes the process's stdio. */
#ifndef PAL_RUNTIME_CONSOLE_H
#define PAL_RUNTIME_CONSOLE_H

#include "common/err.h"
#include "runtime/oci_config.h"

#include <stdbool.h>

/* Connects to the AF_UNIX stream socket at path (before pivot_root: the
 * path is in the host's view). */
int rt_console_connect(const char *path, struct pal_err *err);

/* Inside the container (devpts mounted): allocate a pty, send its master
 * over sockfd, make the slave the controlling terminal and stdio. With
 * bind_console, the slave is also bind-mounted on /dev/console. */
int rt_console_setup(int sockfd, const struct rt_process *p, bool bind_console,
		     struct pal_err *err);

/* Sends one fd with SCM_RIGHTS and a short text payload. */
int rt_send_fd(int sockfd, int fd, const char *payload);
/* Receives one fd (returns it, or -errno). */
int rt_recv_fd(int sockfd);

#endif
