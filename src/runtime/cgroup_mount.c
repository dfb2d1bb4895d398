/* What the container's "cgroup" mount shows (see rt_cgroup_mount_plan). */
#include "cgroup_internal.h"

#include "common/strutil.h"

#include <stdlib.h>

int rt_cgroup_mount_plan(const struct rt_cgroup *cg, struct rt_cgroup_bind **binds, size_t *n,
			 struct pal_err *err)
{
	(void)err;
	*binds = NULL;
	*n = 0;
	/* Pure v2: the runtime mounts cgroup2 itself inside the cgroup namespace
	 * (or, without one, bind-mounts rt_cgroup_path(cg, "unified")). */
	if (cg->layout == RT_CGROUP_V2)
		return 0;
	*binds = pal_xcalloc(cg->n_dirs, sizeof(**binds));
	for (size_t i = 0; i < cg->n_dirs; i++) {
		const struct cg_dir *d = &cg->dirs[i];
		(*binds)[i].name = pal_xstrdup(d->h.name);
		(*binds)[i].host_path = pal_xstrdup(d->path);
	}
	*n = cg->n_dirs;
	return 0;
}

void rt_cgroup_mount_plan_free(struct rt_cgroup_bind *binds, size_t n)
{
	for (size_t i = 0; binds && i < n; i++) {
		free(binds[i].name);
		free(binds[i].host_path);
	}
	free(binds);
}
