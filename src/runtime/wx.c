#include "runtime/wx.h"
#include "runtime/mounts.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *const default_exec_dirs[] = {"/bin",	  "/sbin",   "/lib", "/lib32",
						"/lib64", "/libx32", "/usr", "/opt"};

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool covered(char *const *paths, const char *p)
{
	for (size_t i = 0; paths && paths[i]; i++)
		if (under(p, paths[i]))
			return true;
	return false;
}

/* Is the real directory (not a symlink) present in the container? */
static bool is_real_dir(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int rt_wx_plan(const struct rt_config *cfg, const struct rt_hardening *h, const char *entrypoint,
	       char ***exec_paths, struct pal_err *err)
{
	char **paths = pal_xcalloc(1, sizeof(char *));
	for (size_t i = 0; i < PAL_ARRAY_SIZE(default_exec_dirs); i++)
		if (is_real_dir(default_exec_dirs[i]))
			pal_strv_push(&paths, default_exec_dirs[i]);
	for (size_t i = 0; h->wx_exec_paths && h->wx_exec_paths[i]; i++)
		if (!covered(paths, h->wx_exec_paths[i]) && pal_path_exists(h->wx_exec_paths[i]))
			pal_strv_push(&paths, h->wx_exec_paths[i]);
	/* Read-only bind mounts (podman's --init binary, :ro volumes) stay executable. */
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct rt_mount *m = &cfg->mounts[i];
		if (m->is_bind && rt_mount_is_readonly(m) && !covered(paths, m->destination))
			pal_strv_push(&paths, m->destination);
	}
	if (entrypoint && !covered(paths, entrypoint)) {
		ssize_t mi = rt_mounts_covering(cfg, entrypoint);
		if (mi >= 0 && !rt_mount_is_readonly(&cfg->mounts[mi])) {
			pal_strv_free(paths);
			return pal_err_set(err, EACCES,
					   "the entrypoint %s is on a writable mount (%s): W^X "
					   "forbids executing it. Mount it read-only, or set the "
					   "annotation io.palisade.hardening.wx=off",
					   entrypoint, cfg->mounts[mi].destination);
		}
		/* Keep its directory executable (read-only from now on); an entrypoint
		 * directly under / keeps just the file. */
		_cleanup_free_ char *dir = pal_xstrdup(entrypoint);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			pal_strv_push(&paths, dir);
		} else {
			pal_strv_push(&paths, entrypoint);
		}
	}
	*exec_paths = paths;
	return 0;
}

/* Would the container be able to write path as things stand? */
static bool writable_now(const struct rt_config *cfg, const char *path)
{
	ssize_t mi = rt_mounts_covering(cfg, path);
	if (mi >= 0)
		return !rt_mount_is_readonly(&cfg->mounts[mi]);
	return !cfg->root.readonly;
}

int rt_wx_apply(const struct rt_config *cfg, char *const *exec_paths, struct pal_err *err)
{
	for (size_t i = 0; exec_paths && exec_paths[i]; i++) {
		if (!writable_now(cfg, exec_paths[i]))
			continue;
		int r = rt_mount_set_attr(exec_paths[i], true, MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOEXEC,
					  err);
		if (r < 0)
			return pal_err_prefix(err, "W^X: keep %s read-only and executable",
					      exec_paths[i]);
	}
	if (!cfg->root.readonly) {
		int r = rt_mount_set_attr("/", false, MOUNT_ATTR_NOEXEC, 0, err);
		if (r < 0)
			return pal_err_prefix(err, "W^X: make the writable root filesystem noexec");
	}
	return 0;
}

int rt_landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

int rt_landlock_prepare(char *const *exec_paths, struct pal_err *err)
{
	struct landlock_ruleset_attr attr = {.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE};
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset < 0)
		return pal_err_sys(err, errno, "Landlock: create ruleset");
	for (size_t i = 0; exec_paths && exec_paths[i]; i++) {
		_cleanup_close_ int fd = open(exec_paths[i], O_PATH | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			int e = errno;
			close(ruleset);
			return pal_err_sys(err, e, "Landlock: open %s", exec_paths[i]);
		}
		struct landlock_path_beneath_attr pb = {
		    .allowed_access = LANDLOCK_ACCESS_FS_EXECUTE, .parent_fd = fd};
		if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) <
		    0) {
			int e = errno;
			close(ruleset);
			return pal_err_sys(err, e, "Landlock: allow execute beneath %s",
					   exec_paths[i]);
		}
	}
	return ruleset;
}

int rt_landlock_enforce(int ruleset_fd)
{
	if (syscall(SYS_landlock_restrict_self, ruleset_fd, 0) < 0)
		return -errno;
	return 0;
}
