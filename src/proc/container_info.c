#include "proc/container_info.h"

#include "common/cleanup.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#define MAX_JSON_BYTES	 (16u << 20)
#define MAX_FIELD_LENGTH 4096

void proc_container_info_clear(struct proc_container_info *ci)
{
	free(ci->id);
	free(ci->name);
	free(ci->runtime);
	free(ci->image);
	free(ci->image_digest);
	free(ci->pod_name);
	free(ci->pod_namespace);
	free(ci->status);
	memset(ci, 0, sizeof(*ci));
}

bool proc_container_id_valid(const char *id)
{
	if (!id || !isalnum((unsigned char)id[0]))
		return false;
	size_t n = strlen(id);
	if (n > 128)
		return false;
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

static bool digest_valid(const char *d)
{
	if (!pal_str_starts_with(d, "sha256:") || strlen(d) != 7 + 64)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!isxdigit((unsigned char)*p) || isupper((unsigned char)*p))
			return false;
	return true;
}

/* Printable text of bounded length: what may go into events and alerts. */
static bool text_valid(const char *s)
{
	if (strlen(s) > MAX_FIELD_LENGTH)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static int get_text(json_t *obj, const char *path, const char *key, char **out, struct pal_err *err)
{
	const char *s = NULL;
	int r = pal_json_opt_string(obj, path, key, &s, err);
	if (r < 0)
		return r;
	if (!s)
		return 0;
	if (!text_valid(s))
		return pal_err_set(err, EINVAL,
				   "%s%s%s: must be printable text of at most %d bytes", path,
				   *path ? "." : "", key, MAX_FIELD_LENGTH);
	free(*out);
	*out = pal_xstrdup(s);
	return 0;
}

int proc_state_file_parse(const char *name, const char *data, size_t len,
			  struct proc_container_info *out, struct pal_err *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_json_ json_t *root = pal_json_load_buffer(name, data, len, err);
	if (!root)
		return -EINVAL;
	if (!json_is_object(root))
		return pal_err_set(err, EINVAL, "state file %s: must be a JSON object", name);

	int64_t version = 0;
	int r = pal_json_opt_int64(root, "", "version", &version, err);
	if (r < 0)
		goto fail;
	if (version != 1) {
		r = pal_err_set(err, EINVAL,
				"version %lld is not supported (this agent reads version 1)",
				(long long)version);
		goto fail;
	}
	if ((r = get_text(root, "", "id", &out->id, err)) < 0 ||
	    (r = get_text(root, "", "name", &out->name, err)) < 0 ||
	    (r = get_text(root, "", "status", &out->status, err)) < 0 ||
	    (r = get_text(root, "", "runtime", &out->runtime, err)) < 0)
		goto fail;
	/* The engine that asked palisade-runtime for the container (podman,
	 * containerd, cri-o): that is what container.type reports. */
	char *engine = NULL;
	if ((r = get_text(root, "", "engine", &engine, err)) < 0)
		goto fail;
	if (engine && strcmp(engine, "podman") && strcmp(engine, "containerd") &&
	    strcmp(engine, "cri-o") && strcmp(engine, "palisade")) {
		free(engine);
		r = pal_err_set(err, EINVAL, "engine must be podman, containerd, cri-o or palisade");
		goto fail;
	}
	if (engine) {
		free(out->runtime);
		out->runtime = engine;
	}
	if (!out->id || !proc_container_id_valid(out->id)) {
		r = pal_err_set(err, EINVAL,
				"id must be present and match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
		goto fail;
	}
	if ((r = pal_json_opt_uint64(root, "", "cgroup_id", &out->cgroup_id, err)) < 0 ||
	    (r = pal_json_opt_uint32(root, "", "pid", &out->pid, err)) < 0)
		goto fail;

	json_t *image = NULL;
	if ((r = pal_json_opt_object(root, "", "image", &image, err)) < 0)
		goto fail;
	if (image) {
		if ((r = get_text(image, "image", "reference", &out->image, err)) < 0 ||
		    (r = get_text(image, "image", "digest", &out->image_digest, err)) < 0)
			goto fail;
		if (out->image_digest && !digest_valid(out->image_digest)) {
			r = pal_err_set(err, EINVAL,
					"image.digest must be sha256: and 64 lowercase hex digits");
			goto fail;
		}
	}
	json_t *ann = NULL;
	if ((r = pal_json_opt_object(root, "", "annotations", &ann, err)) < 0)
		goto fail;
	if (ann) {
		if ((r = get_text(ann, "annotations", "io.kubernetes.pod.name", &out->pod_name,
				  err)) < 0 ||
		    (r = get_text(ann, "annotations", "io.kubernetes.pod.namespace",
				  &out->pod_namespace, err)) < 0)
			goto fail;
	}
	json_t *hard = NULL;
	if ((r = pal_json_opt_object(root, "", "hardening", &hard, err)) < 0)
		goto fail;
	if (hard &&
	    (r = pal_json_opt_bool(hard, "hardening", "privileged", &out->privileged, err)) < 0)
		goto fail;
	if (!out->runtime)
		out->runtime = pal_xstrdup("palisade");
	return 0;
fail:
	pal_err_prefix(err, "state file %s", name);
	proc_container_info_clear(out);
	return r;
}

/* Finds the array element whose "id" equals id. */
static json_t *find_by_id(json_t *arr, const char *id)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		json_t *jid = json_object_get(v, "id");
		if (json_is_string(jid) && strcmp(json_string_value(jid), id) == 0)
			return v;
	}
	return NULL;
}

