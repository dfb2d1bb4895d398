/* config.json as a whole: real samples from podman and containerd, a config
 * using every field, loading from a bundle, JSON syntax errors, version and
 * root rules, refused sections, annotations, hooks, big integers. */
#include "test_oci_helpers.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define CAP(x) (1ull << (x))

static const struct rt_mount *mount_at(const struct rt_config *cfg, const char *dest)
{
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (strcmp(cfg->mounts[i].destination, dest) == 0)
			return &cfg->mounts[i];
	fail_msg("no mount at %s", dest);
	return NULL;
}

static void podman_sample_parses(void **state)
{
	(void)state;
	size_t len;
	char *text = read_test_data("podman-config.json", &len);
	struct rt_config cfg;
	struct pal_err err = {0};
	int r = rt_config_parse(text, len, "podman-config.json", TEST_BUNDLE, &cfg, &err);
	if (r)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.oci_version, "1.0.2-dev");
	assert_true(pal_str_starts_with(cfg.root.path, "/var/lib/containers/storage/overlay/"));
	assert_true(pal_str_ends_with(cfg.root.path, "/merged"));
	assert_false(cfg.root.readonly);

	assert_true(cfg.has_process);
	struct rt_process *p = &cfg.process;
	assert_false(p->terminal);
	assert_int_equal(p->user.uid, 0);
	assert_int_equal(p->user.gid, 0);
	assert_true(p->user.has_umask);
	assert_int_equal(p->user.umask, 022);
	assert_string_equal(p->args[0], "echo");
	assert_string_equal(p->args[1], "hi");
	assert_null(p->args[2]);
	assert_int_equal(pal_strv_len(p->env), 4);
	assert_string_equal(p->env[3], "HOSTNAME=477c05e2c164");
	assert_string_equal(p->cwd, "/");
	uint64_t want = CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FOWNER) | CAP(CAP_FSETID) |
			CAP(CAP_KILL) | CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_SETFCAP) |
			CAP(CAP_SETGID) | CAP(CAP_SETPCAP) | CAP(CAP_SETUID) | CAP(CAP_SYS_CHROOT);
	assert_true(p->caps.present);
	assert_int_equal(p->caps.bounding, want);
	assert_int_equal(p->caps.effective, want);
	assert_int_equal(p->caps.permitted, want);
	assert_int_equal(p->caps.inheritable, 0);
	assert_int_equal(p->caps.ambient, 0);
	assert_int_equal(p->n_rlimits, 2);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].soft, 1024);
	assert_int_equal(p->rlimits[1].resource, RLIMIT_NPROC);
	assert_int_equal(p->rlimits[1].hard, 4096);
	assert_false(p->no_new_privileges);
	assert_false(p->has_oom_score_adj);

	assert_string_equal(cfg.hostname, "477c05e2c164");
	assert_int_equal(cfg.n_mounts, 11);
	const struct rt_mount *m = mount_at(&cfg, "/proc");
	assert_string_equal(m->type, "proc");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV);
	assert_null(m->data);
	m = mount_at(&cfg, "/dev");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_STRICTATIME);
	assert_string_equal(m->data, "mode=755,size=65536k");
	m = mount_at(&cfg, "/dev/pts");
	assert_string_equal(m->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	m = mount_at(&cfg, "/sys");
	assert_true(m->flags & MS_RDONLY);
	m = mount_at(&cfg, "/etc/resolv.conf");
	assert_true(m->is_bind);
	assert_false(m->recursive_bind);
	assert_int_equal(m->propagation, MS_PRIVATE | MS_REC);
	assert_int_equal(m->flags, MS_BIND);
	assert_true(pal_str_ends_with(m->source, "/userdata/resolv.conf"));
	m = mount_at(&cfg, "/dev/shm");
	assert_int_equal(m->flags, MS_BIND | MS_NOSUID | MS_NOEXEC | MS_NODEV);
	m = mount_at(&cfg, "/sys/fs/cgroup");
	assert_int_equal(m->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);

	assert_int_equal(cfg.n_annotations, 8);
	assert_string_equal(rt_config_annotation(&cfg, "io.container.manager"), "libpod");
	assert_string_equal(rt_config_annotation(&cfg, "org.opencontainers.image.stopSignal"),
			    "15");
	assert_null(rt_config_annotation(&cfg, "absent"));

	assert_int_equal(cfg.n_sysctl, 1);
	assert_string_equal(cfg.sysctl[0].key, "net.ipv4.ping_group_range");
	assert_string_equal(cfg.sysctl[0].value, "0 0");
	assert_true(cfg.has_resources);
	assert_int_equal(cfg.resources.n_devices, 1);
	assert_false(cfg.resources.devices[0].allow);
	assert_int_equal(cfg.resources.devices[0].type, 'a');
	assert_int_equal(cfg.resources.devices[0].major, -1);
	assert_string_equal(cfg.resources.devices[0].access, "rwm");
	assert_true(cfg.resources.pids.has_limit);
	assert_int_equal(cfg.resources.pids.limit, 2048);
	assert_string_equal(cfg.cgroups_path, "/libpod_parent/libpod-477c05e2c164fe8419e777503719ff"
					      "e94af92eb5eb313ce3dc48a890bf4cce51");
	assert_int_equal(cfg.n_namespaces, 5);
	const struct rt_namespace *net = rt_config_namespace(&cfg, RT_NS_NETWORK);
	assert_non_null(net);
	assert_string_equal(net->path, "/run/netns/netns-5874850d-7665-a34b-97ae-d6cb0545353e");
	assert_null(rt_config_namespace(&cfg, RT_NS_PID)->path);
	assert_null(rt_config_namespace(&cfg, RT_NS_USER));

	assert_true(cfg.has_seccomp);
	assert_int_equal(cfg.seccomp.default_action, RT_SCMP_ACT_ERRNO);
	assert_true(cfg.seccomp.has_default_errno_ret);
	assert_int_equal(cfg.seccomp.default_errno_ret, 38);
	assert_int_equal(pal_strv_len(cfg.seccomp.architectures), 3);
	assert_int_equal(cfg.seccomp.n_syscalls, 22);
	assert_int_equal(pal_strv_len(cfg.seccomp.syscalls[0].names), 28);
	assert_int_equal(pal_strv_len(cfg.seccomp.syscalls[1].names), 374);
	assert_int_equal(cfg.seccomp.syscalls[6].args[0].value, 4294967295u);
	assert_int_equal(cfg.seccomp.syscalls[18].n_args, 2);
	assert_int_equal(cfg.seccomp.syscalls[18].args[1].index, 2);
	assert_int_equal(cfg.seccomp.syscalls[18].errno_ret, 22);
	assert_int_equal(cfg.seccomp.syscalls[19].args[0].op, RT_SCMP_CMP_NE);
	assert_int_equal(pal_strv_len(cfg.masked_paths), 11);
	assert_int_equal(pal_strv_len(cfg.readonly_paths), 6);
	rt_config_free(&cfg);
	assert_zeroed(&cfg);
	free(text);
}

