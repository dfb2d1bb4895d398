/* The response actions as the agent calls them: the safety rules first,
 * then the target, then the act (or, in a dry run, what it would be). */
#include "enforce/enforce.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct enf {
	struct enf_opts o;
	char *state_dir; /* NULL: the records' default */
	char *proc_root;
	pid_t self;
};

const char *enf_result_name(enum enf_result r)
{
	switch (r) {
	case ENF_OK:
		return "ok";
	case ENF_FAILED:
		return "failed";
	case ENF_SKIPPED:
		return "skipped";
	}
	return "failed";
}

void enf_target_from_event(const struct pal_event *ev, struct enf_target *t)
{
	memset(t, 0, sizeof(*t));
	if (ev->proc) {
		t->pid = ev->proc->pid;
		t->start_ns = ev->proc->start_ns;
		t->comm = ev->proc->comm;
	}
	if (ev->container) {
		t->is_host = ev->container->is_host;
		t->container_id = ev->container->id;
		t->cgroup_id = ev->container->cgroup_id;
	} else {
		t->is_host = true;
	}
}

struct enf *enf_new(const struct enf_opts *o)
{
	struct enf *e = pal_xcalloc(1, sizeof(*e));
	e->o = *o;
	e->state_dir = o->state_dir ? pal_xstrdup(o->state_dir) : NULL;
	e->proc_root = pal_xstrdup(o->proc_root ? o->proc_root : "/proc");
	e->o.state_dir = e->state_dir;
	e->o.proc_root = e->proc_root;
	if (!e->o.freeze_timeout_ms)
		e->o.freeze_timeout_ms = 1000;
	e->self = getpid();
	return e;
}

void enf_free(struct enf *e)
{
	if (!e)
		return;
	free(e->state_dir);
	free(e->proc_root);
	free(e);
}

static void set_out(struct enf_outcome *out, enum enf_result r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_out(struct enf_outcome *out, enum enf_result r, const char *fmt, ...)
{
	out->result = r;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->detail, sizeof(out->detail), fmt, ap);
	va_end(ap);
}

static const char *comm_of(const struct enf_target *t)
{
	return t->comm && t->comm[0] ? t->comm : "?";
}

static bool in_container(const struct enf_target *t)
{
	return !t->is_host && t->container_id && t->container_id[0] &&
	       strcmp(t->container_id, "host") != 0;
}

/* The rules every action obeys before anything else. true: go on. */
static bool common_checks(struct enf *e, const struct enf_target *t, struct enf_outcome *out)
{
	if (!e->o.enabled) {
		set_out(out, ENF_SKIPPED, "enforcement is disabled (enforcement.enabled)");
		return false;
	}
	if (t->pid == 1) {
		set_out(out, ENF_SKIPPED, "never acting on pid 1");
		return false;
	}
	if (t->pid != 0 && (pid_t)t->pid == e->self) {
		set_out(out, ENF_SKIPPED, "never acting on the agent itself (pid %u)", t->pid);
		return false;
	}
	return true;
}

void enf_kill_process(struct enf *e, const struct enf_target *t, struct enf_outcome *out)
{
	if (!common_checks(e, t, out))
		return;
	if (t->pid == 0) {
		set_out(out, ENF_FAILED, "the event names no process");
		return;
	}
	if (!in_container(t) && !e->o.host) {
		set_out(out, ENF_SKIPPED,
			"pid %u (%s) is not in a container and host enforcement is off "
			"(enforcement.host)",
			t->pid, comm_of(t));
		return;
	}
	if (e->o.dry_run) {
		int r = enf_pid_is(e->proc_root, t->pid, t->start_ns);
		if (r < 0 && r != -ESTALE)
			set_out(out, ENF_SKIPPED, "dry run: pid %u (%s) had already exited", t->pid,
				comm_of(t));
		else if (r == -ESTALE)
			set_out(out, ENF_SKIPPED,
				"dry run: pid %u now names another process: would not signal",
				t->pid);
		else
			set_out(out, ENF_SKIPPED, "dry run: would send SIGKILL to pid %u (%s)",
				t->pid, comm_of(t));
		return;
	}
	struct pal_err err = {0};
	int r = enf_pid_signal(e->proc_root, t->pid, t->start_ns, SIGKILL, &err);
	if (r < 0)
		set_out(out, ENF_FAILED, "%s", err.msg);
	else
		set_out(out, ENF_OK, "SIGKILL to pid %u (%s)", t->pid, comm_of(t));
}

static int read_text(const char *path, char **out)
{
	size_t len;
	struct pal_err err = {0};
	return pal_read_file(path, 1u << 20, out, &len, &err);
}

