/* Conversions from OCI resource values to cgroup file values, and the
 * cgroupsPath rules, without any filesystem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/cgroup_internal.h"

static void cpu_weight_matches_crun(void **state)
{
	(void)state;
	assert_int_equal(cg_val_cpu_weight(0), 0);
	assert_int_equal(cg_val_cpu_weight(1), 1);
	assert_int_equal(cg_val_cpu_weight(2), 1);
	assert_int_equal(cg_val_cpu_weight(100), 4);
	assert_int_equal(cg_val_cpu_weight(512), 20);
	assert_int_equal(cg_val_cpu_weight(1024), 39);
	assert_int_equal(cg_val_cpu_weight(262143), 9999);
	assert_int_equal(cg_val_cpu_weight(262144), 10000);
	assert_int_equal(cg_val_cpu_weight(UINT64_MAX), 10000);
}

static void cpu_max_forms(void **state)
{
	(void)state;
	char b[CG_VAL_MAX];
	assert_int_equal(cg_val_cpu_max(true, 50000, true, 100000, b), 0);
	assert_string_equal(b, "50000 100000");
	assert_int_equal(cg_val_cpu_max(true, -1, false, 0, b), 0);
	assert_string_equal(b, "max");
	assert_int_equal(cg_val_cpu_max(false, 0, true, 250000, b), 0);
	assert_string_equal(b, "max 250000");
	assert_int_equal(cg_val_cpu_max(true, 20000, false, 0, b), 0);
	assert_string_equal(b, "20000");
	assert_int_equal(cg_val_cpu_max(true, 0, true, 0, b), 1);
	assert_int_equal(cg_val_cpu_max(false, 0, false, 0, b), 1);
}

static void memory_values(void **state)
{
	(void)state;
	char b[CG_VAL_MAX];
	struct pal_err err = {0};
	assert_int_equal(cg_val_memory(-1, true, "f", b, &err), 0);
	assert_string_equal(b, "max");
	assert_int_equal(cg_val_memory(-1, false, "f", b, &err), 0);
	assert_string_equal(b, "-1");
	assert_int_equal(cg_val_memory(0, true, "f", b, &err), 1);
	assert_int_equal(cg_val_memory(4096, true, "f", b, &err), 0);
	assert_string_equal(b, "4096");
	assert_int_equal(cg_val_memory(-5, true, "linux.resources.memory.limit", b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "linux.resources.memory.limit"));
}

static void swap_v2_is_swap_minus_limit(void **state)
{
	(void)state;
	char b[CG_VAL_MAX];
	struct pal_err err = {0};
	assert_int_equal(cg_val_swap_v2(true, 100, true, 200, b, &err), 0);
	assert_string_equal(b, "100");
	assert_int_equal(cg_val_swap_v2(true, 100, true, 100, b, &err), 0);
	assert_string_equal(b, "0"); /* memory == swap: no swap at all */
	assert_int_equal(cg_val_swap_v2(true, -1, false, 0, b, &err), 0);
	assert_string_equal(b, "max");
	assert_int_equal(cg_val_swap_v2(true, 100, true, -1, b, &err), 0);
	assert_string_equal(b, "max");
	assert_int_equal(cg_val_swap_v2(true, -1, true, 300, b, &err), 0);
	assert_string_equal(b, "300");
	assert_int_equal(cg_val_swap_v2(true, 100, false, 0, b, &err), 1);
	assert_int_equal(cg_val_swap_v2(false, 0, true, 100, b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "linux.resources.memory.swap"));
	assert_int_equal(cg_val_swap_v2(true, 200, true, 100, b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "at least memory.limit"));
}