static void containerd_sample_parses(void **state)
{
	(void)state;
	size_t len;
	char *text = read_test_data("containerd-config.json", &len);
	struct rt_config cfg;
	struct pal_err err = {0};
	if (rt_config_parse(text, len, "containerd-config.json", TEST_BUNDLE, &cfg, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.root.path, TEST_BUNDLE "/rootfs");
	assert_string_equal(cfg.cgroups_path, "/default/ctr-test-1");
	assert_int_equal(cfg.process.user.n_additional_gids, 2);
	assert_int_equal(cfg.process.user.additional_gids[1], 10);
	assert_false(cfg.process.user.has_umask);
	assert_true(cfg.process.no_new_privileges);
	assert_int_equal(__builtin_popcountll(cfg.process.caps.bounding), 14);
	assert_true(cfg.process.caps.bounding & CAP(CAP_MKNOD));
	assert_int_equal(cfg.n_namespaces, 5);
	assert_non_null(rt_config_namespace(&cfg, RT_NS_NETWORK));
	assert_null(rt_config_namespace(&cfg, RT_NS_NETWORK)->path);
	assert_int_equal(cfg.resources.n_devices, 11);
	assert_true(cfg.resources.devices[8].allow);
	assert_int_equal(cfg.resources.devices[8].type, 'c');
	assert_int_equal(cfg.resources.devices[8].major, 136);
	assert_int_equal(cfg.resources.devices[8].minor, -1);
	assert_int_equal(pal_strv_len(cfg.masked_paths), 10);
	assert_string_equal(cfg.masked_paths[9], "/proc/scsi");
	assert_int_equal(pal_strv_len(cfg.readonly_paths), 5);
	assert_false(cfg.has_seccomp);
	assert_null(cfg.hostname);
	assert_string_equal(mount_at(&cfg, "/run")->data, "mode=755,size=65536k");
	rt_config_free(&cfg);
	free(text);
}

static void full_config_parses(void **state)
{
	(void)state;
	size_t len;
	char *text = read_test_data("full-config.json", &len);
	struct rt_config cfg;
	struct pal_err err = {0};
	if (rt_config_parse(text, len, "full-config.json", TEST_BUNDLE, &cfg, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.root.path, "/bundles/bundle-x/rootfs");
	assert_true(cfg.root.readonly);
	struct rt_process *p = &cfg.process;
	assert_true(p->terminal);
	assert_true(p->console_size.present);
	assert_int_equal(p->console_size.height, 25);
	assert_int_equal(p->console_size.width, 80);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 1001);
	assert_int_equal(p->user.additional_gids[2], 4294967295u);
	assert_string_equal(p->user.username, "app");
	assert_string_equal(p->args[2], "");
	assert_string_equal(p->env[2], "A=b=c");
	assert_string_equal(p->cwd, "/srv/app");
	assert_int_equal(p->caps.bounding,
			 CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_KILL) | CAP(CAP_CHECKPOINT_RESTORE));
	assert_int_equal(p->caps.inheritable, CAP(CAP_CHOWN));
	assert_int_equal(p->caps.ambient, CAP(CAP_NET_BIND_SERVICE));
	assert_int_equal(p->n_rlimits, 3);
	assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
	assert_true(p->rlimits[1].soft == UINT64_MAX && p->rlimits[1].hard == UINT64_MAX);
	assert_true(p->rlimits[2].hard == (1ull << 63));
	assert_true(p->has_oom_score_adj);
	assert_int_equal(p->oom_score_adj, -500);
	assert_true(p->has_scheduler);
	assert_int_equal(p->scheduler.policy, 1 /* SCHED_FIFO */);
	assert_int_equal(p->scheduler.priority, 10);
	assert_int_equal(p->scheduler.flags, 0x01 | 0x40);
	assert_true(p->has_io_priority);
	assert_int_equal(p->io_priority.class_, 3 /* IOPRIO_CLASS_IDLE */);
	assert_int_equal(p->io_priority.priority, 4);
	assert_string_equal(p->exec_cpu_affinity_initial, "7");
	assert_string_equal(p->exec_cpu_affinity_final, "0-3, 7");
	assert_string_equal(cfg.domainname, "example.test");

	const struct rt_mount *m = mount_at(&cfg, "/data/inner");
	assert_string_equal(m->source, TEST_BUNDLE "/volumes/data");
	assert_true(m->is_bind && m->recursive_bind);
	assert_int_equal(m->flags, MS_BIND | MS_REC);
	assert_int_equal(m->clear_flags, MS_RDONLY);
	assert_int_equal(m->attr_set, MOUNT_ATTR_NOEXEC);
	m = mount_at(&cfg, "/mapped");
	assert_true(m->idmap && m->recursive_idmap && m->is_bind);
	assert_int_equal(m->n_uid_mappings, 1);
	assert_int_equal(m->uid_mappings[0].host_id, 100000);
	assert_int_equal(m->gid_mappings[0].size, 65536);
	m = mount_at(&cfg, "/tmp");
	assert_true(m->tmpcopyup);
	assert_string_equal(m->data, "mode=1777,size=10m");

	static const size_t hook_counts[RT_HOOK__COUNT] = {1, 1, 1, 1, 2, 1};
	for (int k = 0; k < RT_HOOK__COUNT; k++)
		assert_int_equal(cfg.hooks[k].n, hook_counts[k]);
	assert_string_equal(cfg.hooks[RT_HOOK_PRESTART].hooks[0].args[1], "arg1");
	assert_string_equal(cfg.hooks[RT_HOOK_PRESTART].hooks[0].env[0], "key1=value1");
	assert_true(cfg.hooks[RT_HOOK_CREATE_RUNTIME].hooks[0].has_timeout);
	assert_int_equal(cfg.hooks[RT_HOOK_CREATE_RUNTIME].hooks[0].timeout, 5);
	assert_false(cfg.hooks[RT_HOOK_START_CONTAINER].hooks[0].has_timeout);
	assert_string_equal(cfg.hooks[RT_HOOK_POSTSTART].hooks[1].path, "/usr/bin/second");
	assert_string_equal(cfg.hooks[RT_HOOK_POSTSTOP].hooks[0].path, "/usr/sbin/cleanup.sh");
	assert_string_equal(rt_config_annotation(&cfg, "empty"), "");

	assert_int_equal(cfg.n_namespaces, 8);
	assert_non_null(rt_config_namespace(&cfg, RT_NS_TIME));
	assert_int_equal(cfg.n_uid_mappings, 2);
	assert_int_equal(cfg.uid_mappings[1].container_id, 1);
	assert_int_equal(cfg.gid_mappings[0].size, 32000);
	assert_true(cfg.has_time_offsets && cfg.has_time_offsets_monotonic &&
		    cfg.has_time_offsets_boottime);
	assert_int_equal(cfg.time_offsets_monotonic.secs, 86400);
	assert_int_equal(cfg.time_offsets_monotonic.nanosecs, 5);
	assert_int_equal(cfg.time_offsets_boottime.secs, -30);
	assert_int_equal(cfg.n_devices, 3);
	assert_int_equal(cfg.devices[0].type, 'c');
	assert_true(cfg.devices[0].has_file_mode);
	assert_int_equal(cfg.devices[0].file_mode, 0666);
	assert_false(cfg.devices[1].has_uid);
	assert_int_equal(cfg.devices[2].type, 'p');
	assert_string_equal(cfg.cgroups_path, "machine.slice:palisade:full");

	struct rt_resources *rs = &cfg.resources;
	assert_int_equal(rs->n_devices, 4);
	assert_int_equal(rs->devices[2].minor, -1);
	assert_string_equal(rs->devices[3].access, "rwm");
	assert_int_equal(rs->devices[3].type, 'a');
	assert_true(rs->memory.has_limit && rs->memory.limit == 536870912);
	assert_true(rs->memory.has_kernel && rs->memory.kernel == -1);
	assert_true(rs->memory.has_swappiness && rs->memory.swappiness == 60);
	assert_true(rs->memory.has_disable_oom_killer && !rs->memory.disable_oom_killer);
	assert_true(rs->memory.has_check_before_update && rs->memory.check_before_update);
	assert_true(rs->cpu.has_quota && rs->cpu.quota == 1000000);
	assert_true(rs->cpu.has_burst && rs->cpu.burst == 500000);
	assert_true(rs->cpu.has_idle && rs->cpu.idle == 1);
	assert_string_equal(rs->cpu.cpus, "2-3");
	assert_string_equal(rs->cpu.mems, "0");
	assert_int_equal(rs->pids.limit, 32771);
	assert_int_equal(rs->block_io.weight, 10);
	assert_int_equal(rs->block_io.leaf_weight, 20);
	assert_int_equal(rs->block_io.n_weight_device, 2);
	assert_false(rs->block_io.weight_device[1].has_leaf_weight);
	assert_int_equal(rs->block_io.throttle_write_bps[0].rate, 700);
	assert_int_equal(rs->block_io.throttle_read_iops[0].minor, 16);
	assert_int_equal(rs->block_io.throttle_write_iops[0].rate, 300);
	assert_int_equal(rs->n_hugepage_limits, 2);
	assert_string_equal(rs->hugepage_limits[1].page_size, "64KB");
	assert_true(rs->network.has_class_id && rs->network.class_id == 1048577);
	assert_string_equal(rs->network.priorities[1].key, "eth1");
	assert_string_equal(rs->network.priorities[1].value, "1000");
	assert_int_equal(rs->n_rdma, 2);
	assert_string_equal(rs->rdma[0].value, "hca_handle=3 hca_object=10000");
	assert_string_equal(rs->rdma[1].value, "hca_object=1000");
	assert_string_equal(rs->unified[0].key, "io.max");

	assert_int_equal(cfg.n_sysctl, 3);
	struct rt_seccomp *sc = &cfg.seccomp;
	assert_int_equal(pal_strv_len(sc->flags), 2);
	assert_string_equal(sc->listener_path, "/run/seccomp-agent.sock");
	assert_string_equal(sc->listener_metadata, "MKNOD=/dev/null");
	assert_int_equal(sc->syscalls[2].args[0].op, RT_SCMP_CMP_MASKED_EQ);
	assert_int_equal(sc->syscalls[2].args[1].index, 5);
	assert_true(sc->syscalls[2].args[1].value == UINT64_MAX);
	assert_int_equal(sc->syscalls[3].action, RT_SCMP_ACT_NOTIFY);
	assert_int_equal(sc->syscalls[4].action, RT_SCMP_ACT_TRACE);
	assert_int_equal(sc->syscalls[4].errno_ret, 77);
	assert_int_equal(cfg.rootfs_propagation, MS_SLAVE | MS_REC);
	assert_string_equal(cfg.masked_paths[1], "/sys/firmware");
	assert_true(cfg.personality.present);
	assert_string_equal(cfg.personality.domain, "LINUX32");
	assert_int_equal(cfg.personality.persona, 0x0008 /* PER_LINUX32 */);
	rt_config_free(&cfg);
	free(text);
}

