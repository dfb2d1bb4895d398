/* `palisade admit serve`: the ValidatingAdmissionWebhook over HTTPS
 * (libmicrohttpd with TLS 1.2/1.3). Routes:
 *   POST /validate   AdmissionReview v1 in, AdmissionReview v1 out (200);
 *                    400 for a body that is not a valid AdmissionReview,
 *                    413 above max_body, 415 for a non-JSON content type
 *   GET  /healthz    200 "ok"
 * Each decision is logged as one JSON line. SIGHUP reads the certificate,
 * key and policy again and starts a server with them on the same listening
 * socket before the previous one stops (nothing refused in between); if they
 * do not load, the running server stays. SIGTERM or SIGINT stops accepting
 * connections, lets requests in flight finish (up to 5 s) and returns. */
#ifndef PAL_ADMIT_SERVER_H
#define PAL_ADMIT_SERVER_H

#include "common/err.h"

#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

struct adm_server_opts {
	const char *listen;	 /* "127.0.0.1:8443", "[::1]:8443", ":8443" (every address) */
	const char *cert_path;	 /* PEM certificate (chain) */
	const char *key_path;	 /* PEM private key */
	const char *policy_path; /* NULL: built-in defaults, no image trust */
	const char *ready_file;	 /* written with the bound port once serving; may be NULL */
	unsigned threads;	 /* 0: one per CPU, at least 2 */
	size_t max_body;	 /* 0: ADM_REVIEW_MAX_BYTES */
	FILE *log;		 /* decisions, JSON lines; NULL: stdout */
};

int adm_serve(const struct adm_server_opts *o, struct pal_err *err);

/* "host:port" -> socket address (numeric hosts and names that resolve locally). */
int adm_parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len,
		     struct pal_err *err);

/* Checks that cert and key are PEM, belong together and that the certificate
 * is currently valid; *cert and *key receive the file contents. */
int adm_load_tls(const char *cert_path, const char *key_path, char **cert, char **key,
		 struct pal_err *err);

#endif
