/* tmpcopyup: copying an image directory the container controls. */
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "runtime/tmpcopyup.h"

struct fixture {
	char dir[PATH_MAX];
	int src, dst;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/pal-tmpcopyup-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	char p[PATH_MAX + 16];
	snprintf(p, sizeof(p), "%s/src", f->dir);
	mkdir(p, 0755);
	f->src = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	snprintf(p, sizeof(p), "%s/dst", f->dir);
	mkdir(p, 0755);
	f->dst = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	*state = f;
	return f->src < 0 || f->dst < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	close(f->src);
	close(f->dst);
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	int r = system(cmd);
	free(f);
	return r == 0 ? 0 : -1;
}

static void put(int dir, const char *name, const char *text, mode_t mode)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(fchmodat(dir, name, mode, 0), 0);
}

static void expect_text(int dir, const char *name, const char *text)
{
	char buf[256] = {0};
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	assert_string_equal(buf, text);
}

static void copies_the_tree_with_metadata(void **state)
{
	struct fixture *f = *state;
	int s = openat(f->src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(s >= 0);
	put(s, "config", "listen 80\n", 0640);
	assert_int_equal(fchownat(s, "config", 33, 44, 0), 0);
	const struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
	assert_int_equal(utimensat(s, "config", old, 0), 0);
	assert_int_equal(mkdirat(s, "sub", 0750), 0);
	int sub = openat(s, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	put(sub, "nested", "deep\n", 04755);
	close(sub);
	/* Links into the host and to a directory: copied as links, never followed. */
	assert_int_equal(symlinkat("/etc/shadow", s, "escape"), 0);
	assert_int_equal(symlinkat("sub", s, "alias"), 0);
	assert_int_equal(mkfifoat(s, "pipe", 0620), 0);
	assert_int_equal(fchmodat(s, "pipe", 0620, 0), 0); /* past the umask */
	/* A socket: skipped. */
	int sk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/src/sock", f->dir);
	assert_int_equal(bind(sk, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(sk);
	close(s);

	struct pal_err err = {0};
	assert_int_equal(rt_tmpcopyup(f->src, f->dst, &err), 0);

	int d = openat(f->dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	expect_text(d, "config", "listen 80\n");
	assert_int_equal(fstatat(d, "config", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, 33);
	assert_int_equal(st.st_gid, 44);
	assert_int_equal(st.st_mtim.tv_sec, 1000000000);
	assert_int_equal(fstatat(d, "sub", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(fstatat(d, "sub/nested", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_int_equal(st.st_mode & 07777, 04755); /* set after the chown */
	expect_text(d, "sub/nested", "deep\n");
	char target[64] = {0};
	assert_int_equal(readlinkat(d, "escape", target, sizeof(target) - 1), 11);
	assert_string_equal(target, "/etc/shadow");
	assert_int_equal(fstatat(d, "alias", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(fstatat(d, "pipe", &st, AT_SYMLINK_NOFOLLOW), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0620);
	assert_int_equal(fstatat(d, "sock", &st, AT_SYMLINK_NOFOLLOW), -1);
	assert_int_equal(errno, ENOENT);
	close(d);
}

static void refuses_a_bottomless_tree(void **state)
{
	struct fixture *f = *state;
	int d = openat(f->src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (int i = 0; i < 70; i++) {
		assert_int_equal(mkdirat(d, "d", 0755), 0);
		int n = openat(d, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(d);
		d = n;
	}
	close(d);
	struct pal_err err = {0};
	assert_int_equal(rt_tmpcopyup(f->src, f->dst, &err), -ELOOP);
	assert_non_null(strstr(err.msg, "nested too deep at d/d/d"));
}

static void an_existing_name_is_an_error(void **state)
{
	struct fixture *f = *state;
	int s = openat(f->src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int d = openat(f->dst, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	put(s, "x", "image\n", 0644);
	put(d, "x", "already\n", 0644);
	close(s);
	close(d);
	struct pal_err err = {0};
	assert_int_equal(rt_tmpcopyup(f->src, f->dst, &err), -EEXIST);
	assert_non_null(strstr(err.msg, "tmpcopyup: create x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(copies_the_tree_with_metadata, setup, teardown),
	    cmocka_unit_test_setup_teardown(refuses_a_bottomless_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(an_existing_name_is_an_error, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
