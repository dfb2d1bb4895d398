#include "proc/proc_table.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROC_FILE_MAX (256u << 10)

struct dead {
	uint32_t pid;
	uint64_t start_ns;
	uint64_t at_ns;
};

struct proc_table {
	char *proc_root;
	struct proc_entry **buckets;
	size_t nbuckets, count;
	uint64_t ns_per_tick;
	struct dead *dead; /* FIFO of exited entries, oldest first */
	size_t dead_head, dead_len;
};

static const char *const empty_argv[] = {NULL};

struct proc_table *proc_table_new(const char *proc_root)
{
	struct proc_table *t = pal_xcalloc(1, sizeof(*t));
	t->proc_root = pal_xstrdup(proc_root ? proc_root : "/proc");
	t->nbuckets = 1024;
	t->buckets = pal_xcalloc(t->nbuckets, sizeof(*t->buckets));
	long hz = sysconf(_SC_CLK_TCK);
	t->ns_per_tick = hz > 0 ? 1000000000ull / (uint64_t)hz : 10000000ull;
	t->dead = pal_xcalloc(PROC_EXITED_MAX, sizeof(*t->dead));
	return t;
}

static void entry_free(struct proc_entry *e)
{
	free(e->exe);
	free(e->exepath);
	free(e->cmdline);
	free(e->cwd);
	pal_strv_free(e->argv);
	free(e);
}

void proc_table_free(struct proc_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		for (struct proc_entry *e = t->buckets[i], *n; e; e = n) {
			n = e->hnext;
			entry_free(e);
		}
	}
	free(t->buckets);
	free(t->dead);
	free(t->proc_root);
	free(t);
}

size_t proc_table_count(const struct proc_table *t)
{
	return t->count;
}

static size_t bucket(const struct proc_table *t, uint32_t pid)
{
	return (pid * 2654435761u) & (t->nbuckets - 1);
}

struct proc_entry *proc_table_get(struct proc_table *t, uint32_t pid)
{
	for (struct proc_entry *e = t->buckets[bucket(t, pid)]; e; e = e->hnext)
		if (e->p.pid == pid)
			return e;
	return NULL;
}

static void grow(struct proc_table *t)
{
	size_t old_n = t->nbuckets;
	struct proc_entry **old = t->buckets;
	t->nbuckets *= 2;
	t->buckets = pal_xcalloc(t->nbuckets, sizeof(*t->buckets));
	for (size_t i = 0; i < old_n; i++) {
		for (struct proc_entry *e = old[i], *n; e; e = n) {
			n = e->hnext;
			size_t b = bucket(t, e->p.pid);
			e->hnext = t->buckets[b];
			t->buckets[b] = e;
		}
	}
	free(old);
}

/* Keeps the public view's pointers in step with the owned strings. */
static void publish(struct proc_entry *e)
{
	e->p.exe = e->exe ? e->exe : "";
	e->p.exepath = e->exepath ? e->exepath : "";
	e->p.cmdline = e->cmdline ? e->cmdline : e->p.comm;
	e->p.cwd = e->cwd ? e->cwd : "";
	e->p.argv = e->argv ? (const char *const *)e->argv : empty_argv;
	e->p.env = NULL;
}

static struct proc_entry *insert_new(struct proc_table *t, uint32_t pid)
{
	if (t->count + 1 > t->nbuckets)
		grow(t);
	struct proc_entry *e = pal_xcalloc(1, sizeof(*e));
	e->p.pid = pid;
	e->p.loginuid = UINT32_MAX;
	publish(e);
	size_t b = bucket(t, pid);
	e->hnext = t->buckets[b];
	t->buckets[b] = e;
	t->count++;
	return e;
}

struct proc_entry *proc_table_upsert(struct proc_table *t, uint32_t pid)
{
	struct proc_entry *e = proc_table_get(t, pid);
	return e ? e : insert_new(t, pid);
}

void proc_table_remove(struct proc_table *t, uint32_t pid)
{
	for (struct proc_entry **pp = &t->buckets[bucket(t, pid)]; *pp; pp = &(*pp)->hnext) {
		if ((*pp)->p.pid == pid) {
			struct proc_entry *e = *pp;
			*pp = e->hnext;
			entry_free(e);
			t->count--;
			return;
		}
	}
}

