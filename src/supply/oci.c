#include "oci.h"
#include "digest.h"
#include "common/cleanup.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

bool sup_media_type_is_manifest(const char *mt)
{
	return mt && (!strcmp(mt, SUP_MT_OCI_MANIFEST) || !strcmp(mt, SUP_MT_DOCKER_MANIFEST));
}

bool sup_media_type_is_index(const char *mt)
{
	return mt && (!strcmp(mt, SUP_MT_OCI_INDEX) || !strcmp(mt, SUP_MT_DOCKER_LIST));
}

static char *dup_opt(const char *s)
{
	return s ? pal_xstrdup(s) : NULL;
}

/* A media type is "type/subtype" of printable ASCII; anything else in a
 * descriptor is a sign of a forged document. */
static bool media_type_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 255 || !strchr(s, '/'))
		return false;
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p > '~')
			return false;
	return true;
}

static int check_annotations(json_t *ann, const char *path, struct pal_err *err)
{
	const char *k;
	json_t *v;
	json_object_foreach(ann, k, v)
	{
		if (!json_is_string(v))
			return pal_err_set(err, EINVAL, "%s.annotations.%s must be a string", path,
					   k);
	}
	return 0;
}

int sup_desc_parse(json_t *j, const char *path, struct sup_desc *d, struct pal_err *err)
{
	memset(d, 0, sizeof(*d));
	if (!json_is_object(j))
		return pal_err_set(err, EINVAL, "%s must be an object", path);
	const char *mt = NULL, *dg = NULL, *at = NULL;
	int64_t size = -1;
	json_t *ann = NULL, *plat = NULL;
	int r;
	if ((r = pal_json_opt_string(j, path, "mediaType", &mt, err)) < 0 ||
	    (r = pal_json_opt_string(j, path, "digest", &dg, err)) < 0 ||
	    (r = pal_json_opt_int64(j, path, "size", &size, err)) < 0 ||
	    (r = pal_json_opt_string(j, path, "artifactType", &at, err)) < 0 ||
	    (r = pal_json_opt_object(j, path, "annotations", &ann, err)) < 0 ||
	    (r = pal_json_opt_object(j, path, "platform", &plat, err)) < 0)
		return r;
	if (!mt || !media_type_ok(mt))
		return pal_err_set(err, EINVAL, "%s.mediaType must be a media type (got %s)", path,
				   mt ? "a malformed one" : "none");
	char what[256];
	snprintf(what, sizeof(what), "%s.digest", path);
	if ((r = sup_digest_validate(dg, what, err)) < 0)
		return r;
	if (size < 0)
		return pal_err_set(err, EINVAL, "%s.size must be a non-negative integer", path);
	if (at && !media_type_ok(at))
		return pal_err_set(err, EINVAL, "%s.artifactType must be a media type", path);
	if (ann && (r = check_annotations(ann, path, err)) < 0)
		return r;
	if (plat) {
		const char *os = NULL, *arch = NULL, *variant = NULL;
		char pp[256];
		snprintf(pp, sizeof(pp), "%s.platform", path);
		if ((r = pal_json_opt_string(plat, pp, "os", &os, err)) < 0 ||
		    (r = pal_json_opt_string(plat, pp, "architecture", &arch, err)) < 0 ||
		    (r = pal_json_opt_string(plat, pp, "variant", &variant, err)) < 0)
			return r;
		if (!os || !arch)
			return pal_err_set(err, EINVAL, "%s needs os and architecture", pp);
		d->platform.os = pal_xstrdup(os);
		d->platform.arch = pal_xstrdup(arch);
		d->platform.variant = dup_opt(variant);
		d->has_platform = true;
	}
	d->media_type = pal_xstrdup(mt);
	d->digest = pal_xstrdup(dg);
	d->size = size;
	d->artifact_type = dup_opt(at);
	d->annotations = ann ? json_incref(ann) : NULL;
	return 0;
}

void sup_desc_free(struct sup_desc *d)
{
	if (!d)
		return;
	free(d->media_type);
	free(d->digest);
	free(d->artifact_type);
	free(d->platform.os);
	free(d->platform.arch);
	free(d->platform.variant);
	if (d->annotations)
		json_decref(d->annotations);
	memset(d, 0, sizeof(*d));
}

