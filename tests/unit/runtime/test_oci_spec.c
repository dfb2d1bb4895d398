/* rt_config_default_spec: the same document `runc spec` writes (compared
 * against the installed runc), and it round-trips through the parser. */
#include "test_oci_helpers.h"

#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Runs `runc spec [--rootless]` in a scratch directory and loads the result. */
static json_t *runc_spec(bool rootless)
{
	if (system("command -v runc >/dev/null 2>&1") != 0)
		fail_msg("runc is needed to compare the default spec with (apt-get install runc)");
	char dir[] = "/tmp/pal-oci-spec-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "cd %s && runc spec%s", dir, rootless ? " --rootless" : "");
	assert_int_equal(system(cmd), 0);
	char path[256];
	snprintf(path, sizeof(path), "%s/config.json", dir);
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	if (!j)
		fail_msg("%s: %s", path, jerr.text);
	unlink(path);
	rmdir(dir);
	return j;
}

/* Version and hostname name the runtime that wrote the file; the rest must
 * match field for field. */
static void strip_identity(json_t *spec)
{
	json_object_del(spec, "ociVersion");
	json_object_del(spec, "hostname");
}

static void matches_runc(bool rootless)
{
	char *ours = rt_config_default_spec(rootless);
	assert_non_null(ours);
	json_error_t jerr;
	json_t *mine = json_loads(ours, 0, &jerr);
	if (!mine)
		fail_msg("our spec is not JSON: %s", jerr.text);
	assert_string_equal(json_string_value(json_object_get(mine, "hostname")), "palisade");
	assert_true(
	    pal_str_starts_with(json_string_value(json_object_get(mine, "ociVersion")), "1."));
	json_t *theirs = runc_spec(rootless);
	strip_identity(mine);
	strip_identity(theirs);
	if (!json_equal(mine, theirs)) {
		char *a = json_dumps(mine, JSON_INDENT(1));
		char *b = json_dumps(theirs, JSON_INDENT(1));
		fail_msg("default spec differs from runc's\nours:\n%s\nrunc:\n%s", a, b);
	}
	/* Same key order too, so diffs against runc's files stay readable. */
	char *a = json_dumps(mine, JSON_COMPACT);
	char *b = json_dumps(theirs, JSON_COMPACT);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(mine);
	json_decref(theirs);
	assert_true(pal_str_ends_with(ours, "}\n"));
	free(ours);
}

static void default_spec_matches_runc(void **state)
{
	(void)state;
	matches_runc(false);
}

static void rootless_spec_matches_runc(void **state)
{
	(void)state;
	matches_runc(true);
}

static void default_spec_round_trips(void **state)
{
	(void)state;
	char *text = rt_config_default_spec(false);
	struct rt_config cfg;
	struct pal_err err = {0};
	if (rt_config_parse(text, strlen(text), "spec", "/b", &cfg, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.root.path, "/b/rootfs");
	assert_true(cfg.root.readonly);
	assert_string_equal(cfg.hostname, "palisade");
	struct rt_process *p = &cfg.process;
	assert_true(p->terminal);
	assert_string_equal(p->args[0], "sh");
	assert_null(p->args[1]);
	assert_int_equal(pal_strv_len(p->env), 2);
	assert_string_equal(p->cwd, "/");
	uint64_t caps =
	    (1ull << CAP_AUDIT_WRITE) | (1ull << CAP_KILL) | (1ull << CAP_NET_BIND_SERVICE);
	assert_int_equal(p->caps.bounding, caps);
	assert_int_equal(p->caps.effective, caps);
	assert_int_equal(p->caps.permitted, caps);
	assert_int_equal(p->caps.ambient, caps);
	assert_int_equal(p->caps.inheritable, 0);
	assert_int_equal(p->n_rlimits, 1);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_true(p->no_new_privileges);
	static const char *const dests[] = {"/proc",	   "/dev", "/dev/pts",	    "/dev/shm",
					    "/dev/mqueue", "/sys", "/sys/fs/cgroup"};
	assert_int_equal(cfg.n_mounts, 7);
	for (size_t i = 0; i < 7; i++)
		assert_string_equal(cfg.mounts[i].destination, dests[i]);
	assert_int_equal(cfg.mounts[5].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	assert_string_equal(cfg.mounts[2].data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	static const enum rt_ns_type ns[] = {RT_NS_PID, RT_NS_NETWORK, RT_NS_IPC, RT_NS_UTS,
					     RT_NS_MOUNT};
	assert_int_equal(cfg.n_namespaces, 5);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(cfg.namespaces[i].type, ns[i]);
	assert_null(rt_config_namespace(&cfg, RT_NS_USER));
	assert_int_equal(cfg.resources.n_devices, 1);
	assert_false(cfg.resources.devices[0].allow);
	assert_int_equal(pal_strv_len(cfg.masked_paths), 10);
	assert_int_equal(pal_strv_len(cfg.readonly_paths), 5);
	rt_config_free(&cfg);
	free(text);
}

static void rootless_spec_round_trips(void **state)
{
	(void)state;
	char *text = rt_config_default_spec(true);
	struct rt_config cfg;
	struct pal_err err = {0};
	if (rt_config_parse(text, strlen(text), "spec", "/b", &cfg, &err))
		fail_msg("%s", err.msg);
	const struct rt_namespace *user = rt_config_namespace(&cfg, RT_NS_USER);
	assert_non_null(user);
	assert_null(user->path);
	assert_null(rt_config_namespace(&cfg, RT_NS_NETWORK));
	assert_int_equal(cfg.n_namespaces, 5);
	assert_int_equal(cfg.n_uid_mappings, 1);
	assert_int_equal(cfg.uid_mappings[0].container_id, 0);
	assert_int_equal(cfg.uid_mappings[0].host_id, geteuid());
	assert_int_equal(cfg.uid_mappings[0].size, 1);
	assert_int_equal(cfg.gid_mappings[0].host_id, getegid());
	assert_false(cfg.has_resources);
	assert_string_equal(cfg.mounts[2].data, "newinstance,ptmxmode=0666,mode=0620");
	const struct rt_mount *sys = &cfg.mounts[5];
	assert_string_equal(sys->destination, "/sys");
	assert_true(sys->is_bind && sys->recursive_bind);
	assert_string_equal(sys->source, "/sys");
	assert_true(sys->flags & MS_RDONLY);
	rt_config_free(&cfg);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(default_spec_matches_runc),
	    cmocka_unit_test(rootless_spec_matches_runc),
	    cmocka_unit_test(default_spec_round_trips),
	    cmocka_unit_test(rootless_spec_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
