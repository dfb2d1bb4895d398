/* Fuzz target: config.json and process.json parsing on arbitrary bytes.
 * Both parsers must fail cleanly (no crash, no leak, empty output) or
 * succeed with a config that frees cleanly. */
#include "runtime/oci_config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const struct rt_config zero_cfg;
static const struct rt_process zero_proc;

/* The parser's promise for container paths: absolute, no empty, "." or ".."
 * component, no trailing slash. */
static bool clean_container_path(const char *p)
{
	if (p[0] != '/')
		return false;
	if (!p[1])
		return true;
	for (const char *c = p + 1;;) {
		size_t n = strcspn(c, "/");
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		if (!c[n])
			return true;
		c += n + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_config cfg;
	struct pal_err err = {0};
	int r = rt_config_parse((const char *)data, size, "fuzz.json", "/bundle", &cfg, &err);
	if (r < 0) {
		if (err.code == 0 || memcmp(&cfg, &zero_cfg, sizeof(cfg)) != 0)
			abort(); /* a failure must say why and leave nothing behind */
	} else {
		if (!cfg.root.path || cfg.root.path[0] != '/')
			abort();
		for (size_t i = 0; i < cfg.n_mounts; i++)
			if (!clean_container_path(cfg.mounts[i].destination))
				abort();
		for (size_t i = 0; i < cfg.n_devices; i++)
			if (!clean_container_path(cfg.devices[i].path))
				abort();
		for (size_t i = 0; cfg.masked_paths && cfg.masked_paths[i]; i++)
			if (!clean_container_path(cfg.masked_paths[i]))
				abort();
		for (size_t i = 0; cfg.readonly_paths && cfg.readonly_paths[i]; i++)
			if (!clean_container_path(cfg.readonly_paths[i]))
				abort();
		rt_config_free(&cfg);
	}

	struct rt_process proc;
	err = (struct pal_err){0};
	r = rt_process_parse((const char *)data, size, "fuzz-process.json", &proc, &err);
	if (r < 0 && (err.code == 0 || memcmp(&proc, &zero_proc, sizeof(proc)) != 0))
		abort();
	if (r == 0)
		rt_process_free(&proc);
	return 0;
}
