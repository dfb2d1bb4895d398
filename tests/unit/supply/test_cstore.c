/* containers-storage metadata, on a store tree laid out like podman's
 * (overlay driver): images.json, big-data files, layers.json, containers.json. */
#include "helpers.h"
#include "supply/image.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define ID  "ba5227ccccafdce7b52963f6372f78a487ac1a4b6d787a0fd9b7f80397a03876"
#define L1  "24aa0977c957e77c8c0fac7659d84f94ed9176155d7edfbd95e2cb8ef9550bc0"
#define L2  "35bb0977c957e77c8c0fac7659d84f94ed9176155d7edfbd95e2cb8ef9550bc1"
#define CID "c0ffee0977c957e77c8c0fac7659d84f94ed9176155d7edfbd95e2cb8ef95501"

struct fx {
	char *root;
	char mdigest[SUP_DIGEST_MAX];
	char *manifest;
};

static void put_big_data(const char *root, const char *id, const char *key, const char *data)
{
	_cleanup_free_ char *b64 = sup_b64_encode(key, strlen(key));
	_cleanup_free_ char *p = pal_xasprintf("%s/overlay-images/%s/=%s", root, id, b64);
	th_write(p, data, strlen(data));
}

static int setup(void **state)
{
	struct fx *f = pal_xcalloc(1, sizeof(*f));
	f->root = th_tmpdir();
	struct pal_err err = {0};
	_cleanup_free_ char *imgdir = pal_xasprintf("%s/overlay-images/%s", f->root, ID);
	_cleanup_free_ char *cdir = pal_xasprintf("%s/overlay-containers", f->root);
	_cleanup_free_ char *ldir = pal_xasprintf("%s/overlay-layers", f->root);
	pal_mkdir_p(imgdir, 0700, &err);
	pal_mkdir_p(cdir, 0700, &err);
	pal_mkdir_p(ldir, 0700, &err);
	/* config whose digest is the image id is not required here: take any bytes */
	static const char config[] = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{"
				     "\"type\":\"layers\",\"diff_ids\":[\"sha256:" L1 "\"]}}";
	char cdigest[SUP_DIGEST_MAX];
	sup_digest_compute(SUP_HASH_SHA256, config, strlen(config), cdigest);
	f->manifest = pal_xasprintf(
	    "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config."
	    "v1+json\",\"digest\":\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
	    "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:" L1
	    "\",\"size\":10}]}",
	    cdigest, strlen(config));
	sup_digest_compute(SUP_HASH_SHA256, f->manifest, strlen(f->manifest), f->mdigest);
	_cleanup_free_ char *mkey = pal_xasprintf("manifest-%s", f->mdigest);
	put_big_data(f->root, ID, mkey, f->manifest);
	put_big_data(f->root, ID, cdigest, config);
	_cleanup_free_ char *images =
	    pal_xasprintf("[{\"id\":\"%s\",\"digest\":\"%s\",\"names\":[\"localhost/bb:latest\","
			  "\"registry.example.com/team/app:1.0\"],\"layer\":\"%s\"}]",
			  ID, f->mdigest, L2);
	_cleanup_free_ char *ip = pal_xasprintf("%s/overlay-images/images.json", f->root);
	th_write(ip, images, strlen(images));
	static const char layers[] =
	    "[{\"id\":\"" L1 "\"},{\"id\":\"" L2 "\",\"parent\":\"" L1 "\"}]";
	_cleanup_free_ char *lp = pal_xasprintf("%s/layers.json", ldir);
	th_write(lp, layers, strlen(layers));
	static const char containers[] =
	    "[{\"id\":\"" CID "\",\"names\":[\"web\"],\"image\":\"" ID "\",\"layer\":\"" L2 "\"}]";
	_cleanup_free_ char *cp = pal_xasprintf("%s/containers.json", cdir);
	th_write(cp, containers, strlen(containers));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	free(f->manifest);
	th_rmdir(f->root);
	free(f);
	return 0;
}

static void test_lookup_forms(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *pinned = pal_xasprintf("localhost/bb@%s", f->mdigest);
	const char *refs[] = {"localhost/bb:latest",
			      "bb",
			      "bb:latest",
			      "localhost/bb",
			      ID,
			      "ba5227ccccaf",
			      pinned,
			      "registry.example.com/team/app:1.0"};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(refs); i++) {
		struct sup_cstore_image ci;
		struct pal_err err = {0};
		if (sup_cstore_find_image(f->root, refs[i], &ci, &err) < 0)
			fail_msg("%s: %s", refs[i], err.msg);
		assert_string_equal(ci.id, ID);
		assert_string_equal(ci.digest, f->mdigest);
		sup_cstore_image_free(&ci);
	}
	const char *missing[] = {
	    "nope", "ba52", "registry.example.com/team/app:2.0",
	    ("localhost/bb@sha256:"
	     "1111111111111111111111111111111111111111111111111111111111111111")};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(missing); i++) {
		struct sup_cstore_image ci;
		struct pal_err err = {0};
		assert_true(sup_cstore_find_image(f->root, missing[i], &ci, &err) < 0);
	}
}

