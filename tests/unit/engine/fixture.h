/* Test helpers for the rule engine: load rules from a string, evaluate
 * conditions, and build synthetic struct pal_event values from YAML
 * descriptions (realistic process trees and containers are much easier to
 * read and review as YAML than as C initializers). Header-only because every
 * tests/unit/engine/test_*.c is its own program. */
#ifndef PAL_TEST_ENGINE_FIXTURE_H
#define PAL_TEST_ENGINE_FIXTURE_H

#include "common/cleanup.h"
#include "common/strutil.h"
#include "common/yamldoc.h"
#include "engine/engine.h"
#include "engine/flags.h"
#include "engine/util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* ---- diagnostics capture --------------------------------------------------- */

struct diags {
	struct pal_buf text; /* every diagnostic, one per line, as eng_diag_format prints it */
	unsigned errors, warnings;
};

static inline void diags_cb(const struct eng_diag *d, void *ud)
{
	struct diags *g = ud;
	char line[2048];
	eng_diag_format(d, line, sizeof(line));
	pal_buf_puts(&g->text, line);
	pal_buf_putc(&g->text, '\n');
	if (d->level == ENG_DIAG_ERROR)
		g->errors++;
	else
		g->warnings++;
}

static inline void diags_init(struct diags *g)
{
	memset(g, 0, sizeof(*g));
	pal_buf_init(&g->text);
	pal_buf_puts(&g->text, "");
}

static inline bool diags_has(const struct diags *g, const char *needle)
{
	return g->text.data && strstr(g->text.data, needle) != NULL;
}

/* Loads rules text (as file "test.yaml"); returns the ruleset or NULL, with
 * every diagnostic in g. Clock offset 0: ts_ns and start_ns share a clock. */
static inline struct eng_ruleset *load_rules_opts(const char *yaml, struct diags *g,
						  struct eng_load_opts *o)
{
	diags_init(g);
	struct eng_load_opts def = {0};
	if (!o)
		o = &def;
	o->diag = diags_cb;
	o->diag_ud = g;
	o->has_clock_offset = true;
	o->realtime_minus_boottime_ns = 0;
	if (!o->passwd_path)
		o->passwd_path = PAL_TEST_DATA_DIR "/engine/passwd";
	if (!o->group_path)
		o->group_path = PAL_TEST_DATA_DIR "/engine/group";
	struct eng_loader *l = eng_loader_new(o);
	eng_loader_add_buffer(l, "test.yaml", yaml, strlen(yaml));
	struct eng_ruleset *rs = NULL;
	struct pal_err err = {0};
	eng_loader_finish(l, &rs, &err);
	eng_loader_free(l);
	return rs;
}

static inline struct eng_ruleset *load_rules(const char *yaml, struct diags *g)
{
	return load_rules_opts(yaml, g, NULL);
}

/* ---- event building ----------------------------------------------------------- */

struct evfix {
	struct eng_arena a;
	struct pal_event *ev;
	const char *error; /* set when the description is wrong */
};

static inline const char *fx_str(struct evfix *f, const char *s)
{
	return arena_strdup(&f->a, s);
}

static inline int64_t fx_symbol(const char *s, bool *ok)
{
	*ok = true;
	char *end;
	long long v = strtoll(s, &end, 0);
	if (*s && !*end)
		return v;
	/* FLAG|FLAG|... over every flag table, or one enum value name. */
	int64_t out = 0;
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save = NULL, *tok = strtok_r(buf, "|", &save); tok;
	     tok = strtok_r(NULL, "|", &save)) {
		bool found = false;
		for (int t = 0; t < FT__COUNT && !found; t++) {
			size_t n;
			const struct eng_flag *fl = eng_flag_table(t, &n);
			for (size_t i = 0; i < n && !found; i++)
				if (!strcmp(fl[i].name, tok)) {
					out |= (int64_t)fl[i].value;
					found = true;
				}
		}
		for (int t = 0; t < ET__COUNT && !found; t++) {
			int64_t v2;
			if (eng_enum_value(t, tok, strlen(tok), false, &v2)) {
				out |= v2;
				found = true;
			}
		}
		for (unsigned b = 0; b < 64 && !found; b++) {
			const char *cn = eng_cap_name(b);
			if (cn && !strcmp(cn, tok)) {
				out |= (int64_t)(1ull << b);
				found = true;
			}
		}
		if (!found)
			*ok = false;
	}
	return out;
}

