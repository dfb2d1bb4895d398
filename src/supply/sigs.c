#include "sigs.h"
#include "common/cleanup.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *sup_sig_kind_name(enum sup_sig_kind k)
{
	switch (k) {
	case SUP_SIG_SIMPLE:
		return "simple-signing";
	case SUP_SIG_MESSAGE:
		return "bundle message signature";
	case SUP_SIG_DSSE:
		return "bundle DSSE";
	}
	return "signature";
}

static struct sup_sig *push(struct sup_sigset *set, enum sup_sig_kind kind, const char *origin,
			    const char *subject)
{
	set->v = pal_xrealloc(set->v, (set->n + 1) * sizeof(*set->v));
	struct sup_sig *s = &set->v[set->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->origin = pal_xstrdup(origin);
	s->subject = subject ? pal_xstrdup(subject) : NULL;
	s->md_alg = -1;
	return s;
}

static void set_error(struct sup_sig *s, const char *msg)
{
	free(s->error);
	s->error = pal_xstrdup(msg);
}

void sup_sigset_free(struct sup_sigset *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct sup_sig *s = &set->v[i];
		free(s->origin);
		free(s->error);
		free(s->subject);
		free(s->payload);
		free(s->payload_type);
		free(s->sig);
	}
	free(set->v);
	memset(set, 0, sizeof(*set));
}

static void sig_tag(const char *digest, char *out, size_t cap)
{
	const char *colon = strchr(digest, ':');
	snprintf(out, cap, "%.*s-%s.sig", (int)(colon - digest), digest, colon + 1);
}

static void collect_simple(struct sup_layout *l, const char *subject, struct sup_sigset *set)
{
	char tag[SUP_DIGEST_MAX + 8];
	sig_tag(subject, tag, sizeof(tag));
	int i = sup_layout_find_tag(l, tag);
	if (i < 0)
		return;
	const struct sup_desc *d = &l->index.manifests[i];
	char origin[512];
	snprintf(origin, sizeof(origin), "%s:%s", l->path, tag);
	struct pal_err err = {0};
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	struct sup_manifest m;
	if (sup_layout_read_blob(l, d->digest, d->size, SUP_MAX_MANIFEST, &data, &len, &err) < 0 ||
	    sup_manifest_parse(tag, data, len, &m, &err) < 0) {
		set_error(push(set, SUP_SIG_SIMPLE, origin, subject), err.msg);
		return;
	}
	for (size_t k = 0; k < m.n_layers; k++) {
		const struct sup_desc *ld = &m.layers[k];
		if (!pal_str_eq(ld->media_type, SUP_MT_SIMPLESIGNING))
			continue;
		char o[600];
		snprintf(o, sizeof(o), "%s layer %zu", origin, k);
		struct sup_sig *s = push(set, SUP_SIG_SIMPLE, o, subject);
		const char *b64 = sup_desc_annotation(ld, SUP_ANN_COSIGN_SIG);
		if (!b64) {
			set_error(s, "layer has no " SUP_ANN_COSIGN_SIG " annotation");
			continue;
		}
		if (sup_b64_decode(b64, &s->sig, &s->sig_len) < 0 || s->sig_len == 0) {
			set_error(s, "signature annotation is not valid base64");
			continue;
		}
		char *p = NULL;
		size_t pl = 0;
		pal_err_clear(&err);
		if (sup_layout_read_blob(l, ld->digest, ld->size, SUP_MAX_SIG_DOC, &p, &pl, &err) <
		    0) {
			set_error(s, err.msg);
			continue;
		}
		s->payload = (unsigned char *)p;
		s->payload_len = pl;
	}
	sup_manifest_free(&m);
}

static void load_bundle(struct sup_layout *l, const struct sup_manifest *m, const char *origin,
			const char *subject, struct sup_sigset *set)
{
	struct pal_err err = {0};
	const struct sup_desc *ld = NULL;
	for (size_t k = 0; k < m->n_layers; k++)
		if (pal_str_starts_with(m->layers[k].media_type, SUP_MT_BUNDLE_PREFIX))
			ld = &m->layers[k];
	if (!ld) {
		set_error(push(set, SUP_SIG_MESSAGE, origin, subject),
			  "referrer has no sigstore bundle layer");
		return;
	}
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	struct sup_bundle b;
	if (sup_layout_read_blob(l, ld->digest, ld->size, SUP_MAX_SIG_DOC, &data, &len, &err) < 0 ||
	    sup_bundle_parse("bundle", data, len, &b, &err) < 0) {
		set_error(push(set, SUP_SIG_MESSAGE, origin, subject), err.msg);
		return;
	}
	struct sup_sig *s = push(set, b.content == SUP_BUNDLE_DSSE ? SUP_SIG_DSSE : SUP_SIG_MESSAGE,
				 origin, subject);
	s->sig = PAL_STEAL(b.sig);
	s->sig_len = b.sig_len;
	if (b.content == SUP_BUNDLE_DSSE) {
		s->payload = PAL_STEAL(b.payload);
		s->payload_len = b.payload_len;
		s->payload_type = PAL_STEAL(b.payload_type);
	} else {
		s->md_alg = b.md_alg;
		memcpy(s->md, b.md, b.md_len);
		s->md_len = b.md_len;
	}
	sup_bundle_free(&b);
}

