#include "supply.h"
#include "vulns.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct eval {
	const struct sup_policy *p;
	const struct sup_image *img;
	const struct sup_verify_opts *o;
	struct sup_verdict *v;
	int64_t now;
	struct sup_sigset sigs;
	bool sigs_loaded;
	const char *store;
};

static void reason(struct sup_verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void reason(struct sup_verdict *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

static void limit_expiry(struct sup_verdict *v, int64_t now, int64_t t)
{
	if (t > now && t < v->expires)
		v->expires = t;
}

static int load_sigs(struct eval *e, struct pal_err *err)
{
	if (e->sigs_loaded)
		return 0;
	e->sigs_loaded = true;
	if (!e->o->only_extra) {
		int r = sup_sigs_collect(e->img, e->store, &e->sigs, err);
		if (r < 0)
			return r;
	}
	if (e->o->extra) {
		for (size_t i = 0; i < e->o->extra->n; i++) {
			const struct sup_sig *x = &e->o->extra->v[i];
			e->sigs.v = pal_xrealloc(e->sigs.v, (e->sigs.n + 1) * sizeof(*e->sigs.v));
			struct sup_sig *s = &e->sigs.v[e->sigs.n++];
			memset(s, 0, sizeof(*s));
			s->kind = x->kind;
			s->origin = pal_xstrdup(x->origin);
			s->error = x->error ? pal_xstrdup(x->error) : NULL;
			s->md_alg = -1;
			s->payload = pal_xmalloc(x->payload_len + 1);
			memcpy(s->payload, x->payload, x->payload_len);
			s->payload_len = x->payload_len;
			s->sig = pal_xmalloc(x->sig_len);
			memcpy(s->sig, x->sig, x->sig_len);
			s->sig_len = x->sig_len;
		}
	}
	return 0;
}

static bool key_usable(struct eval *e, const struct sup_policy_key *k, struct pal_buf *notes)
{
	if (k->revoked) {
		pal_buf_printf(notes, "%skey %s is revoked", notes->len ? "; " : "", k->name);
		return false;
	}
	if (e->now < k->not_before) {
		pal_buf_printf(notes, "%skey %s is not valid before its not_before",
			       notes->len ? "; " : "", k->name);
		limit_expiry(e->v, e->now, k->not_before);
		return false;
	}
	if (e->now > k->not_after) {
		pal_buf_printf(notes, "%skey %s expired (not_after passed)", notes->len ? "; " : "",
			       k->name);
		return false;
	}
	return true;
}

static int eval_signed(struct eval *e, const struct sup_req *q, bool *ok, struct pal_err *err)
{
	int r = load_sigs(e, err);
	if (r < 0)
		return r;
	struct pal_buf notes, names;
	pal_buf_init(&notes);
	pal_buf_init(&names);
	unsigned good = 0;
	char first_why[512] = "";
	size_t first_sig = 0;
	bool have_usable = false;
	for (size_t i = 0; i < q->n_keys; i++) {
		const struct sup_policy_key *k = &e->p->keys[q->keys[i]];
		if (!key_usable(e, k, &notes))
			continue;
		have_usable = true;
		for (size_t j = 0; j < e->sigs.n; j++) {
			const char *scheme = NULL;
			char why[512];
			if (!sup_sig_verify(&e->sigs.v[j], e->img, k->pkey, &scheme, why,
					    sizeof(why))) {
				if (!first_why[0]) {
					snprintf(first_why, sizeof(first_why), "%s", why);
					first_sig = j;
				}
				continue;
			}
			good++;
			pal_buf_printf(&names, "%s%s", names.len ? "," : "", k->name);
			if (!e->v->fingerprint[0]) {
				snprintf(e->v->fingerprint, sizeof(e->v->fingerprint), "%s",
					 k->fingerprint);
				snprintf(e->v->signature, sizeof(e->v->signature), "%s/%s",
					 sup_sig_kind_name(e->sigs.v[j].kind), scheme);
			}
			limit_expiry(e->v, e->now, k->not_after);
			break;
		}
	}
	*ok = good >= q->threshold;
	if (*ok) {
		size_t used = strlen(e->v->keys);
		snprintf(e->v->keys + used, sizeof(e->v->keys) - used, "%s%s", used ? "," : "",
			 names.data ? names.data : "");
	} else if (!have_usable) {
		reason(e->v, "no usable key for the signed requirement: %s",
		       notes.len ? notes.data : "none listed");
	} else if (e->sigs.n == 0) {
		reason(e->v, "no signature found for %s (looked in %s%s%s)",
		       e->img->manifest_digest,
		       e->img->source == SUP_IMAGE_LAYOUT ? e->img->layout_path : "",
		       e->img->source == SUP_IMAGE_LAYOUT && e->store ? " and " : "",
		       e->store ? e->store : "");
	} else {
		reason(e->v, "signed by %u of the %u required key(s); %s at %s: %s%s%s", good,
		       q->threshold, sup_sig_kind_name(e->sigs.v[first_sig].kind),
		       e->sigs.v[first_sig].origin, first_why[0] ? first_why : "no key verified",
		       notes.len ? "; " : "", notes.len ? notes.data : "");
	}
	pal_buf_free(&notes);
	pal_buf_free(&names);
	return 0;
}

static int eval_vulns(struct eval *e, const struct sup_req *q, bool *ok, struct pal_err *err)
{
	const char *dir = q->reports_dir ? q->reports_dir : e->p->reports_dir;
	_cleanup_strv_ char **paths = NULL;
	int r = sup_vulns_find(dir, e->img, &paths, err);
	if (r < 0)
		return r;
	*ok = false;
	if (!paths[0]) {
		const char *colon = strchr(e->img->manifest_digest, ':');
		reason(e->v, "no vulnerability report for %s in %s (expected %.*s-%s.json)",
		       e->img->manifest_digest, dir, (int)(colon - e->img->manifest_digest),
		       e->img->manifest_digest, colon + 1);
		return 0;
	}
	for (char **path = paths; *path; path++) {
		_cleanup_free_ char *data = NULL;
		size_t len = 0;
		struct pal_err rerr = {0};
		struct sup_vuln_report rep;
		if (pal_read_file(*path, SUP_MAX_REPORT, &data, &len, &rerr) < 0 ||
		    sup_vulns_parse(*path, data, len, &rep, &rerr) < 0) {
			reason(e->v, "unusable vulnerability report: %s", rerr.msg);
			return 0;
		}
		if (!sup_vulns_matches(&rep, e->img)) {
			reason(e->v, "vulnerability report %s describes %s, not this image (%s)",
			       *path, rep.digests[0], e->img->manifest_digest);
			sup_vulns_free(&rep);
			return 0;
		}
		const uint32_t *counts = q->fixable_only ? rep.fixable : rep.total;
		for (int s = 0; s < SUP_SEV_COUNT; s++) {
			if (q->max[s] >= 0 && counts[s] > (uint64_t)q->max[s]) {
				reason(
				    e->v,
				    "%s report %s: %u %s%s vulnerabilities, the policy allows %lld",
				    sup_report_format_name(rep.format), *path, counts[s],
				    q->fixable_only ? "fixable " : "",
				    sup_sev_name((enum sup_sev)s), (long long)q->max[s]);
				sup_vulns_free(&rep);
				return 0;
			}
		}
		sup_vulns_free(&rep);
	}
	*ok = true;
	return 0;
}

static int evaluate(struct eval *e, const struct sup_scope *s, struct pal_err *err)
{
	struct sup_verdict *v = e->v;
	for (size_t i = 0; i < s->n_reqs; i++) {
		const struct sup_req *q = &s->reqs[i];
		bool ok = false;
		int r = 0;
		switch (q->type) {
		case SUP_REQ_REJECT:
			reason(v, "scope %s rejects every image", s->name);
			break;
		case SUP_REQ_ACCEPT:
			ok = true;
			break;
		case SUP_REQ_SIGNED:
			r = eval_signed(e, q, &ok, err);
			break;
		case SUP_REQ_VULNS:
			r = eval_vulns(e, q, &ok, err);
			break;
		}
		if (r < 0)
			return r;
		if (!ok) {
			v->allow = false;
			if (q->line) {
				size_t n = strlen(v->reason);
				snprintf(v->reason + n, sizeof(v->reason) - n,
					 " (requirement at %s:%u)", e->p->path, q->line);
			}
			return 0;
		}
	}
	v->allow = true;
	reason(v, "%s", v->keys[0] ? "signature verified" : "accepted by policy");
	if (v->keys[0]) {
		size_t n = strlen(v->reason);
		snprintf(v->reason + n, sizeof(v->reason) - n, " with key %s", v->keys);
	}
	return 0;
}

static void verdict_init(struct sup_verdict *v, const struct sup_policy *p,
			 const struct sup_image *img, const struct sup_scope *s, int64_t now)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->scope, sizeof(v->scope), "%s", s->name);
	snprintf(v->digest, sizeof(v->digest), "%s", img->manifest_digest);
	v->decided_at = now;
	v->expires = now + (p->cache_ttl > 0 ? p->cache_ttl : 0);
}