static void loads_from_bundle(void **state)
{
	(void)state;
	char dir[] = "/tmp/pal-oci-bundle-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/config.json", dir);

	struct rt_config cfg;
	struct pal_err err = {0};
	assert_true(rt_config_load(dir, &cfg, &err) < 0);
	assert_non_null(strstr(err.msg, path)); /* a missing file names its path */

	char *text = patched_text(NULL);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	pal_err_clear(&err);
	if (rt_config_load(dir, &cfg, &err))
		fail_msg("%s", err.msg);
	char want[300];
	snprintf(want, sizeof(want), "%s/rootfs", dir);
	assert_string_equal(cfg.root.path, want);
	rt_config_free(&cfg);

	/* A relative bundle resolves against the working directory. */
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir("/tmp"), 0);
	if (rt_config_load(dir + 5, &cfg, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.root.path, want);
	rt_config_free(&cfg);
	assert_int_equal(chdir(cwd), 0);

	/* Semantic errors name the file. */
	f = fopen(path, "w");
	fputs("{\"ociVersion\": \"1.0.0\"}", f);
	fclose(f);
	assert_true(rt_config_load(dir, &cfg, &err) < 0);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "root: required"));
	unlink(path);
	rmdir(dir);
}

static void syntax_errors_give_line_and_column(void **state)
{
	(void)state;
	size_t len;
	char *text = read_test_data("podman-config.json", &len);
	struct rt_config cfg;
	struct pal_err err = {0};
	/* Truncated anywhere, the sample is a syntax error on line 1. */
	static const size_t cuts[] = {0, 1, 17, 100, 2000, 9000};
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		pal_err_clear(&err);
		assert_true(rt_config_parse(text, cuts[i], "podman.json", NULL, &cfg, &err) < 0);
		if (!strstr(err.msg, "podman.json:1:") || !strstr(err.msg, "invalid JSON"))
			fail_msg("cut at %zu: %s", cuts[i], err.msg);
		assert_zeroed(&cfg);
	}
	free(text);

	const char *multi = "{\n  \"ociVersion\": \"1.0.0\",\n  \"root\": {\"path\": \"r\"},\n"
			    "  \"process\": {\"args\": [\"sh\",]}\n}\n";
	pal_err_clear(&err);
	assert_true(rt_config_parse(multi, strlen(multi), "b/config.json", NULL, &cfg, &err) < 0);
	if (!strstr(err.msg, "b/config.json:4:29:"))
		fail_msg("%s", err.msg);

	expect_error_text("{\"ociVersion\": \"1.0.0\", \"ociVersion\": \"1.0.1\"}",
			  "config.json:1:", "duplicate");
	expect_error_text("[]", "config.json: the document must be a JSON object", NULL);
	expect_error_text("\"1.0.0\"", "config.json:1:", "invalid JSON");
	expect_error_text("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, "
			  "\"hostname\": \"a\\u0000b\"}",
			  "hostname", "without NUL");
}

