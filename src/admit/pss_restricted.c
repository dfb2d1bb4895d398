/* Restricted controls of the Pod Security Standards (on top of baseline). */
#include "pss_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- volume types ------------------------------------------------------------ */

static const char *const allowed_volumes[] = {"configMap", "csi",	"downwardAPI",
					      "emptyDir",  "ephemeral", "persistentVolumeClaim",
					      "projected", "secret"};
static const char *const known_volumes[] = {"hostPath",
					    "gcePersistentDisk",
					    "awsElasticBlockStore",
					    "gitRepo",
					    "nfs",
					    "iscsi",
					    "glusterfs",
					    "rbd",
					    "flexVolume",
					    "cinder",
					    "cephfs",
					    "flocker",
					    "fc",
					    "azureFile",
					    "vsphereVolume",
					    "quobyte",
					    "azureDisk",
					    "photonPersistentDisk",
					    "portworxVolume",
					    "scaleIO",
					    "storageos",
					    "image"};

static bool has_source(json_t *vol, const char *key)
{
	json_t *v = json_object_get(vol, key);
	return v && !json_is_null(v);
}

static void check_volume_types(struct pss *c)
{
	struct pss_list bad = {0}, types = {0};
	size_t i;
	json_t *vol;
	json_array_foreach(json_object_get(c->spec, "volumes"), i, vol)
	{
		bool ok = false;
		for (size_t k = 0; k < PAL_ARRAY_SIZE(allowed_volumes) && !ok; k++)
			ok = has_source(vol, allowed_volumes[k]);
		if (ok)
			continue;
		const char *type = "unknown";
		for (size_t k = 0; k < PAL_ARRAY_SIZE(known_volumes); k++) {
			if (has_source(vol, known_volumes[k])) {
				type = known_volumes[k];
				break;
			}
		}
		const char *name = pss_str(vol, "name");
		pss_list_add(&bad, name ? name : "");
		pss_list_add(&types, type);
	}
	if (bad.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		pal_buf_puts(&b, bad.n == 1 ? "volume " : "volumes ");
		pss_join_quote(&bad, &b);
		pal_buf_printf(&b, " %s %s ", bad.n == 1 ? "uses" : "use",
			       types.n == 1 ? "restricted volume type" : "restricted volume types");
		pss_list_sort(&types);
		pss_join_quote(&types, &b);
		pss_add(c, "restrictedVolumes", ADM_LEVEL_RESTRICTED,
			"restricted volume types (%s)", b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&bad);
	pss_list_free(&types);
}

/* ---- allowPrivilegeEscalation ---------------------------------------------------- */

static void ape_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	if (pss_bool(pss_obj(ct, "securityContext"), "allowPrivilegeEscalation") != PSS_FALSE)
		pss_list_add(arg, name);
}

static void check_allow_privilege_escalation(struct pss *c)
{
	struct pss_list bad = {0};
	pss_each_container(c, ape_ct, &bad);
	if (bad.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		pss_containers(&bad, &b);
		pss_add(c, "allowPrivilegeEscalation", ADM_LEVEL_RESTRICTED,
			"allowPrivilegeEscalation != false (%s must set "
			"securityContext.allowPrivilegeEscalation=false)",
			b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&bad);
}

/* ---- runAsNonRoot -------------------------------------------------------------------- */

struct explicit_arg {
	struct pss_list explicit_bad, implicit_bad;
	bool pod_ok;
};

static void non_root_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	struct explicit_arg *a = arg;
	enum pss_tri t = pss_bool(pss_obj(ct, "securityContext"), "runAsNonRoot");
	if (t == PSS_FALSE || t == PSS_BAD)
		pss_list_add(&a->explicit_bad, name);
	else if (t == PSS_ABSENT && !a->pod_ok)
		pss_list_add(&a->implicit_bad, name);
}

static void check_run_as_non_root(struct pss *c)
{
	struct explicit_arg a = {0};
	enum pss_tri pod = pss_bool(pss_obj(c->spec, "securityContext"), "runAsNonRoot");
	a.pod_ok = pod == PSS_TRUE;
	bool pod_bad = pod == PSS_FALSE || pod == PSS_BAD;
	pss_each_container(c, non_root_ct, &a);
	struct pal_buf b;
	pal_buf_init(&b);
	if (pod_bad || a.explicit_bad.n) {
		if (pod_bad)
			pal_buf_puts(&b, "pod");
		if (a.explicit_bad.n) {
			if (pod_bad)
				pal_buf_puts(&b, " and ");
			pss_containers(&a.explicit_bad, &b);
		}
		pss_add(c, "runAsNonRoot", ADM_LEVEL_RESTRICTED,
			"runAsNonRoot != true (%s must not set securityContext.runAsNonRoot=false)",
			b.data);
	} else if (a.implicit_bad.n) {
		pss_containers(&a.implicit_bad, &b);
		pss_add(
		    c, "runAsNonRoot", ADM_LEVEL_RESTRICTED,
		    "runAsNonRoot != true (pod or %s must set securityContext.runAsNonRoot=true)",
		    b.data);
	}
	pal_buf_free(&b);
	pss_list_free(&a.explicit_bad);
	pss_list_free(&a.implicit_bad);
}

/* ---- runAsUser ----------------------------------------------------------------------- */

static bool uid_zero(json_t *sc)
{
	json_t *v = json_object_get(sc, "runAsUser");
	if (!v || json_is_null(v))
		return false;
	return !json_is_integer(v) || json_integer_value(v) == 0;
}

static void run_as_user_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	if (uid_zero(pss_obj(ct, "securityContext")))
		pss_list_add(arg, name);
}

