/* The container registry and the runtimes' files it reads: palisade state
 * files, containers-storage, docker's config.v2.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "proc/container_info.h"
#include "proc/containers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PODMAN_ID "428edd6796ffa45953f0e6bc01e0e40f527ee627c940434b1151327cc95c5578"
#define DIGEST	  "sha256:31b89eabe95536e5da6f2786e70d76ee8a74a7b9c98db37e3cf396b3ba3b367c"

static char *data_file(const char *rel, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/proc/%s", PAL_TEST_DATA_DIR, rel);
	char *data = NULL;
	struct pal_err err = {0};
	if (pal_read_file(path, 1 << 20, &data, len, &err) < 0)
		fail_msg("%s", err.msg);
	return data;
}

static void test_state_file_valid(void **state)
{
	(void)state;
	size_t len;
	_cleanup_free_ char *d = data_file("state/web-1.json", &len);
	struct proc_container_info ci;
	struct pal_err err = {0};
	assert_int_equal(proc_state_file_parse("web-1.json", d, len, &ci, &err), 0);
	assert_string_equal(ci.id, "web-1");
	assert_string_equal(ci.runtime, "palisade");
	assert_int_equal(ci.cgroup_id, 1234);
	assert_int_equal(ci.pid, 4242);
	assert_string_equal(ci.image, "registry.example/shop/web:1.2");
	assert_string_equal(ci.image_digest, DIGEST);
	assert_string_equal(ci.pod_name, "web-7d4f");
	assert_string_equal(ci.pod_namespace, "shop");
	proc_container_info_clear(&ci);
}

static void expect_state_error(const char *file, const char *needle)
{
	size_t len;
	char rel[128];
	snprintf(rel, sizeof(rel), "state/%s", file);
	_cleanup_free_ char *d = data_file(rel, &len);
	struct proc_container_info ci;
	struct pal_err err = {0};
	assert_true(proc_state_file_parse(file, d, len, &ci, &err) < 0);
	if (!strstr(err.msg, needle))
		fail_msg("%s: message \"%s\" lacks \"%s\"", file, err.msg, needle);
	assert_null(ci.id);
}

static void test_state_file_invalid(void **state)
{
	(void)state;
	expect_state_error("bad-id.json", "id must");
	expect_state_error("bad-digest.json", "image.digest");
	expect_state_error("bad-version.json", "version 2");
	expect_state_error("bad-type.json", "cgroup_id");
	expect_state_error("not-json.json", "invalid JSON");
}

static void test_storage_lookup(void **state)
{
	(void)state;
	size_t cl, il;
	_cleanup_free_ char *c = data_file("storage/containers.json", &cl);
	_cleanup_free_ char *i = data_file("storage/images.json", &il);
	struct proc_container_info ci;
	struct pal_err err = {0};
	assert_int_equal(proc_storage_lookup(c, cl, i, il, PODMAN_ID, &ci, &err), 0);
	assert_string_equal(ci.name, "palpeek");
	assert_string_equal(ci.image, "localhost/palbb:test");
	assert_string_equal(ci.image_digest, DIGEST);
	proc_container_info_clear(&ci);
	assert_int_equal(proc_storage_lookup(c, cl, i, il, "0000", &ci, &err), -ENOENT);
	assert_true(proc_storage_lookup("{}", 2, NULL, 0, PODMAN_ID, &ci, &err) < 0);
}

static void test_docker_config(void **state)
{
	(void)state;
	size_t len;
	_cleanup_free_ char *d = data_file("docker/config.v2.json", &len);
	struct proc_container_info ci;
	struct pal_err err = {0};
	assert_int_equal(proc_docker_config_parse(d, len, &ci, &err), 0);
	assert_string_equal(ci.name, "web-nginx");
	assert_string_equal(ci.image, "nginx:1.25");
	assert_string_equal(
	    ci.image_digest,
	    "sha256:a8758716bb6aa4d90071160d27028fe4eaee7ce8166221a97d30440c8eac2be6");
	assert_true(ci.privileged);
	proc_container_info_clear(&ci);
}

static void check_split(const char *ref, const char *repo, const char *tag, const char *digest)
{
	char *r, *t, *d;
	proc_image_ref_split(ref, &r, &t, &d);
	assert_string_equal(r, repo);
	assert_string_equal(t, tag);
	assert_string_equal(d, digest);
	free(r);
	free(t);
	free(d);
}

static void test_image_ref_split(void **state)
{
	(void)state;
	check_split("localhost/bb:latest", "localhost/bb", "latest", "");
	check_split("registry:5000/a/b", "registry:5000/a/b", "", "");
	check_split("registry:5000/a/b:v1", "registry:5000/a/b", "v1", "");
	check_split("nginx@" DIGEST, "nginx", "", DIGEST);
	check_split("nginx:1.25@" DIGEST, "nginx", "1.25", DIGEST);
	check_split("", "", "", "");
}

/* A registry over a state directory and a storage root from the test data. */
static struct proc_containers *registry(char *dir)
{
	char state_dir[512];
	snprintf(state_dir, sizeof(state_dir), "%s/proc/state", PAL_TEST_DATA_DIR);
	struct proc_containers_opts o = {.state_dir = state_dir, .storage_root = dir};
	return proc_containers_new(&o);
}

