#include "policy.h"
#include "scope.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "common/yamldoc.h"
#include "runtime/oci_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const mode_names[] = {"enforce", "warn", "off"};
static const char *const level_names[] = {"privileged", "baseline", "restricted"};
static const char *const rule_names[] = {"capabilities", "host_namespaces", "host_paths",
					 "devices"};

const char *adm_mode_name(enum adm_mode m)
{
	return (unsigned)m < PAL_ARRAY_SIZE(mode_names) ? mode_names[m] : "?";
}

const char *adm_level_name(enum adm_level l)
{
	return (unsigned)l < PAL_ARRAY_SIZE(level_names) ? level_names[l] : "?";
}

const char *adm_rule_name(enum adm_rule r)
{
	return (unsigned)r < PAL_ARRAY_SIZE(rule_names) ? rule_names[r] : "?";
}

int adm_cap_parse(const char *name)
{
	if (!name || !*name || strlen(name) > 64)
		return -1;
	char buf[80];
	size_t off = 0;
	if (strncasecmp(name, "CAP_", 4) != 0) {
		memcpy(buf, "CAP_", 4);
		off = 4;
	}
	size_t i = 0;
	for (; name[i]; i++)
		buf[off + i] = (char)toupper((unsigned char)name[i]);
	buf[off + i] = '\0';
	return rt_cap_from_name(buf);
}

/* ---- defaults ------------------------------------------------------------ */

static void paths_add(struct adm_paths *ps, const char *path, const char *reason)
{
	ps->v = pal_xrealloc(ps->v, (ps->n + 1) * sizeof(*ps->v));
	ps->v[ps->n].path = pal_xstrdup(path);
	ps->v[ps->n].reason = pal_xstrdup(reason);
	ps->n++;
}

static void paths_add_defaults(struct adm_paths *ps, const struct adm_path *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		paths_add(ps, d[i].path, d[i].reason);
}

static void paths_free(struct adm_paths *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->v[i].path);
		free(ps->v[i].reason);
	}
	free(ps->v);
	ps->v = NULL;
	ps->n = 0;
}

static uint64_t default_caps(void)
{
	uint64_t m = 0;
	for (size_t i = 0; i < adm_n_default_deny_caps; i++)
		m |= 1ull << adm_default_deny_caps[i];
	return m;
}

#define DEFAULT_HOST_NS                                                                            \
	((1u << RT_NS_PID) | (1u << RT_NS_NETWORK) | (1u << RT_NS_IPC) | (1u << RT_NS_UTS) |       \
	 (1u << RT_NS_MOUNT))

static void ns_levels_free(struct adm_k8s *k)
{
	for (size_t i = 0; i < k->n_namespaces; i++)
		free(k->namespaces[i].name);
	free(k->namespaces);
	k->namespaces = NULL;
	k->n_namespaces = 0;
}

static void ns_level_add(struct adm_k8s *k, const char *name, enum adm_level enforce,
			 enum adm_level warn)
{
	k->namespaces = pal_xrealloc(k->namespaces, (k->n_namespaces + 1) * sizeof(*k->namespaces));
	k->namespaces[k->n_namespaces++] =
	    (struct adm_ns_level){.name = pal_xstrdup(name), .enforce = enforce, .warn = warn};
}

