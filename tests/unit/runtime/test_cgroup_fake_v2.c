/* The pure cgroup v2 path against a fake cgroupfs in a temporary directory.
 * The test plays the kernel: a new directory gets cgroup.controllers from
 * its parent's cgroup.subtree_control and the interface files of those
 * controllers; rmdir empties it first. What the manager writes is read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
	char fail_mkdir[PATH_MAX]; /* after_mkdir fails for this path */
	int mkdirs;
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

static char *get_file(const char *dir, const char *name)
{
	char *p = pal_path_join(dir, name);
	char *s = NULL;
	struct pal_err err = {0};
	int r = pal_read_file(p, 1 << 20, &s, NULL, &err);
	free(p);
	return r == 0 ? s : NULL;
}

static void assert_file(const char *dir, const char *name, const char *want)
{
	char *s = get_file(dir, name);
	if (!s)
		fail_msg("%s/%s is missing", dir, name);
	if (strcmp(s, want) != 0)
		fail_msg("%s/%s holds '%s', expected '%s'", dir, name, s, want);
	free(s);
}

static const char *const ctrl_files[][3] = {
    {"memory", "memory.max", "max\n"},	     {"memory", "memory.low", "0\n"},
    {"memory", "memory.swap.max", "max\n"},  {"memory", "memory.high", "max\n"},
    {"memory", "memory.current", "8192\n"},  {"memory", "memory.peak", "16384\n"},
    {"cpu", "cpu.weight", "100\n"},	     {"cpu", "cpu.max", "max 100000\n"},
    {"cpu", "cpu.max.burst", "0\n"},	     {"cpu", "cpu.idle", "0\n"},
    {"cpuset", "cpuset.cpus", ""},	     {"cpuset", "cpuset.mems", ""},
    {"io", "io.weight", "default 100\n"},    {"io", "io.max", ""},
    {"pids", "pids.max", "max\n"},	     {"pids", "pids.current", "3\n"},
    {"hugetlb", "hugetlb.2MB.max", "max\n"}, {"hugetlb", "hugetlb.2MB.rsvd.max", "max\n"},
    {"hugetlb", "hugetlb.1GB.max", "max\n"}, {"rdma", "rdma.max", ""},
};

