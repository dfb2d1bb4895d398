/* Syslog sink: RFC 5424 messages over a unix datagram socket, UDP, TCP or
 * TLS (octet-counted framing on the stream transports). */
#include "net.h"
#include "sink_impl.h"
#include "syslog_fmt.h"
#include "tls.h"

#include "common/cleanup.h"
#include "common/strutil.h"
#include "common/timefmt.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct syslog_sink {
	enum out_syslog_transport transport;
	char *address, *host, *port; /* host/port: inet transports */
	char *server_name;
	int facility;
	char *app_name, *hostname;
	size_t max_message;
	uint32_t timeout_ms;
	long pid;
	struct out_conn conn;
	SSL_CTX *tls_ctx;
	SSL *ssl;
	struct pal_buf line, frame;
};

void out_syslog_opts_init(struct out_syslog_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->facility = OUT_SYSLOG_FACILITY_USER;
}

int out_syslog_transport_parse(const char *s, enum out_syslog_transport *out)
{
	static const char *const names[] = {"unix", "udp", "tcp", "tls"};
	for (size_t i = 0; s && i < PAL_ARRAY_SIZE(names); i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum out_syslog_transport)i;
			return 0;
		}
	}
	return -EINVAL;
}

static const char *transport_name(enum out_syslog_transport t)
{
	switch (t) {
	case OUT_SYSLOG_UNIX:
		return "unix";
	case OUT_SYSLOG_UDP:
		return "udp";
	case OUT_SYSLOG_TCP:
		return "tcp";
	case OUT_SYSLOG_TLS:
		return "tls";
	}
	return "?";
}

/* Stream transports close gracefully: our side first (close_notify, FIN),
 * then wait briefly for the server to close, so a receiver still reading the
 * last frames does not see the connection torn down under them. */
static void linger_close(struct out_conn *c)
{
	if (c->fd < 0)
		return;
	shutdown(c->fd, SHUT_WR);
	char buf[256];
	uint64_t deadline = pal_time_monotonic_ns() + 1000000000ull;
	while (pal_time_monotonic_ns() < deadline) {
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			break;
		if (p.revents && read(c->fd, buf, sizeof(buf)) <= 0)
			break;
	}
}

static void sl_disconnect(void *impl)
{
	struct syslog_sink *s = impl;
	if (s->ssl) {
		out_tls_free(s->ssl);
		s->ssl = NULL;
	}
	if (s->transport == OUT_SYSLOG_TCP || s->transport == OUT_SYSLOG_TLS)
		linger_close(&s->conn);
	out_conn_close(&s->conn);
}

static int sl_connect(void *impl, struct pal_err *err)
{
	struct syslog_sink *s = impl;
	int r;
	switch (s->transport) {
	case OUT_SYSLOG_UNIX:
		return out_conn_connect_unix_dgram(&s->conn, s->address, s->timeout_ms, err);
	case OUT_SYSLOG_UDP:
		return out_conn_connect_inet(&s->conn, s->host, s->port, SOCK_DGRAM, s->timeout_ms,
					     err);
	case OUT_SYSLOG_TCP:
		return out_conn_connect_inet(&s->conn, s->host, s->port, SOCK_STREAM, s->timeout_ms,
					     err);
	case OUT_SYSLOG_TLS:
		r = out_conn_connect_inet(&s->conn, s->host, s->port, SOCK_STREAM, s->timeout_ms,
					  err);
		if (r < 0)
			return r;
		r = out_tls_connect(s->tls_ctx, s->conn.fd, s->server_name, &s->ssl, err);
		if (r < 0)
			out_conn_close(&s->conn);
		return r;
	}
	return pal_err_set(err, EINVAL, "unknown syslog transport");
}

