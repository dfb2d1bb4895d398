/* mounts[]: every option string and what it turns into, destinations,
 * bind sources, idmapped mounts. */
#include "test_oci_helpers.h"

#include <sys/mount.h>

struct option_case {
	const char *option;
	unsigned long flags, clear_flags, propagation;
	uint64_t attr_set, attr_clr;
};

static const struct option_case option_cases[] = {
    {"defaults", 0, 0, 0, 0, 0},
    {"ro", MS_RDONLY, 0, 0, 0, 0},
    {"rw", 0, MS_RDONLY, 0, 0, 0},
    {"nosuid", MS_NOSUID, 0, 0, 0, 0},
    {"suid", 0, MS_NOSUID, 0, 0, 0},
    {"nodev", MS_NODEV, 0, 0, 0, 0},
    {"dev", 0, MS_NODEV, 0, 0, 0},
    {"noexec", MS_NOEXEC, 0, 0, 0, 0},
    {"exec", 0, MS_NOEXEC, 0, 0, 0},
    {"sync", MS_SYNCHRONOUS, 0, 0, 0, 0},
    {"async", 0, MS_SYNCHRONOUS, 0, 0, 0},
    {"dirsync", MS_DIRSYNC, 0, 0, 0, 0},
    {"remount", MS_REMOUNT, 0, 0, 0, 0},
    {"mand", MS_MANDLOCK, 0, 0, 0, 0},
    {"nomand", 0, MS_MANDLOCK, 0, 0, 0},
    {"noatime", MS_NOATIME, 0, 0, 0, 0},
    {"atime", 0, MS_NOATIME, 0, 0, 0},
    {"nodiratime", MS_NODIRATIME, 0, 0, 0, 0},
    {"diratime", 0, MS_NODIRATIME, 0, 0, 0},
    {"relatime", MS_RELATIME, 0, 0, 0, 0},
    {"norelatime", 0, MS_RELATIME, 0, 0, 0},
    {"strictatime", MS_STRICTATIME, 0, 0, 0, 0},
    {"nostrictatime", 0, MS_STRICTATIME, 0, 0, 0},
    {"lazytime", MS_LAZYTIME, 0, 0, 0, 0},
    {"nolazytime", 0, MS_LAZYTIME, 0, 0, 0},
    {"iversion", MS_I_VERSION, 0, 0, 0, 0},
    {"noiversion", 0, MS_I_VERSION, 0, 0, 0},
    {"silent", MS_SILENT, 0, 0, 0, 0},
    {"loud", 0, MS_SILENT, 0, 0, 0},
    {"nosymfollow", MS_NOSYMFOLLOW, 0, 0, 0, 0},
    {"symfollow", 0, MS_NOSYMFOLLOW, 0, 0, 0},
    {"bind", MS_BIND, 0, 0, 0, 0},
    {"rbind", MS_BIND | MS_REC, 0, 0, 0, 0},
    {"private", 0, 0, MS_PRIVATE, 0, 0},
    {"rprivate", 0, 0, MS_PRIVATE | MS_REC, 0, 0},
    {"shared", 0, 0, MS_SHARED, 0, 0},
    {"rshared", 0, 0, MS_SHARED | MS_REC, 0, 0},
    {"slave", 0, 0, MS_SLAVE, 0, 0},
    {"rslave", 0, 0, MS_SLAVE | MS_REC, 0, 0},
    {"unbindable", 0, 0, MS_UNBINDABLE, 0, 0},
    {"runbindable", 0, 0, MS_UNBINDABLE | MS_REC, 0, 0},
    {"rro", 0, 0, 0, MOUNT_ATTR_RDONLY, 0},
    {"rrw", 0, 0, 0, 0, MOUNT_ATTR_RDONLY},
    {"rnosuid", 0, 0, 0, MOUNT_ATTR_NOSUID, 0},
    {"rsuid", 0, 0, 0, 0, MOUNT_ATTR_NOSUID},
    {"rnodev", 0, 0, 0, MOUNT_ATTR_NODEV, 0},
    {"rdev", 0, 0, 0, 0, MOUNT_ATTR_NODEV},
    {"rnoexec", 0, 0, 0, MOUNT_ATTR_NOEXEC, 0},
    {"rexec", 0, 0, 0, 0, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", 0, 0, 0, MOUNT_ATTR_NODIRATIME, 0},
    {"rdiratime", 0, 0, 0, 0, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", 0, 0, 0, MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"rsymfollow", 0, 0, 0, 0, MOUNT_ATTR_NOSYMFOLLOW},
    {"rrelatime", 0, 0, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rnorelatime", 0, 0, 0, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rnoatime", 0, 0, 0, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
    {"ratime", 0, 0, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
    {"rstrictatime", 0, 0, 0, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
    {"rnostrictatime", 0, 0, 0, MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
};

static void parse_one_mount(const char *mount_json, struct rt_config *cfg)
{
	char patch[2048];
	snprintf(patch, sizeof(patch), "{\"mounts\": [%s]}", mount_json);
	expect_ok(patch, cfg);
	assert_int_equal(cfg->n_mounts, 1);
}

static void every_option_maps_to_its_flags(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(option_cases) / sizeof(option_cases[0]); i++) {
		const struct option_case *c = &option_cases[i];
		char m[512];
		snprintf(m, sizeof(m),
			 "{\"destination\": \"/m\", \"type\": \"none\", \"source\": \"/src\", "
			 "\"options\": [\"%s\"]}",
			 c->option);
		struct rt_config cfg;
		parse_one_mount(m, &cfg);
		const struct rt_mount *mt = &cfg.mounts[0];
		if (mt->flags != c->flags || mt->clear_flags != c->clear_flags ||
		    mt->propagation != c->propagation || mt->attr_set != c->attr_set ||
		    mt->attr_clr != c->attr_clr || mt->data != NULL)
			fail_msg("option %s: flags %#lx clear %#lx prop %#lx set %#llx clr %#llx "
				 "data %s",
				 c->option, mt->flags, mt->clear_flags, mt->propagation,
				 (unsigned long long)mt->attr_set, (unsigned long long)mt->attr_clr,
				 mt->data ? mt->data : "(null)");
		bool bind = strcmp(c->option, "bind") == 0 || strcmp(c->option, "rbind") == 0;
		assert_int_equal(mt->is_bind, bind);
		assert_int_equal(mt->recursive_bind, strcmp(c->option, "rbind") == 0);
		rt_config_free(&cfg);
	}
}

static void options_combine_in_order(void **state)
{
	(void)state;
	struct rt_config cfg;
	/* Later options win over earlier ones, filesystem options join into data. */
	parse_one_mount("{\"destination\": \"/m\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
			"\"options\": [\"ro\", \"nosuid\", \"mode=755\", \"rw\", \"suid\", "
			"\"size=64k\", \"shared\", \"rprivate\", \"rro\", \"rrw\", \"rnoatime\", "
			"\"rstrictatime\", \"uid=5\", \"context=\\\"a,b\\\"\"]}",
			&cfg);
	const struct rt_mount *m = &cfg.mounts[0];
	assert_int_equal(m->flags, 0);
	assert_int_equal(m->clear_flags, MS_RDONLY | MS_NOSUID);
	assert_int_equal(m->propagation, MS_PRIVATE | MS_REC);
	assert_int_equal(m->attr_set, MOUNT_ATTR_STRICTATIME);
	assert_int_equal(m->attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR__ATIME);
	assert_string_equal(m->data, "mode=755,size=64k,uid=5,context=\"a,b\"");
	assert_int_equal(pal_strv_len(m->options), 14);
	assert_false(m->is_bind);
	rt_config_free(&cfg);

	parse_one_mount("{\"destination\": \"/m\", \"type\": \"bind\", \"source\": \"/s\", "
			"\"options\": [\"rbind\", \"bind\"]}",
			&cfg);
	assert_true(cfg.mounts[0].is_bind && cfg.mounts[0].recursive_bind);
	rt_config_free(&cfg);
}

static void special_options(void **state)
{
	(void)state;
	struct rt_config cfg;
	parse_one_mount("{\"destination\": \"/run\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", "
			"\"options\": [\"tmpcopyup\"]}",
			&cfg);
	assert_true(cfg.mounts[0].tmpcopyup);
	assert_null(cfg.mounts[0].data);
	rt_config_free(&cfg);

	/* Type "bind" alone makes a (non-recursive) bind mount. */
	parse_one_mount("{\"destination\": \"/etc/hosts\", \"type\": \"bind\", \"source\": "
			"\"/h\"}",
			&cfg);
	assert_true(cfg.mounts[0].is_bind);
	assert_false(cfg.mounts[0].recursive_bind);
	assert_int_equal(cfg.mounts[0].flags, MS_BIND);
	rt_config_free(&cfg);

	/* idmap with a user namespace: the container's mappings apply. */
	expect_ok(
	    "{\"mounts\": [{\"destination\": \"/d\", \"source\": \"/s\", \"options\": "
	    "[\"bind\", \"idmap\"]}], \"linux\": {\"namespaces\": [{\"type\": \"user\"}, "
	    "{\"type\": \"mount\"}], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, "
	    "\"size\": 1}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": "
	    "1}]}}",
	    &cfg);
	assert_true(cfg.mounts[0].idmap);
	assert_false(cfg.mounts[0].recursive_idmap);
	assert_null(cfg.mounts[0].type);
	rt_config_free(&cfg);
}

static void destinations(void **state)
{
	(void)state;
	struct rt_config cfg;
	parse_one_mount("{\"destination\": \"//var///lib/x/\", \"type\": \"tmpfs\"}", &cfg);
	assert_string_equal(cfg.mounts[0].destination, "/var/lib/x");
	rt_config_free(&cfg);
	parse_one_mount("{\"destination\": \"/a..b/.c/d.\", \"type\": \"\"}", &cfg);
	assert_null(cfg.mounts[0].type); /* an empty type is no type */
	assert_string_equal(cfg.mounts[0].destination, "/a..b/.c/d.");
	rt_config_free(&cfg);

	expect_error("{\"mounts\": [{\"destination\": \"/ok\"}, {\"destination\": \"/x\"}, "
		     "{\"destination\": \"/y\"}, {\"destination\": \"../etc\"}]}",
		     "mounts[3].destination \"../etc\": must be an absolute path without \".\" or "
		     "\"..\" components");
	expect_error("{\"mounts\": [{\"destination\": \"/etc/../root\"}]}",
		     "mounts[0].destination \"/etc/../root\": must be an absolute path");
	expect_error("{\"mounts\": [{\"destination\": \"/etc/./x\"}]}",
		     "mounts[0].destination \"/etc/./x\"");
	expect_error("{\"mounts\": [{\"destination\": \"/etc/..\"}]}", "mounts[0].destination");
	expect_error("{\"mounts\": [{\"destination\": \"tmp\"}]}",
		     "mounts[0].destination \"tmp\": must be an absolute path");
	expect_error("{\"mounts\": [{\"destination\": \"\"}]}", "mounts[0].destination \"\"");
	expect_error("{\"mounts\": [{\"destination\": \"//\"}]}",
		     "mounts[0].destination \"/\": mounting over the container's root");
	expect_error("{\"mounts\": [{\"type\": \"tmpfs\"}]}", "mounts[0].destination: required");
	expect_error("{\"mounts\": [{\"destination\": 7}]}",
		     "mounts[0].destination: must be a string");
	expect_error("{\"mounts\": [\"/proc\"]}", "mounts[0]: must be an object");
	expect_error("{\"mounts\": [{\"destination\": \"/a\", \"options\": \"ro\"}]}",
		     "mounts[0].options: must be an array");
	expect_error("{\"mounts\": [{\"destination\": \"/a\", \"options\": [\"ro\", \"\"]}]}",
		     "mounts[0].options[1]: empty option");
	expect_error("{\"mounts\": [{\"destination\": \"/a\", \"options\": [\"ro\", null]}]}",
		     "mounts[0].options[1]: must be a string");
	expect_error("{\"mounts\": [{\"destination\": \"/a\", \"type\": 1}]}",
		     "mounts[0].type: must be a string");
}

static void bind_sources(void **state)
{
	(void)state;
	struct rt_config cfg;
	parse_one_mount("{\"destination\": \"/d\", \"source\": \"data/../vol\", \"options\": "
			"[\"rbind\"]}",
			&cfg);
	assert_string_equal(cfg.mounts[0].source, TEST_BUNDLE "/vol");
	rt_config_free(&cfg);
	/* Non-bind sources are names for the filesystem, kept as given. */
	parse_one_mount("{\"destination\": \"/d\", \"type\": \"tmpfs\", \"source\": \"shm\"}",
			&cfg);
	assert_string_equal(cfg.mounts[0].source, "shm");
	rt_config_free(&cfg);
	expect_error("{\"mounts\": [{\"destination\": \"/d\", \"options\": [\"bind\"]}]}",
		     "mounts[0].source: a bind mount needs a source path");
	expect_error("{\"mounts\": [{\"destination\": \"/d\", \"type\": \"bind\", \"source\": "
		     "\"\"}]}",
		     "mounts[0].source: a bind mount needs a source path");
}

static void idmapped_mounts(void **state)
{
	(void)state;
	const char *maps =
	    "\"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10}], "
	    "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 10}]";
	char patch[1024];
	snprintf(patch, sizeof(patch),
		 "{\"mounts\": [{\"destination\": \"/d\", \"source\": \"/s\", \"options\": "
		 "[\"bind\"], %s}]}",
		 maps);
	expect_error(patch, "mounts[0]: uidMappings/gidMappings need the \"idmap\" or \"ridmap\"");
	snprintf(patch, sizeof(patch),
		 "{\"mounts\": [{\"destination\": \"/d\", \"type\": \"tmpfs\", \"options\": "
		 "[\"idmap\"], %s}]}",
		 maps);
	expect_error(patch, "mounts[0]: idmapped mounts must be bind mounts");
	expect_error("{\"mounts\": [{\"destination\": \"/d\", \"source\": \"/s\", \"options\": "
		     "[\"bind\", \"idmap\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, "
		     "\"size\": 1}]}]}",
		     "mounts[0]: uidMappings and gidMappings must be given together");
	expect_error("{\"mounts\": [{\"destination\": \"/d\", \"source\": \"/s\", \"options\": "
		     "[\"bind\", \"ridmap\"]}]}",
		     "mounts[0]: \"idmap\" needs uidMappings/gidMappings on the mount or a "
		     "container user namespace");
	expect_error(
	    "{\"mounts\": [{\"destination\": \"/d\", \"source\": \"/s\", \"options\": "
	    "[\"bind\", \"idmap\"], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, "
	    "\"size\": 0}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": "
	    "1}]}]}",
	    "mounts[0].uidMappings[0].size: must be at least 1");
	struct rt_config cfg;
	snprintf(patch, sizeof(patch),
		 "{\"mounts\": [{\"destination\": \"/d\", \"source\": \"/s\", \"options\": "
		 "[\"rbind\", \"ridmap\"], %s}]}",
		 maps);
	expect_ok(patch, &cfg);
	assert_true(cfg.mounts[0].idmap && cfg.mounts[0].recursive_idmap);
	assert_int_equal(cfg.mounts[0].uid_mappings[0].size, 10);
	rt_config_free(&cfg);
}

static void too_many_mounts(void **state)
{
	(void)state;
	/* The list bound keeps hostile documents from costing unbounded memory. */
	size_t n = 65537;
	const char *one = "{\"destination\": \"/m\"},";
	size_t len = n * strlen(one) + 256;
	char *text = malloc(len);
	assert_non_null(text);
	int off = snprintf(
	    text, len, "{\"ociVersion\": \"1.0.0\", \"root\": {\"path\": \"r\"}, \"mounts\": [");
	for (size_t i = 0; i < n; i++) {
		memcpy(text + off, one, strlen(one));
		off += (int)strlen(one);
	}
	text[off - 1] = ']';
	text[off] = '}';
	text[off + 1] = '\0';
	expect_error_text(text, "mounts: 65537 entries is more than the 65536 allowed", NULL);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_option_maps_to_its_flags),
	    cmocka_unit_test(options_combine_in_order),
	    cmocka_unit_test(special_options),
	    cmocka_unit_test(destinations),
	    cmocka_unit_test(bind_sources),
	    cmocka_unit_test(idmapped_mounts),
	    cmocka_unit_test(too_many_mounts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
