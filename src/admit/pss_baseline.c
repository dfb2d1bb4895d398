/* Baseline controls of the Pod Security Standards. */
#include "pss_internal.h"

#include <stdio.h>
#include <string.h>

static bool in_set(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(s, set[i]))
			return true;
	return false;
}

/* "pod", "container \"a\"" ... joined with " and " */
static void setters(bool pod, struct pss_list *containers, struct pal_buf *out)
{
	if (pod)
		pal_buf_puts(out, "pod");
	if (containers->n) {
		if (pod)
			pal_buf_puts(out, " and ");
		pss_containers(containers, out);
	}
}

/* ---- hostProcess ---------------------------------------------------------- */

static void host_process_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	json_t *wo = pss_obj(pss_obj(ct, "securityContext"), "windowsOptions");
	enum pss_tri t = pss_bool(wo, "hostProcess");
	if (t == PSS_TRUE || t == PSS_BAD)
		pss_list_add(arg, name);
}

static void check_host_process(struct pss *c)
{
	json_t *wo = pss_obj(pss_obj(c->spec, "securityContext"), "windowsOptions");
	enum pss_tri t = pss_bool(wo, "hostProcess");
	bool pod = t == PSS_TRUE || t == PSS_BAD;
	struct pss_list bad = {0};
	pss_each_container(c, host_process_ct, &bad);
	if (pod || bad.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		setters(pod, &bad, &b);
		pss_add(
		    c, "hostProcess", ADM_LEVEL_BASELINE,
		    "hostProcess (%s must not set securityContext.windowsOptions.hostProcess=true)",
		    b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&bad);
}

/* ---- host namespaces -------------------------------------------------------- */

static void check_host_namespaces(struct pss *c)
{
	static const char *const keys[] = {"hostNetwork", "hostPID", "hostIPC"};
	struct pal_buf b;
	pal_buf_init(&b);
	for (size_t i = 0; i < 3; i++) {
		enum pss_tri t = pss_bool(c->spec, keys[i]);
		if (t == PSS_TRUE || t == PSS_BAD)
			pal_buf_printf(&b, "%s%s=true", b.len ? ", " : "", keys[i]);
	}
	if (b.len)
		pss_add(c, "hostNamespaces", ADM_LEVEL_BASELINE, "host namespaces (%s)", b.data);
	pal_buf_free(&b);
}

/* ---- privileged ------------------------------------------------------------ */

static void privileged_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	enum pss_tri t = pss_bool(pss_obj(ct, "securityContext"), "privileged");
	if (t == PSS_TRUE || t == PSS_BAD)
		pss_list_add(arg, name);
}

static void check_privileged(struct pss *c)
{
	struct pss_list bad = {0};
	pss_each_container(c, privileged_ct, &bad);
	if (bad.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		pss_containers(&bad, &b);
		pss_add(c, "privileged", ADM_LEVEL_BASELINE,
			"privileged (%s must not set securityContext.privileged=true)", b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&bad);
}

/* ---- capabilities ------------------------------------------------------------ */

static const char *const baseline_caps[] = {
    "AUDIT_WRITE",	"CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",	     "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID",	   "SETPCAP", "SETUID", "SYS_CHROOT"};

struct caps_arg {
	struct pss_list containers, caps;
};

static void caps_baseline_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	struct caps_arg *a = arg;
	json_t *add =
	    json_object_get(pss_obj(pss_obj(ct, "securityContext"), "capabilities"), "add");
	size_t i;
	json_t *v;
	bool bad = false;
	if (add && !json_is_null(add) && !json_is_array(add)) {
		pss_list_add(&a->caps, "<invalid>");
		bad = true;
	}
	json_array_foreach(add, i, v)
	{
		const char *s = json_is_string(v) ? json_string_value(v) : "<invalid>";
		if (!in_set(s, baseline_caps, PAL_ARRAY_SIZE(baseline_caps))) {
			pss_list_add(&a->caps, s);
			bad = true;
		}
	}
	if (bad)
		pss_list_add(&a->containers, name);
}

