/* Reading palisade.yaml: one small function per section, each mapping checked
 * for unknown and duplicate keys, every error at the offending node. */
#include "agent/config.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "common/yamldoc.h"
#include "engine/engine.h"
#include "output/syslog_fmt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {"stdout", "file", "syslog", "http", "nats"};

const char *agt_output_kind_name(enum agt_output_kind k)
{
	return (unsigned)k < PAL_ARRAY_SIZE(kind_names) ? kind_names[k] : "?";
}

void agt_config_init(struct agt_config *c)
{
	memset(c, 0, sizeof(*c));
	c->rules_builtin = -1;
	c->rules_min_prio = -1;
	c->rate_limit = true;
	c->rate = 1.0;
	c->burst = 10.0;
	c->rate_max_keys = 10000;
	c->audit_fsync = true;
	c->metrics_listen = pal_xstrdup("127.0.0.1:9376");
	c->max_latency_ms = 20;
	c->seccomp_audit = true;
	c->enforce = true;
	c->freeze_timeout_ms = 1000;
	c->log_level = pal_xstrdup("info");
	c->shutdown_timeout_ms = 5000;
}

static void output_free(struct agt_output *o)
{
	free(o->name);
	free(o->path);
	free(o->address);
	free(o->server_name);
	free(o->cert_file);
	free(o->key_file);
	free(o->ca_file);
	free(o->url);
	pal_strv_free(o->headers);
	free(o->subject);
}

void agt_config_free(struct agt_config *c)
{
	free(c->source);
	pal_strv_free(c->rule_paths);
	pal_strv_free(c->disabled_tags);
	for (size_t i = 0; i < c->n_outputs; i++)
		output_free(&c->outputs[i]);
	free(c->outputs);
	free(c->audit_path);
	free(c->audit_key_file);
	free(c->metrics_listen);
	free(c->state_dir);
	free(c->hostname);
	free(c->log_level);
	memset(c, 0, sizeof(*c));
}

void agt_config_add_rule_path(struct agt_config *c, const char *path)
{
	pal_strv_push(&c->rule_paths, path);
}