static void test_image_open(void **state)
{
	struct fx *f = *state;
	struct sup_open_opts o = {.storage_root = f->root};
	struct sup_image *img = NULL;
	struct pal_err err = {0};
	if (sup_image_open_opts("containers-storage:bb", &o, &img, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(img->source, SUP_IMAGE_CSTORE);
	assert_string_equal(img->manifest_digest, f->mdigest);
	assert_string_equal(img->reference, "localhost/bb:latest");
	assert_int_equal(img->config.n_diff_ids, 1);
	char **dirs = NULL;
	assert_int_equal(sup_cstore_layer_dirs(&img->cs, &dirs, &err), 0);
	assert_int_equal(pal_strv_len(dirs), 2);
	assert_non_null(strstr(dirs[0], L1 "/diff"));
	assert_non_null(strstr(dirs[1], L2 "/diff"));
	pal_strv_free(dirs);
	sup_image_close(img);
}

static void test_tampered_manifest(void **state)
{
	struct fx *f = *state;
	/* the stored manifest no longer hashes to the digest images.json records */
	_cleanup_free_ char *mkey = pal_xasprintf("manifest-%s", f->mdigest);
	_cleanup_free_ char *evil = pal_xstrdup(f->manifest);
	evil[strlen(evil) - 3] = '9';
	put_big_data(f->root, ID, mkey, evil);
	struct sup_open_opts o = {.storage_root = f->root};
	struct sup_image *img = NULL;
	struct pal_err err = {0};
	assert_true(sup_image_open_opts("bb", &o, &img, &err) < 0);
	assert_non_null(strstr(err.msg, "content digest is"));
}

static void test_container_image(void **state)
{
	struct fx *f = *state;
	char *id = NULL;
	struct pal_err err = {0};
	assert_int_equal(sup_cstore_container_image(f->root, CID, &id, &err), 0);
	assert_string_equal(id, ID);
	free(id);
	assert_int_equal(sup_cstore_container_image(f->root, "web", &id, &err), 0);
	free(id);
	assert_int_equal(sup_cstore_container_image(f->root, "nope", &id, &err), -ENOENT);
}

static void test_malformed_store(void **state)
{
	struct fx *f = *state;
	_cleanup_free_ char *ip = pal_xasprintf("%s/overlay-images/images.json", f->root);
	static const char *docs[] = {"{}", "[{\"id\":\"../../etc\",\"names\":[\"bb\"]}]",
				     "[{\"id\":\"" ID "\",\"names\":[\"bb\"],\"digest\":\"x\"}]",
				     "[{\"id\":\"" ID "\",\"names\":\"bb\"}]"};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(docs); i++) {
		th_write(ip, docs[i], strlen(docs[i]));
		struct sup_cstore_image ci;
		struct pal_err err = {0};
		if (sup_cstore_find_image(f->root, "bb", &ci, &err) == 0)
			fail_msg("store document %zu accepted", i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lookup_forms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_image_open, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tampered_manifest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_container_image, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_store, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
