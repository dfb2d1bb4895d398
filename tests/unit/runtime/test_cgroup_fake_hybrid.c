/* Hybrid and pure v1 layouts on fake trees: which directory each resource
 * lands in when a controller lives on v1, on the v2 side, or nowhere. The
 * test plays the kernel as in test_cgroup_fake_v2.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strutil.h"
#include "runtime/cgroup.h"
#include "runtime/cgroup_internal.h"

struct fake {
	char root[PATH_MAX];
};

static struct rt_cgroup_test_hooks hooks;

static void put_file(const char *dir, const char *name, const char *content)
{
	char *p = pal_path_join(dir, name);
	FILE *f = fopen(p, "we");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	free(p);
}

static void assert_file(const char *dir, const char *name, const char *want)
{
	char *p = pal_path_join(dir, name);
	char *s = NULL;
	struct pal_err err = {0};
	if (pal_read_file(p, 1 << 20, &s, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	if (strcmp(s, want) != 0)
		fail_msg("%s holds '%s', expected '%s'", p, s, want);
	free(s);
	free(p);
}

static void make_dir(const char *parent, const char *name)
{
	char *p = pal_path_join(parent, name);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

/* v1 directories get their controller's files; unified ones behave as v2
 * (controllers from the parent's subtree_control). */
