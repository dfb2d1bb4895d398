/* Image references (normalized as the engines do) and trust: scope matching. */
#include "admit/scope.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void ref_is(const char *in, const char *full, const char *repo, const char *host,
		   const char *tag, const char *digest)
{
	struct adm_ref r;
	char why[256];
	if (adm_ref_parse(in, &r, why, sizeof(why)) < 0)
		fail_msg("%s: %s", in, why);
	assert_string_equal(r.full, full);
	assert_string_equal(r.repo, repo);
	assert_string_equal(r.host, host);
	if (tag)
		assert_string_equal(r.tag, tag);
	else
		assert_null(r.tag);
	if (digest)
		assert_string_equal(r.digest, digest);
	else
		assert_null(r.digest);
	adm_ref_free(&r);
}

static void ref_bad(const char *in, const char *want)
{
	struct adm_ref r;
	char why[256] = "";
	if (adm_ref_parse(in, &r, why, sizeof(why)) == 0) {
		adm_ref_free(&r);
		fail_msg("'%s' should be refused", in);
	}
	if (!strstr(why, want))
		fail_msg("'%s': '%s' lacks '%s'", in, why, want);
}

static void test_refs(void **state)
{
	(void)state;
	ref_is("busybox", "docker.io/library/busybox:latest", "docker.io/library/busybox",
	       "docker.io", "latest", NULL);
	ref_is("nginx:1.25", "docker.io/library/nginx:1.25", "docker.io/library/nginx", "docker.io",
	       "1.25", NULL);
	ref_is("bitnami/redis", "docker.io/bitnami/redis:latest", "docker.io/bitnami/redis",
	       "docker.io", "latest", NULL);
	ref_is("localhost:5000/app@sha256:" D64, "localhost:5000/app@sha256:" D64,
	       "localhost:5000/app", "localhost:5000", NULL, "sha256:" D64);
	ref_is("registry.example.com/a/b/c:v1@sha256:" D64,
	       "registry.example.com/a/b/c:v1@sha256:" D64, "registry.example.com/a/b/c",
	       "registry.example.com", "v1", "sha256:" D64);
	ref_is("localhost/bb", "localhost/bb:latest", "localhost/bb", "localhost", "latest", NULL);
	ref_is("containers-storage:localhost/bb:1", "localhost/bb:1", "localhost/bb", "localhost",
	       "1", NULL);
	ref_is("docker://quay.io/x/y:2", "quay.io/x/y:2", "quay.io/x/y", "quay.io", "2", NULL);
	ref_bad("", "empty image reference");
	ref_bad("nginx@sha256:abc", "is not a valid digest");
	ref_bad("nginx:bad tag", "is not a valid tag");
	ref_bad("Nginx", "is not a valid repository name");
	ref_bad("registry.example.com//x", "is not a valid repository name");
	ref_bad("exa_mple.com/x", "is not a valid registry host");
	ref_bad("registry.example.com:99999/x", "is not a valid registry host");
}

static void test_scopes(void **state)
{
	(void)state;
	char why[256];
	assert_true(adm_scope_valid("registry.example.com/infra", why, sizeof(why)));
	assert_true(adm_scope_valid("*.example.com", why, sizeof(why)));
	assert_true(adm_scope_valid("/srv/images", why, sizeof(why)));
	assert_true(adm_scope_valid("localhost", why, sizeof(why)));
	assert_false(adm_scope_valid("infra/app", why, sizeof(why)));
	assert_non_null(strstr(why, "must start with a registry host"));
	assert_false(adm_scope_valid("registry.example.com/*", why, sizeof(why)));
	assert_false(adm_scope_valid("*example.com", why, sizeof(why)));
	assert_false(adm_scope_valid("a.com/x@sha256:zz", why, sizeof(why)));
	assert_false(adm_scope_valid("a.com/x y", why, sizeof(why)));
	assert_false(adm_scope_valid("", why, sizeof(why)));

	/* repository, namespace, host, exact, pinned, wildcard */
	const char *img = "registry.example.com/infra/cni:1.2@sha256:" D64;
	assert_true(adm_scope_matches("registry.example.com/infra", img));
	assert_true(adm_scope_matches("registry.example.com/infra/cni", img));
	assert_true(adm_scope_matches("registry.example.com", img));
	assert_true(adm_scope_matches("registry.example.com/infra/cni:1.2", img));
	assert_true(adm_scope_matches("registry.example.com/infra/cni@sha256:" D64, img));
	assert_true(adm_scope_matches("*.example.com", img));
	assert_false(adm_scope_matches("registry.example.com/infr", img));
	assert_false(adm_scope_matches("registry.example.com/infra/cni:1.3", img));
	assert_false(adm_scope_matches("*.other.com", img));
	assert_false(adm_scope_matches("other.example.com", img));
	assert_true(adm_scope_matches("docker.io/library", "busybox"));
	assert_true(adm_scope_matches("docker.io/library/busybox:latest", "busybox"));
	assert_false(adm_scope_matches("docker.io/library", "bitnami/redis"));
	assert_true(adm_scope_matches("*.example.com", "registry.example.com:5000/x"));
	/* OCI layouts by path */
	assert_true(adm_scope_matches("/srv/images", "/srv/images/app:v1"));
	assert_true(adm_scope_matches("/srv/images/app:v1", "oci:/srv/images/app:v1"));
	assert_true(adm_scope_matches("/", "/srv/x"));
	assert_false(adm_scope_matches("/srv/images/app:v2", "/srv/images/app:v1"));
	assert_false(adm_scope_matches("/srv/img", "/srv/images/app"));
	assert_false(adm_scope_matches("/srv/images", "registry.example.com/x"));
	assert_false(adm_scope_matches("registry.example.com", "/srv/images/app"));
	assert_false(adm_scope_matches("registry.example.com", NULL));
	assert_false(adm_scope_matches("registry.example.com", "Bad//ref"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_refs),
	    cmocka_unit_test(test_scopes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
