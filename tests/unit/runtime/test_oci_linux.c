/* linux: namespaces and ID mappings, devices, sysctl, cgroups path,
 * propagation, masked/readonly paths, personality, time offsets. */
#include "test_oci_helpers.h"

#include <sched.h>
#include <sys/mount.h>

#define NS(t)	     "{\"type\": \"" t "\"}"
#define MAP(c, h, s) "{\"containerID\": " #c ", \"hostID\": " #h ", \"size\": " #s "}"

static void namespace_names(void **state)
{
	(void)state;
	static const struct {
		enum rt_ns_type t;
		const char *oci, *proc;
		int flag;
	} all[] = {
	    {RT_NS_PID, "pid", "pid", CLONE_NEWPID},
	    {RT_NS_NETWORK, "network", "net", CLONE_NEWNET},
	    {RT_NS_MOUNT, "mount", "mnt", CLONE_NEWNS},
	    {RT_NS_IPC, "ipc", "ipc", CLONE_NEWIPC},
	    {RT_NS_UTS, "uts", "uts", CLONE_NEWUTS},
	    {RT_NS_USER, "user", "user", CLONE_NEWUSER},
	    {RT_NS_CGROUP, "cgroup", "cgroup", CLONE_NEWCGROUP},
	    {RT_NS_TIME, "time", "time", CLONE_NEWTIME},
	};
	assert_int_equal(sizeof(all) / sizeof(all[0]), RT_NS__COUNT);
	for (size_t i = 0; i < RT_NS__COUNT; i++) {
		assert_string_equal(rt_ns_type_name(all[i].t), all[i].oci);
		assert_string_equal(rt_ns_proc_name(all[i].t), all[i].proc);
		assert_int_equal(rt_ns_clone_flag(all[i].t), all[i].flag);
		/* Every /proc name exists on this kernel. */
		char p[64];
		snprintf(p, sizeof(p), "/proc/self/ns/%s", all[i].proc);
		assert_true(pal_path_exists(p));
	}
	assert_null(rt_ns_type_name(RT_NS__COUNT));
	assert_null(rt_ns_proc_name((enum rt_ns_type) - 1));
	assert_int_equal(rt_ns_clone_flag(RT_NS__COUNT), 0);
}

static void namespaces(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"linux\": {\"namespaces\": [" NS("cgroup") ", " NS(
		      "time") ", {\"type\": "
			      "\"network\", \"path\": \"\"}, {\"type\": \"ipc\", \"path\": "
			      "\"/proc/1/ns/ipc\"}]}}",
		  &cfg);
	assert_int_equal(cfg.n_namespaces, 4);
	assert_int_equal(cfg.namespaces[0].type, RT_NS_CGROUP);
	assert_null(rt_config_namespace(&cfg, RT_NS_NETWORK)->path);
	assert_string_equal(rt_config_namespace(&cfg, RT_NS_IPC)->path, "/proc/1/ns/ipc");
	assert_null(rt_config_namespace(&cfg, RT_NS_PID));
	rt_config_free(&cfg);

	expect_error("{\"linux\": {\"namespaces\": [" NS("pid") ", " NS("foo") "]}}",
		     "linux.namespaces[1].type \"foo\": unknown namespace type");
	expect_error("{\"linux\": {\"namespaces\": [" NS("pid") ", " NS("ipc") ", " NS("pid") "]}}",
		     "linux.namespaces[2].type \"pid\": duplicate (also in linux.namespaces[0])");
	expect_error("{\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": "
		     "\"run/netns/x\"}]}}",
		     "linux.namespaces[0].path \"run/netns/x\": must be an absolute path");
	expect_error("{\"linux\": {\"namespaces\": [{\"path\": \"/x\"}]}}",
		     "linux.namespaces[0].type: required");
	expect_error("{\"linux\": {\"namespaces\": [\"pid\"]}}",
		     "linux.namespaces[0]: must be an object");
	expect_error("{\"linux\": {\"namespaces\": [{\"type\": \"PID\"}]}}",
		     "unknown namespace type");
}

