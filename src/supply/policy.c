#include "policy.h"
#include "keys.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "common/yamldoc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SUP_MAX_POLICY (4u << 20)

static const char *sev_names[SUP_SEV_COUNT] = {"critical", "high", "medium", "low", "unknown"};

const char *sup_sev_name(enum sup_sev s)
{
	return s < SUP_SEV_COUNT ? sev_names[s] : "?";
}

int sup_parse_time(const char *s, int64_t *out)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return -EINVAL;
	if (*end == '.') /* fractional seconds are accepted and dropped */
		for (end++; isdigit((unsigned char)*end); end++)
			;
	int64_t off = 0;
	if (*end == 'Z' || *end == 'z') {
		end++;
	} else if (*end == '+' || *end == '-') {
		int hh, mm;
		if (sscanf(end + 1, "%2d:%2d", &hh, &mm) != 2 || hh > 23 || mm > 59)
			return -EINVAL;
		off = (int64_t)(hh * 3600 + mm * 60) * (*end == '+' ? 1 : -1);
		end += 6;
	} else {
		return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	*out = (int64_t)timegm(&tm) - off;
	return 0;
}

struct ctx {
	struct pal_yaml *y;
	struct sup_policy *p;
	const char *base_dir;
	struct pal_err *err;
};

static int unknown_key(struct ctx *c, yaml_node_t *k, const char *where, const char *allowed)
{
	return pal_yaml_err(c->y, k, c->err, "unknown key '%s' in %s (allowed: %s)",
			    pal_yaml_scalar(k) ? pal_yaml_scalar(k) : "?", where, allowed);
}

static int get_string(struct ctx *c, yaml_node_t *n, const char *what, char **out)
{
	const char *s = NULL;
	int r = pal_yaml_get_string(c->y, n, what, &s, c->err);
	if (r < 0)
		return r;
	if (!*s)
		return pal_yaml_err(c->y, n, c->err, "%s must not be empty", what);
	free(*out);
	*out = pal_xstrdup(s);
	return 0;
}

static int get_time(struct ctx *c, yaml_node_t *n, const char *what, int64_t *out)
{
	const char *s = pal_yaml_scalar(n);
	if (!s || sup_parse_time(s, out) < 0)
		return pal_yaml_err(c->y, n, c->err,
				    "%s must be an RFC 3339 time such as 2026-01-01T00:00:00Z",
				    what);
	return 0;
}

static char *resolve_path(struct ctx *c, const char *path)
{
	if (path[0] == '/' || !c->base_dir)
		return pal_xstrdup(path);
	return pal_path_join(c->base_dir, path);
}

