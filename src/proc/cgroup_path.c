#include "proc/cgroup_path.h"

#include <ctype.h>
#include <string.h>

static const char *const default_ctr_namespaces[] = {"default", "k8s.io", NULL};

static bool is_hex_n(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* A 64-hex-digit id filling exactly [s, s+n). */
static bool is_id64(const char *s, size_t n)
{
	return n == 64 && is_hex_n(s, 64);
}

/* containerd and palisade-runtime ids: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 76
 * (containerd) / PROC_CONTAINER_ID_MAX characters. */
static bool is_plain_id(const char *s, size_t n)
{
	if (n == 0 || n > PROC_CONTAINER_ID_MAX || !isalnum((unsigned char)s[0]))
		return false;
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);
	return n >= pl && memcmp(s, p, pl) == 0;
}

static bool has_suffix(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);
	return n >= pl && memcmp(s + n - pl, p, pl) == 0;
}

static bool set_id(struct proc_cgroup_match *m, const char *runtime, const char *id, size_t n)
{
	if (n > PROC_CONTAINER_ID_MAX)
		return false;
	m->runtime = runtime;
	memcpy(m->id, id, n);
	m->id[n] = '\0';
	return true;
}

/* "<prefix><64hex>" optionally followed by ".scope". */
static bool match_prefixed(const char *c, size_t n, const char *prefix, const char *runtime,
			   struct proc_cgroup_match *m)
{
	if (!has_prefix(c, n, prefix))
		return false;
	const char *id = c + strlen(prefix);
	size_t idn = n - strlen(prefix);
	if (has_suffix(id, idn, ".scope"))
		idn -= strlen(".scope");
	if (!is_id64(id, idn))
		return false;
	return set_id(m, runtime, id, idn);
}

/* One component, knowing its parent component (may be empty). */
static bool match_component(const char *c, size_t n, const char *parent, size_t pn,
			    struct proc_cgroup_match *m)
{
	/* Monitors (conmon) live beside the container; they are host processes. */
	if (has_prefix(c, n, "libpod-conmon-") || has_prefix(c, n, "crio-conmon-"))
		return false;
	if (match_prefixed(c, n, "libpod-", "podman", m))
		return true;
	if (match_prefixed(c, n, "docker-", "docker", m))
		return true;
	if (match_prefixed(c, n, "cri-containerd-", "containerd", m))
		return true;
	if (match_prefixed(c, n, "crio-", "cri-o", m))
		return true;
	if (has_prefix(c, n, "palisade-") && has_suffix(c, n, ".scope")) {
		const char *id = c + strlen("palisade-");
		size_t idn = n - strlen("palisade-") - strlen(".scope");
		if (is_plain_id(id, idn))
			return set_id(m, "palisade", id, idn);
	}
	if (pn > 0 && is_id64(c, n)) {
		if (pn == 6 && memcmp(parent, "docker", 6) == 0)
			return set_id(m, "docker", c, n);
		/* cgroupfs driver of the kubelet: /kubepods/<qos>/pod<uid>/<id> */
		if (has_prefix(parent, pn, "pod"))
			return set_id(m, "containerd", c, n);
	}
	return false;
}

/* pod<uid> (cgroupfs) or kubepods-<qos>-pod<uid_with_underscores>.slice (systemd). */
static void match_pod(const char *c, size_t n, struct proc_cgroup_match *m)
{
	const char *uid = NULL;
	size_t un = 0;
	if (has_prefix(c, n, "pod") && n > 3) {
		uid = c + 3;
		un = n - 3;
	} else if (has_prefix(c, n, "kubepods") && has_suffix(c, n, ".slice")) {
		const char *p = memmem(c, n, "-pod", 4);
		if (!p)
			return;
		uid = p + 4;
		un = (size_t)(c + n - strlen(".slice") - uid);
		if (un > n)
			return;
	}
	if (!uid || un == 0 || un >= sizeof(m->pod_uid))
		return;
	for (size_t i = 0; i < un; i++) {
		char ch = uid[i] == '_' ? '-' : uid[i];
		if (!isxdigit((unsigned char)ch) && ch != '-')
			return;
		m->pod_uid[i] = ch;
	}
	m->pod_uid[un] = '\0';
}

