/* NATS sink: publishes each alert's JSON on a subject (libnats). libnats
 * reconnects on its own once connected; a failed first connect or a closed
 * connection goes through the core's backoff. */
#include "sink_impl.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <errno.h>
#include <nats/nats.h>
#include <stdlib.h>
#include <string.h>

struct nats_sink {
	char *url, *subject;
	uint32_t timeout_ms;
	natsConnection *nc;
};

static int nats_fail(struct pal_err *err, natsStatus s, const char *what, const char *url)
{
	const char *detail = nats_GetLastError(NULL);
	return pal_err_set(err, ECONNREFUSED, "%s %s: %s%s%s", what, url, natsStatus_GetText(s),
			   detail && *detail ? ": " : "", detail ? detail : "");
}

static int ns_connect(void *impl, struct pal_err *err)
{
	struct nats_sink *n = impl;
	natsOptions *o = NULL;
	natsStatus s = natsOptions_Create(&o);
	if (s == NATS_OK)
		s = natsOptions_SetURL(o, n->url);
	if (s == NATS_OK)
		s = natsOptions_SetTimeout(o, n->timeout_ms);
	if (s == NATS_OK)
		s = natsOptions_SetName(o, "palisade");
	if (s == NATS_OK)
		s = natsOptions_SetAllowReconnect(o, true);
	if (s == NATS_OK)
		s = natsOptions_SetMaxReconnect(o, -1);
	if (s == NATS_OK)
		s = natsOptions_SetReconnectWait(o, 500);
	if (s == NATS_OK)
		s = natsConnection_Connect(&n->nc, o);
	natsOptions_Destroy(o);
	if (s != NATS_OK) {
		n->nc = NULL;
		return nats_fail(err, s, "connect", n->url);
	}
	return 0;
}

static int ns_send(void *impl, const struct out_msg *m, struct pal_err *err)
{
	struct nats_sink *n = impl;
	if (!n->nc)
		return OUT_SEND_RECONNECT;
	natsStatus s = natsConnection_Publish(n->nc, n->subject, m->json, (int)m->len);
	if (s == NATS_OK)
		return 0;
	nats_fail(err, s, "publish to", n->url);
	if (s == NATS_MAX_PAYLOAD || s == NATS_INVALID_ARG || s == NATS_INVALID_SUBJECT)
		return -EMSGSIZE;
	return OUT_SEND_RECONNECT;
}

static int ns_flush(void *impl, struct pal_err *err)
{
	struct nats_sink *n = impl;
	if (!n->nc)
		return 0;
	natsStatus s = natsConnection_FlushTimeout(n->nc, n->timeout_ms);
	if (s != NATS_OK)
		return nats_fail(err, s, "flush", n->url);
	return 0;
}

static void ns_disconnect(void *impl)
{
	struct nats_sink *n = impl;
	if (n->nc) {
		natsConnection_Close(n->nc);
		natsConnection_Destroy(n->nc);
		n->nc = NULL;
	}
}

static void ns_destroy(void *impl)
{
	struct nats_sink *n = impl;
	ns_disconnect(n);
	free(n->url);
	free(n->subject);
	free(n);
}

static const struct out_sink_ops nats_ops = {
    .kind = "nats",
    .connect = ns_connect,
    .send = ns_send,
    .flush = ns_flush,
    .disconnect = ns_disconnect,
    .destroy = ns_destroy,
};

static bool subject_ok(const char *s)
{
	if (!s || !*s || *s == '.')
		return false;
	for (const char *p = s; *p; p++) {
		if (*p <= ' ' || *p == '*' || *p == '>' || (p[0] == '.' && (p[1] == '.' || !p[1])))
			return false;
	}
	return true;
}

struct out_sink *out_sink_nats_new(const struct out_nats_opts *no, const struct out_sink_opts *opts,
				   struct pal_err *err)
{
	if (!no->url || !*no->url) {
		pal_err_set(err, EINVAL, "nats output: no url (nats://host:port)");
		return NULL;
	}
	if (!subject_ok(no->subject)) {
		pal_err_set(err, EINVAL,
			    "nats output: subject '%s' must be dot-separated tokens without spaces "
			    "or wildcards",
			    no->subject ? no->subject : "");
		return NULL;
	}
	struct nats_sink *n = pal_xcalloc(1, sizeof(*n));
	n->url = pal_xstrdup(no->url);
	n->subject = pal_xstrdup(no->subject);
	n->timeout_ms = out_sink_opts_timeout_ms(opts);
	_cleanup_free_ char *name = pal_xasprintf("nats:%s/%s", no->url, no->subject);
	return out_sink_new(&nats_ops, n, name, opts, err);
}