static int parse_key(struct ctx *c, yaml_node_t *kn, yaml_node_t *v)
{
	const char *name = pal_yaml_scalar(kn);
	if (!name || !*name)
		return pal_yaml_err(c->y, kn, c->err, "key names must be non-empty strings");
	for (size_t i = 0; i < c->p->n_keys; i++)
		if (!strcmp(c->p->keys[i].name, name))
			return pal_yaml_err(c->y, kn, c->err, "key '%s' is defined twice", name);
	if (!pal_yaml_is_map(v))
		return pal_yaml_err(c->y, v, c->err,
				    "key '%s' must be a mapping with path (or pem) and optional "
				    "not_before/not_after",
				    name);
	c->p->keys = pal_xrealloc(c->p->keys, (c->p->n_keys + 1) * sizeof(*c->p->keys));
	struct sup_policy_key *k = &c->p->keys[c->p->n_keys++];
	memset(k, 0, sizeof(*k));
	k->name = pal_xstrdup(name);
	k->not_before = INT64_MIN;
	k->not_after = INT64_MAX;
	yaml_node_t *a, *b, *src = NULL;
	_cleanup_free_ char *path = NULL;
	const char *pem = NULL;
	int r;
	PAL_YAML_MAP_FOREACH(c->y, v, a, b)
	{
		const char *key = pal_yaml_scalar(a);
		if (pal_str_eq(key, "path")) {
			if ((r = get_string(c, b, "keys.path", &path)) < 0)
				return r;
			src = b;
		} else if (pal_str_eq(key, "pem")) {
			if ((r = pal_yaml_get_string(c->y, b, "keys.pem", &pem, c->err)) < 0)
				return r;
			src = b;
		} else if (pal_str_eq(key, "not_before")) {
			if ((r = get_time(c, b, "not_before", &k->not_before)) < 0)
				return r;
		} else if (pal_str_eq(key, "not_after")) {
			if ((r = get_time(c, b, "not_after", &k->not_after)) < 0)
				return r;
		} else {
			return unknown_key(c, a, "a key", "path, pem, not_before, not_after");
		}
	}
	if (!src || (path && pem))
		return pal_yaml_err(c->y, v, c->err, "key '%s' needs exactly one of path and pem",
				    name);
	if (k->not_before != INT64_MIN && k->not_after != INT64_MAX &&
	    k->not_before >= k->not_after)
		return pal_yaml_err(c->y, v, c->err,
				    "key '%s': not_before must be before not_after", name);
	struct pal_err kerr = {0};
	if (path) {
		_cleanup_free_ char *full = resolve_path(c, path);
		r = sup_key_load_public(full, &k->pkey, &kerr);
	} else {
		r = sup_key_load_public_mem(name, pem, strlen(pem), &k->pkey, &kerr);
	}
	if (r < 0)
		return pal_yaml_err(c->y, src, c->err, "key '%s': %s", name, kerr.msg);
	sup_key_fingerprint(k->pkey, k->fingerprint);
	return 0;
}

static int find_key(struct sup_policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_keys; i++)
		if (!strcmp(p->keys[i].name, name))
			return (int)i;
	return -1;
}

static int parse_signed(struct ctx *c, yaml_node_t *n, struct sup_req *q)
{
	yaml_node_t *a, *b, *keys = NULL;
	int64_t threshold = 1;
	int r;
	PAL_YAML_MAP_FOREACH(c->y, n, a, b)
	{
		const char *key = pal_yaml_scalar(a);
		if (pal_str_eq(key, "type"))
			continue;
		if (pal_str_eq(key, "keys")) {
			keys = b;
		} else if (pal_str_eq(key, "threshold")) {
			if ((r = pal_yaml_get_int64(c->y, b, "threshold", &threshold, c->err)) < 0)
				return r;
			if (threshold < 1 || threshold > 64)
				return pal_yaml_err(c->y, b, c->err,
						    "threshold must be between 1 and 64");
		} else {
			return unknown_key(c, a, "a signed requirement", "type, keys, threshold");
		}
	}
	if (!keys || pal_str_eq(pal_yaml_scalar(keys), "any")) {
		if (c->p->n_keys == 0)
			return pal_yaml_err(c->y, keys ? keys : n, c->err,
					    "a signed requirement needs keys, and trust.keys "
					    "defines none");
		q->keys = pal_xcalloc(c->p->n_keys, sizeof(size_t));
		for (size_t i = 0; i < c->p->n_keys; i++)
			q->keys[i] = i;
		q->n_keys = c->p->n_keys;
	} else {
		if (!pal_yaml_is_seq(keys))
			return pal_yaml_err(c->y, keys, c->err,
					    "keys must be a list of key names or 'any'");
		yaml_node_t *item;
		q->keys =
		    pal_xcalloc(keys->data.sequence.items.top - keys->data.sequence.items.start + 1,
				sizeof(size_t));
		PAL_YAML_SEQ_FOREACH(c->y, keys, item)
		{
			const char *s = pal_yaml_scalar(item);
			int i = s ? find_key(c->p, s) : -1;
			if (i < 0)
				return pal_yaml_err(c->y, item, c->err,
						    "key '%s' is not defined in trust.keys",
						    s ? s : "?");
			for (size_t j = 0; j < q->n_keys; j++)
				if (q->keys[j] == (size_t)i)
					return pal_yaml_err(c->y, item, c->err,
							    "key '%s' is listed twice", s);
			q->keys[q->n_keys++] = (size_t)i;
		}
		if (q->n_keys == 0)
			return pal_yaml_err(c->y, keys, c->err, "keys must not be empty");
	}
	if ((size_t)threshold > q->n_keys)
		return pal_yaml_err(c->y, n, c->err,
				    "threshold %lld is more than the %zu key(s) listed: it could "
				    "never be met",
				    (long long)threshold, q->n_keys);
	q->threshold = (unsigned)threshold;
	return 0;
}