static void small_values(void **state)
{
	(void)state;
	char b[CG_VAL_MAX];
	struct pal_err err = {0};
	cg_val_pids(0, b);
	assert_string_equal(b, "max");
	cg_val_pids(-1, b);
	assert_string_equal(b, "max");
	cg_val_pids(2048, b);
	assert_string_equal(b, "2048");
	assert_int_equal(cg_val_swappiness(60, b, &err), 0);
	assert_string_equal(b, "60");
	assert_int_equal(cg_val_swappiness(101, b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "swappiness"));
	assert_int_equal(cg_val_cpu_idle(1, b, &err), 0);
	assert_int_equal(cg_val_cpu_idle(2, b, &err), -EINVAL);
	assert_int_equal(cg_val_io_weight(0), 0);
	assert_int_equal(cg_val_io_weight(10), 1);
	assert_int_equal(cg_val_io_weight(500), 4950);
	assert_int_equal(cg_val_io_weight(1000), 10000);
	assert_int_equal(cg_val_blkio_weight(5, "w", &err), -EINVAL);
	assert_int_equal(cg_val_blkio_weight(500, "w", &err), 0);
}

static void throttle_lines(void **state)
{
	(void)state;
	char b[CG_VAL_MAX];
	struct pal_err err = {0};
	struct rt_throttle_device td = {.major = 8, .minor = 16, .rate = 1048576};
	assert_int_equal(cg_val_throttle(&td, NULL, "f", b, &err), 0);
	assert_string_equal(b, "8:16 1048576");
	assert_int_equal(cg_val_throttle(&td, "rbps", "f", b, &err), 0);
	assert_string_equal(b, "8:16 rbps=1048576");
	td.rate = 0;
	assert_int_equal(cg_val_throttle(&td, "wiops", "f", b, &err), 0);
	assert_string_equal(b, "8:16 wiops=max");
	td.major = -1;
	assert_int_equal(cg_val_throttle(&td, "wiops", "blk", b, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "blk"));
}

static void hugepage_sizes(void **state)
{
	(void)state;
	struct pal_err err = {0};
	assert_int_equal(cg_val_hugepage_size("2MB", "f", &err), 0);
	assert_int_equal(cg_val_hugepage_size("1GB", "f", &err), 0);
	assert_int_equal(cg_val_hugepage_size("64KB", "f", &err), 0);
	const char *bad[] = {"2M", "MB", "0MB", "2mb", "2MB/../x", "2TB", "", "2 MB"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cg_val_hugepage_size(bad[i], "hp", &err), -EINVAL);
	assert_int_equal(cg_val_hugepage_size(NULL, "hp", &err), -EINVAL);
}

