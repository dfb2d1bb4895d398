/* The asynchronous sink core (queue, drops, backoff, close deadline) through a
 * test transport, and the stream/datagram transports against loopback
 * listeners opened here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strutil.h"
#include "common/timefmt.h"
#include "output/outputs.h"
#include "output/sink_impl.h"

/* ---- a transport whose behaviour the test controls ---- */

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open;	  /* send blocks until open */
	bool interrupted; /* set by interrupt: blocked sends fail */
	int in_send;	  /* sends currently blocked */
	int connect_failures_left;
	int connects, sends, flushes;
	int reconnect_sends_left; /* sends that report a lost connection */
};

static void gate_init(struct gate *g, bool open)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->cond, NULL);
	g->open = open;
}

static void gate_set(struct gate *g, bool open)
{
	pthread_mutex_lock(&g->lock);
	g->open = open;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static void gate_wait_blocked(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	while (g->in_send == 0)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static int t_connect(void *impl, struct pal_err *err)
{
	struct gate *g = impl;
	pthread_mutex_lock(&g->lock);
	g->connects++;
	bool fail = g->connect_failures_left > 0;
	if (fail)
		g->connect_failures_left--;
	pthread_mutex_unlock(&g->lock);
	return fail ? pal_err_set(err, ECONNREFUSED, "test: refused") : 0;
}

static int t_send(void *impl, const struct out_msg *m, struct pal_err *err)
{
	(void)m;
	struct gate *g = impl;
	pthread_mutex_lock(&g->lock);
	g->in_send++;
	pthread_cond_broadcast(&g->cond);
	while (!g->open && !g->interrupted)
		pthread_cond_wait(&g->cond, &g->lock);
	g->in_send--;
	int r = 0;
	if (g->interrupted) {
		r = OUT_SEND_RECONNECT;
		pal_err_set(err, ECANCELED, "test: interrupted");
	} else if (g->reconnect_sends_left > 0) {
		g->reconnect_sends_left--;
		r = OUT_SEND_RECONNECT;
		pal_err_set(err, EPIPE, "test: connection lost");
	} else {
		g->sends++;
	}
	pthread_mutex_unlock(&g->lock);
	return r;
}

static int t_flush(void *impl, struct pal_err *err)
{
	(void)err;
	struct gate *g = impl;
	pthread_mutex_lock(&g->lock);
	g->flushes++;
	pthread_mutex_unlock(&g->lock);
	return 0;
}

static void t_interrupt(void *impl)
{
	struct gate *g = impl;
	pthread_mutex_lock(&g->lock);
	g->interrupted = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

static void t_destroy(void *impl)
{
	(void)impl; /* the gate lives on the test's stack */
}

static const struct out_sink_ops test_ops = {
    .kind = "test",
    .connect = t_connect,
    .send = t_send,
    .flush = t_flush,
    .interrupt = t_interrupt,
    .destroy = t_destroy,
};

static struct out_msg *msg(enum out_priority p)
{
	return out_msg_new(p, 1, "{}", 2);
}

static void queue_overflow_is_counted(void **state)
{
	(void)state;
	struct gate g;
	gate_init(&g, false);
	struct out_sink_opts o = {.queue_capacity = 4};
	struct pal_err err = {0};
	struct out_sink *s = out_sink_new(&test_ops, &g, "test", &o, &err);
	assert_non_null(s);
	struct out_msg *m = msg(OUT_PRIO_WARNING);
	assert_int_equal(out_sink_emit(s, m), 0);
	gate_wait_blocked(&g); /* the worker holds message 1 (still in its slot) */
	int accepted = 0, dropped = 0;
	for (int i = 0; i < 20; i++) {
		int r = out_sink_emit(s, m);
		if (r == 0)
			accepted++;
		else if (r == -ENOBUFS)
			dropped++;
	}
	assert_int_equal(accepted, 3);
	assert_int_equal(dropped, 17);
	struct out_sink_stats st;
	out_sink_get_stats(s, &st);
	assert_int_equal(st.dropped, 17);
	assert_int_equal(st.queued, 4);
	assert_int_equal(st.sent, 0);

	gate_set(&g, true);
	assert_int_equal(out_sink_flush(s, 5000), 0);
	out_sink_get_stats(s, &st);
	assert_int_equal(st.sent, 4);
	assert_int_equal(st.queued, 0);
	assert_true(g.flushes >= 1);
	assert_int_equal(out_sink_close(s, 1000, &st), 0);
	assert_int_equal(st.sent, 4);
	assert_int_equal(st.dropped, 17);
	out_msg_unref(m);
}

static void close_deadline_interrupts_and_counts(void **state)
{
	(void)state;
	struct gate g;
	gate_init(&g, false);
	struct out_sink_opts o = {.queue_capacity = 16};
	struct pal_err err = {0};
	struct out_sink *s = out_sink_new(&test_ops, &g, "test", &o, &err);
	struct out_msg *m = msg(OUT_PRIO_WARNING);
	for (int i = 0; i < 10; i++)
		assert_int_equal(out_sink_emit(s, m), 0);
	gate_wait_blocked(&g);
	uint64_t t0 = pal_time_monotonic_ns();
	struct out_sink_stats st;
	uint64_t dropped = out_sink_close(s, 200, &st);
	uint64_t took_ms = (pal_time_monotonic_ns() - t0) / 1000000;
	assert_true(g.interrupted);
	assert_int_equal(dropped, 10); /* the blocked one was not delivered either */
	assert_int_equal(st.dropped, 10);
	assert_int_equal(st.sent, 0);
	/* Not a performance assertion: a close that ignored its deadline would hang. */
	assert_true(took_ms < 60000);
	out_msg_unref(m);
}

static void connect_failures_back_off_then_deliver(void **state)
{
	(void)state;
	struct gate g;
	gate_init(&g, true);
	g.connect_failures_left = 3;
	g.reconnect_sends_left = 1;
	struct out_sink_opts o = {.backoff_min_ms = 1, .backoff_max_ms = 4};
	struct pal_err err = {0};
	struct out_sink *s = out_sink_new(&test_ops, &g, "test", &o, &err);
	struct out_msg *m = msg(OUT_PRIO_WARNING);
	for (int i = 0; i < 3; i++)
		assert_int_equal(out_sink_emit(s, m), 0);
	assert_int_equal(out_sink_flush(s, 10000), 0);
	struct out_sink_stats st;
	out_sink_get_stats(s, &st);
	assert_int_equal(st.sent, 3);
	assert_int_equal(st.errors, 4);	    /* 3 refused connects, 1 lost connection */
	assert_int_equal(st.reconnects, 1); /* the connect after the lost connection */
	assert_int_equal(st.failed, 0);	    /* the interrupted message was sent again */
	assert_int_equal(g.connects, 5);
	char last[256];
	out_sink_last_error(s, last, sizeof(last));
	assert_non_null(strstr(last, "connection lost"));
	out_sink_close(s, 1000, NULL);
	out_msg_unref(m);
}

static void poison_message_is_given_up(void **state)
{
	(void)state;
	struct gate g;
	gate_init(&g, true);
	g.reconnect_sends_left = 3;
	struct out_sink_opts o = {.backoff_min_ms = 1, .backoff_max_ms = 2, .max_attempts = 3};
	struct pal_err err = {0};
	struct out_sink *s = out_sink_new(&test_ops, &g, "test", &o, &err);
	struct out_msg *m = msg(OUT_PRIO_WARNING);
	assert_int_equal(out_sink_emit(s, m), 0);
	assert_int_equal(out_sink_emit(s, m), 0);
	assert_int_equal(out_sink_flush(s, 10000), 0);
	struct out_sink_stats st;
	out_sink_close(s, 1000, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.sent, 1);
	out_msg_unref(m);
}

static void min_priority_filters(void **state)
{
	(void)state;
	struct gate g;
	gate_init(&g, true);
	struct out_sink_opts o = {.min_priority_set = true, .min_priority = OUT_PRIO_ERROR};
	struct pal_err err = {0};
	struct out_sink *s = out_sink_new(&test_ops, &g, "test", &o, &err);
	struct out_msg *warn = msg(OUT_PRIO_WARNING), *crit = msg(OUT_PRIO_CRITICAL);
	assert_int_equal(out_sink_emit(s, warn), 1);
	assert_int_equal(out_sink_emit(s, crit), 0);
	struct out_sink_stats st;
	out_sink_close(s, 1000, &st);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.dropped, 0);
	out_msg_unref(warn);
	out_msg_unref(crit);
}

/* ---- real transports on loopback ---- */

static int listen_tcp(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 8), 0);
	socklen_t sl = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	*port = ntohs(sa.sin_port);
	return fd;
}

