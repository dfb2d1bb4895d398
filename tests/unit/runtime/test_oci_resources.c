/* linux.resources: device rules, memory, cpu, pids, blockIO, hugepages,
 * network, rdma, unified. */
#include "test_oci_helpers.h"

static void resources_patch(char *buf, size_t n, const char *inner)
{
	snprintf(buf, n, "{\"linux\": {\"resources\": %s}}", inner);
}

static void res_ok(const char *inner, struct rt_config *cfg)
{
	char patch[2048];
	resources_patch(patch, sizeof(patch), inner);
	expect_ok(patch, cfg);
	assert_true(cfg->has_resources);
}

static void res_err(const char *inner, const char *needle)
{
	char patch[2048];
	resources_patch(patch, sizeof(patch), inner);
	expect_error(patch, needle);
}

static void device_rules(void **state)
{
	(void)state;
	struct rt_config cfg;
	res_ok("{\"devices\": [{\"allow\": true, \"type\": \"b\", \"major\": 8, \"access\": "
	       "\"mr\"}, {\"allow\": false, \"type\": \"\", \"access\": \"\"}]}",
	       &cfg);
	struct rt_device_rule *d = cfg.resources.devices;
	assert_true(d[0].allow);
	assert_int_equal(d[0].type, 'b');
	assert_int_equal(d[0].major, 8);
	assert_int_equal(d[0].minor, -1);
	assert_string_equal(d[0].access, "mr");
	assert_int_equal(d[1].type, 'a');
	assert_string_equal(d[1].access, "rwm");
	rt_config_free(&cfg);
	res_ok("{}", &cfg);
	assert_int_equal(cfg.resources.n_devices, 0);
	rt_config_free(&cfg);

	res_err("{\"devices\": [{\"access\": \"rwm\"}]}",
		"linux.resources.devices[0].allow: required");
	res_err("{\"devices\": [{\"allow\": 0}]}",
		"linux.resources.devices[0].allow: must be true or false");
	res_err("{\"devices\": [{\"allow\": true, \"type\": \"p\"}]}",
		"linux.resources.devices[0].type \"p\": must be \"a\" (all), \"c\" (char) or "
		"\"b\" (block)");
	res_err("{\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}",
		"linux.resources.devices[0].access \"rwx\": must combine r, w and m");
	res_err("{\"devices\": [{\"allow\": true, \"access\": \"rr\"}]}",
		"linux.resources.devices[0].access \"rr\"");
	res_err("{\"devices\": [{\"allow\": true, \"access\": \"rwmr\"}]}",
		"linux.resources.devices[0].access \"rwmr\"");
	res_err("{\"devices\": [{\"allow\": true, \"major\": -2}]}",
		"linux.resources.devices[0].major: must be an integer between -1 and 4294967295");
}

static void memory(void **state)
{
	(void)state;
	struct rt_config cfg;
	/* Go clients write swappiness -1 as the uint64 2^64-1 (beyond jansson's
	 * integers, so this config is written out in full). */
	struct pal_err err = {0};
	const char *text = "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"linux\": "
			   "{\"resources\": {\"memory\": {\"limit\": -1, \"swap\": -1, "
			   "\"swappiness\": 18446744073709551615}}}}";
	if (parse_text(text, &cfg, &err))
		fail_msg("%s", err.msg);
	assert_true(cfg.resources.memory.has_limit);
	assert_int_equal(cfg.resources.memory.limit, -1);
	assert_false(cfg.resources.memory.has_swappiness); /* Go's -1: leave it */
	assert_false(cfg.resources.memory.has_reservation);
	rt_config_free(&cfg);
	res_ok("{\"memory\": {\"limit\": 1000, \"swap\": 1000, \"swappiness\": 0, "
	       "\"useHierarchy\": false}}",
	       &cfg);
	assert_true(cfg.resources.memory.has_swappiness);
	assert_int_equal(cfg.resources.memory.swappiness, 0);
	assert_true(cfg.resources.memory.has_use_hierarchy);
	assert_false(cfg.resources.memory.use_hierarchy);
	assert_false(cfg.resources.memory.has_disable_oom_killer);
	rt_config_free(&cfg);

	res_err("{\"memory\": {\"limit\": -2}}",
		"linux.resources.memory.limit: must be an integer between -1 and");
	res_err("{\"memory\": {\"swappiness\": 101}}",
		"linux.resources.memory.swappiness: must be between 0 and 100");
	res_err("{\"memory\": {\"limit\": 2000, \"swap\": 1000}}",
		"linux.resources.memory.swap: 1000 is below limit 2000");
	res_err("{\"memory\": {\"kernelTCP\": \"1G\"}}",
		"linux.resources.memory.kernelTCP: must be an integer");
	res_err("{\"memory\": {\"disableOOMKiller\": 1}}",
		"linux.resources.memory.disableOOMKiller: must be true or false");
	res_err("{\"memory\": []}", "linux.resources.memory: must be an object");
}

