/* Pause and resume: the v1 freezer when a hierarchy carries it, else the v2
 * core freezer (cgroup.freeze, 5.2+). Both report the state they reached
 * separately from the request, so we wait until they say it. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#define FREEZE_TIMEOUT_MS 2000

struct freezer {
	const struct cg_dir *dir;
	bool v2;
};

static int find_freezer(const struct rt_cgroup *cg, struct freezer *f, struct pal_err *err)
{
	f->dir = cg_find_v1(cg, "freezer");
	f->v2 = false;
	if (f->dir)
		return 0;
	f->dir = cg_v2_dir(cg);
	f->v2 = true;
	if (f->dir)
		return 0;
	return pal_err_set(err, ENOTSUP,
			   "container %s cannot be frozen: no freezer hierarchy is mounted and "
			   "there is no cgroup v2 hierarchy",
			   cg->id);
}

static int read_state(int fd, const struct freezer *f, bool *frozen, struct pal_err *err)
{
	_cleanup_free_ char *s = NULL;
	int r = cg_read(fd, f->dir->path, f->v2 ? "cgroup.events" : "freezer.state", &s, err);
	if (r < 0)
		return r;
	if (!f->v2) {
		cg_trim(s);
		*frozen = strcmp(s, "FROZEN") == 0;
		return 0;
	}
	/* cgroup.events: "populated 1\nfrozen 0\n" */
	const char *p = strstr(s, "frozen ");
	while (p && p != s && p[-1] != '\n')
		p = strstr(p + 1, "frozen ");
	if (!p)
		return pal_err_set(err, ENOTSUP,
				   "%s/cgroup.events has no 'frozen' key (kernel "
				   "before 5.2?)",
				   f->dir->path);
	*frozen = p[7] == '1';
	return 0;
}

int rt_cgroup_is_frozen(const struct rt_cgroup *cg, bool *frozen, struct pal_err *err)
{
	struct freezer f;
	int r = find_freezer(cg, &f, err);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = cg_dir_open(f.dir, O_PATH, err);
	if (fd < 0)
		return fd;
	return read_state(fd, &f, frozen, err);
}

int rt_cgroup_freeze(struct rt_cgroup *cg, bool freeze, struct pal_err *err)
{
	struct freezer f;
	int r = find_freezer(cg, &f, err);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = cg_dir_open(f.dir, O_PATH, err);
	if (fd < 0)
		return fd;
	const char *file = f.v2 ? "cgroup.freeze" : "freezer.state";
	const char *want = f.v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED");
	uint64_t deadline = cg_now_ms() + FREEZE_TIMEOUT_MS;
	unsigned nap = 1;
	for (;;) {
		/* v1 may stay FREEZING while a task sleeps uninterruptibly; asking
		 * again retries the tasks that did not stop yet. */
		if ((r = cg_write(fd, f.dir->path, file, want, NULL, err)) < 0)
			return pal_err_prefix(err, "%s container %s", freeze ? "freeze" : "thaw",
					      cg->id);
		bool frozen = false;
		if ((r = read_state(fd, &f, &frozen, err)) < 0)
			return r;
		if (frozen == freeze)
			return 0;
		if (cg_now_ms() >= deadline)
			break;
		cg_sleep_ms(nap);
		if (nap < 20)
			nap *= 2;
	}
	if (freeze) { /* leave it running rather than half frozen */
		struct pal_err ignored = {0};
		cg_write(fd, f.dir->path, file, f.v2 ? "0" : "THAWED", NULL, &ignored);
	}
	return pal_err_set(err, ETIMEDOUT,
			   "%s container %s: %s/%s did not report the new state within %d ms",
			   freeze ? "freeze" : "thaw", cg->id, f.dir->path,
			   f.v2 ? "cgroup.events" : "freezer.state", FREEZE_TIMEOUT_MS);
}