/* What the kernel does on mkdir in cgroup2. */
static int fake_after_mkdir(const char *path, void *arg)
{
	struct fake *f = arg;
	f->mkdirs++;
	if (strcmp(path, f->fail_mkdir) == 0)
		return -EACCES;
	char *copy = pal_xstrdup(path);
	char *sc = get_file(dirname(copy), "cgroup.subtree_control");
	free(copy);
	assert_non_null(sc);
	struct pal_buf enabled;
	pal_buf_init(&enabled);
	char *save = NULL;
	for (char *t = strtok_r(sc, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
		if (*t == '-')
			continue;
		if (*t == '+')
			t++;
		pal_buf_printf(&enabled, "%s%s", enabled.len ? " " : "", t);
	}
	free(sc);
	pal_buf_putc(&enabled, '\n');
	put_file(path, "cgroup.controllers", enabled.data);
	put_file(path, "cgroup.subtree_control", "");
	put_file(path, "cgroup.procs", "");
	put_file(path, "cgroup.events", "populated 0\nfrozen 0\n");
	put_file(path, "cgroup.freeze", "0\n");
	put_file(path, "cgroup.kill", "");
	put_file(path, "cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
	for (size_t i = 0; i < sizeof(ctrl_files) / sizeof(ctrl_files[0]); i++)
		if (cg_words_contain(enabled.data, ctrl_files[i][0]))
			put_file(path, ctrl_files[i][1], ctrl_files[i][2]);
	pal_buf_free(&enabled);
	return 0;
}

/* What the kernel does on rmdir: the interface files go with the directory. */
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

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	snprintf(f->root, sizeof(f->root), "/tmp/palisade-cgfake-XXXXXX");
	if (!mkdtemp(f->root))
		return -1;
	put_file(f->root, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma\n");
	/* The host enabled all but rdma at the root; the manager must not change that. */
	put_file(f->root, "cgroup.subtree_control", "cpuset cpu io memory hugetlb pids\n");
	put_file(f->root, "cgroup.procs", "1\n");
	hooks.after_mkdir = fake_after_mkdir;
	hooks.before_rmdir = fake_before_rmdir;
	hooks.arg = f;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	struct pal_err err = {0};
	pal_rm_rf(f->root, &err);
	free(f);
	return 0;
}

static struct rt_cgroup *make(struct fake *f, const char *path, const char *id)
{
	struct rt_cgroup_opts o = {
	    .fs_root = f->root, .path = path, .id = id, .test_hooks = &hooks};
	struct rt_cgroup *cg = NULL;
	struct pal_err err = {0};
	if (rt_cgroup_create(&o, &cg, &err) < 0)
		fail_msg("create: %s", err.msg);
	return cg;
}

static char *under(struct fake *f, const char *rel)
{
	return pal_path_join(f->root, rel);
}

static void detects_v2(void **state)
{
	struct fake *f = *state;
	enum rt_cgroup_layout l = 0;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_detect(f->root, &l, &err), 0);
	assert_int_equal(l, RT_CGROUP_V2);
	assert_string_equal(rt_cgroup_layout_name(l), "v2");
}

static void create_enables_controllers_in_parents_not_root(void **state)
{
	struct fake *f = *state;
	struct rt_cgroup *cg = make(f, "/machine/pod/ctr1", "ctr1");
	char *leaf = under(f, "machine/pod/ctr1");
	char *machine = under(f, "machine");
	char *pod = under(f, "machine/pod");
	assert_string_equal(rt_cgroup_path(cg, "unified"), leaf);
	assert_null(rt_cgroup_path(cg, "memory"));
	assert_int_equal(rt_cgroup_layout(cg), RT_CGROUP_V2);
	assert_int_equal(f->mkdirs, 3);
	/* Root untouched; each new parent enables what it has; the leaf nothing. */
	assert_file(f->root, "cgroup.subtree_control", "cpuset cpu io memory hugetlb pids\n");
	assert_file(machine, "cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids");
	assert_file(pod, "cgroup.subtree_control", "+cpuset +cpu +io +memory +hugetlb +pids");
	assert_file(leaf, "cgroup.subtree_control", "");
	assert_file(leaf, "cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
	struct stat st;
	assert_int_equal(stat(leaf, &st), 0);
	assert_int_equal(rt_cgroup_id(cg), (uint64_t)st.st_ino);

	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_destroy(cg, &err), 0);
	assert_false(pal_path_exists(leaf));
	assert_false(pal_path_exists(machine));
	assert_int_equal(rt_cgroup_destroy(cg, &err), 0); /* delete after a failed delete */
	rt_cgroup_free(cg);
	free(leaf);
	free(machine);
	free(pod);
}

static void existing_parent_is_kept_and_enabled(void **state)
{
	struct fake *f = *state;
	char *shared = under(f, "libpod_parent");
	assert_int_equal(mkdir(shared, 0755), 0);
	fake_after_mkdir(shared, f);
	put_file(shared, "cgroup.subtree_control", "memory\n"); /* partly enabled already */
	struct rt_cgroup *cg = make(f, "/libpod_parent/libpod-abc", "abc");
	/* Only the controllers that were off are written. */
	assert_file(shared, "cgroup.subtree_control", "+cpuset +cpu +io +hugetlb +pids");
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_destroy(cg, &err), 0);
	assert_true(pal_path_exists(shared));
	char *leaf = under(f, "libpod_parent/libpod-abc");
	assert_false(pal_path_exists(leaf));
	rt_cgroup_free(cg);
	free(leaf);
	free(shared);
}

static void default_and_relative_paths(void **state)
{
	struct fake *f = *state;
	struct rt_cgroup *cg = make(f, NULL, "c9");
	char *want = under(f, "palisade/c9");
	assert_string_equal(rt_cgroup_path(cg, "unified"), want);
	free(want);
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_destroy(cg, &err), 0);
	rt_cgroup_free(cg);

	/* Relative: below the parent of the runtime's own cgroup (pure v2). */
	char *self = under(f, "self-cgroup");
	put_file(f->root, "self-cgroup", "0::/user.slice/session-1.scope\n");
	char *uslice = under(f, "user.slice");
	assert_int_equal(mkdir(uslice, 0755), 0);
	fake_after_mkdir(uslice, f);
	struct rt_cgroup_opts o = {.fs_root = f->root,
				   .path = "runc/ctr",
				   .id = "ctr",
				   .proc_self_cgroup = self,
				   .test_hooks = &hooks};
	assert_int_equal(rt_cgroup_create(&o, &cg, &err), 0);
	want = under(f, "user.slice/runc/ctr");
	assert_string_equal(rt_cgroup_path(cg, "unified"), want);
	assert_int_equal(rt_cgroup_destroy(cg, &err), 0);
	assert_true(pal_path_exists(uslice));
	rt_cgroup_free(cg);
	free(want);
	free(uslice);
	free(self);

	o.path = "/a/../../etc";
	assert_int_equal(rt_cgroup_create(&o, &cg, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "'..'"));
	o.path = NULL;
	o.id = "../x";
	assert_int_equal(rt_cgroup_create(&o, &cg, &err), -EINVAL);
}

