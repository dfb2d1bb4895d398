/* adm_check_oci_config: real engine configs pass with the defaults,
 * privileged-equivalent ones fail with a message per violation. */
#include "helpers.h"
#include "admit/oci_check.h"

#include <errno.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static struct adm_policy *policy_from(const char *yaml)
{
	struct adm_policy *p = NULL;
	struct pal_err err = {0};
	if (adm_policy_load_buffer("policy.yaml", yaml, strlen(yaml), &p, &err) < 0)
		fail_msg("%s", err.msg);
	return p;
}

/* Checks patch (merged into the base config) and returns the rc. */
static int check(const struct adm_policy *p, const char *patch, const char *image,
		 struct adm_result *res)
{
	struct rt_config cfg;
	th_config(patch, &cfg);
	adm_result_init(res);
	int rc = adm_check_oci_config(p, &cfg, image, res);
	rt_config_free(&cfg);
	return rc;
}

static void test_engine_defaults_pass(void **state)
{
	(void)state;
	struct adm_policy *p = adm_policy_new();
	static const char *const files[] = {"podman-config.json", "containerd-config.json"};
	for (size_t i = 0; i < 2; i++) {
		struct rt_config cfg;
		th_config_file(files[i], &cfg);
		struct adm_result res;
		adm_result_init(&res);
		assert_int_equal(adm_check_oci_config(p, &cfg, NULL, &res), 0);
		th_expect_count(&res, 0);
		assert_false(res.deny);
		adm_result_free(&res);
		rt_config_free(&cfg);
	}
	/* podman's per-container files belong to the container with that id */
	struct rt_config cfg;
	th_config_file("podman-config.json", &cfg);
	struct adm_result res;
	adm_result_init(&res);
	struct adm_oci_input in = {
	    .container_id = "477c05e2c164fe8419e777503719ffe94af92eb5eb313ce3dc48a890bf4cce51"};
	assert_int_equal(adm_check_oci_config_ex(p, &cfg, &in, &res), 0);
	th_expect_count(&res, 0);
	adm_result_free(&res);
	adm_result_init(&res);
	in.container_id = "0123456789abcdef";
	assert_int_equal(adm_check_oci_config_ex(p, &cfg, &in, &res), -EPERM);
	th_expect_count(&res, 5); /* resolv.conf, hosts, shm, .containerenv, hostname */
	th_expect(&res,
		  "mounts[5].source /run/containers/storage/overlay-containers/477c05e2c164"
		  "fe8419e777503719ffe94af92eb5eb313ce3dc48a890bf4cce51/userdata/resolv.conf: "
		  "the container engine's state (admission.host_paths.deny: /run/containers)");
	th_expect(&res, "mounts[7].source /var/lib/containers/storage/overlay-containers/");
	adm_result_free(&res);
	rt_config_free(&cfg);
	/* the runtime's own default spec passes too */
	char *spec = rt_config_default_spec(false);
	th_parse_text(spec, &cfg);
	free(spec);
	adm_result_init(&res);
	assert_int_equal(adm_check_oci_config(p, &cfg, NULL, &res), 0);
	th_expect_count(&res, 0);
	adm_result_free(&res);
	rt_config_free(&cfg);
	adm_policy_free(p);
}