struct adm_policy *adm_policy_new(void)
{
	struct adm_policy *p = pal_xcalloc(1, sizeof(*p));
	p->source = pal_xstrdup("built-in defaults");
	p->mode = ADM_MODE_ENFORCE;
	p->deny_caps = default_caps();
	p->host_namespaces = DEFAULT_HOST_NS;
	paths_add_defaults(&p->deny_paths, adm_default_deny_paths, adm_n_default_deny_paths);
	paths_add_defaults(&p->allow_paths, adm_default_allow_paths, adm_n_default_allow_paths);
	paths_add_defaults(&p->readonly_paths, adm_default_readonly_paths,
			   adm_n_default_readonly_paths);
	p->deny_devices = true;
	p->k8s.enforce = ADM_LEVEL_BASELINE;
	p->k8s.warn = ADM_LEVEL_BASELINE;
	/* kube-system runs the node agents (CNI, kube-proxy) that need the host. */
	ns_level_add(&p->k8s, "kube-system", ADM_LEVEL_PRIVILEGED, ADM_LEVEL_PRIVILEGED);
	p->k8s.exempt_namespaces = pal_xcalloc(1, sizeof(char *));
	p->k8s.image_trust = ADM_MODE_ENFORCE;
	p->proc_root = pal_xstrdup("/proc");
	return p;
}

static void exceptions_free(struct adm_policy *p)
{
	for (size_t i = 0; i < p->n_exceptions; i++) {
		struct adm_exception *e = &p->exceptions[i];
		pal_strv_free(e->images);
		pal_strv_free(e->annotations);
		for (size_t j = 0; j < e->n_allow; j++)
			free(e->allow[j].item);
		free(e->allow);
	}
	free(p->exceptions);
	p->exceptions = NULL;
	p->n_exceptions = 0;
}

void adm_policy_free(struct adm_policy *p)
{
	if (!p)
		return;
	free(p->source);
	paths_free(&p->deny_paths);
	paths_free(&p->allow_paths);
	paths_free(&p->readonly_paths);
	exceptions_free(p);
	ns_levels_free(&p->k8s);
	pal_strv_free(p->k8s.exempt_namespaces);
	free(p->proc_root);
	free(p);
}

/* ---- parsing ------------------------------------------------------------- */

struct ctx {
	struct pal_yaml *y;
	struct adm_policy *p;
	struct pal_err *err;
};

static int unknown_key(struct ctx *c, yaml_node_t *k, const char *where, const char *allowed)
{
	const char *s = pal_yaml_scalar(k);
	return pal_yaml_err(c->y, k, c->err, "%s: unknown key '%s' (allowed: %s)", where,
			    s ? s : "?", allowed);
}

static int need_map(struct ctx *c, yaml_node_t *n, const char *what, const char *hint)
{
	if (pal_yaml_is_map(n))
		return 0;
	return pal_yaml_err(c->y, n, c->err, "%s must be a mapping (%s)", what, hint);
}

static int need_seq(struct ctx *c, yaml_node_t *n, const char *what)
{
	if (pal_yaml_is_seq(n))
		return 0;
	return pal_yaml_err(c->y, n, c->err, "%s must be a list", what);
}

static int parse_enum(struct ctx *c, yaml_node_t *n, const char *what, const char *const *names,
		      size_t count, int *out)
{
	const char *s = pal_yaml_scalar(n);
	for (size_t i = 0; s && i < count; i++) {
		if (!strcmp(s, names[i])) {
			*out = (int)i;
			return 0;
		}
	}
	struct pal_buf b;
	pal_buf_init(&b);
	for (size_t i = 0; i < count; i++)
		pal_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
	int r = pal_yaml_err(c->y, n, c->err, "%s must be one of %s%s%s%s", what, b.data,
			     s ? " (got '" : "", s ? s : "", s ? "')" : "");
	pal_buf_free(&b);
	return r;
}

static int parse_mode(struct ctx *c, yaml_node_t *n, const char *what, enum adm_mode *out)
{
	int v;
	int r = parse_enum(c, n, what, mode_names, PAL_ARRAY_SIZE(mode_names), &v);
	if (r == 0)
		*out = (enum adm_mode)v;
	return r;
}

static int parse_level(struct ctx *c, yaml_node_t *n, const char *what, enum adm_level *out)
{
	int v;
	int r = parse_enum(c, n, what, level_names, PAL_ARRAY_SIZE(level_names), &v);
	if (r == 0)
		*out = (enum adm_level)v;
	return r;
}