static int parse_vulns(struct ctx *c, yaml_node_t *n, struct sup_req *q)
{
	yaml_node_t *a, *b, *max = NULL;
	int r;
	for (int s = 0; s < SUP_SEV_COUNT; s++)
		q->max[s] = -1;
	PAL_YAML_MAP_FOREACH(c->y, n, a, b)
	{
		const char *key = pal_yaml_scalar(a);
		if (pal_str_eq(key, "type"))
			continue;
		if (pal_str_eq(key, "max")) {
			max = b;
		} else if (pal_str_eq(key, "fixable_only")) {
			if ((r = pal_yaml_get_bool(c->y, b, "fixable_only", &q->fixable_only,
						   c->err)) < 0)
				return r;
		} else if (pal_str_eq(key, "reports_dir")) {
			if ((r = get_string(c, b, "reports_dir", &q->reports_dir)) < 0)
				return r;
			char *full = resolve_path(c, q->reports_dir);
			free(q->reports_dir);
			q->reports_dir = full;
		} else {
			return unknown_key(c, a, "a vulnerabilities requirement",
					   "type, max, fixable_only, reports_dir");
		}
	}
	if (!pal_yaml_is_map(max))
		return pal_yaml_err(c->y, max ? max : n, c->err,
				    "a vulnerabilities requirement needs max: a mapping of "
				    "severity (critical, high, medium, low, unknown) to a count");
	PAL_YAML_MAP_FOREACH(c->y, max, a, b)
	{
		const char *key = pal_yaml_scalar(a);
		int s = -1;
		for (int i = 0; i < SUP_SEV_COUNT; i++)
			if (pal_str_eq(key, sev_names[i]))
				s = i;
		if (s < 0)
			return unknown_key(c, a, "max", "critical, high, medium, low, unknown");
		if ((r = pal_yaml_get_int64(c->y, b, key, &q->max[s], c->err)) < 0)
			return r;
		if (q->max[s] < 0)
			return pal_yaml_err(c->y, b, c->err, "%s must be 0 or more", key);
	}
	return 0;
}

static int parse_req(struct ctx *c, yaml_node_t *n, struct sup_req *q)
{
	memset(q, 0, sizeof(*q));
	q->line = pal_yaml_line(n);
	q->col = pal_yaml_col(n);
	const char *type = pal_yaml_scalar(n);
	yaml_node_t *tn = n;
	if (!type) {
		if (!pal_yaml_is_map(n))
			return pal_yaml_err(c->y, n, c->err,
					    "a requirement must be 'reject', 'accept' or a mapping "
					    "with type");
		tn = pal_yaml_map_get(c->y, n, "type");
		type = pal_yaml_scalar(tn);
		if (!type)
			return pal_yaml_err(c->y, n, c->err,
					    "requirement needs type: reject, accept, signed or "
					    "vulnerabilities");
	}
	if (!strcmp(type, "reject") || !strcmp(type, "accept")) {
		q->type = type[0] == 'r' ? SUP_REQ_REJECT : SUP_REQ_ACCEPT;
		if (pal_yaml_is_map(n) &&
		    n->data.mapping.pairs.top - n->data.mapping.pairs.start > 1)
			return pal_yaml_err(c->y, n, c->err, "'%s' takes no options", type);
		return 0;
	}
	if (!pal_yaml_is_map(n))
		return pal_yaml_err(c->y, n, c->err,
				    "'%s' needs options: write it as a mapping "
				    "with type: %s",
				    type, type);
	if (!strcmp(type, "signed")) {
		q->type = SUP_REQ_SIGNED;
		return parse_signed(c, n, q);
	}
	if (!strcmp(type, "vulnerabilities")) {
		q->type = SUP_REQ_VULNS;
		return parse_vulns(c, n, q);
	}
	return pal_yaml_err(c->y, tn, c->err,
			    "unknown requirement type '%s' (reject, accept, signed, "
			    "vulnerabilities)",
			    type);
}