static int fake_after_mkdir(const char *path, void *arg)
{
	struct fake *f = arg;
	put_file(path, "cgroup.procs", "");
	char *unified = pal_path_join(f->root, "unified");
	bool v2 = pal_str_starts_with(path, unified);
	free(unified);
	if (v2) {
		char *copy = pal_xstrdup(path);
		char *sc_path = pal_path_join(dirname(copy), "cgroup.subtree_control");
		char *sc = NULL;
		struct pal_err err = {0};
		assert_int_equal(pal_read_file(sc_path, 4096, &sc, NULL, &err), 0);
		put_file(path, "cgroup.controllers", strstr(sc, "hugetlb") ? "hugetlb\n" : "\n");
		put_file(path, "cgroup.subtree_control", "");
		put_file(path, "cgroup.events", "populated 0\nfrozen 0\n");
		put_file(path, "cgroup.freeze", "0\n");
		if (strstr(sc, "hugetlb")) {
			put_file(path, "hugetlb.2MB.max", "max\n");
			put_file(path, "hugetlb.2MB.rsvd.max", "max\n");
		}
		put_file(path, "misc.max", "");
		free(sc);
		free(sc_path);
		free(copy);
		return 0;
	}
	put_file(path, "tasks", "");
	if (strstr(path, "/memory/")) {
		put_file(path, "memory.limit_in_bytes", "9223372036854771712\n");
		put_file(path, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
		put_file(path, "memory.soft_limit_in_bytes", "9223372036854771712\n");
	}
	if (strstr(path, "/cpu,cpuacct/")) {
		put_file(path, "cpu.shares", "1024\n");
		put_file(path, "cpuacct.usage", "123456\n");
	}
	if (strstr(path, "/freezer/"))
		put_file(path, "freezer.state", "THAWED\n");
	return 0;
}

static void fake_before_rmdir(const char *path, void *arg)
{
	(void)arg;
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (de->d_type == DT_REG)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

static void v1_hierarchy(struct fake *f, const char *name)
{
	make_dir(f->root, name);
	char *p = pal_path_join(f->root, name);
	put_file(p, "cgroup.procs", "1\n");
	put_file(p, "tasks", "1\n");
	free(p);
}

static int setup_common(void **state, bool with_v2)
{
	struct fake *f = calloc(1, sizeof(*f));
	snprintf(f->root, sizeof(f->root), "/tmp/palisade-cgfake-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	v1_hierarchy(f, "memory");
	v1_hierarchy(f, "cpu,cpuacct");
	v1_hierarchy(f, "freezer");
	v1_hierarchy(f, "systemd");
	/* Aliases such as cpu -> cpu,cpuacct are skipped. */
	char *alias = pal_path_join(f->root, "cpu");
	assert_int_equal(symlink("cpu,cpuacct", alias), 0);
	free(alias);
	if (with_v2) {
		make_dir(f->root, "unified");
		char *u = pal_path_join(f->root, "unified");
		put_file(u, "cgroup.controllers", "hugetlb\n");
		put_file(u, "cgroup.subtree_control", "hugetlb\n");
		put_file(u, "cgroup.procs", "1\n");
		free(u);
	}
	hooks.after_mkdir = fake_after_mkdir;
	hooks.before_rmdir = fake_before_rmdir;
	hooks.arg = f;
	*state = f;
	return 0;
}

static int setup_hybrid(void **state)
{
	return setup_common(state, true);
}

static int setup_v1(void **state)
{
	return setup_common(state, false);
}

static int teardown(void **state)
{
	struct fake *f = *state;
	struct pal_err err = {0};
	pal_rm_rf(f->root, &err);
	free(f);
	return 0;
}

static struct rt_cgroup *make(struct fake *f)
{
	struct rt_cgroup_opts o = {
	    .fs_root = f->root, .path = "/default/ctr", .id = "ctr", .test_hooks = &hooks};
	struct rt_cgroup *cg = NULL;
	struct pal_err err = {0};
	if (rt_cgroup_create(&o, &cg, &err) < 0)
		fail_msg("create: %s", err.msg);
	return cg;
}

static void hybrid_dispatch(void **state)
{
	struct fake *f = *state;
	enum rt_cgroup_layout l = 0;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_detect(f->root, &l, &err), 0);
	assert_int_equal(l, RT_CGROUP_HYBRID);
	struct rt_cgroup *cg = make(f);
	char *mem = pal_xasprintf("%s/memory/default/ctr", f->root);
	char *cpu = pal_xasprintf("%s/cpu,cpuacct/default/ctr", f->root);
	char *v2 = pal_xasprintf("%s/unified/default/ctr", f->root);
	char *sd = pal_xasprintf("%s/systemd/default/ctr", f->root);
	assert_string_equal(rt_cgroup_path(cg, "memory"), mem);
	assert_string_equal(rt_cgroup_path(cg, "cpu"), cpu);
	assert_string_equal(rt_cgroup_path(cg, "cpuacct"), cpu);
	assert_string_equal(rt_cgroup_path(cg, "systemd"), sd);
	assert_string_equal(rt_cgroup_path(cg, "unified"), v2);
	assert_null(rt_cgroup_path(cg, "pids"));
	struct stat st;
	assert_int_equal(stat(v2, &st), 0);
	assert_int_equal(rt_cgroup_id(cg), (uint64_t)st.st_ino);

	/* The unified root's subtree_control is the host's: never written. */
	char *uroot = pal_path_join(f->root, "unified");
	assert_file(uroot, "cgroup.subtree_control", "hugetlb\n");
	char *udef = pal_path_join(uroot, "default");
	assert_file(udef, "cgroup.subtree_control", "+hugetlb");

	struct rt_hugepage_limit hp = {.page_size = "2MB", .limit = 2097152};
	struct rt_kv kv = {.key = "misc.max", .value = "1"};
	struct rt_resources r = {0};
	r.memory.has_limit = true;
	r.memory.limit = 1 << 28;
	r.cpu.has_shares = true;
	r.cpu.shares = 512;
	r.hugepage_limits = &hp;
	r.n_hugepage_limits = 1;
	r.unified = &kv;
	r.n_unified = 1;
	if (rt_cgroup_apply(cg, &r, &err) < 0)
		fail_msg("apply: %s", err.msg);
	assert_file(mem, "memory.limit_in_bytes", "268435456");
	assert_file(cpu, "cpu.shares", "512"); /* v1 form, not cpu.weight */
	assert_file(v2, "hugetlb.2MB.max", "2097152");
	assert_file(v2, "misc.max", "1");

	/* pids is mounted nowhere and not enabled on the v2 side. */
	struct rt_resources p = {0};
	p.pids.has_limit = true;
	p.pids.limit = 10;
	assert_int_equal(rt_cgroup_apply(cg, &p, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "linux.resources.pids"));
	assert_non_null(strstr(err.msg, "neither on a cgroup v1 hierarchy"));

	/* The v1 freezer wins over cgroup.freeze. */
	char *fz = pal_xasprintf("%s/freezer/default/ctr", f->root);
	put_file(fz, "freezer.state", "FROZEN\n");
	bool frozen = false;
	assert_int_equal(rt_cgroup_is_frozen(cg, &frozen, &err), 0);
	assert_true(frozen);

	json_t *stats = NULL;
	assert_int_equal(rt_cgroup_stats(cg, &stats, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(json_object_get(stats, "cpu"), "usage"), "total")),
			 123456);
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(json_object_get(stats, "memory"), "usage"), "limit")),
			 1 << 28);
	json_decref(stats);
	put_file(mem, "memory.limit_in_bytes", "9223372036854771712\n"); /* v1's "unlimited" */
	assert_int_equal(rt_cgroup_stats(cg, &stats, &err), 0);
	assert_null(
	    json_object_get(json_object_get(json_object_get(stats, "memory"), "usage"), "limit"));
	json_decref(stats);

	struct rt_cgroup_bind *b = NULL;
	size_t n = 0;
	assert_int_equal(rt_cgroup_mount_plan(cg, &b, &n, &err), 0);
	assert_int_equal(n, 5);
	const char *names[] = {"cpu,cpuacct", "freezer", "memory", "systemd", "unified"};
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(b[i].name, names[i]);
		char *want = pal_xasprintf("%s/%s/default/ctr", f->root, names[i]);
		assert_string_equal(b[i].host_path, want);
		free(want);
	}
	rt_cgroup_mount_plan_free(b, n);

	put_file(fz, "freezer.state", "THAWED\n");
	assert_int_equal(rt_cgroup_destroy(cg, &err), 0);
	assert_false(pal_path_exists(udef));
	char *mdef = pal_xasprintf("%s/memory/default", f->root);
	assert_false(pal_path_exists(mdef));
	free(mdef);
	rt_cgroup_free(cg);
	free(fz);
	free(uroot);
	free(udef);
	free(mem);
	free(cpu);
	free(v2);
	free(sd);
}

