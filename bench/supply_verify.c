/* Image verification time: cold (no cache: find signatures in the OCI layout,
 * check digests, verify the P-256 signature, evaluate the policy) and cached
 * (verdict from memory, and from the on-disk cache as a fresh process sees
 * it), against a baseline of one bare OpenSSL P-256 verification.
 *
 * Usage: bench_supply_verify [ITERATIONS]   (prints a Markdown table) */
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "supply/supply.h"

#include <openssl/ec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct stat_row {
	const char *name;
	double median, p90, mean;
};

static void die(const char *what, struct pal_err *err)
{
	fprintf(stderr, "bench_supply_verify: %s: %s\n", what, err ? err->msg : "");
	exit(1);
}

/* A one-layer image in a new OCI layout, signed with a fresh P-256 key. */
static void make_signed_layout(const char *dir, EVP_PKEY **key_out, char *digest)
{
	struct pal_err err = {0};
	struct sup_layout l;
	if (sup_layout_open(dir, SUP_LAYOUT_CREATE, &l, &err) < 0)
		die("create layout", &err);
	static const char tar[1024]; /* an empty tar: two zero blocks */
	char ld[SUP_DIGEST_MAX], cd[SUP_DIGEST_MAX];
	sup_layout_write_blob(&l, tar, sizeof(tar), ld, &err);
	char *cfg = pal_xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{"
				  "\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
				  ld);
	sup_layout_write_blob(&l, cfg, strlen(cfg), cd, &err);
	char *m = pal_xasprintf(
	    "{\"schemaVersion\":2,\"mediaType\":\"" SUP_MT_OCI_MANIFEST "\",\"config\":{"
	    "\"mediaType\":\"" SUP_MT_OCI_CONFIG "\",\"digest\":\"%s\",\"size\":%zu},"
	    "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
	    "\"digest\":\"%s\",\"size\":1024}]}",
	    cd, strlen(cfg), ld);
	sup_layout_write_blob(&l, m, strlen(m), digest, &err);
	struct sup_desc d = {.media_type = (char *)SUP_MT_OCI_MANIFEST,
			     .digest = digest,
			     .size = (int64_t)strlen(m)};
	if (sup_layout_put_manifest(&l, &d, "bench", &err) < 0)
		die("index", &err);
	EVP_PKEY *k = NULL;
	sup_keygen_p256(&k, &err);
	char *payload = sup_simplesign_payload("localhost/bench", digest);
	unsigned char *sig = NULL;
	size_t sl = 0;
	if (sup_sign(k, -1, false, payload, strlen(payload), &sig, &sl, &err) < 0)
		die("sign", &err);
	char *b64 = sup_b64_encode(sig, sl);
	if (sup_attach_simple(&l, digest, payload, strlen(payload), b64, &err) < 0)
		die("attach", &err);
	sup_layout_close(&l);
	free(cfg);
	free(m);
	free(payload);
	free(sig);
	free(b64);
	*key_out = k;
}