static void busy_leaf_is_refused_and_nothing_stays(void **state)
{
	struct fake *f = *state;
	char *a = under(f, "a");
	char *busy = under(f, "a/busy");
	assert_int_equal(mkdir(a, 0755), 0);
	fake_after_mkdir(a, f);
	assert_int_equal(mkdir(busy, 0755), 0);
	fake_after_mkdir(busy, f);
	put_file(busy, "cgroup.procs", "4242\n");
	struct rt_cgroup_opts o = {
	    .fs_root = f->root, .path = "/a/busy", .id = "x", .test_hooks = &hooks};
	struct rt_cgroup *cg = NULL;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_create(&o, &cg, &err), -EEXIST);
	assert_null(cg);
	assert_non_null(strstr(err.msg, "another container"));
	/* An empty existing leaf is reused. */
	put_file(busy, "cgroup.procs", "");
	assert_int_equal(rt_cgroup_create(&o, &cg, &err), 0);
	rt_cgroup_free(cg);
	free(a);
	free(busy);
}

static void failed_mkdir_midway_leaves_nothing(void **state)
{
	struct fake *f = *state;
	char *fail = under(f, "x/y/z");
	snprintf(f->fail_mkdir, sizeof(f->fail_mkdir), "%s", fail);
	struct rt_cgroup_opts o = {
	    .fs_root = f->root, .path = "/x/y/z", .id = "z", .test_hooks = &hooks};
	struct rt_cgroup *cg = NULL;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_create(&o, &cg, &err), -EACCES);
	assert_non_null(strstr(err.msg, fail));
	char *x = under(f, "x");
	assert_false(pal_path_exists(x));
	free(x);
	free(fail);
}

static struct rt_cgroup *leaf_cg(struct fake *f, char **leaf)
{
	*leaf = under(f, "m/c");
	return make(f, "/m/c", "c");
}

static void memory_conversions(void **state)
{
	struct fake *f = *state;
	char *leaf;
	struct rt_cgroup *cg = leaf_cg(f, &leaf);
	struct rt_resources r = {0};
	r.memory.has_limit = true;
	r.memory.limit = 1 << 30;
	r.memory.has_swap = true;
	r.memory.swap = 3 << 29;
	r.memory.has_reservation = true;
	r.memory.reservation = 1 << 29;
	r.memory.has_kernel = true; /* warned about, ignored */
	r.memory.kernel = 1 << 20;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), 0);
	assert_file(leaf, "memory.max", "1073741824");
	assert_file(leaf, "memory.swap.max", "536870912");
	assert_file(leaf, "memory.low", "536870912");

	struct rt_resources unl = {0};
	unl.memory.has_limit = true;
	unl.memory.limit = -1;
	assert_int_equal(rt_cgroup_apply(cg, &unl, &err), 0);
	assert_file(leaf, "memory.max", "max");
	assert_file(leaf, "memory.swap.max", "max");

	/* checkBeforeUpdate: the fake's memory.current is 8192 bytes. */
	struct rt_resources chk = {0};
	chk.memory.has_limit = true;
	chk.memory.limit = 4096;
	chk.memory.has_check_before_update = true;
	chk.memory.check_before_update = true;
	assert_int_equal(rt_cgroup_apply(cg, &chk, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "checkBeforeUpdate"));
	assert_file(leaf, "memory.max", "max");
	chk.memory.limit = 1 << 20;
	assert_int_equal(rt_cgroup_apply(cg, &chk, &err), 0);
	assert_file(leaf, "memory.max", "1048576");

	struct rt_resources sw = {0};
	sw.memory.has_swappiness = true;
	sw.memory.swappiness = 10;
	assert_int_equal(rt_cgroup_apply(cg, &sw, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "linux.resources.memory.swappiness"));
	struct rt_resources oom = {0};
	oom.memory.has_disable_oom_killer = true;
	oom.memory.disable_oom_killer = true;
	assert_int_equal(rt_cgroup_apply(cg, &oom, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "disableOOMKiller"));
	rt_cgroup_free(cg);
	free(leaf);
}

