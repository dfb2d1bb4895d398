#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strutil.h"
#include "output/audit.h"

struct fixture {
	char dir[64];
	char *log;
	char *key;
};

static int setup(void **state)
{
	struct fixture *f = pal_xcalloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/pal-audit-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->log = pal_xasprintf("%s/sub/audit.log", f->dir);
	f->key = pal_xasprintf("%s/key", f->dir);
	FILE *k = fopen(f->key, "w");
	fputs("0123456789abcdef0123456789abcdef", k);
	fclose(k);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct pal_err err;
	pal_rm_rf(f->dir, &err);
	free(f->log);
	free(f->key);
	free(f);
	return 0;
}

static void append_n(const char *log, const char *key, int n)
{
	struct out_audit_opts o = {.path = log, .key_file = key};
	struct out_audit *a = NULL;
	struct pal_err err = {0};
	assert_int_equal(out_audit_open(&o, &a, &err), 0);
	for (int i = 0; i < n; i++) {
		json_t *p = json_pack("{s:i, s:s}", "i", i, "rule", "Terminal shell");
		uint64_t seq = 0;
		assert_int_equal(out_audit_append(a, i % 2 ? "action" : "alert", p, &seq, &err), 0);
		assert_true(seq > 0);
		json_decref(p);
	}
	out_audit_close(a);
}

static void verify(const char *log, const char *key, struct out_audit_report *rep)
{
	struct pal_err err = {0};
	assert_int_equal(out_audit_verify_file(log, key, rep, &err), 0);
}

/* Rewrites line `lineno` (1-based) through fn, or deletes it when fn is NULL. */
static void edit_line(const char *path, int lineno, void (*fn)(char *line))
{
	char *data = NULL;
	size_t len = 0;
	struct pal_err err;
	assert_int_equal(pal_read_file(path, 1 << 24, &data, &len, &err), 0);
	struct pal_buf out;
	pal_buf_init(&out);
	int n = 0;
	for (char *p = data, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (++n == lineno) {
			if (!fn)
				continue;
			fn(p);
		}
		pal_buf_puts(&out, p);
		pal_buf_putc(&out, '\n');
	}
	FILE *f = fopen(path, "w");
	fwrite(out.data, 1, out.len, f);
	fclose(f);
	pal_buf_free(&out);
	free(data);
}

static void change_payload(char *line)
{
	char *p = strstr(line, "\"i\":");
	assert_non_null(p);
	p[4] = p[4] == '9' ? '8' : '9'; /* same length, different value */
}

