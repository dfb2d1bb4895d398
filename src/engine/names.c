/* user.name / group.name / user.loginname.
 *
 * A uid means nothing without the user database of the process's own root:
 * uid 1000 may be "alice" on the host and "node" in a container. So names
 * for host processes come from the host's /etc/passwd and /etc/group (read
 * once when the ruleset is loaded), names for container processes from the
 * resolver the agent passes in (which can read the container's own files),
 * and without a resolver only uid/gid 0 ("root") is known in a container. */
#include "engine/internal.h"
#include "common/strutil.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>

struct name_entry {
	uint32_t id;
	size_t order;
	char *name;
};

struct eng_names {
	struct name_entry *users, *groups;
	size_t nusers, ngroups;
};

static int cmp_entry(const void *a, const void *b)
{
	const struct name_entry *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void add_entry(struct name_entry **v, size_t *n, size_t *cap, uint32_t id, const char *name)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		*v = pal_xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[*n].id = id;
	(*v)[*n].order = *n;
	(*v)[(*n)++].name = pal_xstrdup(name);
}

struct eng_names *eng_names_load(const char *passwd, const char *group)
{
	struct eng_names *nm = pal_xcalloc(1, sizeof(*nm));
	size_t cap = 0;
	char buf[4096];
	FILE *f = passwd ? fopen(passwd, "re") : NULL;
	if (f) {
		struct passwd pw, *res;
		while (fgetpwent_r(f, &pw, buf, sizeof(buf), &res) == 0 && res)
			add_entry(&nm->users, &nm->nusers, &cap, pw.pw_uid, pw.pw_name);
		fclose(f);
	}
	cap = 0;
	f = group ? fopen(group, "re") : NULL;
	if (f) {
		struct group gr, *res;
		while (fgetgrent_r(f, &gr, buf, sizeof(buf), &res) == 0 && res)
			add_entry(&nm->groups, &nm->ngroups, &cap, gr.gr_gid, gr.gr_name);
		fclose(f);
	}
	/* The first entry for an id wins, as getpwuid() would return it. */
	if (nm->nusers)
		qsort(nm->users, nm->nusers, sizeof(*nm->users), cmp_entry);
	if (nm->ngroups)
		qsort(nm->groups, nm->ngroups, sizeof(*nm->groups), cmp_entry);
	return nm;
}

const char *eng_names_get(const struct eng_names *nm, bool group, uint32_t id)
{
	if (!nm)
		return NULL;
	const struct name_entry *v = group ? nm->groups : nm->users;
	size_t lo = 0, hi = group ? nm->ngroups : nm->nusers;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < (group ? nm->ngroups : nm->nusers) && v[lo].id == id ? v[lo].name : NULL;
}

void eng_names_free(struct eng_names *nm)
{
	if (!nm)
		return;
	for (size_t i = 0; i < nm->nusers; i++)
		free(nm->users[i].name);
	for (size_t i = 0; i < nm->ngroups; i++)
		free(nm->groups[i].name);
	free(nm->users);
	free(nm->groups);
	free(nm);
}

const char *eng_user_name(const struct eng_ctx *c, bool group, uint32_t id)
{
	const struct eng_ruleset *rs = c->rs;
	if (rs->resolve_name) {
		const char *s = rs->resolve_name(rs->resolve_ud, c->ev, group, id);
		if (s)
			return s;
	}
	const struct pal_container *ct = c->ev->container;
	if (!ct || ct->is_host)
		return eng_names_get(rs->names, group, id);
	return id == 0 ? "root" : NULL;
}
