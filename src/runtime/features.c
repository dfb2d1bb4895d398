#include "runtime/features.h"
#include "runtime/oci_config.h"
#include "runtime/seccomp.h"
#include "runtime/state.h"
#include "runtime/wx.h"

static json_t *strv_json(const char *const *v)
{
	json_t *a = json_array();
	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *rt_features_json(void)
{
	static const char *const hooks[] = {"prestart",
					    "createRuntime",
					    "createContainer",
					    "startContainer",
					    "poststart",
					    "poststop",
					    NULL};
	static const char *const mount_options[] = {"async",	   "atime",	   "bind",
						    "defaults",	   "dev",	   "diratime",
						    "dirsync",	   "exec",	   "lazytime",
						    "mand",	   "noatime",	   "nodev",
						    "nodiratime",  "noexec",	   "nolazytime",
						    "nomand",	   "norelatime",   "nostrictatime",
						    "nosuid",	   "private",	   "rbind",
						    "relatime",	   "remount",	   "ro",
						    "rprivate",	   "rro",	   "rrw",
						    "rnosuid",	   "rsuid",	   "rnodev",
						    "rdev",	   "rnoexec",	   "rexec",
						    "rnoatime",	   "ratime",	   "rrelatime",
						    "rnorelatime", "rstrictatime", "rnostrictatime",
						    "rnodiratime", "rdiratime",	   "rshared",
						    "rslave",	   "runbindable",  "rw",
						    "shared",	   "slave",	   "strictatime",
						    "suid",	   "sync",	   "unbindable",
						    NULL};
	json_t *f = json_object();
	json_object_set_new(f, "ociVersionMin", json_string("1.0.0"));
	json_object_set_new(f, "ociVersionMax", json_string(RT_OCI_VERSION));
	json_object_set_new(f, "hooks", strv_json(hooks));
	json_object_set_new(f, "mountOptions", strv_json(mount_options));

	json_t *linux_ = json_object();
	json_t *ns = json_array();
	for (int t = 0; t < RT_NS__COUNT; t++)
		json_array_append_new(ns, json_string(rt_ns_type_name((enum rt_ns_type)t)));
	json_object_set_new(linux_, "namespaces", ns);
	json_t *caps = json_array();
	for (int c = 0; c <= rt_cap_last(); c++) {
		const char *n = rt_cap_name(c);
		if (n)
			json_array_append_new(caps, json_string(n));
	}
	json_object_set_new(linux_, "capabilities", caps);
	json_object_set_new(linux_, "cgroup",
			    json_pack("{s:b, s:b, s:b, s:b, s:b}", "v1", 1, "v2", 1, "systemd", 0,
				      "systemdUser", 0, "rdma", 1));
	json_t *sc = json_object();
	json_object_set_new(sc, "enabled", json_true());
	json_object_set_new(sc, "actions", strv_json(rt_seccomp_known_actions()));
	json_object_set_new(sc, "operators", strv_json(rt_seccomp_known_operators()));
	json_object_set_new(sc, "archs", strv_json(rt_seccomp_known_archs()));
	json_object_set_new(sc, "knownFlags", strv_json(rt_seccomp_known_flags()));
	json_object_set_new(sc, "supportedFlags", strv_json(rt_seccomp_supported_flags()));
	json_object_set_new(linux_, "seccomp", sc);
	json_object_set_new(linux_, "apparmor", json_pack("{s:b}", "enabled", 0));
	json_object_set_new(linux_, "selinux", json_pack("{s:b}", "enabled", 0));
	json_object_set_new(linux_, "intelRdt", json_pack("{s:b}", "enabled", 0));
	json_object_set_new(linux_, "mountExtensions",
			    json_pack("{s:{s:b}}", "idmap", "enabled", 0));
	json_object_set_new(f, "linux", linux_);

	json_t *ann = json_object();
	json_object_set_new(ann, "io.palisade.version", json_string(PAL_VERSION));
	json_object_set_new(ann, "io.palisade.landlock.abi", json_integer(rt_landlock_abi()));
	json_object_set_new(ann, "io.palisade.hardening.default",
			    json_string("seccomp,wx-landlock,no-new-privs"));
	json_object_set_new(f, "annotations", ann);
	return f;
}