static int parse_cap(struct ctx *c, yaml_node_t *n, const char *what, int *out)
{
	const char *s = pal_yaml_scalar(n);
	int cap = adm_cap_parse(s);
	if (cap < 0)
		return pal_yaml_err(c->y, n, c->err,
				    "%s: unknown capability '%s' (write it as in capabilities(7): "
				    "CAP_SYS_ADMIN or SYS_ADMIN)",
				    what, s ? s : "?");
	*out = cap;
	return 0;
}

static int parse_caps(struct ctx *c, yaml_node_t *n)
{
	int r;
	if ((r = need_map(c, n, "admission.capabilities", "deny: [...]")) < 0)
		return r;
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(c->y, n, k, v)
	{
		if (!pal_str_eq(pal_yaml_scalar(k), "deny"))
			return unknown_key(c, k, "admission.capabilities", "deny");
		if ((r = need_seq(c, v, "admission.capabilities.deny")) < 0)
			return r;
		uint64_t mask = 0;
		yaml_node_t *item;
		PAL_YAML_SEQ_FOREACH(c->y, v, item)
		{
			if (pal_str_eq(pal_yaml_scalar(item), "default")) {
				mask |= default_caps();
				continue;
			}
			int cap;
			if ((r = parse_cap(c, item, "admission.capabilities.deny", &cap)) < 0)
				return r;
			mask |= 1ull << cap;
		}
		c->p->deny_caps = mask;
	}
	return 0;
}

static int ns_from_name(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "net"))
		return RT_NS_NETWORK;
	if (!strcmp(s, "mnt"))
		return RT_NS_MOUNT;
	for (int t = 0; t < RT_NS__COUNT; t++)
		if (!strcmp(s, rt_ns_type_name((enum rt_ns_type)t)))
			return t;
	return -1;
}

static int parse_ns_name(struct ctx *c, yaml_node_t *n, const char *what, const char *s, int *out)
{
	int t = ns_from_name(s);
	if (t < 0)
		return pal_yaml_err(c->y, n, c->err,
				    "%s: unknown namespace type '%s' (pid, network, ipc, uts, "
				    "mount, user, cgroup, time)",
				    what, s ? s : "?");
	*out = t;
	return 0;
}

static int parse_host_ns(struct ctx *c, yaml_node_t *n)
{
	const char *s = pal_yaml_scalar(n);
	if (pal_str_eq(s, "deny")) {
		c->p->host_namespaces = DEFAULT_HOST_NS;
		return 0;
	}
	if (pal_str_eq(s, "allow")) {
		c->p->host_namespaces = 0;
		return 0;
	}
	if (!pal_yaml_is_seq(n))
		return pal_yaml_err(c->y, n, c->err,
				    "admission.host_namespaces must be 'deny' (pid, network, ipc, "
				    "uts, mount), 'allow', or a list of namespace types");
	unsigned mask = 0;
	yaml_node_t *item;
	PAL_YAML_SEQ_FOREACH(c->y, n, item)
	{
		int t, r;
		if ((r = parse_ns_name(c, item, "admission.host_namespaces", pal_yaml_scalar(item),
				       &t)) < 0)
			return r;
		mask |= 1u << t;
	}
	c->p->host_namespaces = mask;
	return 0;
}

static bool placeholder_ok(const char *comp, size_t len)
{
	static const char *const names[] = {"{container-id}", "{sandbox-id}", "{pod-uid}"};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(names); i++)
		if (len == strlen(names[i]) && !strncmp(comp, names[i], len))
			return true;
	return false;
}

/* Absolute, clean, no trailing slash; placeholders only where allowed and
 * only as whole components. */
