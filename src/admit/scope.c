#include "scope.h"
#include "common/cleanup.h"
#include "common/strutil.h"
#include "supply/digest.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_MAX 1024

static int why_fail(char *why, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int why_fail(char *why, size_t cap, const char *fmt, ...)
{
	if (why && cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The first component names a registry when it looks like a host. */
static bool host_like(const char *s, size_t n)
{
	if (n == 9 && !strncmp(s, "localhost", 9))
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' || s[i] == ':' || isupper((unsigned char)s[i]))
			return true;
	return false;
}

static bool host_ok(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t hl = colon ? (size_t)(colon - s) : n;
	if (hl == 0 || hl > 253)
		return false;
	for (size_t i = 0; i < hl; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '-')
			return false;
	if (colon) {
		size_t pl = n - hl - 1;
		if (pl == 0 || pl > 5)
			return false;
		unsigned port = 0;
		for (size_t i = hl + 1; i < n; i++) {
			if (!isdigit((unsigned char)s[i]))
				return false;
			port = port * 10 + (unsigned)(s[i] - '0');
		}
		if (port == 0 || port > 65535)
			return false;
	}
	return true;
}

/* Repository path components: lowercase letters, digits and separators. */
static bool path_ok(const char *s, size_t n)
{
	if (n == 0)
		return false;
	bool comp_start = true;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '/') {
			if (comp_start)
				return false;
			comp_start = true;
			continue;
		}
		bool alnum = islower((unsigned char)ch) || isdigit((unsigned char)ch);
		if (!alnum && ch != '.' && ch != '_' && ch != '-')
			return false;
		if (comp_start && !alnum)
			return false;
		comp_start = false;
	}
	return !comp_start;
}

static bool tag_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || !(isalnum((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

static const char *strip_transport(const char *ref)
{
	if (pal_str_starts_with(ref, "containers-storage:"))
		return ref + strlen("containers-storage:");
	if (pal_str_starts_with(ref, "docker://"))
		return ref + strlen("docker://");
	return ref;
}

void adm_ref_free(struct adm_ref *r)
{
	free(r->full);
	free(r->repo);
	free(r->host);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}

int adm_ref_parse(const char *ref, struct adm_ref *out, char *why, size_t cap)
{
	memset(out, 0, sizeof(*out));
	if (!ref || !*ref)
		return why_fail(why, cap, "empty image reference");
	ref = strip_transport(ref);
	size_t len = strlen(ref);
	if (len > REF_MAX)
		return why_fail(why, cap, "image reference longer than %d characters", REF_MAX);
	_cleanup_free_ char *copy = pal_xstrdup(ref);
	char *at = strchr(copy, '@');
	const char *digest = NULL;
	if (at) {
		*at = '\0';
		digest = at + 1;
		if (!sup_digest_is_valid(digest))
			return why_fail(why, cap,
					"'%s' is not a valid digest (algorithm:hex, e.g. "
					"sha256:<64 hex digits>)",
					digest);
	}
	char *slash = strchr(copy, '/');
	char *last = strrchr(copy, '/');
	char *colon = strchr(last ? last : copy, ':');
	const char *tag = NULL;
	if (colon) {
		*colon = '\0';
		tag = colon + 1;
		if (!tag_ok(tag))
			return why_fail(why, cap, "'%s' is not a valid tag", tag);
	}
	/* copy is now the name without tag or digest */
	_cleanup_free_ char *host = NULL;
	const char *path;
	if (slash && host_like(copy, (size_t)(slash - copy))) {
		if (!host_ok(copy, (size_t)(slash - copy)))
			return why_fail(why, cap, "'%.*s' is not a valid registry host",
					(int)(slash - copy), copy);
		host = pal_xstrndup(copy, (size_t)(slash - copy));
		path = slash + 1;
	} else {
		host = pal_xstrdup("docker.io");
		path = copy;
	}
	if (!path_ok(path, strlen(path)))
		return why_fail(why, cap,
				"'%s' is not a valid repository name (lowercase letters, digits, "
				"'.', '_', '-' and '/')",
				path);
	bool library = !strcmp(host, "docker.io") && !strchr(path, '/');
	out->host = PAL_STEAL(host);
	out->repo = pal_xasprintf("%s/%s%s", out->host, library ? "library/" : "", path);
	out->tag = tag ? pal_xstrdup(tag) : digest ? NULL : pal_xstrdup("latest");
	out->digest = digest ? pal_xstrdup(digest) : NULL;
	out->full =
	    pal_xasprintf("%s%s%s%s%s", out->repo, out->tag ? ":" : "", out->tag ? out->tag : "",
			  out->digest ? "@" : "", out->digest ? out->digest : "");
	return 0;
}

bool adm_scope_valid(const char *s, char *why, size_t cap)
{
	if (!s || !*s)
		return why_fail(why, cap, "scope names must not be empty"), false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '\\')
			return why_fail(why, cap,
					"scope '%s' contains a space or control character", s),
			       false;
	if (s[0] == '/')
		return true;
	if (s[0] == '*') {
		if (s[1] != '.' || !s[2] || strchr(s + 2, '*') || strchr(s, '/'))
			return why_fail(why, cap,
					"wildcard scope '%s' must look like *.example.com", s),
			       false;
		return true;
	}
	if (strchr(s, '*'))
		return why_fail(why, cap,
				"scope '%s': '*' is only allowed as *.host (a namespace such as "
				"registry.example.com/infra covers every repository under it)",
				s),
		       false;
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : strlen(s);
	if (!host_like(s, hl) || !host_ok(s, hl))
		return why_fail(
			   why, cap,
			   "scope '%s' must start with a registry host (e.g. docker.io/library/%s "
			   "or localhost/%s)",
			   s, s, s),
		       false;
	const char *at = strchr(s, '@');
	if (at && !sup_digest_is_valid(at + 1))
		return why_fail(why, cap, "scope '%s': bad digest after @", s), false;
	return true;
}

/* "a/b" covers "a/b" and "a/b/..." */
static bool component_prefix(const char *prefix, const char *s)
{
	size_t n = strlen(prefix);
	if (n == 1 && prefix[0] == '/')
		return s[0] == '/';
	return !strncmp(prefix, s, n) && (s[n] == '\0' || s[n] == '/');
}

static bool layout_matches(const char *scope, const char *image)
{
	if (pal_str_starts_with(image, "oci:"))
		image += 4;
	if (image[0] != '/' || scope[0] != '/')
		return false;
	if (!strcmp(scope, image))
		return true;
	_cleanup_free_ char *path = pal_xstrdup(image);
	char *last = strrchr(path, '/');
	char *sep = strpbrk(last ? last : path, ":@");
	if (sep)
		*sep = '\0';
	return !strchr(scope, ':') && component_prefix(scope, path);
}

bool adm_scope_matches(const char *scope, const char *image)
{
	if (!scope || !image)
		return false;
	if (scope[0] == '/' || image[0] == '/' || pal_str_starts_with(image, "oci:"))
		return layout_matches(scope, image);
	struct adm_ref r;
	if (adm_ref_parse(image, &r, NULL, 0) < 0)
		return false;
	bool m = false;
	if (scope[0] == '*') {
		_cleanup_free_ char *host = pal_xstrdup(r.host);
		char *port = strchr(host, ':');
		if (port)
			*port = '\0';
		m = pal_str_ends_with(host, scope + 1);
	} else if (!strcmp(scope, r.full) || component_prefix(scope, r.repo)) {
		m = true;
	} else if (r.tag || r.digest) {
		_cleanup_free_ char *tagged = pal_xasprintf("%s:%s", r.repo, r.tag ? r.tag : "");
		_cleanup_free_ char *pinned =
		    pal_xasprintf("%s@%s", r.repo, r.digest ? r.digest : "");
		m = (r.tag && !strcmp(scope, tagged)) || (r.digest && !strcmp(scope, pinned));
	}
	adm_ref_free(&r);
	return m;
}
