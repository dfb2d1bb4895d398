/* OCI documents, layouts and image resolution. */
#include "helpers.h"
#include "supply/image.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define D1 "sha256:0c6bb1bb159afe6f90db3982c05b90559a6f84fddf53c30e2455e054732e9bab"

static void test_manifest_parse(void **state)
{
	(void)state;
	static const char good[] =
	    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
	    "\"" D1 "\",\"size\":409},\"layers\":[{\"mediaType\":"
	    "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D1 "\",\"size\":7}],"
	    "\"subject\":{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"digest\":\"" D1 "\",\"size\":1}}";
	struct sup_manifest m;
	struct pal_err err = {0};
	assert_int_equal(sup_manifest_parse("m", good, strlen(good), &m, &err), 0);
	assert_int_equal(m.n_layers, 1);
	assert_int_equal(m.layers[0].size, 7);
	assert_true(m.has_subject);
	sup_manifest_free(&m);
	assert_int_equal(sup_doc_kind("m", good, strlen(good), &err), SUP_DOC_MANIFEST);

	static const struct {
		const char *doc, *why;
	} bad[] = {
	    {"{\"schemaVersion\":1}", "schemaVersion"},
	    {"{\"schemaVersion\":2,\"layers\":[]}", "config"},
	    {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" D1
	     "\",\"size\":-1},\"layers\":[]}",
	     "size"},
	    {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:zz\","
	     "\"size\":1},\"layers\":[]}",
	     "not a valid digest"},
	    {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a b\",\"digest\":\"" D1
	     "\",\"size\":1},\"layers\":[]}",
	     "mediaType"},
	    {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" D1
	     "\",\"size\":1},\"layers\":{}}",
	     "layers must be an array"},
	    {"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	     "\"config\":{},\"layers\":[]}",
	     "not an image manifest"},
	    {"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"" D1
	     "\",\"size\":1},\"layers\":[],\"annotations\":{\"k\":1}}",
	     "annotations.k"},
	};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(bad); i++) {
		pal_err_clear(&err);
		assert_true(sup_manifest_parse("m", bad[i].doc, strlen(bad[i].doc), &m, &err) < 0);
		if (!strstr(err.msg, bad[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].why);
	}
}

static void test_index_platforms(void **state)
{
	(void)state;
	static const char doc[] =
	    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	    "\"manifests\":["
	    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D1
	    "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\","
	    "\"variant\":\"v8\"}},"
	    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D1
	    "\",\"size\":2,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
	    "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" D1
	    "\",\"size\":3,\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}}]}";
	struct sup_index ix;
	struct pal_err err = {0};
	assert_int_equal(sup_index_parse("i", doc, strlen(doc), &ix, &err), 0);
	assert_int_equal(ix.n_manifests, 3);
	struct sup_platform amd = {"linux", "amd64", NULL}, arm = {"linux", "arm64", "v8"},
			    arm7 = {"linux", "arm64", "v7"}, s390 = {"linux", "s390x", NULL};
	assert_int_equal(sup_index_select(&ix, &amd, "i", &err), 1);
	assert_int_equal(sup_index_select(&ix, &arm, "i", &err), 0);
	assert_true(sup_index_select(&ix, &arm7, "i", &err) < 0);
	assert_true(sup_index_select(&ix, &s390, "i", &err) < 0);
	assert_non_null(strstr(err.msg, "linux/arm64/v8, linux/amd64"));
	sup_index_free(&ix);
	assert_int_equal(sup_doc_kind("i", doc, strlen(doc), &err), SUP_DOC_INDEX);
}

static void test_config_parse(void **state)
{
	(void)state;
	static const char good[] = "{\"os\":\"linux\",\"architecture\":\"amd64\",\"rootfs\":{"
				   "\"type\":\"layers\",\"diff_ids\":[\"" D1 "\"]}}";
	struct sup_config c;
	struct pal_err err = {0};
	assert_int_equal(sup_config_parse("c", good, strlen(good), &c, &err), 0);
	assert_int_equal(c.n_diff_ids, 1);
	sup_config_free(&c);
	static const char bad[] = "{\"rootfs\":{\"diff_ids\":[\"sha256:00\"]}}";
	assert_true(sup_config_parse("c", bad, strlen(bad), &c, &err) < 0);
	assert_non_null(strstr(err.msg, "diff_ids[0]"));
}

struct fx {
	char *dir, *layout;
	char digest[SUP_DIGEST_MAX];
};

static int setup(void **state)
{
	struct fx *f = pal_xcalloc(1, sizeof(*f));
	f->dir = th_tmpdir();
	f->layout = pal_xasprintf("%s/layout", f->dir);
	struct th_entry l1[] = {{'f', "hello", "world", 0}};
	const struct th_entry *layers[] = {l1};
	size_t counts[] = {1};
	th_make_image(f->layout, "v1", layers, counts, 1, 'g', f->digest);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	free(f->layout);
	th_rmdir(f->dir);
	free(f);
	return 0;
}