static void test_capabilities(void **state)
{
	(void)state;
	struct adm_policy *p = adm_policy_new();
	struct adm_result res;
	const char *all = "[\"CAP_CHOWN\", \"CAP_SYS_ADMIN\", \"CAP_NET_ADMIN\", \"CAP_BPF\"]";
	char patch[1024];
	snprintf(patch, sizeof(patch),
		 "{\"process\": {\"capabilities\": {\"bounding\": %s, \"effective\": %s, "
		 "\"permitted\": %s, \"inheritable\": %s, \"ambient\": %s}}}",
		 all, all, all, all, all);
	assert_int_equal(check(p, patch, NULL, &res), -EPERM);
	assert_true(res.deny);
	th_expect_count(&res, 3);
	th_expect(&res, "process.capabilities.bounding: CAP_SYS_ADMIN is privileged-equivalent "
			"(mounts, namespaces, devices and most of the kernel's administration); "
			"also in effective, permitted, inheritable, ambient");
	th_expect(&res, "process.capabilities.bounding: CAP_NET_ADMIN is privileged-equivalent");
	th_expect(&res, "process.capabilities.bounding: CAP_BPF is privileged-equivalent "
			"(loads BPF programs into the host kernel)");
	const struct adm_finding *f = th_find(&res, "CAP_SYS_ADMIN");
	assert_string_equal(f->rule, "capabilities");
	assert_string_equal(f->item, "CAP_SYS_ADMIN");
	assert_string_equal(f->field, "process.capabilities.bounding");
	adm_result_free(&res);

	/* only in the bounding set: still refused (a setuid binary or file
	 * capability could raise it) */
	assert_int_equal(check(p,
			       "{\"process\": {\"capabilities\": {\"bounding\": "
			       "[\"CAP_SYS_MODULE\"]}}}",
			       NULL, &res),
			 -EPERM);
	th_expect_count(&res, 1);
	th_expect(&res, "process.capabilities.bounding: CAP_SYS_MODULE is privileged-equivalent "
			"(loads kernel modules: arbitrary kernel code)");
	assert_null(strstr(res.v[0].message, "also in"));
	adm_result_free(&res);

	/* only in effective */
	assert_int_equal(check(p,
			       "{\"process\": {\"capabilities\": {\"bounding\": [], \"effective\": "
			       "[\"CAP_SYS_PTRACE\"], \"permitted\": [\"CAP_SYS_PTRACE\"]}}}",
			       NULL, &res),
			 -EPERM);
	th_expect(&res, "process.capabilities.effective: CAP_SYS_PTRACE is privileged-equivalent");
	th_expect(&res, "; also in permitted");
	adm_result_free(&res);

	/* a policy that denies CAP_NET_RAW too */
	struct adm_policy *q = policy_from("admission:\n  capabilities:\n    deny: [NET_RAW]\n");
	assert_int_equal(check(q,
			       "{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_NET_RAW\", "
			       "\"CAP_SYS_ADMIN\"]}}}",
			       NULL, &res),
			 -EPERM);
	th_expect_count(&res, 1);
	th_expect(&res, "CAP_NET_RAW is privileged-equivalent (denied by "
			"admission.capabilities.deny)");
	adm_result_free(&res);
	adm_policy_free(q);
	adm_policy_free(p);
}

