/* Container recognition from cgroup paths: one real path shape per runtime,
 * cgroup driver and layout (cgroupfs and systemd drivers, v2 and v1/hybrid). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "proc/cgroup_path.h"

#include <string.h>

#define ID64  "eb526e5a5b57fd31781867c6fb520aab9631bd68aeb4ae6602449ce8f42a17e9"
#define ID64B "3f4d8a2c7b1e9f0a6d5c4b3a2918f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d"
#define POD   "0e1c6f5a-7b39-4a4e-9d4f-2a7c1b8e5d60"
#define POD_  "0e1c6f5a_7b39_4a4e_9d4f_2a7c1b8e5d60"

struct sample {
	const char *path;
	const char *runtime; /* NULL: host */
	const char *id;
	const char *pod;
};

static const struct sample samples[] = {
    /* podman: cgroupfs driver (this machine, hybrid) and systemd driver (v2) */
    {"/libpod_parent/libpod-" ID64, "podman", ID64, ""},
    {"/machine.slice/libpod-" ID64 ".scope", "podman", ID64, ""},
    {"/machine.slice/libpod-" ID64 ".scope/container", "podman", ID64, ""},
    {"/machine.slice/machine-libpod_pod_" ID64B ".slice/libpod-" ID64 ".scope", "podman", ID64, ""},
    {"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64 ".scope", "podman",
     ID64, ""},
    /* conmon is a host process beside the container */
    {"/machine.slice/libpod-conmon-" ID64 ".scope", NULL, NULL, NULL},
    {"/libpod_parent/conmon", NULL, NULL, NULL},
    /* docker: cgroupfs and systemd drivers */
    {"/docker/" ID64B, "docker", ID64B, ""},
    {"/system.slice/docker-" ID64B ".scope", "docker", ID64B, ""},
    /* containerd CRI (kubelet, systemd driver) and kubelet cgroupfs driver */
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_
     ".slice/cri-containerd-" ID64 ".scope",
     "containerd", ID64, POD},
    {"/kubepods.slice/kubepods-pod" POD_ ".slice/cri-containerd-" ID64 ".scope", "containerd", ID64,
     POD},
    {"/kubepods/besteffort/pod" POD "/" ID64, "containerd", ID64, POD},
    {"/kubepods/pod" POD "/" ID64B, "containerd", ID64B, POD},
    /* ctr: /<namespace>/<id> */
    {"/default/redis-1", "containerd", "redis-1", ""},
    {"/k8s.io/" ID64, "containerd", ID64, ""},
    /* CRI-O, both drivers; its conmon is host */
    {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_ ".slice/crio-" ID64
     ".scope",
     "cri-o", ID64, POD},
    {"/kubepods/besteffort/pod" POD "/crio-" ID64, "cri-o", ID64, POD},
    {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_
     ".slice/crio-conmon-" ID64 ".scope",
     NULL, NULL, NULL},
    /* palisade-runtime: cgroupfs (docs/state-files.md) and systemd */
    {"/palisade/web-1", "palisade", "web-1", ""},
    {"/system.slice/palisade-web-1.scope", "palisade", "web-1", ""},
    /* host */
    {"/", NULL, NULL, NULL},
    {"/init.scope", NULL, NULL, NULL},
    {"/system.slice/sshd.service", NULL, NULL, NULL},
    {"/system.slice/containerd.service", NULL, NULL, NULL},
    {"/user.slice/user-1000.slice/session-3.scope", NULL, NULL, NULL},
    {"/kubepods.slice/kubepods-burstable.slice", NULL, NULL, NULL},
    {"/other/ns-not-known", NULL, NULL, NULL},
    /* near misses: wrong id length or characters */
    {"/docker/" ID64B "0", NULL, NULL, NULL},
    {"/machine.slice/libpod-XYZ.scope", NULL, NULL, NULL},
    {"/docker/"
     "EB526E5A5B57FD31781867C6FB520AAB9631BD68AEB4AE6602449CE8F42A17E9",
     NULL, NULL, NULL},
    {"relative/path", NULL, NULL, NULL},
};

static void test_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		struct proc_cgroup_match m;
		bool ok = proc_cgroup_path_match(s->path, NULL, &m);
		if (ok != (s->runtime != NULL))
			fail_msg("%s: expected %s, got %s", s->path,
				 s->runtime ? s->runtime : "host", ok ? m.runtime : "host");
		if (!ok)
			continue;
		assert_string_equal(m.runtime, s->runtime);
		assert_string_equal(m.id, s->id);
		assert_string_equal(m.pod_uid, s->pod);
	}
}