static void cpu_conversions(void **state)
{
	struct fake *f = *state;
	char *leaf;
	struct rt_cgroup *cg = leaf_cg(f, &leaf);
	struct rt_resources r = {0};
	r.cpu.has_shares = true;
	r.cpu.shares = 1024;
	r.cpu.has_quota = true;
	r.cpu.quota = 50000;
	r.cpu.has_period = true;
	r.cpu.period = 100000;
	r.cpu.has_burst = true;
	r.cpu.burst = 10000;
	r.cpu.cpus = "0-1";
	r.cpu.mems = "0";
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), 0);
	assert_file(leaf, "cpu.weight", "39");
	assert_file(leaf, "cpu.max", "50000 100000");
	assert_file(leaf, "cpu.max.burst", "10000");
	assert_file(leaf, "cpuset.cpus", "0-1");
	assert_file(leaf, "cpuset.mems", "0");

	struct rt_resources unl = {0};
	unl.cpu.has_quota = true;
	unl.cpu.quota = -1;
	unl.cpu.has_idle = true;
	unl.cpu.idle = 1;
	assert_int_equal(rt_cgroup_apply(cg, &unl, &err), 0);
	assert_file(leaf, "cpu.max", "max");
	assert_file(leaf, "cpu.idle", "1");

	struct rt_resources rt = {0};
	rt.cpu.has_realtime_runtime = true;
	rt.cpu.realtime_runtime = 950000;
	assert_int_equal(rt_cgroup_apply(cg, &rt, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "linux.resources.cpu.realtimeRuntime"));
	struct rt_resources both = {0};
	both.cpu.has_idle = true;
	both.cpu.idle = 1;
	both.cpu.has_shares = true;
	both.cpu.shares = 512;
	assert_int_equal(rt_cgroup_apply(cg, &both, &err), -EINVAL);
	rt_cgroup_free(cg);
	free(leaf);
}

static void pids_io_hugetlb(void **state)
{
	struct fake *f = *state;
	char *leaf;
	struct rt_cgroup *cg = leaf_cg(f, &leaf);
	struct rt_throttle_device rbps = {.major = 8, .minor = 0, .rate = 1048576};
	struct rt_throttle_device wiops[] = {{.major = 8, .minor = 16, .rate = 100},
					     {.major = 8, .minor = 32, .rate = 0}};
	struct rt_hugepage_limit hp = {.page_size = "2MB", .limit = 4194304};
	struct rt_resources r = {0};
	r.pids.has_limit = true;
	r.pids.limit = 100;
	r.block_io.has_weight = true;
	r.block_io.weight = 500;
	r.block_io.throttle_read_bps = &rbps;
	r.block_io.n_throttle_read_bps = 1;
	r.block_io.throttle_write_iops = wiops;
	r.block_io.n_throttle_write_iops = 2;
	r.hugepage_limits = &hp;
	r.n_hugepage_limits = 1;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), 0);
	assert_file(leaf, "pids.max", "100");
	assert_file(leaf, "io.weight", "4950");
	assert_file(leaf, "io.max", "8:0 rbps=1048576\n8:16 wiops=100\n8:32 wiops=max\n");
	assert_file(leaf, "hugetlb.2MB.max", "4194304");
	assert_file(leaf, "hugetlb.2MB.rsvd.max", "4194304");

	/* With BFQ the blkio weight goes in unconverted, and per-device weights work. */
	put_file(leaf, "io.bfq.weight", "default 100\n");
	struct rt_weight_device wd = {.major = 8, .minor = 0, .has_weight = true, .weight = 300};
	struct rt_resources b = {0};
	b.block_io.has_weight = true;
	b.block_io.weight = 500;
	b.block_io.weight_device = &wd;
	b.block_io.n_weight_device = 1;
	b.pids.has_limit = true;
	b.pids.limit = -1;
	assert_int_equal(rt_cgroup_apply(cg, &b, &err), 0);
	assert_file(leaf, "io.bfq.weight", "8:0 300\n");
	assert_file(leaf, "pids.max", "max");

	struct rt_hugepage_limit bad = {.page_size = "2M", .limit = 1};
	struct rt_resources h = {0};
	h.hugepage_limits = &bad;
	h.n_hugepage_limits = 1;
	assert_int_equal(rt_cgroup_apply(cg, &h, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "linux.resources.hugepageLimits[0]"));
	struct rt_hugepage_limit absent = {.page_size = "16GB", .limit = 1};
	h.hugepage_limits = &absent;
	assert_int_equal(rt_cgroup_apply(cg, &h, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "hugetlb.16GB.max"));
	rt_cgroup_free(cg);
	free(leaf);
}

