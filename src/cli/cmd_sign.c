/* palisade sign: cosign-compatible signatures for an image, stored beside it
 * (OCI layout) or in the signature store (containers-storage images). */
#include "cli/commands.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "supply/supply.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: palisade sign --key KEY [options] IMAGE\n\n"
	    "Signs IMAGE (an OCI layout path[:tag|@digest], or a containers-storage name)\n"
	    "with the private key in KEY (PEM PKCS#8, or cosign's encrypted key: set\n"
	    "COSIGN_PASSWORD). Signatures go into the image's OCI layout, or for\n"
	    "containers-storage images into the signature store.\n\n"
	    "Options:\n"
	    "  -k, --key KEY                private key file (required)\n"
	    "      --format FMT             sig (simple signing on sha256-<hex>.sig, default),\n"
	    "                               bundle (sigstore bundle v0.3, message signature),\n"
	    "                               dsse (bundle with an in-toto statement), or all\n"
	    "      --signing-algorithm ALG  ed25519ph to sign with Ed25519ph (Ed25519 keys)\n"
	    "      --reference NAME         docker-reference to put in the payload\n"
	    "      --signature-store DIR    store for containers-storage images\n"
	    "                               (default %s)\n"
	    "      --storage-root DIR       containers-storage root (default %s)\n"
	    "      --output-signature FILE  also write the base64 simple-signing signature\n"
	    "      --output-payload FILE    also write the simple-signing payload\n"
	    "      --output-bundle FILE     also write the (last) bundle\n"
	    "  -h, --help                   show this help\n",
	    SUP_DEFAULT_SIG_STORE, SUP_CSTORE_DEFAULT_ROOT);
}

struct sign_args {
	const char *key, *format, *alg, *reference, *store, *storage_root;
	const char *out_sig, *out_payload, *out_bundle;
};

static int write_out(const char *path, const void *data, size_t len, struct pal_err *err)
{
	return path ? pal_write_file_atomic(path, data, len, 0644, err) : 0;
}

/* The repository part of a reference, which cosign puts in the payload. */
static char *repository_of(const char *ref)
{
	if (!ref)
		return pal_xstrdup("");
	char *s = pal_xstrdup(ref);
	char *at = strchr(s, '@');
	if (at)
		*at = '\0';
	char *slash = strrchr(s, '/');
	char *colon = strchr(slash ? slash : s, ':');
	if (colon)
		*colon = '\0';
	return s;
}

static int do_sign(const struct sign_args *a, struct sup_image *img, EVP_PKEY *key,
		   struct sup_layout *target, struct pal_err *err)
{
	bool ph = a->alg && !strcmp(a->alg, "ed25519ph");
	bool want_sig = !strcmp(a->format, "sig") || !strcmp(a->format, "all");
	bool want_msg = !strcmp(a->format, "bundle") || !strcmp(a->format, "all");
	bool want_dsse = !strcmp(a->format, "dsse") || !strcmp(a->format, "all");
	/* Sign what the reference names: the index when it led to the image, as cosign does. */
	bool on_index = img->index_digest[0] != '\0';
	const char *digest = on_index ? img->index_digest : img->manifest_digest;
	const char *raw = on_index ? img->index_raw : img->manifest;
	size_t raw_len = on_index ? img->index_len : img->manifest_len;
	struct sup_desc subject = {.media_type = on_index ? (char *)SUP_MT_OCI_INDEX
							  : img->manifest_media_type,
				   .digest = (char *)digest,
				   .size = (int64_t)raw_len};
	_cleanup_free_ char *repo = repository_of(a->reference ? a->reference : img->reference);
	int r;
	if (want_sig) {
		_cleanup_free_ char *payload = sup_simplesign_payload(repo, digest);
		_cleanup_free_ unsigned char *sig = NULL;
		size_t sl = 0;
		if ((r = sup_sign(key, -1, ph, payload, strlen(payload), &sig, &sl, err)) < 0)
			return r;
		_cleanup_free_ char *b64 = sup_b64_encode(sig, sl);
		if ((r = sup_attach_simple(target, digest, payload, strlen(payload), b64, err)) <
			0 ||
		    (r = write_out(a->out_sig, b64, strlen(b64), err)) < 0 ||
		    (r = write_out(a->out_payload, payload, strlen(payload), err)) < 0)
			return r;
		printf("Signed %s (%s): simple signing in %s\n", img->ref, digest, target->path);
	}
	if (want_msg) {
		enum sup_hash h = ph ? SUP_HASH_SHA512 : sup_key_hash(key);
		unsigned char md[64];
		sup_hash_raw(h, raw, raw_len, md);
		_cleanup_free_ unsigned char *sig = NULL;
		size_t sl = 0;
		if ((r = sup_sign(key, (int)h, ph, raw, raw_len, &sig, &sl, err)) < 0)
			return r;
		_cleanup_free_ char *bundle = sup_bundle_message_json("", h, md, sig, sl);
		if ((r = sup_attach_bundle(target, &subject, bundle, SUP_BUNDLE_MESSAGE, err)) <
			0 ||
		    (r = write_out(a->out_bundle, bundle, strlen(bundle), err)) < 0)
			return r;
		printf("Signed %s (%s): sigstore bundle (message signature) in %s\n", img->ref,
		       digest, target->path);
	}
	if (want_dsse) {
		_cleanup_free_ char *stmt =
		    sup_intoto_statement(repo, digest, SUP_PALISADE_PREDICATE);
		struct pal_buf pae;
		pal_buf_init(&pae);
		sup_dsse_pae(SUP_MT_INTOTO, stmt, strlen(stmt), &pae);
		_cleanup_free_ unsigned char *sig = NULL;
		size_t sl = 0;
		r = sup_sign(key, -1, ph, pae.data, pae.len, &sig, &sl, err);
		pal_buf_free(&pae);
		if (r < 0)
			return r;
		_cleanup_free_ char *bundle =
		    sup_bundle_dsse_json("", SUP_MT_INTOTO, stmt, strlen(stmt), sig, sl);
		if ((r = sup_attach_bundle(target, &subject, bundle, SUP_BUNDLE_DSSE, err)) < 0 ||
		    (r = write_out(a->out_bundle, bundle, strlen(bundle), err)) < 0)
			return r;
		printf("Signed %s (%s): sigstore bundle (DSSE in-toto statement) in %s\n", img->ref,
		       digest, target->path);
	}
	return 0;
}

