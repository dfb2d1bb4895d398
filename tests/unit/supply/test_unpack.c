/* Layer unpacking: formats, whiteouts, digests, and hostile archives. */
#include "helpers.h"
#include "supply/image.h"
#include "supply/unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <cmocka.h>

struct fx {
	char *dir;  /* scratch */
	char *root; /* unpack destination */
	char *outside;
	int rootfd;
};

static int setup(void **state)
{
	struct fx *f = pal_xcalloc(1, sizeof(*f));
	f->dir = th_tmpdir();
	f->root = pal_xasprintf("%s/root", f->dir);
	f->outside = pal_xasprintf("%s/outside", f->dir);
	mkdir(f->root, 0755);
	mkdir(f->outside, 0755);
	f->rootfd = open(f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	close(f->rootfd);
	free(f->root);
	free(f->outside);
	th_rmdir(f->dir);
	free(f);
	return 0;
}

static int blob_fd(const unsigned char *data, size_t len)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pal_write_all(fd, data, len), 0);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Unpacks a layer made of es (compression comp) and returns the result. */
static int apply(struct fx *f, const struct th_entry *es, size_t n, char comp,
		 const struct sup_unpack_opts *o, struct sup_unpack_stats *st, struct pal_err *err)
{
	size_t tl = 0, bl = 0;
	unsigned char *tar = th_tar(es, n, &tl);
	unsigned char *blob = comp == 'g'   ? th_gzip(tar, tl, &bl)
			      : comp == 'z' ? th_zstd(tar, tl, &bl)
					    : (bl = tl, tar);
	char d[SUP_DIGEST_MAX], dd[SUP_DIGEST_MAX];
	sup_digest_compute(SUP_HASH_SHA256, blob, bl, d);
	sup_digest_compute(SUP_HASH_SHA256, tar, tl, dd);
	int fd = blob_fd(blob, bl);
	int r = sup_layer_unpack(fd, d, dd, f->rootfd, o, st, err);
	close(fd);
	if (blob != tar)
		free(blob);
	free(tar);
	return r;
}

static char *read_in(struct fx *f, const char *rel)
{
	_cleanup_free_ char *p = pal_path_join(f->root, rel);
	char *data = NULL;
	size_t len;
	struct pal_err err = {0};
	if (pal_read_file(p, 1 << 20, &data, &len, &err) < 0)
		return NULL;
	return data;
}

static bool exists_in(const char *dir, const char *rel)
{
	_cleanup_free_ char *p = pal_path_join(dir, rel);
	struct stat st;
	return lstat(p, &st) == 0;
}

static void test_formats(void **state)
{
	struct fx *f = *state;
	const char comps[] = {'n', 'g', 'z'};
	for (size_t i = 0; i < 3; i++) {
		char sub[32];
		snprintf(sub, sizeof(sub), "c%c", comps[i]);
		_cleanup_free_ char *a = pal_xasprintf("%s/a", sub);
		_cleanup_free_ char *af = pal_xasprintf("%s/a/file", sub);
		_cleanup_free_ char *ln = pal_xasprintf("%s/link", sub);
		_cleanup_free_ char *hl = pal_xasprintf("%s/hard", sub);
		struct th_entry es[] = {
		    {'d', sub, NULL, 0},    {'d', a, NULL, 0750}, {'f', af, "hello\n", 0640},
		    {'l', ln, "a/file", 0}, {'h', hl, af, 0},
		};
		struct pal_err err = {0};
		struct sup_unpack_stats st = {0};
		int r = apply(f, es, PAL_ARRAY_SIZE(es), comps[i], NULL, &st, &err);
		if (r < 0)
			fail_msg("%c: %s", comps[i], err.msg);
		_cleanup_free_ char *c = read_in(f, af);
		assert_string_equal(c, "hello\n");
		_cleanup_free_ char *hc = read_in(f, hl);
		assert_string_equal(hc, "hello\n");
		char target[64] = {0};
		_cleanup_free_ char *lp = pal_path_join(f->root, ln);
		assert_int_equal(readlink(lp, target, sizeof(target) - 1), 6);
		assert_string_equal(target, "a/file");
		struct stat sa;
		_cleanup_free_ char *ap = pal_path_join(f->root, a);
		assert_int_equal(stat(ap, &sa), 0);
		assert_int_equal(sa.st_mode & 07777, 0750);
		assert_int_equal(st.files, 1);
		assert_int_equal(st.hardlinks, 1);
		assert_int_equal(st.symlinks, 1);
	}
}

