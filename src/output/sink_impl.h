/* The contract between the asynchronous sink core (sink.c) and a transport.
 * Every op except interrupt runs on the sink's worker thread only. */
#ifndef PAL_OUTPUT_SINK_IMPL_H
#define PAL_OUTPUT_SINK_IMPL_H

#include "sink.h"

/* send() result: the connection is gone; reconnect (with backoff) and send
 * the same message again. Negative results fail the message for good. */
#define OUT_SEND_RECONNECT 1

struct out_sink_ops {
	const char *kind;
	/* Opens the transport. NULL: nothing to open. */
	int (*connect)(void *impl, struct pal_err *err);
	/* Delivers one message: 0, OUT_SEND_RECONNECT or a negative errno. */
	int (*send)(void *impl, const struct out_msg *m, struct pal_err *err);
	/* Pushes out buffered data; called whenever the queue runs empty. May be NULL. */
	int (*flush)(void *impl, struct pal_err *err);
	/* Closes the transport (it may be connected again later). May be NULL. */
	void (*disconnect)(void *impl);
	/* From another thread: make a blocked connect/send return soon. May be NULL. */
	void (*interrupt)(void *impl);
	/* Reopens files (log rotation). May be NULL. */
	int (*reopen)(void *impl, struct pal_err *err);
	void (*destroy)(void *impl);
};

/* Takes ownership of impl (ops->destroy frees it, also on failure). */
struct out_sink *out_sink_new(const struct out_sink_ops *ops, void *impl, const char *default_name,
			      const struct out_sink_opts *opts, struct pal_err *err);

/* Effective defaults. */
uint32_t out_sink_opts_timeout_ms(const struct out_sink_opts *opts);

#endif