static void evict_oldest(struct proc_table *t)
{
	struct dead *d = &t->dead[t->dead_head];
	struct proc_entry *e = proc_table_get(t, d->pid);
	/* Only the incarnation that exited: a reused pid has a live entry. */
	if (e && e->exited && e->p.start_ns == d->start_ns)
		proc_table_remove(t, d->pid);
	t->dead_head = (t->dead_head + 1) % PROC_EXITED_MAX;
	t->dead_len--;
}

void proc_table_expire(struct proc_table *t, uint64_t now_ns)
{
	while (t->dead_len > 0 && t->dead[t->dead_head].at_ns + PROC_EXIT_GRACE_NS < now_ns)
		evict_oldest(t);
}

void proc_table_exit(struct proc_table *t, uint32_t pid, uint64_t now_ns)
{
	struct proc_entry *e = proc_table_get(t, pid);
	if (!e || e->exited)
		return;
	if (t->dead_len == PROC_EXITED_MAX)
		evict_oldest(t);
	e->exited = true;
	struct dead *d = &t->dead[(t->dead_head + t->dead_len) % PROC_EXITED_MAX];
	d->pid = pid;
	d->start_ns = e->p.start_ns;
	d->at_ns = now_ns;
	t->dead_len++;
	proc_table_expire(t, now_ns);
}

char **proc_split_nul(const char *buf, size_t len)
{
	char **v = pal_xcalloc(1, sizeof(char *));
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		const char *s = buf + i;
		size_t l = strnlen(s, len - i);
		v = pal_xrealloc(v, (n + 2) * sizeof(char *));
		v[n++] = pal_xstrndup(s, l);
		v[n] = NULL;
		i += l + 1;
	}
	return v;
}

char *proc_make_cmdline(const char *comm, const char *const *argv)
{
	struct pal_buf b;
	pal_buf_init(&b);
	pal_buf_puts(&b, comm ? comm : "");
	if (argv && argv[0]) {
		for (size_t i = 1; argv[i]; i++) {
			pal_buf_putc(&b, ' ');
			pal_buf_puts(&b, argv[i]);
		}
	}
	return pal_buf_steal(&b);
}

void proc_entry_set_comm(struct proc_entry *e, const char *comm)
{
	if (strncmp(e->p.comm, comm, sizeof(e->p.comm)) == 0)
		return;
	snprintf(e->p.comm, sizeof(e->p.comm), "%s", comm);
	if (e->argv) {
		free(e->cmdline);
		e->cmdline = proc_make_cmdline(e->p.comm, (const char *const *)e->argv);
	}
	publish(e);
}

void proc_entry_set_exec(struct proc_entry *e, const char *const *argv, const char *exepath,
			 const char *cwd)
{
	pal_strv_free(e->argv);
	e->argv = pal_strv_dup((char *const *)argv);
	free(e->exe);
	e->exe = pal_xstrdup(argv && argv[0] ? argv[0] : "");
	free(e->exepath);
	e->exepath = pal_xstrdup(exepath ? exepath : "");
	if (cwd) {
		free(e->cwd);
		e->cwd = pal_xstrdup(cwd);
	}
	free(e->cmdline);
	e->cmdline = proc_make_cmdline(e->p.comm, argv);
	e->from_procfs = false;
	publish(e);
}

void proc_entry_set_cwd(struct proc_entry *e, const char *cwd)
{
	if (e->cwd && strcmp(e->cwd, cwd) == 0)
		return;
	free(e->cwd);
	e->cwd = pal_xstrdup(cwd);
	publish(e);
}

