/* `palisade-runtime spec`: the starting config.json, with the fields and
 * defaults `runc spec` (1.1) writes, so bundles and habits carry over. The
 * rootless variant makes the changes `runc spec --rootless` makes. */
#include "oci_internal.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <string.h>
#include <unistd.h>

#define DEFAULT_OCI_VERSION "1.2.0"

static json_t *default_process(void)
{
	return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s,"
			 " s:{s:[s,s,s], s:[s,s,s], s:[s,s,s], s:[s,s,s]},"
			 " s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env",
			 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			 "TERM=xterm", "cwd", "/", "capabilities", "bounding", "CAP_AUDIT_WRITE",
			 "CAP_KILL", "CAP_NET_BIND_SERVICE", "effective", "CAP_AUDIT_WRITE",
			 "CAP_KILL", "CAP_NET_BIND_SERVICE", "permitted", "CAP_AUDIT_WRITE",
			 "CAP_KILL", "CAP_NET_BIND_SERVICE", "ambient", "CAP_AUDIT_WRITE",
			 "CAP_KILL", "CAP_NET_BIND_SERVICE", "rlimits", "type", "RLIMIT_NOFILE",
			 "hard", 1024, "soft", 1024, "noNewPrivileges", 1);
}

static json_t *default_mounts(void)
{
	return json_pack("[{s:s, s:s, s:s},"
			 " {s:s, s:s, s:s, s:[s,s,s,s]},"
			 " {s:s, s:s, s:s, s:[s,s,s,s,s,s]},"
			 " {s:s, s:s, s:s, s:[s,s,s,s,s]},"
			 " {s:s, s:s, s:s, s:[s,s,s]},"
			 " {s:s, s:s, s:s, s:[s,s,s,s]},"
			 " {s:s, s:s, s:s, s:[s,s,s,s,s]}]",
			 "destination", "/proc", "type", "proc", "source", "proc",
			 /* /dev */
			 "destination", "/dev", "type", "tmpfs", "source", "tmpfs", "options",
			 "nosuid", "strictatime", "mode=755", "size=65536k",
			 /* /dev/pts */
			 "destination", "/dev/pts", "type", "devpts", "source", "devpts", "options",
			 "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5",
			 /* /dev/shm */
			 "destination", "/dev/shm", "type", "tmpfs", "source", "shm", "options",
			 "nosuid", "noexec", "nodev", "mode=1777", "size=65536k",
			 /* /dev/mqueue */
			 "destination", "/dev/mqueue", "type", "mqueue", "source", "mqueue",
			 "options", "nosuid", "noexec", "nodev",
			 /* /sys */
			 "destination", "/sys", "type", "sysfs", "source", "sysfs", "options",
			 "nosuid", "noexec", "nodev", "ro",
			 /* /sys/fs/cgroup */
			 "destination", "/sys/fs/cgroup", "type", "cgroup", "source", "cgroup",
			 "options", "nosuid", "noexec", "nodev", "relatime", "ro");
}

static json_t *default_linux(void)
{
	return json_pack("{s:{s:[{s:b, s:s}]},"
			 " s:[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}],"
			 " s:[s,s,s,s,s,s,s,s,s,s],"
			 " s:[s,s,s,s,s]}",
			 "resources", "devices", "allow", 0, "access", "rwm", "namespaces", "type",
			 "pid", "type", "network", "type", "ipc", "type", "uts", "type", "mount",
			 "maskedPaths", "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
			 "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
			 "/proc/sched_debug", "/sys/firmware", "/proc/scsi", "readonlyPaths",
			 "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
}

static bool is_id_option(json_t *opt)
{
	const char *s = json_string_value(opt);
	return s && (strncmp(s, "uid=", 4) == 0 || strncmp(s, "gid=", 4) == 0);
}

/* An unprivileged user cannot mount a fresh sysfs or choose file owners:
 * bind the host's /sys instead and drop uid=/gid= options. */
static void make_mounts_rootless(json_t *mounts)
{
	size_t i;
	json_t *m;
	json_array_foreach(mounts, i, m)
	{
		const char *dest = json_string_value(json_object_get(m, "destination"));
		if (dest && strcmp(dest, "/sys") == 0) {
			json_array_set_new(mounts, i,
					   json_pack("{s:s, s:s, s:s, s:[s,s,s,s,s]}",
						     "destination", "/sys", "type", "none",
						     "source", "/sys", "options", "rbind", "nosuid",
						     "noexec", "nodev", "ro"));
			continue;
		}
		json_t *opts = json_object_get(m, "options");
		for (size_t k = json_array_size(opts); k-- > 0;)
			if (is_id_option(json_array_get(opts, k)))
				json_array_remove(opts, k);
	}
}

/* A user namespace mapping the caller to root, no network namespace (an
 * unprivileged user could not configure one), no cgroup limits. */
static void make_linux_rootless(json_t *lx)
{
	json_t *ns = json_object_get(lx, "namespaces");
	for (size_t k = json_array_size(ns); k-- > 0;) {
		const char *t = json_string_value(json_object_get(json_array_get(ns, k), "type"));
		if (t && (strcmp(t, "network") == 0 || strcmp(t, "user") == 0))
			json_array_remove(ns, k);
	}
	json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
	json_object_del(lx, "resources");
	json_t *uid = json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
				(json_int_t)geteuid(), "size", 1);
	json_t *gid = json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
				(json_int_t)getegid(), "size", 1);
	/* runc writes the mappings before the namespaces: rebuild to keep its order. */
	json_t *ordered = json_pack("{s:o, s:o}", "uidMappings", uid, "gidMappings", gid);
	json_object_update(ordered, lx);
	json_object_clear(lx);
	json_object_update(lx, ordered);
	json_decref(ordered);
}

char *rt_config_default_spec(bool rootless)
{
	json_t *mounts = default_mounts();
	json_t *lx = default_linux();
	if (rootless) {
		make_mounts_rootless(mounts);
		make_linux_rootless(lx);
	}
	_cleanup_json_ json_t *spec =
	    json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", DEFAULT_OCI_VERSION,
		      "process", default_process(), "root", "path", "rootfs", "readonly", 1,
		      "hostname", "palisade", "mounts", mounts, "linux", lx);
	if (!spec)
		return NULL;
	char *text = json_dumps(spec, JSON_INDENT(4));
	if (!text)
		return NULL;
	size_t n = strlen(text);
	char *out = pal_xrealloc(text, n + 2);
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}
