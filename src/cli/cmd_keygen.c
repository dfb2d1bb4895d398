/* palisade keygen: a P-256 key pair in cosign's file layout. */
#include "cli/commands.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "supply/keys.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: palisade keygen [--output PREFIX] [--force]\n\n"
	    "Writes a new ECDSA P-256 key pair: PREFIX.key (private, mode 0600) and\n"
	    "PREFIX.pub (PEM public key). PREFIX defaults to 'cosign', as cosign names them.\n"
	    "When COSIGN_PASSWORD (or PALISADE_PASSWORD) is set and not empty, the private key\n"
	    "is written in cosign's encrypted format (scrypt + nacl secretbox); otherwise as\n"
	    "an unencrypted PKCS#8 PEM key.\n\n"
	    "Options:\n"
	    "  -o, --output PREFIX  file name prefix (default: cosign)\n"
	    "  -f, --force          replace existing files\n"
	    "  -h, --help           show this help\n");
}

static int write_new(const char *path, const char *data, mode_t mode, bool force)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL);
	_cleanup_close_ int fd = open(path, flags, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			fprintf(stderr, "palisade keygen: %s exists (use --force to replace it)\n",
				path);
		else
			fprintf(stderr, "palisade keygen: create %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) < 0 || pal_write_all(fd, data, strlen(data)) < 0 || fsync(fd) < 0) {
		fprintf(stderr, "palisade keygen: write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
					     {"output-key-prefix", required_argument, NULL, 'o'},
					     {"force", no_argument, NULL, 'f'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *prefix = "cosign";
	bool force = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:fh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			prefix = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			usage(stdout);
			return PAL_EXIT_OK;
		default:
			usage(stderr);
			return PAL_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "palisade keygen: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return PAL_EXIT_USAGE;
	}
	struct pal_err err = {0};
	EVP_PKEY *k = NULL;
	_cleanup_free_ char *priv = NULL;
	if (sup_keygen_p256(&k, &err) < 0 ||
	    sup_key_private_pem(k, sup_key_password_env(), &priv, &err) < 0) {
		fprintf(stderr, "palisade keygen: %s\n", err.msg);
		EVP_PKEY_free(k);
		return PAL_EXIT_FAILURE;
	}
	_cleanup_free_ char *pub = sup_key_public_pem(k);
	char fp[SUP_DIGEST_MAX];
	sup_key_fingerprint(k, fp);
	EVP_PKEY_free(k);
	_cleanup_free_ char *kp = pal_xasprintf("%s.key", prefix);
	_cleanup_free_ char *pp = pal_xasprintf("%s.pub", prefix);
	if (write_new(kp, priv, 0600, force) < 0)
		return PAL_EXIT_FAILURE;
	if (write_new(pp, pub, 0644, force) < 0) {
		unlink(kp);
		return PAL_EXIT_FAILURE;
	}
	const char *pw = sup_key_password_env();
	printf("Private key written to %s%s\nPublic key written to %s\nFingerprint: %s\n", kp,
	       pw && *pw ? " (encrypted)" : "", pp, fp);
	return PAL_EXIT_OK;
}