static void test_namespaces(void **state)
{
	(void)state;
	struct adm_policy *p = adm_policy_new();
	struct adm_result res;
	assert_int_equal(
	    check(p, "{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}}", NULL, &res), -EPERM);
	th_expect_count(&res, 4);
	th_expect(&res, "linux.namespaces: no network namespace: the container would share the "
			"host's network");
	th_expect(&res, "linux.namespaces: no pid namespace: the container would share the host's "
			"processes");
	th_expect(&res, "linux.namespaces: no ipc namespace");
	th_expect(&res, "linux.namespaces: no uts namespace: the container would share the host's "
			"hostname");
	assert_string_equal(th_find(&res, "no network")->item, "network");
	adm_result_free(&res);

	/* joining the runtime's own network namespace by path */
	assert_int_equal(
	    check(p,
		  "{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": "
		  "\"network\", \"path\": \"/proc/self/ns/net\"}, {\"type\": \"ipc\"}, "
		  "{\"type\": \"uts\"}, {\"type\": \"mount\"}]}}",
		  NULL, &res),
	    -EPERM);
	th_expect_count(&res, 1);
	th_expect(&res, "linux.namespaces[1].path /proc/self/ns/net: palisade-runtime's own "
			"network namespace: the container would share the host's network");
	assert_string_equal(res.v[0].field, "linux.namespaces[1].path");
	adm_result_free(&res);

	/* pid 1's namespaces, compared by inode (a fake /proc for the test) */
	char *dir = th_tmpdir();
	char *ns = pal_xasprintf("%s/1/ns", dir);
	struct pal_err err = {0};
	assert_int_equal(pal_mkdir_p(ns, 0755, &err), 0);
	char *net = pal_xasprintf("%s/net", ns);
	FILE *f = fopen(net, "w");
	fclose(f);
	free(p->proc_root);
	p->proc_root = pal_xstrdup(dir);
	char patch[1024];
	snprintf(patch, sizeof(patch),
		 "{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\", "
		 "\"path\": \"%s\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": "
		 "\"mount\"}]}}",
		 net);
	assert_int_equal(check(p, patch, NULL, &res), -EPERM);
	th_expect(&res, "the host's network namespace: the container would share the host's "
			"network");
	adm_result_free(&res);
	/* another namespace (a path that is not pid 1's), or one that does not exist */
	char *other = pal_xasprintf("%s/other-netns", dir);
	f = fopen(other, "w");
	fclose(f);
	snprintf(patch, sizeof(patch),
		 "{\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\", "
		 "\"path\": \"%s\"}, {\"type\": \"ipc\", \"path\": \"/run/nonexistent/ipc\"}, "
		 "{\"type\": \"uts\"}, {\"type\": \"mount\"}]}}",
		 other);
	assert_int_equal(check(p, patch, NULL, &res), 0);
	th_expect_count(&res, 0);
	adm_result_free(&res);
	free(other);
	free(net);
	free(ns);
	th_rmdir(dir);

	/* user and cgroup namespaces are not required by default; a policy can */
	struct adm_policy *q = policy_from("admission:\n  host_namespaces: [user, cgroup]\n");
	assert_int_equal(check(q, NULL, NULL, &res), -EPERM);
	th_expect_count(&res, 2);
	th_expect(&res, "no user namespace: the container would share the host's user ids");
	th_expect(&res, "no cgroup namespace");
	adm_result_free(&res);
	adm_policy_free(q);
	q = policy_from("admission:\n  host_namespaces: allow\n");
	assert_int_equal(
	    check(q, "{\"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}}", NULL, &res), 0);
	th_expect_count(&res, 0);
	adm_result_free(&res);
	adm_policy_free(q);
	adm_policy_free(p);
}

static int check_mount(const struct adm_policy *p, const char *mount_json, struct adm_result *res)
{
	char patch[2048];
	snprintf(patch, sizeof(patch), "{\"mounts\": [%s]}", mount_json);
	return check(p, patch, NULL, res);
}

