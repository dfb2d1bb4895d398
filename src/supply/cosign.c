#include "cosign.h"
#include "common/cleanup.h"
#include "common/jsonutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

char *sup_simplesign_payload(const char *docker_reference, const char *digest)
{
	json_t *j =
	    json_pack("{s:{s:{s:s}, s:{s:s}, s:s}, s:n}", "critical", "identity",
		      "docker-reference", docker_reference ? docker_reference : "", "image",
		      "docker-manifest-digest", digest, "type", SUP_SIMPLESIGNING_TYPE, "optional");
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

int sup_simplesign_parse(const char *name, const void *data, size_t len, struct sup_simplesign *out,
			 struct pal_err *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_json_ json_t *j = pal_json_load_buffer(name, data, len, err);
	if (!j)
		return -EINVAL;
	json_t *crit = NULL, *ident = NULL, *image = NULL;
	const char *type = NULL, *ref = NULL, *digest = NULL;
	int r;
	if (!json_is_object(j))
		return pal_err_set(err, EINVAL, "%s: payload must be a JSON object", name);
	if ((r = pal_json_opt_object(j, "payload", "critical", &crit, err)) < 0)
		return r;
	if (!crit)
		return pal_err_set(err, EINVAL, "%s: payload has no critical section", name);
	if ((r = pal_json_opt_string(crit, "critical", "type", &type, err)) < 0 ||
	    (r = pal_json_opt_object(crit, "critical", "identity", &ident, err)) < 0 ||
	    (r = pal_json_opt_object(crit, "critical", "image", &image, err)) < 0)
		return pal_err_prefix(err, "%s", name);
	if (!pal_str_eq(type, SUP_SIMPLESIGNING_TYPE))
		return pal_err_set(err, EINVAL, "%s: critical.type must be '%s'", name,
				   SUP_SIMPLESIGNING_TYPE);
	if (!image)
		return pal_err_set(err, EINVAL, "%s: critical.image missing", name);
	if ((r = pal_json_opt_string(image, "critical.image", "docker-manifest-digest", &digest,
				     err)) < 0 ||
	    (ident && (r = pal_json_opt_string(ident, "critical.identity", "docker-reference", &ref,
					       err)) < 0))
		return pal_err_prefix(err, "%s", name);
	if ((r = sup_digest_validate(digest, "critical.image.docker-manifest-digest", err)) < 0)
		return pal_err_prefix(err, "%s", name);
	out->digest = pal_xstrdup(digest);
	out->docker_reference = pal_xstrdup(ref ? ref : "");
	return 0;
}

void sup_simplesign_free(struct sup_simplesign *s)
{
	free(s->docker_reference);
	free(s->digest);
	memset(s, 0, sizeof(*s));
}

static int b64_field(json_t *obj, const char *path, const char *key, unsigned char **out,
		     size_t *len, struct pal_err *err)
{
	const char *s = NULL;
	int r = pal_json_opt_string(obj, path, key, &s, err);
	if (r < 0)
		return r;
	if (!s)
		return pal_err_set(err, EINVAL, "%s.%s missing", path, key);
	if (sup_b64_decode(s, out, len) < 0)
		return pal_err_set(err, EINVAL, "%s.%s is not valid base64", path, key);
	return 0;
}

static const struct {
	const char *name;
	enum sup_hash h;
} hash_names[] = {
    {"SHA2_256", SUP_HASH_SHA256},
    {"SHA2_384", SUP_HASH_SHA384},
    {"SHA2_512", SUP_HASH_SHA512},
};

int sup_bundle_parse(const char *name, const void *data, size_t len, struct sup_bundle *b,
		     struct pal_err *err)
{
	memset(b, 0, sizeof(*b));
	_cleanup_json_ json_t *j = pal_json_load_buffer(name, data, len, err);
	if (!j)
		return -EINVAL;
	if (!json_is_object(j))
		return pal_err_set(err, EINVAL, "%s: bundle must be a JSON object", name);
	const char *mt = NULL, *hint = NULL;
	json_t *vm = NULL, *pk = NULL, *ms = NULL, *env = NULL;
	int r;
	if ((r = pal_json_opt_string(j, "bundle", "mediaType", &mt, err)) < 0 ||
	    (r = pal_json_opt_object(j, "bundle", "verificationMaterial", &vm, err)) < 0 ||
	    (r = pal_json_opt_object(j, "bundle", "messageSignature", &ms, err)) < 0 ||
	    (r = pal_json_opt_object(j, "bundle", "dsseEnvelope", &env, err)) < 0)
		goto fail;
	if (!mt || !pal_str_starts_with(mt, SUP_MT_BUNDLE_PREFIX)) {
		r = pal_err_set(err, EINVAL, "bundle.mediaType must be %s (got %s)",
				SUP_MT_BUNDLE_V03, mt ? mt : "none");
		goto fail;
	}
	if (!vm) {
		r = pal_err_set(err, EINVAL, "bundle.verificationMaterial missing");
		goto fail;
	}
	if ((r = pal_json_opt_object(vm, "bundle.verificationMaterial", "publicKey", &pk, err)) < 0)
		goto fail;
	if (pk && (r = pal_json_opt_string(pk, "bundle.verificationMaterial.publicKey", "hint",
					   &hint, err)) < 0)
		goto fail;
	if (!!ms == !!env) {
		r = pal_err_set(
		    err, EINVAL,
		    "bundle must hold exactly one of messageSignature and dsseEnvelope");
		goto fail;
	}
	b->media_type = pal_xstrdup(mt);
	b->key_hint = hint ? pal_xstrdup(hint) : NULL;
	if (ms) {
		json_t *md = NULL;
		const char *alg = NULL;
		b->content = SUP_BUNDLE_MESSAGE;
		if ((r = pal_json_opt_object(ms, "bundle.messageSignature", "messageDigest", &md,
					     err)) < 0)
			goto fail;
		if (!md) {
			r = pal_err_set(err, EINVAL,
					"bundle.messageSignature.messageDigest missing");
			goto fail;
		}
		if ((r = pal_json_opt_string(md, "bundle.messageSignature.messageDigest",
					     "algorithm", &alg, err)) < 0)
			goto fail;
		b->md_alg = -1;
		for (size_t i = 0; i < PAL_ARRAY_SIZE(hash_names); i++)
			if (pal_str_eq(alg, hash_names[i].name))
				b->md_alg = (int)hash_names[i].h;
		if (b->md_alg < 0) {
			r = pal_err_set(err, EINVAL,
					"bundle.messageSignature.messageDigest.algorithm must be "
					"SHA2_256, SHA2_384 or SHA2_512");
			goto fail;
		}
		unsigned char *d = NULL;
		size_t dl = 0;
		if ((r = b64_field(md, "bundle.messageSignature.messageDigest", "digest", &d, &dl,
				   err)) < 0)
			goto fail;
		if (dl != sup_hash_len((enum sup_hash)b->md_alg)) {
			free(d);
			r = pal_err_set(
			    err, EINVAL,
			    "bundle.messageSignature.messageDigest.digest has %zu bytes, "
			    "%s needs %zu",
			    dl, alg, sup_hash_len((enum sup_hash)b->md_alg));
			goto fail;
		}
		memcpy(b->md, d, dl);
		b->md_len = dl;
		free(d);
		if ((r = b64_field(ms, "bundle.messageSignature", "signature", &b->sig, &b->sig_len,
				   err)) < 0)
			goto fail;
	} else {
		const char *pt = NULL;
		json_t *sigs = NULL;
		b->content = SUP_BUNDLE_DSSE;
		if ((r = pal_json_opt_string(env, "bundle.dsseEnvelope", "payloadType", &pt, err)) <
			0 ||
		    (r = pal_json_opt_array(env, "bundle.dsseEnvelope", "signatures", &sigs, err)) <
			0)
			goto fail;
		if (!pt) {
			r = pal_err_set(err, EINVAL, "bundle.dsseEnvelope.payloadType missing");
			goto fail;
		}
		b->payload_type = pal_xstrdup(pt);
		if ((r = b64_field(env, "bundle.dsseEnvelope", "payload", &b->payload,
				   &b->payload_len, err)) < 0)
			goto fail;
		if (!sigs || json_array_size(sigs) != 1) {
			r = pal_err_set(err, EINVAL,
					"bundle.dsseEnvelope.signatures must hold exactly one "
					"signature");
			goto fail;
		}
		if ((r = b64_field(json_array_get(sigs, 0), "bundle.dsseEnvelope.signatures[0]",
				   "sig", &b->sig, &b->sig_len, err)) < 0)
			goto fail;
	}
	if (b->sig_len == 0) {
		r = pal_err_set(err, EINVAL, "bundle signature is empty");
		goto fail;
	}
	return 0;
fail:
	sup_bundle_free(b);
	return pal_err_prefix(err, "%s", name);
}

void sup_bundle_free(struct sup_bundle *b)
{
	free(b->media_type);
	free(b->key_hint);
	free(b->sig);
	free(b->payload_type);
	free(b->payload);
	memset(b, 0, sizeof(*b));
}

static json_t *verification_material(const char *hint)
{
	return json_pack("{s:{s:s}, s:[], s:{s:[]}}", "publicKey", "hint", hint ? hint : "",
			 "tlogEntries", "timestampVerificationData", "rfc3161Timestamps");
}

char *sup_bundle_message_json(const char *hint, enum sup_hash h, const unsigned char *md,
			      const unsigned char *sig, size_t sig_len)
{
	_cleanup_free_ char *mdb = sup_b64_encode(md, sup_hash_len(h));
	_cleanup_free_ char *sb = sup_b64_encode(sig, sig_len);
	const char *alg = h == SUP_HASH_SHA512	 ? "SHA2_512"
			  : h == SUP_HASH_SHA384 ? "SHA2_384"
						 : "SHA2_256";
	json_t *j =
	    json_pack("{s:s, s:o, s:{s:{s:s, s:s}, s:s}}", "mediaType", SUP_MT_BUNDLE_V03,
		      "verificationMaterial", verification_material(hint), "messageSignature",
		      "messageDigest", "algorithm", alg, "digest", mdb, "signature", sb);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

char *sup_bundle_dsse_json(const char *hint, const char *payload_type, const void *payload,
			   size_t payload_len, const unsigned char *sig, size_t sig_len)
{
	_cleanup_free_ char *pb = sup_b64_encode(payload, payload_len);
	_cleanup_free_ char *sb = sup_b64_encode(sig, sig_len);
	json_t *j = json_pack(
	    "{s:s, s:o, s:{s:s, s:s, s:[{s:s, s:s}]}}", "mediaType", SUP_MT_BUNDLE_V03,
	    "verificationMaterial", verification_material(hint), "dsseEnvelope", "payload", pb,
	    "payloadType", payload_type, "signatures", "sig", sb, "keyid", hint ? hint : "");
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

void sup_dsse_pae(const char *type, const void *payload, size_t len, struct pal_buf *out)
{
	pal_buf_printf(out, "DSSEv1 %zu %s %zu ", strlen(type), type, len);
	pal_buf_append(out, payload, len);
}

char *sup_intoto_statement(const char *name, const char *digest, const char *predicate_type)
{
	const char *colon = strchr(digest, ':');
	_cleanup_free_ char *alg = pal_xstrndup(digest, (size_t)(colon - digest));
	json_t *j =
	    json_pack("{s:s, s:[{s:s, s:{s:s}}], s:s, s:{}}", "_type", SUP_INTOTO_STATEMENT_V1,
		      "subject", "name", name ? name : "", "digest", alg, colon + 1,
		      "predicateType", predicate_type, "predicate");
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return s;
}

int sup_intoto_check(const char *name, const void *data, size_t len, const char *digest,
		     struct pal_err *err)
{
	_cleanup_json_ json_t *j = pal_json_load_buffer(name, data, len, err);
	if (!j)
		return -EINVAL;
	const char *type = json_string_value(json_object_get(j, "_type"));
	if (!type || !pal_str_starts_with(type, "https://in-toto.io/Statement/"))
		return pal_err_set(err, EINVAL, "%s: _type is not an in-toto statement", name);
	json_t *subjects = json_object_get(j, "subject");
	if (!json_is_array(subjects) || json_array_size(subjects) == 0)
		return pal_err_set(err, EINVAL, "%s: statement has no subject", name);
	const char *colon = strchr(digest, ':');
	_cleanup_free_ char *alg = pal_xstrndup(digest, (size_t)(colon - digest));
	size_t i;
	json_t *s;
	struct pal_buf seen;
	pal_buf_init(&seen);
	json_array_foreach(subjects, i, s)
	{
		const char *hex =
		    json_string_value(json_object_get(json_object_get(s, "digest"), alg));
		if (hex && !strcmp(hex, colon + 1)) {
			pal_buf_free(&seen);
			return 0;
		}
		if (hex && seen.len < 400)
			pal_buf_printf(&seen, "%s%s:%.64s", seen.len ? ", " : "", alg, hex);
	}
	int r = pal_err_set(err, EBADMSG, "%s: statement subject names %s, not the image %s", name,
			    seen.len ? seen.data : "no matching digest", digest);
	pal_buf_free(&seen);
	return r;
}