static void cpu_and_pids(void **state)
{
	(void)state;
	struct rt_config cfg;
	res_ok("{\"cpu\": {\"quota\": -1, \"burst\": 99999, \"cpus\": \"\", \"idle\": 0}, "
	       "\"pids\": {\"limit\": -1}}",
	       &cfg);
	assert_true(cfg.resources.cpu.has_quota && cfg.resources.cpu.quota == -1);
	assert_string_equal(cfg.resources.cpu.cpus, "");
	assert_null(cfg.resources.cpu.mems);
	assert_false(cfg.resources.cpu.has_shares);
	assert_true(cfg.resources.pids.has_limit && cfg.resources.pids.limit == -1);
	rt_config_free(&cfg);

	res_err("{\"cpu\": {\"quota\": 1000, \"burst\": 2000}}",
		"linux.resources.cpu.burst: 2000 is above quota 1000");
	res_err("{\"cpu\": {\"cpus\": \"0-3,x\"}}",
		"linux.resources.cpu.cpus \"0-3,x\": must be a CPU list");
	res_err("{\"cpu\": {\"mems\": \"1-0\"}}", "linux.resources.cpu.mems \"1-0\"");
	res_err("{\"cpu\": {\"idle\": 2}}",
		"linux.resources.cpu.idle: must be an integer between 0 "
		"and 1");
	res_err("{\"cpu\": {\"shares\": -5}}", "linux.resources.cpu.shares: must be an integer");
	res_err("{\"cpu\": {\"quota\": -7}}", "linux.resources.cpu.quota");
	res_err("{\"pids\": {}}", "linux.resources.pids.limit: required");
}

static void block_io(void **state)
{
	(void)state;
	struct rt_config cfg;
	res_ok("{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0, \"leafWeight\": "
	       "10}], \"throttleReadBpsDevice\": []}}",
	       &cfg);
	assert_false(cfg.resources.block_io.has_weight);
	assert_int_equal(cfg.resources.block_io.n_weight_device, 1);
	assert_true(cfg.resources.block_io.weight_device[0].has_leaf_weight);
	assert_false(cfg.resources.block_io.weight_device[0].has_weight);
	assert_int_equal(cfg.resources.block_io.n_throttle_read_bps, 0);
	rt_config_free(&cfg);

	res_err("{\"blockIO\": {\"weight\": 70000}}",
		"linux.resources.blockIO.weight: must be an integer between 0 and 65535");
	res_err("{\"blockIO\": {\"weightDevice\": [{\"major\": 8, \"minor\": 0}]}}",
		"linux.resources.blockIO.weightDevice[0]: needs weight, leafWeight or both");
	res_err("{\"blockIO\": {\"weightDevice\": [{\"minor\": 0, \"weight\": 5}]}}",
		"linux.resources.blockIO.weightDevice[0].major: required");
	res_err("{\"blockIO\": {\"throttleWriteIOPSDevice\": [{\"major\": 8, \"minor\": 0}]}}",
		"linux.resources.blockIO.throttleWriteIOPSDevice[0].rate: required");
	res_err("{\"blockIO\": {\"throttleReadIOPSDevice\": [{\"major\": 8, \"minor\": -1, "
		"\"rate\": 1}]}}",
		"linux.resources.blockIO.throttleReadIOPSDevice[0].minor");
	res_err("{\"blockIO\": {\"throttleWriteBpsDevice\": [5]}}",
		"linux.resources.blockIO.throttleWriteBpsDevice[0]: must be an object");
}

