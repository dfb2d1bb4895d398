#include "admit/server/server.h"
#include "admit/webhook.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"
#include "common/timefmt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define TLS_PRIORITIES	  "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"
#define IDLE_TIMEOUT_S	  30
#define SHUTDOWN_GRACE_MS 5000

/* One generation of the server: the policy and certificate it was started
 * with. SIGHUP starts the next generation on the same listening socket
 * before the current one stops, so no connection is refused in between. */
struct server {
	struct adm_webhook wh;
	size_t max_body;
	FILE *log;
	pthread_mutex_t *log_lock; /* shared by every generation */
	char *cert, *key;	   /* PEM, kept while the daemon runs */
	struct MHD_Daemon *d;
};

struct request {
	int route;    /* enum route */
	bool healthz; /* the path, for 405's Allow */
	struct pal_buf body;
	bool too_big;
	uint64_t started_ns;
};

int adm_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		     struct pal_err *err)
{
	const char *colon = strrchr(s ? s : "", ':');
	if (!s || !colon || !colon[1])
		return pal_err_set(
		    err, EINVAL, "--listen '%s': give HOST:PORT, [IPv6]:PORT or :PORT", s ? s : "");
	_cleanup_free_ char *host = pal_xstrndup(s, (size_t)(colon - s));
	char *h = host;
	size_t hl = strlen(h);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h[hl - 1] = '\0';
		h++;
	}
	int64_t port;
	if (pal_parse_int64(colon + 1, &port) < 0 || port < 0 || port > 65535)
		return pal_err_set(err, EINVAL, "--listen '%s': port must be 0 to 65535", s);
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
			*res = NULL;
	int rc = getaddrinfo(*h ? h : NULL, colon + 1, &hints, &res);
	if (rc != 0 || !res)
		return pal_err_set(err, EINVAL, "--listen '%s': %s", s, gai_strerror(rc));
	/* ":port" listens on every address: IPv6 with IPv4 mapped when available */
	struct addrinfo *pick = res;
	for (struct addrinfo *a = res; !*h && a; a = a->ai_next)
		if (a->ai_family == AF_INET6)
			pick = a;
	memcpy(ss, pick->ai_addr, pick->ai_addrlen);
	*len = pick->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static void log_line(struct server *s, json_t *rec)
{
	char ts[64];
	pal_time_rfc3339_now(ts, sizeof(ts));
	json_object_set_new(rec, "time", json_string(ts));
	char *line = pal_json_dump_line(rec);
	json_decref(rec);
	if (!line)
		return;
	pthread_mutex_lock(s->log_lock);
	fputs(line, s->log);
	fflush(s->log);
	pthread_mutex_unlock(s->log_lock);
	free(line);
}

static enum MHD_Result reply_allow(struct MHD_Connection *c, unsigned status, const char *type,
				   char *body, size_t len, const char *allow)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	enum MHD_Result r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     char *body, size_t len)
{
	return reply_allow(c, status, type, body, len, NULL);
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *body = NULL;
	int n = vasprintf(&body, fmt, ap);
	va_end(ap);
	if (n < 0)
		return MHD_NO;
	return reply(c, status, "text/plain; charset=utf-8", body, (size_t)n);
}

static void log_error(struct server *s, unsigned status, const char *what)
{
	log_line(s, json_pack("{s:s, s:s, s:i, s:o}", "level", "warn", "msg", "bad request",
			      "status", status, "error", adm_json_string(what)));
}

static bool json_content_type(struct MHD_Connection *c)
{
	const char *ct =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!ct)
		return true; /* judged by parsing */
	return !strncasecmp(ct, "application/json", 16);
}

static enum MHD_Result validate(struct server *s, struct MHD_Connection *c, struct request *rq)
{
	if (rq->too_big) {
		log_error(s, 413, "request body too large");
		return reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE,
				  "request body larger than %zu bytes\n", s->max_body);
	}
	struct adm_review r;
	struct pal_err err = {0};
	if (adm_review_parse(rq->body.data ? rq->body.data : "", rq->body.len, &r, &err) < 0) {
		log_error(s, 400, err.msg);
		return reply_text(c, MHD_HTTP_BAD_REQUEST, "bad AdmissionReview: %s\n", err.msg);
	}
	struct adm_decision d;
	adm_webhook_decide(&s->wh, &r, &d);
	json_t *resp = adm_review_response(&r, &d);
	char *body = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	json_t *rec = adm_decision_log(&r, &d);
	json_object_set_new(rec, "level", json_string("info"));
	json_object_set_new(
	    rec, "duration_us",
	    json_integer((json_int_t)((pal_time_monotonic_ns() - rq->started_ns) / 1000)));
	log_line(s, rec);
	adm_decision_free(&d);
	adm_review_free(&r);
	if (!body)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "cannot encode the response\n");
	return reply(c, MHD_HTTP_OK, "application/json", body, strlen(body));
}

enum route { ROUTE_VALIDATE = 1, ROUTE_HEALTHZ, ROUTE_NOT_FOUND, ROUTE_METHOD, ROUTE_TYPE };