static void user_namespace_mappings(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"linux\": {\"namespaces\": [" NS("user") ", " NS(
		      "mount") "], \"uidMappings\": "
			       "[" MAP(0, 100000,
				       65536) ", " MAP(65536, 0, 1) "], \"gidMappings\": "
								    "[" MAP(0, 100000, 65536) "]}}",
		  &cfg);
	assert_int_equal(cfg.n_uid_mappings, 2);
	assert_int_equal(cfg.uid_mappings[1].container_id, 65536);
	assert_int_equal(cfg.n_gid_mappings, 1);
	rt_config_free(&cfg);
	/* Joining an existing user namespace needs no mappings. */
	expect_ok("{\"linux\": {\"namespaces\": [{\"type\": \"user\", \"path\": "
		  "\"/proc/1/ns/user\"}]}}",
		  &cfg);
	rt_config_free(&cfg);
	/* The top of the ID space is reachable, not beyond. */
	expect_ok("{\"linux\": {\"namespaces\": [" NS(
		      "user") "], \"uidMappings\": "
			      "[" MAP(4294967295, 0,
				      1) "], \"gidMappings\": [" MAP(0, 1, 4294967295) "]}}",
		  &cfg);
	rt_config_free(&cfg);

	expect_error("{\"linux\": {\"namespaces\": [" NS("user") "]}}",
		     "linux.uidMappings: a new user namespace needs uid mappings");
	expect_error("{\"linux\": {\"namespaces\": [" NS("user") "], \"uidMappings\": "
								 "[" MAP(0, 1, 1) "]}}",
		     "linux.gidMappings: a new user namespace needs gid mappings");
	expect_error("{\"linux\": {\"uidMappings\": [" MAP(0, 1000, 1) "]}}",
		     "linux.uidMappings: mappings need a user namespace");
	expect_error("{\"linux\": {\"gidMappings\": [" MAP(0, 1000, 1) "]}}",
		     "linux.gidMappings: mappings need a user namespace");
	expect_error("{\"linux\": {\"namespaces\": [" NS("user") "], \"uidMappings\": "
								 "[" MAP(0, 1000, 0) "]}}",
		     "linux.uidMappings[0].size: must be at least 1");
	expect_error("{\"linux\": {\"namespaces\": [" NS("user") "], \"uidMappings\": "
								 "[" MAP(4294967295, 0, 2) "]}}",
		     "linux.uidMappings[0]: containerID 4294967295 + size 2 goes past 4294967295");
	expect_error("{\"linux\": {\"namespaces\": [" NS("user") "], \"gidMappings\": "
								 "[" MAP(0, 4294967000, 1000) "]}}",
		     "linux.gidMappings[0]: hostID 4294967000 + size 1000 goes past");
	expect_error("{\"linux\": {\"namespaces\": [" NS("user") "], \"uidMappings\": "
								 "[" MAP(0, 1000, 10) ", " MAP(
								     9, 5000, 10) "]}}",
		     "linux.uidMappings[1]: container IDs overlap with linux.uidMappings[0]");
	expect_error("{\"linux\": {\"namespaces\": [" NS("user") "], \"uidMappings\": "
								 "[" MAP(0, 1000, 10) ", " MAP(
								     100, 995, 10) "]}}",
		     "linux.uidMappings[1]: host IDs overlap with linux.uidMappings[0]");
	expect_error(
	    "{\"linux\": {\"namespaces\": [" NS("user") "], \"uidMappings\": "
							"[{\"containerID\": 0, \"hostID\": 1}]}}",
	    "linux.uidMappings[0].size: required");
	expect_error("{\"linux\": {\"namespaces\": [" NS("user") "], \"uidMappings\": "
								 "[" MAP(0, -1, 1) "]}}",
		     "linux.uidMappings[0].hostID: must be an integer between 0 and 4294967295");

	/* The kernel's limit on map lines. */
	char *patch = malloc(64 * 1024);
	int off =
	    sprintf(patch, "{\"linux\": {\"namespaces\": [" NS("user") "], \"uidMappings\": [");
	for (int i = 0; i < 341; i++)
		off += sprintf(patch + off, "%s{\"containerID\": %d, \"hostID\": %d, \"size\": 1}",
			       i ? ", " : "", i, i);
	sprintf(patch + off, "]}}");
	expect_error(patch, "linux.uidMappings: 341 entries is more than the 340 allowed");
	free(patch);
}