static void test_host_paths(void **state)
{
	(void)state;
	struct adm_policy *p = adm_policy_new();
	struct adm_result res;
	assert_int_equal(check_mount(p,
				     "{\"destination\": \"/var/run/docker.sock\", \"type\": "
				     "\"bind\", \"source\": \"/var/run/docker.sock\", \"options\": "
				     "[\"rbind\"]}",
				     &res),
			 -EPERM);
	th_expect_count(&res, 1);
	/* /var/run is a symlink to /run on Debian: either way the engine's socket */
	if (!th_find(&res, "mounts[0].source /var/run/docker.sock: the container engine's "
			   "socket") &&
	    !th_find(&res, "mounts[0].source /var/run/docker.sock (resolves to "
			   "/run/docker.sock): the container engine's socket"))
		fail_msg("wrong message: %s", res.v[0].message);
	assert_string_equal(res.v[0].rule, "host_paths");
	assert_string_equal(res.v[0].field, "mounts[0].source");
	adm_result_free(&res);

	assert_int_equal(
	    check_mount(p,
			"{\"destination\": \"/c.sock\", \"source\": "
			"\"/run/containerd/containerd.sock\", \"options\": [\"bind\"]}",
			&res),
	    -EPERM);
	th_expect(&res, "mounts[0].source /run/containerd/containerd.sock: the container engine's "
			"socket and state (admission.host_paths.deny: /run/containerd)");
	adm_result_free(&res);

	assert_int_equal(check_mount(p,
				     "{\"destination\": \"/host\", \"source\": \"/\", \"options\": "
				     "[\"rbind\"]}",
				     &res),
			 -EPERM);
	th_expect(&res, "mounts[0].source /: the host's root filesystem");
	adm_result_free(&res);

	/* a path outside every denied tree, and a tmpfs */
	assert_int_equal(check_mount(p,
				     "{\"destination\": \"/data\", \"source\": \"/srv/data\", "
				     "\"options\": [\"bind\"]}, {\"destination\": \"/tmp\", "
				     "\"type\": \"tmpfs\", \"source\": \"tmpfs\"}",
				     &res),
			 0);
	th_expect_count(&res, 0);
	adm_result_free(&res);

	/* read-only binds of the allow_readonly paths */
	assert_int_equal(
	    check_mount(p,
			"{\"destination\": \"/certs\", \"source\": \"/etc/ssl/certs\", "
			"\"options\": [\"bind\"]}",
			&res),
	    -EPERM);
	th_expect(&res, "(admission.host_paths.deny: /etc); a read-only bind (ro, and rro when "
			"submounts exist) would be allowed");
	adm_result_free(&res);
	assert_int_equal(
	    check_mount(p,
			"{\"destination\": \"/certs\", \"source\": \"/etc/ssl/certs\", "
			"\"options\": [\"bind\", \"ro\"]}",
			&res),
	    0);
	adm_result_free(&res);
	/* a recursive read-only bind (podman's -v SRC:DST:ro) of a tree without
	 * submounts is read-only as a whole */
	assert_int_equal(
	    check_mount(p,
			"{\"destination\": \"/certs\", \"source\": \"/etc/ssl/certs\", "
			"\"options\": [\"rbind\", \"ro\"]}",
			&res),
	    0);
	adm_result_free(&res);
	assert_int_equal(
	    check_mount(p,
			"{\"destination\": \"/certs\", \"source\": \"/etc/ssl/certs\", "
			"\"options\": [\"rbind\", \"ro\", \"rro\"]}",
			&res),
	    0);
	adm_result_free(&res);
	/* read-only does not help for paths outside allow_readonly */
	assert_int_equal(check_mount(p,
				     "{\"destination\": \"/shadow\", \"source\": \"/etc/shadow\", "
				     "\"options\": [\"bind\", \"ro\"]}",
				     &res),
			 -EPERM);
	assert_null(strstr(res.v[0].message, "read-only bind"));
	adm_result_free(&res);

	/* the decision is made on the resolved path */
	char *dir = th_tmpdir();
	char *link = pal_xasprintf("%s/innocent", dir);
	assert_int_equal(symlink("/etc", link), 0);
	char mount[512];
	snprintf(mount, sizeof(mount),
		 "{\"destination\": \"/x\", \"source\": \"%s\", \"options\": [\"bind\"]}", link);
	assert_int_equal(check_mount(p, mount, &res), -EPERM);
	char want[512];
	snprintf(want, sizeof(want),
		 "mounts[0].source %s (resolves to /etc): the host's configuration", link);
	th_expect(&res, want);
	adm_result_free(&res);

	/* a filesystem mounted from a host block device */
	char *blk = pal_xasprintf("%s/disk", dir);
	assert_int_equal(mknod(blk, S_IFBLK | 0600, makedev(7, 200)), 0);
	snprintf(mount, sizeof(mount),
		 "{\"destination\": \"/disk\", \"type\": \"ext4\", \"source\": \"%s\"}", blk);
	assert_int_equal(check_mount(p, mount, &res), -EPERM);
	snprintf(want, sizeof(want),
		 "mounts[0].source %s: mounts a host block device (7:200) as ext4", blk);
	th_expect(&res, want);
	adm_result_free(&res);
	free(blk);
	free(link);
	th_rmdir(dir);

	/* paths added by the policy, with their reason */
	struct adm_policy *q =
	    policy_from("admission:\n  host_paths:\n    deny: [{path: /srv/keys, reason: the "
			"signing keys}]\n");
	assert_int_equal(check_mount(q,
				     "{\"destination\": \"/k\", \"source\": \"/srv/keys/a\", "
				     "\"options\": [\"bind\"]}",
				     &res),
			 -EPERM);
	th_expect(&res,
		  "mounts[0].source /srv/keys/a: the signing keys (admission.host_paths.deny: "
		  "/srv/keys)");
	adm_result_free(&res);
	/* the defaults are replaced: the docker socket is no longer listed */
	assert_int_equal(check_mount(q,
				     "{\"destination\": \"/s\", \"source\": \"/run/docker.sock\", "
				     "\"options\": [\"bind\"]}",
				     &res),
			 0);
	adm_result_free(&res);
	adm_policy_free(q);
	adm_policy_free(p);
}