static enum route route_of(struct MHD_Connection *c, const char *url, const char *method)
{
	if (!strcmp(url, "/healthz"))
		return strcmp(method, "GET") && strcmp(method, "HEAD") ? ROUTE_METHOD
								       : ROUTE_HEALTHZ;
	if (strcmp(url, "/validate") != 0)
		return ROUTE_NOT_FOUND;
	if (strcmp(method, "POST") != 0)
		return ROUTE_METHOD;
	return json_content_type(c) ? ROUTE_VALIDATE : ROUTE_TYPE;
}

/* Responses are queued once the request has been read whole: a response
 * queued earlier makes libmicrohttpd close the connection, and the API
 * server keeps its connections to webhooks alive. */
static enum MHD_Result respond(struct server *s, struct MHD_Connection *c, struct request *rq)
{
	switch (rq->route) {
	case ROUTE_VALIDATE:
		return validate(s, c, rq);
	case ROUTE_HEALTHZ:
		return reply(c, MHD_HTTP_OK, "text/plain; charset=utf-8", pal_xstrdup("ok\n"), 3);
	case ROUTE_METHOD: {
		char *text = pal_xstrdup(rq->healthz ? "GET or HEAD /healthz\n"
						     : "POST an AdmissionReview to /validate\n");
		return reply_allow(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
				   text, strlen(text), rq->healthz ? "GET, HEAD" : "POST");
	}
	case ROUTE_TYPE:
		return reply_text(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
				  "Content-Type must be application/json\n");
	default:
		return reply_text(
		    c, MHD_HTTP_NOT_FOUND,
		    "not found: the webhook serves POST /validate and GET /healthz\n");
	}
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_size, void **con_cls)
{
	(void)version;
	struct server *s = cls;
	struct request *rq = *con_cls;
	if (!rq) {
		enum route route = route_of(c, url, method);
		const char *cl =
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		uint64_t n;
		if (route == ROUTE_VALIDATE && cl && pal_parse_uint64(cl, &n) == 0 &&
		    n > s->max_body) {
			/* refused before reading it: the connection closes */
			log_error(s, 413, "request body too large");
			return reply_text(c, MHD_HTTP_CONTENT_TOO_LARGE,
					  "request body larger than %zu bytes\n", s->max_body);
		}
		rq = pal_xcalloc(1, sizeof(*rq));
		pal_buf_init(&rq->body);
		rq->route = route;
		rq->healthz = !strcmp(url, "/healthz");
		rq->started_ns = pal_time_monotonic_ns();
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (rq->route == ROUTE_VALIDATE && !rq->too_big &&
		    rq->body.len + *upload_size <= s->max_body)
			pal_buf_append(&rq->body, upload_data, *upload_size);
		else if (rq->route == ROUTE_VALIDATE)
			rq->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	return respond(s, c, rq);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode code)
{
	(void)cls;
	(void)c;
	(void)code;
	struct request *rq = *con_cls;
	if (rq) {
		pal_buf_free(&rq->body);
		free(rq);
		*con_cls = NULL;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct server *s = cls;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	log_line(s, json_pack("{s:s, s:s, s:o}", "level", "warn", "msg", "http server", "error",
			      adm_json_string(msg)));
}

static unsigned default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 2 ? 2 : (unsigned)(n > 64 ? 64 : n);
}

/* Stops accepting and waits for the requests in flight; returns the
 * listening socket, which is the caller's to close once d is stopped. */
static int drain(struct MHD_Daemon *d)
{
	int listen_fd = MHD_quiesce_daemon(d);
	for (int waited = 0; waited < SHUTDOWN_GRACE_MS; waited += 50) {
		const union MHD_DaemonInfo *info =
		    MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (!info || info->num_connections == 0)
			break;
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	return listen_fd;
}

static void server_free(struct server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	adm_webhook_free(&s->wh);
	if (s->key)
		explicit_bzero(s->key, strlen(s->key));
	free(s->key);
	free(s->cert);
	free(s);
}

/* A generation with its policy and certificate, not yet serving. */
static int server_new(const struct adm_server_opts *o, pthread_mutex_t *log_lock,
		      struct server **out, struct pal_err *err)
{
	struct server *s = pal_xcalloc(1, sizeof(*s));
	s->max_body = o->max_body ? o->max_body : ADM_REVIEW_MAX_BYTES;
	s->log = o->log ? o->log : stdout;
	s->log_lock = log_lock;
	int r = adm_load_tls(o->cert_path, o->key_path, &s->cert, &s->key, err);
	if (r >= 0)
		r = adm_webhook_init(&s->wh, o->policy_path, err);
	if (r < 0) {
		if (s->key)
			explicit_bzero(s->key, strlen(s->key));
		free(s->key);
		free(s->cert);
		free(s);
		return r;
	}
	*out = s;
	return 0;
}

static struct MHD_Daemon *start_daemon(const struct adm_server_opts *o, struct server *s,
				       unsigned flags, const struct sockaddr_storage *addr,
				       int listen_fd)
{
	/* With a listening socket given (a reload), MHD takes it as it is. */
	return MHD_start_daemon(
	    flags, 0, NULL, NULL, handle, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr, MHD_OPTION_LISTEN_SOCKET,
	    listen_fd, MHD_OPTION_HTTPS_MEM_CERT, s->cert, MHD_OPTION_HTTPS_MEM_KEY, s->key,
	    MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES, MHD_OPTION_THREAD_POOL_SIZE,
	    o->threads ? o->threads : default_threads(), MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)IDLE_TIMEOUT_S, MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_END);
}

/* SIGHUP: the certificate and the policy are read again (cert-manager
 * rotates the one, operators edit the other). Anything that fails keeps the
 * running generation. */
static void reload(const struct adm_server_opts *o, struct server **cur, unsigned flags,
		   const struct sockaddr_storage *addr)
{
	struct server *old = *cur, *next = NULL;
	struct pal_err err = {0};
	if (server_new(o, old->log_lock, &next, &err) < 0) {
		log_line(old, json_pack("{s:s, s:s, s:s}", "level", "error", "msg",
					"reload failed, still serving the previous certificate "
					"and policy",
					"error", err.msg));
		return;
	}
	/* The new server gets a duplicate of the socket: if it fails to start
	 * and closes what it was given, the running server keeps its own. (A
	 * duplicate a failed start left open is left alone: closing it could
	 * race with the running server reusing the number.) */
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(old->d, MHD_DAEMON_INFO_LISTEN_FD);
	int fd = info ? fcntl(info->listen_fd, F_DUPFD_CLOEXEC, 3) : -1;
	next->d = fd >= 0 ? start_daemon(o, next, flags, addr, fd) : NULL;
	if (!next->d) {
		log_line(old, json_pack("{s:s, s:s, s:s}", "level", "error", "msg",
					"reload failed, still serving the previous certificate "
					"and policy",
					"error",
					"the HTTPS server did not start with the new "
					"certificate (a key type GnuTLS does not support?)"));
		server_free(next);
		return;
	}
	/* Both accept now; the old one stops accepting and finishes its
	 * requests. Quiescing hands the socket to the new generation. */
	int old_fd = drain(old->d);
	server_free(old);
	if (old_fd >= 0)
		close(old_fd);
	*cur = next;
	log_line(next, json_pack("{s:s, s:s, s:s}", "level", "info", "msg", "reloaded", "policy",
				 next->wh.policy->source));
}

int adm_serve(const struct adm_server_opts *o, struct pal_err *err)
{
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
		return pal_err_set(err, ENOTSUP,
				   "this libmicrohttpd was built without TLS support");
	struct sockaddr_storage addr;
	socklen_t addr_len;
	int r = adm_parse_listen(o->listen, &addr, &addr_len, err);
	if (r < 0)
		return r;
	pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
	struct server *s = NULL;
	if ((r = server_new(o, &log_lock, &s, err)) < 0)
		return r;
	/* The server's threads inherit this mask: only the main thread takes
	 * the signals, so that shutdown and reload are orderly. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN);
	unsigned flags =
	    MHD_USE_TLS | MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	bool any = o->listen[0] == ':';
	unsigned used = flags;
	/* ":port" is every address: IPv6 and IPv4 on one socket, or IPv4 alone
	 * where IPv6 is disabled (as in some pod networks). */
	for (int attempt = 0; attempt < 2 && !s->d; attempt++) {
		used = flags;
		if (attempt == 1) {
			if (!any || addr.ss_family != AF_INET6)
				break;
			in_port_t port = ((struct sockaddr_in6 *)&addr)->sin6_port;
			struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
			memset(&addr, 0, sizeof(addr));
			v4->sin_family = AF_INET;
			v4->sin_port = port;
			v4->sin_addr.s_addr = htonl(INADDR_ANY);
		}
		if (addr.ss_family == AF_INET6)
			used |= any ? MHD_USE_DUAL_STACK : MHD_USE_IPv6;
		s->d = start_daemon(o, s, used, &addr, -1);
	}
	if (!s->d) {
		r = pal_err_set(err, EADDRNOTAVAIL,
				"cannot serve HTTPS on %s: the address may be in use or not "
				"local, or the TLS key type is not supported by GnuTLS",
				o->listen);
		goto out;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	unsigned port = info ? info->port : 0;
	log_line(s,
		 json_pack("{s:s, s:s, s:s, s:i, s:s}", "level", "info", "msg", "serving", "listen",
			   o->listen, "port", (int)port, "policy", s->wh.policy->source));
	if (o->ready_file) {
		char text[16];
		int n = snprintf(text, sizeof(text), "%u\n", port);
		if ((r = pal_write_file_replace(o->ready_file, text, (size_t)n, 0644, err)) < 0) {
			pal_err_prefix(err, "--ready-file");
			goto out;
		}
	}
	int sig = 0;
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
		reload(o, &s, used, &addr);
	log_line(s, json_pack("{s:s, s:s, s:s}", "level", "info", "msg", "shutting down", "signal",
			      strsignal(sig)));
	int listen_fd = drain(s->d);
	server_free(s);
	s = NULL;
	if (listen_fd >= 0)
		close(listen_fd);
	r = 0;
out:
	server_free(s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}