static void devices(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"linux\": {\"devices\": [{\"path\": \"/dev//net/tun/\", \"type\": \"c\", "
		  "\"major\": 10, \"minor\": 200, \"fileMode\": 4095, \"uid\": 5, \"gid\": 6}, "
		  "{\"path\": \"/dev/x\", \"type\": \"u\", \"major\": 0, \"minor\": 0}]}}",
		  &cfg);
	assert_string_equal(cfg.devices[0].path, "/dev/net/tun");
	assert_int_equal(cfg.devices[0].file_mode, 07777);
	assert_true(cfg.devices[0].has_uid && cfg.devices[0].has_gid);
	assert_int_equal(cfg.devices[0].gid, 6);
	assert_int_equal(cfg.devices[1].type, 'u');
	rt_config_free(&cfg);
	/* podman --privileged: st_mode with the type bits (S_IFCHR|0600). */
	expect_ok("{\"linux\": {\"devices\": [{\"path\": \"/dev/sda\", \"type\": \"b\", "
		  "\"major\": 8, \"minor\": 0, \"fileMode\": 25008}, {\"path\": \"/dev/tty1\", "
		  "\"type\": \"c\", \"major\": 4, \"minor\": 1, \"fileMode\": 8576}]}}",
		  &cfg);
	assert_int_equal(cfg.devices[0].file_mode, 0660);
	assert_int_equal(cfg.devices[1].file_mode, 0600);
	rt_config_free(&cfg);

	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"z\", "
		     "\"major\": 1, \"minor\": 1}]}}",
		     "linux.devices[0].type \"z\": must be \"c\" (char), \"b\" (block)");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"cb\"}]}}",
		     "linux.devices[0].type \"cb\"");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"b\", "
		     "\"minor\": 1}]}}",
		     "linux.devices[0].major: required");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"u\", "
		     "\"major\": 1}]}}",
		     "linux.devices[0].minor: required");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/dev/x\", \"type\": \"c\", "
		     "\"major\": -1, \"minor\": 1}]}}",
		     "linux.devices[0].major: must be an integer between 0 and 4294967295");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/etc/passwd\", \"type\": \"c\", "
		     "\"major\": 1, \"minor\": 3}]}}",
		     "linux.devices[0].path \"/etc/passwd\": device nodes must be under /dev");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/dev\", \"type\": \"p\"}]}}",
		     "linux.devices[0].path \"/dev\": device nodes must be under /dev");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/dev/../etc/shadow\", \"type\": "
		     "\"p\"}]}}",
		     "linux.devices[0].path \"/dev/../etc/shadow\": must be an absolute path");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"dev/null\", \"type\": \"p\"}]}}",
		     "linux.devices[0].path \"dev/null\"");
	expect_error("{\"linux\": {\"devices\": [{\"type\": \"p\"}]}}",
		     "linux.devices[0].path: required");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/dev/f\"}]}}",
		     "linux.devices[0].type: required");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/dev/f\", \"type\": \"p\", "
		     "\"fileMode\": 8192}]}}",
		     "linux.devices[0].fileMode 020000: its file-type bits do not match type \"p\"");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/dev/f\", \"type\": \"p\", "
		     "\"fileMode\": 1048576}]}}",
		     "linux.devices[0].fileMode: must be an integer between 0 and 65535");
	expect_error("{\"linux\": {\"devices\": [{\"path\": \"/dev/f\", \"type\": \"p\"}, "
		     "{\"path\": \"/dev//f\", \"type\": \"p\"}]}}",
		     "linux.devices[1].path \"/dev/f\": duplicate (also in linux.devices[0])");
}

