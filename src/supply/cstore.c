#include "cstore.h"
#include "digest.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SUP_MAX_STORE_JSON (64u << 20)

static int detect_driver(const char *root, char **driver, struct pal_err *err)
{
	static const char *drivers[] = {"overlay", "vfs"};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(drivers); i++) {
		_cleanup_free_ char *p =
		    pal_xasprintf("%s/%s-images/images.json", root, drivers[i]);
		if (pal_path_exists(p)) {
			*driver = pal_xstrdup(drivers[i]);
			return 0;
		}
	}
	return pal_err_set(err, ENOENT,
			   "%s: no containers-storage images found (no overlay-images/images.json "
			   "or vfs-images/images.json); is this podman's storage root?",
			   root);
}

static bool is_hex(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
			return false;
	return true;
}

/* Names in the store are fully qualified ("localhost/bb:latest",
 * "docker.io/library/busybox:1.36"); users type short ones. */
static char **candidate_names(const char *ref)
{
	char **v = NULL;
	pal_strv_push(&v, ref);
	const char *slash = strchr(ref, '/');
	const char *last = strrchr(ref, '/');
	const char *tail = last ? last + 1 : ref;
	bool has_tag = strchr(tail, ':') || strchr(ref, '@');
	_cleanup_free_ char *tagged = has_tag ? pal_xstrdup(ref) : pal_xasprintf("%s:latest", ref);
	if (!has_tag)
		pal_strv_push(&v, tagged);
	bool has_host = false;
	if (slash) {
		size_t n = (size_t)(slash - ref);
		has_host = memchr(ref, '.', n) || memchr(ref, ':', n) ||
			   (n == 9 && !strncmp(ref, "localhost", 9));
	}
	if (!has_host) {
		_cleanup_free_ char *a = pal_xasprintf("localhost/%s", tagged);
		_cleanup_free_ char *b = slash ? pal_xasprintf("docker.io/%s", tagged)
					       : pal_xasprintf("docker.io/library/%s", tagged);
		pal_strv_push(&v, a);
		pal_strv_push(&v, b);
	}
	return v;
}

static int load_json_array(const char *path, json_t **out, struct pal_err *err)
{
	json_t *j = pal_json_load_file(path, SUP_MAX_STORE_JSON, err);
	if (!j)
		return -EINVAL;
	if (!json_is_array(j)) {
		json_decref(j);
		return pal_err_set(err, EINVAL, "%s: must be a JSON array", path);
	}
	*out = j;
	return 0;
}

static int fill_image(json_t *e, const char *path, struct sup_cstore_image *img,
		      struct pal_err *err)
{
	const char *id = NULL, *digest = NULL, *layer = NULL;
	char **names = NULL;
	int r;
	if ((r = pal_json_opt_string(e, path, "id", &id, err)) < 0 ||
	    (r = pal_json_opt_string(e, path, "digest", &digest, err)) < 0 ||
	    (r = pal_json_opt_string(e, path, "layer", &layer, err)) < 0 ||
	    (r = pal_json_opt_strv(e, path, "names", &names, err)) < 0)
		return r;
	if (!id || !is_hex(id, 64, 64)) {
		pal_strv_free(names);
		return pal_err_set(err, EINVAL, "%s.id must be 64 hex digits", path);
	}
	if (digest && (r = sup_digest_validate(digest, path, err)) < 0) {
		pal_strv_free(names);
		return r;
	}
	if (layer && !is_hex(layer, 64, 64)) {
		pal_strv_free(names);
		return pal_err_set(err, EINVAL, "%s.layer must be 64 hex digits", path);
	}
	img->id = pal_xstrdup(id);
	img->digest = digest ? pal_xstrdup(digest) : NULL;
	img->top_layer = layer ? pal_xstrdup(layer) : NULL;
	img->names = names ? names : pal_xcalloc(1, sizeof(char *));
	return 0;
}