static void check_caps_baseline(struct pss *c)
{
	struct caps_arg a = {0};
	pss_each_container(c, caps_baseline_ct, &a);
	if (a.containers.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		pss_containers(&a.containers, &b);
		pal_buf_puts(&b, " must not include ");
		pss_list_sort(&a.caps);
		pss_join_quote(&a.caps, &b);
		pss_add(c, "capabilities_baseline", ADM_LEVEL_BASELINE,
			"non-default capabilities (%s in securityContext.capabilities.add)",
			b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&a.containers);
	pss_list_free(&a.caps);
}

/* ---- hostPath volumes --------------------------------------------------------- */

static void check_host_path_volumes(struct pss *c)
{
	struct pss_list bad = {0};
	size_t i;
	json_t *vol;
	json_array_foreach(json_object_get(c->spec, "volumes"), i, vol)
	{
		json_t *hp = json_object_get(vol, "hostPath");
		if (hp && !json_is_null(hp)) {
			const char *name = pss_str(vol, "name");
			pss_list_add(&bad, name ? name : "");
		}
	}
	if (bad.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		pal_buf_puts(&b, bad.n == 1 ? "volume " : "volumes ");
		pss_join_quote(&bad, &b);
		pss_add(c, "hostPathVolumes", ADM_LEVEL_BASELINE, "hostPath volumes (%s)", b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&bad);
}

/* ---- host ports --------------------------------------------------------------- */

static void host_ports_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	struct caps_arg *a = arg; /* containers, ports */
	size_t i;
	json_t *port;
	bool bad = false;
	json_array_foreach(json_object_get(ct, "ports"), i, port)
	{
		json_t *hp = json_object_get(port, "hostPort");
		if (!hp || json_is_null(hp) || (json_is_integer(hp) && json_integer_value(hp) == 0))
			continue;
		char num[32];
		if (json_is_integer(hp))
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(hp));
		else
			snprintf(num, sizeof(num), "<invalid>");
		pss_list_add(&a->caps, num);
		bad = true;
	}
	if (bad)
		pss_list_add(&a->containers, name);
}

static void check_host_ports(struct pss *c)
{
	struct caps_arg a = {0};
	pss_each_container(c, host_ports_ct, &a);
	if (a.containers.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		pss_containers(&a.containers, &b);
		pal_buf_printf(&b, " %s %s ", a.containers.n == 1 ? "uses" : "use",
			       a.caps.n == 1 ? "hostPort" : "hostPorts");
		pss_list_sort(&a.caps);
		for (size_t i = 0; i < a.caps.n; i++)
			pal_buf_printf(&b, "%s%s", i ? ", " : "", a.caps.v[i]);
		if (a.caps.truncated)
			pal_buf_puts(&b, ", ...");
		pss_add(c, "hostPorts", ADM_LEVEL_BASELINE, "hostPort (%s)", b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&a.containers);
	pss_list_free(&a.caps);
}

/* ---- AppArmor ----------------------------------------------------------------- */

#define APPARMOR_ANNOTATION_PREFIX "container.apparmor.security.beta.kubernetes.io/"

static bool apparmor_type_ok(const char *t)
{
	return t && (!strcmp(t, "RuntimeDefault") || !strcmp(t, "Localhost"));
}

static void apparmor_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	struct caps_arg *a = arg; /* containers, values */
	json_t *prof = pss_obj(pss_obj(ct, "securityContext"), "appArmorProfile");
	if (!prof)
		return;
	const char *t = pss_str(prof, "type");
	if (!apparmor_type_ok(t)) {
		pss_list_add(&a->containers, name);
		pss_list_add(&a->caps, t ? t : "");
	}
}

