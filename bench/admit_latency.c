/* Webhook decision latency over loopback TLS, as the API server sees it:
 * POST /validate on a kept-alive HTTPS connection, against GET /healthz on
 * the same server in the same run (the cost of TLS, HTTP and the server
 * loop without a decision). Also: a fresh TLS connection per request, and
 * throughput with several client threads.
 *
 * Usage: bench_admit_latency BASE_URL CA_FILE N REVIEW_FILE...
 * (BASE_URL https://127.0.0.1:PORT; each review file is one row.) */
#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct body {
	char *data;
	size_t len;
};

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct body read_file(const char *path)
{
	struct body b = {0};
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b.data = malloc((size_t)n + 1);
	if (!b.data || fread(b.data, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: read failed\n", path);
		exit(1);
	}
	b.len = (size_t)n;
	fclose(f);
	return b;
}

static CURL *handle(const char *ca, const char *url, const struct body *post,
		    struct curl_slist *headers)
{
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (post) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, post->data);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)post->len);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	}
	return c;
}

static void perform(CURL *c)
{
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK || status != 200) {
		fprintf(stderr, "request failed: %s, HTTP %ld\n", curl_easy_strerror(rc), status);
		exit(1);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

struct stats {
	double p50, p99, mean, rps;
};

static struct stats summarize(uint64_t *lat, size_t n, uint64_t total_ns)
{
	qsort(lat, n, sizeof(*lat), cmp_u64);
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += (double)lat[i];
	struct stats s = {.p50 = (double)lat[n / 2] / 1000.0,
			  .p99 = (double)lat[(n * 99) / 100] / 1000.0,
			  .mean = sum / (double)n / 1000.0,
			  .rps = (double)n / ((double)total_ns / 1e9)};
	return s;
}

/* n requests one after another; fresh: a new connection (and TLS handshake) each time. */
static struct stats serial(const char *ca, const char *url, const struct body *post,
			   struct curl_slist *headers, size_t n, bool fresh)
{
	uint64_t *lat = calloc(n, sizeof(*lat));
	CURL *c = handle(ca, url, post, headers);
	if (fresh)
		curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	perform(c); /* warm: connection, TLS session, server caches */
	uint64_t start = now_ns();
	for (size_t i = 0; i < n; i++) {
		uint64_t t = now_ns();
		perform(c);
		lat[i] = now_ns() - t;
	}
	uint64_t total = now_ns() - start;
	curl_easy_cleanup(c);
	struct stats s = summarize(lat, n, total);
	free(lat);
	return s;
}

struct worker {
	const char *ca, *url;
	const struct body *post;
	struct curl_slist *headers;
	size_t n;
	uint64_t *lat;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	CURL *c = handle(w->ca, w->url, w->post, w->headers);
	perform(c);
	for (size_t i = 0; i < w->n; i++) {
		uint64_t t = now_ns();
		perform(c);
		w->lat[i] = now_ns() - t;
	}
	curl_easy_cleanup(c);
	return NULL;
}

static struct stats parallel(const char *ca, const char *url, const struct body *post,
			     struct curl_slist *headers, size_t n, int threads)
{
	struct worker w[16];
	pthread_t tid[16];
	uint64_t *lat = calloc(n * (size_t)threads, sizeof(*lat));
	uint64_t start = now_ns();
	for (int i = 0; i < threads; i++) {
		w[i] = (struct worker){ca, url, post, headers, n, lat + (size_t)i * n};
		pthread_create(&tid[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	uint64_t total = now_ns() - start;
	struct stats s = summarize(lat, n * (size_t)threads, total);
	free(lat);
	return s;
}

static void row(const char *what, struct stats s, double base_p50)
{
	printf("| %s | %.0f | %.1f | %.1f | %.1f | %.2f |\n", what, s.rps, s.p50, s.p99, s.mean,
	       s.p50 / base_p50);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s BASE_URL CA_FILE N REVIEW_FILE...\n", argv[0]);
		return 2;
	}
	const char *base = argv[1], *ca = argv[2];
	size_t n = strtoul(argv[3], NULL, 10);
	if (n < 100) {
		fprintf(stderr, "N must be at least 100\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	char healthz[512], validate[512];
	snprintf(healthz, sizeof(healthz), "%s/healthz", base);
	snprintf(validate, sizeof(validate), "%s/validate", base);
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	printf(
	    "| request (%zu each, one client unless noted) | req/s | p50 µs | p99 µs | mean µs | "
	    "p50 × baseline |\n|---|---:|---:|---:|---:|---:|\n",
	    n);
	struct stats b = serial(ca, healthz, NULL, NULL, n, false);
	row("baseline: GET /healthz, kept-alive TLS", b, b.p50);
	struct body first = {0};
	for (int i = 4; i < argc; i++) {
		struct body rv = read_file(argv[i]);
		const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		char what[256];
		snprintf(what, sizeof(what), "POST /validate %s", name);
		row(what, serial(ca, validate, &rv, headers, n, false), b.p50);
		if (!first.data)
			first = rv;
		else
			free(rv.data);
	}
	row("GET /healthz, new TLS connection each", serial(ca, healthz, NULL, NULL, n / 10, true),
	    b.p50);
	char what[256];
	snprintf(what, sizeof(what), "POST /validate %s, new TLS connection each",
		 strrchr(argv[4], '/') ? strrchr(argv[4], '/') + 1 : argv[4]);
	row(what, serial(ca, validate, &first, headers, n / 10, true), b.p50);
	snprintf(what, sizeof(what), "POST /validate %s, 4 clients",
		 strrchr(argv[4], '/') ? strrchr(argv[4], '/') + 1 : argv[4]);
	row(what, parallel(ca, validate, &first, headers, n / 4, 4), b.p50);
	free(first.data);
	curl_slist_free_all(headers);
	curl_global_cleanup();
	return 0;
}
