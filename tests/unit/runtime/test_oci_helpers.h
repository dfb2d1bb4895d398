/* Helpers shared by the test_oci_*.c files: parse a minimal valid config
 * with a JSON fragment merged in, and check the outcome. */
#ifndef PAL_TEST_OCI_HELPERS_H
#define PAL_TEST_OCI_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "runtime/oci_config.h"

#define TEST_BUNDLE "/bundles/b1"

/* The smallest config every rule accepts; fragments are merged into it with
 * json_object_update_recursive (a JSON null removes a member, as far as
 * the parser is concerned). */
static const char base_config[] =
    "{\"ociVersion\": \"1.0.2\","
    " \"root\": {\"path\": \"rootfs\"},"
    " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\"},"
    " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"},"
    " {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}]}}";

static inline char *patched_text(const char *patch)
{
	json_error_t jerr;
	json_t *base = json_loads(base_config, 0, &jerr);
	if (!base)
		fail_msg("base config: %s", jerr.text);
	if (patch) {
		json_t *p = json_loads(patch, JSON_ALLOW_NUL, &jerr);
		if (!p)
			fail_msg("test patch does not parse: %s (%s)", jerr.text, patch);
		json_object_update_recursive(base, p);
		json_decref(p);
	}
	char *text = json_dumps(base, 0);
	json_decref(base);
	return text;
}

static inline int parse_text(const char *text, struct rt_config *cfg, struct pal_err *err)
{
	pal_err_clear(err);
	return rt_config_parse(text, strlen(text), "config.json", TEST_BUNDLE, cfg, err);
}

static inline void expect_ok(const char *patch, struct rt_config *cfg)
{
	struct pal_err err = {0};
	char *text = patched_text(patch);
	int r = parse_text(text, cfg, &err);
	if (r != 0)
		fail_msg("expected success, got: %s\nconfig: %s", err.msg, text);
	free(text);
}

static inline void assert_zeroed(const struct rt_config *cfg)
{
	static const struct rt_config zero;
	if (memcmp(cfg, &zero, sizeof(zero)) != 0)
		fail_msg("a failed parse left data in the config");
}

/* The parse fails, the message contains every needle, the config is empty. */
static inline void expect_error_text(const char *text, const char *needle, const char *needle2)
{
	struct rt_config cfg;
	struct pal_err err = {0};
	int r = parse_text(text, &cfg, &err);
	if (r == 0) {
		rt_config_free(&cfg);
		fail_msg("expected an error containing \"%s\"; the config parsed: %s", needle,
			 text);
	}
	assert_true(r < 0);
	assert_int_not_equal(err.code, 0);
	if (!strstr(err.msg, needle) || (needle2 && !strstr(err.msg, needle2)))
		fail_msg("error \"%s\" lacks \"%s\"%s%s%s", err.msg, needle, needle2 ? " / \"" : "",
			 needle2 ? needle2 : "", needle2 ? "\"" : "");
	assert_zeroed(&cfg);
}

static inline void expect_error2(const char *patch, const char *needle, const char *needle2)
{
	char *text = patched_text(patch);
	expect_error_text(text, needle, needle2);
	free(text);
}

static inline void expect_error(const char *patch, const char *needle)
{
	expect_error2(patch, needle, NULL);
}

static inline char *read_test_data(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/runtime/%s", PAL_TEST_DATA_DIR, name);
	char *data = NULL;
	struct pal_err err = {0};
	if (pal_read_file(path, 1 << 24, &data, len, &err) < 0)
		fail_msg("%s", err.msg);
	return data;
}

#endif