static struct agt_output *add_output(struct agt_config *c, enum agt_output_kind kind)
{
	c->outputs = pal_xrealloc(c->outputs, (c->n_outputs + 1) * sizeof(*c->outputs));
	struct agt_output *o = &c->outputs[c->n_outputs++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->facility = -1;
	return o;
}

void agt_config_add_file_output(struct agt_config *c, const char *path)
{
	add_output(c, AGT_OUT_FILE)->path = pal_xstrdup(path);
}

bool agt_config_loads_builtin(const struct agt_config *c)
{
	if (c->rules_builtin >= 0)
		return c->rules_builtin == 1;
	return pal_strv_len(c->rule_paths) == 0;
}

/* ---- scalars ---------------------------------------------------------------- */

struct pctx {
	struct pal_yaml *y;
	struct pal_err *err;
};

static int get_string(struct pctx *p, yaml_node_t *n, const char *what, char **out)
{
	const char *s = NULL;
	if (!pal_yaml_is_scalar(n) || pal_yaml_get_string(p->y, n, what, &s, p->err) < 0)
		return pal_yaml_err(p->y, n, p->err, "%s must be a string", what);
	if (!*s)
		return pal_yaml_err(p->y, n, p->err, "%s must not be empty", what);
	for (const char *q = s; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return pal_yaml_err(p->y, n, p->err, "%s holds a control character", what);
	free(*out);
	*out = pal_xstrdup(s);
	return 0;
}

static int get_bool(struct pctx *p, yaml_node_t *n, const char *what, bool *out)
{
	return pal_yaml_get_bool(p->y, n, what, out, p->err);
}

static int get_int(struct pctx *p, yaml_node_t *n, const char *what, int64_t lo, int64_t hi,
		   int64_t *out)
{
	int64_t v;
	if (pal_yaml_get_int64(p->y, n, what, &v, p->err) < 0)
		return -EINVAL;
	if (v < lo || v > hi)
		return pal_yaml_err(p->y, n, p->err, "%s must be between %lld and %lld (got %lld)",
				    what, (long long)lo, (long long)hi, (long long)v);
	*out = v;
	return 0;
}

static int get_u32(struct pctx *p, yaml_node_t *n, const char *what, int64_t lo, int64_t hi,
		   uint32_t *out)
{
	int64_t v;
	int r = get_int(p, n, what, lo, hi, &v);
	if (r == 0)
		*out = (uint32_t)v;
	return r;
}

static int get_positive_double(struct pctx *p, yaml_node_t *n, const char *what, double min,
			       double *out)
{
	const char *s = pal_yaml_scalar(n);
	char *end = NULL;
	errno = 0;
	double v = s ? strtod(s, &end) : 0;
	if (!s || !*s || errno || *end || !isfinite(v))
		return pal_yaml_err(p->y, n, p->err, "%s must be a number%s%s%s", what,
				    s ? " (got '" : "", s ? s : "", s ? "')" : "");
	if (v < min || v > 1e9)
		return pal_yaml_err(p->y, n, p->err, "%s must be at least %g and at most 1e9", what,
				    min);
	*out = v;
	return 0;
}

/* Bytes, with an optional K, M or G suffix. */
static int get_size(struct pctx *p, yaml_node_t *n, const char *what, uint64_t lo, uint64_t hi,
		    size_t *out)
{
	const char *s = pal_yaml_scalar(n);
	char *end = NULL;
	errno = 0;
	unsigned long long v = s && isdigit((unsigned char)s[0]) ? strtoull(s, &end, 10) : 0;
	bool ok = s && end && end != s && !errno;
	if (ok && *end) {
		int shift = (*end == 'K' || *end == 'k')   ? 10
			    : (*end == 'M' || *end == 'm') ? 20
			    : (*end == 'G' || *end == 'g') ? 30
							   : -1;
		ok = shift > 0 && end[1] == '\0' && v <= (1ull << 40);
		if (ok)
			v <<= shift;
	}
	if (!ok)
		return pal_yaml_err(p->y, n, p->err,
				    "%s must be a size in bytes such as 65536, 256K or 8M%s%s%s",
				    what, s ? " (got '" : "", s ? s : "", s ? "')" : "");
	if (v < lo || v > hi)
		return pal_yaml_err(p->y, n, p->err, "%s must be between %llu and %llu bytes", what,
				    (unsigned long long)lo, (unsigned long long)hi);
	*out = (size_t)v;
	return 0;
}

static int get_out_priority(struct pctx *p, yaml_node_t *n, const char *what,
			    enum out_priority *out)
{
	const char *s = pal_yaml_scalar(n);
	if (!s || out_priority_parse(s, out) < 0)
		return pal_yaml_err(p->y, n, p->err,
				    "%s must be a priority: emergency, alert, critical, error, "
				    "warning, notice, informational (info) or debug%s%s%s",
				    what, s ? " (got '" : "", s ? s : "", s ? "')" : "");
	return 0;
}

static int get_strv(struct pctx *p, yaml_node_t *n, const char *what, char ***out)
{
	char **v = NULL;
	if (pal_yaml_get_strv(p->y, n, what, false, &v, p->err) < 0)
		return -EINVAL;
	for (char **q = v; *q; q++) {
		if (!**q) {
			pal_strv_free(v);
			return pal_yaml_err(p->y, n, p->err, "%s: items must not be empty", what);
		}
	}
	pal_strv_free(*out);
	*out = v;
	return 0;
}

/* ---- mappings ------------------------------------------------------------------ */

/* Walks a mapping: fn is called per key; unknown keys (fn returns 1) and
 * duplicates are errors naming the allowed keys. */
typedef int (*key_fn)(struct pctx *p, const char *key, yaml_node_t *val, void *ud);

static int walk_map(struct pctx *p, yaml_node_t *map, const char *what, const char *allowed,
		    key_fn fn, void *ud)
{
	if (!pal_yaml_is_map(map))
		return pal_yaml_err(p->y, map, p->err, "%s must be a mapping (key: value)", what);
	yaml_node_t *k, *v;
	yaml_node_pair_t *seen_start = map->data.mapping.pairs.start;
	PAL_YAML_MAP_FOREACH(p->y, map, k, v)
	{
		const char *key = pal_yaml_scalar(k);
		if (!key)
			return pal_yaml_err(p->y, k, p->err, "%s: keys must be strings", what);
		for (yaml_node_pair_t *q = seen_start; q < _pr; q++) {
			const char *prev = pal_yaml_scalar(pal_yaml_node(p->y, q->key));
			if (prev && strcmp(prev, key) == 0)
				return pal_yaml_err(p->y, k, p->err, "%s: duplicate key '%s'", what,
						    key);
		}
		int r = fn(p, key, v, ud);
		if (r == 1)
			return pal_yaml_err(p->y, k, p->err, "unknown key '%s' in %s (known: %s)",
					    key, what, allowed);
		if (r < 0)
			return r;
	}
	return 0;
}

static int rules_key(struct pctx *p, const char *key, yaml_node_t *v, void *ud)
{
	struct agt_config *c = ud;
	if (!strcmp(key, "builtin")) {
		bool b;
		if (get_bool(p, v, "rules.builtin", &b) < 0)
			return -EINVAL;
		c->rules_builtin = b;
		return 0;
	}
	if (!strcmp(key, "paths"))
		return get_strv(p, v, "rules.paths", &c->rule_paths);
	if (!strcmp(key, "min_priority")) {
		const char *s = pal_yaml_scalar(v);
		int prio = s ? eng_priority_from_name(s) : -1;
		if (prio < 0)
			return pal_yaml_err(p->y, v, p->err,
					    "rules.min_priority must be a priority: emergency, "
					    "alert, critical, error, warning, notice, "
					    "informational or debug");
		c->rules_min_prio = prio;
		return 0;
	}
	if (!strcmp(key, "disabled_tags"))
		return get_strv(p, v, "rules.disabled_tags", &c->disabled_tags);
	return 1;
}

struct out_ctx {
	struct agt_output *o;
	bool has_transport;
	char what[64];
	char key_what[96];
};

static const char *kw(struct out_ctx *oc, const char *key)
{
	snprintf(oc->key_what, sizeof(oc->key_what), "%s.%s", oc->what, key);
	return oc->key_what;
}

static int header_ok(const char *h)
{
	const char *colon = strchr(h, ':');
	if (!colon || colon == h)
		return 0;
	for (const char *q = h; q < colon; q++)
		if (!isalnum((unsigned char)*q) && !strchr("!#$%&'*+-.^_`|~", *q))
			return 0;
	return 1;
}

static int get_headers(struct pctx *p, yaml_node_t *v, struct out_ctx *oc)
{
	struct agt_output *o = oc->o;
	const char *what = kw(oc, "headers");
	char **hs = NULL;
	if (pal_yaml_is_map(v)) {
		hs = pal_xcalloc(1, sizeof(char *));
		yaml_node_t *k, *val;
		PAL_YAML_MAP_FOREACH(p->y, v, k, val)
		{
			const char *name = pal_yaml_scalar(k), *value = pal_yaml_scalar(val);
			if (!name || !value) {
				pal_strv_free(hs);
				return pal_yaml_err(p->y, k, p->err,
						    "%s: names and values must be strings", what);
			}
			_cleanup_free_ char *line = pal_xasprintf("%s: %s", name, value);
			pal_strv_push(&hs, line);
		}
	} else if (pal_yaml_get_strv(p->y, v, what, false, &hs, p->err) < 0) {
		return pal_yaml_err(p->y, v, p->err,
				    "%s must be a mapping (Name: value) or a list of \"Name: "
				    "value\" strings",
				    what);
	}
	for (char **h = hs; *h; h++) {
		bool ctl = false;
		for (const char *q = *h; *q; q++)
			ctl |= (unsigned char)*q < 0x20 || *q == 0x7f;
		if (ctl || !header_ok(*h)) {
			int r = pal_yaml_err(p->y, v, p->err,
					     "%s: \"%s\" is not a header line (Name: value, no "
					     "control characters)",
					     what, *h);
			pal_strv_free(hs);
			return r;
		}
	}
	pal_strv_free(o->headers);
	o->headers = hs;
	return 0;
}

static int output_key(struct pctx *p, const char *key, yaml_node_t *v, void *ud)
{
	struct out_ctx *oc = ud;
	struct agt_output *o = oc->o;
	if (!strcmp(key, "type"))
		return 0; /* read first */
	if (!strcmp(key, "name"))
		return get_string(p, v, kw(oc, key), &o->name);
	if (!strcmp(key, "min_priority")) {
		o->has_min_priority = true;
		return get_out_priority(p, v, kw(oc, key), &o->min_priority);
	}
	if (!strcmp(key, "queue_size")) {
		int64_t n;
		if (get_int(p, v, kw(oc, key), 1, 1 << 20, &n) < 0)
			return -EINVAL;
		o->queue_size = (size_t)n;
		return 0;
	}
	if (!strcmp(key, "timeout_ms"))
		return get_u32(p, v, kw(oc, key), 1, 600000, &o->timeout_ms);

	bool applies = false;
	switch (o->kind) {
	case AGT_OUT_STDOUT:
		break;
	case AGT_OUT_FILE:
		applies = !strcmp(key, "path");
		break;
	case AGT_OUT_SYSLOG:
		applies = !strcmp(key, "transport") || !strcmp(key, "address") ||
			  !strcmp(key, "facility") || !strcmp(key, "ca") ||
			  !strcmp(key, "server_name") || !strcmp(key, "cert") ||
			  !strcmp(key, "key");
		break;
	case AGT_OUT_HTTP:
		applies = !strcmp(key, "url") || !strcmp(key, "headers") || !strcmp(key, "ca");
		break;
	case AGT_OUT_NATS:
		applies = !strcmp(key, "url") || !strcmp(key, "subject");
		break;
	}
	if (!applies)
		return 1;
	if (!strcmp(key, "path"))
		return get_string(p, v, kw(oc, key), &o->path);
	if (!strcmp(key, "transport")) {
		const char *s = pal_yaml_scalar(v);
		if (!s || out_syslog_transport_parse(s, &o->transport) < 0)
			return pal_yaml_err(p->y, v, p->err, "%s must be unix, udp, tcp or tls",
					    kw(oc, key));
		oc->has_transport = true;
		return 0;
	}
	if (!strcmp(key, "address"))
		return get_string(p, v, kw(oc, key), &o->address);
	if (!strcmp(key, "facility")) {
		const char *s = pal_yaml_scalar(v);
		if (!s || out_syslog_facility_parse(s, &o->facility) < 0)
			return pal_yaml_err(p->y, v, p->err,
					    "%s must be a syslog facility: a name (user, daemon, "
					    "auth, local0 ... local7) or a number 0..23",
					    kw(oc, key));
		return 0;
	}
	if (!strcmp(key, "ca"))
		return get_string(p, v, kw(oc, key), &o->ca_file);
	if (!strcmp(key, "server_name"))
		return get_string(p, v, kw(oc, key), &o->server_name);
	if (!strcmp(key, "cert"))
		return get_string(p, v, kw(oc, key), &o->cert_file);
	if (!strcmp(key, "key"))
		return get_string(p, v, kw(oc, key), &o->key_file);
	if (!strcmp(key, "url"))
		return get_string(p, v, kw(oc, key), &o->url);
	if (!strcmp(key, "headers"))
		return get_headers(p, v, oc);
	if (!strcmp(key, "subject"))
		return get_string(p, v, kw(oc, key), &o->subject);
	return 1;
}

static const char *output_keys(enum agt_output_kind k)
{
	switch (k) {
	case AGT_OUT_STDOUT:
		return "type, name, min_priority, queue_size, timeout_ms";
	case AGT_OUT_FILE:
		return "type, name, min_priority, queue_size, timeout_ms, path";
	case AGT_OUT_SYSLOG:
		return "type, name, min_priority, queue_size, timeout_ms, transport, address, "
		       "facility, ca, server_name, cert, key";
	case AGT_OUT_HTTP:
		return "type, name, min_priority, queue_size, timeout_ms, url, headers, ca";
	case AGT_OUT_NATS:
		return "type, name, min_priority, queue_size, timeout_ms, url, subject";
	}
	return "type";
}

static int parse_output(struct pctx *p, struct agt_config *c, yaml_node_t *item, size_t idx)
{
	struct out_ctx oc = {0};
	snprintf(oc.what, sizeof(oc.what), "outputs[%zu]", idx);
	if (!pal_yaml_is_map(item))
		return pal_yaml_err(p->y, item, p->err,
				    "%s must be a mapping with a type (stdout, file, syslog, http, "
				    "nats)",
				    oc.what);
	yaml_node_t *t = pal_yaml_map_get(p->y, item, "type");
	const char *ts = t ? pal_yaml_scalar(t) : NULL;
	int kind = -1;
	for (size_t i = 0; ts && i < PAL_ARRAY_SIZE(kind_names); i++)
		if (!strcmp(ts, kind_names[i]))
			kind = (int)i;
	if (kind < 0)
		return pal_yaml_err(p->y, t ? t : item, p->err,
				    "%s.type must be stdout, file, syslog, http or nats%s%s%s",
				    oc.what, ts ? " (got '" : "", ts ? ts : "", ts ? "')" : "");
	oc.o = add_output(c, (enum agt_output_kind)kind);
	struct agt_output *o = oc.o;
	char what[80];
	snprintf(what, sizeof(what), "%s (a %s output)", oc.what, ts);
	int r = walk_map(p, item, what, output_keys(o->kind), output_key, &oc);
	if (r < 0)
		return r;
	const char *missing = NULL;
	switch (o->kind) {
	case AGT_OUT_FILE:
		missing = o->path ? NULL : "path";
		break;
	case AGT_OUT_SYSLOG:
		missing = !oc.has_transport ? "transport (unix, udp, tcp or tls)"
			  : !o->address	    ? "address"
			  : o->transport == OUT_SYSLOG_TLS && !o->ca_file
			      ? "ca (the CA bundle the server's certificate must chain to)"
			      : NULL;
		if (!missing && (!o->cert_file) != (!o->key_file))
			missing = o->cert_file ? "key (with cert)" : "cert (with key)";
		break;
	case AGT_OUT_HTTP:
		missing = o->url ? NULL : "url";
		if (o->url && !pal_str_starts_with(o->url, "http://") &&
		    !pal_str_starts_with(o->url, "https://"))
			return pal_yaml_err(p->y, item, p->err,
					    "%s.url must start with http:// or https://", oc.what);
		break;
	case AGT_OUT_NATS:
		missing = o->url ? NULL : "url";
		if (!o->subject)
			o->subject = pal_xstrdup("palisade.alerts");
		break;
	case AGT_OUT_STDOUT:
		break;
	}
	if (missing)
		return pal_yaml_err(p->y, item, p->err, "%s needs %s", what, missing);
	return 0;
}

static int parse_outputs(struct pctx *p, struct agt_config *c, yaml_node_t *v)
{
	if (!pal_yaml_is_seq(v))
		return pal_yaml_err(p->y, v, p->err,
				    "outputs must be a list of outputs, e.g. [{type: stdout}]");
	/* The file replaces the defaults (and anything before). */
	for (size_t i = 0; i < c->n_outputs; i++)
		output_free(&c->outputs[i]);
	c->n_outputs = 0;
	yaml_node_t *item;
	size_t idx = 0;
	PAL_YAML_SEQ_FOREACH(p->y, v, item)
	{
		int r = parse_output(p, c, item, idx++);
		if (r < 0)
			return r;
	}
	return 0;
}

static int rate_key(struct pctx *p, const char *key, yaml_node_t *v, void *ud)
{
	struct agt_config *c = ud;
	if (!strcmp(key, "enabled"))
		return get_bool(p, v, "rate_limit.enabled", &c->rate_limit);
	if (!strcmp(key, "rate"))
		return get_positive_double(p, v, "rate_limit.rate", 0.0001, &c->rate);
	if (!strcmp(key, "burst"))
		return get_positive_double(p, v, "rate_limit.burst", 1, &c->burst);
	if (!strcmp(key, "max_keys")) {
		int64_t n;
		if (get_int(p, v, "rate_limit.max_keys", 1, 10000000, &n) < 0)
			return -EINVAL;
		c->rate_max_keys = (size_t)n;
		return 0;
	}
	return 1;
}

static int audit_key(struct pctx *p, const char *key, yaml_node_t *v, void *ud)
{
	struct agt_config *c = ud;
	if (!strcmp(key, "enabled"))
		return get_bool(p, v, "audit.enabled", &c->audit);
	if (!strcmp(key, "path"))
		return get_string(p, v, "audit.path", &c->audit_path);
	if (!strcmp(key, "key_file"))
		return get_string(p, v, "audit.key_file", &c->audit_key_file);
	if (!strcmp(key, "fsync"))
		return get_bool(p, v, "audit.fsync", &c->audit_fsync);
	return 1;
}

static int metrics_key(struct pctx *p, const char *key, yaml_node_t *v, void *ud)
{
	struct agt_config *c = ud;
	if (!strcmp(key, "enabled"))
		return get_bool(p, v, "metrics.enabled", &c->metrics);
	if (!strcmp(key, "listen"))
		return get_string(p, v, "metrics.listen", &c->metrics_listen);
	return 1;
}

static int sensor_key(struct pctx *p, const char *key, yaml_node_t *v, void *ud)
{
	struct agt_config *c = ud;
	if (!strcmp(key, "ringbuf_size"))
		return get_size(p, v, "sensor.ringbuf_size", 4096, 1ull << 30, &c->ringbuf_bytes);
	if (!strcmp(key, "max_latency_ms")) {
		int64_t n;
		if (get_int(p, v, "sensor.max_latency_ms", -1, 10000, &n) < 0)
			return -EINVAL;
		if (n == 0)
			return pal_yaml_err(
			    p->y, v, p->err,
			    "sensor.max_latency_ms must be -1 (wake on every event) "
			    "or 1..10000");
		c->max_latency_ms = (int)n;
		return 0;
	}
	if (!strcmp(key, "seccomp_denials"))
		return get_bool(p, v, "sensor.seccomp_denials", &c->seccomp_audit);
	return 1;
}

static int enforce_key(struct pctx *p, const char *key, yaml_node_t *v, void *ud)
{
	struct agt_config *c = ud;
	if (!strcmp(key, "enabled"))
		return get_bool(p, v, "enforcement.enabled", &c->enforce);
	if (!strcmp(key, "dry_run"))
		return get_bool(p, v, "enforcement.dry_run", &c->enforce_dry_run);
	if (!strcmp(key, "host"))
		return get_bool(p, v, "enforcement.host", &c->enforce_host);
	if (!strcmp(key, "freeze_timeout_ms"))
		return get_u32(p, v, "enforcement.freeze_timeout_ms", 10, 60000,
			       &c->freeze_timeout_ms);
	return 1;
}

static int top_key(struct pctx *p, const char *key, yaml_node_t *v, void *ud)
{
	struct agt_config *c = ud;
	if (!strcmp(key, "rules"))
		return walk_map(p, v, "rules", "builtin, paths, min_priority, disabled_tags",
				rules_key, c);
	if (!strcmp(key, "outputs"))
		return parse_outputs(p, c, v);
	if (!strcmp(key, "rate_limit"))
		return walk_map(p, v, "rate_limit", "enabled, rate, burst, max_keys", rate_key, c);
	if (!strcmp(key, "audit"))
		return walk_map(p, v, "audit", "enabled, path, key_file, fsync", audit_key, c);
	if (!strcmp(key, "metrics"))
		return walk_map(p, v, "metrics", "enabled, listen", metrics_key, c);
	if (!strcmp(key, "sensor"))
		return walk_map(p, v, "sensor", "ringbuf_size, max_latency_ms, seccomp_denials",
				sensor_key, c);
	if (!strcmp(key, "enforcement"))
		return walk_map(p, v, "enforcement", "enabled, dry_run, host, freeze_timeout_ms",
				enforce_key, c);
	if (!strcmp(key, "state_dir"))
		return get_string(p, v, "state_dir", &c->state_dir);
	if (!strcmp(key, "hostname"))
		return get_string(p, v, "hostname", &c->hostname);
	if (!strcmp(key, "log_level")) {
		const char *s = pal_yaml_scalar(v);
		if (!s || (strcmp(s, "error") && strcmp(s, "warning") && strcmp(s, "info") &&
			   strcmp(s, "debug")))
			return pal_yaml_err(p->y, v, p->err,
					    "log_level must be error, warning, info or debug");
		free(c->log_level);
		c->log_level = pal_xstrdup(s);
		return 0;
	}
	if (!strcmp(key, "shutdown_timeout_ms"))
		return get_u32(p, v, "shutdown_timeout_ms", 0, 600000, &c->shutdown_timeout_ms);
	return 1;
}

int agt_config_parse(struct agt_config *c, const char *name, const char *data, size_t len,
		     struct pal_err *err)
{
	struct pal_yaml y = {0};
	int r = pal_yaml_load_buffer(&y, name, data, len, err);
	if (r < 0) {
		pal_yaml_free(&y);
		return r;
	}
	struct pctx p = {.y = &y, .err = err};
	yaml_node_t *root = pal_yaml_root(&y);
	/* An empty file (or one with only comments) keeps every default. */
	if (root && !(pal_yaml_is_scalar(root) && !*pal_yaml_scalar(root)))
		r = walk_map(&p, root, "the configuration",
			     "rules, outputs, rate_limit, audit, metrics, sensor, enforcement, "
			     "state_dir, hostname, log_level, shutdown_timeout_ms",
			     top_key, c);
	pal_yaml_free(&y);
	if (r < 0)
		return r;
	free(c->source);
	c->source = pal_xstrdup(name);
	return 0;
}

int agt_config_load_file(struct agt_config *c, const char *path, struct pal_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = pal_read_file(path, AGT_CONFIG_MAX_BYTES, &data, &len, err);
	if (r < 0)
		return pal_err_prefix(err, "configuration");
	return agt_config_parse(c, path, data, len, err);
}