static void big_integers(void **state)
{
	(void)state;
	struct rt_config cfg;
	/* Values jansson cannot hold as int64 reach the uint64 fields intact. */
	struct pal_err err = {0};
	const char *text = "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, "
			   "\"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], "
			   "\"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": "
			   "9223372036854775807, \"hard\": 9223372036854775808}, {\"type\": "
			   "\"RLIMIT_AS\", \"soft\": 18446744073709551615, \"hard\": "
			   "18446744073709551615}]}}";
	if (parse_text(text, &cfg, &err))
		fail_msg("%s", err.msg);
	assert_true(cfg.process.rlimits[0].soft == INT64_MAX);
	assert_true(cfg.process.rlimits[0].hard == (uint64_t)INT64_MAX + 1);
	assert_true(cfg.process.rlimits[1].soft == UINT64_MAX);
	rt_config_free(&cfg);
	/* Text that looks like a big number stays text. */
	expect_ok("{\"hostname\": \"18446744073709551615\"}", &cfg);
	assert_string_equal(cfg.hostname, "18446744073709551615");
	rt_config_free(&cfg);
	/* A big number is not a string, nor a signed integer. */
	expect_error_text("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, "
			  "\"hostname\": 18446744073709551615}",
			  "hostname: must be a string", NULL);
	expect_error_text("{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"process\": "
			  "{\"user\": {\"uid\": 18446744073709551615, \"gid\": 0}}}",
			  "process.user.uid: must be an integer between 0 and 4294967295", NULL);
	expect_error_text("{\"ociVersion\": \"1.0.0\", \"x\": 18446744073709551616}",
			  "config.json:1:", "invalid JSON");
	expect_error_text("{\"ociVersion\": \"1.0.0\", \"x\": -18446744073709551615}",
			  "config.json:1:", "invalid JSON");
	expect_error("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": -1, "
		     "\"hard\": 1}]}}",
		     "process.rlimits[0].soft: must be an integer between 0 and "
		     "18446744073709551615");

	/* Strings shaped like the internal big-number form are not numbers. */
	expect_error("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": "
		     "\"\\u0000AAAAAAAAAAA\", \"hard\": 1}]}}",
		     "process.rlimits[0].soft: must be an integer between 0 and "
		     "18446744073709551615");
	expect_error("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": "
		     "\"\\u0000Q__________\", \"hard\": 1}]}}",
		     "process.rlimits[0].soft: must be an integer");
	expect_error("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": "
		     "\"\\u0000I*AAAAAAAAA\", \"hard\": 1}]}}",
		     "process.rlimits[0].soft: must be an integer");
	expect_error("{\"process\": {\"rlimits\": [{\"type\": \"RLIMIT_CORE\", \"soft\": "
		     "\"18446744073709551615\", \"hard\": 1}]}}",
		     "process.rlimits[0].soft: must be an integer");

	/* Columns after a rewritten number are the columns of the original. */
	const char *bad = "{\"a\": 18446744073709551615, \"b\": ]}";
	const char *same_len = "{\"a\": 1844674407370955161 , \"b\": ]}";
	json_error_t jerr;
	assert_null(json_loads(same_len, 0, &jerr));
	char want[64];
	snprintf(want, sizeof(want), "config.json:%d:%d:", jerr.line, jerr.column);
	expect_error_text(bad, want, NULL);
}

