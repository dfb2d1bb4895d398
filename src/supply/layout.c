#include "layout.h"
#include "beneath.h"
#include "digest.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

bool sup_layout_is_layout(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	return faccessat(fd, "oci-layout", F_OK, 0) == 0;
}

static int load_index(struct sup_layout *l, struct pal_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	_cleanup_close_ int fd = sup_open_beneath(l->dirfd, "index.json", O_RDONLY, 0);
	if (fd < 0)
		return pal_err_sys(err, errno, "%s/index.json", l->path);
	int r = pal_read_fd(fd, SUP_MAX_INDEX, &data, &len);
	if (r < 0)
		return pal_err_sys(err, -r, "read %s/index.json", l->path);
	_cleanup_free_ char *name = pal_path_join(l->path, "index.json");
	l->index_json = pal_json_load_buffer(name, data, len, err);
	if (!l->index_json)
		return -EINVAL;
	return sup_index_parse(name, data, len, &l->index, err);
}

static int check_oci_layout(struct sup_layout *l, struct pal_err *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	_cleanup_close_ int fd = sup_open_beneath(l->dirfd, "oci-layout", O_RDONLY, 0);
	if (fd < 0)
		return pal_err_sys(err, errno, "%s is not an OCI image layout (no oci-layout file)",
				   l->path);
	int r = pal_read_fd(fd, 4096, &data, &len);
	if (r < 0)
		return pal_err_sys(err, -r, "read %s/oci-layout", l->path);
	_cleanup_free_ char *name = pal_path_join(l->path, "oci-layout");
	_cleanup_json_ json_t *j = pal_json_load_buffer(name, data, len, err);
	if (!j)
		return -EINVAL;
	const char *v = json_string_value(json_object_get(j, "imageLayoutVersion"));
	if (!v || strncmp(v, "1.", 2) != 0)
		return pal_err_set(err, EINVAL, "%s: imageLayoutVersion must be 1.x", name);
	return 0;
}

