#include "runtime/bundle_gen.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const default_caps[] = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE",	   "CAP_FOWNER",     "CAP_FSETID",
    "CAP_KILL",	   "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
    "CAP_SETPCAP", "CAP_SETUID",	   "CAP_SYS_CHROOT", NULL};

const char *const *rt_bundle_default_caps(void)
{
	return default_caps;
}

void rt_volume_free(struct rt_volume *v)
{
	free(v->source);
	free(v->destination);
	memset(v, 0, sizeof(*v));
}

int rt_volume_parse(const char *spec, struct rt_volume *v, struct pal_err *err)
{
	memset(v, 0, sizeof(*v));
	_cleanup_free_ char *copy = pal_xstrdup(spec);
	char *src = copy, *dst = strchr(copy, ':');
	if (!dst)
		return pal_err_set(err, EINVAL, "--volume %s: expected SRC:DST[:ro]", spec);
	*dst++ = '\0';
	char *mode = strchr(dst, ':');
	if (mode) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") && strcmp(mode, "rw"))
			return pal_err_set(err, EINVAL, "--volume %s: mode must be ro or rw", spec);
		v->readonly = !strcmp(mode, "ro");
	}
	if (src[0] != '/' || !pal_path_is_clean_absolute(dst))
		return pal_err_set(
		    err, EINVAL, "--volume %s: both paths must be absolute (and DST without '..')",
		    spec);
	v->source = pal_xstrdup(src);
	v->destination = pal_xstrdup(dst);
	return 0;
}

/* "NET_RAW" and "cap_net_raw" both mean CAP_NET_RAW. */
static char *cap_name(const char *s)
{
	char *n = pal_xasprintf("%s%s", strncasecmp(s, "CAP_", 4) ? "CAP_" : "", s);
	for (char *c = n; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	return n;
}

static int capability_set(const struct rt_bundle_spec *s, json_t **out, struct pal_err *err)
{
	json_t *set = json_array();
	bool drop_all = false;
	for (size_t i = 0; s->cap_drop && s->cap_drop[i]; i++)
		drop_all |= !strcasecmp(s->cap_drop[i], "ALL");
	for (size_t i = 0; !drop_all && default_caps[i]; i++) {
		bool dropped = false;
		for (size_t j = 0; s->cap_drop && s->cap_drop[j]; j++) {
			_cleanup_free_ char *n = cap_name(s->cap_drop[j]);
			dropped |= !strcmp(n, default_caps[i]);
		}
		if (!dropped)
			json_array_append_new(set, json_string(default_caps[i]));
	}
	for (size_t i = 0; s->cap_add && s->cap_add[i]; i++) {
		_cleanup_free_ char *n = cap_name(s->cap_add[i]);
		if (rt_cap_from_name(n) < 0) {
			json_decref(set);
			return pal_err_set(err, EINVAL, "--cap-add %s: unknown capability",
					   s->cap_add[i]);
		}
		size_t k;
		json_t *have;
		bool dup = false;
		json_array_foreach(set, k, have) dup |= !strcmp(json_string_value(have), n);
		if (!dup)
			json_array_append_new(set, json_string(n));
	}
	for (size_t j = 0; s->cap_drop && s->cap_drop[j]; j++) {
		_cleanup_free_ char *n = cap_name(s->cap_drop[j]);
		if (strcasecmp(s->cap_drop[j], "ALL") && rt_cap_from_name(n) < 0) {
			json_decref(set);
			return pal_err_set(err, EINVAL, "--cap-drop %s: unknown capability",
					   s->cap_drop[j]);
		}
	}
	*out = set;
	return 0;
}

static void set_env(json_t *env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) + 1 : strlen(kv);
	size_t i;
	json_t *e;
	json_array_foreach(env, i, e)
	{
		if (!strncmp(json_string_value(e), kv, klen)) {
			json_array_set_new(env, i, json_string(kv));
			return;
		}
	}
	json_array_append_new(env, json_string(kv));
}

