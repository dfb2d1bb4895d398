#include "agent/names.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "common/timefmt.h"
#include "enforce/enforce.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ctr_names {
	char *id;
	uint64_t loaded_ns;
	struct agt_name_entry *users, *groups;
	size_t nusers, ngroups;
	bool resolved; /* the files were read (from some process of the container) */
};

struct agt_names {
	char *proc_root;
	struct ctr_names *c;
	size_t n;
};

struct agt_names *agt_names_new(const char *proc_root)
{
	struct agt_names *n = pal_xcalloc(1, sizeof(*n));
	n->proc_root = pal_xstrdup(proc_root ? proc_root : "/proc");
	return n;
}

static void entries_free(struct agt_name_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(e[i].name);
	free(e);
}

static void ctr_clear(struct ctr_names *c)
{
	free(c->id);
	entries_free(c->users, c->nusers);
	entries_free(c->groups, c->ngroups);
}

void agt_names_free(struct agt_names *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		ctr_clear(&n->c[i]);
	free(n->c);
	free(n->proc_root);
	free(n);
}

struct keyed {
	struct agt_name_entry e;
	size_t line;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->e.id != y->e.id)
		return x->e.id < y->e.id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* A name as passwd(5) allows it and as an alert may carry it. */
static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)s[i]))
			return false;
	return true;
}

size_t agt_names_parse(const char *text, size_t len, struct agt_name_entry **out)
{
	struct agt_name_entry *v = NULL;
	size_t n = 0, cap = 0;
	const char *p = text, *end = text + len;
	while (p < end && n < AGT_NAMES_MAX_IDS) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(le - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;
		const char *c3 = c2 ? memchr(c2 + 1, ':', (size_t)(le - c2 - 1)) : NULL;
		const char *id_end = c3 ? c3 : le;
		if (c1 && c2 && name_ok(p, (size_t)(c1 - p)) && id_end > c2 + 1 &&
		    id_end - c2 - 1 <= 10) {
			char digits[11];
			size_t dn = (size_t)(id_end - c2 - 1);
			memcpy(digits, c2 + 1, dn);
			digits[dn] = '\0';
			uint64_t id;
			if (pal_parse_uint64(digits, &id) == 0 && id <= UINT32_MAX) {
				if (n == cap) {
					cap = cap ? cap * 2 : 32;
					v = pal_xrealloc(v, cap * sizeof(*v));
				}
				v[n].id = (uint32_t)id;
				v[n].name = pal_xstrndup(p, (size_t)(c1 - p));
				n++;
			}
		}
		p = nl ? nl + 1 : end;
	}
	/* Sorted by id; the first line of an id wins, as getpwuid() does
	 * (qsort is not stable: the line number breaks ties). */
	struct keyed *k = pal_xcalloc(n ? n : 1, sizeof(*k));
	for (size_t i = 0; i < n; i++)
		k[i] = (struct keyed){.e = v[i], .line = i};
	qsort(k, n, sizeof(*k), cmp_keyed);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (m > 0 && v[m - 1].id == k[i].e.id) {
			free(k[i].e.name);
			continue;
		}
		v[m++] = k[i].e;
	}
	free(k);
	n = m;
	*out = v;
	return n;
}

/* The file etc/<name> of pid's root, resolved inside that root. */
static size_t read_table(int rootfd, const char *file, struct agt_name_entry **out)
{
	*out = NULL;
	_cleanup_close_ int fd =
	    (int)pal_openat2(rootfd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0,
			     RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
	if (fd < 0)
		return 0;
	/* A larger file is read up to the bound: the names before it count. */
	_cleanup_free_ char *buf = pal_xmalloc(AGT_NAMES_FILE_MAX);
	ssize_t len = pal_read_upto(fd, buf, AGT_NAMES_FILE_MAX);
	return len > 0 ? agt_names_parse(buf, (size_t)len, out) : 0;
}

/* The root of p, if p still holds its pid. Opened first and checked second:
 * a pid reused by another process (perhaps in another container) must not
 * name this container's users. */
static int open_root(const struct agt_names *n, const struct pal_proc *p)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%u/root", n->proc_root, p->pid);
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	/* Processes seeded without a start time are taken as they are. */
	if (p->start_ns && enf_pid_is(n->proc_root, p->pid, p->start_ns) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads the container's tables through the event's process or, when that
 * one is gone (a short `sh -c` exits before its events are read), through
 * an ancestor in the same cgroup. Left unresolved, the next event retries. */
static void fill(struct agt_names *n, struct ctr_names *c, const struct pal_proc *proc)
{
	_cleanup_close_ int rootfd = -1;
	unsigned depth = 0;
	for (const struct pal_proc *p = proc; p && rootfd < 0 && depth < 16; p = p->parent, depth++)
		if (p->pid && p->cgroup_id == proc->cgroup_id)
			rootfd = open_root(n, p);
	if (rootfd < 0)
		return;
	c->nusers = read_table(rootfd, "etc/passwd", &c->users);
	c->ngroups = read_table(rootfd, "etc/group", &c->groups);
	c->resolved = true;
}

static struct ctr_names *load(struct agt_names *n, const char *cid)
{
	n->c = pal_xrealloc(n->c, (n->n + 1) * sizeof(*n->c));
	struct ctr_names *c = &n->c[n->n++];
	memset(c, 0, sizeof(*c));
	c->id = pal_xstrdup(cid);
	c->loaded_ns = pal_time_monotonic_ns();
	return c;
}

static const char *find(const struct agt_name_entry *v, size_t n, uint32_t id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].id == id ? v[lo].name : NULL;
}

const char *agt_names_lookup(void *ud, const struct pal_event *ev, bool group, uint32_t id)
{
	struct agt_names *n = ud;
	const struct pal_container *ct = ev->container;
	if (!n || !ct || ct->is_host || !ct->id || !ev->proc)
		return NULL;
	struct ctr_names *c = NULL;
	for (size_t i = 0; i < n->n; i++) {
		if (strcmp(n->c[i].id, ct->id) == 0) {
			c = &n->c[i];
			break;
		}
	}
	/* Loading only appends: the array may move, the names (allocations of
	 * their own) do not, so strings handed out earlier stay valid. */
	if (!c)
		c = load(n, ct->id);
	/* An unresolved entry handed out no names yet, so filling it later is
	 * safe for the strings returned so far. */
	if (!c->resolved)
		fill(n, c, ev->proc);
	return group ? find(c->groups, c->ngroups, id) : find(c->users, c->nusers, id);
}

void agt_names_expire(struct agt_names *n, uint64_t now_ns)
{
	size_t keep = 0;
	size_t excess = n->n > AGT_NAMES_MAX_CTRS ? n->n - AGT_NAMES_MAX_CTRS : 0;
	for (size_t i = 0; i < n->n; i++) {
		/* entries are in load order: the oldest come first */
		if (i < excess || now_ns - n->c[i].loaded_ns > AGT_NAMES_TTL_NS) {
			ctr_clear(&n->c[i]);
			continue;
		}
		n->c[keep++] = n->c[i];
	}
	n->n = keep;
}
