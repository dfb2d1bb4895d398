#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/strutil.h"
#include "output/metrics.h"
#include "output/outputs.h"

static void render_exact(void **state)
{
	(void)state;
	struct out_metrics *m = out_metrics_new();
	struct pal_err err = {0};
	struct out_metric_family *ev = out_metrics_family(
	    m, OUT_METRIC_COUNTER, "palisade_events_total", "Kernel events read", &err);
	struct out_metric_family *q =
	    out_metrics_family(m, OUT_METRIC_GAUGE, "palisade_queue_depth",
			       "Depth with \\ backslash\nand newline", &err);
	const char *l1[] = {"source", "syscall", NULL};
	const char *l2[] = {"source", "weird \"q\" \\ \n", "x", "y", NULL};
	out_metric_inc(out_metric_series(ev, l1));
	out_metric_add(out_metric_series(ev, l1), 2);
	out_metric_add(out_metric_series(ev, l2), 0.5);
	out_metric_set(out_metric_series(q, NULL), -3);
	char *text = out_metrics_render(m);
	assert_string_equal(
	    text, "# HELP palisade_events_total Kernel events read\n"
		  "# TYPE palisade_events_total counter\n"
		  "palisade_events_total{source=\"syscall\"} 3\n"
		  "palisade_events_total{source=\"weird \\\"q\\\" \\\\ \\n\",x=\"y\"} 0.5\n"
		  "# HELP palisade_queue_depth Depth with \\\\ backslash\\nand newline\n"
		  "# TYPE palisade_queue_depth gauge\n"
		  "palisade_queue_depth -3\n");
	free(text);
	/* Same series object for the same labels; special values. */
	assert_ptr_equal(out_metric_series(ev, l1), out_metric_series(ev, l1));
	out_metric_set(out_metric_series(q, NULL), INFINITY);
	text = out_metrics_render(m);
	assert_non_null(strstr(text, "palisade_queue_depth +Inf\n"));
	free(text);
	out_metrics_free(m);
}

static void family_rules(void **state)
{
	(void)state;
	struct out_metrics *m = out_metrics_new();
	struct pal_err err = {0};
	assert_null(out_metrics_family(m, OUT_METRIC_GAUGE, "9bad", "", &err));
	assert_null(out_metrics_family(m, OUT_METRIC_GAUGE, "bad-name", "", &err));
	struct out_metric_family *a = out_metrics_family(m, OUT_METRIC_GAUGE, "ok:x_1", "", &err);
	assert_non_null(a);
	assert_ptr_equal(out_metrics_family(m, OUT_METRIC_GAUGE, "ok:x_1", "", &err), a);
	assert_null(out_metrics_family(m, OUT_METRIC_COUNTER, "ok:x_1", "", &err));
	assert_int_equal(err.code, EEXIST);
	out_metrics_free(m);
}

static size_t collect_body(char *p, size_t size, size_t n, void *ud)
{
	pal_buf_append(ud, p, size * n);
	return size * n;
}

static long http_get(const char *url, struct pal_buf *body)
{
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	return status;
}

static void served_with_sink_counters(void **state)
{
	(void)state;
	struct out_metrics *m = out_metrics_new();
	struct out_outputs *outs = out_outputs_new("h");
	struct pal_err err = {0};
	struct out_sink *s = out_sink_file_new("/dev/null", NULL, &err);
	assert_non_null(s);
	out_outputs_add(outs, s);
	out_outputs_register_metrics(outs, m);
	for (int i = 0; i < 3; i++)
		out_outputs_publish_json(outs, OUT_PRIO_ERROR, 0, "{}", 2);
	assert_int_equal(out_outputs_flush(outs, 5000), 0);

	struct out_metrics_server *srv = out_metrics_serve(m, "127.0.0.1:0", &err);
	assert_non_null(srv);
	uint16_t port = out_metrics_server_port(srv);
	assert_true(port > 0);
	char url[128];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/metrics", port);
	struct pal_buf body;
	pal_buf_init(&body);
	assert_int_equal(http_get(url, &body), 200);
	assert_non_null(strstr(body.data, "# TYPE palisade_output_sent_total counter\n"));
	assert_non_null(strstr(body.data, "palisade_output_sent_total{sink=\"file:/dev/null\","
					  "kind=\"file\"} 3\n"));
	assert_non_null(strstr(body.data, "palisade_output_dropped_total{sink=\"file:/dev/null\","
					  "kind=\"file\"} 0\n"));
	pal_buf_reset(&body);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/other", port);
	assert_int_equal(http_get(url, &body), 404);
	pal_buf_free(&body);

	out_metrics_server_stop(srv);
	out_outputs_unregister_metrics(outs, m);
	out_outputs_close(outs, 1000, NULL);
	out_metrics_free(m);
	assert_null(out_metrics_serve(m = out_metrics_new(), "nonsense", &err));
	out_metrics_free(m);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(render_exact),
	    cmocka_unit_test(family_rules),
	    cmocka_unit_test(served_with_sink_counters),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return r;
}