/* A tree with a mount below it: only rro makes a recursive bind read-only. */
static void test_readonly_submounts(void **state)
{
	(void)state;
	char *dir = th_tmpdir();
	char *ro = pal_xasprintf("%s/ro", dir), *sub = pal_xasprintf("%s/ro/sub", dir);
	struct pal_err err = {0};
	assert_int_equal(pal_mkdir_p(sub, 0755, &err), 0);
	if (mount("pal-admit-test", sub, "tmpfs", 0, "size=64k") < 0)
		fail_msg("mount tmpfs on %s: %s (the unit tests run as root)", sub,
			 strerror(errno));
	char *yaml = pal_xasprintf("admission:\n  host_paths:\n    deny: [%s]\n    "
				   "allow_readonly: [%s]\n",
				   dir, ro);
	struct adm_policy *p = policy_from(yaml);
	char mount_json[512];
	struct adm_result res;
	snprintf(mount_json, sizeof(mount_json),
		 "{\"destination\": \"/x\", \"source\": \"%s\", \"options\": [\"rbind\", "
		 "\"ro\"]}",
		 ro);
	int rc_rbind_ro = check_mount(p, mount_json, &res);
	adm_result_free(&res);
	snprintf(mount_json, sizeof(mount_json),
		 "{\"destination\": \"/x\", \"source\": \"%s\", \"options\": [\"rbind\", "
		 "\"ro\", \"rro\"]}",
		 ro);
	int rc_rro = check_mount(p, mount_json, &res);
	adm_result_free(&res);
	snprintf(mount_json, sizeof(mount_json),
		 "{\"destination\": \"/x\", \"source\": \"%s\", \"options\": [\"bind\", "
		 "\"ro\"]}",
		 ro);
	int rc_bind_ro = check_mount(p, mount_json, &res);
	adm_result_free(&res);
	umount2(sub, MNT_DETACH);
	assert_int_equal(rc_rbind_ro, -EPERM);
	assert_int_equal(rc_rro, 0);
	assert_int_equal(rc_bind_ro, 0); /* a plain bind does not carry the submount */
	adm_policy_free(p);
	free(yaml);
	free(ro);
	free(sub);
	th_rmdir(dir);
}