static void size_limit(void **state)
{
	(void)state;
	size_t len = RT_CONFIG_MAX_BYTES + 1;
	char *text = malloc(len);
	assert_non_null(text);
	memset(text, ' ', len);
	text[0] = '{';
	text[len - 1] = '}';
	struct rt_config cfg;
	struct pal_err err = {0};
	assert_int_equal(rt_config_parse(text, len, "huge.json", NULL, &cfg, &err), -EFBIG);
	assert_non_null(strstr(err.msg, "huge.json: 16777217 bytes is larger than the 16777216"));
	assert_zeroed(&cfg);
	free(text);
}

static void versions(void **state)
{
	(void)state;
	struct rt_config cfg;
	static const char *const good[] = {"1.0.0", "1.0.2-dev",     "1.1.0-rc.1",
					   "1.2.0", "1.2.1+build.5", "1.0.0-rc5-dev"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char patch[128];
		snprintf(patch, sizeof(patch), "{\"ociVersion\": \"%s\"}", good[i]);
		expect_ok(patch, &cfg);
		assert_string_equal(cfg.oci_version, good[i]);
		rt_config_free(&cfg);
	}
	expect_error2("{\"ociVersion\": \"2.0.0\"}", "ociVersion \"2.0.0\"",
		      "runtime-spec 2.x is not supported");
	expect_error("{\"ociVersion\": \"0.1.0\"}", "runtime-spec 0.x is not supported");
	expect_error("{\"ociVersion\": \"1.0\"}", "ociVersion \"1.0\": not a version");
	expect_error("{\"ociVersion\": \"v1.0.0\"}", "not a version");
	expect_error("{\"ociVersion\": \"1.0.0x\"}", "not a version");
	expect_error("{\"ociVersion\": \"01.0.0\"}", "not a version");
	expect_error("{\"ociVersion\": \"\"}", "not a version");
	expect_error("{\"ociVersion\": 1}", "ociVersion: must be a string");
	expect_error("{\"ociVersion\": null}", "ociVersion: required");
}

