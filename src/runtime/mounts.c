#include "runtime/mounts.h"
#include "runtime/tmpcopyup.h"
#include "runtime/inroot.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t ms_to_attr(unsigned long ms)
{
	uint64_t a = 0;
	if (ms & MS_RDONLY)
		a |= MOUNT_ATTR_RDONLY;
	if (ms & MS_NOSUID)
		a |= MOUNT_ATTR_NOSUID;
	if (ms & MS_NODEV)
		a |= MOUNT_ATTR_NODEV;
	if (ms & MS_NOEXEC)
		a |= MOUNT_ATTR_NOEXEC;
	if (ms & MS_NODIRATIME)
		a |= MOUNT_ATTR_NODIRATIME;
	if (ms & MS_NOATIME)
		a |= MOUNT_ATTR_NOATIME;
	else if (ms & MS_STRICTATIME)
		a |= MOUNT_ATTR_STRICTATIME;
	return a;
}

static int setattr_fd(int fd, bool recursive, uint64_t set, uint64_t clr, uint64_t propagation)
{
	struct mount_attr attr = {.attr_set = set, .attr_clr = clr, .propagation = propagation};
	if ((set | clr) & MOUNT_ATTR__ATIME)
		attr.attr_clr |= MOUNT_ATTR__ATIME;
	if (!set && !clr && !propagation)
		return 0;
	return mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
			     sizeof(attr));
}

bool rt_mount_is_readonly(const struct rt_mount *m)
{
	return (m->flags & MS_RDONLY) || (m->attr_set & MOUNT_ATTR_RDONLY);
}

ssize_t rt_mounts_covering(const struct rt_config *cfg, const char *path)
{
	ssize_t best = -1;
	size_t best_len = 0;
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const char *d = cfg->mounts[i].destination;
		size_t n = strlen(d);
		while (n > 1 && d[n - 1] == '/')
			n--;
		bool covers = (n == 1 && d[0] == '/') ||
			      (strncmp(path, d, n) == 0 && (path[n] == '\0' || path[n] == '/'));
		if (covers && n >= best_len) {
			best = (ssize_t)i;
			best_len = n;
		}
	}
	return best;
}

static unsigned long propagation_of(const struct rt_config *cfg)
{
	return cfg->rootfs_propagation ? cfg->rootfs_propagation : (MS_SLAVE | MS_REC);
}

/* pivot_root refuses a new root whose parent mount is shared (as it is after
 * rootfsPropagation "shared"), and a bind of the rootfs onto itself under a
 * shared parent would propagate out of this namespace: make the mount that
 * holds the rootfs private. EINVAL means "not a mount point": go up. */
