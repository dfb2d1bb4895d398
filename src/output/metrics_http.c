/* Serves the registry on GET /metrics with libmicrohttpd. */
#include "metrics.h"
#include "net.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct out_metrics_server {
	struct MHD_Daemon *daemon;
	struct out_metrics *reg;
	uint16_t port;
};

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, char *body,
			       const char *type)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	(void)version;
	(void)upload_data;
	(void)con_cls;
	struct out_metrics_server *srv = cls;
	if (*upload_data_size != 0) {
		*upload_data_size = 0; /* a body is not expected: ignore it */
		return MHD_YES;
	}
	const char *text = "text/plain; charset=utf-8";
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			       pal_xstrdup("only GET /metrics is served\n"), text);
	if (strcmp(url, "/metrics") != 0)
		return respond(conn, MHD_HTTP_NOT_FOUND, pal_xstrdup("metrics are at /metrics\n"),
			       text);
	return respond(conn, MHD_HTTP_OK, out_metrics_render(srv->reg),
		       "text/plain; version=0.0.4; charset=utf-8");
}

struct out_metrics_server *out_metrics_serve(struct out_metrics *m, const char *addr,
					     struct pal_err *err)
{
	_cleanup_free_ char *host = NULL;
	_cleanup_free_ char *port = NULL;
	/* Port 0 is allowed here (a free port), which split_hostport refuses. */
	_cleanup_free_ char *probe = NULL;
	const char *colon = addr ? strrchr(addr, ':') : NULL;
	if (colon && strcmp(colon, ":0") == 0) {
		probe = pal_xasprintf("%.*s:1", (int)(colon - addr), addr);
		if (out_net_split_hostport(probe, &host, &port, err) < 0)
			return NULL;
		free(port);
		port = pal_xstrdup("0");
	} else if (out_net_split_hostport(addr, &host, &port, err) < 0) {
		pal_err_prefix(err, "metrics listen address");
		return NULL;
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res = NULL;
	int gr = getaddrinfo(host, port, &hints, &res);
	if (gr != 0) {
		pal_err_set(err, EINVAL, "metrics listen address %s: %s", addr, gai_strerror(gr));
		return NULL;
	}
	struct out_metrics_server *srv = pal_xcalloc(1, sizeof(*srv));
	srv->reg = m;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
	if (res->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle, srv, MHD_OPTION_SOCK_ADDR,
				       res->ai_addr, MHD_OPTION_CONNECTION_LIMIT, (unsigned)32,
				       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	freeaddrinfo(res);
	if (!srv->daemon) {
		pal_err_set(err, EADDRNOTAVAIL,
			    "metrics: cannot listen on %s (address in use or not local?)", addr);
		free(srv);
		return NULL;
	}
	const union MHD_DaemonInfo *info =
	    MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : 0;
	return srv;
}

uint16_t out_metrics_server_port(const struct out_metrics_server *srv)
{
	return srv->port;
}

void out_metrics_server_stop(struct out_metrics_server *srv)
{
	if (!srv)
		return;
	MHD_stop_daemon(srv->daemon);
	free(srv);
}
