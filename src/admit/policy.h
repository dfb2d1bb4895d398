/* The admission policy: the `admission:` section of /etc/palisade/policy.yaml
 * (the same file carries `trust:` and `hardening:`). Two consumers read it:
 * the runtime's config check at `palisade-runtime create` (capabilities,
 * host namespaces, host paths, devices, exceptions) and the Kubernetes
 * webhook (`kubernetes:`: Pod Security levels per namespace, image trust).
 *
 * admission:
 *   mode: enforce                      # enforce | warn | off
 *   capabilities:
 *     deny: [default, CAP_NET_RAW]     # "default" = the built-in list
 *   host_namespaces: [pid, network, ipc, uts, mount]   # or: deny (these) | allow
 *   host_paths:
 *     deny: [default, /srv/keys, {path: /data, reason: "customer data"}]
 *     allow: [default]                 # engine-managed subtrees of denied paths
 *     allow_readonly: [default, /etc/ssl/certs]
 *   devices: deny                      # deny | allow
 *   exceptions:
 *     - images: [registry.example.com/infra]    # trust: scope syntax
 *       annotations: {io.kubernetes.cri.container-name: node-exporter}
 *       allow: [host_namespaces:pid, capabilities:CAP_SYS_PTRACE]
 *   kubernetes:
 *     enforce: baseline                # privileged | baseline | restricted
 *     warn: restricted
 *     namespaces: {kube-system: privileged, prod: {enforce: restricted}}
 *     exempt_namespaces: [palisade-system]
 *     image_trust: enforce             # enforce | warn | off
 *
 * Built-in defaults (no file, no section, or a key left out) let the default
 * containers of podman, containerd (`ctr run`) and CRI-O run and refuse the
 * privileged-equivalent ones. See docs/admission.md. */
#ifndef PAL_ADMIT_POLICY_H
#define PAL_ADMIT_POLICY_H

#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADM_POLICY_DEFAULT_PATH "/etc/palisade/policy.yaml"
#define ADM_POLICY_MAX_BYTES	(4u << 20)

enum adm_mode { ADM_MODE_ENFORCE = 0, ADM_MODE_WARN, ADM_MODE_OFF };
enum adm_level { ADM_LEVEL_PRIVILEGED = 0, ADM_LEVEL_BASELINE, ADM_LEVEL_RESTRICTED };
enum adm_rule {
	ADM_RULE_CAPABILITIES = 0,
	ADM_RULE_HOST_NAMESPACES,
	ADM_RULE_HOST_PATHS,
	ADM_RULE_DEVICES,
	ADM_RULE__COUNT
};

struct adm_path {
	char *path;   /* absolute, clean, no trailing slash */
	char *reason; /* what the path is, for messages */
};

struct adm_paths {
	struct adm_path *v;
	size_t n;
};

struct adm_allow {
	enum adm_rule rule;
	char *item; /* NULL: every finding of the rule; else a capability, namespace or path */
};

struct adm_exception {
	char **images;	    /* scopes in trust: syntax; NULL: not restricted by image */
	char **annotations; /* "key=value" that must all be present; NULL: none required */
	struct adm_allow *allow;
	size_t n_allow;
	unsigned line;
};

struct adm_ns_level {
	char *name;
	enum adm_level enforce, warn;
};

struct adm_k8s {
	enum adm_level enforce, warn; /* for namespaces not listed */
	struct adm_ns_level *namespaces;
	size_t n_namespaces;
	char **exempt_namespaces; /* NULL-terminated */
	enum adm_mode image_trust;
};

struct adm_policy {
	char *source; /* the file read, or "built-in defaults" */
	enum adm_mode mode;
	uint64_t deny_caps;	  /* bit per CAP_* number */
	unsigned host_namespaces; /* bit (1u << RT_NS_*) per type that must not be the host's */
	struct adm_paths deny_paths, allow_paths, readonly_paths;
	bool deny_devices;
	struct adm_exception *exceptions;
	size_t n_exceptions;
	struct adm_k8s k8s;
	/* Not from the file: where pid 1's namespaces are compared ("/proc"). */
	char *proc_root;
};

/* A policy holding the built-in defaults. */
struct adm_policy *adm_policy_new(void);
void adm_policy_free(struct adm_policy *p);

/* path NULL: $PALISADE_POLICY, else ADM_POLICY_DEFAULT_PATH if it exists, else
 * the built-in defaults. Errors read "FILE:LINE:COL: message". */
int adm_policy_load(const char *path, struct adm_policy **out, struct pal_err *err);
int adm_policy_load_buffer(const char *name, const char *data, size_t len, struct adm_policy **out,
			   struct pal_err *err);

/* Reads the admission section of an already loaded document into p (which
 * holds the defaults); a missing section leaves p unchanged. Used by
 * `palisade policy check` together with the other sections' parsers. */
struct pal_yaml;
int adm_policy_parse_yaml(struct pal_yaml *y, struct adm_policy *p, struct pal_err *err);

const char *adm_mode_name(enum adm_mode m);
const char *adm_level_name(enum adm_level l);
const char *adm_rule_name(enum adm_rule r);

/* The Pod Security levels that apply to a namespace; *exempt when it is listed
 * in exempt_namespaces (then nothing is checked). */
void adm_k8s_levels(const struct adm_policy *p, const char *ns, enum adm_level *enforce,
		    enum adm_level *warn, bool *exempt);

/* "CAP_SYS_ADMIN", "SYS_ADMIN", "cap_sys_admin" -> the number; -1 if unknown. */
int adm_cap_parse(const char *name);

/* The built-in lists, for documentation and `palisade admit defaults`. */
extern const int adm_default_deny_caps[];
extern const size_t adm_n_default_deny_caps;
extern const struct adm_path adm_default_deny_paths[];
extern const size_t adm_n_default_deny_paths;
extern const struct adm_path adm_default_allow_paths[];
extern const size_t adm_n_default_allow_paths;
extern const struct adm_path adm_default_readonly_paths[];
extern const size_t adm_n_default_readonly_paths;
/* Why each default capability is denied, indexed like adm_default_deny_caps. */
const char *adm_cap_reason(int cap);

#endif