static void unavailable_controllers_are_named(void **state)
{
	struct fake *f = *state;
	char *leaf;
	struct rt_cgroup *cg = leaf_cg(f, &leaf);
	struct pal_err err = {0};
	/* rdma exists on the host but the root does not delegate it. */
	struct rt_kv rd = {.key = "mlx5_0", .value = "hca_handle=2"};
	struct rt_resources r = {0};
	r.rdma = &rd;
	r.n_rdma = 1;
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "linux.resources.rdma"));
	assert_non_null(strstr(err.msg, "cgroup.controllers"));
	struct rt_resources n = {0};
	n.network.has_class_id = true;
	n.network.class_id = 0x100001;
	assert_int_equal(rt_cgroup_apply(cg, &n, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "linux.resources.network.classID"));
	assert_non_null(strstr(err.msg, "net_cls"));
	rt_cgroup_free(cg);
	free(leaf);
}

static void unified_map(void **state)
{
	struct fake *f = *state;
	char *leaf;
	struct rt_cgroup *cg = leaf_cg(f, &leaf);
	struct pal_err err = {0};
	struct rt_kv kv[] = {{.key = "memory.high", .value = "500000"}};
	struct rt_resources r = {0};
	r.unified = kv;
	r.n_unified = 1;
	r.memory.has_limit = true;
	r.memory.limit = 1000000;
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), 0);
	assert_file(leaf, "memory.high", "500000");
	assert_file(leaf, "memory.max", "1000000");
	struct rt_kv esc = {.key = "../../memory.max", .value = "1"};
	r.unified = &esc;
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "linux.resources.unified"));
	struct rt_kv procs = {.key = "cgroup.procs", .value = "1"};
	r.unified = &procs;
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), -EPERM);
	struct rt_kv missing = {.key = "misc.max", .value = "1"};
	r.unified = &missing;
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "misc.max"));
	assert_non_null(strstr(err.msg, "controllers enabled"));
	rt_cgroup_free(cg);
	free(leaf);
}