static void chain_verifies(void **state)
{
	struct fixture *f = *state;
	append_n(f->log, NULL, 5);
	append_n(f->log, NULL, 3); /* a second writer continues the same chain */
	struct out_audit_report rep;
	verify(f->log, NULL, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_VALID);
	assert_int_equal(rep.records, 8);
	assert_int_equal(rep.last_seq, 8);
	struct stat st;
	assert_int_equal(stat(f->log, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void tampered_middle_line_is_named(void **state)
{
	struct fixture *f = *state;
	append_n(f->log, NULL, 6);
	edit_line(f->log, 4, change_payload);
	struct out_audit_report rep;
	verify(f->log, NULL, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_INVALID);
	assert_int_equal(rep.bad_line, 4);
	assert_int_equal(rep.records, 3);
	assert_non_null(strstr(rep.what, "hash mismatch"));
}

static void deleted_line_is_detected(void **state)
{
	struct fixture *f = *state;
	append_n(f->log, NULL, 6);
	edit_line(f->log, 3, NULL);
	struct out_audit_report rep;
	verify(f->log, NULL, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_INVALID);
	assert_int_equal(rep.bad_line, 3);
	assert_non_null(strstr(rep.what, "seq 4 where 3 was expected"));
}

static void deleted_first_line_is_detected(void **state)
{
	struct fixture *f = *state;
	append_n(f->log, NULL, 3);
	edit_line(f->log, 1, NULL);
	struct out_audit_report rep;
	verify(f->log, NULL, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_INVALID);
	assert_int_equal(rep.bad_line, 1);
}

static char replacement[8192];
static void swap_in_replacement(char *line)
{
	strcpy(line, replacement);
}

/* An attacker who rewrites a record and recomputes its hash (possible
 * without a key) still breaks the link from the next record. */
static void recomputed_hash_breaks_next_link(void **state)
{
	struct fixture *f = *state;
	append_n(f->log, NULL, 2);
	/* A different log's record 2 has a valid hash of its own, and seq 2. */
	char *other = pal_xasprintf("%s/other.log", f->dir);
	append_n(other, NULL, 2);
	char *data = NULL;
	size_t len;
	struct pal_err err;
	assert_int_equal(pal_read_file(other, 1 << 20, &data, &len, &err), 0);
	char *second = strchr(data, '\n') + 1;
	*strchr(second, '\n') = '\0';
	snprintf(replacement, sizeof(replacement), "%s", second);
	free(data);
	append_n(f->log, NULL, 1);
	edit_line(f->log, 2, swap_in_replacement);
	struct out_audit_report rep;
	verify(f->log, NULL, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_INVALID);
	/* record 2 is self-consistent and has the right seq, but its prev differs */
	assert_int_equal(rep.bad_line, 2);
	assert_non_null(strstr(rep.what, "prev does not match"));
	free(other);
}

static void torn_last_line_is_reported_and_repaired(void **state)
{
	struct fixture *f = *state;
	append_n(f->log, NULL, 4);
	int fd = open(f->log, O_WRONLY | O_APPEND);
	const char frag[] = "{\"alg\":\"sha256\",\"hash\":\"12";
	assert_int_equal(write(fd, frag, sizeof(frag) - 1), (ssize_t)sizeof(frag) - 1);
	close(fd);

	struct out_audit_report rep;
	verify(f->log, NULL, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_TORN);
	assert_int_equal(rep.records, 4);
	assert_int_equal(rep.bad_line, 5);
	assert_int_equal(rep.torn_bytes, sizeof(frag) - 1);

	/* The next writer cuts the fragment and records that in the chain. */
	append_n(f->log, NULL, 1);
	verify(f->log, NULL, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_VALID);
	assert_int_equal(rep.records, 6);
	char *data = NULL;
	size_t len;
	struct pal_err err;
	assert_int_equal(pal_read_file(f->log, 1 << 20, &data, &len, &err), 0);
	assert_non_null(strstr(data, "\"type\":\"audit_torn_tail\""));
	assert_non_null(strstr(data, "\"bytes\":26"));
	free(data);
}

static void hmac_mode(void **state)
{
	struct fixture *f = *state;
	append_n(f->log, f->key, 4);
	struct out_audit_report rep;
	verify(f->log, f->key, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_VALID);
	assert_int_equal(rep.records, 4);

	/* Without the key: refused with a pointer to --key, not "OK". */
	verify(f->log, NULL, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_INVALID);
	assert_int_equal(rep.bad_line, 1);
	assert_non_null(strstr(rep.what, "--key"));

	/* Wrong key: first record's hash mismatches. */
	char *wrong = pal_xasprintf("%s/wrong", f->dir);
	FILE *k = fopen(wrong, "w");
	fputs("fedcba9876543210fedcba9876543210", k);
	fclose(k);
	verify(f->log, wrong, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_INVALID);
	assert_int_equal(rep.bad_line, 1);
	assert_non_null(strstr(rep.what, "hash mismatch"));
	free(wrong);

	/* An unkeyed record appended to a keyed log (someone without the key) is caught. */
	append_n(f->log, NULL, 1);
	verify(f->log, f->key, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_INVALID);
	assert_int_equal(rep.bad_line, 5);
	assert_non_null(strstr(rep.what, "unkeyed"));
}

static void short_key_and_bad_type_are_refused(void **state)
{
	struct fixture *f = *state;
	FILE *k = fopen(f->key, "w");
	fputs("short", k);
	fclose(k);
	struct out_audit_opts o = {.path = f->log, .key_file = f->key};
	struct out_audit *a = NULL;
	struct pal_err err = {0};
	assert_int_equal(out_audit_open(&o, &a, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "5 bytes"));

	o.key_file = NULL;
	assert_int_equal(out_audit_open(&o, &a, &err), 0);
	assert_int_equal(out_audit_append(a, "Bad Type", NULL, NULL, &err), -EINVAL);
	assert_int_equal(out_audit_append(a, "policy_reload", NULL, NULL, &err), 0);
	out_audit_close(a);
}

static void corrupt_tail_blocks_writer(void **state)
{
	struct fixture *f = *state;
	append_n(f->log, NULL, 2);
	FILE *l = fopen(f->log, "a");
	fputs("not json\n", l);
	fclose(l);
	struct out_audit_opts o = {.path = f->log};
	struct out_audit *a = NULL;
	struct pal_err err = {0};
	assert_int_equal(out_audit_open(&o, &a, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "audit verify"));
}

struct thread_arg {
	const char *log;
	int n;
};

static void *thread_writer(void *p)
{
	struct thread_arg *t = p;
	append_n(t->log, NULL, t->n);
	return NULL;
}

static void concurrent_writers_keep_one_chain(void **state)
{
	struct fixture *f = *state;
	append_n(f->log, NULL, 1);
	/* Two processes, each with two threads sharing one handle... and separate handles. */
	pid_t kids[2];
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		assert_true(kids[k] >= 0);
		if (kids[k] == 0) {
			struct out_audit_opts o = {.path = f->log, .sync = OUT_AUDIT_SYNC_NONE};
			struct out_audit *a = NULL;
			struct pal_err err = {0};
			if (out_audit_open(&o, &a, &err) < 0)
				_exit(1);
			for (int i = 0; i < 50; i++)
				if (out_audit_append(a, "admission", NULL, NULL, &err) < 0)
					_exit(1);
			out_audit_close(a);
			_exit(0);
		}
	}
	pthread_t th[2];
	struct thread_arg ta = {.log = f->log, .n = 25};
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, thread_writer, &ta);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (int k = 0; k < 2; k++) {
		int status;
		assert_int_equal(waitpid(kids[k], &status, 0), kids[k]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	struct out_audit_report rep;
	verify(f->log, NULL, &rep);
	assert_int_equal(rep.verdict, OUT_AUDIT_VALID);
	assert_int_equal(rep.records, 1 + 100 + 50);
}

static void verify_stream_rejects_garbage(void **state)
{
	(void)state;
	const char *cases[] = {
	    "[]\n",
	    "{\"seq\":1}\n",
	    "{\"alg\":\"md5\",\"hash\":\"" /* 64 zeros */
	    "0000000000000000000000000000000000000000000000000000000000000000\","
	    "\"payload\":null,\"prev\":"
	    "\"0000000000000000000000000000000000000000000000000000000000000000\","
	    "\"seq\":1,\"time\":\"t\",\"type\":\"x\"}\n",
	    "{\"a\":1,\"a\":2}\n",
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fmemopen((void *)cases[i], strlen(cases[i]), "r");
		struct out_audit_report rep;
		out_audit_verify_stream(f, NULL, 0, &rep);
		fclose(f);
		assert_int_equal(rep.verdict, OUT_AUDIT_INVALID);
		assert_int_equal(rep.bad_line, 1);
	}
	/* An empty log is valid with zero records. */
	FILE *f = fmemopen((void *)"", 0, "r");
	struct out_audit_report rep;
	out_audit_verify_stream(f, NULL, 0, &rep);
	fclose(f);
	assert_int_equal(rep.verdict, OUT_AUDIT_VALID);
	assert_int_equal(rep.records, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(chain_verifies, setup, teardown),
	    cmocka_unit_test_setup_teardown(tampered_middle_line_is_named, setup, teardown),
	    cmocka_unit_test_setup_teardown(deleted_line_is_detected, setup, teardown),
	    cmocka_unit_test_setup_teardown(deleted_first_line_is_detected, setup, teardown),
	    cmocka_unit_test_setup_teardown(recomputed_hash_breaks_next_link, setup, teardown),
	    cmocka_unit_test_setup_teardown(torn_last_line_is_reported_and_repaired, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(hmac_mode, setup, teardown),
	    cmocka_unit_test_setup_teardown(short_key_and_bad_type_are_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(corrupt_tail_blocks_writer, setup, teardown),
	    cmocka_unit_test_setup_teardown(concurrent_writers_keep_one_chain, setup, teardown),
	    cmocka_unit_test(verify_stream_rejects_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