static void test_whiteouts(void **state)
{
	struct fx *f = *state;
	struct th_entry l1[] = {
	    {'f', "a/x", "x", 0},	 {'f', "a/y", "y", 0}, {'f', "b/z", "z", 0},
	    {'f', "b/sub/deep", "d", 0}, {'f', "c", "c", 0},
	};
	struct th_entry l2[] = {
	    {'f', "a/.wh.x", "", 0}, {'d', "b", NULL, 0},   {'f', "b/.wh..wh..opq", "", 0},
	    {'f', "b/new", "n", 0},  {'f', ".wh.c", "", 0}, {'f', "a/.wh.never-existed", "", 0},
	};
	struct pal_err err = {0};
	struct sup_unpack_stats st = {0};
	assert_int_equal(apply(f, l1, PAL_ARRAY_SIZE(l1), 'g', NULL, &st, &err), 0);
	if (apply(f, l2, PAL_ARRAY_SIZE(l2), 'g', NULL, &st, &err) < 0)
		fail_msg("%s", err.msg);
	assert_false(exists_in(f->root, "a/x"));
	assert_true(exists_in(f->root, "a/y"));
	assert_false(exists_in(f->root, "b/z"));
	assert_false(exists_in(f->root, "b/sub"));
	assert_true(exists_in(f->root, "b/new"));
	assert_false(exists_in(f->root, "c"));
	assert_false(exists_in(f->root, "a/.wh.x"));
	assert_false(exists_in(f->root, "b/.wh..wh..opq"));
	assert_int_equal(st.whiteouts, 4);
}

static void expect_refused(struct fx *f, const struct th_entry *es, size_t n, const char *what,
			   const char *outside_name)
{
	struct pal_err err = {0};
	int r = apply(f, es, n, 'g', NULL, NULL, &err);
	if (r >= 0)
		fail_msg("%s: hostile layer was accepted", what);
	assert_non_null(strstr(err.msg, what));
	if (outside_name)
		assert_false(exists_in(f->outside, outside_name));
}

static void test_hostile_paths(void **state)
{
	struct fx *f = *state;
	struct th_entry dotdot[] = {{'f', "../outside/pwn", "x", 0}};
	expect_refused(f, dotdot, 1, "leaves the root", "pwn");
	struct th_entry nested[] = {{'d', "ok", NULL, 0}, {'f', "ok/../../outside/pwn2", "x", 0}};
	expect_refused(f, nested, 2, "leaves the root", "pwn2");
	_cleanup_free_ char *abs = pal_xasprintf("%s/pwn3", f->outside);
	struct th_entry absolute[] = {{'f', abs, "x", 0}};
	expect_refused(f, absolute, 1, "absolute path", "pwn3");
}

static void test_hostile_symlinks(void **state)
{
	struct fx *f = *state;
	/* a symlink to the outside, then a file through it */
	struct th_entry through[] = {{'l', "evil", f->outside, 0}, {'f', "evil/pwn", "x", 0}};
	expect_refused(f, through, 2, "symlink", "pwn");
	/* relative symlink climbing out */
	struct th_entry rel[] = {{'l', "up", "../outside", 0}, {'f', "up/pwn2", "x", 0}};
	expect_refused(f, rel, 2, "symlink", "pwn2");
	/* a symlink as a directory in a later layer */
	struct th_entry l1[] = {{'l', "later", f->outside, 0}};
	struct pal_err err = {0};
	assert_int_equal(apply(f, l1, 1, 'n', NULL, NULL, &err), 0);
	struct th_entry l2[] = {{'f', "later/pwn3", "x", 0}};
	expect_refused(f, l2, 1, "symlink", "pwn3");
	/* replacing a symlink with a file must not write through it */
	_cleanup_free_ char *victim = pal_xasprintf("%s/victim", f->outside);
	th_write(victim, "keep", 4);
	struct th_entry l3[] = {{'l', "v", victim, 0}};
	assert_int_equal(apply(f, l3, 1, 'n', NULL, NULL, &err), 0);
	struct th_entry l4[] = {{'f', "v", "overwritten", 0}};
	assert_int_equal(apply(f, l4, 1, 'n', NULL, NULL, &err), 0);
	char *data = NULL;
	size_t len;
	assert_int_equal(pal_read_file(victim, 100, &data, &len, &err), 0);
	assert_string_equal(data, "keep");
	free(data);
}

static void test_hostile_hardlinks(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *abs = pal_xasprintf("%s/secret", f->outside);
	th_write(abs, "s", 1);
	struct th_entry up[] = {{'h', "h1", "../outside/secret", 0}};
	expect_refused(f, up, 1, "leaves the root", NULL);
	struct th_entry absolute[] = {{'h', "h2", abs, 0}};
	expect_refused(f, absolute, 1, "absolute path", NULL);
	struct th_entry via[] = {{'l', "s", f->outside, 0}, {'h', "h3", "s/secret", 0}};
	expect_refused(f, via, 2, "symlink", NULL);
	assert_false(exists_in(f->root, "h1"));
	assert_false(exists_in(f->root, "h3"));
}

