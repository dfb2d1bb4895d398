/* Client sockets for the network sinks: address parsing, connect with a
 * timeout, and a connection whose blocked I/O another thread can interrupt. */
#ifndef PAL_OUTPUT_NET_H
#define PAL_OUTPUT_NET_H

#include "common/err.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "host:port", "[v6addr]:port". host and port are malloc'd. */
int out_net_split_hostport(const char *addr, char **host, char **port, struct pal_err *err);

/* A socket owned by a worker thread. The fd is only replaced or closed under
 * lock, so out_conn_interrupt() from another thread never hits a reused fd. */
struct out_conn {
	pthread_mutex_t lock;
	int fd;
	bool aborted; /* sticky: set by out_conn_interrupt (at close) */
};

void out_conn_init(struct out_conn *c);
void out_conn_destroy(struct out_conn *c);
void out_conn_close(struct out_conn *c);
/* shutdown(2) the socket so a blocked connect/send/recv returns at once. */
void out_conn_interrupt(struct out_conn *c);

/* Resolves host:port and connects (socktype SOCK_STREAM or SOCK_DGRAM), each
 * address tried in turn within timeout_ms. Send and receive time out after
 * timeout_ms too. The fd lands in c->fd. */
int out_conn_connect_inet(struct out_conn *c, const char *host, const char *port, int socktype,
			  uint32_t timeout_ms, struct pal_err *err);
/* Connects a datagram socket to a unix socket path (e.g. /dev/log). */
int out_conn_connect_unix_dgram(struct out_conn *c, const char *path, uint32_t timeout_ms,
				struct pal_err *err);

/* Writes all of data (MSG_NOSIGNAL). 0 or -errno (-EAGAIN: send timeout). */
int out_conn_send_all(struct out_conn *c, const void *data, size_t len);

#endif