static struct stat_row summarize(const char *name, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	double sum = 0;
	for (int i = 0; i < n; i++)
		sum += t[i];
	return (struct stat_row){name, t[n / 2], t[n * 9 / 10], sum / n};
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	if (n < 10)
		n = 10;
	char tmp[] = "/tmp/pal-bench-supply-XXXXXX";
	if (!mkdtemp(tmp))
		die("mkdtemp", NULL);
	char *layout = pal_xasprintf("%s/layout", tmp);
	char *pub = pal_xasprintf("%s/key.pub", tmp);
	char *policy = pal_xasprintf("%s/policy.yaml", tmp);
	char *ref = pal_xasprintf("%s:bench", layout);
	EVP_PKEY *key = NULL;
	char digest[SUP_DIGEST_MAX];
	make_signed_layout(layout, &key, digest);
	struct pal_err err = {0};
	char *pem = sup_key_public_pem(key);
	pal_write_file_atomic(pub, pem, strlen(pem), 0644, &err);
	char *ptext = pal_xasprintf("trust:\n  signature_store: %s/none\n  cache: {dir: %s/cache, "
				    "ttl: 3600}\n  keys:\n    k: {path: %s}\n  default:\n"
				    "    - type: signed\n      keys: [k]\n",
				    tmp, tmp, pub);
	pal_write_file_atomic(policy, ptext, strlen(ptext), 0644, &err);
	struct sup_policy *p = NULL;
	struct sup_image *img = NULL;
	if (sup_policy_load(policy, &p, &err) < 0)
		die("policy", &err);
	if (sup_image_open(ref, &img, &err) < 0)
		die("open image", &err);

	double *t = pal_xcalloc((size_t)n, sizeof(double));
	struct stat_row rows[6];
	struct sup_verdict v;

	/* baseline: one bare ECDSA P-256 verification of the same payload */
	char *payload = sup_simplesign_payload("localhost/bench", digest);
	unsigned char *sig = NULL;
	size_t sl = 0;
	sup_sign(key, -1, false, payload, strlen(payload), &sig, &sl, &err);
	for (int i = 0; i < n; i++) {
		double a = now_us();
		if (!sup_verify_sig(key, SUP_HASH_SHA256, payload, strlen(payload), sig, sl, NULL))
			die("baseline verify", NULL);
		t[i] = now_us() - a;
	}
	rows[0] = summarize("baseline: OpenSSL P-256 verify", t, n);

	for (int i = 0; i < n; i++) {
		double a = now_us();
		struct sup_image *im = NULL;
		if (sup_image_open(ref, &im, &err) < 0)
			die("open", &err);
		t[i] = now_us() - a;
		sup_image_close(im);
	}
	rows[1] = summarize("image open (index, manifest, config, digests)", t, n);

	for (int i = 0; i < n; i++) {
		double a = now_us();
		if (sup_verify_image(p, img, &v, &err) < 0 || !v.allow)
			die("verify", &err);
		t[i] = now_us() - a;
	}
	rows[2] = summarize("cold verify (no cache)", t, n);

	struct sup_cache *c = NULL;
	if (sup_cache_open(p->cache_dir, &c, &err) < 0)
		die("cache", &err);
	sup_verify_image_cached(c, p, img, &v, &err);
	for (int i = 0; i < n; i++) {
		double a = now_us();
		if (sup_verify_image_cached(c, p, img, &v, &err) < 0 || !v.cached)
			die("cached verify", &err);
		t[i] = now_us() - a;
	}
	rows[3] = summarize("cached verify (memory)", t, n);
	sup_cache_close(c);

	for (int i = 0; i < n; i++) {
		struct sup_cache *fresh = NULL;
		if (sup_cache_open(p->cache_dir, &fresh, &err) < 0)
			die("cache", &err);
		double a = now_us();
		if (sup_verify_image_cached(fresh, p, img, &v, &err) < 0 || !v.cached)
			die("disk cached verify", &err);
		t[i] = now_us() - a;
		sup_cache_close(fresh);
	}
	rows[4] = summarize("cached verify (disk, fresh process)", t, n);

	for (int i = 0; i < n; i++) {
		double a = now_us();
		struct sup_image *im = NULL;
		struct sup_cache *fresh = NULL;
		if (sup_image_open(ref, &im, &err) < 0 ||
		    sup_cache_open(p->cache_dir, &fresh, &err) < 0 ||
		    sup_verify_image_cached(fresh, p, im, &v, &err) < 0 || !v.allow)
			die("end to end", &err);
		sup_cache_close(fresh);
		sup_image_close(im);
		t[i] = now_us() - a;
	}
	rows[5] = summarize("open + disk cache + verify (runtime's path)", t, n);

	printf("| measurement (%d runs) | median µs | p90 µs | mean µs | × baseline |\n", n);
	printf("|---|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < PAL_ARRAY_SIZE(rows); i++)
		printf("| %s | %.1f | %.1f | %.1f | %.2f |\n", rows[i].name, rows[i].median,
		       rows[i].p90, rows[i].mean, rows[i].median / rows[0].median);

	sup_image_close(img);
	sup_policy_free(p);
	EVP_PKEY_free(key);
	pal_rm_rf(tmp, &err);
	free(t);
	free(payload);
	free(sig);
	free(pem);
	free(ptext);
	free(layout);
	free(pub);
	free(policy);
	free(ref);
	return 0;
}