#define MAX_COMPONENTS 64

bool proc_cgroup_path_match(const char *path, const char *const *ctr_namespaces,
			    struct proc_cgroup_match *m)
{
	memset(m, 0, sizeof(*m));
	if (!path || path[0] != '/')
		return false;
	if (!ctr_namespaces)
		ctr_namespaces = default_ctr_namespaces;

	const char *start[MAX_COMPONENTS];
	size_t len[MAX_COMPONENTS];
	size_t n = 0;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (n == MAX_COMPONENTS)
			return false;
		start[n] = p;
		len[n] = l;
		n++;
		p += l;
	}

	bool found = false;
	size_t at = 0;
	for (size_t i = n; i-- > 0;) {
		const char *parent = i > 0 ? start[i - 1] : "";
		size_t pn = i > 0 ? len[i - 1] : 0;
		if (match_component(start[i], len[i], parent, pn, m)) {
			found = true;
			at = i;
			break;
		}
	}
	if (!found && n >= 2) {
		/* palisade-runtime's cgroupfs layout: /palisade/<id> */
		if (len[n - 2] == 8 && memcmp(start[n - 2], "palisade", 8) == 0 &&
		    is_plain_id(start[n - 1], len[n - 1])) {
			found = set_id(m, "palisade", start[n - 1], len[n - 1]);
			at = n - 1;
		}
	}
	if (!found && n == 2) {
		/* ctr: containerd's default cgroupsPath is /<namespace>/<id>. */
		for (const char *const *ns = ctr_namespaces; *ns; ns++) {
			if (strlen(*ns) == len[0] && memcmp(start[0], *ns, len[0]) == 0 &&
			    is_plain_id(start[1], len[1])) {
				found = set_id(m, "containerd", start[1], len[1]);
				at = 1;
				break;
			}
		}
	}
	if (!found)
		return false;
	for (size_t i = 0; i < at; i++)
		match_pod(start[i], len[i], m);
	return true;
}

/* Calls fn for each line "hier:controllers:path" of a cgroup file. */
static bool next_line(const char **p, const char *end, const char **line, size_t *llen)
{
	if (*p >= end)
		return false;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	*line = *p;
	*llen = nl ? (size_t)(nl - *p) : (size_t)(end - *p);
	*p = nl ? nl + 1 : end;
	return true;
}

/* Splits a line into its path (after the second ':'), NUL-terminated in buf. */
static bool line_path(const char *line, size_t llen, bool *is_v2, char *buf, size_t cap)
{
	const char *c1 = memchr(line, ':', llen);
	if (!c1)
		return false;
	const char *c2 = memchr(c1 + 1, ':', llen - (size_t)(c1 + 1 - line));
	if (!c2)
		return false;
	*is_v2 = (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1);
	size_t pl = llen - (size_t)(c2 + 1 - line);
	if (pl + 1 > cap)
		return false;
	memcpy(buf, c2 + 1, pl);
	buf[pl] = '\0';
	return true;
}

bool proc_cgroup_v2_path(const char *content, size_t len, char *out, size_t cap)
{
	const char *p = content, *end = content + len, *line;
	size_t llen;
	while (next_line(&p, end, &line, &llen)) {
		bool v2;
		if (line_path(line, llen, &v2, out, cap) && v2)
			return true;
	}
	return false;
}

bool proc_cgroup_file_match(const char *content, size_t len, const char *const *ctr_namespaces,
			    struct proc_cgroup_match *m, bool *from_v2)
{
	char buf[4096];
	const char *p = content, *end = content + len, *line;
	size_t llen;

	*from_v2 = false;
	if (proc_cgroup_v2_path(content, len, buf, sizeof(buf)) &&
	    proc_cgroup_path_match(buf, ctr_namespaces, m)) {
		*from_v2 = true;
		return true;
	}
	while (next_line(&p, end, &line, &llen)) {
		bool v2;
		if (!line_path(line, llen, &v2, buf, sizeof(buf)) || v2)
			continue;
		if (proc_cgroup_path_match(buf, ctr_namespaces, m))
			return true;
	}
	memset(m, 0, sizeof(*m));
	return false;
}
