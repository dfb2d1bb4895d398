/* Image references and the scope names of the trust policy, for admission
 * exceptions (which images an exception covers) and for the webhook (which
 * reference a Pod runs). Scope syntax is trust:'s (docs/trust.md): an exact
 * reference, host/repo@digest, a repository, a namespace, a registry host, a
 * wildcard host (*.example.com), or an OCI layout path (/dir[:tag]). */
#ifndef PAL_ADMIT_SCOPE_H
#define PAL_ADMIT_SCOPE_H

#include <stdbool.h>
#include <stddef.h>

/* A registry reference, normalized as container engines do: "busybox" is
 * docker.io/library/busybox:latest. */
struct adm_ref {
	char *full;   /* host/path[:tag][@digest] */
	char *repo;   /* host/path */
	char *host;   /* host[:port] */
	char *tag;    /* NULL when absent (and a digest is given) */
	char *digest; /* "sha256:<hex>" or NULL */
};

/* Parses and validates a registry reference (the `image` of a container).
 * On failure why says what is wrong. */
int adm_ref_parse(const char *ref, struct adm_ref *out, char *why, size_t cap);
void adm_ref_free(struct adm_ref *r);

/* Checks a scope name; on failure why says what is wrong. */
bool adm_scope_valid(const char *scope, char *why, size_t cap);

/* Does scope cover image? image is a registry reference (optionally prefixed
 * "containers-storage:" or "docker://") or an OCI layout "[oci:]/path[:tag]". */
bool adm_scope_matches(const char *scope, const char *image);

#endif