static inline int64_t fx_int(struct evfix *f, struct pal_yaml *y, yaml_node_t *n, const char *what)
{
	const char *s = pal_yaml_scalar(n);
	bool ok = s != NULL;
	int64_t v = ok ? fx_symbol(s, &ok) : 0;
	if (!ok && !f->error)
		f->error = fx_str(f, what);
	(void)y;
	return v;
}

static inline void fx_addr(struct evfix *f, const char *s, struct pal_sockaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (!strncmp(s, "unix:", 5)) {
		a->family = AF_UNIX;
		snprintf(a->unix_path, sizeof(a->unix_path), "%s", s + 5);
		return;
	}
	char host[128];
	const char *colon = strrchr(s, ':');
	if (!colon) {
		f->error = "address needs ip:port";
		return;
	}
	size_t hl = (size_t)(colon - s);
	if (s[0] == '[') {
		snprintf(host, sizeof(host), "%.*s", (int)(hl - 2), s + 1);
	} else {
		snprintf(host, sizeof(host), "%.*s", (int)hl, s);
	}
	a->port = (uint16_t)atoi(colon + 1);
	if (inet_pton(AF_INET, host, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, a->addr) == 1)
		a->family = AF_INET6;
	else
		f->error = "bad IP address";
}

static inline const char *const *fx_strv(struct evfix *f, struct pal_yaml *y, yaml_node_t *n)
{
	size_t cnt = pal_yaml_is_seq(n)
			 ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start)
			 : 0;
	const char **v = arena_alloc(&f->a, sizeof(*v) * (cnt + 1));
	for (size_t i = 0; i < cnt; i++)
		v[i] =
		    fx_str(f, pal_yaml_scalar(pal_yaml_node(y, n->data.sequence.items.start[i])));
	return v;
}

static inline struct pal_proc *fx_proc(struct evfix *f, struct pal_yaml *y, yaml_node_t *m,
				       int depth)
{
	struct pal_proc *p = arena_alloc(&f->a, sizeof(*p));
	p->loginuid = UINT32_MAX;
	p->pid = 1000 + (uint32_t)depth;
	bool uid_set = false, gid_set = false;
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(y, m, k, v)
	{
		const char *key = pal_yaml_scalar(k);
		const char *s = pal_yaml_scalar(v);
		if (!strcmp(key, "name"))
			snprintf(p->comm, sizeof(p->comm), "%.15s", s);
		else if (!strcmp(key, "exe"))
			p->exe = fx_str(f, s);
		else if (!strcmp(key, "exepath"))
			p->exepath = fx_str(f, s);
		else if (!strcmp(key, "cmdline"))
			p->cmdline = fx_str(f, s);
		else if (!strcmp(key, "args"))
			p->argv = fx_strv(f, y, v);
		else if (!strcmp(key, "env"))
			p->env = fx_strv(f, y, v);
		else if (!strcmp(key, "cwd"))
			p->cwd = fx_str(f, s);
		else if (!strcmp(key, "pid"))
			p->pid = (uint32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "ppid"))
			p->ppid = (uint32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "vpid"))
			p->vpid = (uint32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "start_ns"))
			p->start_ns = (uint64_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "uid")) {
			p->uid = (uint32_t)fx_int(f, y, v, key);
			uid_set = true;
		} else if (!strcmp(key, "euid"))
			p->euid = (uint32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "gid")) {
			p->gid = (uint32_t)fx_int(f, y, v, key);
			gid_set = true;
		} else if (!strcmp(key, "egid"))
			p->egid = (uint32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "loginuid"))
			p->loginuid = (uint32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "tty"))
			p->tty = (uint32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "caps")) {
			p->cap_effective = s && !strcmp(s, "all") ? (1ull << 41) - 1
								  : (uint64_t)fx_int(f, y, v, key);
			p->cap_permitted = p->cap_effective;
		} else if (!strcmp(key, "exe_writable"))
			p->is_exe_writable = s && !strcmp(s, "true");
		else if (!strcmp(key, "exe_origin"))
			p->exe_origin = !strcmp(s, "upper")   ? PAL_EXE_ORIGIN_UPPER
					: !strcmp(s, "memfd") ? PAL_EXE_ORIGIN_MEMFD
							      : PAL_EXE_ORIGIN_IMAGE;
		else if (!strcmp(key, "parent"))
			p->parent = depth < 64 ? fx_proc(f, y, v, depth + 1) : NULL;
		else if (!f->error)
			f->error = fx_str(f, key);
	}
	if (uid_set && !p->euid)
		p->euid = p->uid;
	if (gid_set && !p->egid)
		p->egid = p->gid;
	if (p->parent && !p->ppid)
		p->ppid = p->parent->pid;
	if (!p->exe && p->argv && p->argv[0])
		p->exe = p->argv[0];
	if (!p->cmdline && p->comm[0]) {
		struct pal_buf b;
		pal_buf_init(&b);
		pal_buf_puts(&b, p->comm);
		for (size_t i = 1; p->argv && p->argv[0] && p->argv[i]; i++) {
			pal_buf_putc(&b, ' ');
			pal_buf_puts(&b, p->argv[i]);
		}
		p->cmdline = fx_str(f, b.data);
		pal_buf_free(&b);
	}
	return p;
}

