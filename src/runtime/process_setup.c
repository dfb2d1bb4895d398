#include "runtime/process_setup.h"
#include "runtime/inroot.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ioprio.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static bool is_executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

int rt_find_executable(const char *arg0, char *const *env, char **path, char **real,
		       struct pal_err *err)
{
	char *found = NULL;
	if (strchr(arg0, '/')) {
		if (!is_executable_file(arg0)) {
			struct stat st;
			if (stat(arg0, &st) < 0)
				return pal_err_sys(err, errno, "exec: \"%s\"", arg0);
			return pal_err_set(err, EACCES, "exec: \"%s\": not an executable file",
					   arg0);
		}
		found = pal_xstrdup(arg0);
	} else {
		const char *search = DEFAULT_PATH;
		for (size_t i = 0; env && env[i]; i++)
			if (pal_str_starts_with(env[i], "PATH="))
				search = env[i] + 5;
		_cleanup_free_ char *copy = pal_xstrdup(search);
		char *save = NULL;
		for (char *dir = strtok_r(copy, ":", &save); dir && !found;
		     dir = strtok_r(NULL, ":", &save)) {
			_cleanup_free_ char *cand = pal_path_join(*dir ? dir : ".", arg0);
			if (is_executable_file(cand))
				found = PAL_STEAL(cand);
		}
		if (!found)
			return pal_err_set(
			    err, ENOENT, "exec: \"%s\": executable file not found in $PATH", arg0);
	}
	char buf[PATH_MAX];
	if (!realpath(found, buf)) {
		int e = errno;
		free(found);
		return pal_err_sys(err, e, "resolve %s", arg0);
	}
	*path = found;
	*real = pal_xstrdup(buf);
	return 0;
}

void rt_caps_normalize_ambient(struct rt_caps *caps)
{
	uint64_t raisable = caps->ambient & caps->permitted & caps->inheritable;
	uint64_t dropped = caps->ambient & ~raisable;
	for (int cap = 0; dropped && cap < 64; cap++)
		if (dropped & (1ull << cap))
			pal_debug("ambient capability %s is not in the permitted and inheritable "
				  "sets: not raised",
				  rt_cap_name(cap) ? rt_cap_name(cap) : "?");
	caps->ambient = raisable;
}

int rt_apply_rlimits(const struct rt_process *p, struct pal_err *err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return pal_err_sys(err, errno,
					   "process.rlimits[%zu]: set limit %d to %llu/%llu", i,
					   p->rlimits[i].resource, (unsigned long long)rl.rlim_cur,
					   (unsigned long long)rl.rlim_max);
	}
	return 0;
}

int rt_apply_oom_score_adj(const struct rt_process *p, struct pal_err *err)
{
	if (!p->has_oom_score_adj)
		return 0;
	char v[16];
	int n = snprintf(v, sizeof(v), "%d", p->oom_score_adj);
	return pal_write_existing(AT_FDCWD, "/proc/self/oom_score_adj", v, (size_t)n, err);
}

int rt_apply_personality(const struct rt_config *cfg, struct pal_err *err)
{
	if (!cfg->personality.present)
		return 0;
	unsigned long persona = PER_LINUX;
	if (cfg->personality.domain && !strcmp(cfg->personality.domain, "LINUX32"))
		persona = PER_LINUX32;
	if (personality(persona) < 0)
		return pal_err_sys(err, errno, "linux.personality %s", cfg->personality.domain);
	return 0;
}

struct sched_attr_v1 {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};

int rt_apply_scheduling(const struct rt_process *p, struct pal_err *err)
{
	if (p->has_scheduler) {
		struct sched_attr_v1 a = {.size = sizeof(a),
					  .sched_policy = (uint32_t)p->scheduler.policy,
					  .sched_flags = p->scheduler.flags,
					  .sched_nice = p->scheduler.nice,
					  .sched_priority = (uint32_t)p->scheduler.priority,
					  .sched_runtime = p->scheduler.runtime,
					  .sched_deadline = p->scheduler.deadline,
					  .sched_period = p->scheduler.period};
		if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
			return pal_err_sys(err, errno, "process.scheduler");
	}
	if (p->has_io_priority) {
		int prio = IOPRIO_PRIO_VALUE(p->io_priority.class_, p->io_priority.priority);
		if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio) < 0)
			return pal_err_sys(err, errno, "process.ioPriority");
	}
	return 0;
}

int rt_apply_hostname(const struct rt_config *cfg, struct pal_err *err)
{
	if (cfg->hostname && sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		return pal_err_sys(err, errno, "hostname %s", cfg->hostname);
	if (cfg->domainname && setdomainname(cfg->domainname, strlen(cfg->domainname)) < 0)
		return pal_err_sys(err, errno, "domainname %s", cfg->domainname);
	return 0;
}

int rt_apply_sysctl(const struct rt_config *cfg, struct pal_err *err)
{
	if (!cfg->n_sysctl)
		return 0;
	_cleanup_close_ int sys =
	    (int)pal_openat2(AT_FDCWD, "/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC, 0,
			     RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (sys < 0)
		return pal_err_sys(err, errno, "linux.sysctl: /proc/sys in the container");
	struct statfs sf;
	if (fstatfs(sys, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
		return pal_err_set(
		    err, EINVAL,
		    "linux.sysctl: /proc/sys in the container is not procfs; refusing "
		    "to write through it");
	for (size_t i = 0; i < cfg->n_sysctl; i++) {
		_cleanup_free_ char *rel = pal_xstrdup(cfg->sysctl[i].key);
		for (char *c = rel; *c; c++)
			if (*c == '.')
				*c = '/';
		_cleanup_close_ int fd =
		    (int)pal_openat2(sys, rel, O_WRONLY | O_CLOEXEC, 0,
				     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV);
		if (fd < 0)
			return pal_err_sys(err, errno, "linux.sysctl %s", cfg->sysctl[i].key);
		int r = pal_write_all(fd, cfg->sysctl[i].value, strlen(cfg->sysctl[i].value));
		if (r < 0)
			return pal_err_sys(err, -r, "linux.sysctl %s=%s", cfg->sysctl[i].key,
					   cfg->sysctl[i].value);
	}
	return 0;
}

int rt_enter_cwd(const char *cwd, struct pal_err *err)
{
	if (chdir(cwd) < 0) {
		if (errno != ENOENT)
			return pal_err_sys(err, errno, "process.cwd %s", cwd);
		_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0)
			return pal_err_sys(err, errno, "open /");
		_cleanup_close_ int d = rt_inroot_mkdir_p(root, cwd, 0755, err);
		if (d < 0)
			return pal_err_prefix(err, "process.cwd");
		if (fchdir(d) < 0)
			return pal_err_sys(err, errno, "process.cwd %s", cwd);
	}
	char buf[PATH_MAX];
	/* getcwd fails with ENOENT ("(unreachable)") when the cwd is not below our root. */
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return pal_err_set(
		    err, EPERM, "process.cwd %s is outside the container; refusing to start", cwd);
	return 0;
}