static void test_registry_state_and_cgroups(void **state)
{
	(void)state;
	/* containers-storage layout in a temporary root */
	char tmpl[] = "/tmp/pal-test-reg-XXXXXX";
	char *root = mkdtemp(tmpl);
	assert_non_null(root);
	struct pal_err err = {0};
	_cleanup_free_ char *cdir = pal_path_join(root, "overlay-containers");
	_cleanup_free_ char *idir = pal_path_join(root, "overlay-images");
	assert_int_equal(pal_mkdir_p(cdir, 0755, &err), 0);
	assert_int_equal(pal_mkdir_p(idir, 0755, &err), 0);
	size_t cl, il;
	_cleanup_free_ char *c = data_file("storage/containers.json", &cl);
	_cleanup_free_ char *i = data_file("storage/images.json", &il);
	_cleanup_free_ char *cf = pal_path_join(cdir, "containers.json");
	_cleanup_free_ char *ifl = pal_path_join(idir, "images.json");
	assert_int_equal(pal_write_file_atomic(cf, c, cl, 0644, &err), 0);
	assert_int_equal(pal_write_file_atomic(ifl, i, il, 0644, &err), 0);

	struct proc_containers *reg = registry(root);

	/* by cgroup id from the state file, without any /proc */
	const struct pal_container *k = proc_containers_resolve(reg, 0, 1234);
	assert_string_equal(k->id, "web-1");
	assert_string_equal(k->runtime, "palisade");
	assert_string_equal(k->image_repository, "registry.example/shop/web");
	assert_string_equal(k->image_tag, "1.2");
	assert_string_equal(k->pod_name, "web-7d4f");
	assert_false(k->is_host);
	/* the invalid files beside it were skipped, not loaded */
	assert_int_equal(proc_containers_count(reg), 1);
	assert_null(proc_containers_find(reg, "bad-digest"));

	/* podman by cgroup path, enriched from containers-storage */
	const char text[] = "1:name=systemd:/libpod_parent/libpod-" PODMAN_ID "\n"
			    "0::/libpod_parent/libpod-" PODMAN_ID "\n";
	k = proc_containers_from_cgroup_text(reg, text, strlen(text), 777);
	assert_string_equal(k->id, PODMAN_ID);
	assert_string_equal(k->runtime, "podman");
	assert_string_equal(k->name, "palpeek");
	assert_string_equal(k->image, "localhost/palbb:test");
	assert_string_equal(k->image_digest, DIGEST);
	/* the v2 match made the cgroup id a key */
	assert_ptr_equal(proc_containers_resolve(reg, 0, 777), k);
	/* lookups by id prefix and name */
	assert_ptr_equal(proc_containers_find(reg, "428edd6796ff"), k);
	assert_null(proc_containers_find(reg, "428edd"));
	assert_true(proc_containers_find(reg, "host")->is_host);

	/* a palisade path without a state file still names the container */
	const char ptext[] = "0::/palisade/job-9\n";
	k = proc_containers_from_cgroup_text(reg, ptext, strlen(ptext), 888);
	assert_string_equal(k->id, "job-9");

	/* host: not cached on a hybrid-looking file */
	const char htext[] = "1:cpu:/\n0::/\n";
	k = proc_containers_from_cgroup_text(reg, htext, strlen(htext), 1);
	assert_true(k->is_host);
	assert_string_equal(k->id, "host");

	proc_containers_free(reg);
	assert_int_equal(pal_rm_rf(root, &err), 0);
}

/* A pure cgroup v2 host, as a fake /proc tree: every process has only the
 * "0::" line, so the v2 cgroup id alone identifies its container. */