static void sysctl(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"linux\": {\"sysctl\": {\"kernel.msgmax\": \"8192\", \"kernel.msgmnb\": "
		  "\"16384\", \"kernel.sem\": \"250 32000 32 128\", \"kernel.shmall\": \"1\", "
		  "\"kernel.shm_rmid_forced\": \"1\", \"fs.mqueue.queues_max\": \"256\", "
		  "\"net.ipv4.ip_unprivileged_port_start\": \"0\", \"net.core.somaxconn\": "
		  "\"256\\n\", \"kernel.domainname\": \"example.test\"}}}",
		  &cfg);
	assert_int_equal(cfg.n_sysctl, 9);
	assert_string_equal(cfg.sysctl[2].value, "250 32000 32 128");
	rt_config_free(&cfg);
	/* A joined network namespace is not the host's as far as the parser can
	 * tell without touching the filesystem. */
	expect_ok("{\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": "
		  "\"/run/netns/x\"}], \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}}",
		  &cfg);
	rt_config_free(&cfg);

	expect_error("{\"linux\": {\"sysctl\": {\"kernel.pid_max\": \"100000\"}}}",
		     "linux.sysctl[\"kernel.pid_max\"]: not namespaced");
	expect_error("{\"linux\": {\"sysctl\": {\"vm.swappiness\": \"0\"}}}",
		     "linux.sysctl[\"vm.swappiness\"]: not namespaced");
	expect_error("{\"linux\": {\"sysctl\": {\"net/ipv4/ip_forward\": \"1\"}}}",
		     "linux.sysctl[\"net/ipv4/ip_forward\"]: name it with dots");
	expect_error("{\"linux\": {\"sysctl\": {\"net.ipv4..conf\": \"1\"}}}",
		     "linux.sysctl[\"net.ipv4..conf\"]: empty name component");
	expect_error("{\"linux\": {\"sysctl\": {\"net.\": \"1\"}}}", "empty name component");
	expect_error("{\"linux\": {\"sysctl\": {\".net.x\": \"1\"}}}", "empty name component");
	expect_error("{\"linux\": {\"sysctl\": {\"net.core.somaxconn\": \"1\\n2\"}}}",
		     "the value must be a single line");
	expect_error("{\"linux\": {\"sysctl\": {\"net.core.somaxconn\": 256}}}",
		     "linux.sysctl[\"net.core.somaxconn\"]: must be a string");
	const char *host_net = "{\"linux\": {\"namespaces\": [" NS("pid") ", " NS("ipc") ", " NS(
	    "uts") "], \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}}";
	expect_error(host_net, "linux.sysctl[\"net.ipv4.ip_forward\"]: not allowed in the host's "
			       "network namespace");
	expect_error("{\"linux\": {\"namespaces\": [" NS("network") "], \"sysctl\": "
								    "{\"kernel.shmmax\": \"1\"}}}",
		     "linux.sysctl[\"kernel.shmmax\"]: needs an IPC namespace");
	expect_error(
	    "{\"linux\": {\"namespaces\": [" NS("network") "], \"sysctl\": "
							   "{\"fs.mqueue.msg_max\": \"1\"}}}",
	    "needs an IPC namespace");
	expect_error(
	    "{\"linux\": {\"namespaces\": [" NS("network") "], \"sysctl\": "
							   "{\"kernel.hostname\": \"x\"}}}",
	    "linux.sysctl[\"kernel.hostname\"]: needs a UTS namespace");
	expect_error("{\"hostname\": \"a\", \"linux\": {\"sysctl\": {\"kernel.hostname\": \"b\"}}}",
		     "linux.sysctl[\"kernel.hostname\"]: conflicts with the \"hostname\" field");
	expect_error("{\"domainname\": \"a\", \"linux\": {\"sysctl\": {\"kernel.domainname\": "
		     "\"b\"}}}",
		     "conflicts with the \"domainname\" field");
	expect_error("{\"linux\": {\"sysctl\": {\"\": \"b\"}}}",
		     "linux.sysctl: keys must not be empty");
}

static void cgroups_path(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"linux\": {\"cgroupsPath\": \"\"}}", &cfg);
	assert_null(cfg.cgroups_path);
	rt_config_free(&cfg);
	expect_ok("{\"linux\": {\"cgroupsPath\": \"relative/..x/y\"}}", &cfg);
	assert_string_equal(cfg.cgroups_path, "relative/..x/y");
	rt_config_free(&cfg);
	expect_error("{\"linux\": {\"cgroupsPath\": \"/a/../../b\"}}",
		     "linux.cgroupsPath \"/a/../../b\": must not contain \"..\"");
	expect_error("{\"linux\": {\"cgroupsPath\": \"system.slice:..:x\"}}",
		     "linux.cgroupsPath \"system.slice:..:x\"");
	expect_error("{\"linux\": {\"cgroupsPath\": \"..\"}}", "must not contain \"..\"");
	expect_error("{\"linux\": {\"cgroupsPath\": \"/a\\nb\"}}",
		     "linux.cgroupsPath: must not contain a newline");
}