static void test_open_forms(void **state)
{
	struct fx *f = *state;
	struct sup_image *img = NULL;
	struct pal_err err = {0};
	const char *forms[] = {"%s:v1", "%s", "oci:%s:v1", "%s@%s"};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(forms); i++) {
		_cleanup_free_ char *ref = i == 3 ? pal_xasprintf(forms[i], f->layout, f->digest)
						  : pal_xasprintf(forms[i], f->layout);
		if (sup_image_open(ref, &img, &err) < 0)
			fail_msg("%s: %s", ref, err.msg);
		assert_int_equal(img->source, SUP_IMAGE_LAYOUT);
		assert_string_equal(img->manifest_digest, f->digest);
		assert_int_equal(img->m.n_layers, 1);
		assert_int_equal(img->config.n_diff_ids, 1);
		sup_image_close(img);
	}
	_cleanup_free_ char *missing = pal_xasprintf("%s:v2", f->layout);
	assert_true(sup_image_open(missing, &img, &err) < 0);
	assert_non_null(strstr(err.msg, "no image tagged 'v2'"));
	_cleanup_free_ char *nolayout = pal_xasprintf("%s/nothing:v1", f->dir);
	assert_true(sup_image_open(nolayout, &img, &err) < 0);
	assert_non_null(strstr(err.msg, "no OCI image layout"));
}

static void tamper_blob(struct fx *f, const char *digest, const char *data)
{
	_cleanup_free_ char *p = pal_xasprintf("%s/blobs/sha256/%s", f->layout, digest + 7);
	th_write(p, data, strlen(data));
}

static void test_tampered_layout(void **state)
{
	struct fx *f = *state;
	struct sup_image *img = NULL;
	struct pal_err err = {0};
	_cleanup_free_ char *ref = pal_xasprintf("%s:v1", f->layout);
	assert_int_equal(sup_image_open(ref, &img, &err), 0);
	_cleanup_free_ char *config = pal_xstrdup(img->m.config.digest);
	size_t mlen = img->manifest_len;
	sup_image_close(img);

	/* same size, different bytes: the digest check catches it */
	_cleanup_free_ char *fake = pal_xmalloc(mlen + 1);
	memset(fake, ' ', mlen);
	fake[mlen] = '\0';
	fake[0] = '{';
	fake[mlen - 1] = '}';
	tamper_blob(f, f->digest, fake);
	assert_true(sup_image_open(ref, &img, &err) < 0);
	assert_non_null(strstr(err.msg, "content digest is"));

	/* a config of another size: the descriptor's size catches it */
	tamper_blob(f, config, "{}");
	pal_err_clear(&err);
	assert_true(sup_image_open(ref, &img, &err) < 0);
}

static void test_multi_image_layout(void **state)
{
	struct fx *f = *state;
	struct th_entry l1[] = {{'f', "other", "x", 0}};
	const struct th_entry *layers[] = {l1};
	size_t counts[] = {1};
	char d2[SUP_DIGEST_MAX];
	th_make_image(f->layout, "v2", layers, counts, 1, 'n', d2);
	struct sup_image *img = NULL;
	struct pal_err err = {0};
	assert_true(sup_image_open(f->layout, &img, &err) < 0);
	assert_non_null(strstr(err.msg, "holds 2 images"));
	_cleanup_free_ char *ref = pal_xasprintf("%s:v2", f->layout);
	assert_int_equal(sup_image_open(ref, &img, &err), 0);
	assert_string_equal(img->manifest_digest, d2);
	sup_image_close(img);
}

static void test_index_in_layout(void **state)
{
	struct fx *f = *state;
	/* wrap the image in an image index for two platforms, tagged "multi" */
	struct pal_err err = {0};
	struct sup_layout l;
	assert_int_equal(sup_layout_open(f->layout, SUP_LAYOUT_WRITE, &l, &err), 0);
	int i = sup_layout_find_tag(&l, "v1");
	assert_true(i >= 0);
	_cleanup_free_ char *ix = pal_xasprintf(
	    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	    "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"digest\":\"%s\",\"size\":%lld,\"platform\":{\"os\":\"linux\",\"architecture\":"
	    "\"riscv64\"}},{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	    "\"digest\":\"%s\",\"size\":%lld,\"platform\":{\"os\":\"linux\",\"architecture\":"
	    "\"amd64\"}}]}",
	    l.index.manifests[i].digest, (long long)l.index.manifests[i].size,
	    l.index.manifests[i].digest, (long long)l.index.manifests[i].size);
	char d[SUP_DIGEST_MAX];
	assert_int_equal(sup_layout_write_blob(&l, ix, strlen(ix), d, &err), 0);
	struct sup_desc desc = {
	    .media_type = (char *)SUP_MT_OCI_INDEX, .digest = d, .size = (int64_t)strlen(ix)};
	assert_int_equal(sup_layout_put_manifest(&l, &desc, "multi", &err), 0);
	sup_layout_close(&l);
	_cleanup_free_ char *ref = pal_xasprintf("%s:multi", f->layout);
	struct sup_image *img = NULL;
	struct sup_platform amd = {"linux", "amd64", NULL}, arm = {"linux", "arm", NULL};
	struct sup_open_opts o = {.platform = &amd};
	if (sup_image_open_opts(ref, &o, &img, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(img->index_digest, d);
	assert_string_equal(img->manifest_digest, f->digest);
	assert_int_equal(img->index_len, strlen(ix));
	sup_image_close(img);
	o.platform = &arm;
	assert_true(sup_image_open_opts(ref, &o, &img, &err) < 0);
	assert_non_null(strstr(err.msg, "no image for platform linux/arm"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_manifest_parse),
	    cmocka_unit_test(test_index_platforms),
	    cmocka_unit_test(test_config_parse),
	    cmocka_unit_test_setup_teardown(test_open_forms, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tampered_layout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_multi_image_layout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_index_in_layout, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
