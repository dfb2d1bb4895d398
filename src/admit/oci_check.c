#include "internal.h"
#include "scope.h"
#include "common/cleanup.h"
#include "common/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* ---- capabilities -------------------------------------------------------- */

static void check_caps(const struct adm_policy *p, const struct rt_config *cfg,
		       struct adm_result *res)
{
	if (!cfg->has_process || !cfg->process.caps.present)
		return;
	const struct rt_caps *c = &cfg->process.caps;
	const struct {
		const char *name;
		uint64_t mask;
	} sets[] = {{"bounding", c->bounding},
		    {"effective", c->effective},
		    {"permitted", c->permitted},
		    {"inheritable", c->inheritable},
		    {"ambient", c->ambient}};
	for (int cap = 0; cap < 64; cap++) {
		if (!(p->deny_caps & (1ull << cap)))
			continue;
		const char *first = NULL;
		struct pal_buf also;
		pal_buf_init(&also);
		for (size_t s = 0; s < PAL_ARRAY_SIZE(sets); s++) {
			if (!(sets[s].mask & (1ull << cap)))
				continue;
			if (!first)
				first = sets[s].name;
			else
				pal_buf_printf(&also, "%s%s", also.len ? ", " : "; also in ",
					       sets[s].name);
		}
		if (first) {
			char field[64], num[32];
			snprintf(field, sizeof(field), "process.capabilities.%s", first);
			snprintf(num, sizeof(num), "capability %d", cap);
			const char *name = rt_cap_name(cap) ? rt_cap_name(cap) : num;
			adm_result_add(res, "capabilities", name, field,
				       "%s: %s is privileged-equivalent (%s)%s", field, name,
				       adm_cap_reason(cap), also.len ? also.data : "");
		}
		pal_buf_free(&also);
	}
}

/* ---- namespaces ---------------------------------------------------------- */

static const char *shared_what(enum rt_ns_type t)
{
	switch (t) {
	case RT_NS_PID:
		return "processes";
	case RT_NS_NETWORK:
		return "network";
	case RT_NS_MOUNT:
		return "mounts and filesystems";
	case RT_NS_IPC:
		return "IPC objects (shared memory, semaphores, message queues)";
	case RT_NS_UTS:
		return "hostname";
	case RT_NS_USER:
		return "user ids (root in the container is root on the host)";
	case RT_NS_CGROUP:
		return "cgroup hierarchy";
	case RT_NS_TIME:
		return "clocks";
	default:
		return "?";
	}
}

/* Is path one of the host's namespaces: pid 1's, or the runtime's own (which
 * is the host's when the engine runs it on the host, and in any case what the
 * container would share had it no namespace of that type)? Compared by device
 * and inode, so a bind mount of /proc/1/ns/net (as `ip netns` makes) is
 * recognized too. A path that cannot be read is not judged here: joining it
 * would fail anyway. */
static const char *host_ns_of(const struct adm_policy *p, const char *path, const char **whose)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return NULL;
	static const char *const owners[] = {"1", "self"};
	for (size_t o = 0; o < 2; o++) {
		for (int t = 0; t < RT_NS__COUNT; t++) {
			_cleanup_free_ char *host =
			    pal_xasprintf("%s/%s/ns/%s", p->proc_root, owners[o],
					  rt_ns_proc_name((enum rt_ns_type)t));
			struct stat hs;
			if (stat(host, &hs) == 0 && hs.st_dev == st.st_dev &&
			    hs.st_ino == st.st_ino) {
				*whose = o == 0 ? "the host's" : "palisade-runtime's own";
				return rt_ns_type_name((enum rt_ns_type)t);
			}
		}
	}
	return NULL;
}

static void check_namespaces(const struct adm_policy *p, const struct rt_config *cfg,
			     struct adm_result *res)
{
	for (int t = 0; t < RT_NS__COUNT; t++) {
		if (!(p->host_namespaces & (1u << t)))
			continue;
		const char *name = rt_ns_type_name((enum rt_ns_type)t);
		if (!rt_config_namespace(cfg, (enum rt_ns_type)t)) {
			adm_result_add(
			    res, "host_namespaces", name, "linux.namespaces",
			    "linux.namespaces: no %s namespace: the container would share "
			    "the host's %s",
			    name, shared_what((enum rt_ns_type)t));
		}
	}
	for (size_t i = 0; i < cfg->n_namespaces; i++) {
		const struct rt_namespace *ns = &cfg->namespaces[i];
		if (!ns->path || !(p->host_namespaces & (1u << ns->type)))
			continue;
		const char *whose = NULL;
		const char *host = host_ns_of(p, ns->path, &whose);
		if (!host)
			continue;
		char field[64];
		snprintf(field, sizeof(field), "linux.namespaces[%zu].path", i);
		adm_result_add(res, "host_namespaces", rt_ns_type_name(ns->type), field,
			       "%s %s: %s %s namespace: the container would share the host's %s",
			       field, ns->path, whose, host, shared_what(ns->type));
	}
}

/* ---- devices ------------------------------------------------------------- */

static const struct {
	int64_t major, minor;
	const char *what;
} host_char_devices[] = {
    {1, 1, "physical memory (/dev/mem)"},
    {1, 2, "kernel memory (/dev/kmem)"},
    {1, 4, "I/O ports (/dev/port)"},
    {1, 11, "the kernel log (/dev/kmsg)"},
};

static const char *dangerous_char(int64_t major, int64_t minor)
{
	for (size_t i = 0; i < PAL_ARRAY_SIZE(host_char_devices); i++)
		if (host_char_devices[i].major == major &&
		    (minor == -1 || host_char_devices[i].minor == minor))
			return host_char_devices[i].what;
	return NULL;
}