static int parse_reqs(struct ctx *c, yaml_node_t *n, struct sup_scope *s)
{
	if (!pal_yaml_is_seq(n))
		return pal_yaml_err(c->y, n, c->err, "scope '%s' must be a list of requirements",
				    s->name);
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count == 0)
		return pal_yaml_err(c->y, n, c->err,
				    "scope '%s' has no requirements (write [accept] to accept)",
				    s->name);
	s->reqs = pal_xcalloc(count, sizeof(*s->reqs));
	yaml_node_t *item;
	PAL_YAML_SEQ_FOREACH(c->y, n, item)
	{
		int r = parse_req(c, item, &s->reqs[s->n_reqs]);
		s->n_reqs++;
		if (r < 0)
			return r;
	}
	return 0;
}

static bool host_like(const char *s, size_t n)
{
	return memchr(s, '.', n) || memchr(s, ':', n) || (n == 9 && !strncmp(s, "localhost", 9));
}

/* Scope names: /abs/path[:tag], *.host, or a fully qualified reference
 * host[/path][:tag|@digest]. */
static int check_scope_name(struct ctx *c, yaml_node_t *kn, const char *s)
{
	if (!*s)
		return pal_yaml_err(c->y, kn, c->err, "scope names must not be empty");
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '\\')
			return pal_yaml_err(c->y, kn, c->err,
					    "scope '%s' contains a space or control character", s);
	if (s[0] == '/')
		return 0;
	if (s[0] == '*') {
		if (s[1] != '.' || !s[2] || strchr(s + 2, '*') || strchr(s, '/'))
			return pal_yaml_err(c->y, kn, c->err,
					    "wildcard scope '%s' must look like *.example.com", s);
		return 0;
	}
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	if (!host_like(s, hl))
		return pal_yaml_err(c->y, kn, c->err,
				    "scope '%s' must start with a registry host (e.g. "
				    "docker.io/library/%s or localhost/%s)",
				    s, s, s);
	if (strchr(s, '*'))
		return pal_yaml_err(c->y, kn, c->err, "scope '%s': '*' is only allowed as *.host",
				    s);
	const char *at = strchr(s, '@');
	if (at && !sup_digest_is_valid(at + 1))
		return pal_yaml_err(c->y, kn, c->err, "scope '%s': bad digest after @", s);
	return 0;
}

static int parse_scopes(struct ctx *c, yaml_node_t *n)
{
	if (!pal_yaml_is_map(n))
		return pal_yaml_err(c->y, n, c->err,
				    "scopes must be a mapping of scope name to requirements");
	size_t count = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	c->p->scopes = pal_xcalloc(count ? count : 1, sizeof(*c->p->scopes));
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(c->y, n, k, v)
	{
		const char *name = pal_yaml_scalar(k);
		if (!name)
			return pal_yaml_err(c->y, k, c->err, "scope names must be strings");
		int r = check_scope_name(c, k, name);
		if (r < 0)
			return r;
		for (size_t i = 0; i < c->p->n_scopes; i++)
			if (!strcmp(c->p->scopes[i].name, name))
				return pal_yaml_err(c->y, k, c->err, "scope '%s' is defined twice",
						    name);
		struct sup_scope *s = &c->p->scopes[c->p->n_scopes++];
		s->name = pal_xstrdup(name);
		s->line = pal_yaml_line(k);
		if ((r = parse_reqs(c, v, s)) < 0)
			return r;
	}
	return 0;
}