static void collect_referrers(struct sup_layout *l, const char *subject, struct sup_sigset *set)
{
	for (size_t i = 0; i < l->index.n_manifests; i++) {
		const struct sup_desc *d = &l->index.manifests[i];
		if (!sup_media_type_is_manifest(d->media_type))
			continue;
		if (d->artifact_type &&
		    !pal_str_starts_with(d->artifact_type, SUP_MT_BUNDLE_PREFIX))
			continue;
		/* Tagged entries are images or .sig manifests, not referrers. */
		if (!d->artifact_type && sup_desc_annotation(d, SUP_ANN_REF_NAME))
			continue;
		struct pal_err err = {0};
		_cleanup_free_ char *data = NULL;
		size_t len = 0;
		struct sup_manifest m;
		char origin[512];
		snprintf(origin, sizeof(origin), "%s@%s (referrer)", l->path, d->digest);
		if (sup_layout_read_blob(l, d->digest, d->size, SUP_MAX_MANIFEST, &data, &len,
					 &err) < 0 ||
		    sup_manifest_parse(d->digest, data, len, &m, &err) < 0) {
			if (d->artifact_type)
				set_error(push(set, SUP_SIG_MESSAGE, origin, subject), err.msg);
			continue;
		}
		bool is_bundle = pal_str_starts_with(m.artifact_type, SUP_MT_BUNDLE_PREFIX) ||
				 (m.n_layers && pal_str_starts_with(m.layers[0].media_type,
								    SUP_MT_BUNDLE_PREFIX));
		if (m.has_subject && is_bundle && !strcmp(m.subject.digest, subject))
			load_bundle(l, &m, origin, subject, set);
		sup_manifest_free(&m);
	}
}

static void collect_from(struct sup_layout *l, const struct sup_image *img, struct sup_sigset *set)
{
	const char *subjects[2] = {img->manifest_digest, img->index_digest};
	for (size_t i = 0; i < 2; i++) {
		if (!subjects[i][0])
			continue;
		collect_simple(l, subjects[i], set);
		collect_referrers(l, subjects[i], set);
	}
}

int sup_sigs_collect(const struct sup_image *img, const char *store_dir, struct sup_sigset *set,
		     struct pal_err *err)
{
	memset(set, 0, sizeof(*set));
	if (img->source == SUP_IMAGE_LAYOUT)
		collect_from((struct sup_layout *)&img->layout, img, set);
	if (store_dir && sup_layout_is_layout(store_dir)) {
		struct sup_layout store;
		int r = sup_layout_open(store_dir, SUP_LAYOUT_READ, &store, err);
		if (r < 0)
			return pal_err_prefix(err, "signature store");
		collect_from(&store, img, set);
		sup_layout_close(&store);
	}
	return 0;
}

int sup_sigs_add_detached(struct sup_sigset *set, const void *payload, size_t len,
			  const char *sig_b64, const char *origin, struct pal_err *err)
{
	unsigned char *sig = NULL;
	size_t sl = 0;
	if (sup_b64_decode(sig_b64, &sig, &sl) < 0 || sl == 0) {
		free(sig);
		return pal_err_set(err, EINVAL, "%s: signature is not valid base64", origin);
	}
	struct sup_sig *s = push(set, SUP_SIG_SIMPLE, origin, NULL);
	s->sig = sig;
	s->sig_len = sl;
	s->payload = pal_xmalloc(len + 1);
	memcpy(s->payload, payload, len);
	s->payload_len = len;
	return 0;
}

static bool names_image(const struct sup_image *img, const char *digest)
{
	return !strcmp(digest, img->manifest_digest) ||
	       (img->index_digest[0] && !strcmp(digest, img->index_digest));
}

