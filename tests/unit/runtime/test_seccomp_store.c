/* The compiled-filter file: round trips, and every kind of damage refused
 * with a message that names the file and the problem. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runtime/seccomp.h"
#include "test_seccomp_helpers.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/palisade-scmp-store-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void compile_default(struct rt_seccomp_program *p)
{
	struct rt_seccomp_build_opts opts = {.log_denials = true};
	struct pal_err err = {0};
	if (rt_seccomp_compile(NULL, &opts, p, &err) < 0)
		fail_msg("compile: %s", err.msg);
}

static void assert_programs_equal(const struct rt_seccomp_program *a,
				  const struct rt_seccomp_program *b)
{
	assert_int_equal(a->n_insns, b->n_insns);
	assert_memory_equal(a->insns, b->insns, a->n_insns * sizeof(*a->insns));
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->needs_listener, b->needs_listener);
	if (a->listener_path || b->listener_path)
		assert_string_equal(a->listener_path, b->listener_path);
	if (a->listener_metadata || b->listener_metadata)
		assert_string_equal(a->listener_metadata, b->listener_metadata);
}

static int loaded_default_child(void *arg)
{
	CHILD_CHECK(child_install(arg) == 0);
	CHILD_EXPECT_ERRNO(unshare(CLONE_NEWNS), EPERM);
	CHILD_CHECK(syscall(SYS_getpid) > 0);
	return 0;
}

static void test_round_trip_file(void **state)
{
	(void)state;
	struct rt_seccomp_program p, q;
	compile_default(&p);
	char path[300];
	snprintf(path, sizeof(path), "%s/seccomp.bpf", tmpdir);
	struct pal_err err = {0};
	assert_int_equal(rt_seccomp_program_save(&p, path, &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777 & ~0600, 0); /* private to the runtime */
	assert_int_equal(rt_seccomp_program_load_file(path, &q, &err), 0);
	assert_programs_equal(&p, &q);
	/* The loaded copy is the filter: install it. */
	assert_int_equal(child_exit_code(run_in_child(loaded_default_child, &q)), 0);
	rt_seccomp_program_free(&p);
	rt_seccomp_program_free(&q);
}

static void test_round_trip_listener_fields(void **state)
{
	(void)state;
	char *names[] = {"mkdirat", NULL};
	struct rt_seccomp_rule rule = {.names = names, .action = RT_SCMP_ACT_NOTIFY};
	char *flags[] = {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL};
	struct rt_seccomp cfg = {.default_action = RT_SCMP_ACT_ALLOW,
				 .flags = flags,
				 .listener_path = "/run/agent/seccomp.sock",
				 .listener_metadata = "",
				 .syscalls = &rule,
				 .n_syscalls = 1};
	struct rt_seccomp_program p, q;
	struct pal_err err = {0};
	assert_int_equal(rt_seccomp_compile(&cfg, NULL, &p, &err), 0);
	size_t len;
	char *bytes = rt_seccomp_program_serialize(&p, &len);
	assert_int_equal(rt_seccomp_program_load_buf(bytes, len, "mem", &q, &err), 0);
	assert_programs_equal(&p, &q);
	assert_non_null(q.listener_metadata); /* empty, not absent */
	assert_string_equal(q.listener_metadata, "");
	free(bytes);
	rt_seccomp_program_free(&p);
	rt_seccomp_program_free(&q);
}

/* Offsets in the format (see seccomp_store.c). */
#define OFF_VERSION  8
#define OFF_FLAGS    12
#define OFF_LISTENER 16
#define OFF_COUNT    20
#define OFF_PATH_LEN 24

static void put_le32(char *p, uint32_t v)
{
	p[0] = (char)(v & 0xff);
	p[1] = (char)((v >> 8) & 0xff);
	p[2] = (char)((v >> 16) & 0xff);
	p[3] = (char)(v >> 24);
}

static void expect_rejected(const char *bytes, size_t len, const char *needle)
{
	struct rt_seccomp_program q;
	struct pal_err err = {0};
	int r = rt_seccomp_program_load_buf(bytes, len, "state/seccomp.bpf", &q, &err);
	if (r >= 0)
		fail_msg("damaged file accepted (expected '%s')", needle);
	assert_null(q.insns);
	if (!strstr(err.msg, "state/seccomp.bpf") || !strstr(err.msg, needle))
		fail_msg("error '%s' does not name the file and '%s'", err.msg, needle);
}