static size_t read_until(int fd, char *buf, size_t cap, size_t want)
{
	size_t got = 0;
	while (got < want && got < cap) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 10000) <= 0)
			break;
		ssize_t n = read(fd, buf + got, cap - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

static struct out_alert *sample_alert(struct out_alert *a, int i)
{
	out_alert_init(a);
	a->time_ns = 1618597516746609046ull;
	a->rule = pal_xstrdup("Terminal shell in container");
	a->priority = OUT_PRIO_CRITICAL;
	a->output = pal_xasprintf("shell %d", i);
	return a;
}

static void syslog_tcp_octet_counting(void **state)
{
	(void)state;
	uint16_t port;
	int lfd = listen_tcp(&port);
	char addr[64];
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	struct out_syslog_opts so;
	out_syslog_opts_init(&so);
	so.transport = OUT_SYSLOG_TCP;
	so.address = addr;
	so.hostname = "node-1";
	so.facility = 10; /* authpriv */
	struct pal_err err = {0};
	struct out_outputs *outs = out_outputs_new("node-1");
	struct out_sink *s = out_sink_syslog_new(&so, NULL, &err);
	assert_non_null(s);
	out_outputs_add(outs, s);
	for (int i = 0; i < 2; i++) {
		struct out_alert a;
		assert_int_equal(out_outputs_publish(outs, sample_alert(&a, i)), 0);
		out_alert_clear(&a);
	}
	int cfd = accept(lfd, NULL, NULL);
	assert_true(cfd >= 0);
	assert_int_equal(out_outputs_flush(outs, 10000), 0);
	char buf[8192];
	size_t n = read_until(cfd, buf, sizeof(buf) - 1, 400);
	buf[n] = '\0';
	/* Two frames: "LEN SP <82>1 2021-…" (authpriv*8 + Critical 2 = 82). */
	char *p = buf;
	for (int i = 0; i < 2; i++) {
		char *sp = strchr(p, ' ');
		assert_non_null(sp);
		size_t len = strtoul(p, NULL, 10);
		char *frame = sp + 1;
		assert_true(frame + len <= buf + n);
		assert_true(pal_str_starts_with(frame, "<82>1 2021-04-16T18:25:16.746609Z node-1 "
						       "palisade "));
		char want[64];
		snprintf(want, sizeof(want), "shell %d\"", i);
		char *end = frame + len;
		char saved = *end;
		*end = '\0';
		assert_non_null(strstr(frame, " alert - {\"action\":[]"));
		assert_non_null(strstr(frame, want));
		assert_int_equal(end[-1], '}');
		*end = saved;
		p = end;
	}
	assert_true(p == buf + n);
	struct out_sink_stats st[1];
	out_outputs_close(outs, 2000, st);
	assert_int_equal(st[0].sent, 2);
	close(cfd);
	close(lfd);
}

static void syslog_tcp_reconnects_after_server_restart(void **state)
{
	(void)state;
	uint16_t port;
	int lfd = listen_tcp(&port);
	char addr[64];
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	struct out_syslog_opts so;
	out_syslog_opts_init(&so);
	so.transport = OUT_SYSLOG_TCP;
	so.address = addr;
	struct out_sink_opts o = {.backoff_min_ms = 10, .backoff_max_ms = 50, .max_attempts = 100};
	struct pal_err err = {0};
	struct out_sink *s = out_sink_syslog_new(&so, &o, &err);
	struct out_msg *m = msg(OUT_PRIO_WARNING);
	assert_int_equal(out_sink_emit(s, m), 0);
	int cfd = accept(lfd, NULL, NULL);
	assert_int_equal(out_sink_flush(s, 10000), 0);
	char buf[512];
	assert_true(read_until(cfd, buf, sizeof(buf), 10) > 0);
	/* The server goes away: the next sends fail, the sink reconnects. */
	close(cfd);
	for (int i = 0; i < 20; i++) {
		out_sink_emit(s, m);
		usleep(5000);
	}
	cfd = accept(lfd, NULL, NULL);
	assert_true(cfd >= 0);
	assert_int_equal(out_sink_flush(s, 10000), 0);
	struct out_sink_stats st;
	out_sink_get_stats(s, &st);
	assert_true(st.reconnects >= 1);
	assert_true(st.errors >= 1);
	out_sink_close(s, 1000, &st);
	close(cfd);
	close(lfd);
	out_msg_unref(m);
}

static void syslog_unix_and_udp_datagrams(void **state)
{
	(void)state;
	char dir[] = "/tmp/pal-sink-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = pal_xasprintf("%s/log.sock", dir);
	int ufd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_int_equal(bind(ufd, (struct sockaddr *)&sun, sizeof(sun)), 0);

	int dfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	assert_int_equal(bind(dfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	getsockname(dfd, (struct sockaddr *)&sa, &sl);
	char addr[64];
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", ntohs(sa.sin_port));

	struct out_syslog_opts so;
	out_syslog_opts_init(&so);
	so.hostname = "h";
	struct pal_err err = {0};
	so.transport = OUT_SYSLOG_UNIX;
	so.address = path;
	struct out_sink *su = out_sink_syslog_new(&so, NULL, &err);
	so.transport = OUT_SYSLOG_UDP;
	so.address = addr;
	struct out_sink *sd = out_sink_syslog_new(&so, NULL, &err);
	assert_non_null(su);
	assert_non_null(sd);
	struct out_msg *m = out_msg_new(OUT_PRIO_NOTICE, 0, "{\"k\":1}", 7);
	out_sink_emit(su, m);
	out_sink_emit(sd, m);
	char want[128];
	snprintf(want, sizeof(want),
		 "<13>1 1970-01-01T00:00:00.000000Z h palisade %d alert - {\"k\":1}",
		 (int)getpid());
	int fds[2] = {ufd, dfd};
	for (int i = 0; i < 2; i++) {
		char buf[512];
		struct pollfd p = {.fd = fds[i], .events = POLLIN};
		assert_int_equal(poll(&p, 1, 10000), 1);
		ssize_t n = recv(fds[i], buf, sizeof(buf) - 1, 0);
		assert_true(n > 0);
		buf[n] = '\0';
		assert_string_equal(buf, want); /* one message per datagram, no framing */
	}
	out_sink_close(su, 1000, NULL);
	out_sink_close(sd, 1000, NULL);
	out_msg_unref(m);
	close(ufd);
	close(dfd);
	unlink(path);
	rmdir(dir);
	free(path);
}

static void file_sink_appends_and_reopens(void **state)
{
	(void)state;
	char dir[] = "/tmp/pal-file-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = pal_xasprintf("%s/alerts.json", dir);
	char *rotated = pal_xasprintf("%s/alerts.json.1", dir);
	struct pal_err err = {0};
	struct out_sink *s = out_sink_file_new(path, NULL, &err);
	assert_non_null(s);
	struct out_msg *m1 = out_msg_new(OUT_PRIO_NOTICE, 0, "{\"n\":1}", 7);
	struct out_msg *m2 = out_msg_new(OUT_PRIO_NOTICE, 0, "{\"n\":2}", 7);
	out_sink_emit(s, m1);
	assert_int_equal(out_sink_flush(s, 5000), 0);
	assert_int_equal(rename(path, rotated), 0);
	out_sink_reopen(s);
	out_sink_emit(s, m2);
	assert_int_equal(out_sink_flush(s, 5000), 0);
	char *a = NULL, *b = NULL;
	size_t len;
	assert_int_equal(pal_read_file(rotated, 4096, &a, &len, &err), 0);
	assert_int_equal(pal_read_file(path, 4096, &b, &len, &err), 0);
	assert_string_equal(a, "{\"n\":1}\n");
	assert_string_equal(b, "{\"n\":2}\n");
	out_sink_close(s, 1000, NULL);
	out_msg_unref(m1);
	out_msg_unref(m2);
	free(a);
	free(b);
	pal_rm_rf(dir, &err);
	free(path);
	free(rotated);
}

static void constructors_validate(void **state)
{
	(void)state;
	struct pal_err err = {0};
	struct out_syslog_opts so;
	out_syslog_opts_init(&so);
	so.transport = OUT_SYSLOG_TCP;
	so.address = "127.0.0.1";
	assert_null(out_sink_syslog_new(&so, NULL, &err));
	assert_non_null(strstr(err.msg, "host:port"));
	so.transport = OUT_SYSLOG_TLS;
	so.address = "127.0.0.1:6514";
	assert_null(out_sink_syslog_new(&so, NULL, &err));
	assert_non_null(strstr(err.msg, "CA file"));
	struct out_http_opts h = {.url = "ftp://x/"};
	assert_null(out_sink_http_new(&h, NULL, &err));
	char *bad_headers[] = {"X-Ok: 1", "Broken\r\nInjected: yes", NULL};
	h.url = "http://127.0.0.1:1/";
	h.headers = bad_headers;
	assert_null(out_sink_http_new(&h, NULL, &err));
	assert_non_null(strstr(err.msg, "one line"));
	struct out_nats_opts n = {.url = "nats://127.0.0.1:4222", .subject = "alerts.>"};
	assert_null(out_sink_nats_new(&n, NULL, &err));
	assert_null(out_sink_file_new("/nonexistent-dir/x/alerts.json", NULL, &err));
	assert_non_null(strstr(err.msg, "/nonexistent-dir/x/alerts.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(queue_overflow_is_counted),
	    cmocka_unit_test(close_deadline_interrupts_and_counts),
	    cmocka_unit_test(connect_failures_back_off_then_deliver),
	    cmocka_unit_test(poison_message_is_given_up),
	    cmocka_unit_test(min_priority_filters),
	    cmocka_unit_test(syslog_tcp_octet_counting),
	    cmocka_unit_test(syslog_tcp_reconnects_after_server_restart),
	    cmocka_unit_test(syslog_unix_and_udp_datagrams),
	    cmocka_unit_test(file_sink_appends_and_reopens),
	    cmocka_unit_test(constructors_validate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
