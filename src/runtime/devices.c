#include "runtime/mounts.h"
#include "runtime/inroot.h"
#include "common/cleanup.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The devices every container gets when it has its own /dev (runc's list). */
static const struct rt_device default_devices[] = {
    {.path = (char *)"/dev/null", .type = 'c', .major = 1, .minor = 3},
    {.path = (char *)"/dev/zero", .type = 'c', .major = 1, .minor = 5},
    {.path = (char *)"/dev/full", .type = 'c', .major = 1, .minor = 7},
    {.path = (char *)"/dev/random", .type = 'c', .major = 1, .minor = 8},
    {.path = (char *)"/dev/urandom", .type = 'c', .major = 1, .minor = 9},
    {.path = (char *)"/dev/tty", .type = 'c', .major = 5, .minor = 0},
};

static const struct {
	const char *target, *name;
} default_links[] = {
    {"/proc/self/fd", "fd"},
    {"/proc/self/fd/0", "stdin"},
    {"/proc/self/fd/1", "stdout"},
    {"/proc/self/fd/2", "stderr"},
};

static mode_t type_bits(char t)
{
	switch (t) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default:
		return S_IFCHR;
	}
}

static int bind_host_device(struct rt_mount_env *env, const struct rt_device *d,
			    struct pal_err *err)
{
	_cleanup_close_ int dst = rt_inroot_touch(env->rootfd, d->path, err);
	if (dst < 0)
		return dst;
	_cleanup_close_ int src = open(d->path, O_PATH | O_CLOEXEC);
	if (src < 0)
		return pal_err_sys(err, errno,
				   "host device %s (needed because user namespaces "
				   "cannot create device nodes)",
				   d->path);
	_cleanup_close_ int tree =
	    open_tree(src, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
	if (tree < 0 ||
	    move_mount(tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return pal_err_sys(err, errno, "bind host device %s", d->path);
	return 0;
}

static int make_node(struct rt_mount_env *env, const struct rt_device *d, struct pal_err *err)
{
	if (env->userns)
		return bind_host_device(env, d, err);
	const char *name;
	_cleanup_close_ int parent = rt_inroot_parent(env->rootfd, d->path, &name, err);
	if (parent < 0)
		return parent;
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISDIR(st.st_mode))
			return pal_err_set(err, EEXIST, "%s exists and is a directory", d->path);
		if (unlinkat(parent, name, 0) < 0)
			return pal_err_sys(err, errno, "replace %s", d->path);
	}
	mode_t perm = d->has_file_mode ? (d->file_mode & 07777) : 0666;
	dev_t dev = d->type == 'p' ? 0 : makedev((unsigned)d->major, (unsigned)d->minor);
	if (mknodat(parent, name, type_bits(d->type) | perm, dev) < 0)
		return pal_err_sys(err, errno, "mknod %s", d->path);
	uid_t uid = d->has_uid ? d->uid : 0;
	gid_t gid = d->has_gid ? d->gid : 0;
	if (fchownat(parent, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return pal_err_sys(err, errno, "chown %s", d->path);
	return 0;
}

static bool has_own_dev(const struct rt_config *cfg)
{
	for (size_t i = 0; i < cfg->n_mounts; i++) {
		const struct rt_mount *m = &cfg->mounts[i];
		if (!strcmp(m->destination, "/dev") && m->type && !strcmp(m->type, "tmpfs"))
			return true;
	}
	return false;
}

static bool config_has_device(const struct rt_config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->n_devices; i++)
		if (!strcmp(cfg->devices[i].path, path))
			return true;
	return false;
}

int rt_devices_create(struct rt_mount_env *env, struct pal_err *err)
{
	const struct rt_config *cfg = env->cfg;
	mode_t old = umask(0);
	int r = 0;
	if (has_own_dev(cfg)) {
		for (size_t i = 0; i < PAL_ARRAY_SIZE(default_devices) && r == 0; i++)
			if (!config_has_device(cfg, default_devices[i].path))
				r = make_node(env, &default_devices[i], err);
		_cleanup_close_ int dev =
		    r == 0 ? rt_inroot_mkdir_p(env->rootfd, "/dev", 0755, err) : -1;
		if (r == 0 && dev < 0)
			r = dev;
		for (size_t i = 0; r == 0 && i < PAL_ARRAY_SIZE(default_links); i++)
			if (symlinkat(default_links[i].target, dev, default_links[i].name) < 0 &&
			    errno != EEXIST)
				r = pal_err_sys(err, errno, "symlink /dev/%s",
						default_links[i].name);
		struct stat st;
		if (r == 0 && fstatat(dev, "pts/ptmx", &st, 0) == 0) {
			unlinkat(dev, "ptmx", 0);
			if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
				r = pal_err_sys(err, errno, "symlink /dev/ptmx");
		}
	}
	for (size_t i = 0; r == 0 && i < cfg->n_devices; i++) {
		r = make_node(env, &cfg->devices[i], err);
		if (r < 0)
			pal_err_prefix(err, "linux.devices[%zu]", i);
	}
	umask(old);
	return r;
}