static bool fail(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
	return false;
}

static bool message_matches(const struct sup_sig *s, const struct sup_image *img, const void **msg,
			    size_t *len)
{
	const void *cands[2] = {img->manifest, img->index_raw};
	size_t lens[2] = {img->manifest_len, img->index_len};
	for (size_t i = 0; i < 2; i++) {
		if (!cands[i])
			continue;
		unsigned char h[64];
		sup_hash_raw((enum sup_hash)s->md_alg, cands[i], lens[i], h);
		if (s->md_len == sup_hash_len((enum sup_hash)s->md_alg) &&
		    !memcmp(h, s->md, s->md_len)) {
			*msg = cands[i];
			*len = lens[i];
			return true;
		}
	}
	return false;
}

bool sup_sig_verify(const struct sup_sig *s, const struct sup_image *img, EVP_PKEY *key,
		    const char **scheme, char *why, size_t cap)
{
	if (s->error)
		return fail(why, cap, "%s", s->error);
	struct pal_err err = {0};
	switch (s->kind) {
	case SUP_SIG_SIMPLE: {
		if (!sup_verify_sig(key, -1, s->payload, s->payload_len, s->sig, s->sig_len,
				    scheme))
			return fail(why, cap, "signature does not verify with this key");
		struct sup_simplesign ss;
		if (sup_simplesign_parse("payload", s->payload, s->payload_len, &ss, &err) < 0)
			return fail(why, cap, "signed payload is invalid: %s", err.msg);
		bool ok =
		    names_image(img, ss.digest) && (!s->subject || !strcmp(ss.digest, s->subject));
		if (!ok)
			fail(why, cap, "signed payload names %s, but the image is %s", ss.digest,
			     img->manifest_digest);
		sup_simplesign_free(&ss);
		return ok;
	}
	case SUP_SIG_MESSAGE: {
		const void *msg = NULL;
		size_t len = 0;
		if (!message_matches(s, img, &msg, &len))
			return fail(why, cap,
				    "bundle messageDigest does not match the image manifest %s",
				    img->manifest_digest);
		if (!sup_verify_sig(key, s->md_alg, msg, len, s->sig, s->sig_len, scheme))
			return fail(why, cap, "signature does not verify with this key");
		return true;
	}
	case SUP_SIG_DSSE: {
		if (!pal_str_eq(s->payload_type, SUP_MT_INTOTO))
			return fail(why, cap, "DSSE payloadType is %s, want %s", s->payload_type,
				    SUP_MT_INTOTO);
		struct pal_buf pae;
		pal_buf_init(&pae);
		sup_dsse_pae(s->payload_type, s->payload, s->payload_len, &pae);
		bool ok = sup_verify_sig(key, -1, pae.data, pae.len, s->sig, s->sig_len, scheme);
		pal_buf_free(&pae);
		if (!ok)
			return fail(why, cap, "signature does not verify with this key");
		const char *subject = s->subject ? s->subject : img->manifest_digest;
		if (sup_intoto_check("statement", s->payload, s->payload_len, subject, &err) < 0)
			return fail(why, cap, "%s", err.msg);
		return true;
	}
	}
	return fail(why, cap, "unknown signature kind");
}

/* ---- writing ---------------------------------------------------------- */

static int put_manifest(struct sup_layout *l, json_t *manifest, const char *artifact_type,
			const char *tag, struct pal_err *err)
{
	_cleanup_free_ char *text = json_dumps(manifest, JSON_COMPACT);
	char digest[SUP_DIGEST_MAX];
	int r = sup_layout_write_blob(l, text, strlen(text), digest, err);
	if (r < 0)
		return r;
	struct sup_desc d = {.media_type = (char *)SUP_MT_OCI_MANIFEST,
			     .digest = digest,
			     .size = (int64_t)strlen(text),
			     .artifact_type = (char *)artifact_type};
	return sup_layout_put_manifest(l, &d, tag, err);
}

