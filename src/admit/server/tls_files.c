/* The webhook's certificate and key, checked before the server starts so that
 * a wrong file gives a message naming it rather than a TLS failure later. */
#include "admit/server/server.h"
#include "common/cleanup.h"
#include "common/fsutil.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#define TLS_FILE_MAX (1u << 20)

int adm_load_tls(const char *cert_path, const char *key_path, char **cert, char **key,
		 struct pal_err *err)
{
	_cleanup_free_ char *c = NULL, *k = NULL;
	size_t cl = 0, kl = 0;
	int r;
	if ((r = pal_read_file(cert_path, TLS_FILE_MAX, &c, &cl, err)) < 0)
		return pal_err_prefix(err, "--tls-cert");
	if ((r = pal_read_file(key_path, TLS_FILE_MAX, &k, &kl, err)) < 0)
		return pal_err_prefix(err, "--tls-key");
	BIO *cb = BIO_new_mem_buf(c, (int)cl);
	X509 *x = cb ? PEM_read_bio_X509(cb, NULL, NULL, NULL) : NULL;
	BIO_free(cb);
	if (!x)
		return pal_err_set(
		    err, EINVAL, "--tls-cert %s: no PEM certificate (-----BEGIN CERTIFICATE-----)",
		    cert_path);
	BIO *kb = BIO_new_mem_buf(k, (int)kl);
	EVP_PKEY *pk = kb ? PEM_read_bio_PrivateKey(kb, NULL, NULL, (void *)"") : NULL;
	BIO_free(kb);
	ERR_clear_error();
	if (!pk) {
		X509_free(x);
		explicit_bzero(k, kl);
		return pal_err_set(
		    err, EINVAL, "--tls-key %s: no unencrypted PEM private key (PKCS#8, EC or RSA)",
		    key_path);
	}
	int match = X509_check_private_key(x, pk);
	int not_after = X509_cmp_current_time(X509_get0_notAfter(x));
	int not_before = X509_cmp_current_time(X509_get0_notBefore(x));
	X509_free(x);
	EVP_PKEY_free(pk);
	ERR_clear_error();
	if (match != 1 || not_after <= 0 || not_before >= 0)
		explicit_bzero(k, kl);
	if (match != 1)
		return pal_err_set(err, EINVAL, "--tls-key %s does not belong to --tls-cert %s",
				   key_path, cert_path);
	if (not_after <= 0)
		return pal_err_set(err, EINVAL, "--tls-cert %s has expired: renew it", cert_path);
	if (not_before >= 0)
		return pal_err_set(err, EINVAL, "--tls-cert %s is not valid yet (notBefore)",
				   cert_path);
	*cert = PAL_STEAL(c);
	*key = PAL_STEAL(k);
	return 0;
}