static int check_path(struct ctx *c, yaml_node_t *n, const char *what, const char *path,
		      bool placeholders)
{
	if (!pal_path_is_clean_absolute(path) ||
	    (strlen(path) > 1 && path[strlen(path) - 1] == '/'))
		return pal_yaml_err(c->y, n, c->err,
				    "%s: '%s' must be an absolute path without '.', '..', empty "
				    "components or a trailing '/'",
				    what, path);
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		if (memchr(p, '{', len) || memchr(p, '}', len)) {
			if (!placeholders)
				return pal_yaml_err(c->y, n, c->err,
						    "%s: '%s': placeholders are only allowed in "
						    "host_paths.allow",
						    what, path);
			if (!placeholder_ok(p, len))
				return pal_yaml_err(c->y, n, c->err,
						    "%s: '%s': a placeholder must be a whole path "
						    "component: {container-id}, {sandbox-id} or "
						    "{pod-uid}",
						    what, path);
		}
		p = end;
	}
	return 0;
}

static int parse_path_list(struct ctx *c, yaml_node_t *n, const char *what,
			   const struct adm_path *defaults, size_t n_defaults, bool placeholders,
			   bool allow_root, struct adm_paths *out)
{
	int r;
	if ((r = need_seq(c, n, what)) < 0)
		return r;
	struct adm_paths ps = {0};
	yaml_node_t *item;
	PAL_YAML_SEQ_FOREACH(c->y, n, item)
	{
		const char *path = pal_yaml_scalar(item);
		const char *reason = NULL;
		yaml_node_t *at = item;
		if (pal_str_eq(path, "default")) {
			paths_add_defaults(&ps, defaults, n_defaults);
			continue;
		}
		if (pal_yaml_is_map(item)) {
			yaml_node_t *k, *v;
			PAL_YAML_MAP_FOREACH(c->y, item, k, v)
			{
				const char *key = pal_yaml_scalar(k);
				if (pal_str_eq(key, "path")) {
					path = pal_yaml_scalar(v);
					at = v;
				} else if (pal_str_eq(key, "reason")) {
					reason = pal_yaml_scalar(v);
					if (!reason) {
						paths_free(&ps);
						return pal_yaml_err(c->y, v, c->err,
								    "%s: reason must be a string",
								    what);
					}
				} else {
					paths_free(&ps);
					return unknown_key(c, k, what, "path, reason");
				}
			}
		}
		if (!path) {
			paths_free(&ps);
			return pal_yaml_err(c->y, item, c->err,
					    "%s: every entry must be a path, 'default', or a "
					    "mapping with path and reason",
					    what);
		}
		if ((r = check_path(c, at, what, path, placeholders)) < 0) {
			paths_free(&ps);
			return r;
		}
		if (!allow_root && !strcmp(path, "/")) {
			paths_free(&ps);
			return pal_yaml_err(c->y, at, c->err, "%s: '/' would allow every path",
					    what);
		}
		paths_add(&ps, path, reason ? reason : "listed in the policy");
	}
	paths_free(out);
	*out = ps;
	return 0;
}

