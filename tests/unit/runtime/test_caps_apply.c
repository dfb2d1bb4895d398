/* Capability sets and user switching, applied in forked children of the
 * (root) test process and checked through /proc/<pid>/status, before and
 * after execve. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runtime/caps.h"
#include "test_seccomp_helpers.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/stat.h>

#define BIT(c) (1ULL << (c))

struct apply_case {
	struct rt_user user;
	struct rt_caps caps;
	int out_fd; /* where the exec'd cat writes /proc/self/status, -1: no exec */
	/* expected before exec */
	struct rt_caps_status expect;
};

static int apply_child(void *arg)
{
	struct apply_case *c = arg;
	CHILD_CHECK(rt_caps_drop_bounding(&c->caps) == 0);
	const char *step = NULL;
	int r = rt_caps_set_user_and_caps(&c->user, &c->caps, &step);
	if (r < 0) {
		dprintf(2, "set_user_and_caps failed at '%s': %s\n", step, strerror(-r));
		return 1;
	}
	CHILD_CHECK(step == NULL);
	struct rt_caps_status st;
	CHILD_CHECK(rt_caps_read_status(0, &st) == 0);
	CHILD_CHECK(st.effective == c->expect.effective);
	CHILD_CHECK(st.permitted == c->expect.permitted);
	CHILD_CHECK(st.inheritable == c->expect.inheritable);
	CHILD_CHECK(st.bounding == c->expect.bounding);
	CHILD_CHECK(st.ambient == c->expect.ambient);
	CHILD_CHECK(getuid() == c->user.uid && geteuid() == c->user.uid);
	CHILD_CHECK(getgid() == c->user.gid && getegid() == c->user.gid);
	if (c->user.has_umask)
		CHILD_CHECK(umask(0) == (mode_t)c->user.umask);
	if (c->out_fd < 0)
		return 0;
	CHILD_CHECK(dup2(c->out_fd, 1) == 1);
	char *argv[] = {"/bin/cat", "/proc/self/status", NULL};
	char *envp[] = {NULL};
	execve(argv[0], argv, envp);
	CHILD_CHECK(!"execve /bin/cat");
	return 1;
}

static char *run_and_capture(struct apply_case *c, int *status)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	c->out_fd = p[1];
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		syscall(SYS_exit_group, apply_child(c) & 0xff);
	}
	close(p[1]);
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	while ((n = read(p[0], buf + len, cap - len - 1)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, status, 0), pid);
	return buf;
}

static const char *status_line(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, kl) == 0)
			return p + kl;
	return NULL;
}

static bool line_equals(const char *value, const char *expect)
{
	size_t n = strlen(expect);
	return value && strncmp(value, expect, n) == 0 && (value[n] == '\n' || value[n] == '\0');
}

static void test_non_root_with_ambient(void **state)
{
	(void)state;
	uint32_t gids[] = {3456, 1000, 2345};
	struct apply_case c = {
	    .user = {.uid = 1000,
		     .gid = 1000,
		     .has_umask = true,
		     .umask = 027,
		     .additional_gids = gids,
		     .n_additional_gids = 3},
	    .caps = {.present = true,
		     .bounding = BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE),
		     .effective = BIT(CAP_NET_BIND_SERVICE),
		     .permitted = BIT(CAP_NET_BIND_SERVICE),
		     .inheritable = BIT(CAP_NET_BIND_SERVICE),
		     .ambient = BIT(CAP_NET_BIND_SERVICE)},
	};
	c.expect = (struct rt_caps_status){.effective = BIT(CAP_NET_BIND_SERVICE),
					   .permitted = BIT(CAP_NET_BIND_SERVICE),
					   .inheritable = BIT(CAP_NET_BIND_SERVICE),
					   .bounding = BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE),
					   .ambient = BIT(CAP_NET_BIND_SERVICE)};
	int status;
	char *text = run_and_capture(&c, &status);
	assert_int_equal(child_exit_code(status), 0);
	/* After execve of an ordinary file as uid 1000, what survives is the
	 * ambient set: the point of ambient capabilities. */
	struct rt_caps_status st;
	assert_int_equal(rt_caps_parse_status(text, strlen(text), &st), 0);
	assert_int_equal(st.effective, BIT(CAP_NET_BIND_SERVICE));
	assert_int_equal(st.permitted, BIT(CAP_NET_BIND_SERVICE));
	assert_int_equal(st.bounding, BIT(CAP_CHOWN) | BIT(CAP_NET_BIND_SERVICE));
	assert_int_equal(st.ambient, BIT(CAP_NET_BIND_SERVICE));
	assert_int_equal(st.inheritable, BIT(CAP_NET_BIND_SERVICE));
	assert_true(line_equals(status_line(text, "Uid:"), "\t1000\t1000\t1000\t1000"));
	assert_true(line_equals(status_line(text, "Gid:"), "\t1000\t1000\t1000\t1000"));
	/* The kernel lists groups sorted. */
	assert_true(line_equals(status_line(text, "Groups:"), "\t1000 2345 3456 "));
	assert_true(line_equals(status_line(text, "NoNewPrivs:"), "\t0"));
	free(text);
}

/* uid 0 keeps its identity; the sets shrink to what is asked, and groups
 * are cleared when none are given. */
