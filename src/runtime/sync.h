/* The create process and the container init talk over a SOCK_SEQPACKET
 * socketpair: one message per step, and the init's errors travel back as text
 * so `create` reports them and cleans up. */
#ifndef PAL_RUNTIME_SYNC_H
#define PAL_RUNTIME_SYNC_H

#include "common/err.h"

#include <stddef.h>
#include <stdint.h>

enum rt_sync_type {
	RT_SYNC_GO = 1,	  /* parent → init: cgroup joined, id maps written */
	RT_SYNC_NS_READY, /* init → parent: namespaces and mounts made (run createRuntime hooks) */
	RT_SYNC_HOOKS_DONE, /* parent → init: continue */
	RT_SYNC_READY,	    /* init → parent: set up, waiting for start; payload: exec paths */
	RT_SYNC_ERROR,	    /* either way: payload is the message */
	RT_SYNC_COMMIT,	    /* parent -> init: state saved; stop dying with the parent */
	RT_SYNC_COMMITTED,  /* init -> parent: done, the parent may exit */
};

#define RT_SYNC_PAYLOAD_MAX (64u * 1024u)

struct rt_sync_msg {
	uint32_t type;
	int32_t code;
	uint32_t len;
	char payload[RT_SYNC_PAYLOAD_MAX];
};

int rt_sync_send(int fd, uint32_t type, int code, const char *payload, size_t len);
/* Receives one message; EOF is -EPIPE. */
int rt_sync_recv(int fd, struct rt_sync_msg *m);
/* Waits for `want`; an ERROR message becomes err (its text), EOF becomes
 * "the container init exited during setup". */
int rt_sync_expect(int fd, uint32_t want, struct rt_sync_msg *m, struct pal_err *err);
/* Sends err as an ERROR message (best effort). */
void rt_sync_send_error(int fd, const struct pal_err *err);

#endif
