/* Path resolution inside a container root the image controls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "runtime/inroot.h"

struct fixture {
	char dir[PATH_MAX];
	char outside[PATH_MAX];
	int rootfd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/pal-inroot-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->outside, sizeof(f->outside), "%s-outside", f->dir);
	mkdir(f->outside, 0755);
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/etc", f->dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/run", f->dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/var", f->dir);
	mkdir(p, 0755);
	/* Links an image may carry. */
	snprintf(p, sizeof(p), "%s/var/run", f->dir);
	if (symlink("/run", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/escape", f->dir);
	if (symlink("../../../../../../../../tmp", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/abs", f->dir);
	if (symlink(f->outside, p) < 0) /* absolute: means <root>/<that path> inside */
		return -1;
	snprintf(p, sizeof(p), "%s/loop", f->dir);
	if (symlink("loop", p) < 0)
		return -1;
	/* The links' targets as the container sees them: inside the root. */
	snprintf(p, sizeof(p), "%s/tmp", f->dir);
	mkdir(p, 0755);
	char inside[2 * PATH_MAX + 32];
	snprintf(inside, sizeof(inside), "%s%s", f->dir, f->outside);
	struct pal_err err = {0};
	if (pal_mkdir_p(inside, 0755, &err) < 0)
		return -1;
	f->rootfd = open(f->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	*state = f;
	return f->rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct pal_err err = {0};
	close(f->rootfd);
	pal_rm_rf(f->dir, &err);
	pal_rm_rf(f->outside, &err);
	free(f);
	return 0;
}

static void mkdir_through_an_absolute_link_stays_inside(void **state)
{
	struct fixture *f = *state;
	struct pal_err err = {0};
	int fd = rt_inroot_mkdir_p(f->rootfd, "/var/run/app/sock", 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/run/app/sock", f->dir);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void an_absolute_link_to_a_host_path_is_resolved_in_the_root(void **state)
{
	struct fixture *f = *state;
	struct pal_err err = {0};
	int fd = rt_inroot_mkdir_p(f->rootfd, "/abs/made", 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	char host[PATH_MAX + 32], inside[2 * PATH_MAX + 32];
	snprintf(host, sizeof(host), "%s/made", f->outside);
	snprintf(inside, sizeof(inside), "%s%s/made", f->dir, f->outside);
	assert_false(pal_path_exists(host)); /* never created on the host */
	assert_true(pal_path_exists(inside));
}

static void escaping_links_are_refused_by_the_check(void **state)
{
	struct fixture *f = *state;
	struct pal_err err = {0};
	assert_true(rt_inroot_check_no_escape(f->rootfd, "/escape/x", &err) < 0);
	assert_int_equal(err.code, EXDEV);
	assert_non_null(strstr(err.msg, "climbs above the container root"));
	pal_err_clear(&err);
	assert_int_equal(rt_inroot_check_no_escape(f->rootfd, "/var/run/x", &err), 0);
	assert_int_equal(rt_inroot_check_no_escape(f->rootfd, "/abs/x", &err), 0);
	assert_int_equal(rt_inroot_check_no_escape(f->rootfd, "/not/yet/there", &err), 0);
	assert_true(rt_inroot_check_no_escape(f->rootfd, "/loop/x", &err) < 0);
	assert_int_equal(err.code, ELOOP);
}

static void even_without_the_check_nothing_escapes(void **state)
{
	struct fixture *f = *state;
	struct pal_err err = {0};
	/* RESOLVE_IN_ROOT clamps ".." at the root: the directory lands inside. */
	int fd = rt_inroot_mkdir_p(f->rootfd, "/escape/pal-inroot-probe", 0755, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_false(pal_path_exists("/tmp/pal-inroot-probe"));
	char inside[PATH_MAX + 64];
	snprintf(inside, sizeof(inside), "%s/tmp/pal-inroot-probe", f->dir);
	assert_true(pal_path_exists(inside));
}

static void a_dangling_link_is_an_error_not_a_host_write(void **state)
{
	struct fixture *f = *state;
	struct pal_err err = {0};
	char p[PATH_MAX + 32];
	snprintf(p, sizeof(p), "%s/dangling", f->dir);
	assert_int_equal(symlink("/nowhere/at/all", p), 0);
	assert_true(rt_inroot_mkdir_p(f->rootfd, "/dangling/x", 0755, &err) < 0);
	assert_false(pal_path_exists("/nowhere"));
}

static void touch_creates_files_and_refuses_directories(void **state)
{
	struct fixture *f = *state;
	struct pal_err err = {0};
	int fd = rt_inroot_touch(f->rootfd, "/etc/hosts", &err);
	assert_true(fd >= 0);
	close(fd);
	fd = rt_inroot_touch(f->rootfd, "/etc/hosts", &err); /* existing: reused */
	assert_true(fd >= 0);
	close(fd);
	assert_true(rt_inroot_touch(f->rootfd, "/etc", &err) < 0);
	assert_int_equal(err.code, EISDIR);
	assert_true(rt_inroot_mkdir_p(f->rootfd, "/a/../b", 0755, &err) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(mkdir_through_an_absolute_link_stays_inside, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(an_absolute_link_to_a_host_path_is_resolved_in_the_root,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(escaping_links_are_refused_by_the_check, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(even_without_the_check_nothing_escapes, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(a_dangling_link_is_an_error_not_a_host_write, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(touch_creates_files_and_refuses_directories, setup,
					    teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