static void check_apparmor(struct pss *c)
{
	struct caps_arg a = {0};
	bool pod = false;
	json_t *prof = pss_obj(pss_obj(c->spec, "securityContext"), "appArmorProfile");
	if (prof && !apparmor_type_ok(pss_str(prof, "type"))) {
		pod = true;
		const char *t = pss_str(prof, "type");
		pss_list_add(&a.caps, t ? t : "");
	}
	pss_each_container(c, apparmor_ct, &a);
	pss_list_sort(&a.caps);
	struct pss_list annotations = {0};
	const char *key;
	json_t *v;
	json_object_foreach(pss_obj(c->meta, "annotations"), key, v)
	{
		if (!pal_str_starts_with(key, APPARMOR_ANNOTATION_PREFIX))
			continue;
		const char *s = json_is_string(v) ? json_string_value(v) : "<invalid>";
		if (!*s || !strcmp(s, "runtime/default") || pal_str_starts_with(s, "localhost/"))
			continue;
		char *kv = pal_xasprintf("%s=%s", key, s);
		pss_list_add(&annotations, kv);
		free(kv);
	}
	pss_list_sort(&annotations);
	if (pod || a.containers.n || annotations.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		setters(pod, &a.containers, &b);
		if (annotations.n)
			pal_buf_printf(&b, "%s%s", b.len ? " and " : "",
				       annotations.n == 1 ? "annotation" : "annotations");
		for (size_t i = 0; i < annotations.n; i++)
			pss_list_add(&a.caps, annotations.v[i]);
		pal_buf_puts(&b, " must not set AppArmor profile type to ");
		pss_join_quote(&a.caps, &b);
		pss_add(c, "appArmorProfile", ADM_LEVEL_BASELINE, "forbidden AppArmor %s (%s)",
			a.caps.n == 1 ? "profile" : "profiles", b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&a.containers);
	pss_list_free(&a.caps);
	pss_list_free(&annotations);
}

/* ---- SELinux ------------------------------------------------------------------ */

static const char *const selinux_types[] = {"", "container_t", "container_init_t",
					    "container_kvm_t", "container_engine_t"};

struct selinux_arg {
	struct pss_list containers, types;
	bool user, role;
};

static bool selinux_ok(json_t *opts, struct selinux_arg *a)
{
	bool ok = true;
	const char *t = pss_str(opts, "type");
	if (t && !in_set(t, selinux_types, PAL_ARRAY_SIZE(selinux_types))) {
		pss_list_add(&a->types, t);
		ok = false;
	}
	const char *u = pss_str(opts, "user"), *r = pss_str(opts, "role");
	if (u && *u) {
		a->user = true;
		ok = false;
	}
	if (r && *r) {
		a->role = true;
		ok = false;
	}
	return ok;
}

static void selinux_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	json_t *opts = pss_obj(pss_obj(ct, "securityContext"), "seLinuxOptions");
	if (opts && !selinux_ok(opts, arg))
		pss_list_add(&((struct selinux_arg *)arg)->containers, name);
}

static void check_selinux(struct pss *c)
{
	struct selinux_arg a = {0};
	json_t *opts = pss_obj(pss_obj(c->spec, "securityContext"), "seLinuxOptions");
	bool pod = opts && !selinux_ok(opts, &a);
	pss_each_container(c, selinux_ct, &a);
	if (pod || a.containers.n) {
		struct pal_buf b, what;
		pal_buf_init(&b);
		pal_buf_init(&what);
		setters(pod, &a.containers, &b);
		if (a.types.n) {
			pss_list_sort(&a.types);
			pal_buf_puts(&what, a.types.n == 1 ? "type " : "types ");
			pss_join_quote(&a.types, &what);
		}
		if (a.user)
			pal_buf_printf(&what, "%suser may not be set", what.len ? "; " : "");
		if (a.role)
			pal_buf_printf(&what, "%srole may not be set", what.len ? "; " : "");
		pss_add(c, "seLinuxOptions", ADM_LEVEL_BASELINE,
			"seLinuxOptions (%s set forbidden securityContext.seLinuxOptions: %s)",
			b.data, what.data);
		pal_buf_free(&b);
		pal_buf_free(&what);
	}
	pss_list_free(&a.containers);
	pss_list_free(&a.types);
}

/* ---- /proc mount type ------------------------------------------------------------ */

static void proc_mount_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	struct caps_arg *a = arg;
	const char *pm = pss_str(pss_obj(ct, "securityContext"), "procMount");
	if (pm && strcmp(pm, "Default") != 0) {
		pss_list_add(&a->containers, name);
		pss_list_add(&a->caps, pm);
	}
}

static void check_proc_mount(struct pss *c)
{
	struct caps_arg a = {0};
	pss_each_container(c, proc_mount_ct, &a);
	if (a.containers.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		pss_containers(&a.containers, &b);
		pal_buf_puts(&b, " must not set securityContext.procMount to ");
		pss_list_sort(&a.caps);
		pss_join_quote(&a.caps, &b);
		pss_add(c, "procMount", ADM_LEVEL_BASELINE, "procMount (%s)", b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&a.containers);
	pss_list_free(&a.caps);
}

/* ---- seccomp (baseline: anything but Unconfined) ---------------------------------- */

bool pss_seccomp_type_ok(const char *t)
{
	return t && (!strcmp(t, "RuntimeDefault") || !strcmp(t, "Localhost"));
}

static void seccomp_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	struct caps_arg *a = arg;
	json_t *prof = pss_obj(pss_obj(ct, "securityContext"), "seccompProfile");
	if (!prof)
		return;
	const char *t = pss_str(prof, "type");
	if (!pss_seccomp_type_ok(t)) {
		pss_list_add(&a->containers, name);
		pss_list_add(&a->caps, t ? t : "");
	}
}