static void test_placeholders(void **state)
{
	(void)state;
	struct adm_policy *p = adm_policy_new();
	struct adm_result res;
	/* containerd's CRI: the pod sandbox's files, the kubelet's pod volumes */
	const char *cri = "{\"annotations\": {\"io.kubernetes.cri.sandbox-id\": \"abc123\", "
			  "\"io.kubernetes.cri.sandbox-uid\": \"1f2e-33\"}, \"mounts\": [%s]}";
	char patch[2048];
	snprintf(patch, sizeof(patch), cri,
		 "{\"destination\": \"/etc/hostname\", \"source\": "
		 "\"/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/abc123/hostname\", "
		 "\"options\": [\"bind\"]}, {\"destination\": \"/var/run/secrets/token\", "
		 "\"source\": \"/var/lib/kubelet/pods/1f2e-33/volumes/kubernetes.io~projected/t\", "
		 "\"options\": [\"bind\", \"ro\"]}");
	assert_int_equal(check(p, patch, NULL, &res), 0);
	th_expect_count(&res, 0);
	adm_result_free(&res);
	/* another pod's files are refused */
	snprintf(patch, sizeof(patch), cri,
		 "{\"destination\": \"/etc/hostname\", \"source\": "
		 "\"/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/other/hostname\", "
		 "\"options\": [\"bind\"]}, {\"destination\": \"/t\", \"source\": "
		 "\"/var/lib/kubelet/pods/9999/volumes/kubernetes.io~projected/t\", \"options\": "
		 "[\"bind\", \"ro\"]}");
	assert_int_equal(check(p, patch, NULL, &res), -EPERM);
	th_expect_count(&res, 2);
	th_expect(&res, "mounts[0].source /var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/"
			"other/hostname: the container engine's storage");
	th_expect(&res, "mounts[1].source /var/lib/kubelet/pods/9999/volumes/kubernetes.io~"
			"projected/t: the kubelet's state and credentials");
	adm_result_free(&res);
	/* without the annotations, nothing under the sandboxes is allowed */
	assert_int_equal(check(p,
			       "{\"mounts\": [{\"destination\": \"/h\", \"source\": "
			       "\"/var/lib/kubelet/pods/1f2e-33/etc-hosts\", \"options\": "
			       "[\"bind\"]}]}",
			       NULL, &res),
			 -EPERM);
	adm_result_free(&res);
	/* CRI-O: the sandbox id annotation and the pod uid inside the labels */
	assert_int_equal(
	    check(p,
		  "{\"annotations\": {\"io.kubernetes.cri-o.SandboxID\": \"sb1\", "
		  "\"io.kubernetes.cri-o.Labels\": \"{\\\"io.kubernetes.pod.uid\\\": "
		  "\\\"u-1\\\"}\"}, \"mounts\": [{\"destination\": \"/dev/shm\", "
		  "\"source\": \"/run/containers/storage/overlay-containers/sb1/"
		  "userdata/shm\", \"options\": [\"bind\"]}, {\"destination\": "
		  "\"/etc/hosts\", \"source\": \"/var/lib/kubelet/pods/u-1/etc-hosts\", "
		  "\"options\": [\"bind\"]}]}",
		  NULL, &res),
	    0);
	th_expect_count(&res, 0);
	adm_result_free(&res);
	/* an id that is not a plain path component never matches */
	assert_int_equal(check(p,
			       "{\"annotations\": {\"io.kubernetes.cri.sandbox-id\": \"..\"}, "
			       "\"mounts\": [{\"destination\": \"/x\", \"source\": "
			       "\"/var/lib/containerd/io.containerd.grpc.v1.cri/x\", \"options\": "
			       "[\"bind\"]}]}",
			       NULL, &res),
			 -EPERM);
	adm_result_free(&res);

	/* adm_host_path_allowed: the check the runtime repeats on the opened source */
	struct rt_config cfg;
	th_config("{\"annotations\": {\"io.kubernetes.cri.sandbox-id\": \"abc123\"}}", &cfg);
	const char *reason = NULL;
	assert_true(adm_host_path_allowed(
	    p, &cfg, NULL, "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/abc123/shm", false,
	    &reason));
	assert_false(adm_host_path_allowed(p, &cfg, NULL, "/run/containerd/containerd.sock", false,
					   &reason));
	assert_string_equal(reason, "the container engine's socket and state");
	assert_true(adm_host_path_allowed(p, &cfg, NULL, "/usr/share/zoneinfo/UTC", true, &reason));
	assert_false(
	    adm_host_path_allowed(p, &cfg, NULL, "/usr/share/zoneinfo/UTC", false, &reason));
	assert_true(adm_host_path_allowed(p, &cfg, "c1", "/var/lib/docker/containers/c1/hosts",
					  false, &reason));
	assert_false(adm_host_path_allowed(p, &cfg, "c1", "/var/lib/docker/containers/c2/hosts",
					   false, &reason));
	rt_config_free(&cfg);
	adm_policy_free(p);
}

