#include "tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <string.h>

/* Appends OpenSSL's queued error to the message, emptying the queue. */
static int tls_err(struct pal_err *err, int code, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "unknown TLS error";
	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return pal_err_set(err, code, "%s: %s", what, buf);
}

SSL_CTX *out_tls_client_ctx(const char *ca_file, const char *cert_file, const char *key_file,
			    struct pal_err *err)
{
	if (!ca_file || !*ca_file) {
		pal_err_set(err, EINVAL, "TLS needs a CA file to verify the server certificate");
		return NULL;
	}
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		tls_err(err, ENOMEM, "create TLS context");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		tls_err(err, EINVAL, ca_file);
		pal_err_prefix(err, "load CA file");
		SSL_CTX_free(ctx);
		return NULL;
	}
	if (cert_file && *cert_file) {
		if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
			tls_err(err, EINVAL, cert_file);
			pal_err_prefix(err, "load client certificate");
			SSL_CTX_free(ctx);
			return NULL;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx, key_file ? key_file : cert_file,
						SSL_FILETYPE_PEM) != 1 ||
		    SSL_CTX_check_private_key(ctx) != 1) {
			tls_err(err, EINVAL, key_file ? key_file : cert_file);
			pal_err_prefix(err, "load client key");
			SSL_CTX_free(ctx);
			return NULL;
		}
	}
	return ctx;
}

static bool is_ip_literal(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

int out_tls_connect(SSL_CTX *ctx, int fd, const char *server_name, SSL **out, struct pal_err *err)
{
	SSL *ssl = SSL_new(ctx);
	if (!ssl)
		return tls_err(err, ENOMEM, "create TLS session");
	X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
	if (is_ip_literal(server_name)) {
		if (X509_VERIFY_PARAM_set1_ip_asc(param, server_name) != 1) {
			SSL_free(ssl);
			return tls_err(err, EINVAL, "set expected IP address");
		}
	} else {
		X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (SSL_set1_host(ssl, server_name) != 1 ||
		    SSL_set_tlsext_host_name(ssl, server_name) != 1) {
			SSL_free(ssl);
			return tls_err(err, EINVAL, "set expected host name");
		}
	}
	if (SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return tls_err(err, EINVAL, "attach socket to TLS session");
	}
	if (SSL_connect(ssl) != 1) {
		long vr = SSL_get_verify_result(ssl);
		if (vr != X509_V_OK) {
			pal_err_set(err, EPERM,
				    "TLS handshake with %s: server certificate rejected: %s",
				    server_name, X509_verify_cert_error_string(vr));
			ERR_clear_error();
		} else {
			tls_err(err, ECONNRESET, "TLS handshake");
			pal_err_prefix(err, "%s", server_name);
		}
		SSL_free(ssl);
		return -err->code;
	}
	*out = ssl;
	return 0;
}

int out_tls_write_all(SSL *ssl, const void *data, size_t len, struct pal_err *err)
{
	const char *p = data;
	while (len > 0) {
		size_t n = 0;
		int r = SSL_write_ex(ssl, p, len, &n);
		if (r != 1) {
			int e = SSL_get_error(ssl, r);
			if (e == SSL_ERROR_SYSCALL && errno)
				return pal_err_set(err, EPIPE, "TLS write: %s", strerror(errno));
			return tls_err(err, EPIPE, "TLS write");
		}
		p += n;
		len -= n;
	}
	return 0;
}

void out_tls_free(SSL *ssl)
{
	if (!ssl)
		return;
	SSL_shutdown(ssl);
	SSL_free(ssl);
	ERR_clear_error();
}
