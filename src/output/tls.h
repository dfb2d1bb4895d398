/* TLS client for the syslog sink (OpenSSL 3): the server certificate must
 * chain to the configured CA file and match the expected name or IP. */
#ifndef PAL_OUTPUT_TLS_H
#define PAL_OUTPUT_TLS_H

#include "common/err.h"

#include <openssl/ssl.h>
#include <stddef.h>

/* TLS 1.2 or later, peer verification on. cert_file/key_file optional (client auth). */
SSL_CTX *out_tls_client_ctx(const char *ca_file, const char *cert_file, const char *key_file,
			    struct pal_err *err);

/* Handshake over a connected blocking socket (its timeouts bound the handshake). */
int out_tls_connect(SSL_CTX *ctx, int fd, const char *server_name, SSL **out, struct pal_err *err);

/* 0, or -EPIPE with err filled (the connection is unusable). */
int out_tls_write_all(SSL *ssl, const void *data, size_t len, struct pal_err *err);

/* Sends close_notify (best effort) and frees. */
void out_tls_free(SSL *ssl);

#endif