static int parse_host_paths(struct ctx *c, yaml_node_t *n)
{
	int r;
	if ((r = need_map(c, n, "admission.host_paths", "deny, allow, allow_readonly")) < 0)
		return r;
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(c->y, n, k, v)
	{
		const char *key = pal_yaml_scalar(k);
		if (pal_str_eq(key, "deny"))
			r = parse_path_list(c, v, "admission.host_paths.deny",
					    adm_default_deny_paths, adm_n_default_deny_paths, false,
					    true, &c->p->deny_paths);
		else if (pal_str_eq(key, "allow"))
			r = parse_path_list(c, v, "admission.host_paths.allow",
					    adm_default_allow_paths, adm_n_default_allow_paths,
					    true, false, &c->p->allow_paths);
		else if (pal_str_eq(key, "allow_readonly"))
			r = parse_path_list(
			    c, v, "admission.host_paths.allow_readonly", adm_default_readonly_paths,
			    adm_n_default_readonly_paths, false, false, &c->p->readonly_paths);
		else
			r = unknown_key(c, k, "admission.host_paths",
					"deny, allow, allow_readonly");
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_devices(struct ctx *c, yaml_node_t *n)
{
	const char *s = pal_yaml_scalar(n);
	if (pal_str_eq(s, "deny") || pal_str_eq(s, "allow")) {
		c->p->deny_devices = s[0] == 'd';
		return 0;
	}
	return pal_yaml_err(c->y, n, c->err, "admission.devices must be 'deny' or 'allow'");
}

/* "rule" or "rule:item". */
static int parse_allow_item(struct ctx *c, yaml_node_t *n, struct adm_allow *a)
{
	const char *s = pal_yaml_scalar(n);
	if (!s)
		return pal_yaml_err(c->y, n, c->err,
				    "exceptions[].allow: every entry must be a string such as "
				    "'capabilities:CAP_NET_ADMIN' or 'host_namespaces'");
	const char *colon = strchr(s, ':');
	size_t rl = colon ? (size_t)(colon - s) : strlen(s);
	int rule = -1;
	for (size_t i = 0; i < PAL_ARRAY_SIZE(rule_names); i++)
		if (rl == strlen(rule_names[i]) && !strncmp(s, rule_names[i], rl))
			rule = (int)i;
	if (rule < 0)
		return pal_yaml_err(c->y, n, c->err,
				    "exceptions[].allow: unknown rule '%.*s' (capabilities, "
				    "host_namespaces, host_paths, devices; optionally ':' and one "
				    "item)",
				    (int)rl, s);
	a->rule = (enum adm_rule)rule;
	a->item = NULL;
	if (!colon)
		return 0;
	const char *item = colon + 1;
	if (!*item)
		return pal_yaml_err(c->y, n, c->err, "exceptions[].allow: '%s' has an empty item",
				    s);
	int r;
	switch (a->rule) {
	case ADM_RULE_CAPABILITIES: {
		int cap = adm_cap_parse(item);
		if (cap < 0)
			return pal_yaml_err(c->y, n, c->err,
					    "exceptions[].allow: unknown capability '%s'", item);
		a->item = pal_xstrdup(rt_cap_name(cap));
		return 0;
	}
	case ADM_RULE_HOST_NAMESPACES: {
		int t;
		if ((r = parse_ns_name(c, n, "exceptions[].allow", item, &t)) < 0)
			return r;
		a->item = pal_xstrdup(rt_ns_type_name((enum rt_ns_type)t));
		return 0;
	}
	case ADM_RULE_HOST_PATHS:
	case ADM_RULE_DEVICES:
		if ((r = check_path(c, n, "exceptions[].allow", item, false)) < 0)
			return r;
		a->item = pal_xstrdup(item);
		return 0;
	default:
		return 0;
	}
}

static int parse_annotations(struct ctx *c, yaml_node_t *n, char ***out)
{
	int r;
	if ((r = need_map(c, n, "exceptions[].annotations", "annotation key: value")) < 0)
		return r;
	char **v = pal_xcalloc(1, sizeof(char *));
	yaml_node_t *k, *val;
	PAL_YAML_MAP_FOREACH(c->y, n, k, val)
	{
		const char *key = pal_yaml_scalar(k), *value = pal_yaml_scalar(val);
		if (!key || !*key || strchr(key, '=') || !value) {
			pal_strv_free(v);
			return pal_yaml_err(c->y, key ? val : k, c->err,
					    "exceptions[].annotations: keys and values must be "
					    "strings (keys without '=')");
		}
		_cleanup_free_ char *kv = pal_xasprintf("%s=%s", key, value);
		pal_strv_push(&v, kv);
	}
	*out = v;
	return 0;
}

static int parse_exception(struct ctx *c, yaml_node_t *n, struct adm_exception *e)
{
	int r;
	e->line = pal_yaml_line(n);
	if ((r = need_map(c, n, "admission.exceptions[]", "images, annotations, allow")) < 0)
		return r;
	yaml_node_t *k, *v, *allow = NULL;
	PAL_YAML_MAP_FOREACH(c->y, n, k, v)
	{
		const char *key = pal_yaml_scalar(k);
		if (pal_str_eq(key, "images")) {
			char **images = NULL;
			if ((r = pal_yaml_get_strv(c->y, v, "exceptions[].images", false, &images,
						   c->err)) < 0)
				return r;
			pal_strv_free(e->images);
			e->images = images;
			if (!e->images[0])
				return pal_yaml_err(c->y, v, c->err,
						    "exceptions[].images must not be empty");
			yaml_node_t *item;
			PAL_YAML_SEQ_FOREACH(c->y, v, item)
			{
				char why[256];
				if (!adm_scope_valid(pal_yaml_scalar(item), why, sizeof(why)))
					return pal_yaml_err(c->y, item, c->err,
							    "exceptions[].images: %s", why);
			}
		} else if (pal_str_eq(key, "annotations")) {
			char **annotations = NULL;
			if ((r = parse_annotations(c, v, &annotations)) < 0)
				return r;
			pal_strv_free(e->annotations);
			e->annotations = annotations;
		} else if (pal_str_eq(key, "allow")) {
			allow = v;
		} else {
			return unknown_key(c, k, "admission.exceptions[]",
					   "images, annotations, allow");
		}
	}
	if (!e->images && !(e->annotations && e->annotations[0]))
		return pal_yaml_err(c->y, n, c->err,
				    "an exception needs images or annotations to say which "
				    "containers it covers");
	if (!allow)
		return pal_yaml_err(c->y, n, c->err,
				    "an exception needs allow: the rules it lifts, e.g. "
				    "[capabilities:CAP_NET_ADMIN]");
	if ((r = need_seq(c, allow, "exceptions[].allow")) < 0)
		return r;
	size_t count = (size_t)(allow->data.sequence.items.top - allow->data.sequence.items.start);
	if (count == 0)
		return pal_yaml_err(c->y, allow, c->err, "exceptions[].allow must not be empty");
	e->allow = pal_xcalloc(count, sizeof(*e->allow));
	yaml_node_t *item;
	PAL_YAML_SEQ_FOREACH(c->y, allow, item)
	{
		if ((r = parse_allow_item(c, item, &e->allow[e->n_allow])) < 0)
			return r;
		e->n_allow++;
	}
	return 0;
}

static int parse_exceptions(struct ctx *c, yaml_node_t *n)
{
	int r;
	if ((r = need_seq(c, n, "admission.exceptions")) < 0)
		return r;
	exceptions_free(c->p);
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	c->p->exceptions = pal_xcalloc(count ? count : 1, sizeof(*c->p->exceptions));
	yaml_node_t *item;
	PAL_YAML_SEQ_FOREACH(c->y, n, item)
	{
		/* counted before parsing so that a half-filled entry is freed */
		r = parse_exception(c, item, &c->p->exceptions[c->p->n_exceptions++]);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A Kubernetes namespace name: a DNS-1123 label. */
static bool ns_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return false;
	return true;
}

static int check_ns_name(struct ctx *c, yaml_node_t *n, const char *what)
{
	const char *s = pal_yaml_scalar(n);
	if (ns_name_ok(s))
		return 0;
	return pal_yaml_err(c->y, n, c->err,
			    "%s: '%s' is not a namespace name (lowercase letters, digits and "
			    "'-', at most 63)",
			    what, s ? s : "?");
}

static int parse_ns_entry(struct ctx *c, yaml_node_t *v, enum adm_level *enforce,
			  enum adm_level *warn, bool *has_warn)
{
	yaml_node_t *a, *b;
	PAL_YAML_MAP_FOREACH(c->y, v, a, b)
	{
		const char *key = pal_yaml_scalar(a);
		int r;
		if (pal_str_eq(key, "enforce")) {
			r = parse_level(c, b, "enforce", enforce);
		} else if (pal_str_eq(key, "warn")) {
			r = parse_level(c, b, "warn", warn);
			*has_warn = true;
		} else {
			r = unknown_key(c, a, "admission.kubernetes.namespaces", "enforce, warn");
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_ns_levels(struct ctx *c, yaml_node_t *n)
{
	int r;
	if ((r = need_map(c, n, "admission.kubernetes.namespaces",
			  "namespace: level, or namespace: {enforce: level, warn: level}")) < 0)
		return r;
	ns_levels_free(&c->p->k8s);
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(c->y, n, k, v)
	{
		if ((r = check_ns_name(c, k, "admission.kubernetes.namespaces")) < 0)
			return r;
		const char *name = pal_yaml_scalar(k);
		for (size_t i = 0; i < c->p->k8s.n_namespaces; i++)
			if (!strcmp(c->p->k8s.namespaces[i].name, name))
				return pal_yaml_err(c->y, k, c->err,
						    "namespace '%s' is listed twice", name);
		enum adm_level enforce = c->p->k8s.enforce, warn = ADM_LEVEL_PRIVILEGED;
		bool has_warn = false;
		if (pal_yaml_is_scalar(v)) {
			if ((r = parse_level(c, v, "admission.kubernetes.namespaces", &enforce)) <
			    0)
				return r;
		} else if (pal_yaml_is_map(v)) {
			if ((r = parse_ns_entry(c, v, &enforce, &warn, &has_warn)) < 0)
				return r;
		} else {
			return pal_yaml_err(c->y, v, c->err,
					    "namespace '%s': give a level (privileged, baseline, "
					    "restricted) or {enforce: level, warn: level}",
					    name);
		}
		ns_level_add(&c->p->k8s, name, enforce, has_warn ? warn : enforce);
	}
	return 0;
}

static int parse_k8s(struct ctx *c, yaml_node_t *n)
{
	int r;
	if ((r = need_map(c, n, "admission.kubernetes",
			  "enforce, warn, namespaces, exempt_namespaces, image_trust")) < 0)
		return r;
	yaml_node_t *k, *v, *namespaces = NULL;
	bool has_warn = false;
	PAL_YAML_MAP_FOREACH(c->y, n, k, v)
	{
		const char *key = pal_yaml_scalar(k);
		if (pal_str_eq(key, "enforce")) {
			r = parse_level(c, v, "admission.kubernetes.enforce", &c->p->k8s.enforce);
		} else if (pal_str_eq(key, "warn")) {
			r = parse_level(c, v, "admission.kubernetes.warn", &c->p->k8s.warn);
			has_warn = true;
		} else if (pal_str_eq(key, "namespaces")) {
			namespaces = v; /* after enforce: it is the default of each entry */
		} else if (pal_str_eq(key, "exempt_namespaces")) {
			char **names = NULL;
			if ((r = pal_yaml_get_strv(c->y, v,
						   "admission.kubernetes.exempt_namespaces", false,
						   &names, c->err)) < 0)
				return r;
			yaml_node_t *item;
			PAL_YAML_SEQ_FOREACH(c->y, v, item)
			{
				if ((r = check_ns_name(
					 c, item, "admission.kubernetes.exempt_namespaces")) < 0) {
					pal_strv_free(names);
					return r;
				}
			}
			pal_strv_free(c->p->k8s.exempt_namespaces);
			c->p->k8s.exempt_namespaces = names;
		} else if (pal_str_eq(key, "image_trust")) {
			r = parse_mode(c, v, "admission.kubernetes.image_trust",
				       &c->p->k8s.image_trust);
		} else {
			r = unknown_key(
			    c, k, "admission.kubernetes",
			    "enforce, warn, namespaces, exempt_namespaces, image_trust");
		}
		if (r < 0)
			return r;
	}
	if (!has_warn)
		c->p->k8s.warn = c->p->k8s.enforce;
	if (namespaces && (r = parse_ns_levels(c, namespaces)) < 0)
		return r;
	return 0;
}

int adm_policy_parse_yaml(struct pal_yaml *y, struct adm_policy *p, struct pal_err *err)
{
	yaml_node_t *root = pal_yaml_root(y);
	if (!root)
		return 0;
	if (!pal_yaml_is_map(root))
		return pal_yaml_err(y, root, err,
				    "the policy must be a mapping of sections (admission:, trust:, "
				    "hardening:)");
	yaml_node_t *sec = pal_yaml_map_get(y, root, "admission");
	if (!sec || (pal_yaml_is_scalar(sec) && !*pal_yaml_scalar(sec)))
		return 0;
	struct ctx c = {.y = y, .p = p, .err = err};
	int r;
	if ((r = need_map(&c, sec, "admission",
			  "mode, capabilities, host_namespaces, host_paths, devices, exceptions, "
			  "kubernetes")) < 0)
		return r;
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(y, sec, k, v)
	{
		const char *key = pal_yaml_scalar(k);
		if (pal_str_eq(key, "mode"))
			r = parse_mode(&c, v, "admission.mode", &p->mode);
		else if (pal_str_eq(key, "capabilities"))
			r = parse_caps(&c, v);
		else if (pal_str_eq(key, "host_namespaces"))
			r = parse_host_ns(&c, v);
		else if (pal_str_eq(key, "host_paths"))
			r = parse_host_paths(&c, v);
		else if (pal_str_eq(key, "devices"))
			r = parse_devices(&c, v);
		else if (pal_str_eq(key, "exceptions"))
			r = parse_exceptions(&c, v);
		else if (pal_str_eq(key, "kubernetes"))
			r = parse_k8s(&c, v);
		else
			r = unknown_key(&c, k, "admission",
					"mode, capabilities, host_namespaces, host_paths, devices, "
					"exceptions, kubernetes");
		if (r < 0)
			return r;
	}
	return 0;
}

int adm_policy_load_buffer(const char *name, const char *data, size_t len, struct adm_policy **out,
			   struct pal_err *err)
{
	struct pal_yaml y;
	int r = pal_yaml_load_buffer(&y, name, data, len, err);
	if (r < 0) {
		pal_yaml_free(&y);
		return r;
	}
	struct adm_policy *p = adm_policy_new();
	r = adm_policy_parse_yaml(&y, p, err);
	pal_yaml_free(&y);
	if (r < 0) {
		adm_policy_free(p);
		return r;
	}
	free(p->source);
	p->source = pal_xstrdup(name);
	*out = p;
	return 0;
}

int adm_policy_load(const char *path, struct adm_policy **out, struct pal_err *err)
{
	if (!path)
		path = getenv("PALISADE_POLICY");
	if (!path || !*path) {
		if (!pal_path_exists(ADM_POLICY_DEFAULT_PATH)) {
			*out = adm_policy_new();
			return 0;
		}
		path = ADM_POLICY_DEFAULT_PATH;
	}
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = pal_read_file(path, ADM_POLICY_MAX_BYTES, &data, &len, err);
	if (r < 0)
		return pal_err_prefix(err, "load admission policy");
	return adm_policy_load_buffer(path, data, len, out, err);
}

void adm_k8s_levels(const struct adm_policy *p, const char *ns, enum adm_level *enforce,
		    enum adm_level *warn, bool *exempt)
{
	*exempt = ns && p->k8s.exempt_namespaces && pal_strv_contains(p->k8s.exempt_namespaces, ns);
	*enforce = p->k8s.enforce;
	*warn = p->k8s.warn;
	for (size_t i = 0; ns && i < p->k8s.n_namespaces; i++) {
		if (!strcmp(p->k8s.namespaces[i].name, ns)) {
			*enforce = p->k8s.namespaces[i].enforce;
			*warn = p->k8s.namespaces[i].warn;
			break;
		}
	}
	if (*warn < *enforce)
		*warn = *enforce;
}
