#include "image.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sup_image_name(const struct sup_image *img)
{
	return img->ref;
}

/* Splits "path:tag" or "path@digest" when path is a layout. */
static bool split_layout_ref(const char *ref, char **path, char **tag, char **digest)
{
	if (sup_layout_is_layout(ref)) {
		*path = pal_xstrdup(ref);
		return true;
	}
	const char *slash = strrchr(ref, '/');
	const char *base = slash ? slash + 1 : ref;
	const char *at = strchr(base, '@');
	const char *colon = at ? NULL : strrchr(base, ':');
	const char *cut = at ? at : colon;
	if (!cut)
		return false;
	_cleanup_free_ char *p = pal_xstrndup(ref, (size_t)(cut - ref));
	if (!sup_layout_is_layout(p))
		return false;
	*path = PAL_STEAL(p);
	if (at)
		*digest = pal_xstrdup(at + 1);
	else
		*tag = pal_xstrdup(colon + 1);
	return true;
}

static bool is_subsidiary(const struct sup_desc *d)
{
	const char *t = sup_desc_annotation(d, SUP_ANN_REF_NAME);
	if (t && pal_str_starts_with(t, "sha256-") &&
	    (pal_str_ends_with(t, ".sig") || pal_str_ends_with(t, ".att") ||
	     pal_str_ends_with(t, ".sbom")))
		return true;
	return d->artifact_type != NULL;
}

static int pick_layout_entry(struct sup_image *img, const char *tag, const char *digest,
			     struct sup_desc *out, struct pal_err *err)
{
	struct sup_index *ix = &img->layout.index;
	if (tag) {
		int i = sup_layout_find_tag(&img->layout, tag);
		if (i < 0)
			return pal_err_set(err, ENOENT, "%s: no image tagged '%s' in index.json",
					   img->layout_path, tag);
		sup_desc_copy(out, &ix->manifests[i]);
		return 0;
	}
	if (digest) {
		int r = sup_digest_validate(digest, img->ref, err);
		if (r < 0)
			return r;
		for (size_t i = 0; i < ix->n_manifests; i++)
			if (!strcmp(ix->manifests[i].digest, digest)) {
				sup_desc_copy(out, &ix->manifests[i]);
				return 0;
			}
		/* a child of an index in the layout: the blob must exist */
		memset(out, 0, sizeof(*out));
		out->digest = pal_xstrdup(digest);
		out->size = -1;
		return 0;
	}
	int found = -1, count = 0;
	struct pal_buf tags;
	pal_buf_init(&tags);
	for (size_t i = 0; i < ix->n_manifests; i++) {
		if (is_subsidiary(&ix->manifests[i]))
			continue;
		count++;
		found = (int)i;
		const char *t = sup_desc_annotation(&ix->manifests[i], SUP_ANN_REF_NAME);
		pal_buf_printf(&tags, "%s%s", tags.len ? ", " : "",
			       t ? t : ix->manifests[i].digest);
	}
	if (count != 1) {
		int r = pal_err_set(err, ENOENT,
				    "%s holds %d images: name one as %s:TAG or %s@DIGEST (%s)",
				    img->layout_path, count, img->layout_path, img->layout_path,
				    count ? tags.data : "none");
		pal_buf_free(&tags);
		return r;
	}
	pal_buf_free(&tags);
	sup_desc_copy(out, &ix->manifests[found]);
	return 0;
}

/* Reads a document of either source, checking its digest. */
static int read_doc(struct sup_image *img, const char *digest, int64_t size, size_t max, char **out,
		    size_t *len, struct pal_err *err)
{
	if (img->source == SUP_IMAGE_LAYOUT)
		return sup_layout_read_blob(&img->layout, digest, size, max, out, len, err);
	_cleanup_free_ char *key = pal_xasprintf("manifest-%s", digest);
	_cleanup_free_ char *data = NULL;
	size_t n = 0;
	int r = sup_cstore_big_data(&img->cs, key, max, &data, &n, err);
	if (r < 0)
		return r;
	char what[200];
	snprintf(what, sizeof(what), "image %.12s manifest", img->cs.id);
	if ((r = sup_digest_check(digest, data, n, what, err)) < 0)
		return r;
	*out = PAL_STEAL(data);
	*len = n;
	return 0;
}

static int resolve_manifest(struct sup_image *img, const char *digest, int64_t size,
			    const struct sup_platform *plat, struct pal_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = read_doc(img, digest, size, SUP_MAX_MANIFEST, &data, &len, err);
	if (r < 0)
		return r;
	int kind = sup_doc_kind(digest, data, len, err);
	if (kind < 0)
		return kind;
	if (kind == SUP_DOC_INDEX) {
		struct sup_index ix;
		if ((r = sup_index_parse(digest, data, len, &ix, err)) < 0)
			return r;
		struct sup_platform host;
		sup_platform_host(&host);
		int i = sup_index_select(&ix, plat ? plat : &host, digest, err);
		if (i < 0) {
			sup_index_free(&ix);
			return i;
		}
		snprintf(img->index_digest, sizeof(img->index_digest), "%s", digest);
		img->index_raw = PAL_STEAL(data);
		img->index_len = len;
		r = read_doc(img, ix.manifests[i].digest, ix.manifests[i].size, SUP_MAX_MANIFEST,
			     &data, &len, err);
		snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s",
			 ix.manifests[i].digest);
		sup_index_free(&ix);
		if (r < 0)
			return r;
	} else {
		snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", digest);
	}
	if ((r = sup_manifest_parse(img->manifest_digest, data, len, &img->m, err)) < 0)
		return r;
	img->manifest_media_type =
	    pal_xstrdup(img->m.media_type ? img->m.media_type : SUP_MT_OCI_MANIFEST);
	img->manifest = PAL_STEAL(data);
	img->manifest_len = len;
	return 0;
}