struct proc_entry *proc_table_fork(struct proc_table *t, const struct proc_entry *parent,
				   uint32_t child_pid, uint64_t start_ns)
{
	proc_table_remove(t, child_pid); /* a stale entry of a reused pid */
	struct proc_entry *c = insert_new(t, child_pid);
	if (parent) {
		c->p = parent->p;
		c->p.parent = NULL;
		c->exe = parent->exe ? pal_xstrdup(parent->exe) : NULL;
		c->exepath = parent->exepath ? pal_xstrdup(parent->exepath) : NULL;
		c->cmdline = parent->cmdline ? pal_xstrdup(parent->cmdline) : NULL;
		c->cwd = parent->cwd ? pal_xstrdup(parent->cwd) : NULL;
		c->argv = parent->argv ? pal_strv_dup(parent->argv) : NULL;
		c->container = parent->container;
		c->container_cgroup_id = parent->container_cgroup_id;
		c->container_known = parent->container_known;
		c->p.ppid = parent->p.pid;
	}
	c->p.pid = child_pid;
	c->p.vpid = 0; /* unknown until the child shows itself (exec) */
	c->p.start_ns = start_ns;
	publish(c);
	return c;
}

void proc_table_link_ancestry(struct proc_table *t, struct proc_entry *e)
{
	struct proc_entry *chain[PROC_ANCESTRY_MAX + 1];
	size_t n = 0;
	struct proc_entry *cur = e;
	chain[n++] = e;
	while (n <= PROC_ANCESTRY_MAX) {
		uint32_t ppid = cur->p.ppid;
		struct proc_entry *par = NULL;
		if (ppid != 0 && ppid != cur->p.pid)
			par = proc_table_get(t, ppid);
		/* A cycle would mean stale entries: stop rather than loop. */
		for (size_t i = 0; par && i < n; i++)
			if (chain[i] == par)
				par = NULL;
		cur->p.parent = par ? &par->p : NULL;
		if (!par)
			return;
		chain[n++] = par;
		cur = par;
	}
	cur->p.parent = NULL;
}

int proc_parse_stat(const char *text, size_t len, struct proc_stat_fields *out)
{
	memset(out, 0, sizeof(*out));
	const char *open = memchr(text, '(', len);
	const char *close = NULL;
	for (const char *p = text + len; p > text; p--)
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	if (!open || !close || close < open)
		return -EINVAL;
	size_t cl = (size_t)(close - open - 1);
	if (cl >= sizeof(out->comm))
		cl = sizeof(out->comm) - 1;
	memcpy(out->comm, open + 1, cl);
	out->comm[cl] = '\0';

	/* Fields after ") ": state(3) ppid(4) pgrp session tty_nr(7) ... starttime(22). */
	char rest[1024];
	size_t rl = len - (size_t)(close + 1 - text);
	if (rl >= sizeof(rest))
		rl = sizeof(rest) - 1;
	memcpy(rest, close + 1, rl);
	rest[rl] = '\0';
	char *save = NULL;
	int field = 3;
	for (char *tok = strtok_r(rest, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		char *end = NULL;
		errno = 0;
		if (field == 4)
			out->ppid = (uint32_t)strtoul(tok, &end, 10);
		else if (field == 7)
			out->tty = (uint32_t)strtol(tok, &end, 10);
		else if (field == 22) {
			out->start_ticks = strtoull(tok, &end, 10);
			return 0;
		}
		field++;
	}
	return -EINVAL;
}

static uint64_t hex64(const char *s)
{
	return strtoull(s, NULL, 16);
}

int proc_parse_status(const char *text, size_t len, struct proc_status_fields *out)
{
	memset(out, 0, sizeof(*out));
	_cleanup_free_ char *copy = pal_xstrndup(text, len);
	char *save = NULL;
	int seen = 0;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned a, b, c, d;
		if (sscanf(line, "Uid: %u %u %u %u", &a, &b, &c, &d) == 4) {
			out->uid = a;
			out->euid = b;
			seen |= 1;
		} else if (sscanf(line, "Gid: %u %u %u %u", &a, &b, &c, &d) == 4) {
			out->gid = a;
			out->egid = b;
			seen |= 2;
		} else if (pal_str_starts_with(line, "CapInh:")) {
			out->cap_inh = hex64(line + 7);
		} else if (pal_str_starts_with(line, "CapPrm:")) {
			out->cap_prm = hex64(line + 7);
		} else if (pal_str_starts_with(line, "CapEff:")) {
			out->cap_eff = hex64(line + 7);
		} else if (pal_str_starts_with(line, "NSpid:")) {
			/* The last number is the pid in the innermost namespace. */
			char *last = strrchr(line, '\t');
			if (!last)
				last = strrchr(line, ' ');
			if (last)
				out->vpid = (uint32_t)strtoul(last + 1, NULL, 10);
		}
	}
	return seen == 3 ? 0 : -EINVAL;
}