static void test_devices_and_setuid(void **state)
{
	struct fx *f = *state;
	struct th_entry dev[] = {{'c', "null", NULL, 0666}};
	expect_refused(f, dev, 1, "device node", NULL);
	assert_false(exists_in(f->root, "null"));
	struct sup_unpack_opts allow = {.allow_devices = true};
	struct pal_err err = {0};
	if (geteuid() == 0) {
		assert_int_equal(apply(f, dev, 1, 'n', &allow, NULL, &err), 0);
		struct stat st;
		_cleanup_free_ char *p = pal_path_join(f->root, "null");
		assert_int_equal(lstat(p, &st), 0);
		assert_true(S_ISCHR(st.st_mode));
		assert_int_equal(major(st.st_rdev), 1);
	}
	struct th_entry suid[] = {{'f', "su", "#!", 04755}, {'f', "sg", "#!", 02755}};
	struct sup_unpack_stats s = {0};
	assert_int_equal(apply(f, suid, 2, 'g', NULL, &s, &err), 0);
	struct stat st;
	_cleanup_free_ char *p = pal_path_join(f->root, "su");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(s.setid_stripped, 2);
	struct sup_unpack_opts keep = {.allow_setuid = true};
	struct th_entry suid2[] = {{'f', "su2", "#!", 04755}};
	assert_int_equal(apply(f, suid2, 1, 'g', &keep, NULL, &err), 0);
	_cleanup_free_ char *p2 = pal_path_join(f->root, "su2");
	assert_int_equal(stat(p2, &st), 0);
	assert_int_equal(st.st_mode & 07777, 04755);
}

static void test_follow_in_root(void **state)
{
	struct fx *f = *state;
	struct th_entry es[] = {{'d', "real", NULL, 0},
				{'l', "alias", "/real", 0},
				{'f', "alias/f", "in", 0},
				{'l', "esc", "/../../..", 0},
				{'f', "esc/top", "t", 0}};
	struct sup_unpack_opts o = {.follow_symlinks_in_root = true};
	struct pal_err err = {0};
	if (apply(f, es, PAL_ARRAY_SIZE(es), 'n', &o, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	_cleanup_free_ char *c = read_in(f, "real/f");
	assert_string_equal(c, "in");
	/* the escaping link resolved to the root itself */
	assert_true(exists_in(f->root, "top"));
	assert_false(exists_in(f->dir, "top"));
}

static void test_digest_mismatch(void **state)
{
	struct fx *f = *state;
	struct th_entry es[] = {{'f', "x", "data", 0}};
	size_t tl = 0, bl = 0;
	unsigned char *tar = th_tar(es, 1, &tl);
	unsigned char *gz = th_gzip(tar, tl, &bl);
	char d[SUP_DIGEST_MAX], dd[SUP_DIGEST_MAX];
	sup_digest_compute(SUP_HASH_SHA256, gz, bl, d);
	sup_digest_compute(SUP_HASH_SHA256, tar, tl, dd);
	struct pal_err err = {0};
	int fd = blob_fd(gz, bl);
	const char *wrong =
	    "sha256:0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(sup_layer_unpack(fd, wrong, dd, f->rootfd, NULL, NULL, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "the manifest says"));
	lseek(fd, 0, SEEK_SET);
	pal_err_clear(&err);
	assert_int_equal(sup_layer_unpack(fd, d, wrong, f->rootfd, NULL, NULL, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "diff_id"));
	close(fd);
	/* truncated gzip */
	fd = blob_fd(gz, bl / 2);
	pal_err_clear(&err);
	assert_true(sup_layer_unpack(fd, NULL, NULL, f->rootfd, NULL, NULL, &err) < 0);
	close(fd);
	free(gz);
	free(tar);
}

static void test_image_unpack(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *layout = pal_xasprintf("%s/layout", f->dir);
	struct th_entry l1[] = {{'f', "etc/hostname", "box\n", 0}, {'f', "bin/tool", "x", 0}};
	struct th_entry l2[] = {{'f', "bin/.wh.tool", "", 0}, {'f', "etc/motd", "hi\n", 0}};
	const struct th_entry *layers[] = {l1, l2};
	size_t counts[] = {2, 2};
	char digest[SUP_DIGEST_MAX];
	th_make_image(layout, "v1", layers, counts, 2, 'z', digest);
	_cleanup_free_ char *ref = pal_xasprintf("%s:v1", layout);
	struct sup_image *img = NULL;
	struct pal_err err = {0};
	if (sup_image_open(ref, &img, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(img->manifest_digest, digest);
	_cleanup_free_ char *dest = pal_xasprintf("%s/rootfs", f->dir);
	struct sup_unpack_stats st = {0};
	if (sup_image_unpack(img, dest, NULL, &st, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(st.layers, 2);
	assert_true(exists_in(dest, "etc/hostname"));
	assert_true(exists_in(dest, "etc/motd"));
	assert_false(exists_in(dest, "bin/tool"));
	/* a second unpack into the same, now non-empty, directory is refused */
	assert_int_equal(sup_image_unpack(img, dest, NULL, NULL, &err), -ENOTEMPTY);
	sup_image_close(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_formats, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_whiteouts, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile_symlinks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_hostile_hardlinks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_devices_and_setuid, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_follow_in_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_digest_mismatch, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_image_unpack, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