static int parse_cache(struct ctx *c, yaml_node_t *n)
{
	if (!pal_yaml_is_map(n))
		return pal_yaml_err(c->y, n, c->err, "cache must be a mapping (dir, ttl)");
	yaml_node_t *a, *b;
	int r;
	PAL_YAML_MAP_FOREACH(c->y, n, a, b)
	{
		const char *key = pal_yaml_scalar(a);
		if (pal_str_eq(key, "dir")) {
			if ((r = get_string(c, b, "cache.dir", &c->p->cache_dir)) < 0)
				return r;
		} else if (pal_str_eq(key, "ttl")) {
			if ((r = pal_yaml_get_int64(c->y, b, "cache.ttl", &c->p->cache_ttl,
						    c->err)) < 0)
				return r;
			if (c->p->cache_ttl < 0 || c->p->cache_ttl > 86400 * 30)
				return pal_yaml_err(
				    c->y, b, c->err,
				    "cache.ttl must be between 0 and 2592000 seconds");
		} else {
			return unknown_key(c, a, "trust.cache", "dir, ttl");
		}
	}
	return 0;
}

static int parse_trust(struct ctx *c, yaml_node_t *t)
{
	if (!pal_yaml_is_map(t))
		return pal_yaml_err(c->y, t, c->err, "trust must be a mapping");
	yaml_node_t *k, *v, *keys = NULL, *scopes = NULL, *deflt = NULL, *revoked = NULL;
	int r;
	PAL_YAML_MAP_FOREACH(c->y, t, k, v)
	{
		const char *key = pal_yaml_scalar(k);
		if (pal_str_eq(key, "keys"))
			keys = v;
		else if (pal_str_eq(key, "scopes"))
			scopes = v;
		else if (pal_str_eq(key, "default"))
			deflt = v;
		else if (pal_str_eq(key, "revoked"))
			revoked = v;
		else if (pal_str_eq(key, "signature_store")) {
			if ((r = get_string(c, v, "signature_store", &c->p->signature_store)) < 0)
				return r;
		} else if (pal_str_eq(key, "reports_dir")) {
			if ((r = get_string(c, v, "reports_dir", &c->p->reports_dir)) < 0)
				return r;
		} else if (pal_str_eq(key, "cache")) {
			if ((r = parse_cache(c, v)) < 0)
				return r;
		} else
			return unknown_key(c, k, "trust",
					   "keys, revoked, default, scopes, signature_store, "
					   "reports_dir, cache");
	}
	if (revoked) {
		char **fps = NULL;
		if ((r = pal_yaml_get_strv(c->y, revoked, "revoked", false, &fps, c->err)) < 0)
			return r;
		c->p->revoked = fps;
		yaml_node_t *item;
		PAL_YAML_SEQ_FOREACH(c->y, revoked, item)
		{
			if (!sup_digest_is_valid(pal_yaml_scalar(item)) ||
			    strncmp(pal_yaml_scalar(item), "sha256:", 7))
				return pal_yaml_err(c->y, item, c->err,
						    "revoked entries are key fingerprints "
						    "sha256:<64 hex> (see 'palisade policy "
						    "fingerprint KEY')");
		}
	}
	if (keys) {
		if (!pal_yaml_is_map(keys))
			return pal_yaml_err(c->y, keys, c->err,
					    "keys must be a mapping of key name to key");
		PAL_YAML_MAP_FOREACH(c->y, keys, k, v)
		{
			if ((r = parse_key(c, k, v)) < 0)
				return r;
		}
	}
	for (size_t i = 0; i < c->p->n_keys; i++)
		c->p->keys[i].revoked =
		    c->p->revoked && pal_strv_contains(c->p->revoked, c->p->keys[i].fingerprint);
	if (scopes && (r = parse_scopes(c, scopes)) < 0)
		return r;
	c->p->deflt.name = pal_xstrdup("default");
	if (deflt) {
		c->p->deflt.line = pal_yaml_line(deflt);
		if ((r = parse_reqs(c, deflt, &c->p->deflt)) < 0)
			return r;
	} else {
		/* No default: images outside every scope are rejected, the safe side. */
		c->p->deflt.reqs = pal_xcalloc(1, sizeof(struct sup_req));
		c->p->deflt.reqs[0].type = SUP_REQ_REJECT;
		c->p->deflt.n_reqs = 1;
	}
	return 0;
}