static void test_devices(void **state)
{
	(void)state;
	struct adm_policy *p = adm_policy_new();
	struct adm_result res;
	assert_int_equal(
	    check(p,
		  "{\"linux\": {\"resources\": {\"devices\": [{\"allow\": false, "
		  "\"access\": \"rwm\"}, {\"allow\": true, \"access\": \"rwm\"}, "
		  "{\"allow\": true, \"type\": \"c\", \"major\": 10, \"minor\": 229, "
		  "\"access\": \"rwm\"}, {\"allow\": true, \"type\": \"b\", \"major\": "
		  "8, \"minor\": 0, \"access\": \"r\"}, {\"allow\": true, \"type\": "
		  "\"c\", \"access\": \"m\"}]}, \"devices\": [{\"path\": \"/dev/mem\", "
		  "\"type\": \"c\", \"major\": 1, \"minor\": 1}, {\"path\": "
		  "\"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229}]}}",
		  NULL, &res),
	    -EPERM);
	th_expect_count(&res, 3);
	th_expect(&res, "linux.resources.devices[1]: allows 'rwm' access to every device of the "
			"host");
	th_expect(&res, "linux.resources.devices[3]: allows 'r' access to the host's block device "
			"8:0");
	th_expect(&res, "linux.devices[0] /dev/mem (1:1): physical memory (/dev/mem)");
	adm_result_free(&res);
	struct adm_policy *q = policy_from("admission:\n  devices: allow\n");
	assert_int_equal(
	    check(q,
		  "{\"linux\": {\"devices\": [{\"path\": \"/dev/sda\", \"type\": \"b\", "
		  "\"major\": 8, \"minor\": 0}]}}",
		  NULL, &res),
	    0);
	th_expect_count(&res, 0);
	adm_result_free(&res);
	adm_policy_free(q);
	adm_policy_free(p);
}

