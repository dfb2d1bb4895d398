/* Where the cgroup hierarchies are mounted, from /proc/self/mountinfo: a v2
 * (unified) hierarchy, v1 controller hierarchies, or both (hybrid hosts). */
#include "enforce/enforce.h"

#include "common/strutil.h"

#include <stdlib.h>
#include <string.h>

/* mountinfo escapes blanks, tabs, newlines and backslashes as \ooo. */
static char *unescape(const char *s, size_t n)
{
	char *out = pal_xmalloc(n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o++] =
			    (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* Mount options that are not controller names. */
static bool is_generic_option(const char *o, size_t n)
{
	static const char *const generic[] = {
	    "rw",
	    "ro",
	    "xattr",
	    "nsdelegate",
	    "noprefix",
	    "clone_children",
	    "cpuset_v2_mode",
	    "memory_recursiveprot",
	    "favordynmods",
	    "memory_localevents",
	    "memory_hugetlb_accounting",
	    "pids_localevents",
	};
	for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
		if (strlen(generic[i]) == n && memcmp(generic[i], o, n) == 0)
			return true;
	return n >= 14 && memcmp(o, "release_agent=", 14) == 0;
}

static char *controllers_of(const char *opts, size_t n)
{
	struct pal_buf b;
	pal_buf_init(&b);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && opts[j] != ',')
			j++;
		if (j > i && !is_generic_option(opts + i, j - i)) {
			if (b.len)
				pal_buf_putc(&b, ',');
			pal_buf_append(&b, opts + i, j - i);
		}
		i = j + 1;
	}
	if (!b.data)
		return pal_xstrdup("");
	return pal_buf_steal(&b);
}

#define MAX_FIELDS 64

void enf_cg_mounts_parse(const char *text, size_t len, struct enf_cg_mounts *out)
{
	memset(out, 0, sizeof(*out));
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *f[MAX_FIELDS];
		size_t fl[MAX_FIELDS];
		size_t nf = 0;
		for (const char *q = p; q < le && nf < MAX_FIELDS;) {
			while (q < le && *q == ' ')
				q++;
			if (q >= le)
				break;
			const char *s = q;
			while (q < le && *q != ' ')
				q++;
			f[nf] = s;
			fl[nf] = (size_t)(q - s);
			nf++;
		}
		p = nl ? nl + 1 : end;
		/* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
		size_t dash = 0;
		for (size_t i = 6; i < nf; i++) {
			if (fl[i] == 1 && f[i][0] == '-') {
				dash = i;
				break;
			}
		}
		if (dash == 0 || dash + 1 >= nf)
			continue;
		const char *fstype = f[dash + 1];
		size_t ftl = fl[dash + 1];
		bool v2 = ftl == 7 && memcmp(fstype, "cgroup2", 7) == 0;
		bool v1 = ftl == 6 && memcmp(fstype, "cgroup", 6) == 0;
		if (!v1 && !v2)
			continue;
		struct enf_cg_mount m = {
		    .path = unescape(f[4], fl[4]),
		    .root = unescape(f[3], fl[3]),
		    .controllers = v2 || dash + 3 >= nf ? pal_xstrdup("")
							: controllers_of(f[dash + 3], fl[dash + 3]),
		    .v2 = v2,
		};
		if (m.path[0] != '/' || m.root[0] != '/' || (v1 && !m.controllers[0])) {
			free(m.path);
			free(m.root);
			free(m.controllers);
			continue;
		}
		out->m = pal_xrealloc(out->m, (out->n + 1) * sizeof(*out->m));
		out->m[out->n++] = m;
	}
}

void enf_cg_mounts_clear(struct enf_cg_mounts *ms)
{
	for (size_t i = 0; i < ms->n; i++) {
		free(ms->m[i].path);
		free(ms->m[i].root);
		free(ms->m[i].controllers);
	}
	free(ms->m);
	ms->m = NULL;
	ms->n = 0;
}