static void check_run_as_user(struct pss *c)
{
	struct pss_list bad = {0};
	bool pod = uid_zero(pss_obj(c->spec, "securityContext"));
	pss_each_container(c, run_as_user_ct, &bad);
	if (pod || bad.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		if (pod)
			pal_buf_puts(&b, "pod");
		if (bad.n) {
			if (pod)
				pal_buf_puts(&b, " and ");
			pss_containers(&bad, &b);
		}
		pss_add(c, "runAsUser", ADM_LEVEL_RESTRICTED,
			"runAsUser=0 (%s must not set runAsUser=0)", b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&bad);
}

/* ---- seccomp (restricted: RuntimeDefault or Localhost required) ------------------------ */

struct seccomp_arg {
	struct pss_list explicit_bad, implicit_bad, values;
	bool pod_ok;
};

static void seccomp_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	struct seccomp_arg *a = arg;
	json_t *sc = pss_obj(ct, "securityContext");
	json_t *prof = json_object_get(sc, "seccompProfile");
	if (prof && !json_is_null(prof)) {
		const char *t = pss_str(prof, "type");
		if (!json_is_object(prof))
			t = "<invalid>";
		if (!pss_seccomp_type_ok(t)) {
			pss_list_add(&a->explicit_bad, name);
			pss_list_add(&a->values, t ? t : "");
		}
	} else if (!a->pod_ok) {
		pss_list_add(&a->implicit_bad, name);
	}
}

static void check_seccomp_restricted(struct pss *c)
{
	struct seccomp_arg a = {0};
	json_t *prof = json_object_get(pss_obj(c->spec, "securityContext"), "seccompProfile");
	bool pod_bad = false;
	if (prof && !json_is_null(prof)) {
		const char *t = json_is_object(prof) ? pss_str(prof, "type") : "<invalid>";
		if (pss_seccomp_type_ok(t)) {
			a.pod_ok = true;
		} else {
			pod_bad = true;
			pss_list_add(&a.values, t ? t : "");
		}
	}
	pss_each_container(c, seccomp_ct, &a);
	struct pal_buf b;
	pal_buf_init(&b);
	if (pod_bad || a.explicit_bad.n) {
		if (pod_bad)
			pal_buf_puts(&b, "pod");
		if (a.explicit_bad.n) {
			if (pod_bad)
				pal_buf_puts(&b, " and ");
			pss_containers(&a.explicit_bad, &b);
		}
		pal_buf_puts(&b, " must not set securityContext.seccompProfile.type to ");
		pss_list_sort(&a.values);
		pss_join_quote(&a.values, &b);
		pss_add(c, "seccompProfile_restricted", ADM_LEVEL_RESTRICTED, "seccompProfile (%s)",
			b.data);
	} else if (a.implicit_bad.n) {
		pss_containers(&a.implicit_bad, &b);
		pss_add(c, "seccompProfile_restricted", ADM_LEVEL_RESTRICTED,
			"seccompProfile (pod or %s must set securityContext.seccompProfile.type to "
			"\"RuntimeDefault\" or \"Localhost\")",
			b.data);
	}
	pal_buf_free(&b);
	pss_list_free(&a.explicit_bad);
	pss_list_free(&a.implicit_bad);
	pss_list_free(&a.values);
}

/* ---- capabilities (restricted: drop ALL, add only NET_BIND_SERVICE) --------------------- */

struct caps_arg {
	struct pss_list missing_drop, adding, caps;
};

static void caps_ct(struct pss *c, json_t *ct, const char *name, void *arg)
{
	(void)c;
	struct caps_arg *a = arg;
	json_t *caps = pss_obj(pss_obj(ct, "securityContext"), "capabilities");
	bool dropped_all = false, bad_add = false;
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(caps, "drop"), i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), "ALL"))
			dropped_all = true;
	}
	json_t *add = json_object_get(caps, "add");
	if (add && !json_is_null(add) && !json_is_array(add)) {
		pss_list_add(&a->caps, "<invalid>");
		bad_add = true;
	}
	json_array_foreach(add, i, v)
	{
		const char *s = json_is_string(v) ? json_string_value(v) : "<invalid>";
		if (strcmp(s, "NET_BIND_SERVICE") != 0) {
			pss_list_add(&a->caps, s);
			bad_add = true;
		}
	}
	if (!dropped_all)
		pss_list_add(&a->missing_drop, name);
	if (bad_add)
		pss_list_add(&a->adding, name);
}

static void check_caps_restricted(struct pss *c)
{
	struct caps_arg a = {0};
	pss_each_container(c, caps_ct, &a);
	if (a.missing_drop.n || a.adding.n) {
		struct pal_buf b;
		pal_buf_init(&b);
		if (a.missing_drop.n) {
			pss_containers(&a.missing_drop, &b);
			pal_buf_puts(&b, " must set securityContext.capabilities.drop=[\"ALL\"]");
		}
		if (a.adding.n) {
			if (b.len)
				pal_buf_puts(&b, "; ");
			pss_containers(&a.adding, &b);
			pal_buf_puts(&b, " must not include ");
			pss_list_sort(&a.caps);
			pss_join_quote(&a.caps, &b);
			pal_buf_puts(&b, " in securityContext.capabilities.add");
		}
		pss_add(c, "capabilities_restricted", ADM_LEVEL_RESTRICTED,
			"unrestricted capabilities (%s)", b.data);
		pal_buf_free(&b);
	}
	pss_list_free(&a.missing_drop);
	pss_list_free(&a.adding);
	pss_list_free(&a.caps);
}

void pss_check_restricted(struct pss *c)
{
	check_volume_types(c);
	if (!c->windows)
		check_allow_privilege_escalation(c);
	check_run_as_non_root(c);
	check_run_as_user(c);
	if (!c->windows) {
		check_seccomp_restricted(c);
		check_caps_restricted(c);
	}
}