char *rt_bundle_config_json(const struct rt_bundle_spec *s, struct pal_err *err)
{
	if (!s->args || !s->args[0]) {
		pal_err_set(err, EINVAL, "no command to run: give one, or an image that has one");
		return NULL;
	}
	_cleanup_free_ char *base = rt_config_default_spec(false);
	_cleanup_json_ json_t *cfg = pal_json_load_buffer("default spec", base, strlen(base), err);
	if (!cfg)
		return NULL;
	json_t *proc = json_object_get(cfg, "process");
	json_t *args = json_array();
	for (size_t i = 0; s->args[i]; i++)
		json_array_append_new(args, json_string(s->args[i]));
	json_object_set_new(proc, "args", args);
	json_object_set_new(proc, "terminal", json_boolean(s->tty));
	json_object_set_new(proc, "cwd", json_string(s->cwd ? s->cwd : "/"));
	/* The node policy decides no_new_privs, not the generated spec. */
	json_object_del(proc, "noNewPrivileges");

	json_t *env = json_array();
	json_array_append_new(env, json_string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
					       "/usr/bin:/sbin:/bin"));
	if (s->tty)
		json_array_append_new(env, json_string("TERM=xterm"));
	for (size_t i = 0; s->image_env && s->image_env[i]; i++)
		set_env(env, s->image_env[i]);
	for (size_t i = 0; s->env && s->env[i]; i++) {
		if (!strchr(s->env[i], '=')) {
			json_decref(env);
			pal_err_set(err, EINVAL, "--env %s: expected KEY=VALUE", s->env[i]);
			return NULL;
		}
		set_env(env, s->env[i]);
	}
	_cleanup_free_ char *host = pal_xasprintf("HOSTNAME=%s", s->id);
	set_env(env, host);
	json_object_set_new(proc, "env", env);
	if (s->has_user)
		json_object_set_new(
		    proc, "user",
		    json_pack("{s:I, s:I}", "uid", (json_int_t)s->uid, "gid", (json_int_t)s->gid));

	json_t *caps = NULL;
	if (capability_set(s, &caps, err) < 0)
		return NULL;
	json_object_set_new(
	    proc, "capabilities",
	    json_pack("{s:O, s:O, s:O}", "bounding", caps, "effective", caps, "permitted", caps));
	json_decref(caps);

	json_object_set_new(cfg, "root",
			    json_pack("{s:s, s:b}", "path", s->rootfs, "readonly", s->readonly));
	json_object_set_new(cfg, "hostname", json_string(s->id));

	json_t *mounts = json_object_get(cfg, "mounts");
	for (size_t i = 0; i < s->n_volumes; i++) {
		json_t *opts = json_pack("[s, s]", "rbind", s->volumes[i].readonly ? "ro" : "rw");
		json_array_append_new(mounts,
				      json_pack("{s:s, s:s, s:s, s:o}", "destination",
						s->volumes[i].destination, "type", "bind", "source",
						s->volumes[i].source, "options", opts));
	}

	json_t *lnx = json_object_get(cfg, "linux");
	if (s->host_network) {
		json_t *ns = json_object_get(lnx, "namespaces");
		size_t i;
		json_t *n;
		json_array_foreach(ns, i, n)
		{
			if (!strcmp(json_string_value(json_object_get(n, "type")), "network")) {
				json_array_remove(ns, i);
				break;
			}
		}
	}
	_cleanup_free_ char *cg =
	    pal_xasprintf("%s/%s", s->cgroup_parent ? s->cgroup_parent : "/palisade", s->id);
	json_object_set_new(lnx, "cgroupsPath", json_string(cg));
	json_t *res = json_object_get(lnx, "resources");
	if (!res) {
		res = json_object();
		json_object_set_new(lnx, "resources", res);
	}
	if (s->memory > 0)
		json_object_set_new(res, "memory",
				    json_pack("{s:I}", "limit", (json_int_t)s->memory));
	if (s->pids > 0)
		json_object_set_new(res, "pids", json_pack("{s:I}", "limit", (json_int_t)s->pids));

	json_t *ann = json_object();
	for (size_t i = 0; i < s->n_annotations; i++)
		json_object_set_new(ann, s->annotations[i].key,
				    json_string(s->annotations[i].value));
	json_object_set_new(cfg, "annotations", ann);

	char *text = json_dumps(cfg, JSON_INDENT(2));
	if (!text)
		pal_err_set(err, ENOMEM, "serialize config.json");
	return text;
}
