/* HTTP sink: POSTs each alert's JSON to a URL, the way Falco's http_output
 * feeds falcosidekick (POST / with Content-Type: application/json). */
#include "sink_impl.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct http_sink {
	CURL *curl;
	struct curl_slist *headers;
	char *url;
	char *ca_file;
	char *user_agent;
	uint32_t timeout_ms;
	atomic_bool aborted;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void curl_init_once(void)
{
	curl_init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

static int progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	struct http_sink *h = ud;
	return atomic_load(&h->aborted) ? 1 : 0;
}

static int http_setup(struct http_sink *h, struct pal_err *err)
{
	h->curl = curl_easy_init();
	if (!h->curl)
		return pal_err_set(err, ENOMEM, "http output: curl_easy_init failed");
	CURL *c = h->curl;
	curl_easy_setopt(c, CURLOPT_URL, h->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, h->user_agent);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)h->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)h->timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
	return 0;
}

static int http_send(void *impl, const struct out_msg *m, struct pal_err *err)
{
	struct http_sink *h = impl;
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, m->json);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)m->len);
	h->errbuf[0] = '\0';
	CURLcode rc = curl_easy_perform(h->curl);
	if (rc != CURLE_OK) {
		pal_err_set(err, EIO, "POST %s: %s", h->url,
			    h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
		switch (rc) {
		case CURLE_URL_MALFORMAT:
		case CURLE_UNSUPPORTED_PROTOCOL:
			return -EINVAL;
		default:
			/* Connection trouble, timeouts, TLS failures: retry with backoff. */
			return OUT_SEND_RECONNECT;
		}
	}
	long status = 0;
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300)
		return 0;
	pal_err_set(err, EIO, "POST %s: server answered HTTP %ld", h->url, status);
	/* Overload and server errors may pass later; other refusals will not. */
	if (status >= 500 || status == 429 || status == 408)
		return OUT_SEND_RECONNECT;
	return -EIO;
}

static void http_interrupt(void *impl)
{
	struct http_sink *h = impl;
	atomic_store(&h->aborted, true);
}

static void http_destroy(void *impl)
{
	struct http_sink *h = impl;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	free(h->url);
	free(h->ca_file);
	free(h->user_agent);
	free(h);
}

static const struct out_sink_ops http_ops = {
    .kind = "http",
    .send = http_send,
    .interrupt = http_interrupt,
    .destroy = http_destroy,
};

static bool header_ok(const char *hdr)
{
	const char *colon = strchr(hdr, ':');
	if (!colon || colon == hdr)
		return false;
	for (const char *p = hdr; *p; p++)
		if (*p == '\r' || *p == '\n')
			return false;
	return true;
}

struct out_sink *out_sink_http_new(const struct out_http_opts *ho, const struct out_sink_opts *opts,
				   struct pal_err *err)
{
	if (!ho->url || !(pal_str_starts_with(ho->url, "http://") ||
			  pal_str_starts_with(ho->url, "https://"))) {
		pal_err_set(err, EINVAL,
			    "http output: url '%s' must start with http:// or https://",
			    ho->url ? ho->url : "");
		return NULL;
	}
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_result != CURLE_OK) {
		pal_err_set(err, EIO, "http output: curl_global_init: %s",
			    curl_easy_strerror(curl_init_result));
		return NULL;
	}
	struct http_sink *h = pal_xcalloc(1, sizeof(*h));
	atomic_init(&h->aborted, false);
	h->url = pal_xstrdup(ho->url);
	h->ca_file = ho->ca_file ? pal_xstrdup(ho->ca_file) : NULL;
	h->user_agent = ho->user_agent ? pal_xstrdup(ho->user_agent)
				       : pal_xasprintf("palisade/%s", PAL_VERSION);
	h->timeout_ms = out_sink_opts_timeout_ms(opts);
	h->headers = curl_slist_append(NULL, "Content-Type: application/json");
	/* Disable curl's "Expect: 100-continue", which stalls each POST for 1 s on
	 * servers that never answer it. */
	h->headers = curl_slist_append(h->headers, "Expect:");
	for (char *const *p = ho->headers; p && *p; p++) {
		if (!header_ok(*p)) {
			pal_err_set(err, EINVAL,
				    "http output: header '%s' must read 'Name: value' on one line",
				    *p);
			http_destroy(h);
			return NULL;
		}
		h->headers = curl_slist_append(h->headers, *p);
	}
	if (http_setup(h, err) < 0) {
		http_destroy(h);
		return NULL;
	}
	_cleanup_free_ char *name = pal_xasprintf("http:%s", ho->url);
	return out_sink_new(&http_ops, h, name, opts, err);
}