static void compute_generation(struct sup_policy *p, const char *data, size_t len)
{
	struct sup_hasher h;
	if (sup_hasher_init(&h, SUP_HASH_SHA256) < 0)
		abort();
	sup_hasher_update(&h, data, len);
	for (size_t i = 0; i < p->n_keys; i++)
		sup_hasher_update(&h, p->keys[i].fingerprint, strlen(p->keys[i].fingerprint));
	sup_hasher_final(&h, p->generation);
}

static void set_defaults(struct sup_policy *p)
{
	if (!p->signature_store)
		p->signature_store = pal_xstrdup(SUP_DEFAULT_SIG_STORE);
	if (!p->reports_dir)
		p->reports_dir = pal_xstrdup(SUP_DEFAULT_REPORTS_DIR);
	if (!p->cache_dir)
		p->cache_dir = pal_xstrdup(SUP_DEFAULT_CACHE_DIR);
}

int sup_policy_load_buffer(const char *name, const char *data, size_t len, const char *base_dir,
			   struct sup_policy **out, struct pal_err *err)
{
	struct pal_yaml y;
	int r = pal_yaml_load_buffer(&y, name, data, len, err);
	if (r < 0) {
		pal_yaml_free(&y);
		return r;
	}
	struct sup_policy *p = pal_xcalloc(1, sizeof(*p));
	p->path = pal_xstrdup(name);
	p->cache_ttl = SUP_DEFAULT_CACHE_TTL;
	struct ctx c = {.y = &y, .p = p, .base_dir = base_dir, .err = err};
	yaml_node_t *root = pal_yaml_root(&y);
	yaml_node_t *trust = NULL;
	if (root && !pal_yaml_is_map(root)) {
		r = pal_yaml_err(&y, root, err, "a policy file must be a mapping (trust:, ...)");
		goto out;
	}
	trust = root ? pal_yaml_map_get(&y, root, "trust") : NULL;
	if (trust && !(pal_yaml_is_scalar(trust) && !*pal_yaml_scalar(trust))) {
		p->has_trust = true;
		if ((r = parse_trust(&c, trust)) < 0)
			goto out;
	} else {
		p->deflt.name = pal_xstrdup("default");
		p->deflt.reqs = pal_xcalloc(1, sizeof(struct sup_req));
		p->deflt.reqs[0].type = SUP_REQ_ACCEPT;
		p->deflt.n_reqs = 1;
	}
	set_defaults(p);
	compute_generation(p, data, len);
	r = 0;
out:
	pal_yaml_free(&y);
	if (r < 0) {
		sup_policy_free(p);
		return r;
	}
	*out = p;
	return 0;
}

int sup_policy_load(const char *path, struct sup_policy **out, struct pal_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = pal_read_file(path, SUP_MAX_POLICY, &data, &len, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *dir = pal_xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return sup_policy_load_buffer(path, data, len, slash ? (dir[0] ? dir : "/") : ".", out,
				      err);
}

int sup_policy_for_key(const char *pub_path, struct sup_policy **out, struct pal_err *err)
{
	EVP_PKEY *k = NULL;
	int r = sup_key_load_public(pub_path, &k, err);
	if (r < 0)
		return r;
	struct sup_policy *p = pal_xcalloc(1, sizeof(*p));
	p->path = pal_xasprintf("--key %s", pub_path);
	p->has_trust = true;
	p->keys = pal_xcalloc(1, sizeof(*p->keys));
	p->n_keys = 1;
	p->keys[0].name = pal_xstrdup(pub_path);
	p->keys[0].pkey = k;
	p->keys[0].not_before = INT64_MIN;
	p->keys[0].not_after = INT64_MAX;
	sup_key_fingerprint(k, p->keys[0].fingerprint);
	p->deflt.name = pal_xstrdup("--key");
	p->deflt.reqs = pal_xcalloc(1, sizeof(struct sup_req));
	p->deflt.n_reqs = 1;
	p->deflt.reqs[0].type = SUP_REQ_SIGNED;
	p->deflt.reqs[0].keys = pal_xcalloc(1, sizeof(size_t));
	p->deflt.reqs[0].n_keys = 1;
	p->deflt.reqs[0].threshold = 1;
	p->cache_ttl = 0;
	set_defaults(p);
	compute_generation(p, p->path, strlen(p->path));
	*out = p;
	return 0;
}

static void free_scope(struct sup_scope *s)
{
	for (size_t i = 0; i < s->n_reqs; i++) {
		free(s->reqs[i].keys);
		free(s->reqs[i].reports_dir);
	}
	free(s->reqs);
	free(s->name);
}

void sup_policy_free(struct sup_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_keys; i++) {
		free(p->keys[i].name);
		EVP_PKEY_free(p->keys[i].pkey);
	}
	free(p->keys);
	pal_strv_free(p->revoked);
	for (size_t i = 0; i < p->n_scopes; i++)
		free_scope(&p->scopes[i]);
	free(p->scopes);
	free_scope(&p->deflt);
	free(p->signature_store);
	free(p->reports_dir);
	free(p->cache_dir);
	free(p->path);
	free(p);
}

