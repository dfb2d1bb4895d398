/* Test helpers for the admission module: OCI configs built from a minimal
 * valid one with a JSON patch merged in, and lookups in a result. */
#ifndef PAL_TEST_ADMIT_HELPERS_H
#define PAL_TEST_ADMIT_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admit/result.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "runtime/oci_config.h"

/* What `ctr run` and podman give an ordinary container: its own pid, network,
 * ipc, uts and mount namespaces and the default capability set. */
static const char th_base_config[] =
    "{\"ociVersion\": \"1.0.2\","
    " \"root\": {\"path\": \"rootfs\"},"
    " \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\","
    "   \"capabilities\": {\"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\"],"
    "                    \"effective\": [\"CAP_CHOWN\", \"CAP_KILL\"],"
    "                    \"permitted\": [\"CAP_CHOWN\", \"CAP_KILL\"]}},"
    " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"},"
    " {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}]}}";

static inline void th_parse_text(const char *text, struct rt_config *cfg)
{
	struct pal_err err = {0};
	if (rt_config_parse(text, strlen(text), "config.json", "/bundles/b1", cfg, &err) < 0)
		fail_msg("config does not parse: %s\n%s", err.msg, text);
}

/* The base config with patch merged in (objects merged, arrays replaced). */
static inline void th_config(const char *patch, struct rt_config *cfg)
{
	json_error_t jerr;
	json_t *base = json_loads(th_base_config, 0, &jerr);
	if (!base)
		fail_msg("base config: %s", jerr.text);
	if (patch) {
		json_t *p = json_loads(patch, 0, &jerr);
		if (!p)
			fail_msg("patch does not parse: %s (%s)", jerr.text, patch);
		json_object_update_recursive(base, p);
		json_decref(p);
	}
	char *text = json_dumps(base, 0);
	json_decref(base);
	th_parse_text(text, cfg);
	free(text);
}

static inline void th_config_file(const char *name, struct rt_config *cfg)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/runtime/%s", PAL_TEST_DATA_DIR, name);
	char *data = NULL;
	size_t len = 0;
	struct pal_err err = {0};
	if (pal_read_file(path, 1 << 24, &data, &len, &err) < 0)
		fail_msg("%s", err.msg);
	th_parse_text(data, cfg);
	free(data);
}

/* The finding whose message contains needle, or NULL. */
static inline const struct adm_finding *th_find(const struct adm_result *r, const char *needle)
{
	for (size_t i = 0; i < r->n; i++)
		if (strstr(r->v[i].message, needle))
			return &r->v[i];
	return NULL;
}

static inline void th_dump(const struct adm_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		fprintf(stderr, "  [%s%s] %s\n", r->v[i].rule, r->v[i].excepted ? ", excepted" : "",
			r->v[i].message);
}

static inline void th_expect(const struct adm_result *r, const char *needle)
{
	if (!th_find(r, needle)) {
		th_dump(r);
		fail_msg("no finding contains \"%s\"", needle);
	}
}

static inline void th_expect_count(const struct adm_result *r, size_t n)
{
	if (r->n != n) {
		th_dump(r);
		fail_msg("expected %zu finding(s), got %zu", n, r->n);
	}
}

static inline char *th_tmpdir(void)
{
	char *d = pal_xstrdup("/tmp/pal-admit-test-XXXXXX");
	if (!mkdtemp(d))
		abort();
	return d;
}

static inline void th_rmdir(char *d)
{
	struct pal_err err = {0};
	pal_rm_rf(d, &err);
	free(d);
}

#endif
