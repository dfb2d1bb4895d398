/* The node's hardening policy: the `hardening:` section of
 * /etc/palisade/policy.yaml (path overridable with PALISADE_POLICY), with
 * built-in defaults when the file or the section is absent, and per-container
 * overrides through annotations when the policy allows them.
 *
 * hardening:
 *   seccomp: default          # default: apply Palisade's profile when config.json has none; off
 *   seccomp_log_denials: true # mark denials for the audit log so the sensor reports them
 *   wx: true                  # W^X: a container executes only what it cannot write
 *   wx_exec_paths: [/app]     # extra in-container paths kept read-only and executable
 *   no_new_privs: true        # set no_new_privs unless config.json explicitly says false
 *   allow_annotations: true   # honour io.palisade.hardening.* annotations
 */
#ifndef PAL_RUNTIME_POLICY_H
#define PAL_RUNTIME_POLICY_H

#include "common/err.h"
#include "runtime/oci_config.h"

#include <stdbool.h>

#define RT_POLICY_DEFAULT_PATH "/etc/palisade/policy.yaml"

#define RT_ANNOT_SECCOMP       "io.palisade.hardening.seccomp"	     /* "default" | "off" */
#define RT_ANNOT_WX	       "io.palisade.hardening.wx"	     /* "on" | "off" */
#define RT_ANNOT_WX_EXEC_PATHS "io.palisade.hardening.wx-exec-paths" /* comma-separated */
#define RT_ANNOT_NNP	       "io.palisade.hardening.no-new-privs"  /* "on" | "off" */

struct rt_hardening {
	bool seccomp_default;
	bool seccomp_log_denials;
	bool wx;
	char **wx_exec_paths; /* NULL-terminated, absolute clean container paths */
	bool no_new_privs;
	bool allow_annotations;
	char *source; /* the policy file used, or "built-in defaults" */
};

void rt_hardening_defaults(struct rt_hardening *h);
void rt_hardening_free(struct rt_hardening *h);

/* The policy file in effect: path, else $PALISADE_POLICY, else the default
 * path if it exists; NULL means built-in defaults. */
const char *rt_policy_path(const char *path);

/* path NULL: $PALISADE_POLICY, else the default path if it exists, else defaults. */
int rt_hardening_load(const char *path, struct rt_hardening *h, struct pal_err *err);

/* The node policy file, read and parsed once for all its sections
 * (hardening, admission, trust). path NULL after load: built-in defaults. */
struct rt_policy_file {
	char *path;
	char *text;
	size_t len;
	struct pal_yaml *yaml; /* NULL without a file */
};
int rt_policy_file_load(const char *path, struct rt_policy_file *f, struct pal_err *err);
void rt_policy_file_free(struct rt_policy_file *f);
/* Does the file have this top-level section? */
bool rt_policy_file_has(const struct rt_policy_file *f, const char *section);
/* The hardening section of an already loaded file (defaults when absent). */
int rt_hardening_from_file(const struct rt_policy_file *f, struct rt_hardening *h,
			   struct pal_err *err);

/* Parses the hardening section from an already loaded YAML document (used by
 * `palisade policy check` as well). A missing section leaves defaults. */
struct pal_yaml;
int rt_hardening_parse_yaml(struct pal_yaml *y, struct rt_hardening *h, struct pal_err *err);

/* Applies io.palisade.hardening.* annotations when allowed; an annotation the
 * policy does not allow is an error (a container must not silently run
 * with less protection than it asked for, nor more than the node permits). */
int rt_hardening_apply_annotations(struct rt_hardening *h, const struct rt_config *cfg,
				   struct pal_err *err);

#endif