void sup_desc_copy(struct sup_desc *dst, const struct sup_desc *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->media_type = dup_opt(src->media_type);
	dst->digest = dup_opt(src->digest);
	dst->size = src->size;
	dst->artifact_type = dup_opt(src->artifact_type);
	dst->annotations = src->annotations ? json_deep_copy(src->annotations) : NULL;
	dst->has_platform = src->has_platform;
	dst->platform.os = dup_opt(src->platform.os);
	dst->platform.arch = dup_opt(src->platform.arch);
	dst->platform.variant = dup_opt(src->platform.variant);
}

const char *sup_desc_annotation(const struct sup_desc *d, const char *key)
{
	if (!d->annotations)
		return NULL;
	return json_string_value(json_object_get(d->annotations, key));
}

json_t *sup_desc_to_json(const struct sup_desc *d)
{
	json_t *j = json_pack("{s:s, s:s, s:I}", "mediaType", d->media_type, "digest", d->digest,
			      "size", (json_int_t)d->size);
	if (d->artifact_type)
		json_object_set_new(j, "artifactType", json_string(d->artifact_type));
	if (d->annotations && json_object_size(d->annotations))
		json_object_set_new(j, "annotations", json_deep_copy(d->annotations));
	if (d->has_platform) {
		json_t *p =
		    json_pack("{s:s, s:s}", "architecture", d->platform.arch, "os", d->platform.os);
		if (d->platform.variant)
			json_object_set_new(p, "variant", json_string(d->platform.variant));
		json_object_set_new(j, "platform", p);
	}
	return j;
}

static int check_schema(json_t *root, const char *name, struct pal_err *err)
{
	int64_t v = 0;
	int r = pal_json_opt_int64(root, name, "schemaVersion", &v, err);
	if (r < 0)
		return r;
	if (v != 2)
		return pal_err_set(err, EINVAL, "%s: schemaVersion must be 2", name);
	return 0;
}

int sup_doc_kind(const char *name, const char *data, size_t len, struct pal_err *err)
{
	_cleanup_json_ json_t *root = pal_json_load_buffer(name, data, len, err);
	if (!root)
		return -EINVAL;
	if (!json_is_object(root))
		return pal_err_set(err, EINVAL, "%s: must be a JSON object", name);
	const char *mt = json_string_value(json_object_get(root, "mediaType"));
	if (sup_media_type_is_index(mt))
		return SUP_DOC_INDEX;
	if (sup_media_type_is_manifest(mt))
		return SUP_DOC_MANIFEST;
	if (mt)
		return pal_err_set(err, EINVAL, "%s: unsupported mediaType %.100s", name, mt);
	if (json_is_array(json_object_get(root, "manifests")))
		return SUP_DOC_INDEX;
	if (json_is_object(json_object_get(root, "config")))
		return SUP_DOC_MANIFEST;
	return pal_err_set(err, EINVAL, "%s: neither an image manifest nor an image index", name);
}

int sup_index_parse(const char *name, const char *data, size_t len, struct sup_index *idx,
		    struct pal_err *err)
{
	memset(idx, 0, sizeof(*idx));
	_cleanup_json_ json_t *root = pal_json_load_buffer(name, data, len, err);
	if (!root)
		return -EINVAL;
	if (!json_is_object(root))
		return pal_err_set(err, EINVAL, "%s: must be a JSON object", name);
	int r = check_schema(root, name, err);
	if (r < 0)
		return r;
	const char *mt = NULL;
	json_t *arr = NULL;
	if ((r = pal_json_opt_string(root, name, "mediaType", &mt, err)) < 0 ||
	    (r = pal_json_opt_array(root, name, "manifests", &arr, err)) < 0)
		return r;
	if (mt && !sup_media_type_is_index(mt))
		return pal_err_set(err, EINVAL, "%s: mediaType %.100s is not an image index", name,
				   mt);
	if (!arr)
		return pal_err_set(err, EINVAL, "%s: manifests must be an array", name);
	idx->media_type = dup_opt(mt);
	size_t n = json_array_size(arr);
	idx->manifests = pal_xcalloc(n ? n : 1, sizeof(*idx->manifests));
	for (size_t i = 0; i < n; i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s: manifests[%zu]", name, i);
		r = sup_desc_parse(json_array_get(arr, i), path, &idx->manifests[i], err);
		if (r < 0) {
			sup_index_free(idx);
			return r;
		}
		idx->n_manifests++;
	}
	return 0;
}

