/* palisade verify: checks an image's signatures against a key or a trust policy. */
#include "cli/commands.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"
#include "supply/supply.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "Usage: palisade verify (--key PUB | --policy FILE) [options] (IMAGE | --container "
	    "ID)\n\n"
	    "Checks IMAGE (an OCI layout path[:tag|@digest], or a containers-storage name)\n"
	    "against a public key (any cosign-compatible signature by that key) or a trust\n"
	    "policy (scopes, keys, thresholds, vulnerability limits). Exit status: 0 verified,\n"
	    "3 denied, 1 error, 2 usage.\n\n"
	    "Options:\n"
	    "  -k, --key PUB              PEM public key (ECDSA, RSA, Ed25519)\n"
	    "  -p, --policy FILE          trust policy (YAML, see docs/trust.md)\n"
	    "      --signature SIG        detached base64 signature (like cosign verify-blob);\n"
	    "      --payload FILE         ...over this simple-signing payload, which must\n"
	    "                             name the image's digest\n"
	    "      --signature-store DIR  where signatures of containers-storage images are\n"
	    "      --storage-root DIR     containers-storage root (default %s)\n"
	    "      --reference NAME       name to match policy scopes with\n"
	    "      --cache-dir DIR        verdict cache (default: the policy's cache.dir)\n"
	    "      --no-cache             neither read nor write cached verdicts\n"
	    "  -o, --output FMT           text (default) or json\n"
	    "  -h, --help                 show this help\n",
	    SUP_CSTORE_DEFAULT_ROOT);
}

static void print_verdict(const struct sup_verdict *v, const struct sup_image *img, bool json)
{
	if (json) {
		json_t *j = json_pack("{s:s, s:b, s:s, s:s, s:s, s:b}", "image", img->ref, "allow",
				      v->allow, "reason", v->reason, "scope", v->scope, "digest",
				      v->digest, "cached", v->cached);
		if (v->keys[0])
			json_object_set_new(j, "keys", json_string(v->keys));
		if (v->fingerprint[0])
			json_object_set_new(j, "key_fingerprint", json_string(v->fingerprint));
		if (v->signature[0])
			json_object_set_new(j, "signature", json_string(v->signature));
		if (img->reference)
			json_object_set_new(j, "reference", json_string(img->reference));
		_cleanup_free_ char *s = pal_json_dump_line(j);
		json_decref(j);
		fputs(s, stdout);
		return;
	}
	if (v->allow)
		printf("Verified OK: %s (%s): %s [scope %s%s%s%s]\n", img->ref, v->digest,
		       v->reason, v->scope, v->signature[0] ? ", " : "", v->signature,
		       v->cached ? ", cached" : "");
	else
		fprintf(stderr, "DENIED: %s (%s): %s [scope %s]\n", img->ref, v->digest, v->reason,
			v->scope);
}

int cmd_verify(int argc, char **argv)
{
	enum { O_SIG = 256, O_PAYLOAD, O_STORE, O_ROOT, O_REF, O_CACHE, O_NOCACHE, O_CONTAINER };
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
					     {"policy", required_argument, NULL, 'p'},
					     {"signature", required_argument, NULL, O_SIG},
					     {"payload", required_argument, NULL, O_PAYLOAD},
					     {"signature-store", required_argument, NULL, O_STORE},
					     {"storage-root", required_argument, NULL, O_ROOT},
					     {"reference", required_argument, NULL, O_REF},
					     {"cache-dir", required_argument, NULL, O_CACHE},
					     {"no-cache", no_argument, NULL, O_NOCACHE},
					     {"container", required_argument, NULL, O_CONTAINER},
					     {"output", required_argument, NULL, 'o'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *key = NULL, *policy = NULL, *sig = NULL, *payload = NULL, *store = NULL,
		   *root = NULL, *ref = NULL, *cache_dir = NULL, *output = "text",
		   *container = NULL;
	bool no_cache = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "k:p:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key = optarg;
			break;
		case 'p':
			policy = optarg;
			break;
		case O_SIG:
			sig = optarg;
			break;
		case O_PAYLOAD:
			payload = optarg;
			break;
		case O_STORE:
			store = optarg;
			break;
		case O_ROOT:
			root = optarg;
			break;
		case O_REF:
			ref = optarg;
			break;
		case O_CACHE:
			cache_dir = optarg;
			break;
		case O_NOCACHE:
			no_cache = true;
			break;
		case O_CONTAINER:
			container = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return PAL_EXIT_OK;
		default:
			usage(stderr);
			return PAL_EXIT_USAGE;
		}
	}
	const char *problem = NULL;
	if (optind != argc - (container ? 0 : 1))
		problem = container ? "give either IMAGE or --container, not both"
				    : "give exactly one IMAGE";
	else if (!key == !policy)
		problem = "give exactly one of --key and --policy";
	else if (!sig != !payload)
		problem = "--signature and --payload go together";
	else if (strcmp(output, "text") && strcmp(output, "json"))
		problem = "--output must be text or json";
	if (problem) {
		fprintf(stderr, "palisade verify: %s\n", problem);
		usage(stderr);
		return PAL_EXIT_USAGE;
	}
	struct pal_err err = {0};
	struct sup_policy *p = NULL;
	struct sup_image *img = NULL;
	struct sup_cache *cache = NULL;
	struct sup_sigset extra = {0};
	struct sup_open_opts oo = {.storage_root = root, .reference = ref};
	struct sup_verdict v;
	int rc = PAL_EXIT_FAILURE;
	_cleanup_free_ char *image_id = NULL;
	if (container && sup_cstore_container_image(root, container, &image_id, &err) < 0)
		goto out;
	if ((key ? sup_policy_for_key(key, &p, &err) : sup_policy_load(policy, &p, &err)) < 0 ||
	    sup_image_open_opts(container ? image_id : argv[optind], &oo, &img, &err) < 0)
		goto out;
	if (sig) {
		_cleanup_free_ char *b64 = NULL, *pl = NULL;
		size_t bl = 0, plen = 0;
		if (pal_read_file(sig, 1u << 20, &b64, &bl, &err) < 0 ||
		    pal_read_file(payload, SUP_MAX_SIG_DOC, &pl, &plen, &err) < 0 ||
		    sup_sigs_add_detached(&extra, pl, plen, b64, sig, &err) < 0)
			goto out;
		struct sup_verify_opts vo = {
		    .extra = &extra, .only_extra = true, .signature_store = store};
		if (sup_verify_image_opts(p, img, &vo, &v, &err) < 0)
			goto out;
	} else if (store || no_cache || key) {
		struct sup_verify_opts vo = {.signature_store = store};
		if (sup_verify_image_opts(p, img, &vo, &v, &err) < 0)
			goto out;
	} else {
		if (sup_cache_open(cache_dir ? cache_dir : p->cache_dir, &cache, &err) < 0)
			goto out;
		if (sup_verify_image_cached(cache, p, img, &v, &err) < 0)
			goto out;
	}
	print_verdict(&v, img, !strcmp(output, "json"));
	rc = v.allow ? PAL_EXIT_OK : PAL_EXIT_DENIED;
out:
	if (rc == PAL_EXIT_FAILURE)
		fprintf(stderr, "palisade verify: %s\n", err.msg);
	sup_sigset_free(&extra);
	sup_cache_close(cache);
	sup_image_close(img);
	sup_policy_free(p);
	return rc;
}