static void test_registry_fake_v2_proc(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/pal-test-v2-XXXXXX";
	char *root = mkdtemp(tmpl);
	assert_non_null(root);
	struct pal_err err = {0};
	const struct {
		unsigned pid;
		const char *text;
	} procs[] = {
	    {100, "0::/system.slice/sshd.service\n"},
	    {200, "0::/machine.slice/libpod-" PODMAN_ID ".scope/container\n"},
	    {300, "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0e1c6f5a_"
		  "7b39_4a4e_9d4f_2a7c1b8e5d60.slice/crio-" PODMAN_ID ".scope\n"},
	};
	for (size_t i = 0; i < 3; i++) {
		char dir[512];
		snprintf(dir, sizeof(dir), "%s/%u", root, procs[i].pid);
		assert_int_equal(pal_mkdir_p(dir, 0755, &err), 0);
		_cleanup_free_ char *f = pal_path_join(dir, "cgroup");
		assert_int_equal(
		    pal_write_file_atomic(f, procs[i].text, strlen(procs[i].text), 0644, &err), 0);
	}
	/* cgroup2_root is not a cgroupfs here: ids resolve through /proc only */
	struct proc_containers_opts o = {.state_dir = "/nonexistent",
					 .storage_root = "/nonexistent",
					 .proc_root = root,
					 .cgroup2_root = root};
	struct proc_containers *reg = proc_containers_new(&o);
	const struct pal_container *h = proc_containers_resolve(reg, 100, 11);
	assert_true(h->is_host);
	const struct pal_container *k = proc_containers_resolve(reg, 200, 22);
	assert_string_equal(k->id, PODMAN_ID);
	assert_string_equal(k->runtime, "podman");
	/* cached by cgroup id: the process may be gone by the next event */
	char gone[512];
	snprintf(gone, sizeof(gone), "%s/200", root);
	assert_int_equal(pal_rm_rf(gone, &err), 0);
	assert_ptr_equal(proc_containers_resolve(reg, 200, 22), k);
	assert_ptr_equal(proc_containers_resolve(reg, 999, 22), k);
	/* an unknown process of an unknown cgroup is the host */
	assert_true(proc_containers_resolve(reg, 998, 33)->is_host);
	/* the same id in another runtime's path is the same container */
	const struct pal_container *c = proc_containers_resolve(reg, 300, 44);
	assert_ptr_equal(c, k);
	proc_containers_free(reg);
	assert_int_equal(pal_rm_rf(root, &err), 0);
}

/* A state file that appears after the registry was made is loaded from the
 * watch, with no event of the container needed, and stays known after the
 * file is gone (a short `run` deletes it before its events are read). */
static void test_registry_watch(void **state)
{
	(void)state;
	char dir[] = "/tmp/pal-watch-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sd[600];
	snprintf(sd, sizeof(sd), "%s/state", dir);
	struct proc_containers_opts o = {.state_dir = sd, .storage_root = dir};
	struct proc_containers *c = proc_containers_new(&o);
	int fd = proc_containers_watch_fd(c);
	assert_true(fd >= 0);
	/* The directory did not exist: the watch arms once it does. */
	assert_int_equal(mkdir(sd, 0755), 0);
	proc_containers_watch_drain(c);

	const char *js = "{\"version\": 1, \"id\": \"short-1\", \"runtime\": \"palisade\", "
			 "\"cgroup_id\": 777}";
	char f[700];
	snprintf(f, sizeof(f), "%s/short-1.json", sd);
	struct pal_err err = {0};
	assert_int_equal(pal_write_file_atomic(f, js, strlen(js), 0644, &err), 0);
	proc_containers_watch_drain(c);
	assert_int_equal(unlink(f), 0);

	const struct pal_container *k = proc_containers_find(c, "short-1");
	assert_non_null(k);
	k = proc_containers_resolve(c, 1, 777);
	assert_string_equal(k->id, "short-1");
	proc_containers_free(c);
	assert_int_equal(rmdir(sd), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_state_file_valid),
	    cmocka_unit_test(test_state_file_invalid),
	    cmocka_unit_test(test_storage_lookup),
	    cmocka_unit_test(test_docker_config),
	    cmocka_unit_test(test_image_ref_split),
	    cmocka_unit_test(test_registry_state_and_cgroups),
	    cmocka_unit_test(test_registry_fake_v2_proc),
	    cmocka_unit_test(test_registry_watch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
