/* Shared by the oci_*.c files that make up the config.json parser: JSON
 * access whose errors name the JSON path, path normalization, name tables,
 * and the per-section parse/free entry points. Not part of the runtime API. */
#ifndef PAL_RUNTIME_OCI_INTERNAL_H
#define PAL_RUNTIME_OCI_INTERNAL_H

#include "common/cleanup.h"
#include "common/err.h"
#include "common/jsonutil.h"
#include "runtime/oci_config.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bounds on list sizes, so a hostile document cannot make us allocate
 * per-entry structures without limit (the 16 MiB document cap bounds bytes,
 * not how many small objects they describe). */
#define RT_OCI_MAX_ITEMS       65536u
#define RT_OCI_MAX_ID_MAPPINGS 340u /* the kernel's UID_GID_MAP_MAX_EXTENTS */
#define RT_OCI_MAX_HOSTNAME    64u  /* HOST_NAME_MAX */

/* Room for a JSON path in messages ("linux.seccomp.syscalls[12].args[3]").
 * Longer paths (only possible with long map keys) are truncated. */
#define RT_OCI_PATH_MAX 320

/* ---- errors and paths (oci_json.c) ---- */

int rt_oci_fail(struct pal_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "<parent>.<key>", or "<key>" when parent is empty. Returns buf. */
const char *rt_oci_join(char *buf, const char *parent, const char *key);
/* "<parent>[i]". Returns buf. */
const char *rt_oci_index(char *buf, const char *parent, size_t i);

/* Loads a document whose top level must be an object. Syntax errors read
 * "name:line:col: invalid JSON: ...". Integers above INT64_MAX (uint64
 * values such as RLIM_INFINITY, which jansson cannot hold) are accepted
 * and read back by rt_oci_u64/rt_oci_value_u64. */
json_t *rt_oci_load(const char *text, size_t len, const char *name, struct pal_err *err);

/* Member lookup: NULL when absent or JSON null (Go peers omit or null
 * optional values alike). */
json_t *rt_oci_member(json_t *obj, const char *key);

/* Typed access. `path` names obj; errors name "<path>.<key>". An absent
 * member leaves outputs untouched and clears *has (when has is given). */
int rt_oci_string(json_t *obj, const char *path, const char *key, const char **out,
		  struct pal_err *err);
int rt_oci_strdup(json_t *obj, const char *path, const char *key, char **out, struct pal_err *err);
int rt_oci_bool(json_t *obj, const char *path, const char *key, bool *out, struct pal_err *err);
int rt_oci_int(json_t *obj, const char *path, const char *key, int64_t min, int64_t max,
	       int64_t *out, bool *has, struct pal_err *err);
int rt_oci_u64(json_t *obj, const char *path, const char *key, uint64_t *out, bool *has,
	       struct pal_err *err);
int rt_oci_object(json_t *obj, const char *path, const char *key, json_t **out,
		  struct pal_err *err);
/* Arrays longer than max are an error. */
int rt_oci_array(json_t *obj, const char *path, const char *key, size_t max, json_t **out,
		 struct pal_err *err);
/* Array of strings as a NULL-terminated vector; absent leaves *out NULL. */
int rt_oci_strv(json_t *obj, const char *path, const char *key, size_t max, char ***out,
		struct pal_err *err);
/* An error "<path>.<key>: required" unless the member is present. */
int rt_oci_required(json_t *obj, const char *path, const char *key, struct pal_err *err);

/* An object of string values (annotations, sysctl, unified) as key/value
 * pairs in document order. Keys must be non-empty. */
int rt_oci_string_map(json_t *obj, const char *path, const char *key, size_t max,
		      struct rt_kv **out, size_t *n, struct pal_err *err);

/* The same checks on a value already in hand; `path` names the value. */
int rt_oci_value_string(json_t *v, const char *path, const char **out, struct pal_err *err);
int rt_oci_value_u64(json_t *v, const char *path, uint64_t *out, struct pal_err *err);
int rt_oci_value_object(json_t *v, const char *path, struct pal_err *err);

/* ---- paths (oci_paths.c) ---- */

/* Normalizes an absolute container path in place: repeated slashes
 * collapse, a trailing slash goes. Fails (returns false) on a relative
 * path or a "." or ".." component. */
bool rt_oci_clean_container_path(char *path);
/* Validates and normalizes a container path field, with the standard
 * message: `<path> "<value>": must be an absolute path without "." or ".."
 * components`. */
int rt_oci_container_path(char *value, const char *path, struct pal_err *err);
/* Makes p absolute against base (or the working directory when base is
 * NULL or relative) and cleans it lexically. Caller frees. */
char *rt_oci_abs_path(const char *base, const char *p);

/* "0-3,7": comma-separated CPU/node numbers and ascending ranges. */
bool rt_oci_valid_cpu_list(const char *s);

/* ---- name tables (oci_names.c) ---- */

int rt_oci_rlimit_from_name(const char *name); /* -1 if unknown */
int rt_oci_ns_from_name(const char *name);     /* -1 if unknown */

/* ---- sections ---- */

int rt_oci_parse_process(json_t *obj, const char *path, struct rt_process *proc,
			 struct pal_err *err);
int rt_oci_parse_scheduler(json_t *proc, const char *path, struct rt_process *p,
			   struct pal_err *err);
int rt_oci_parse_io_priority(json_t *proc, const char *path, struct rt_process *p,
			     struct pal_err *err);
int rt_oci_parse_cpu_affinity(json_t *proc, const char *path, struct rt_process *p,
			      struct pal_err *err);

/* Relative bind-mount sources resolve against bundle_dir. */
int rt_oci_parse_mounts(json_t *root, const char *bundle_dir, struct rt_config *cfg,
			struct pal_err *err);
void rt_oci_free_mounts(struct rt_config *cfg);
int rt_oci_parse_mount_options(char **options, const char *path, struct rt_mount *m,
			       struct pal_err *err);

int rt_oci_parse_id_mappings(json_t *obj, const char *path, const char *key,
			     struct rt_id_mapping **out, size_t *n, struct pal_err *err);

int rt_oci_parse_hooks(json_t *root, struct rt_config *cfg, struct pal_err *err);
void rt_oci_free_hooks(struct rt_config *cfg);

int rt_oci_parse_linux(json_t *linux_obj, struct rt_config *cfg, struct pal_err *err);
void rt_oci_free_linux(struct rt_config *cfg);

int rt_oci_parse_devices(json_t *linux_obj, struct rt_config *cfg, struct pal_err *err);
void rt_oci_free_devices(struct rt_config *cfg);

int rt_oci_parse_resources(json_t *obj, const char *path, struct rt_resources *res,
			   struct pal_err *err);
void rt_oci_free_resources(struct rt_resources *res);
int rt_oci_parse_res_block_io(json_t *res, const char *path, struct rt_resources *rs,
			      struct pal_err *err);
int rt_oci_parse_res_hugepages(json_t *res, const char *path, struct rt_resources *rs,
			       struct pal_err *err);
int rt_oci_parse_res_network(json_t *res, const char *path, struct rt_resources *rs,
			     struct pal_err *err);
int rt_oci_parse_res_rdma(json_t *res, const char *path, struct rt_resources *rs,
			  struct pal_err *err);
int rt_oci_parse_res_unified(json_t *res, const char *path, struct rt_resources *rs,
			     struct pal_err *err);

int rt_oci_parse_seccomp(json_t *obj, const char *path, struct rt_seccomp *sc, struct pal_err *err);
void rt_oci_free_seccomp(struct rt_seccomp *sc);

void rt_oci_free_kv(struct rt_kv *kv, size_t n);

/* Cross-field rules (hostname needs a UTS namespace, sysctl namespacing,
 * user namespace mappings, idmapped mounts, time offsets). */
int rt_oci_validate(struct rt_config *cfg, struct pal_err *err);

#endif
