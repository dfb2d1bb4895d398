/* Path rules of the config parser: container paths must be absolute and
 * free of "." and ".." so that later fd-relative resolution cannot be steered
 * by lexical tricks; host paths (root, bind sources) are made absolute
 * against the bundle. Nothing here touches the filesystem except getcwd. */
#include "oci_internal.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool rt_oci_clean_container_path(char *path)
{
	if (!path || path[0] != '/')
		return false;
	char *out = path; /* writes never overtake reads */
	const char *p = path;
	*out++ = '/';
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - start);
		if ((n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.'))
			return false;
		if (out[-1] != '/')
			*out++ = '/';
		memmove(out, start, n);
		out += n;
	}
	*out = '\0';
	return true;
}

int rt_oci_container_path(char *value, const char *path, struct pal_err *err)
{
	if (value && value[0] == '/') {
		_cleanup_free_ char *copy = pal_xstrdup(value);
		if (rt_oci_clean_container_path(copy)) {
			strcpy(value, copy); /* cleaning only shortens */
			return 0;
		}
	}
	return rt_oci_fail(err,
			   "%s \"%.256s\": must be an absolute path without \".\" or \"..\" "
			   "components",
			   path, value ? value : "");
}

/* Lexical cleaning of an absolute path as Go's filepath.Clean does it:
 * "." components go, ".." removes the previous component (never above "/"). */
static char *clean_absolute(const char *in)
{
	size_t len = strlen(in);
	char *out = pal_xmalloc(len + 2);
	size_t o = 0;
	out[o++] = '/';
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *start = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - start);
		if (n == 1 && start[0] == '.')
			continue;
		if (n == 2 && start[0] == '.' && start[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--; /* the slash before the removed component */
			continue;
		}
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, start, n);
		o += n;
	}
	out[o] = '\0';
	return out;
}

char *rt_oci_abs_path(const char *base, const char *p)
{
	if (p[0] == '/')
		return clean_absolute(p);
	_cleanup_free_ char *cwd = NULL;
	_cleanup_free_ char *joined = NULL;
	if (!base || base[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return NULL;
		if (base && *base) {
			joined = pal_xasprintf("%s/%s/%s", cwd, base, p);
			return clean_absolute(joined);
		}
		base = cwd;
	}
	joined = pal_xasprintf("%s/%s", base, p);
	return clean_absolute(joined);
}

static const char *skip_spaces(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

static bool parse_cpu_number(const char **s, unsigned long *out)
{
	const char *p = *s;
	if (*p < '0' || *p > '9')
		return false;
	unsigned long v = 0;
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > 1048575)
			return false;
		p++;
	}
	*s = p;
	*out = v;
	return true;
}

bool rt_oci_valid_cpu_list(const char *s)
{
	s = skip_spaces(s);
	if (!*s)
		return true;
	for (;;) {
		unsigned long a, b;
		s = skip_spaces(s);
		if (!parse_cpu_number(&s, &a))
			return false;
		s = skip_spaces(s);
		if (*s == '-') {
			s = skip_spaces(s + 1);
			if (!parse_cpu_number(&s, &b) || b < a)
				return false;
			s = skip_spaces(s);
		}
		if (!*s)
			return true;
		if (*s != ',')
			return false;
		s++;
	}
}
