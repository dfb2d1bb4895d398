#include "agent/environ.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "enforce/enforce.h"
#include "proc/proc_table.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct agt_environ {
	char *proc_root;
	/* the last lookup: one event's process */
	uint32_t pid;
	uint64_t start_ns, ts_ns;
	bool valid;
	char **env;
};

struct agt_environ *agt_environ_new(const char *proc_root)
{
	struct agt_environ *e = pal_xcalloc(1, sizeof(*e));
	e->proc_root = pal_xstrdup(proc_root ? proc_root : "/proc");
	return e;
}

void agt_environ_free(struct agt_environ *e)
{
	if (!e)
		return;
	pal_strv_free(e->env);
	free(e->proc_root);
	free(e);
}

/* Opened first, identity checked second: the open fd stays with the process
 * that held the pid, so a reused pid is caught by its start time. */
static char **read_environ(const struct agt_environ *e, const struct pal_proc *p)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%u/environ", e->proc_root, p->pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	if (p->start_ns && enf_pid_is(e->proc_root, p->pid, p->start_ns) < 0)
		return NULL;
	_cleanup_free_ char *buf = pal_xmalloc(AGT_ENVIRON_MAX);
	ssize_t got = pal_read_upto(fd, buf, AGT_ENVIRON_MAX);
	size_t len = got > 0 ? (size_t)got : 0;
	/* A cut-off last variable is dropped rather than passed on half. */
	if (len == AGT_ENVIRON_MAX)
		while (len > 0 && buf[len - 1] != '\0')
			len--;
	return proc_split_nul(buf, len);
}

const char *const *agt_environ_lookup(void *ud, const struct pal_event *ev)
{
	struct agt_environ *e = ud;
	const struct pal_proc *p = ev->proc;
	if (!e || !p || !p->pid)
		return NULL;
	if (e->valid && e->pid == p->pid && e->start_ns == p->start_ns && e->ts_ns == ev->ts_ns)
		return (const char *const *)e->env;
	pal_strv_free(e->env);
	e->env = NULL;
	/* A short-lived process (a curl, a one-line nc) is often gone by the
	 * time its event is evaluated: its environment is then its closest
	 * living ancestor's in the same cgroup, which it inherited. */
	unsigned depth = 0;
	for (const struct pal_proc *q = p; q && !e->env && depth < 16; q = q->parent, depth++)
		if (q->pid && q->cgroup_id == p->cgroup_id)
			e->env = read_environ(e, q);
	e->pid = p->pid;
	e->start_ns = p->start_ns;
	e->ts_ns = ev->ts_ns;
	e->valid = true;
	return (const char *const *)e->env;
}