static void check_seccomp_baseline(struct pss *c)
{
	struct caps_arg a = {0};
	json_t *prof = pss_obj(pss_obj(c->spec, "securityContext"), "seccompProfile");
	bool pod = prof && !pss_seccomp_type_ok(pss_str(prof, "type"));
	if (pod) {
		const char *t = pss_str(prof, "type");
		pss_list_add(&a.caps, t ? t : "");
	}
	pss_each_container(c, seccomp_ct, &a);
	if (pod || a.containers.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		setters(pod, &a.containers, &b);
		pal_buf_puts(&b, " must not set securityContext.seccompProfile.type to ");
		pss_list_sort(&a.caps);
		pss_join_quote(&a.caps, &b);
		pss_add(c, "seccompProfile_baseline", ADM_LEVEL_BASELINE, "seccompProfile (%s)",
			b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&a.containers);
	pss_list_free(&a.caps);
}

/* ---- sysctls ------------------------------------------------------------------------ */

static const char *const safe_sysctls[] = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
};

static void check_sysctls(struct pss *c)
{
	struct pal_buf b;
	pal_buf_init(&b);
	size_t i;
	json_t *s;
	json_t *list = json_object_get(pss_obj(c->spec, "securityContext"), "sysctls");
	if (list && !json_is_null(list) && !json_is_array(list))
		pal_buf_puts(&b, "<invalid>");
	json_array_foreach(list, i, s)
	{
		const char *name = pss_str(s, "name");
		if (!name)
			name = "<invalid>";
		if (!in_set(name, safe_sysctls, PAL_ARRAY_SIZE(safe_sysctls)))
			pal_buf_printf(&b, "%s%s", b.len ? ", " : "", name);
	}
	if (b.len)
		pss_add(c, "sysctls", ADM_LEVEL_BASELINE, "forbidden sysctls (%s)", b.data);
	pal_buf_free(&b);
}

/* ---- probe and lifecycle hosts (v1.34) ------------------------------------------------ */

static void probe_hosts(json_t *handler, struct pss_list *hosts, bool *bad)
{
	static const char *const kinds[] = {"httpGet", "tcpSocket"};
	for (size_t i = 0; i < 2; i++) {
		const char *h = pss_str(pss_obj(handler, kinds[i]), "host");
		if (h && *h) {
			pss_list_add(hosts, h);
			*bad = true;
		}
	}
}

static void hosts_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	struct caps_arg *a = arg;
	static const char *const probes[] = {"livenessProbe", "readinessProbe", "startupProbe"};
	bool bad = false;
	for (size_t i = 0; i < 3; i++)
		probe_hosts(pss_obj(ct, probes[i]), &a->caps, &bad);
	json_t *lc = pss_obj(ct, "lifecycle");
	probe_hosts(pss_obj(lc, "postStart"), &a->caps, &bad);
	probe_hosts(pss_obj(lc, "preStop"), &a->caps, &bad);
	if (bad)
		pss_list_add(&a->containers, name);
}

static void check_probe_hosts(struct pss *c)
{
	struct caps_arg a = {0};
	pss_each_container(c, hosts_ct, &a);
	if (a.containers.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		pss_containers(&a.containers, &b);
		pal_buf_printf(&b, " %s %s ", a.containers.n == 1 ? "uses" : "use",
			       a.caps.n == 1 ? "probe or lifecycle host"
					     : "probe or lifecycle hosts");
		pss_list_sort(&a.caps);
		pss_join_quote(&a.caps, &b);
		pss_add(c, "hostProbesAndHostLifecycle", ADM_LEVEL_BASELINE,
			"probe or lifecycle host (%s)", b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&a.containers);
	pss_list_free(&a.caps);
}

void pss_check_baseline(struct pss *c)
{
	check_host_process(c);
	check_host_namespaces(c);
	check_privileged(c);
	check_caps_baseline(c);
	/* at restricted, "restricted volume types" reports hostPath volumes */
	if (c->level < ADM_LEVEL_RESTRICTED)
		check_host_path_volumes(c);
	check_host_ports(c);
	check_apparmor(c);
	check_selinux(c);
	check_proc_mount(c);
	/* at restricted, the restricted seccomp control covers Unconfined */
	if (c->level < ADM_LEVEL_RESTRICTED || c->windows)
		check_seccomp_baseline(c);
	check_sysctls(c);
	check_probe_hosts(c);
}