static char *read_proc(const struct proc_table *t, uint32_t pid, const char *name, size_t *len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%u/%s", t->proc_root, pid, name);
	char *data = NULL;
	struct pal_err err = {0};
	if (pal_read_file(path, PROC_FILE_MAX, &data, len, &err) < 0)
		return NULL;
	return data;
}

static char *readlink_proc(const struct proc_table *t, uint32_t pid, const char *name)
{
	char path[PATH_MAX], buf[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%u/%s", t->proc_root, pid, name);
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return pal_xstrdup(buf);
}

static struct proc_entry *load(struct proc_table *t, uint32_t pid)
{
	size_t len = 0;
	_cleanup_free_ char *stat = read_proc(t, pid, "stat", &len);
	struct proc_stat_fields sf;
	if (!stat || proc_parse_stat(stat, len, &sf) < 0)
		return NULL;
	_cleanup_free_ char *status = read_proc(t, pid, "status", &len);
	struct proc_status_fields st;
	if (!status || proc_parse_status(status, len, &st) < 0)
		return NULL;

	struct proc_entry *e = proc_table_upsert(t, pid);
	snprintf(e->p.comm, sizeof(e->p.comm), "%s", sf.comm);
	e->p.ppid = sf.ppid;
	e->p.tty = sf.tty;
	e->p.start_ns = sf.start_ticks * t->ns_per_tick;
	e->p.uid = st.uid;
	e->p.euid = st.euid;
	e->p.gid = st.gid;
	e->p.egid = st.egid;
	e->p.cap_inheritable = st.cap_inh;
	e->p.cap_permitted = st.cap_prm;
	e->p.cap_effective = st.cap_eff;
	e->p.vpid = st.vpid ? st.vpid : pid;

	_cleanup_free_ char *loginuid = read_proc(t, pid, "loginuid", &len);
	if (loginuid)
		e->p.loginuid = (uint32_t)strtoul(loginuid, NULL, 10);

	_cleanup_free_ char *cmd = read_proc(t, pid, "cmdline", &len);
	_cleanup_strv_ char **argv = cmd ? proc_split_nul(cmd, len) : proc_split_nul("", 0);
	_cleanup_free_ char *exe = readlink_proc(t, pid, "exe");
	_cleanup_free_ char *cwd = readlink_proc(t, pid, "cwd");
	proc_entry_set_exec(e, (const char *const *)argv, exe, cwd);
	e->from_procfs = true;
	return e;
}

struct proc_entry *proc_table_get_or_load(struct proc_table *t, uint32_t pid)
{
	struct proc_entry *e = proc_table_get(t, pid);
	return e ? e : load(t, pid);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int proc_table_seed(struct proc_table *t, size_t *loaded, struct pal_err *err)
{
	_cleanup_closedir_ DIR *d = opendir(t->proc_root);
	if (!d)
		return pal_err_sys(err, errno, "open %s to seed the process table", t->proc_root);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!all_digits(de->d_name))
			continue;
		unsigned long pid = strtoul(de->d_name, NULL, 10);
		if (pid == 0 || pid > UINT32_MAX)
			continue;
		if (load(t, (uint32_t)pid))
			n++;
	}
	if (loaded)
		*loaded = n;
	return 0;
}

size_t proc_table_gc(struct proc_table *t)
{
	size_t removed = 0;
	for (size_t i = 0; i < t->nbuckets; i++) {
		for (struct proc_entry **pp = &t->buckets[i]; *pp;) {
			char path[PATH_MAX];
			snprintf(path, sizeof(path), "%s/%u", t->proc_root, (*pp)->p.pid);
			if (access(path, F_OK) == 0) {
				pp = &(*pp)->hnext;
				continue;
			}
			struct proc_entry *e = *pp;
			*pp = e->hnext;
			entry_free(e);
			t->count--;
			removed++;
		}
	}
	return removed;
}