static void test_root_reduced_caps(void **state)
{
	(void)state;
	uint64_t set = BIT(CAP_CHOWN) | BIT(CAP_SETUID) | BIT(CAP_SYS_ADMIN) | BIT(40);
	struct apply_case c = {
	    .user = {.uid = 0, .gid = 0},
	    .caps = {.present = true, .bounding = set, .effective = set, .permitted = set},
	};
	c.expect = (struct rt_caps_status){
	    .effective = set, .permitted = set, .bounding = set, .inheritable = 0, .ambient = 0};
	int status;
	char *text = run_and_capture(&c, &status);
	assert_int_equal(child_exit_code(status), 0);
	struct rt_caps_status st;
	assert_int_equal(rt_caps_parse_status(text, strlen(text), &st), 0);
	/* root execs with permitted = bounding (no file caps needed). */
	assert_int_equal(st.effective, set);
	assert_int_equal(st.bounding, set);
	assert_true(line_equals(status_line(text, "Uid:"), "\t0\t0\t0\t0"));
	/* The kernel ends the list with a space, also when it is empty. */
	assert_true(line_equals(status_line(text, "Groups:"), "\t "));
	free(text);
}

struct fail_case {
	struct rt_user user;
	struct rt_caps caps;
	bool drop_first;
	const char *step_needle;
	int expect_errno;
};

static int fail_child(void *arg)
{
	struct fail_case *c = arg;
	if (c->drop_first)
		CHILD_CHECK(rt_caps_drop_bounding(&c->caps) == 0);
	const char *step = NULL;
	int r = rt_caps_set_user_and_caps(&c->user, &c->caps, &step);
	if (r != -c->expect_errno || !step || !strstr(step, c->step_needle)) {
		dprintf(2, "got %d step '%s', expected -%d at '%s'\n", r, step ? step : "(null)",
			c->expect_errno, c->step_needle);
		return 1;
	}
	return 0;
}

static void test_ambient_not_inheritable(void **state)
{
	(void)state;
	struct fail_case c = {
	    .user = {.uid = 1000, .gid = 1000},
	    .caps = {.present = true,
		     .bounding = BIT(CAP_NET_BIND_SERVICE),
		     .effective = BIT(CAP_NET_BIND_SERVICE),
		     .permitted = BIT(CAP_NET_BIND_SERVICE),
		     .ambient = BIT(CAP_NET_BIND_SERVICE)},
	    .step_needle = "ambient capability 10 is not in both the permitted and the "
			   "inheritable set",
	    .expect_errno = EINVAL,
	};
	assert_int_equal(child_exit_code(run_in_child(fail_child, &c)), 0);
}

static void test_effective_not_permitted(void **state)
{
	(void)state;
	struct fail_case c = {
	    .user = {.uid = 1000, .gid = 1000},
	    .caps = {.present = true, .effective = BIT(CAP_KILL), .permitted = BIT(CAP_CHOWN)},
	    .step_needle = "effective must be a subset of permitted",
	    .expect_errno = EINVAL,
	};
	assert_int_equal(child_exit_code(run_in_child(fail_child, &c)), 0);
}

/* The kernel refuses an inheritable capability outside the bounding set:
 * the error names capset. */
static void test_kernel_refusal_names_step(void **state)
{
	(void)state;
	struct fail_case c = {
	    .user = {.uid = 1000, .gid = 1000},
	    .caps = {.present = true,
		     .bounding = BIT(CAP_CHOWN),
		     .permitted = BIT(CAP_NET_BIND_SERVICE),
		     .inheritable = BIT(CAP_NET_BIND_SERVICE)},
	    .drop_first = true,
	    .step_needle = "capset",
	    .expect_errno = EPERM,
	};
	assert_int_equal(child_exit_code(run_in_child(fail_child, &c)), 0);
}

/* Without CAP_SETPCAP the bounding set cannot shrink. */
static int drop_without_setpcap_child(void *arg)
{
	(void)arg;
	struct rt_user user = {.uid = 1000, .gid = 1000};
	struct rt_caps none = {.present = true};
	const char *step = NULL;
	CHILD_CHECK(rt_caps_set_user_and_caps(&user, &none, &step) == 0);
	CHILD_CHECK(rt_caps_drop_bounding(&none) == -EPERM);
	/* Dropping what is already gone needs nothing. */
	struct rt_caps all = {.bounding = rt_caps_all_mask()};
	CHILD_CHECK(rt_caps_drop_bounding(&all) == 0);
	return 0;
}

static void test_drop_needs_setpcap(void **state)
{
	(void)state;
	assert_int_equal(child_exit_code(run_in_child(drop_without_setpcap_child, NULL)), 0);
}

static void test_all_mask_matches_kernel(void **state)
{
	(void)state;
	char buf[16] = {0};
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	int last = atoi(buf);
	assert_int_equal(rt_caps_last_cap(), last);
	assert_int_equal(rt_caps_all_mask(), (1ULL << (last + 1)) - 1);
	/* Nothing the kernel reports lies outside the mask. */
	struct rt_caps_status st;
	assert_int_equal(rt_caps_read_status(0, &st), 0);
	assert_int_equal(st.bounding & ~rt_caps_all_mask(), 0);
	assert_int_equal(st.permitted & ~rt_caps_all_mask(), 0);
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_caps_apply needs root (it switches users in children)\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_non_root_with_ambient),
	    cmocka_unit_test(test_root_reduced_caps),
	    cmocka_unit_test(test_ambient_not_inheritable),
	    cmocka_unit_test(test_effective_not_permitted),
	    cmocka_unit_test(test_kernel_refusal_names_step),
	    cmocka_unit_test(test_drop_needs_setpcap),
	    cmocka_unit_test(test_all_mask_matches_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