int cmd_sign(int argc, char **argv)
{
	enum { O_FORMAT = 256, O_ALG, O_REF, O_STORE, O_ROOT, O_OSIG, O_OPAY, O_OBUN };
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
					     {"format", required_argument, NULL, O_FORMAT},
					     {"signing-algorithm", required_argument, NULL, O_ALG},
					     {"reference", required_argument, NULL, O_REF},
					     {"signature-store", required_argument, NULL, O_STORE},
					     {"storage-root", required_argument, NULL, O_ROOT},
					     {"output-signature", required_argument, NULL, O_OSIG},
					     {"output-payload", required_argument, NULL, O_OPAY},
					     {"output-bundle", required_argument, NULL, O_OBUN},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct sign_args a = {.format = "sig", .store = SUP_DEFAULT_SIG_STORE};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			a.key = optarg;
			break;
		case O_FORMAT:
			a.format = optarg;
			break;
		case O_ALG:
			a.alg = optarg;
			break;
		case O_REF:
			a.reference = optarg;
			break;
		case O_STORE:
			a.store = optarg;
			break;
		case O_ROOT:
			a.storage_root = optarg;
			break;
		case O_OSIG:
			a.out_sig = optarg;
			break;
		case O_OPAY:
			a.out_payload = optarg;
			break;
		case O_OBUN:
			a.out_bundle = optarg;
			break;
		case 'h':
			usage(stdout);
			return PAL_EXIT_OK;
		default:
			usage(stderr);
			return PAL_EXIT_USAGE;
		}
	}
	if (!a.key || optind != argc - 1) {
		fprintf(stderr, "palisade sign: %s\n",
			!a.key ? "--key KEY is required" : "give exactly one IMAGE");
		usage(stderr);
		return PAL_EXIT_USAGE;
	}
	if (strcmp(a.format, "sig") && strcmp(a.format, "bundle") && strcmp(a.format, "dsse") &&
	    strcmp(a.format, "all")) {
		fprintf(stderr, "palisade sign: --format must be sig, bundle, dsse or all\n");
		return PAL_EXIT_USAGE;
	}
	if (a.alg && strcmp(a.alg, "ed25519ph")) {
		fprintf(stderr, "palisade sign: --signing-algorithm supports only ed25519ph "
				"(other schemes follow the key type)\n");
		return PAL_EXIT_USAGE;
	}
	struct pal_err err = {0};
	EVP_PKEY *key = NULL;
	struct sup_image *img = NULL;
	struct sup_open_opts oo = {.storage_root = a.storage_root, .writable = true};
	int rc = PAL_EXIT_FAILURE;
	if (sup_key_load_private(a.key, sup_key_password_env(), &key, &err) < 0 ||
	    sup_image_open_opts(argv[optind], &oo, &img, &err) < 0)
		goto out;
	if (img->source == SUP_IMAGE_LAYOUT) {
		if (do_sign(&a, img, key, &img->layout, &err) < 0)
			goto out;
	} else {
		struct sup_layout store;
		if (sup_layout_open(a.store, SUP_LAYOUT_CREATE, &store, &err) < 0) {
			pal_err_prefix(&err, "signature store");
			goto out;
		}
		int r = do_sign(&a, img, key, &store, &err);
		sup_layout_close(&store);
		if (r < 0)
			goto out;
	}
	rc = PAL_EXIT_OK;
out:
	if (rc != PAL_EXIT_OK)
		fprintf(stderr, "palisade sign: %s\n", err.msg);
	sup_image_close(img);
	EVP_PKEY_free(key);
	return rc;
}