int sup_verify_image_opts(const struct sup_policy *p, const struct sup_image *img,
			  const struct sup_verify_opts *opts, struct sup_verdict *v,
			  struct pal_err *err)
{
	static const struct sup_verify_opts none;
	const struct sup_verify_opts *o = opts ? opts : &none;
	int64_t now = o->now ? o->now : (int64_t)time(NULL);
	const struct sup_scope *s = sup_policy_match(p, img);
	verdict_init(v, p, img, s, now);
	struct eval e = {.p = p, .img = img, .o = o, .v = v, .now = now};
	e.store = o->signature_store ? o->signature_store : p->signature_store;
	int r = evaluate(&e, s, err);
	sup_sigset_free(&e.sigs);
	if (r < 0) {
		v->allow = false;
		reason(v, "verification failed: %s", err->msg);
	}
	return r;
}

int sup_verify_image(const struct sup_policy *p, const struct sup_image *img, struct sup_verdict *v,
		     struct pal_err *err)
{
	return sup_verify_image_opts(p, img, NULL, v, err);
}

/* The identity of the vulnerability reports a scope relies on (name, size,
 * mtime, inode), so that a new or rewritten report is never hidden by a cached
 * verdict. Scopes without a vulnerabilities requirement read no directory. */
static int report_stamp(const struct sup_policy *p, const struct sup_scope *s,
			const struct sup_image *img, struct pal_buf *out, struct pal_err *err)
{
	for (size_t i = 0; i < s->n_reqs; i++) {
		if (s->reqs[i].type != SUP_REQ_VULNS)
			continue;
		const char *dir = s->reqs[i].reports_dir ? s->reqs[i].reports_dir : p->reports_dir;
		_cleanup_strv_ char **paths = NULL;
		int r = sup_vulns_find(dir, img, &paths, err);
		if (r < 0)
			return r;
		for (char **path = paths; *path; path++) {
			struct stat st;
			if (stat(*path, &st) < 0)
				continue;
			pal_buf_printf(out, "\n%s %lld %lld.%ld %llu", *path, (long long)st.st_size,
				       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
				       (unsigned long long)st.st_ino);
		}
	}
	return 0;
}

int sup_verify_image_cached(struct sup_cache *c, const struct sup_policy *p,
			    const struct sup_image *img, struct sup_verdict *v, struct pal_err *err)
{
	if (!c || p->cache_ttl <= 0)
		return sup_verify_image(p, img, v, err);
	const struct sup_scope *s = sup_policy_match(p, img);
	struct pal_buf salt;
	pal_buf_init(&salt);
	pal_buf_puts(&salt, s->name);
	int r = report_stamp(p, s, img, &salt, err);
	if (r < 0) {
		pal_buf_free(&salt);
		return r;
	}
	unsigned char key[32];
	sup_cache_key(p->generation, img->manifest_digest, salt.data, key);
	pal_buf_free(&salt);
	int64_t now = (int64_t)time(NULL);
	if (sup_cache_get(c, key, now, v))
		return 0;
	r = sup_verify_image(p, img, v, err);
	if (r == 0)
		sup_cache_put(c, key, v);
	return r;
}