static const struct sup_scope *find_scope(const struct sup_policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_scopes; i++)
		if (!strcmp(p->scopes[i].name, name))
			return &p->scopes[i];
	return NULL;
}

/* Normalizes a reference to host/path[:tag][@digest] (docker.io/library for
 * bare names, :latest when neither tag nor digest is given). */
static char *normalize_ref(const char *ref)
{
	const char *slash = strchr(ref, '/');
	bool host = slash && host_like(ref, (size_t)(slash - ref));
	_cleanup_free_ char *full = host    ? pal_xstrdup(ref)
				    : slash ? pal_xasprintf("docker.io/%s", ref)
					    : pal_xasprintf("docker.io/library/%s", ref);
	const char *last = strrchr(full, '/');
	if (!strchr(full, '@') && !strchr(last, ':'))
		return pal_xasprintf("%s:latest", full);
	return PAL_STEAL(full);
}

static const struct sup_scope *match_reference(const struct sup_policy *p, const char *ref,
					       const char *digest)
{
	_cleanup_free_ char *full = normalize_ref(ref);
	const struct sup_scope *s = find_scope(p, full);
	if (s)
		return s;
	/* repository = full without tag or digest */
	char *at = strchr(full, '@');
	if (at)
		*at = '\0';
	char *last = strrchr(full, '/');
	char *colon = last ? strchr(last, ':') : NULL;
	if (colon)
		*colon = '\0';
	_cleanup_free_ char *pinned = pal_xasprintf("%s@%s", full, digest);
	if ((s = find_scope(p, pinned)))
		return s;
	/* repository, then each namespace, then the registry host */
	for (;;) {
		if ((s = find_scope(p, full)))
			return s;
		char *cut = strrchr(full, '/');
		if (!cut)
			break;
		*cut = '\0';
	}
	/* wildcard hosts, most specific first (port dropped) */
	char *port = strchr(full, ':');
	if (port)
		*port = '\0';
	for (char *dot = strchr(full, '.'); dot; dot = strchr(dot + 1, '.')) {
		_cleanup_free_ char *w = pal_xasprintf("*%s", dot);
		if ((s = find_scope(p, w)))
			return s;
	}
	return NULL;
}

static const struct sup_scope *match_path(const struct sup_policy *p, const char *path,
					  const char *tag)
{
	const struct sup_scope *s;
	if (tag) {
		_cleanup_free_ char *t = pal_xasprintf("%s:%s", path, tag);
		if ((s = find_scope(p, t)))
			return s;
	}
	_cleanup_free_ char *cur = pal_xstrdup(path);
	for (;;) {
		if ((s = find_scope(p, cur[0] ? cur : "/")))
			return s;
		char *cut = strrchr(cur, '/');
		if (!cut || cur[0] == '\0')
			break;
		*cut = '\0';
	}
	return NULL;
}

const struct sup_scope *sup_policy_match(const struct sup_policy *p, const struct sup_image *img)
{
	const struct sup_scope *s = NULL;
	if (img->layout_path)
		s = match_path(p, img->layout_path, img->tag);
	if (!s && img->reference)
		s = match_reference(p, img->reference, img->manifest_digest);
	return s ? s : &p->deflt;
}