static void test_exceptions(void **state)
{
	(void)state;
	struct adm_policy *p =
	    policy_from("admission:\n"
			"  exceptions:\n"
			"    - images: [registry.example.com/infra]\n"
			"      allow: [host_namespaces:network, capabilities:CAP_NET_ADMIN]\n"
			"    - annotations: {io.kubernetes.cri.container-name: debug}\n"
			"      allow: [capabilities]\n"
			"    - images: [registry.example.com/logs]\n"
			"      allow: [\"host_paths:/var/log\"]\n");
	const char *hostnet_netadmin =
	    "{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_NET_ADMIN\", "
	    "\"CAP_SYS_ADMIN\"]}}, \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": "
	    "\"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"}]}}";
	struct adm_result res;
	/* the exception covers network and NET_ADMIN, not SYS_ADMIN */
	assert_int_equal(check(p, hostnet_netadmin, "registry.example.com/infra/cni:1.2", &res),
			 -EPERM);
	th_expect_count(&res, 3);
	assert_int_equal(adm_result_count(&res), 1);
	assert_true(th_find(&res, "no network namespace")->excepted);
	assert_int_equal(th_find(&res, "no network namespace")->exception_line, 3);
	assert_true(th_find(&res, "CAP_NET_ADMIN")->excepted);
	assert_false(th_find(&res, "CAP_SYS_ADMIN")->excepted);
	char *joined = adm_result_join(&res, "; ");
	assert_non_null(strstr(joined, "CAP_SYS_ADMIN"));
	assert_null(strstr(joined, "CAP_NET_ADMIN"));
	free(joined);
	adm_result_free(&res);
	/* another image: nothing excepted; no image known: nothing excepted */
	assert_int_equal(check(p, hostnet_netadmin, "docker.io/library/busybox", &res), -EPERM);
	assert_int_equal(adm_result_count(&res), 3);
	adm_result_free(&res);
	assert_int_equal(check(p, hostnet_netadmin, NULL, &res), -EPERM);
	assert_int_equal(adm_result_count(&res), 3);
	adm_result_free(&res);
	/* by annotation: every capability finding, but not the namespace */
	const char *debug =
	    "{\"annotations\": {\"io.kubernetes.cri.container-name\": \"debug\"}, \"process\": "
	    "{\"capabilities\": {\"bounding\": [\"CAP_SYS_ADMIN\", \"CAP_SYS_PTRACE\"]}}}";
	assert_int_equal(check(p, debug, NULL, &res), 0);
	assert_int_equal(adm_result_count(&res), 0);
	th_expect_count(&res, 2);
	assert_false(res.deny);
	adm_result_free(&res);
	/* host_paths:/var/log covers paths below it */
	assert_int_equal(check(p,
			       "{\"mounts\": [{\"destination\": \"/l\", \"source\": "
			       "\"/var/log/pods\", \"options\": [\"bind\", \"ro\"]}]}",
			       "registry.example.com/logs/agent@sha256:"
			       "0000000000000000000000000000000000000000000000000000000000000000",
			       &res),
			 0);
	assert_true(res.v[0].excepted);
	adm_result_free(&res);
	/* the result as JSON keeps excepted findings for the audit trail */
	assert_int_equal(check(p, debug, NULL, &res), 0);
	json_t *j = adm_result_json(&res);
	assert_false(json_is_true(json_object_get(j, "deny")));
	assert_int_equal(json_array_size(json_object_get(j, "findings")), 2);
	assert_true(json_is_true(
	    json_object_get(json_array_get(json_object_get(j, "findings"), 0), "excepted")));
	json_decref(j);
	adm_result_free(&res);
	adm_policy_free(p);
}

static void test_modes(void **state)
{
	(void)state;
	const char *bad = "{\"process\": {\"capabilities\": {\"bounding\": [\"CAP_SYS_ADMIN\"]}}}";
	struct adm_policy *p = policy_from("admission:\n  mode: warn\n");
	struct adm_result res;
	assert_int_equal(check(p, bad, NULL, &res), 0);
	assert_false(res.deny);
	assert_true(res.warn);
	th_expect_count(&res, 1);
	adm_result_free(&res);
	adm_policy_free(p);
	p = policy_from("admission:\n  mode: off\n");
	assert_int_equal(check(p, bad, NULL, &res), 0);
	th_expect_count(&res, 0);
	assert_false(res.warn);
	adm_result_free(&res);
	adm_policy_free(p);
}

static void test_image_annotations(void **state)
{
	(void)state;
	struct rt_config cfg;
	th_config(NULL, &cfg);
	assert_null(adm_config_image_ref(&cfg));
	rt_config_free(&cfg);
	th_config("{\"annotations\": {\"io.kubernetes.cri-o.ImageName\": \"quay.io/a/b:1\"}}",
		  &cfg);
	assert_string_equal(adm_config_image_ref(&cfg), "quay.io/a/b:1");
	rt_config_free(&cfg);
	th_config("{\"annotations\": {\"io.kubernetes.cri.image-name\": \"docker.io/x/y:2\", "
		  "\"io.palisade.image\": \"/srv/layout:v1\"}}",
		  &cfg);
	assert_string_equal(adm_config_image_ref(&cfg), "docker.io/x/y:2");
	rt_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_engine_defaults_pass),
	    cmocka_unit_test(test_capabilities),
	    cmocka_unit_test(test_namespaces),
	    cmocka_unit_test(test_host_paths),
	    cmocka_unit_test(test_readonly_submounts),
	    cmocka_unit_test(test_placeholders),
	    cmocka_unit_test(test_devices),
	    cmocka_unit_test(test_exceptions),
	    cmocka_unit_test(test_modes),
	    cmocka_unit_test(test_image_annotations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