static void hugepages_network_rdma_unified(void **state)
{
	(void)state;
	struct rt_config cfg;
	res_ok("{\"hugepageLimits\": [{\"pageSize\": \"1GB\", \"limit\": 0}], \"network\": "
	       "{\"priorities\": []}, \"rdma\": {}, \"unified\": {\"memory.max\": \"max\", "
	       "\"cgroup.freeze\": \"0\"}}",
	       &cfg);
	assert_string_equal(cfg.resources.hugepage_limits[0].page_size, "1GB");
	assert_false(cfg.resources.network.has_class_id);
	assert_int_equal(cfg.resources.n_rdma, 0);
	assert_int_equal(cfg.resources.n_unified, 2);
	assert_string_equal(cfg.resources.unified[1].key, "cgroup.freeze");
	rt_config_free(&cfg);

	res_err("{\"hugepageLimits\": [{\"pageSize\": \"2M\", \"limit\": 1}]}",
		"linux.resources.hugepageLimits[0].pageSize \"2M\": must look like \"2MB\"");
	res_err("{\"hugepageLimits\": [{\"pageSize\": \"../2MB\", \"limit\": 1}]}",
		"linux.resources.hugepageLimits[0].pageSize \"../2MB\"");
	res_err("{\"hugepageLimits\": [{\"pageSize\": \"2MB\"}]}",
		"linux.resources.hugepageLimits[0].limit: required");
	res_err("{\"network\": {\"classID\": -1}}",
		"linux.resources.network.classID: must be an integer between 0 and 4294967295");
	res_err("{\"network\": {\"priorities\": [{\"name\": \"eth0 1\", \"priority\": 1}]}}",
		"linux.resources.network.priorities[0].name \"eth0 1\": not a network interface");
	res_err("{\"network\": {\"priorities\": [{\"name\": \"averyveryverylongname\", "
		"\"priority\": 1}]}}",
		"not a network interface name");
	res_err("{\"network\": {\"priorities\": [{\"name\": \"eth0\"}]}}",
		"linux.resources.network.priorities[0].priority: required");
	res_err("{\"rdma\": {\"mlx5_1\": {}}}",
		"linux.resources.rdma[\"mlx5_1\"]: needs hcaHandles, hcaObjects or both");
	res_err("{\"rdma\": {\"mlx 5\": {\"hcaHandles\": 1}}}",
		"linux.resources.rdma[\"mlx 5\"]: not an RDMA device name");
	res_err("{\"rdma\": {\"mlx5\": {\"hcaHandles\": -1}}}",
		"linux.resources.rdma[\"mlx5\"].hcaHandles: must be an integer");
	res_err("{\"unified\": {\"../../cgroup.procs\": \"1\"}}",
		"linux.resources.unified[\"../../cgroup.procs\"]: must name a cgroup file");
	res_err("{\"unified\": {\"memory\": \"1\"}}", "linux.resources.unified[\"memory\"]");
	res_err("{\"unified\": {\".max\": \"1\"}}", "linux.resources.unified[\".max\"]");
	res_err("{\"unified\": {\"memory.max\": 5}}",
		"linux.resources.unified[\"memory.max\"]: must be a string");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(device_rules),
	    cmocka_unit_test(memory),
	    cmocka_unit_test(cpu_and_pids),
	    cmocka_unit_test(block_io),
	    cmocka_unit_test(hugepages_network_rdma_unified),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