void sup_index_free(struct sup_index *idx)
{
	for (size_t i = 0; i < idx->n_manifests; i++)
		sup_desc_free(&idx->manifests[i]);
	free(idx->manifests);
	free(idx->media_type);
	memset(idx, 0, sizeof(*idx));
}

int sup_manifest_parse(const char *name, const char *data, size_t len, struct sup_manifest *m,
		       struct pal_err *err)
{
	memset(m, 0, sizeof(*m));
	_cleanup_json_ json_t *root = pal_json_load_buffer(name, data, len, err);
	if (!root)
		return -EINVAL;
	if (!json_is_object(root))
		return pal_err_set(err, EINVAL, "%s: must be a JSON object", name);
	int r = check_schema(root, name, err);
	if (r < 0)
		return r;
	const char *mt = NULL, *at = NULL;
	json_t *cfg = NULL, *layers = NULL, *subject = NULL, *ann = NULL;
	if ((r = pal_json_opt_string(root, name, "mediaType", &mt, err)) < 0 ||
	    (r = pal_json_opt_string(root, name, "artifactType", &at, err)) < 0 ||
	    (r = pal_json_opt_object(root, name, "config", &cfg, err)) < 0 ||
	    (r = pal_json_opt_array(root, name, "layers", &layers, err)) < 0 ||
	    (r = pal_json_opt_object(root, name, "subject", &subject, err)) < 0 ||
	    (r = pal_json_opt_object(root, name, "annotations", &ann, err)) < 0)
		return r;
	if (mt && !sup_media_type_is_manifest(mt))
		return pal_err_set(err, EINVAL, "%s: mediaType %.100s is not an image manifest",
				   name, mt);
	if (!cfg)
		return pal_err_set(err, EINVAL, "%s: config descriptor missing", name);
	if (!layers)
		return pal_err_set(err, EINVAL, "%s: layers must be an array", name);
	if (ann && (r = check_annotations(ann, name, err)) < 0)
		return r;
	char path[128];
	snprintf(path, sizeof(path), "%s: config", name);
	if ((r = sup_desc_parse(cfg, path, &m->config, err)) < 0)
		goto fail;
	size_t n = json_array_size(layers);
	m->layers = pal_xcalloc(n ? n : 1, sizeof(*m->layers));
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s: layers[%zu]", name, i);
		if ((r = sup_desc_parse(json_array_get(layers, i), path, &m->layers[i], err)) < 0)
			goto fail;
		m->n_layers++;
	}
	if (subject) {
		snprintf(path, sizeof(path), "%s: subject", name);
		if ((r = sup_desc_parse(subject, path, &m->subject, err)) < 0)
			goto fail;
		m->has_subject = true;
	}
	m->media_type = dup_opt(mt);
	m->artifact_type = dup_opt(at);
	m->annotations = ann ? json_incref(ann) : NULL;
	return 0;
fail:
	sup_manifest_free(m);
	return r;
}