static bool digest_listed(json_t *e, const char *digest)
{
	if (pal_str_eq(json_string_value(json_object_get(e, "digest")), digest))
		return true;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(e, "digests"), i, d)
	{
		if (pal_str_eq(json_string_value(d), digest))
			return true;
	}
	return false;
}

int sup_cstore_find_image(const char *root, const char *ref, struct sup_cstore_image *img,
			  struct pal_err *err)
{
	memset(img, 0, sizeof(*img));
	if (!root)
		root = SUP_CSTORE_DEFAULT_ROOT;
	_cleanup_free_ char *driver = NULL;
	int r = detect_driver(root, &driver, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *path = pal_xasprintf("%s/%s-images/images.json", root, driver);
	_cleanup_json_ json_t *arr = NULL;
	if ((r = load_json_array(path, &arr, err)) < 0)
		return r;

	/* name@digest: the repository must be named and the digest recorded. */
	_cleanup_free_ char *by_digest = NULL, *repo = NULL;
	const char *at = strchr(ref, '@');
	if (at) {
		by_digest = pal_xstrdup(at + 1);
		repo = pal_xstrndup(ref, (size_t)(at - ref));
		if ((r = sup_digest_validate(by_digest, ref, err)) < 0)
			return r;
	}
	_cleanup_strv_ char **cands = candidate_names(at ? repo : ref);
	bool id_like = !at && is_hex(ref, 12, 64);

	json_t *found = NULL;
	const char *matched = NULL;
	size_t i, nid = 0;
	json_t *e;
	for (char **c = cands; *c && !found; c++) {
		json_array_foreach(arr, i, e)
		{
			size_t k;
			json_t *n;
			json_array_foreach(json_object_get(e, "names"), k, n)
			{
				const char *s = json_string_value(n);
				if (!s)
					continue;
				bool hit;
				if (at) {
					size_t cl = strlen(*c);
					/* repository matches a name "repo:tag" or "repo" */
					hit = !strncmp(s, *c, cl) && (s[cl] == ':' || !s[cl]) &&
					      digest_listed(e, by_digest);
				} else {
					hit = !strcmp(s, *c);
				}
				if (hit) {
					found = e;
					matched = s;
					break;
				}
			}
			if (found)
				break;
		}
	}
	if (!found && id_like) {
		json_array_foreach(arr, i, e)
		{
			const char *id = json_string_value(json_object_get(e, "id"));
			if (id && !strncmp(id, ref, strlen(ref))) {
				found = e;
				nid++;
			}
		}
		if (nid > 1)
			return pal_err_set(
			    err, EINVAL, "image id prefix %s is ambiguous in %s: give more digits",
			    ref, root);
	}
	if (!found)
		return pal_err_set(err, ENOENT, "no image named '%s' in containers-storage at %s",
				   ref, root);
	char where[160];
	snprintf(where, sizeof(where), "%s[%zu]", path, i);
	if ((r = fill_image(found, where, img, err)) < 0)
		return r;
	img->root = pal_xstrdup(root);
	img->driver = PAL_STEAL(driver);
	img->matched_name = matched ? pal_xstrdup(matched) : NULL;
	if (by_digest) {
		free(img->digest);
		img->digest = PAL_STEAL(by_digest);
	}
	return 0;
}

void sup_cstore_image_free(struct sup_cstore_image *img)
{
	free(img->root);
	free(img->driver);
	free(img->id);
	pal_strv_free(img->names);
	free(img->digest);
	free(img->top_layer);
	free(img->matched_name);
	memset(img, 0, sizeof(*img));
}

/* containers-storage stores a big-data item under its key when the key is a
 * plain file name, else under "=" + base64(key). */
int sup_cstore_big_data(const struct sup_cstore_image *img, const char *key, size_t max, char **out,
			size_t *len, struct pal_err *err)
{
	_cleanup_free_ char *b64 = sup_b64_encode(key, strlen(key));
	_cleanup_free_ char *p1 =
	    pal_xasprintf("%s/%s-images/%s/=%s", img->root, img->driver, img->id, b64);
	if (pal_path_exists(p1))
		return pal_read_file(p1, max, out, len, err);
	if (strchr(key, '/') || !strcmp(key, ".") || !strcmp(key, ".."))
		return pal_err_set(err, EINVAL, "big-data key %s is not a file name", key);
	_cleanup_free_ char *p2 =
	    pal_xasprintf("%s/%s-images/%s/%s", img->root, img->driver, img->id, key);
	if (pal_path_exists(p2))
		return pal_read_file(p2, max, out, len, err);
	return pal_err_set(err, ENOENT, "image %.12s in %s has no '%s' data", img->id, img->root,
			   key);
}

int sup_cstore_container_image(const char *root, const char *container_id, char **image_id,
			       struct pal_err *err)
{
	if (!root)
		root = SUP_CSTORE_DEFAULT_ROOT;
	_cleanup_free_ char *driver = NULL;
	int r = detect_driver(root, &driver, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *path = pal_xasprintf("%s/%s-containers/containers.json", root, driver);
	_cleanup_json_ json_t *arr = NULL;
	if ((r = load_json_array(path, &arr, err)) < 0)
		return r;
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		const char *id = json_string_value(json_object_get(e, "id"));
		bool hit = id && !strcmp(id, container_id);
		size_t k;
		json_t *n;
		json_array_foreach(json_object_get(e, "names"), k, n)
		{
			if (pal_str_eq(json_string_value(n), container_id))
				hit = true;
		}
		if (!hit)
			continue;
		const char *image = NULL;
		char where[160];
		snprintf(where, sizeof(where), "%s[%zu]", path, i);
		if ((r = pal_json_opt_string(e, where, "image", &image, err)) < 0)
			return r;
		if (!image || !is_hex(image, 64, 64))
			return pal_err_set(err, EINVAL, "%s.image must be 64 hex digits", where);
		*image_id = pal_xstrdup(image);
		return 0;
	}
	return pal_err_set(err, ENOENT, "no container '%s' in %s", container_id, path);
}

int sup_cstore_layer_dirs(const struct sup_cstore_image *img, char ***dirs, struct pal_err *err)
{
	_cleanup_free_ char *path =
	    pal_xasprintf("%s/%s-layers/layers.json", img->root, img->driver);
	_cleanup_json_ json_t *arr = NULL;
	int r = load_json_array(path, &arr, err);
	if (r < 0)
		return r;
	char **chain = NULL;
	const char *cur = img->top_layer;
	for (size_t depth = 0; cur; depth++) {
		if (depth > 500) {
			pal_strv_free(chain);
			return pal_err_set(err, ELOOP, "%s: layer chain longer than 500", path);
		}
		if (!is_hex(cur, 64, 64)) {
			pal_strv_free(chain);
			return pal_err_set(err, EINVAL, "%s: layer id %.70s is malformed", path,
					   cur);
		}
		json_t *found = NULL;
		size_t i;
		json_t *e;
		json_array_foreach(arr, i, e)
		{
			if (pal_str_eq(json_string_value(json_object_get(e, "id")), cur)) {
				found = e;
				break;
			}
		}
		if (!found) {
			pal_strv_free(chain);
			return pal_err_set(err, ENOENT, "%s: layer %s not found", path, cur);
		}
		_cleanup_free_ char *d = !strcmp(img->driver, "vfs")
					     ? pal_xasprintf("%s/vfs/dir/%s", img->root, cur)
					     : pal_xasprintf("%s/overlay/%s/diff", img->root, cur);
		pal_strv_push(&chain, d);
		cur = json_string_value(json_object_get(found, "parent"));
	}
	/* collected top first; callers want lowest first */
	size_t n = pal_strv_len(chain);
	for (size_t i = 0; i < n / 2; i++) {
		char *t = chain[i];
		chain[i] = chain[n - 1 - i];
		chain[n - 1 - i] = t;
	}
	*dirs = chain ? chain : pal_xcalloc(1, sizeof(char *));
	return 0;
}