int proc_storage_lookup(const char *containers_json, size_t clen, const char *images_json,
			size_t ilen, const char *id, struct proc_container_info *out,
			struct pal_err *err)
{
	memset(out, 0, sizeof(*out));
	if (!containers_json)
		return -ENOENT;
	_cleanup_json_ json_t *cs =
	    pal_json_load_buffer("containers.json", containers_json, clen, err);
	if (!cs)
		return -EINVAL;
	if (!json_is_array(cs))
		return pal_err_set(err, EINVAL, "containers.json: must be a JSON array");
	json_t *c = find_by_id(cs, id);
	if (!c)
		return -ENOENT;
	out->id = pal_xstrdup(id);

	json_t *names = json_object_get(c, "names");
	json_t *n0 = json_is_array(names) ? json_array_get(names, 0) : NULL;
	if (json_is_string(n0) && text_valid(json_string_value(n0)))
		out->name = pal_xstrdup(json_string_value(n0));

	/* metadata is a JSON document inside a string. */
	json_t *meta = json_object_get(c, "metadata");
	if (json_is_string(meta)) {
		const char *ms = json_string_value(meta);
		struct pal_err merr = {0};
		_cleanup_json_ json_t *m = pal_json_load_buffer("metadata", ms, strlen(ms), &merr);
		json_t *in = m ? json_object_get(m, "image-name") : NULL;
		if (json_is_string(in) && text_valid(json_string_value(in)))
			out->image = pal_xstrdup(json_string_value(in));
	}

	json_t *img_id = json_object_get(c, "image");
	if (images_json && json_is_string(img_id)) {
		struct pal_err ierr = {0};
		_cleanup_json_ json_t *is =
		    pal_json_load_buffer("images.json", images_json, ilen, &ierr);
		json_t *img = json_is_array(is) ? find_by_id(is, json_string_value(img_id)) : NULL;
		if (img) {
			json_t *dg = json_object_get(img, "digest");
			if (json_is_string(dg) && digest_valid(json_string_value(dg)))
				out->image_digest = pal_xstrdup(json_string_value(dg));
			json_t *in = json_object_get(img, "names");
			json_t *i0 = json_is_array(in) ? json_array_get(in, 0) : NULL;
			if (!out->image && json_is_string(i0) && text_valid(json_string_value(i0)))
				out->image = pal_xstrdup(json_string_value(i0));
		}
	}
	return 0;
}

int proc_docker_config_parse(const char *data, size_t len, struct proc_container_info *out,
			     struct pal_err *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_json_ json_t *root = pal_json_load_buffer("config.v2.json", data, len, err);
	if (!root)
		return -EINVAL;
	if (!json_is_object(root))
		return pal_err_set(err, EINVAL, "config.v2.json: must be a JSON object");
	int r;
	if ((r = get_text(root, "", "ID", &out->id, err)) < 0 ||
	    (r = get_text(root, "", "Name", &out->name, err)) < 0)
		goto fail;
	if (out->name && out->name[0] == '/')
		memmove(out->name, out->name + 1, strlen(out->name));
	json_t *cfg = NULL;
	if ((r = pal_json_opt_object(root, "", "Config", &cfg, err)) < 0)
		goto fail;
	if (cfg && (r = get_text(cfg, "Config", "Image", &out->image, err)) < 0)
		goto fail;
	char *img = NULL;
	if ((r = get_text(root, "", "Image", &img, err)) < 0)
		goto fail;
	if (img && digest_valid(img))
		out->image_digest = img;
	else
		free(img);
	json_t *hc = NULL;
	if ((r = pal_json_opt_object(root, "", "HostConfig", &hc, err)) < 0)
		goto fail;
	if (hc &&
	    (r = pal_json_opt_bool(hc, "HostConfig", "Privileged", &out->privileged, err)) < 0)
		goto fail;
	return 0;
fail:
	proc_container_info_clear(out);
	return r;
}

void proc_image_ref_split(const char *ref, char **repo, char **tag, char **digest)
{
	*repo = *tag = *digest = NULL;
	if (!ref) {
		*repo = pal_xstrdup("");
		*tag = pal_xstrdup("");
		*digest = pal_xstrdup("");
		return;
	}
	const char *at = strchr(ref, '@');
	size_t base_len = at ? (size_t)(at - ref) : strlen(ref);
	*digest = pal_xstrdup(at ? at + 1 : "");
	const char *slash = memrchr(ref, '/', base_len);
	const char *colon = memrchr(ref, ':', base_len);
	if (colon && (!slash || colon > slash)) {
		*repo = pal_xstrndup(ref, (size_t)(colon - ref));
		*tag = pal_xstrndup(colon + 1, base_len - (size_t)(colon + 1 - ref));
	} else {
		*repo = pal_xstrndup(ref, base_len);
		*tag = pal_xstrdup("");
	}
}