static int create_layout(const char *path, struct pal_err *err)
{
	int r = pal_mkdir_p(path, 0755, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *blobs = pal_xasprintf("%s/blobs/sha256", path);
	if ((r = pal_mkdir_p(blobs, 0755, err)) < 0)
		return r;
	_cleanup_free_ char *ol = pal_path_join(path, "oci-layout");
	if (!pal_path_exists(ol)) {
		static const char v[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
		if ((r = pal_write_file_atomic(ol, v, sizeof(v) - 1, 0644, err)) < 0)
			return r;
	}
	_cleanup_free_ char *ix = pal_path_join(path, "index.json");
	if (!pal_path_exists(ix)) {
		static const char v[] =
		    "{\"schemaVersion\":2,\"mediaType\":\"" SUP_MT_OCI_INDEX "\",\"manifests\":[]}";
		if ((r = pal_write_file_atomic(ix, v, sizeof(v) - 1, 0644, err)) < 0)
			return r;
	}
	return 0;
}

int sup_layout_open(const char *path, int mode, struct sup_layout *l, struct pal_err *err)
{
	memset(l, 0, sizeof(*l));
	l->dirfd = -1;
	int r;
	if ((mode & SUP_LAYOUT_CREATE) && (r = create_layout(path, err)) < 0)
		return r;
	l->path = pal_xstrdup(path);
	l->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd < 0) {
		r = pal_err_sys(err, errno, "open OCI layout %s", path);
		goto fail;
	}
	if (mode & (SUP_LAYOUT_WRITE | SUP_LAYOUT_CREATE)) {
		/* Writers (sign) serialize on the directory: index.json is rewritten whole. */
		if (flock(l->dirfd, LOCK_EX) < 0) {
			r = pal_err_sys(err, errno, "lock OCI layout %s", path);
			goto fail;
		}
		l->locked = true;
	}
	if ((r = check_oci_layout(l, err)) < 0 || (r = load_index(l, err)) < 0)
		goto fail;
	return 0;
fail:
	sup_layout_close(l);
	return r;
}

void sup_layout_close(struct sup_layout *l)
{
	if (l->dirfd >= 0)
		close(l->dirfd); /* also drops the lock */
	if (l->index_json)
		json_decref(l->index_json);
	sup_index_free(&l->index);
	free(l->path);
	memset(l, 0, sizeof(*l));
	l->dirfd = -1;
}

static int blob_rel_path(const char *digest, char *out, size_t cap, struct pal_err *err)
{
	int r = sup_digest_validate(digest, "blob", err);
	if (r < 0)
		return r;
	const char *colon = strchr(digest, ':');
	snprintf(out, cap, "blobs/%.*s/%s", (int)(colon - digest), digest, colon + 1);
	return 0;
}

int sup_layout_open_blob(struct sup_layout *l, const char *digest, int64_t size, int *fd_out,
			 struct pal_err *err)
{
	char rel[200];
	int r = blob_rel_path(digest, rel, sizeof(rel), err);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = sup_open_beneath(l->dirfd, rel, O_RDONLY | O_NOCTTY, 0);
	if (fd < 0)
		return pal_err_sys(err, errno, "blob %s in %s", digest, l->path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return pal_err_sys(err, errno, "stat blob %s", digest);
	if (!S_ISREG(st.st_mode))
		return pal_err_set(err, EINVAL, "blob %s in %s is not a regular file", digest,
				   l->path);
	if (size >= 0 && st.st_size != size)
		return pal_err_set(err, EBADMSG,
				   "blob %s in %s has %lld bytes, its descriptor says %lld", digest,
				   l->path, (long long)st.st_size, (long long)size);
	*fd_out = PAL_STEAL_FD(fd);
	return 0;
}

int sup_layout_read_blob(struct sup_layout *l, const char *digest, int64_t size, size_t max,
			 char **out, size_t *len, struct pal_err *err)
{
	if (size > (int64_t)max)
		return pal_err_set(err, EFBIG,
				   "blob %s: descriptor size %lld exceeds the limit %zu", digest,
				   (long long)size, max);
	_cleanup_close_ int fd = -1;
	int r = sup_layout_open_blob(l, digest, size, &fd, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *data = NULL;
	size_t n = 0;
	r = pal_read_fd(fd, max, &data, &n);
	if (r == -EFBIG)
		return pal_err_set(err, EFBIG, "blob %s is larger than %zu bytes", digest, max);
	if (r < 0)
		return pal_err_sys(err, -r, "read blob %s", digest);
	char what[200];
	snprintf(what, sizeof(what), "blob %s in %s", digest, l->path);
	if ((r = sup_digest_check(digest, data, n, what, err)) < 0)
		return r;
	*out = PAL_STEAL(data);
	*len = n;
	return 0;
}

int sup_layout_write_blob(struct sup_layout *l, const void *data, size_t len, char *digest_out,
			  struct pal_err *err)
{
	sup_digest_compute(SUP_HASH_SHA256, data, len, digest_out);
	_cleanup_free_ char *dir = pal_xasprintf("%s/blobs/sha256", l->path);
	int r = pal_mkdir_p(dir, 0755, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *p = pal_path_join(dir, digest_out + 7);
	if (pal_path_exists(p))
		return 0; /* content-addressed: same name, same bytes */
	return pal_write_file_atomic(p, data, len, 0644, err);
}

int sup_layout_find_tag(const struct sup_layout *l, const char *tag)
{
	for (size_t i = 0; i < l->index.n_manifests; i++) {
		const char *t = sup_desc_annotation(&l->index.manifests[i], SUP_ANN_REF_NAME);
		if (t && !strcmp(t, tag))
			return (int)i;
	}
	return -1;
}

int sup_layout_put_manifest(struct sup_layout *l, const struct sup_desc *d, const char *tag,
			    struct pal_err *err)
{
	if (!l->locked)
		return pal_err_set(err, EPERM, "%s: layout opened read-only", l->path);
	json_t *arr = json_object_get(l->index_json, "manifests");
	if (!json_is_array(arr))
		return pal_err_set(err, EINVAL, "%s/index.json: manifests must be an array",
				   l->path);
	json_t *entry = sup_desc_to_json(d);
	if (tag) {
		json_t *ann = json_object_get(entry, "annotations");
		if (!ann) {
			ann = json_object();
			json_object_set_new(entry, "annotations", ann);
		}
		json_object_set_new(ann, SUP_ANN_REF_NAME, json_string(tag));
	}
	size_t i;
	json_t *e;
	bool replaced = false;
	json_array_foreach(arr, i, e)
	{
		json_t *ann = json_object_get(e, "annotations");
		const char *t = json_string_value(json_object_get(ann, SUP_ANN_REF_NAME));
		const char *dg = json_string_value(json_object_get(e, "digest"));
		if ((tag && t && !strcmp(t, tag)) || (!tag && !t && dg && !strcmp(dg, d->digest))) {
			json_array_set(arr, i, entry);
			replaced = true;
			break;
		}
	}
	if (!replaced)
		json_array_append(arr, entry);
	json_decref(entry);
	_cleanup_free_ char *text = json_dumps(l->index_json, JSON_COMPACT);
	_cleanup_free_ char *p = pal_path_join(l->path, "index.json");
	int r = pal_write_file_atomic(p, text, strlen(text), 0644, err);
	if (r < 0)
		return r;
	/* Keep the parsed view in step with the file. */
	sup_index_free(&l->index);
	return sup_index_parse(p, text, strlen(text), &l->index, err);
}