static inline struct pal_container *fx_container(struct evfix *f, struct pal_yaml *y,
						 yaml_node_t *m)
{
	struct pal_container *c = arena_alloc(&f->a, sizeof(*c));
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(y, m, k, v)
	{
		const char *key = pal_yaml_scalar(k), *s = pal_yaml_scalar(v);
		if (!strcmp(key, "id"))
			c->id = fx_str(f, s);
		else if (!strcmp(key, "name"))
			c->name = fx_str(f, s);
		else if (!strcmp(key, "image"))
			c->image = fx_str(f, s);
		else if (!strcmp(key, "repository"))
			c->image_repository = fx_str(f, s);
		else if (!strcmp(key, "tag"))
			c->image_tag = fx_str(f, s);
		else if (!strcmp(key, "digest"))
			c->image_digest = fx_str(f, s);
		else if (!strcmp(key, "runtime"))
			c->runtime = fx_str(f, s);
		else if (!strcmp(key, "pod"))
			c->pod_name = fx_str(f, s);
		else if (!strcmp(key, "namespace"))
			c->pod_namespace = fx_str(f, s);
		else if (!strcmp(key, "privileged"))
			c->privileged = !strcmp(s, "true");
		else if (!strcmp(key, "host"))
			c->is_host = !strcmp(s, "true");
		else if (!f->error)
			f->error = fx_str(f, key);
	}
	if (c->is_host && !c->id)
		c->id = "host";
	return c;
}

static inline const struct pal_container *fx_host(struct evfix *f)
{
	struct pal_container *c = arena_alloc(&f->a, sizeof(*c));
	c->id = "host";
	c->name = "host";
	c->runtime = "host";
	c->is_host = true;
	return c;
}

/* Builds f->ev from a YAML mapping node. On a mistake f->error names it. */
static inline void fx_event(struct evfix *f, struct pal_yaml *y, yaml_node_t *m)
{
	struct pal_event *ev = arena_alloc(&f->a, sizeof(*ev));
	ev->fd = -1;
	ev->ts_ns = 1700000000000000000ull;
	f->ev = ev;
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(y, m, k, v)
	{
		const char *key = pal_yaml_scalar(k), *s = pal_yaml_scalar(v);
		if (!strcmp(key, "type")) {
			int t = pal_evt_type_from_name(s);
			if (t < 0)
				f->error = "unknown event type";
			ev->type = (uint32_t)(t < 0 ? 0 : t);
		} else if (!strcmp(key, "res"))
			ev->res = fx_int(f, y, v, key);
		else if (!strcmp(key, "ts"))
			ev->ts_ns = (uint64_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "cpu"))
			ev->cpu = (uint32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "tid"))
			ev->tid = (uint32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "fd"))
			ev->fd = fx_int(f, y, v, key);
		else if (!strcmp(key, "flags"))
			ev->flags = (uint32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "mode"))
			ev->mode = (uint32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "path"))
			ev->path = fx_str(f, s);
		else if (!strcmp(key, "path2"))
			ev->path2 = fx_str(f, s);
		else if (!strcmp(key, "arg_str"))
			ev->arg_str = fx_str(f, s);
		else if (!strcmp(key, "arg")) {
			size_t i = 0;
			yaml_node_t *it;
			PAL_YAML_SEQ_FOREACH(y, v, it)
			{
				if (i < 6)
					ev->arg[i++] = fx_int(f, y, it, "arg");
			}
		} else if (!strcmp(key, "local"))
			fx_addr(f, s, &ev->local);
		else if (!strcmp(key, "remote"))
			fx_addr(f, s, &ev->remote);
		else if (!strcmp(key, "domain"))
			ev->sock_domain = (int32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "socktype"))
			ev->sock_type = (int32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "protocol"))
			ev->sock_protocol = (int32_t)fx_int(f, y, v, key);
		else if (!strcmp(key, "exe_upper_layer"))
			ev->exe_upper_layer = !strcmp(s, "true");
		else if (!strcmp(key, "exe_memfd"))
			ev->exe_memfd = !strcmp(s, "true");
		else if (!strcmp(key, "proc"))
			ev->proc = fx_proc(f, y, v, 0);
		else if (!strcmp(key, "container"))
			ev->container = fx_container(f, y, v);
		else if (!f->error)
			f->error = fx_str(f, key);
	}
	if (!ev->proc) {
		struct pal_proc *p = arena_alloc(&f->a, sizeof(*p));
		snprintf(p->comm, sizeof(p->comm), "test");
		p->pid = 1000;
		p->loginuid = UINT32_MAX;
		ev->proc = p;
	}
	if (!ev->container)
		ev->container = fx_host(f);
	if (!ev->tid)
		ev->tid = ev->proc->pid;
	/* Sockets: the domain follows the addresses unless given. */
	if (!ev->sock_domain && (ev->remote.family || ev->local.family))
		ev->sock_domain = ev->remote.family ? ev->remote.family : ev->local.family;
}