static void state_roundtrip_and_validation(void **state)
{
	struct fake *f = *state;
	char *leaf;
	struct rt_cgroup *cg = leaf_cg(f, &leaf);
	json_t *j = rt_cgroup_to_json(cg);
	assert_non_null(j);
	struct rt_cgroup *back = NULL;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_from_json(j, &back, &err), 0);
	assert_string_equal(rt_cgroup_path(back, "unified"), leaf);
	assert_int_equal(rt_cgroup_id(back), rt_cgroup_id(cg));
	assert_int_equal(rt_cgroup_layout(back), RT_CGROUP_V2);
	/* The reopened handle removes what create made: leaf and /m. */
	rt_cgroup_set_test_hooks(back, &hooks);
	assert_int_equal(rt_cgroup_destroy(back, &err), 0);
	char *m = under(f, "m");
	assert_false(pal_path_exists(m));
	free(m);
	rt_cgroup_free(back);

	/* Tampered state files are refused. */
	json_t *dir = json_array_get(json_object_get(j, "dirs"), 0);
	const char *bad_paths[] = {"/etc/passwd", "relative/path", "", NULL};
	char *esc = pal_xasprintf("%s/m/../../etc", f->root);
	bad_paths[3] = esc;
	for (size_t i = 0; i < 4; i++) {
		json_t *c = json_deep_copy(j);
		json_object_set_new(json_array_get(json_object_get(c, "dirs"), 0), "path",
				    json_string(bad_paths[i]));
		assert_int_equal(rt_cgroup_from_json(c, &back, &err), -EINVAL);
		assert_null(back);
		json_decref(c);
	}
	free(esc);
	json_t *c = json_deep_copy(j);
	json_object_set_new(json_array_get(json_object_get(c, "dirs"), 0), "created",
			    json_pack("[s]", "/other"));
	assert_int_equal(rt_cgroup_from_json(c, &back, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "created"));
	json_decref(c);
	c = json_deep_copy(j);
	json_object_set_new(c, "fs_root", json_string("sys/fs/cgroup"));
	assert_int_equal(rt_cgroup_from_json(c, &back, &err), -EINVAL);
	json_decref(c);
	c = json_deep_copy(j);
	json_object_set_new(c, "layout", json_string("v3"));
	assert_int_equal(rt_cgroup_from_json(c, &back, &err), -EINVAL);
	json_decref(c);
	c = json_deep_copy(j);
	json_object_set_new(json_array_get(json_object_get(c, "dirs"), 0), "name",
			    json_string(".."));
	assert_int_equal(rt_cgroup_from_json(c, &back, &err), -EINVAL);
	json_decref(c);
	c = json_deep_copy(j);
	json_array_append(json_object_get(c, "dirs"), dir);
	assert_int_equal(rt_cgroup_from_json(c, &back, &err), -EINVAL);
	json_decref(c);
	json_t *str = json_string("x");
	assert_int_equal(rt_cgroup_from_json(str, &back, &err), -EINVAL);
	json_decref(str);
	json_decref(j);
	rt_cgroup_free(cg);
	free(leaf);
}

static void pids_stats_freeze_plan(void **state)
{
	struct fake *f = *state;
	char *leaf;
	struct rt_cgroup *cg = leaf_cg(f, &leaf);
	put_file(leaf, "cgroup.procs", "12\n34\n");
	char *sub = under(f, "m/c/inner");
	assert_int_equal(mkdir(sub, 0755), 0);
	put_file(sub, "cgroup.procs", "56\n");
	pid_t *pids = NULL;
	size_t n = 0;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_pids(cg, &pids, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pids[0] + pids[1] + pids[2], 12 + 34 + 56);
	free(pids);
	put_file(sub, "cgroup.procs", "bogus\n");
	assert_int_equal(rt_cgroup_pids(cg, &pids, &n, &err), -EINVAL);
	fake_before_rmdir(sub, NULL);
	rmdir(sub);
	free(sub);

	json_t *st = NULL;
	assert_int_equal(rt_cgroup_stats(cg, &st, &err), 0);
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(json_object_get(st, "memory"), "usage"), "usage")),
			 8192);
	assert_null(json_object_get(json_object_get(json_object_get(st, "memory"), "usage"),
				    "limit")); /* "max": no limit */
	assert_int_equal(json_integer_value(json_object_get(
			     json_object_get(json_object_get(st, "cpu"), "usage"), "total")),
			 1500000);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(st, "pids"), "current")), 3);
	json_decref(st);

	/* The fake kernel reports frozen only when the test says so. */
	bool frozen = true;
	assert_int_equal(rt_cgroup_is_frozen(cg, &frozen, &err), 0);
	assert_false(frozen);
	put_file(leaf, "cgroup.events", "populated 1\nfrozen 1\n");
	assert_int_equal(rt_cgroup_freeze(cg, true, &err), 0);
	assert_file(leaf, "cgroup.freeze", "1");

	struct rt_cgroup_bind *b = NULL;
	assert_int_equal(rt_cgroup_mount_plan(cg, &b, &n, &err), 0);
	assert_int_equal(n, 0);
	rt_cgroup_mount_plan_free(b, n);
	rt_cgroup_free(cg);
	free(leaf);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(detects_v2),
	    T(create_enables_controllers_in_parents_not_root),
	    T(existing_parent_is_kept_and_enabled),
	    T(default_and_relative_paths),
	    T(busy_leaf_is_refused_and_nothing_stays),
	    T(failed_mkdir_midway_leaves_nothing),
	    T(memory_conversions),
	    T(cpu_conversions),
	    T(pids_io_hugetlb),
	    T(unavailable_controllers_are_named),
	    T(unified_map),
	    T(state_roundtrip_and_validation),
	    T(pids_stats_freeze_plan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