static int sl_send(void *impl, const struct out_msg *m, struct pal_err *err)
{
	struct syslog_sink *s = impl;
	pal_buf_reset(&s->line);
	struct out_syslog_header h = {
	    .facility = s->facility,
	    .severity = m->priority,
	    .time_ns = m->time_ns,
	    .hostname = s->hostname,
	    .app_name = s->app_name,
	    .procid = s->pid,
	    .msgid = "alert",
	};
	out_syslog_format(&s->line, &h, m->json, m->len);
	if (s->line.len > s->max_message)
		return pal_err_set(
		    err, EMSGSIZE,
		    "syslog message of %zu bytes exceeds max_message %zu (not truncated: "
		    "the JSON would break); raise the limit on both ends",
		    s->line.len, s->max_message);

	int r;
	switch (s->transport) {
	case OUT_SYSLOG_UNIX:
	case OUT_SYSLOG_UDP:
		r = out_conn_send_all(&s->conn, s->line.data, s->line.len);
		if (r == 0)
			return 0;
		pal_err_sys(err, -r, "send to %s", s->address);
		/* A restarted local daemon needs a fresh connect; a lost UDP datagram does not. */
		if (s->transport == OUT_SYSLOG_UNIX && r != -EMSGSIZE)
			return OUT_SEND_RECONNECT;
		return r == -ECONNREFUSED ? OUT_SEND_RECONNECT : r;
	case OUT_SYSLOG_TCP:
		pal_buf_reset(&s->frame);
		out_syslog_frame_octet(&s->frame, s->line.data, s->line.len);
		r = out_conn_send_all(&s->conn, s->frame.data, s->frame.len);
		if (r == 0)
			return 0;
		/* A partial frame breaks the stream: start over on a new connection. */
		pal_err_sys(err, -r, "send to %s", s->address);
		return OUT_SEND_RECONNECT;
	case OUT_SYSLOG_TLS:
		pal_buf_reset(&s->frame);
		out_syslog_frame_octet(&s->frame, s->line.data, s->line.len);
		if (!s->ssl)
			return OUT_SEND_RECONNECT;
		if (out_tls_write_all(s->ssl, s->frame.data, s->frame.len, err) == 0)
			return 0;
		pal_err_prefix(err, "send to %s", s->address);
		return OUT_SEND_RECONNECT;
	}
	return -EINVAL;
}

static void sl_interrupt(void *impl)
{
	struct syslog_sink *s = impl;
	out_conn_interrupt(&s->conn);
}

static void sl_destroy(void *impl)
{
	struct syslog_sink *s = impl;
	if (!s)
		return;
	sl_disconnect(s);
	out_conn_destroy(&s->conn);
	if (s->tls_ctx)
		SSL_CTX_free(s->tls_ctx);
	free(s->address);
	free(s->host);
	free(s->port);
	free(s->server_name);
	free(s->app_name);
	free(s->hostname);
	pal_buf_free(&s->line);
	pal_buf_free(&s->frame);
	free(s);
}

static const struct out_sink_ops syslog_ops = {
    .kind = "syslog",
    .connect = sl_connect,
    .send = sl_send,
    .disconnect = sl_disconnect,
    .interrupt = sl_interrupt,
    .destroy = sl_destroy,
};

struct out_sink *out_sink_syslog_new(const struct out_syslog_opts *so,
				     const struct out_sink_opts *opts, struct pal_err *err)
{
	if (!so->address || !*so->address) {
		pal_err_set(err, EINVAL, "syslog output: no address (a socket path or host:port)");
		return NULL;
	}
	if (so->facility < 0 || so->facility > 23) {
		pal_err_set(err, EINVAL, "syslog output: facility %d is not in 0..23",
			    so->facility);
		return NULL;
	}
	struct syslog_sink *s = pal_xcalloc(1, sizeof(*s));
	out_conn_init(&s->conn);
	pal_buf_init(&s->line);
	pal_buf_init(&s->frame);
	s->transport = so->transport;
	s->address = pal_xstrdup(so->address);
	s->facility = so->facility;
	s->app_name = pal_xstrdup(so->app_name ? so->app_name : "palisade");
	s->hostname = pal_xstrdup(so->hostname ? so->hostname : out_default_hostname());
	s->max_message = so->max_message ? so->max_message : 65000;
	s->timeout_ms = out_sink_opts_timeout_ms(opts);
	s->pid = (long)getpid();
	if (s->transport != OUT_SYSLOG_UNIX &&
	    out_net_split_hostport(so->address, &s->host, &s->port, err) < 0) {
		pal_err_prefix(err, "syslog output");
		sl_destroy(s);
		return NULL;
	}
	if (s->transport == OUT_SYSLOG_TLS) {
		s->server_name = pal_xstrdup(so->server_name ? so->server_name : s->host);
		s->tls_ctx = out_tls_client_ctx(so->ca_file, so->cert_file, so->key_file, err);
		if (!s->tls_ctx) {
			pal_err_prefix(err, "syslog output %s", so->address);
			sl_destroy(s);
			return NULL;
		}
	}
	_cleanup_free_ char *name =
	    pal_xasprintf("syslog-%s:%s", transport_name(s->transport), s->address);
	return out_sink_new(&syslog_ops, s, name, opts, err);
}