void sup_manifest_free(struct sup_manifest *m)
{
	sup_desc_free(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		sup_desc_free(&m->layers[i]);
	free(m->layers);
	sup_desc_free(&m->subject);
	free(m->media_type);
	free(m->artifact_type);
	if (m->annotations)
		json_decref(m->annotations);
	memset(m, 0, sizeof(*m));
}

int sup_config_parse(const char *name, const char *data, size_t len, struct sup_config *c,
		     struct pal_err *err)
{
	memset(c, 0, sizeof(*c));
	_cleanup_json_ json_t *root = pal_json_load_buffer(name, data, len, err);
	if (!root)
		return -EINVAL;
	if (!json_is_object(root))
		return pal_err_set(err, EINVAL, "%s: must be a JSON object", name);
	const char *os = NULL, *arch = NULL, *variant = NULL;
	json_t *rootfs = NULL;
	int r;
	if ((r = pal_json_opt_string(root, name, "os", &os, err)) < 0 ||
	    (r = pal_json_opt_string(root, name, "architecture", &arch, err)) < 0 ||
	    (r = pal_json_opt_string(root, name, "variant", &variant, err)) < 0 ||
	    (r = pal_json_opt_object(root, name, "rootfs", &rootfs, err)) < 0)
		return r;
	char path[128];
	snprintf(path, sizeof(path), "%s: rootfs", name);
	char **ids = NULL;
	if (rootfs && (r = pal_json_opt_strv(rootfs, path, "diff_ids", &ids, err)) < 0)
		return r;
	if (!ids)
		ids = pal_xcalloc(1, sizeof(char *));
	for (size_t i = 0; ids[i]; i++) {
		char what[160];
		snprintf(what, sizeof(what), "%s.diff_ids[%zu]", path, i);
		if ((r = sup_digest_validate(ids[i], what, err)) < 0) {
			pal_strv_free(ids);
			return r;
		}
	}
	json_t *run = NULL;
	const char *wd = NULL, *user = NULL;
	char **entrypoint = NULL, **cmd = NULL, **env = NULL;
	snprintf(path, sizeof(path), "%s: config", name);
	if ((r = pal_json_opt_object(root, name, "config", &run, err)) < 0 ||
	    (run && ((r = pal_json_opt_strv(run, path, "Entrypoint", &entrypoint, err)) < 0 ||
		     (r = pal_json_opt_strv(run, path, "Cmd", &cmd, err)) < 0 ||
		     (r = pal_json_opt_strv(run, path, "Env", &env, err)) < 0 ||
		     (r = pal_json_opt_string(run, path, "WorkingDir", &wd, err)) < 0 ||
		     (r = pal_json_opt_string(run, path, "User", &user, err)) < 0))) {
		pal_strv_free(ids);
		pal_strv_free(entrypoint);
		pal_strv_free(cmd);
		pal_strv_free(env);
		return r;
	}
	c->os = dup_opt(os);
	c->arch = dup_opt(arch);
	c->variant = dup_opt(variant);
	c->diff_ids = ids;
	c->n_diff_ids = pal_strv_len(ids);
	c->entrypoint = entrypoint;
	c->cmd = cmd;
	c->env = env;
	c->working_dir = wd && *wd ? pal_xstrdup(wd) : NULL;
	c->user = user && *user ? pal_xstrdup(user) : NULL;
	return 0;
}

void sup_config_free(struct sup_config *c)
{
	free(c->os);
	free(c->arch);
	free(c->variant);
	pal_strv_free(c->diff_ids);
	pal_strv_free(c->entrypoint);
	pal_strv_free(c->cmd);
	pal_strv_free(c->env);
	free(c->working_dir);
	free(c->user);
	memset(c, 0, sizeof(*c));
}

void sup_platform_host(struct sup_platform *p)
{
	static char arch[32];
	struct utsname u;
	const char *a = "amd64";
	if (uname(&u) == 0) {
		if (!strcmp(u.machine, "x86_64"))
			a = "amd64";
		else if (!strcmp(u.machine, "aarch64"))
			a = "arm64";
		else if (!strncmp(u.machine, "armv7", 5))
			a = "arm";
		else if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386"))
			a = "386";
		else
			a = u.machine;
	}
	snprintf(arch, sizeof(arch), "%s", a);
	p->os = (char *)"linux";
	p->arch = arch;
	p->variant = NULL;
}

int sup_index_select(const struct sup_index *idx, const struct sup_platform *want, const char *name,
		     struct pal_err *err)
{
	struct pal_buf seen;
	pal_buf_init(&seen);
	int fallback = -1, images = 0;
	for (size_t i = 0; i < idx->n_manifests; i++) {
		const struct sup_desc *d = &idx->manifests[i];
		if (!sup_media_type_is_manifest(d->media_type))
			continue;
		images++;
		if (!d->has_platform) {
			if (fallback < 0)
				fallback = (int)i;
			continue;
		}
		pal_buf_printf(&seen, "%s%s/%s%s%s", seen.len ? ", " : "", d->platform.os,
			       d->platform.arch, d->platform.variant ? "/" : "",
			       d->platform.variant ? d->platform.variant : "");
		if (strcmp(d->platform.os, want->os) || strcmp(d->platform.arch, want->arch))
			continue;
		if (want->variant && d->platform.variant &&
		    strcmp(want->variant, d->platform.variant))
			continue;
		pal_buf_free(&seen);
		return (int)i;
	}
	/* An index whose only image carries no platform (attestation-less
	 * single-image indexes) is taken as is. */
	if (fallback >= 0 && images == 1) {
		pal_buf_free(&seen);
		return fallback;
	}
	int r = pal_err_set(err, ENOENT, "%s: no image for platform %s/%s%s%s (available: %s)",
			    name, want->os, want->arch, want->variant ? "/" : "",
			    want->variant ? want->variant : "", seen.len ? seen.data : "none");
	pal_buf_free(&seen);
	return r;
}