/* The container's cgroups, checked against every safety rule. */
static int container_cgroup(struct enf *e, const struct enf_target *t, struct enf_cgroup *cg,
			    struct pal_err *err)
{
	_cleanup_free_ char *mi_path = pal_xasprintf("%s/self/mountinfo", e->proc_root);
	_cleanup_free_ char *mi = NULL;
	if (read_text(mi_path, &mi) < 0)
		return pal_err_sys(err, errno ? errno : EIO, "read %s", mi_path);
	struct enf_cg_mounts ms;
	enf_cg_mounts_parse(mi, strlen(mi), &ms);
	int r = enf_cgroup_from_record(e->state_dir, t->container_id, &ms, cg, err);
	if (r == -ENOENT) {
		/* Not a palisade-runtime container (or its record names no usable
		 * cgroup): its process says where it is. */
		pal_err_clear(err);
		_cleanup_free_ char *p = pal_xasprintf("%s/%u/cgroup", e->proc_root, t->pid);
		_cleanup_free_ char *text = NULL;
		if (t->pid == 0 || read_text(p, &text) < 0)
			r = pal_err_set(err, ESRCH,
					"container %s has no palisade-runtime record and process "
					"%u is gone, so its cgroup is unknown",
					t->container_id, t->pid);
		else
			r = enf_cgroup_from_proc_text(text, strlen(text), t->container_id, &ms, cg,
						      err);
	}
	enf_cg_mounts_clear(&ms);
	if (r < 0)
		return r;
	/* Never a cgroup that holds the agent or pid 1. */
	_cleanup_free_ char *self_path = pal_xasprintf("%s/self/cgroup", e->proc_root);
	_cleanup_free_ char *init_path = pal_xasprintf("%s/1/cgroup", e->proc_root);
	_cleanup_free_ char *self_cg = NULL, *init_cg = NULL;
	if (read_text(self_path, &self_cg) < 0 || read_text(init_path, &init_cg) < 0) {
		enf_cgroup_clear(cg);
		return pal_err_set(err, EIO,
				   "cannot read the agent's and pid 1's cgroups to rule them out");
	}
	const char *texts[] = {self_cg, init_cg, NULL};
	const char *names[] = {"the agent", "pid 1", NULL};
	if ((r = enf_cgroup_check_excludes(cg, texts, names, err)) < 0) {
		enf_cgroup_clear(cg);
		return pal_err_prefix(err, "not acting on container %s", t->container_id);
	}
	return 0;
}

static bool container_checks(struct enf *e, const struct enf_target *t, struct enf_outcome *out)
{
	if (!common_checks(e, t, out))
		return false;
	if (!in_container(t)) {
		set_out(out, ENF_SKIPPED, "pid %u (%s) is not in a container", t->pid, comm_of(t));
		return false;
	}
	return true;
}

static void dirs_text(const struct enf_cgroup *cg, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < cg->n && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", cg->dirs[i].path);
}

enum container_act { ACT_KILL, ACT_FREEZE };

static void container_action(struct enf *e, const struct enf_target *t, enum container_act act,
			     struct enf_outcome *out)
{
	if (!container_checks(e, t, out))
		return;
	struct enf_cgroup cg;
	struct pal_err err = {0};
	if (container_cgroup(e, t, &cg, &err) < 0) {
		set_out(out, ENF_FAILED, "%s", err.msg);
		return;
	}
	if (e->o.dry_run) {
		char dirs[384];
		dirs_text(&cg, dirs, sizeof(dirs));
		set_out(out, ENF_SKIPPED, "dry run: would %s container %s (%s)",
			act == ACT_KILL ? "kill every process of" : "freeze", t->container_id,
			dirs);
		enf_cgroup_clear(&cg);
		return;
	}
	char detail[ENF_DETAIL_MAX - 64];
	long killed = 0;
	int r = act == ACT_KILL ? enf_cgroup_kill(&cg, ENF_KILL_AUTO, e->o.freeze_timeout_ms,
						  &killed, detail, sizeof(detail), &err)
				: enf_cgroup_freeze(&cg, true, e->o.freeze_timeout_ms, detail,
						    sizeof(detail), &err);
	enf_cgroup_clear(&cg);
	if (r < 0)
		set_out(out, ENF_FAILED, "container %s: %s", t->container_id, err.msg);
	else
		set_out(out, ENF_OK, "container %s: %s", t->container_id, detail);
}

void enf_kill_container(struct enf *e, const struct enf_target *t, struct enf_outcome *out)
{
	container_action(e, t, ACT_KILL, out);
}

void enf_freeze_container(struct enf *e, const struct enf_target *t, struct enf_outcome *out)
{
	container_action(e, t, ACT_FREEZE, out);
}