static void root_rules(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"root\": {\"path\": \"/abs//rootfs/\"}}", &cfg);
	assert_string_equal(cfg.root.path, "/abs/rootfs");
	rt_config_free(&cfg);
	expect_ok("{\"root\": {\"path\": \"./a/../rootfs\", \"readonly\": true}}", &cfg);
	assert_string_equal(cfg.root.path, TEST_BUNDLE "/rootfs");
	assert_true(cfg.root.readonly);
	rt_config_free(&cfg);
	/* Without a bundle, a relative root is relative to the working directory. */
	char cwd[4096];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	char *text = patched_text(NULL);
	struct pal_err err = {0};
	if (rt_config_parse(text, strlen(text), "config.json", NULL, &cfg, &err))
		fail_msg("%s", err.msg);
	assert_true(pal_str_starts_with(cfg.root.path, cwd));
	assert_true(pal_str_ends_with(cfg.root.path, "/rootfs"));
	rt_config_free(&cfg);
	free(text);
	expect_error("{\"root\": null}", "root: required");
	expect_error("{\"root\": {\"path\": null}}", "root.path: required");
	expect_error("{\"root\": {\"path\": \"\"}}", "root.path: must not be empty");
	expect_error("{\"root\": {\"path\": 5}}", "root.path: must be a string");
	expect_error("{\"root\": \"rootfs\"}", "root: must be an object");
	expect_error("{\"root\": {\"path\": \"r\", \"readonly\": \"yes\"}}",
		     "root.readonly: must be true or false");
}