static int rootfs_parent_private(const char *rootfs, struct pal_err *err)
{
	_cleanup_free_ char *path = pal_xstrdup(rootfs);
	for (;;) {
		if (mount(NULL, path, NULL, MS_PRIVATE, NULL) == 0)
			return 0;
		if (errno != EINVAL || strcmp(path, "/") == 0)
			return pal_err_sys(err, errno,
					   "make the mount holding root.path %s private", rootfs);
		char *slash = strrchr(path, '/');
		if (!slash)
			return pal_err_set(err, EINVAL, "root.path %s is not absolute", rootfs);
		if (slash == path)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

int rt_mounts_prepare_root(struct rt_mount_env *env, const char *rootfs, struct pal_err *err)
{
	unsigned long prop = propagation_of(env->cfg);
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return pal_err_sys(err, errno, "set propagation of /");
	int r = rootfs_parent_private(rootfs, err);
	if (r < 0)
		return r;
	_cleanup_close_ int rfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0 && errno == EACCES && env->userns)
		return pal_err_sys(
		    err, errno,
		    "root.path %s (in a user namespace, the container's root must be "
		    "able to search every directory on this path)",
		    rootfs);
	if (rfd < 0)
		return pal_err_sys(err, errno, "root.path %s", rootfs);
	_cleanup_close_ int tree =
	    open_tree(rfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0)
		return pal_err_sys(err, errno, "bind root.path %s", rootfs);
	if (move_mount(tree, "", rfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return pal_err_sys(err, errno, "bind root.path %s onto itself", rootfs);
	/* rfd still names the directory under the new mount: reopen the mount root. */
	env->rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (env->rootfd < 0)
		return pal_err_sys(err, errno, "open root.path %s", rootfs);
	return 0;
}

/* Splits "a=b,c,d=e" into fsconfig calls. */
static int fsconfig_data(int fsfd, const char *data, const char **bad)
{
	if (!data || !*data)
		return 0;
	_cleanup_free_ char *copy = pal_xstrdup(data);
	char *save = NULL;
	for (char *opt = strtok_r(copy, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(opt, '=');
		int r;
		if (eq) {
			*eq = '\0';
			r = fsconfig(fsfd, FSCONFIG_SET_STRING, opt, eq + 1, 0);
		} else {
			r = fsconfig(fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0);
		}
		if (r < 0) {
			static __thread char badopt[256];
			snprintf(badopt, sizeof(badopt), "%s%s%s", opt, eq ? "=" : "",
				 eq ? eq + 1 : "");
			*bad = badopt;
			return -errno;
		}
	}
	return 0;
}

static int sb_flags_to_fsconfig(int fsfd, unsigned long flags)
{
	static const struct {
		unsigned long flag;
		const char *name;
	} sb[] = {{MS_SYNCHRONOUS, "sync"},
		  {MS_DIRSYNC, "dirsync"},
		  {MS_LAZYTIME, "lazytime"},
		  {MS_MANDLOCK, "mand"}};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(sb); i++)
		if ((flags & sb[i].flag) &&
		    fsconfig(fsfd, FSCONFIG_SET_FLAG, sb[i].name, NULL, 0) < 0)
			return -errno;
	return 0;
}

/* A fresh filesystem instance (proc, tmpfs, sysfs, devpts, mqueue, ...). */
static int mount_fs(const struct rt_mount *m, int dstfd, uint64_t extra_attr, struct pal_err *err)
{
	_cleanup_close_ int fsfd = fsopen(m->type, FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		if (errno == ENODEV)
			return pal_err_set(err, ENODEV,
					   "filesystem type '%s' is not supported by this kernel",
					   m->type);
		return pal_err_sys(err, errno, "fsopen %s", m->type);
	}
	if (m->source && *m->source &&
	    fsconfig(fsfd, FSCONFIG_SET_STRING, "source", m->source, 0) < 0)
		return pal_err_sys(err, errno, "source %s", m->source);
	const char *bad = NULL;
	int r = fsconfig_data(fsfd, m->data, &bad);
	if (r < 0)
		return pal_err_sys(err, -r, "option '%s'", bad ? bad : "?");
	if ((r = sb_flags_to_fsconfig(fsfd, m->flags)) < 0)
		return pal_err_sys(err, -r, "superblock flags");
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return pal_err_sys(err, errno, "create %s filesystem", m->type);
	uint64_t attr = ms_to_attr(m->flags) | extra_attr;
	/* A read-only tmpfs is filled first and made read-only after. */
	uint64_t late_attr = m->tmpcopyup ? attr & MOUNT_ATTR_RDONLY : 0;
	_cleanup_close_ int mnt = fsmount(fsfd, FSMOUNT_CLOEXEC, (unsigned)(attr & ~late_attr));
	if (mnt < 0)
		return pal_err_sys(err, errno, "fsmount %s", m->type);
	if (m->tmpcopyup) {
		if (strcmp(m->type, "tmpfs") != 0)
			return pal_err_set(err, EINVAL,
					   "option 'tmpcopyup' applies to tmpfs only, not %s",
					   m->type);
		int r2 = rt_tmpcopyup(dstfd, mnt, err);
		if (r2 < 0)
			return r2;
		if (late_attr && setattr_fd(mnt, false, late_attr, 0, 0) < 0)
			return pal_err_sys(err, errno, "make the tmpfs read-only");
	}
	if (move_mount(mnt, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return pal_err_sys(err, errno, "attach %s", m->type);
	if (m->propagation && setattr_fd(mnt, m->propagation & MS_REC, 0, 0,
					 m->propagation & ~(unsigned long)MS_REC) < 0)
		return pal_err_sys(err, errno, "set propagation");
	if ((m->attr_set || m->attr_clr) && setattr_fd(mnt, true, m->attr_set, m->attr_clr, 0) < 0)
		return pal_err_sys(err, errno, "set recursive attributes");
	return 0;
}

static int mount_bind(const struct rt_mount *m, int srcfd, int dstfd, uint64_t extra_attr,
		      struct pal_err *err)
{
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH;
	if (m->recursive_bind)
		flags |= AT_RECURSIVE;
	_cleanup_close_ int tree = open_tree(srcfd, "", flags);
	if (tree < 0)
		return pal_err_sys(err, errno, "bind source %s", m->source);
	/* Attributes on the top mount only, as runc does for "ro" on an rbind. */
	uint64_t set = ms_to_attr(m->flags) | extra_attr;
	uint64_t clr = ms_to_attr(m->clear_flags) & ~set;
	if (setattr_fd(tree, false, set, clr, 0) < 0)
		return pal_err_sys(err, errno, "set mount options");
	if ((m->attr_set || m->attr_clr) && setattr_fd(tree, true, m->attr_set, m->attr_clr, 0) < 0)
		return pal_err_sys(err, errno, "set recursive attributes");
	if (move_mount(tree, "", dstfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return pal_err_sys(err, errno, "attach bind mount");
	if (m->propagation && setattr_fd(tree, m->propagation & MS_REC, 0, 0,
					 m->propagation & ~(unsigned long)MS_REC) < 0)
		return pal_err_sys(err, errno, "set propagation");
	return 0;
}

static int open_bind_source(const struct rt_mount_env *env, const struct rt_mount *m,
			    struct pal_err *err)
{
	if (!m->source || !*m->source)
		return pal_err_set(err, EINVAL, "a bind mount needs a source");
	_cleanup_free_ char *abs = NULL;
	const char *src = m->source;
	if (src[0] != '/') {
		abs = pal_path_join(env->bundle, src);
		src = abs;
	}
	int fd = open(src, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return pal_err_sys(err, errno, "bind source %s", src);
	return fd;
}

/* v1/hybrid: a tmpfs with one bind per hierarchy, as runc presents it. */
static int mount_cgroup_v1(struct rt_mount_env *env, const struct rt_mount *m, int dstfd,
			   struct pal_err *err)
{
	struct rt_mount tmpfs = {.type = (char *)"tmpfs",
				 .source = (char *)"tmpfs",
				 .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC,
				 .data = (char *)"mode=755"};
	int r = mount_fs(&tmpfs, dstfd, 0, err);
	if (r < 0)
		return pal_err_prefix(err, "tmpfs for cgroup hierarchies");
	for (size_t i = 0; i < env->n_cg_binds; i++) {
		const struct rt_cgroup_bind *b = &env->cg_binds[i];
		_cleanup_free_ char *dest = pal_path_join(m->destination, b->name);
		_cleanup_close_ int d = rt_inroot_mkdir_p(env->rootfd, dest, 0755, err);
		if (d < 0)
			return r;
		_cleanup_close_ int src = open(b->host_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (src < 0)
			return pal_err_sys(err, errno, "cgroup directory %s", b->host_path);
		struct rt_mount bind = {.source = b->host_path,
					.flags = (m->flags & MS_RDONLY) | MS_NOSUID | MS_NODEV |
						 MS_NOEXEC};
		if ((r = mount_bind(&bind, src, d, 0, err)) < 0)
			return pal_err_prefix(err, "cgroup %s", b->name);
	}
	if (m->flags & MS_RDONLY) {
		_cleanup_close_ int top = rt_inroot_open(env->rootfd, m->destination, O_PATH);
		if (top < 0 || setattr_fd(top, false, MOUNT_ATTR_RDONLY, 0, 0) < 0)
			return pal_err_sys(err, top < 0 ? -top : errno, "make %s read-only",
					   m->destination);
	}
	return 0;
}

static int apply_one(struct rt_mount_env *env, const struct rt_mount *m, struct pal_err *err)
{
	int r = rt_inroot_check_no_escape(env->rootfd, m->destination, err);
	if (r < 0)
		return r;
	bool readonly = rt_mount_is_readonly(m);
	/* W^X: whatever the container can write, it cannot execute. */
	uint64_t extra = env->wx && !readonly ? MOUNT_ATTR_NOEXEC : 0;
	bool is_cgroup = m->type && (!strcmp(m->type, "cgroup") || !strcmp(m->type, "cgroup2"));

	if (m->is_bind) {
		_cleanup_close_ int src = open_bind_source(env, m, err);
		if (src < 0)
			return src;
		struct stat st;
		if (fstat(src, &st) < 0)
			return pal_err_sys(err, errno, "stat bind source %s", m->source);
		_cleanup_close_ int dst =
		    S_ISDIR(st.st_mode) ? rt_inroot_mkdir_p(env->rootfd, m->destination, 0755, err)
					: rt_inroot_touch(env->rootfd, m->destination, err);
		if (dst < 0)
			return dst;
		return mount_bind(m, src, dst, extra, err);
	}
	if (!m->type || !*m->type)
		return pal_err_set(err, EINVAL, "no filesystem type and not a bind mount");
	_cleanup_close_ int dst = rt_inroot_mkdir_p(env->rootfd, m->destination, 0755, err);
	if (dst < 0)
		return dst;
	if (is_cgroup && !env->cgroup_v2)
		return mount_cgroup_v1(env, m, dst, err);
	if (is_cgroup) {
		struct rt_mount v2 = *m;
		v2.type = (char *)"cgroup2";
		v2.source = (char *)"cgroup2";
		return mount_fs(&v2, dst, MOUNT_ATTR_NOEXEC, err);
	}
	return mount_fs(m, dst, extra, err);
}

int rt_mounts_apply(struct rt_mount_env *env, struct pal_err *err)
{
	for (size_t i = 0; i < env->cfg->n_mounts; i++) {
		const struct rt_mount *m = &env->cfg->mounts[i];
		if (m->idmap || m->n_uid_mappings || m->n_gid_mappings)
			return pal_err_set(err, ENOTSUP,
					   "mounts[%zu] (%s): id-mapped mounts are not supported "
					   "by this runtime yet",
					   i, m->destination);
		int r = apply_one(env, m, err);
		if (r < 0)
			return pal_err_prefix(err, "mounts[%zu] %s on %s", i,
					      m->type ? m->type : "bind", m->destination);
	}
	return 0;
}

int rt_pivot_root(struct rt_mount_env *env, bool no_pivot, struct pal_err *err)
{
	if (fchdir(env->rootfd) < 0)
		return pal_err_sys(err, errno, "chdir to the container root");
	if (no_pivot) {
		if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
			return pal_err_sys(err, errno, "move the container root to /");
		if (chroot(".") < 0)
			return pal_err_sys(err, errno, "chroot");
		return chdir("/") < 0 ? pal_err_sys(err, errno, "chdir /") : 0;
	}
	_cleanup_close_ int oldroot = open("/", O_DIRECTORY | O_PATH | O_CLOEXEC);
	if (oldroot < 0)
		return pal_err_sys(err, errno, "open old root");
	/* pivot_root(".", ".") stacks the old root on top of the new one; detaching
	 * it afterwards needs no directory for it inside the container. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return pal_err_sys(err, errno, "pivot_root");
	if (fchdir(oldroot) < 0)
		return pal_err_sys(err, errno, "chdir to old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return pal_err_sys(err, errno, "make old root a slave");
	if (umount2(".", MNT_DETACH) < 0)
		return pal_err_sys(err, errno, "detach old root");
	if (chdir("/") < 0)
		return pal_err_sys(err, errno, "chdir /");
	return 0;
}

static int open_in_container(const char *path)
{
	long fd = pal_openat2(AT_FDCWD, path, O_PATH | O_NOFOLLOW | O_CLOEXEC, 0,
			      RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	return fd < 0 ? -errno : (int)fd;
}

int rt_mask_paths(char *const *paths, struct pal_err *err)
{
	for (size_t i = 0; paths && paths[i]; i++) {
		_cleanup_close_ int fd = open_in_container(paths[i]);
		if (fd == -ENOENT)
			continue;
		if (fd < 0)
			return pal_err_sys(err, -fd, "linux.maskedPaths[%zu] %s", i, paths[i]);
		struct stat st;
		if (fstat(fd, &st) < 0)
			return pal_err_sys(err, errno, "stat %s", paths[i]);
		int r;
		if (S_ISDIR(st.st_mode)) {
			struct rt_mount ro_tmpfs = {.type = (char *)"tmpfs",
						    .source = (char *)"tmpfs",
						    .flags = MS_RDONLY | MS_NOSUID | MS_NODEV |
							     MS_NOEXEC,
						    .data = (char *)"size=0,mode=755"};
			r = mount_fs(&ro_tmpfs, fd, 0, err);
		} else {
			_cleanup_close_ int null = open("/dev/null", O_PATH | O_CLOEXEC);
			struct rt_mount bind = {.source = (char *)"/dev/null",
						.flags = MS_RDONLY | MS_NOSUID | MS_NOEXEC};
			r = null < 0 ? pal_err_sys(err, errno, "open /dev/null")
				     : mount_bind(&bind, null, fd, 0, err);
		}
		if (r < 0)
			return pal_err_prefix(err, "linux.maskedPaths[%zu] %s", i, paths[i]);
	}
	return 0;
}

int rt_mount_set_attr(const char *path, bool bind_first, uint64_t set, uint64_t clear,
		      struct pal_err *err)
{
	_cleanup_close_ int fd = open_in_container(path);
	if (fd < 0)
		return pal_err_sys(err, -fd, "%s", path);
	if (!bind_first) {
		_cleanup_close_ int mnt = open_tree(fd, "", OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (mnt < 0 || setattr_fd(mnt, false, set, clear, 0) < 0)
			return pal_err_sys(err, errno, "change mount attributes of %s", path);
		return 0;
	}
	_cleanup_close_ int tree =
	    open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	if (tree < 0)
		return pal_err_sys(err, errno, "bind %s", path);
	if (setattr_fd(tree, false, set, clear, 0) < 0)
		return pal_err_sys(err, errno, "change mount attributes of %s", path);
	if (move_mount(tree, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return pal_err_sys(err, errno, "attach %s", path);
	return 0;
}

int rt_readonly_paths(char *const *paths, struct pal_err *err)
{
	for (size_t i = 0; paths && paths[i]; i++) {
		_cleanup_close_ int probe = open_in_container(paths[i]);
		if (probe == -ENOENT)
			continue;
		if (probe < 0)
			return pal_err_sys(err, -probe, "linux.readonlyPaths[%zu] %s", i, paths[i]);
		_cleanup_close_ int tree = open_tree(
		    probe, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
		if (tree < 0 ||
		    setattr_fd(tree, true, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
			       0, 0) < 0 ||
		    move_mount(tree, "", probe, "",
			       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return pal_err_sys(err, errno, "linux.readonlyPaths[%zu] %s", i, paths[i]);
	}
	return 0;
}