static void test_ctr_namespaces_configurable(void **state)
{
	(void)state;
	struct proc_cgroup_match m;
	const char *const ns[] = {"buildkit", NULL};
	assert_false(proc_cgroup_path_match("/buildkit/job-7", NULL, &m));
	assert_true(proc_cgroup_path_match("/buildkit/job-7", ns, &m));
	assert_string_equal(m.id, "job-7");
	assert_false(proc_cgroup_path_match("/default/redis-1", ns, &m));
}

static char *read_sample(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/proc/cgroup/%s", PAL_TEST_DATA_DIR, name);
	char *data = NULL;
	struct pal_err err = {0};
	if (pal_read_file(path, 1 << 20, &data, len, &err) < 0)
		fail_msg("%s", err.msg);
	return data;
}

/* /proc/<pid>/cgroup of a podman container on this machine (hybrid, cgroupfs driver). */
static void test_file_hybrid_podman(void **state)
{
	(void)state;
	size_t len;
	_cleanup_free_ char *text = read_sample("podman-hybrid-cgroupfs.txt", &len);
	struct proc_cgroup_match m;
	bool v2 = false;
	assert_true(proc_cgroup_file_match(text, len, NULL, &m, &v2));
	assert_true(v2);
	assert_string_equal(m.runtime, "podman");
	assert_string_equal(m.id, ID64);
	char p[256];
	assert_true(proc_cgroup_v2_path(text, len, p, sizeof(p)));
	assert_string_equal(p, "/libpod_parent/libpod-" ID64);
}

/* ctr run on this machine: containerd's default cgroupsPath /<namespace>/<id>. */
static void test_file_hybrid_ctr(void **state)
{
	(void)state;
	size_t len;
	_cleanup_free_ char *text = read_sample("ctr-hybrid.txt", &len);
	struct proc_cgroup_match m;
	bool v2 = false;
	assert_true(proc_cgroup_file_match(text, len, NULL, &m, &v2));
	assert_true(v2);
	assert_string_equal(m.runtime, "containerd");
	assert_string_equal(m.id, "redis-1");
}

static void test_file_host(void **state)
{
	(void)state;
	size_t len;
	_cleanup_free_ char *text = read_sample("host-hybrid.txt", &len);
	struct proc_cgroup_match m;
	bool v2 = true;
	assert_false(proc_cgroup_file_match(text, len, NULL, &m, &v2));
	assert_false(v2);
}

/* Hybrid host whose runtime made only v1 cgroups: the v2 line is the root,
 * the container shows in the v1 lines, and the v2 id must not be a key. */
static void test_file_v1_only_container(void **state)
{
	(void)state;
	const char text[] = "12:pids:/docker/" ID64B "\n"
			    "11:memory:/docker/" ID64B "\n"
			    "1:name=systemd:/docker/" ID64B "\n"
			    "0::/\n";
	struct proc_cgroup_match m;
	bool v2 = true;
	assert_true(proc_cgroup_file_match(text, strlen(text), NULL, &m, &v2));
	assert_false(v2);
	assert_string_equal(m.runtime, "docker");
	assert_string_equal(m.id, ID64B);
}

static void test_file_pure_v2(void **state)
{
	(void)state;
	const char text[] =
	    "0::/kubepods.slice/kubepods-pod" POD_ ".slice/cri-containerd-" ID64 ".scope\n";
	struct proc_cgroup_match m;
	bool v2 = false;
	assert_true(proc_cgroup_file_match(text, strlen(text), NULL, &m, &v2));
	assert_true(v2);
	assert_string_equal(m.id, ID64);
	assert_string_equal(m.pod_uid, POD);
}

static void test_file_garbage(void **state)
{
	(void)state;
	struct proc_cgroup_match m;
	bool v2;
	const char *bad[] = {"", "\n\n", "0:", "x", "::::", "0::", "9:cpu\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(proc_cgroup_file_match(bad[i], strlen(bad[i]), NULL, &m, &v2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_samples),
	    cmocka_unit_test(test_ctr_namespaces_configurable),
	    cmocka_unit_test(test_file_hybrid_podman),
	    cmocka_unit_test(test_file_hybrid_ctr),
	    cmocka_unit_test(test_file_host),
	    cmocka_unit_test(test_file_v1_only_container),
	    cmocka_unit_test(test_file_pure_v2),
	    cmocka_unit_test(test_file_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