static void refused_sections(void **state)
{
	(void)state;
	expect_error("{\"windows\": {\"layerFolders\": []}}", "windows: configuration for another");
	expect_error("{\"solaris\": {}}", "solaris: configuration for another platform");
	expect_error("{\"vm\": {\"kernel\": {\"path\": \"/k\"}}}", "vm: configuration");
	expect_error("{\"zos\": {}}", "zos: configuration");
	expect_error("{\"linux\": {\"intelRdt\": {\"closID\": \"x\"}}}",
		     "linux.intelRdt: not supported by this runtime");
	expect_error("{\"linux\": {\"memoryPolicy\": {\"mode\": \"MPOL_BIND\"}}}",
		     "linux.memoryPolicy: not supported");
	expect_error("{\"linux\": {\"netDevices\": {\"eth1\": {}}}}",
		     "linux.netDevices: not supported");
	expect_error("{\"linux\": {\"mountLabel\": \"system_u:object_r:x:s0\"}}",
		     "linux.mountLabel \"system_u:object_r:x:s0\": not supported");
	expect_error("{\"process\": {\"apparmorProfile\": \"docker-default\"}}",
		     "process.apparmorProfile \"docker-default\": not supported");
	expect_error("{\"process\": {\"selinuxLabel\": \"system_u:system_r:t:s0\"}}",
		     "process.selinuxLabel");
	expect_error("{\"process\": {\"commandLine\": \"app.exe\"}}",
		     "process.commandLine: not supported on Linux");
	struct rt_config cfg;
	/* Empty values and unknown properties are fine. */
	expect_ok("{\"linux\": {\"mountLabel\": \"\", \"vtpms\": [], \"somethingNew\": 1},"
		  " \"process\": {\"apparmorProfile\": \"\", \"selinuxLabel\": \"\","
		  " \"commandLine\": \"\", \"futureKnob\": {}}, \"x-vendor\": [1]}",
		  &cfg);
	rt_config_free(&cfg);
}

static void annotations(void **state)
{
	(void)state;
	expect_error("{\"annotations\": {\"a\": 1}}", "annotations[\"a\"]: must be a string");
	expect_error("{\"annotations\": {\"\": \"x\"}}", "annotations: keys must not be empty");
	expect_error("{\"annotations\": [\"a\"]}", "annotations: must be an object");
	struct rt_config cfg;
	expect_ok("{\"annotations\": {}}", &cfg);
	assert_int_equal(cfg.n_annotations, 0);
	assert_null(rt_config_annotation(&cfg, "a"));
	rt_config_free(&cfg);
}