static void unified_keys(void **state)
{
	(void)state;
	struct pal_err err = {0};
	assert_int_equal(cg_val_unified_key("memory.high", "1000", "f", &err), 0);
	assert_int_equal(cg_val_unified_key("io.bfq.weight", "100", "f", &err), 0);
	const char *bad[] = {"../memory.max", "memory/max", "memory..max", "nodot", ".hidden", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(cg_val_unified_key(bad[i], "1", "u", &err), -EINVAL);
	assert_int_equal(cg_val_unified_key("cgroup.procs", "1", "u", &err), -EPERM);
	assert_int_equal(cg_val_unified_key("cgroup.subtree_control", "+cpu", "u", &err), -EPERM);
}

static void ifprio_and_rdma(void **state)
{
	(void)state;
	struct pal_err err = {0};
	char *line = NULL;
	struct rt_kv ok = {.key = "eth0", .value = "5"};
	assert_int_equal(cg_val_ifprio(&ok, "f", &line, &err), 0);
	assert_string_equal(line, "eth0 5");
	free(line);
	struct rt_kv bad = {.key = "eth0 1\nlo", .value = "5"};
	assert_int_equal(cg_val_ifprio(&bad, "f", &line, &err), -EINVAL);
	struct rt_kv badprio = {.key = "eth0", .value = "x"};
	assert_int_equal(cg_val_ifprio(&badprio, "f", &line, &err), -EINVAL);
	struct rt_kv r = {.key = "mlx5_0", .value = "hca_handle=3 hca_object=max"};
	assert_int_equal(cg_val_rdma(&r, "f", &line, &err), 0);
	assert_string_equal(line, "mlx5_0 hca_handle=3 hca_object=max");
	free(line);
	struct rt_kv rbad = {.key = "mlx5_0", .value = "hca_handle=3\nmlx4_0 hca_object=1"};
	assert_int_equal(cg_val_rdma(&rbad, "f", &line, &err), -EINVAL);
}

static void device_rules(void **state)
{
	(void)state;
	struct pal_err err = {0};
	unsigned acc;
	char b[CG_VAL_MAX];
	struct rt_device_rule r = {
	    .allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rw"};
	assert_int_equal(cg_val_device_rule(&r, "d", &acc, &err), 0);
	assert_int_equal(acc, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE);
	cg_val_device_rule_v1('c', 1, 3, acc, b);
	assert_string_equal(b, "c 1:3 rw");
	struct rt_device_rule all = {.allow = false, .type = 'a', .major = -1, .minor = -1};
	assert_int_equal(cg_val_device_rule(&all, "d", &acc, &err), 0);
	assert_int_equal(acc, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD);
	cg_val_device_rule_v1('b', -1, -1, acc, b);
	assert_string_equal(b, "b *:* rwm");
	struct rt_device_rule badacc = {.type = 'c', .major = 1, .minor = 3, .access = "rx"};
	assert_int_equal(cg_val_device_rule(&badacc, "linux.resources.devices[4]", &acc, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "linux.resources.devices[4].access"));
	struct rt_device_rule badtype = {.type = 'p', .major = 1, .minor = 3, .access = "r"};
	assert_int_equal(cg_val_device_rule(&badtype, "d", &acc, &err), -EINVAL);
	struct rt_device_rule badnum = {.type = 'c', .major = -2, .minor = 3, .access = "r"};
	assert_int_equal(cg_val_device_rule(&badnum, "d", &acc, &err), -EINVAL);
}

static void default_device_rules_cover_dev_nodes(void **state)
{
	(void)state;
	size_t n = 0;
	const struct rt_device_rule *r = rt_cgroup_default_device_rules(&n);
	assert_true(n >= 8);
	bool null = false, mknod_any = false;
	for (size_t i = 0; i < n; i++) {
		null |= r[i].type == 'c' && r[i].major == 1 && r[i].minor == 3 && r[i].allow;
		mknod_any |= r[i].major < 0 && r[i].minor < 0;
	}
	assert_true(null);
	assert_false(mknod_any);
}

static void path_cleaning(void **state)
{
	(void)state;
	struct pal_err err = {0};
	char *c = NULL;
	bool abs = false;
	assert_int_equal(cg_clean_path("p", "/libpod_parent//./libpod-abc/", &c, &abs, &err), 0);
	assert_string_equal(c, "libpod_parent/libpod-abc");
	assert_true(abs);
	free(c);
	assert_int_equal(cg_clean_path("p", "default/ctr", &c, &abs, &err), 0);
	assert_string_equal(c, "default/ctr");
	assert_false(abs);
	free(c);
	assert_int_equal(cg_clean_path("linux.cgroupsPath", "/a/../../etc", &c, &abs, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "'..'"));
	assert_int_equal(cg_clean_path("p", "/a/b\nc", &c, &abs, &err), -EINVAL);
	assert_true(cg_valid_container_id("477c05e2c164"));
	assert_false(cg_valid_container_id(".."));
	assert_false(cg_valid_container_id("a/b"));
	assert_false(cg_valid_container_id(""));
}

static void relative_paths_follow_runc(void **state)
{
	(void)state;
	struct pal_err err = {0};
	const char *self = "9:name=systemd:/user.slice\n4:memory:/process_api/abc\n"
			   "2:cpu,cpuacct:/\n0::/user.slice/session-1.scope\n";
	char *ctrl_mem[] = {"memory", NULL};
	char *ctrl_cpu[] = {"cpu", "cpuacct", NULL};
	struct cg_hier mem = {.name = "memory",
			      .mount = "/sys/fs/cgroup/memory",
			      .mount_root = "/",
			      .controllers = ctrl_mem};
	struct cg_hier cpu = {.name = "cpu,cpuacct",
			      .mount = "/sys/fs/cgroup/cpu,cpuacct",
			      .mount_root = "/",
			      .controllers = ctrl_cpu};
	struct cg_hier v2 = {.name = "", .mount = "/sys/fs/cgroup", .mount_root = "/", .v2 = true};
	char *rel = NULL;
	/* v1: below the runtime's own cgroup in that hierarchy. */
	assert_int_equal(cg_resolve_rel("ctr", false, &mem, RT_CGROUP_V1, self, &rel, &err), 0);
	assert_string_equal(rel, "/process_api/abc/ctr");
	free(rel);
	assert_int_equal(cg_resolve_rel("ctr", false, &cpu, RT_CGROUP_V1, self, &rel, &err), 0);
	assert_string_equal(rel, "/ctr");
	free(rel);
	/* pure v2: below the parent of the runtime's own cgroup. */
	assert_int_equal(cg_resolve_rel("ctr", false, &v2, RT_CGROUP_V2, self, &rel, &err), 0);
	assert_string_equal(rel, "/user.slice/ctr");
	free(rel);
	/* hybrid's v2 directory: like v1, below the own cgroup. */
	assert_int_equal(cg_resolve_rel("ctr", false, &v2, RT_CGROUP_HYBRID, self, &rel, &err), 0);
	assert_string_equal(rel, "/user.slice/session-1.scope/ctr");
	free(rel);
	/* absolute: from the root, whatever the own cgroup. */
	assert_int_equal(cg_resolve_rel("default/ctr", true, &mem, RT_CGROUP_V1, self, &rel, &err),
			 0);
	assert_string_equal(rel, "/default/ctr");
	free(rel);
	/* The hierarchy root itself is not a container cgroup. */
	assert_int_equal(cg_resolve_rel("", true, &mem, RT_CGROUP_V1, self, &rel, &err), -EINVAL);
	/* A mount showing a subtree: paths are relative to its root. */
	struct cg_hier sub = mem;
	sub.mount_root = "/process_api";
	assert_int_equal(cg_resolve_rel("ctr", false, &sub, RT_CGROUP_V1, self, &rel, &err), 0);
	assert_string_equal(rel, "/abc/ctr");
	free(rel);
	char *ctrl_pids[] = {"pids", NULL};
	struct cg_hier pids = {
	    .name = "pids", .mount = "/x", .mount_root = "/", .controllers = ctrl_pids};
	assert_int_equal(cg_resolve_rel("ctr", false, &pids, RT_CGROUP_V1, self, &rel, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "absolute linux.cgroupsPath"));
}

static void systemd_driver_refused(void **state)
{
	(void)state;
	struct pal_err err = {0};
	struct rt_cgroup *cg = NULL;
	struct rt_cgroup_opts o = {.path = "system.slice:libpod:abc",
				   .id = "abc",
				   .systemd = true,
				   .systemd_run_dir = "/nonexistent/palisade-test/systemd"};
	assert_int_equal(rt_cgroup_create(&o, &cg, &err), -ENOTSUP);
	assert_null(cg);
	assert_non_null(strstr(err.msg, "the systemd cgroup driver needs systemd running as init"));
	assert_non_null(strstr(err.msg, "--cgroup-manager=cgroupfs"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cpu_weight_matches_crun),
	    cmocka_unit_test(cpu_max_forms),
	    cmocka_unit_test(memory_values),
	    cmocka_unit_test(swap_v2_is_swap_minus_limit),
	    cmocka_unit_test(small_values),
	    cmocka_unit_test(throttle_lines),
	    cmocka_unit_test(hugepage_sizes),
	    cmocka_unit_test(unified_keys),
	    cmocka_unit_test(ifprio_and_rdma),
	    cmocka_unit_test(device_rules),
	    cmocka_unit_test(default_device_rules_cover_dev_nodes),
	    cmocka_unit_test(path_cleaning),
	    cmocka_unit_test(relative_paths_follow_runc),
	    cmocka_unit_test(systemd_driver_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