/* Builds an event from a YAML text (a mapping). Free with fx_free. */
static inline struct pal_event *fx_parse(struct evfix *f, const char *yaml)
{
	memset(f, 0, sizeof(*f));
	struct pal_yaml y;
	struct pal_err e = {0};
	if (pal_yaml_load_buffer(&y, "event", yaml, strlen(yaml), &e) < 0) {
		f->error = "event YAML does not parse";
		pal_yaml_free(&y);
		return NULL;
	}
	fx_event(f, &y, pal_yaml_root(&y));
	pal_yaml_free(&y);
	return f->ev;
}

static inline void fx_free(struct evfix *f)
{
	arena_release(&f->a);
	memset(f, 0, sizeof(*f));
}

/* ---- evaluating ------------------------------------------------------------------ */

struct fired {
	struct pal_buf names; /* "|rule|rule|" */
	unsigned n;
	char *last_output;
	char *last_fields; /* JSON */
};

static inline void fired_cb(const struct eng_match *m, void *ud)
{
	struct fired *fr = ud;
	if (!fr->names.len)
		pal_buf_putc(&fr->names, '|');
	pal_buf_puts(&fr->names, m->rule->name);
	pal_buf_putc(&fr->names, '|');
	fr->n++;
	free(fr->last_output);
	free(fr->last_fields);
	fr->last_output = pal_xstrdup(m->output);
	fr->last_fields = json_dumps(m->output_fields, JSON_SORT_KEYS | JSON_COMPACT);
}

static inline void fired_init(struct fired *fr)
{
	memset(fr, 0, sizeof(*fr));
	pal_buf_init(&fr->names);
	pal_buf_puts(&fr->names, "");
}

static inline void fired_free(struct fired *fr)
{
	pal_buf_free(&fr->names);
	free(fr->last_output);
	free(fr->last_fields);
}

/* Does condition cond match the event described by event_yaml? -1 if the
 * rule does not load. Extra YAML (lists, macros) may precede the rule. */
static inline int cond_matches_with(const char *prelude, const char *cond, const char *event_yaml)
{
	struct pal_buf b;
	pal_buf_init(&b);
	pal_buf_printf(&b,
		       "%s\n- rule: t\n  desc: test\n  condition: %s\n  output: out\n  priority: "
		       "warning\n  warn_evttypes: false\n",
		       prelude ? prelude : "", cond);
	struct diags g;
	struct eng_ruleset *rs = load_rules(b.data, &g);
	pal_buf_free(&b);
	if (!rs) {
		fprintf(stderr, "condition does not load: %s\n%s", cond, g.text.data);
		pal_buf_free(&g.text);
		return -1;
	}
	pal_buf_free(&g.text);
	struct evfix f;
	struct pal_event *ev = fx_parse(&f, event_yaml);
	int r = -1;
	if (ev && !f.error)
		r = eng_eval(rs, ev, NULL, NULL) > 0;
	else
		fprintf(stderr, "bad event: %s\n", f.error ? f.error : "?");
	fx_free(&f);
	eng_ruleset_free(rs);
	return r;
}

static inline int cond_matches(const char *cond, const char *event_yaml)
{
	return cond_matches_with(NULL, cond, event_yaml);
}

#endif
