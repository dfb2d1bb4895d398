#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/bundle_gen.h"
#include "runtime/oci_config.h"

static char *args_sh[] = {"sh", "-c", "true", NULL};

static void parse(const char *json, struct rt_config *cfg)
{
	struct pal_err err = {0};
	int r = rt_config_parse(json, strlen(json), "gen", "/tmp", cfg, &err);
	if (r < 0)
		fail_msg("generated config does not parse: %s", err.msg);
}

static const char *env_value(const struct rt_config *cfg, const char *key)
{
	size_t n = strlen(key);
	for (size_t i = 0; cfg->process.env[i]; i++)
		if (!strncmp(cfg->process.env[i], key, n) && cfg->process.env[i][n] == '=')
			return cfg->process.env[i] + n + 1;
	return NULL;
}

static void defaults_parse_and_are_hardened(void **state)
{
	(void)state;
	struct rt_bundle_spec s = {.id = "c1", .rootfs = "/r", .args = args_sh};
	struct pal_err err = {0};
	char *json = rt_bundle_config_json(&s, &err);
	assert_non_null(json);
	struct rt_config cfg;
	parse(json, &cfg);
	assert_string_equal(cfg.root.path, "/r");
	assert_false(cfg.root.readonly);
	assert_string_equal(cfg.hostname, "c1");
	assert_string_equal(cfg.cgroups_path, "/palisade/c1");
	assert_non_null(rt_config_namespace(&cfg, RT_NS_NETWORK));
	assert_non_null(rt_config_namespace(&cfg, RT_NS_PID));
	/* The node policy decides no_new_privs: the generated spec stays silent. */
	assert_false(cfg.process.has_no_new_privileges);
	uint64_t want = 0;
	for (const char *const *c = rt_bundle_default_caps(); *c; c++)
		want |= 1ull << rt_cap_from_name(*c);
	assert_true(cfg.process.caps.bounding == want);
	assert_false(cfg.process.caps.bounding & (1ull << rt_cap_from_name("CAP_NET_RAW")));
	assert_string_equal(env_value(&cfg, "HOSTNAME"), "c1");
	rt_config_free(&cfg);
	free(json);
}

static void user_choices_land_in_the_config(void **state)
{
	(void)state;
	char *image_env[] = {"PATH=/opt/bin:/bin", "LANG=C", NULL};
	char *env[] = {"LANG=fr_FR", "X=1", NULL};
	char *add[] = {"net_raw", NULL};
	char *drop[] = {"CAP_CHOWN", NULL};
	struct rt_volume vols[] = {{.source = "/srv", .destination = "/data", .readonly = true}};
	struct rt_kv ann[] = {{.key = "io.palisade.image", .value = "localhost/bb:latest"}};
	struct rt_bundle_spec s = {.id = "c2",
				   .rootfs = "/r",
				   .args = args_sh,
				   .image_env = image_env,
				   .env = env,
				   .cwd = "/work",
				   .has_user = true,
				   .uid = 1000,
				   .gid = 100,
				   .tty = true,
				   .readonly = true,
				   .host_network = true,
				   .volumes = vols,
				   .n_volumes = 1,
				   .memory = 64 << 20,
				   .pids = 50,
				   .cap_add = add,
				   .cap_drop = drop,
				   .annotations = ann,
				   .n_annotations = 1};
	struct pal_err err = {0};
	char *json = rt_bundle_config_json(&s, &err);
	assert_non_null(json);
	struct rt_config cfg;
	parse(json, &cfg);
	assert_string_equal(env_value(&cfg, "PATH"), "/opt/bin:/bin");
	assert_string_equal(env_value(&cfg, "LANG"), "fr_FR");
	assert_string_equal(env_value(&cfg, "X"), "1");
	assert_string_equal(env_value(&cfg, "TERM"), "xterm");
	assert_string_equal(cfg.process.cwd, "/work");
	assert_int_equal(cfg.process.user.uid, 1000);
	assert_int_equal(cfg.process.user.gid, 100);
	assert_true(cfg.process.terminal);
	assert_true(cfg.root.readonly);
	assert_null(rt_config_namespace(&cfg, RT_NS_NETWORK));
	assert_true(cfg.process.caps.effective & (1ull << rt_cap_from_name("CAP_NET_RAW")));
	assert_false(cfg.process.caps.effective & (1ull << rt_cap_from_name("CAP_CHOWN")));
	assert_true(cfg.resources.memory.has_limit);
	assert_int_equal(cfg.resources.memory.limit, 64 << 20);
	assert_int_equal(cfg.resources.pids.limit, 50);
	const struct rt_mount *last = &cfg.mounts[cfg.n_mounts - 1];
	assert_string_equal(last->destination, "/data");
	assert_true(last->is_bind);
	assert_true(last->flags & 1 /* MS_RDONLY */);
	assert_string_equal(rt_config_annotation(&cfg, "io.palisade.image"), "localhost/bb:latest");
	rt_config_free(&cfg);
	free(json);
}

static void bad_input_is_named(void **state)
{
	(void)state;
	struct pal_err err = {0};
	char *drop_all[] = {"ALL", NULL};
	struct rt_bundle_spec s = {
	    .id = "c3", .rootfs = "/r", .args = args_sh, .cap_drop = drop_all};
	char *json = rt_bundle_config_json(&s, &err);
	assert_non_null(json);
	struct rt_config cfg;
	parse(json, &cfg);
	assert_int_equal(cfg.process.caps.bounding, 0);
	rt_config_free(&cfg);
	free(json);

	char *bad[] = {"CAP_FLY", NULL};
	s.cap_drop = NULL;
	s.cap_add = bad;
	assert_null(rt_bundle_config_json(&s, &err));
	assert_non_null(strstr(err.msg, "--cap-add CAP_FLY"));
	s.cap_add = NULL;
	char *noeq[] = {"FOO", NULL};
	s.env = noeq;
	assert_null(rt_bundle_config_json(&s, &err));
	assert_non_null(strstr(err.msg, "--env FOO"));
	s.env = NULL;
	s.args = NULL;
	assert_null(rt_bundle_config_json(&s, &err));
	assert_non_null(strstr(err.msg, "no command"));

	struct rt_volume v;
	assert_int_equal(rt_volume_parse("/a:/b:ro", &v, &err), 0);
	assert_true(v.readonly);
	rt_volume_free(&v);
	assert_true(rt_volume_parse("a:/b", &v, &err) < 0);
	assert_true(rt_volume_parse("/a:/b/../c", &v, &err) < 0);
	assert_true(rt_volume_parse("/a:/b:xx", &v, &err) < 0);
	assert_true(rt_volume_parse("/a", &v, &err) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults_parse_and_are_hardened),
	    cmocka_unit_test(user_choices_land_in_the_config),
	    cmocka_unit_test(bad_input_is_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