int sup_attach_simple(struct sup_layout *l, const char *subject_digest, const void *payload,
		      size_t len, const char *sig_b64, struct pal_err *err)
{
	char tag[SUP_DIGEST_MAX + 8];
	sig_tag(subject_digest, tag, sizeof(tag));
	char pdigest[SUP_DIGEST_MAX];
	int r = sup_layout_write_blob(l, payload, len, pdigest, err);
	if (r < 0)
		return r;
	/* Keep the signatures already attached (cosign appends a layer per signature). */
	_cleanup_json_ json_t *layers = json_array();
	int i = sup_layout_find_tag(l, tag);
	if (i >= 0) {
		const struct sup_desc *d = &l->index.manifests[i];
		_cleanup_free_ char *data = NULL;
		size_t dl = 0;
		if ((r = sup_layout_read_blob(l, d->digest, d->size, SUP_MAX_MANIFEST, &data, &dl,
					      err)) < 0)
			return pal_err_prefix(err, "existing %s", tag);
		_cleanup_json_ json_t *old = pal_json_load_buffer(tag, data, dl, err);
		if (!old)
			return -EINVAL;
		size_t k;
		json_t *e;
		json_array_foreach(json_object_get(old, "layers"), k, e)
		{
			const char *s = json_string_value(
			    json_object_get(json_object_get(e, "annotations"), SUP_ANN_COSIGN_SIG));
			const char *dg = json_string_value(json_object_get(e, "digest"));
			if (pal_str_eq(s, sig_b64) && pal_str_eq(dg, pdigest))
				continue; /* the same signature again */
			json_array_append(layers, e);
		}
	}
	json_array_append_new(layers,
			      json_pack("{s:s, s:I, s:s, s:{s:s}}", "mediaType",
					SUP_MT_SIMPLESIGNING, "size", (json_int_t)len, "digest",
					pdigest, "annotations", SUP_ANN_COSIGN_SIG, sig_b64));
	/* cosign's .sig image config: the layers as diff_ids, nothing else */
	json_t *diff_ids = json_array();
	size_t k;
	json_t *e;
	json_array_foreach(layers, k, e)
	{
		json_array_append(diff_ids, json_object_get(e, "digest"));
	}
	json_t *cfg = json_pack("{s:s, s:s, s:s, s:{}, s:{s:s, s:o}}", "architecture", "", "os", "",
				"created", "0001-01-01T00:00:00Z", "config", "rootfs", "type",
				"layers", "diff_ids", diff_ids);
	_cleanup_free_ char *cfg_text = json_dumps(cfg, JSON_COMPACT);
	json_decref(cfg);
	char cdigest[SUP_DIGEST_MAX];
	if ((r = sup_layout_write_blob(l, cfg_text, strlen(cfg_text), cdigest, err)) < 0)
		return r;
	_cleanup_json_ json_t *m =
	    json_pack("{s:i, s:s, s:{s:s, s:I, s:s}, s:O}", "schemaVersion", 2, "mediaType",
		      SUP_MT_OCI_MANIFEST, "config", "mediaType", SUP_MT_OCI_CONFIG, "size",
		      (json_int_t)strlen(cfg_text), "digest", cdigest, "layers", layers);
	return put_manifest(l, m, NULL, tag, err);
}

int sup_attach_bundle(struct sup_layout *l, const struct sup_desc *subject, const char *bundle,
		      enum sup_bundle_content content, struct pal_err *err)
{
	char bdigest[SUP_DIGEST_MAX], edigest[SUP_DIGEST_MAX];
	int r = sup_layout_write_blob(l, bundle, strlen(bundle), bdigest, err);
	if (r < 0 || (r = sup_layout_write_blob(l, "{}", 2, edigest, err)) < 0)
		return r;
	char created[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	_cleanup_json_ json_t *m =
	    json_pack("{s:i, s:s, s:s, s:{s:s, s:s, s:i}, s:[{s:s, s:s, s:I}], s:o, s:{s:s, s:s}}",
		      "schemaVersion", 2, "mediaType", SUP_MT_OCI_MANIFEST, "artifactType",
		      SUP_MT_BUNDLE_V03, "config", "mediaType", SUP_MT_EMPTY, "digest",
		      SUP_EMPTY_DIGEST, "size", 2, "layers", "mediaType", SUP_MT_BUNDLE_V03,
		      "digest", bdigest, "size", (json_int_t)strlen(bundle), "subject",
		      json_pack("{s:s, s:s, s:I}", "mediaType", subject->media_type, "digest",
				subject->digest, "size", (json_int_t)subject->size),
		      "annotations", "dev.sigstore.bundle.content",
		      content == SUP_BUNDLE_DSSE ? "dsse-envelope" : "message-signature",
		      "org.opencontainers.image.created", created);
	if (content == SUP_BUNDLE_DSSE)
		json_object_set_new(json_object_get(m, "annotations"),
				    "dev.sigstore.bundle.predicateType",
				    json_string(SUP_PALISADE_PREDICATE));
	return put_manifest(l, m, SUP_MT_BUNDLE_V03, NULL, err);
}