static void test_damage_rejected(void **state)
{
	(void)state;
	struct rt_seccomp_program p;
	compile_default(&p);
	size_t len;
	char *good = rt_seccomp_program_serialize(&p, &len);
	char *b = malloc(len + 16);

	/* Every proper prefix is refused. */
	for (size_t cut = 0; cut < len; cut++) {
		struct rt_seccomp_program q;
		struct pal_err err = {0};
		if (rt_seccomp_program_load_buf(good, cut, "x", &q, &err) >= 0)
			fail_msg("a file cut at %zu of %zu bytes was accepted", cut, len);
	}

#define RESET() memcpy(b, good, len)
	RESET();
	b[0] = 'X';
	expect_rejected(b, len, "bad magic");
	RESET();
	put_le32(b + OFF_VERSION, 2);
	expect_rejected(b, len, "format version 2");
	RESET();
	put_le32(b + OFF_FLAGS, p.flags | 0x40);
	expect_rejected(b, len, "unknown filter flags 0x40");
	RESET();
	put_le32(b + OFF_LISTENER, 2);
	expect_rejected(b, len, "listener field is 2");
	RESET();
	put_le32(b + OFF_LISTENER, 1);
	expect_rejected(b, len, "NEW_LISTENER flag disagrees");
	RESET();
	put_le32(b + OFF_FLAGS, p.flags | 0x20);
	expect_rejected(b, len, "WAIT_KILLABLE_RECV without a listener");
	RESET();
	put_le32(b + OFF_COUNT, 0);
	expect_rejected(b, len, "0 instructions");
	RESET();
	put_le32(b + OFF_COUNT, 4097);
	expect_rejected(b, len, "4097 instructions");
	RESET();
	put_le32(b + OFF_COUNT, (uint32_t)p.n_insns - 1);
	expect_rejected(b, len, "bytes of instructions for a count of");
	RESET();
	put_le32(b + OFF_PATH_LEN, 5000);
	expect_rejected(b, len, "listener path is 5000 bytes long");
	RESET();
	put_le32(b + OFF_PATH_LEN, 4000);
	expect_rejected(b, len, "listener path is truncated");
	RESET();
	memcpy(b + len, "junk", 4);
	expect_rejected(b, len + 4, "bytes of instructions");
	/* Last instruction not a return. */
	RESET();
	b[len - 8] = 0x00; /* BPF_LD|BPF_W|BPF_ABS low byte: class LD */
	b[len - 7] = 0x00;
	expect_rejected(b, len, "does not end with a return");
	/* A conditional jump beyond the end: the last one, whose distance to
	 * the end is small. */
	RESET();
	size_t first_insn = len - p.n_insns * 8;
	bool patched = false;
	for (size_t i = p.n_insns; i-- > 0 && !patched;) {
		if (BPF_CLASS(p.insns[i].code) == BPF_JMP && BPF_OP(p.insns[i].code) != BPF_JA) {
			assert_true(p.n_insns - i - 1 < 0xff);
			b[first_insn + i * 8 + 2] = (char)0xff;
			patched = true;
		}
	}
	assert_true(patched);
	expect_rejected(b, len, "jumps past the end");

	/* A path with a NUL inside. */
	char *names[] = {"mkdirat", NULL};
	struct rt_seccomp_rule rule = {.names = names, .action = RT_SCMP_ACT_NOTIFY};
	struct rt_seccomp cfg = {.default_action = RT_SCMP_ACT_ALLOW,
				 .listener_path = "/run/a.sock",
				 .syscalls = &rule,
				 .n_syscalls = 1};
	struct rt_seccomp_program n;
	struct pal_err err = {0};
	assert_int_equal(rt_seccomp_compile(&cfg, NULL, &n, &err), 0);
	size_t nlen;
	char *nb = rt_seccomp_program_serialize(&n, &nlen);
	nb[OFF_PATH_LEN + 4 + 3] = '\0';
	expect_rejected(nb, nlen, "contains a NUL byte");
	/* Listener wanted but the path absent. */
	free(nb);
	free(n.listener_path);
	n.listener_path = NULL;
	nb = rt_seccomp_program_serialize(&n, &nlen);
	expect_rejected(nb, nlen, "no path is recorded");
	free(nb);
	rt_seccomp_program_free(&n);
#undef RESET
	free(b);
	free(good);
	rt_seccomp_program_free(&p);
}

static void test_file_errors(void **state)
{
	(void)state;
	struct rt_seccomp_program q;
	struct pal_err err = {0};
	char path[300];
	snprintf(path, sizeof(path), "%s/missing.bpf", tmpdir);
	assert_true(rt_seccomp_program_load_file(path, &q, &err) < 0);
	assert_non_null(strstr(err.msg, path));
	/* Larger than any valid file. */
	snprintf(path, sizeof(path), "%s/huge.bpf", tmpdir);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	pal_err_clear(&err);
	assert_true(rt_seccomp_program_load_file(path, &q, &err) < 0);
	assert_non_null(strstr(err.msg, "larger than"));
	/* An empty program is not saved. */
	struct rt_seccomp_program empty = {0};
	pal_err_clear(&err);
	assert_true(rt_seccomp_program_save(&empty, path, &err) < 0);
	assert_non_null(strstr(err.msg, "0 instructions"));
	/* install refuses what it cannot load. */
	assert_int_equal(rt_seccomp_install(&empty), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_file),
	    cmocka_unit_test(test_round_trip_listener_fields),
	    cmocka_unit_test(test_damage_rejected),
	    cmocka_unit_test(test_file_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