static int load_config(struct sup_image *img, struct pal_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	const struct sup_desc *c = &img->m.config;
	int r;
	if (img->source == SUP_IMAGE_LAYOUT) {
		r = sup_layout_read_blob(&img->layout, c->digest, c->size, SUP_MAX_CONFIG, &data,
					 &len, err);
	} else {
		r = sup_cstore_big_data(&img->cs, c->digest, SUP_MAX_CONFIG, &data, &len, err);
		if (r == 0)
			r = sup_digest_check(c->digest, data, len, "image config", err);
	}
	if (r < 0)
		return pal_err_prefix(err, "config of %s", img->ref);
	if ((r = sup_config_parse(c->digest, data, len, &img->config, err)) < 0)
		return r;
	if (img->config.n_diff_ids != img->m.n_layers)
		return pal_err_set(err, EBADMSG,
				   "%s: the config lists %zu diff_ids for %zu layers; the image is "
				   "inconsistent",
				   img->ref, img->config.n_diff_ids, img->m.n_layers);
	return 0;
}

static int open_layout(struct sup_image *img, const char *path, const char *tag, const char *digest,
		       const struct sup_open_opts *o, struct pal_err *err)
{
	char abs[PATH_MAX];
	if (!realpath(path, abs))
		return pal_err_sys(err, errno, "OCI layout %s", path);
	img->source = SUP_IMAGE_LAYOUT;
	img->layout_path = pal_xstrdup(abs);
	img->tag = tag ? pal_xstrdup(tag) : NULL;
	int r = sup_layout_open(abs, o->writable ? SUP_LAYOUT_WRITE : SUP_LAYOUT_READ, &img->layout,
				err);
	if (r < 0)
		return r;
	struct sup_desc d;
	if ((r = pick_layout_entry(img, tag, digest, &d, err)) < 0)
		return r;
	if (!o->reference) {
		const char *n = sup_desc_annotation(&d, SUP_ANN_CONTAINERD_NAME);
		const char *t = sup_desc_annotation(&d, SUP_ANN_REF_NAME);
		if (n)
			img->reference = pal_xstrdup(n);
		else if (t && strchr(t, '/'))
			img->reference = pal_xstrdup(t);
	}
	r = resolve_manifest(img, d.digest, d.size, o->platform, err);
	sup_desc_free(&d);
	return r;
}

static int open_cstore(struct sup_image *img, const char *name, const struct sup_open_opts *o,
		       struct pal_err *err)
{
	img->source = SUP_IMAGE_CSTORE;
	int r = sup_cstore_find_image(o->storage_root, name, &img->cs, err);
	if (r < 0)
		return r;
	if (!img->cs.digest)
		return pal_err_set(
		    err, EINVAL, "image %.12s in %s records no manifest digest: nothing to verify",
		    img->cs.id, img->cs.root);
	if (!o->reference) {
		const char *n = img->cs.matched_name ? img->cs.matched_name : img->cs.names[0];
		if (n)
			img->reference = pal_xstrdup(n);
	}
	return resolve_manifest(img, img->cs.digest, -1, o->platform, err);
}

int sup_image_open_opts(const char *ref, const struct sup_open_opts *opts, struct sup_image **out,
			struct pal_err *err)
{
	static const struct sup_open_opts none;
	const struct sup_open_opts *o = opts ? opts : &none;
	if (!ref || !*ref)
		return pal_err_set(err, EINVAL, "no image given");
	struct sup_image *img = pal_xcalloc(1, sizeof(*img));
	img->layout.dirfd = -1;
	img->ref = pal_xstrdup(ref);
	if (o->reference)
		img->reference = pal_xstrdup(o->reference);
	_cleanup_free_ char *path = NULL, *tag = NULL, *digest = NULL;
	int r;
	if (pal_str_starts_with(ref, "containers-storage:")) {
		r = open_cstore(img, ref + strlen("containers-storage:"), o, err);
	} else if (pal_str_starts_with(ref, "oci:")) {
		if (!split_layout_ref(ref + 4, &path, &tag, &digest))
			r = pal_err_set(err, ENOENT, "%s: no OCI image layout at that path", ref);
		else
			r = open_layout(img, path, tag, digest, o, err);
	} else if (split_layout_ref(ref, &path, &tag, &digest)) {
		r = open_layout(img, path, tag, digest, o, err);
	} else if (ref[0] == '/' || ref[0] == '.') {
		r = pal_err_set(err, ENOENT,
				"%s: no OCI image layout there (want a directory with oci-layout "
				"and index.json, optionally :TAG or @DIGEST)",
				ref);
	} else {
		r = open_cstore(img, ref, o, err);
	}
	if (r == 0)
		r = load_config(img, err);
	if (r < 0) {
		sup_image_close(img);
		return r;
	}
	*out = img;
	return 0;
}

int sup_image_open(const char *ref, struct sup_image **out, struct pal_err *err)
{
	return sup_image_open_opts(ref, NULL, out, err);
}

void sup_image_close(struct sup_image *img)
{
	if (!img)
		return;
	free(img->ref);
	free(img->reference);
	free(img->layout_path);
	free(img->tag);
	free(img->manifest_media_type);
	free(img->manifest);
	free(img->index_raw);
	sup_manifest_free(&img->m);
	sup_config_free(&img->config);
	if (img->source == SUP_IMAGE_LAYOUT || img->layout.dirfd >= 0)
		sup_layout_close(&img->layout);
	sup_cstore_image_free(&img->cs);
	free(img);
}