static void hooks(void **state)
{
	(void)state;
	expect_error("{\"hooks\": {\"poststart\": [{\"path\": \"notify\"}]}}",
		     "hooks.poststart[0].path \"notify\": must be an absolute path");
	expect_error("{\"hooks\": {\"createRuntime\": [{\"args\": []}]}}",
		     "hooks.createRuntime[0].path: required");
	expect_error("{\"hooks\": {\"prestart\": [{\"path\": \"/a\"}, {\"path\": \"/b\", "
		     "\"timeout\": 0}]}}",
		     "hooks.prestart[1].timeout: must be a number of seconds greater than zero");
	expect_error("{\"hooks\": {\"poststop\": [{\"path\": \"/a\", \"timeout\": -3}]}}",
		     "hooks.poststop[0].timeout");
	expect_error("{\"hooks\": {\"poststop\": [{\"path\": \"/a\", \"timeout\": 1.5}]}}",
		     "hooks.poststop[0].timeout");
	expect_error("{\"hooks\": {\"startContainer\": [{\"path\": \"/a\", \"env\": [\"X\"]}]}}",
		     "hooks.startContainer[0].env[0] \"X\": must have the form NAME=value");
	expect_error("{\"hooks\": {\"createContainer\": {\"path\": \"/a\"}}}",
		     "hooks.createContainer: must be an array");
	expect_error("{\"hooks\": {\"createContainer\": [\"/a\"]}}",
		     "hooks.createContainer[0]: must be an object");
	expect_error("{\"hooks\": {\"prestart\": [{\"path\": \"/a\", \"args\": [1]}]}}",
		     "hooks.prestart[0].args[0]: must be a string");
}

static void hostname_needs_uts(void **state)
{
	(void)state;
	const char *no_uts = "{\"hostname\": \"web\", \"linux\": {\"namespaces\": [{\"type\": "
			     "\"pid\"}, {\"type\": \"mount\"}]}}";
	expect_error(no_uts, "hostname \"web\": needs a UTS namespace");
	expect_error("{\"domainname\": \"x.test\", \"linux\": null}",
		     "domainname \"x.test\": needs a UTS namespace");
	expect_error("{\"hostname\": "
		     "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
		     "hostname: longer than 64 bytes");
	struct rt_config cfg;
	expect_ok("{\"hostname\": \"web\", \"domainname\": \"example\", \"linux\": "
		  "{\"namespaces\": [{\"type\": \"uts\", \"path\": \"/proc/1/ns/uts\"}]}}",
		  &cfg);
	assert_string_equal(cfg.hostname, "web");
	rt_config_free(&cfg);
	/* An empty hostname asks for nothing. */
	expect_ok("{\"hostname\": \"\", \"linux\": null}", &cfg);
	rt_config_free(&cfg);
}

static void no_process_no_linux(void **state)
{
	(void)state;
	struct rt_config cfg;
	expect_ok("{\"process\": null, \"linux\": null}", &cfg);
	assert_false(cfg.has_process);
	assert_int_equal(cfg.n_namespaces, 0);
	assert_false(cfg.has_seccomp);
	assert_false(cfg.has_resources);
	rt_config_free(&cfg);
	rt_config_free(&cfg); /* freeing twice is harmless */
	rt_config_free(NULL);
	expect_error("{\"process\": []}", "process: must be an object");
	expect_error("{\"linux\": 1}", "linux: must be an object");
	expect_error("{\"mounts\": {}}", "mounts: must be an array");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(podman_sample_parses),
	    cmocka_unit_test(containerd_sample_parses),
	    cmocka_unit_test(full_config_parses),
	    cmocka_unit_test(loads_from_bundle),
	    cmocka_unit_test(syntax_errors_give_line_and_column),
	    cmocka_unit_test(big_integers),
	    cmocka_unit_test(size_limit),
	    cmocka_unit_test(versions),
	    cmocka_unit_test(root_rules),
	    cmocka_unit_test(refused_sections),
	    cmocka_unit_test(annotations),
	    cmocka_unit_test(hooks),
	    cmocka_unit_test(hostname_needs_uts),
	    cmocka_unit_test(no_process_no_linux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