static void propagation_and_paths(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		unsigned long flags;
	} modes[] = {
	    {"private", MS_PRIVATE},
	    {"rprivate", MS_PRIVATE | MS_REC},
	    {"shared", MS_SHARED},
	    {"rshared", MS_SHARED | MS_REC},
	    {"slave", MS_SLAVE},
	    {"rslave", MS_SLAVE | MS_REC},
	    {"unbindable", MS_UNBINDABLE},
	    {"runbindable", MS_UNBINDABLE | MS_REC},
	    {"", 0},
	};
	struct rt_config cfg;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char patch[128];
		snprintf(patch, sizeof(patch), "{\"linux\": {\"rootfsPropagation\": \"%s\"}}",
			 modes[i].name);
		expect_ok(patch, &cfg);
		assert_int_equal(cfg.rootfs_propagation, modes[i].flags);
		rt_config_free(&cfg);
	}
	expect_error("{\"linux\": {\"rootfsPropagation\": \"master\"}}",
		     "linux.rootfsPropagation \"master\": unknown mode");

	expect_ok("{\"linux\": {\"maskedPaths\": [\"/proc/kcore\", \"/proc//keys/\"], "
		  "\"readonlyPaths\": []}}",
		  &cfg);
	assert_string_equal(cfg.masked_paths[1], "/proc/keys");
	assert_non_null(cfg.readonly_paths);
	assert_null(cfg.readonly_paths[0]);
	rt_config_free(&cfg);
	expect_error("{\"linux\": {\"maskedPaths\": [\"/proc/kcore\", \"proc/keys\"]}}",
		     "linux.maskedPaths[1] \"proc/keys\": must be an absolute path");
	expect_error("{\"linux\": {\"readonlyPaths\": [\"/proc/sys/../../etc\"]}}",
		     "linux.readonlyPaths[0] \"/proc/sys/../../etc\"");
}

static void personality_and_time(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"linux\": {\"personality\": {\"domain\": \"LINUX\", \"flags\": []}}}", &cfg);
	assert_true(cfg.personality.present);
	assert_int_equal(cfg.personality.persona, 0);
	rt_config_free(&cfg);
	expect_error("{\"linux\": {\"personality\": {\"domain\": \"SVR4\"}}}",
		     "linux.personality.domain \"SVR4\": must be \"LINUX\" or \"LINUX32\"");
	expect_error("{\"linux\": {\"personality\": {}}}", "linux.personality.domain: required");
	expect_error("{\"linux\": {\"personality\": {\"domain\": \"LINUX\", \"flags\": "
		     "[\"ADDR_NO_RANDOMIZE\"]}}}",
		     "linux.personality.flags[0] \"ADDR_NO_RANDOMIZE\": no personality flags are "
		     "supported");

	expect_ok("{\"linux\": {\"namespaces\": [" NS(
		      "time") "], \"timeOffsets\": "
			      "{\"boottime\": {\"nanosecs\": 999999999}}}}",
		  &cfg);
	assert_true(cfg.has_time_offsets_boottime);
	assert_false(cfg.has_time_offsets_monotonic);
	assert_int_equal(cfg.time_offsets_boottime.nanosecs, 999999999);
	rt_config_free(&cfg);
	expect_error("{\"linux\": {\"timeOffsets\": {\"monotonic\": {\"secs\": 1}}}}",
		     "linux.timeOffsets: offsets need a new time namespace");
	expect_error("{\"linux\": {\"namespaces\": [{\"type\": \"time\", \"path\": "
		     "\"/proc/1/ns/time\"}], \"timeOffsets\": {\"monotonic\": {}}}}",
		     "linux.timeOffsets: offsets need a new time namespace");
	expect_error("{\"linux\": {\"namespaces\": [" NS("time") "], \"timeOffsets\": "
								 "{\"realtime\": {\"secs\": 1}}}}",
		     "linux.timeOffsets.realtime: unknown clock");
	expect_error("{\"linux\": {\"namespaces\": [" NS(
			 "time") "], \"timeOffsets\": "
				 "{\"monotonic\": {\"nanosecs\": 1000000000}}}}",
		     "linux.timeOffsets.monotonic.nanosecs: must be an integer between 0 and "
		     "999999999");
	expect_error("{\"linux\": {\"namespaces\": [" NS("time") "], \"timeOffsets\": "
								 "{\"monotonic\": 5}}}",
		     "linux.timeOffsets.monotonic: must be an object");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(namespace_names),
	    cmocka_unit_test(namespaces),
	    cmocka_unit_test(user_namespace_mappings),
	    cmocka_unit_test(devices),
	    cmocka_unit_test(sysctl),
	    cmocka_unit_test(cgroups_path),
	    cmocka_unit_test(propagation_and_paths),
	    cmocka_unit_test(personality_and_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