static void check_device_rules(const struct rt_config *cfg, struct adm_result *res)
{
	if (!cfg->has_resources)
		return;
	for (size_t i = 0; i < cfg->resources.n_devices; i++) {
		const struct rt_device_rule *d = &cfg->resources.devices[i];
		if (!d->allow || !strpbrk(d->access, "rw"))
			continue;
		char field[64];
		snprintf(field, sizeof(field), "linux.resources.devices[%zu]", i);
		const char *what = NULL;
		char buf[96];
		if (d->type == 'a') {
			what = "every device of the host (disks, memory, ...)";
		} else if (d->major == -1) {
			snprintf(buf, sizeof(buf), "every %s device of the host",
				 d->type == 'b' ? "block" : "character");
			what = buf;
		} else if (d->type == 'b') {
			snprintf(buf, sizeof(buf), "the host's block device %lld:%lld",
				 (long long)d->major, (long long)d->minor);
			what = d->minor == -1 ? "a host disk and all its partitions" : buf;
		} else {
			what = dangerous_char(d->major, d->minor);
		}
		if (what)
			adm_result_add(res, "devices", NULL, field, "%s: allows '%s' access to %s",
				       field, d->access, what);
	}
}

static void check_device_nodes(const struct rt_config *cfg, struct adm_result *res)
{
	for (size_t i = 0; i < cfg->n_devices; i++) {
		const struct rt_device *d = &cfg->devices[i];
		const char *what = d->type == 'b' ? "a host block device (a disk or partition)"
						  : dangerous_char(d->major, d->minor);
		if (!what)
			continue;
		char field[64];
		snprintf(field, sizeof(field), "linux.devices[%zu]", i);
		adm_result_add(res, "devices", d->path, field, "%s %s (%lld:%lld): %s", field,
			       d->path, (long long)d->major, (long long)d->minor, what);
	}
}

/* ---- exceptions ---------------------------------------------------------- */

static bool has_annotation(const struct rt_config *cfg, const char *kv)
{
	const char *eq = strchr(kv, '=');
	_cleanup_free_ char *key = pal_xstrndup(kv, (size_t)(eq - kv));
	const char *v = rt_config_annotation(cfg, key);
	return v && !strcmp(v, eq + 1);
}

static bool exception_applies(const struct adm_exception *e, const struct rt_config *cfg,
			      const char *image_ref)
{
	if (e->images) {
		bool any = false;
		for (char **s = e->images; *s && !any; s++)
			any = adm_scope_matches(*s, image_ref);
		if (!any)
			return false;
	}
	for (char **kv = e->annotations; kv && *kv; kv++)
		if (!has_annotation(cfg, *kv))
			return false;
	return true;
}

static bool path_prefix(const char *prefix, const char *path)
{
	size_t n = strlen(prefix);
	return !strncmp(prefix, path, n) && (path[n] == '\0' || path[n] == '/');
}

static bool allow_covers(const struct adm_allow *a, const struct adm_finding *f)
{
	if (strcmp(adm_rule_name(a->rule), f->rule) != 0)
		return false;
	if (!a->item)
		return true;
	if (!f->item)
		return false;
	if (a->rule == ADM_RULE_HOST_PATHS)
		return path_prefix(a->item, f->item);
	return !strcmp(a->item, f->item);
}

static void apply_exceptions(const struct adm_policy *p, const struct rt_config *cfg,
			     const char *image_ref, struct adm_result *res)
{
	for (size_t i = 0; i < p->n_exceptions; i++) {
		const struct adm_exception *e = &p->exceptions[i];
		if (!exception_applies(e, cfg, image_ref))
			continue;
		for (size_t j = 0; j < res->n; j++) {
			struct adm_finding *f = &res->v[j];
			for (size_t k = 0; !f->excepted && k < e->n_allow; k++) {
				if (allow_covers(&e->allow[k], f)) {
					f->excepted = true;
					f->exception_line = e->line;
				}
			}
		}
	}
}

/* ---- entry points -------------------------------------------------------- */

int adm_check_oci_config_ex(const struct adm_policy *p, const struct rt_config *cfg,
			    const struct adm_oci_input *in, struct adm_result *res)
{
	static const struct adm_oci_input none;
	if (!in)
		in = &none;
	if (p->mode == ADM_MODE_OFF)
		return 0;
	check_caps(p, cfg, res);
	check_namespaces(p, cfg, res);
	struct adm_placeholders ph;
	adm_placeholders_init(&ph, cfg, in->container_id);
	adm_check_host_paths(p, cfg, &ph, res);
	adm_placeholders_free(&ph);
	if (p->deny_devices) {
		check_device_rules(cfg, res);
		check_device_nodes(cfg, res);
	}
	apply_exceptions(p, cfg, in->image_ref, res);
	if (adm_result_count(res) > 0) {
		res->deny = p->mode == ADM_MODE_ENFORCE;
		res->warn = p->mode == ADM_MODE_WARN;
	}
	return res->deny ? -EPERM : 0;
}

int adm_check_oci_config(const struct adm_policy *p, const struct rt_config *cfg,
			 const char *image_ref, struct adm_result *res)
{
	struct adm_oci_input in = {.image_ref = image_ref};
	return adm_check_oci_config_ex(p, cfg, &in, res);
}

const char *adm_config_image_ref(const struct rt_config *cfg)
{
	static const char *const keys[] = {ADM_ANNOT_IMAGE_CONTAINERD, ADM_ANNOT_IMAGE_CRIO,
					   ADM_ANNOT_IMAGE_PALISADE};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(keys); i++) {
		const char *v = rt_config_annotation(cfg, keys[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}
