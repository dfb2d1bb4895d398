/* "hooks": the six lifecycle lists. */
#include "oci_internal.h"

#include "common/strutil.h"

#include <string.h>

static const char *const hook_keys[RT_HOOK__COUNT] = {
    [RT_HOOK_PRESTART] = "prestart",
    [RT_HOOK_CREATE_RUNTIME] = "createRuntime",
    [RT_HOOK_CREATE_CONTAINER] = "createContainer",
    [RT_HOOK_START_CONTAINER] = "startContainer",
    [RT_HOOK_POSTSTART] = "poststart",
    [RT_HOOK_POSTSTOP] = "poststop",
};

static int parse_hook(json_t *item, const char *ip, struct rt_hook *h, struct pal_err *err)
{
	int64_t timeout = 0;
	int r;
	if ((r = rt_oci_value_object(item, ip, err)) < 0 ||
	    (r = rt_oci_required(item, ip, "path", err)) < 0 ||
	    (r = rt_oci_strdup(item, ip, "path", &h->path, err)) < 0 ||
	    (r = rt_oci_strv(item, ip, "args", RT_OCI_MAX_ITEMS, &h->args, err)) < 0 ||
	    (r = rt_oci_strv(item, ip, "env", RT_OCI_MAX_ITEMS, &h->env, err)) < 0)
		return r;
	if (h->path[0] != '/')
		return rt_oci_fail(err, "%s.path \"%.256s\": must be an absolute path", ip,
				   h->path);
	for (size_t i = 0; h->env && h->env[i]; i++) {
		const char *eq = strchr(h->env[i], '=');
		if (!eq || eq == h->env[i])
			return rt_oci_fail(err,
					   "%s.env[%zu] \"%.256s\": must have the form NAME=value",
					   ip, i, h->env[i]);
	}
	json_t *t = rt_oci_member(item, "timeout");
	if (t &&
	    (!json_is_integer(t) || json_integer_value(t) < 1 || json_integer_value(t) > INT32_MAX))
		return rt_oci_fail(err, "%s.timeout: must be a number of seconds greater than zero",
				   ip);
	if ((r = rt_oci_int(item, ip, "timeout", 1, INT32_MAX, &timeout, &h->has_timeout, err)) < 0)
		return r;
	h->timeout = (int)timeout;
	return 0;
}

int rt_oci_parse_hooks(json_t *root, struct rt_config *cfg, struct pal_err *err)
{
	json_t *hooks = NULL;
	char lp[RT_OCI_PATH_MAX], ip[RT_OCI_PATH_MAX];
	int r = rt_oci_object(root, "", "hooks", &hooks, err);
	if (r < 0 || !hooks)
		return r;
	for (int k = 0; k < RT_HOOK__COUNT; k++) {
		json_t *arr = NULL;
		if ((r = rt_oci_array(hooks, "hooks", hook_keys[k], RT_OCI_MAX_ITEMS, &arr, err)) <
		    0)
			return r;
		if (!arr)
			continue;
		struct rt_hook_list *list = &cfg->hooks[k];
		list->n = json_array_size(arr);
		list->hooks = pal_xcalloc(list->n, sizeof(*list->hooks));
		rt_oci_join(lp, "hooks", hook_keys[k]);
		size_t i;
		json_t *item;
		json_array_foreach(arr, i, item)
		{
			if ((r = parse_hook(item, rt_oci_index(ip, lp, i), &list->hooks[i], err)) <
			    0)
				return r;
		}
	}
	return 0;
}

void rt_oci_free_hooks(struct rt_config *cfg)
{
	for (int k = 0; k < RT_HOOK__COUNT; k++) {
		struct rt_hook_list *list = &cfg->hooks[k];
		for (size_t i = 0; i < list->n; i++) {
			free(list->hooks[i].path);
			pal_strv_free(list->hooks[i].args);
			pal_strv_free(list->hooks[i].env);
		}
		free(list->hooks);
		list->hooks = NULL;
		list->n = 0;
	}
}