static void hybrid_hugetlb_not_enabled(void **state)
{
	struct fake *f = *state;
	char *uroot = pal_path_join(f->root, "unified");
	put_file(uroot, "cgroup.subtree_control", "\n"); /* the host delegates nothing */
	struct rt_cgroup *cg = make(f);
	struct rt_hugepage_limit hp = {.page_size = "2MB", .limit = 2097152};
	struct rt_resources r = {0};
	r.hugepage_limits = &hp;
	r.n_hugepage_limits = 1;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "linux.resources.hugepageLimits"));
	assert_non_null(strstr(err.msg, "hugetlb"));
	assert_file(uroot, "cgroup.subtree_control", "\n");
	rt_cgroup_free(cg);
	free(uroot);
}

static void pure_v1(void **state)
{
	struct fake *f = *state;
	enum rt_cgroup_layout l = 0;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_detect(f->root, &l, &err), 0);
	assert_int_equal(l, RT_CGROUP_V1);
	struct rt_cgroup *cg = make(f);
	assert_int_equal(rt_cgroup_id(cg), 0);
	assert_null(rt_cgroup_path(cg, "unified"));
	struct rt_kv kv = {.key = "memory.high", .value = "1"};
	struct rt_resources r = {0};
	r.unified = &kv;
	r.n_unified = 1;
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "linux.resources.unified"));
	assert_non_null(strstr(err.msg, "cgroup v1 only"));
	struct rt_hugepage_limit hp = {.page_size = "2MB", .limit = 1};
	struct rt_resources h = {0};
	h.hugepage_limits = &hp;
	h.n_hugepage_limits = 1;
	assert_int_equal(rt_cgroup_apply(cg, &h, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "not mounted"));
	json_t *j = rt_cgroup_to_json(cg);
	struct rt_cgroup *back = NULL;
	assert_int_equal(rt_cgroup_from_json(j, &back, &err), 0);
	assert_int_equal(rt_cgroup_layout(back), RT_CGROUP_V1);
	/* A v2 directory in a v1 state file does not fit. */
	json_t *dirs = json_object_get(j, "dirs");
	json_object_set_new(json_array_get(dirs, 0), "v2", json_true());
	json_object_set_new(json_array_get(dirs, 0), "controllers", json_array());
	struct rt_cgroup *bad = NULL;
	assert_int_equal(rt_cgroup_from_json(j, &bad, &err), -EINVAL);
	json_decref(j);
	rt_cgroup_set_test_hooks(back, &hooks);
	assert_int_equal(rt_cgroup_destroy(back, &err), 0);
	char *d = pal_xasprintf("%s/memory/default", f->root);
	assert_false(pal_path_exists(d));
	free(d);
	rt_cgroup_free(back);
	rt_cgroup_free(cg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(hybrid_dispatch, setup_hybrid, teardown),
	    cmocka_unit_test_setup_teardown(hybrid_hugetlb_not_enabled, setup_hybrid, teardown),
	    cmocka_unit_test_setup_teardown(pure_v1, setup_v1, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
