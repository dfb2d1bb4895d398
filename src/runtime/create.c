#include "runtime/admission.h"
#include "runtime/cgroup.h"
#include "runtime/console.h"
#include "runtime/container.h"
#include "runtime/hooks.h"
#include "runtime/init.h"
#include "runtime/policy.h"
#include "runtime/process_setup.h"
#include "runtime/seccomp.h"
#include "runtime/seccomp_cache.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/wx.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Everything create acquires, so one function can undo it on failure. */
struct create_run {
	const struct rt_globals *g;
	const struct rt_create_opts *o;
	struct rt_config cfg;
	bool cfg_loaded;
	struct rt_policy_file policy;
	struct rt_hardening hard;
	bool hard_loaded;
	struct rt_seccomp_program seccomp;
	bool has_seccomp;
	struct rt_cgroup *cg;
	struct rt_cgroup_bind *cg_binds;
	size_t n_cg_binds;
	bool state_dir;
	bool agent_record;
	pid_t pid;
	int sync[2];
	int console_fd;
	int fifo_fd;
	int host_proc_fd;
	char **exec_paths;
	struct rt_device_rule *dev_rules;
	char *image_ref, *image_digest; /* found by admission (podman's storage) */
};

static void run_init(struct create_run *c)
{
	memset(c, 0, sizeof(*c));
	c->sync[0] = c->sync[1] = c->console_fd = c->fifo_fd = c->host_proc_fd = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Releases memory and fds; with undo, also everything created on the host. */
static void run_finish(struct create_run *c, bool undo)
{
	if (undo && c->pid > 0) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (undo && c->cg) {
		struct pal_err e = {0};
		if (rt_cgroup_destroy(c->cg, &e) < 0)
			pal_warn("cleanup: %s", e.msg);
	}
	if (undo && c->agent_record)
		rt_agent_record_remove(c->o->id);
	if (undo && c->state_dir) {
		struct pal_err e = {0};
		if (rt_state_remove(c->g->root, c->o->id, &e) < 0)
			pal_warn("cleanup: %s", e.msg);
	}
	if (c->cg)
		rt_cgroup_free(c->cg);
	rt_cgroup_mount_plan_free(c->cg_binds, c->n_cg_binds);
	close_fd(&c->sync[0]);
	close_fd(&c->sync[1]);
	close_fd(&c->console_fd);
	close_fd(&c->fifo_fd);
	close_fd(&c->host_proc_fd);
	if (c->has_seccomp)
		rt_seccomp_program_free(&c->seccomp);
	if (c->hard_loaded)
		rt_hardening_free(&c->hard);
	rt_policy_file_free(&c->policy);
	if (c->cfg_loaded)
		rt_config_free(&c->cfg);
	pal_strv_free(c->exec_paths);
	free(c->dev_rules);
	free(c->image_ref);
	free(c->image_digest);
}

/* Every container starts from "deny all", then gets the config's rules, its
 * linux.devices, and runc's default list (null, zero, tty, pts, ...): a
 * config that lists no device rules gets the defaults and nothing more. */
static void effective_resources(struct create_run *c, struct rt_resources *res)
{
	*res = c->cfg.resources;
	size_t n_cfg = c->cfg.resources.n_devices;
	size_t n_dev = c->cfg.n_devices;
	size_t n_def = 0;
	const struct rt_device_rule *defaults = rt_cgroup_default_device_rules(&n_def);
	size_t total = 1 + n_cfg + n_dev + n_def;
	c->dev_rules = pal_xcalloc(total, sizeof(*c->dev_rules));
	size_t k = 0;
	c->dev_rules[k++] = (struct rt_device_rule){
	    .allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"};
	for (size_t i = 0; i < n_cfg; i++)
		c->dev_rules[k++] = c->cfg.resources.devices[i];
	for (size_t i = 0; i < n_dev; i++) {
		const struct rt_device *d = &c->cfg.devices[i];
		if (d->type == 'p')
			continue;
		c->dev_rules[k++] = (struct rt_device_rule){.allow = true,
							    .type = d->type == 'u' ? 'c' : d->type,
							    .major = d->major,
							    .minor = d->minor,
							    .access = "rwm"};
	}
	for (size_t i = 0; i < n_def; i++)
		c->dev_rules[k++] = defaults[i];
	res->devices = c->dev_rules;
	res->n_devices = k;
}

static bool needs_cgroup_mount(const struct rt_config *cfg)
{
	for (size_t i = 0; i < cfg->n_mounts; i++)
		if (cfg->mounts[i].type && (!strcmp(cfg->mounts[i].type, "cgroup") ||
					    !strcmp(cfg->mounts[i].type, "cgroup2")))
			return true;
	return false;
}

/* The host ids the container's root maps to: it must own the exec fifo it
 * opens for writing. */
static uid_t host_root_uid(const struct rt_config *cfg)
{
	for (size_t i = 0; i < cfg->n_uid_mappings; i++)
		if (cfg->uid_mappings[i].container_id == 0)
			return cfg->uid_mappings[i].host_id;
	return 0;
}

static gid_t host_root_gid(const struct rt_config *cfg)
{
	for (size_t i = 0; i < cfg->n_gid_mappings; i++)
		if (cfg->gid_mappings[i].container_id == 0)
			return cfg->gid_mappings[i].host_id;
	return 0;
}

static int write_id_map(pid_t pid, const char *file, const struct rt_id_mapping *m, size_t n,
			struct pal_err *err)
{
	struct pal_buf b;
	pal_buf_init(&b);
	for (size_t i = 0; i < n; i++)
		pal_buf_printf(&b, "%u %u %u\n", m[i].container_id, m[i].host_id, m[i].size);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int r = pal_write_existing(AT_FDCWD, path, b.data ? b.data : "", b.len, err);
	pal_buf_free(&b);
	return r;
}

static json_t *hook_state(struct create_run *c, const char *status)
{
	json_t *o = json_object();
	json_object_set_new(o, "ociVersion", json_string(RT_OCI_VERSION));
	json_object_set_new(o, "id", json_string(c->o->id));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "pid", json_integer(c->pid));
	json_object_set_new(o, "bundle", json_string(c->o->bundle));
	json_t *a = json_object();
	for (size_t i = 0; i < c->cfg.n_annotations; i++)
		json_object_set_new(a, c->cfg.annotations[i].key,
				    json_string(c->cfg.annotations[i].value));
	json_object_set_new(o, "annotations", a);
	return o;
}

static char *hook_state_text(struct create_run *c, const char *status)
{
	_cleanup_json_ json_t *o = hook_state(c, status);
	char *s = json_dumps(o, JSON_COMPACT);
	return s ? s : pal_xstrdup("{}");
}

/* no_new_privs unless the config explicitly says false; the node policy
 * decides when the config is silent. */
static bool effective_nnp(const struct create_run *c)
{
	const struct rt_process *p = &c->cfg.process;
	return p->has_no_new_privileges ? p->no_new_privileges : c->hard.no_new_privs;
}

static json_t *hardening_summary(struct create_run *c)
{
	json_t *h = json_object();
	const char *sc = "off";
	if (c->has_seccomp)
		sc = c->cfg.has_seccomp ? "config" : "default";
	json_object_set_new(h, "seccomp", json_string(sc));
	json_object_set_new(h, "seccomp_log_denials",
			    json_boolean(c->has_seccomp && c->hard.seccomp_log_denials));
	json_object_set_new(h, "wx", json_boolean(c->hard.wx));
	json_object_set_new(h, "landlock_wx", json_boolean(c->hard.wx && rt_landlock_abi() > 0));
	json_t *paths = json_array();
	for (size_t i = 0; c->exec_paths && c->exec_paths[i]; i++)
		json_array_append_new(paths, json_string(c->exec_paths[i]));
	json_object_set_new(h, "wx_exec_paths", paths);
	json_object_set_new(h, "no_new_privs", json_boolean(effective_nnp(c)));
	json_t *caps = json_array();
	for (int cap = 0; cap < 64; cap++)
		if (c->cfg.process.caps.effective & (1ull << cap)) {
			const char *name = rt_cap_name(cap);
			if (name)
				json_array_append_new(caps, json_string(name));
		}
	json_object_set_new(h, "capabilities", caps);
	json_object_set_new(h, "readonly_rootfs", json_boolean(c->cfg.root.readonly));
	const struct rt_namespace *user = rt_config_namespace(&c->cfg, RT_NS_USER);
	json_object_set_new(h, "user_namespace", json_boolean(user != NULL));
	json_object_set_new(h, "policy", json_string(c->hard.source));
	return h;
}

static const char *image_from_annotations(const struct rt_config *cfg)
{
	static const char *const keys[] = {"io.palisade.image", "io.kubernetes.cri.image-name",
					   "io.kubernetes.cri-o.ImageName",
					   "org.opencontainers.image.ref.name"};
	for (size_t i = 0; i < PAL_ARRAY_SIZE(keys); i++) {
		const char *v = rt_config_annotation(cfg, keys[i]);
		if (v && *v)
			return v;
	}
	return NULL;
}

/* Which engine asked for the container, from the marks each leaves in config.json. */
static const char *engine_of(const struct create_run *c)
{
	const struct rt_config *cfg = &c->cfg;
	const char *mgr = rt_config_annotation(cfg, "io.container.manager");
	if (mgr && !strcmp(mgr, "libpod"))
		return "podman";
	if (c->o->image_ref || rt_config_annotation(cfg, "io.palisade.image"))
		return "palisade";
	if (rt_config_annotation(cfg, "io.kubernetes.cri.container-type") ||
	    rt_config_annotation(cfg, "io.kubernetes.cri.sandbox-id"))
		return "containerd";
	if (rt_config_annotation(cfg, "io.kubernetes.cri-o.ContainerType"))
		return "cri-o";
	/* ctr leaves no annotation, but the runc v2 shim's bundles live in its task dir. */
	if (strstr(c->o->bundle, "/io.containerd.runtime.v2.task/"))
		return "containerd";
	return NULL;
}

static int save_state(struct create_run *c, struct pal_err *err)
{
	struct rt_state s = {0};
	s.id = pal_xstrdup(c->o->id);
	s.pid = c->pid;
	rt_proc_start_time(c->pid, &s.pid_start, NULL);
	s.bundle = pal_xstrdup(c->o->bundle);
	s.rootfs = pal_xstrdup(c->cfg.root.path);
	char now[64];
	pal_time_rfc3339_now(now, sizeof(now));
	s.created = pal_xstrdup(now);
	s.owner = pal_xstrdup("");
	if (c->cfg.n_annotations) {
		s.annotations = json_object();
		for (size_t i = 0; i < c->cfg.n_annotations; i++)
			json_object_set_new(s.annotations, c->cfg.annotations[i].key,
					    json_string(c->cfg.annotations[i].value));
	}
	s.cgroup = c->cg ? rt_cgroup_to_json(c->cg) : NULL;
	s.cgroup_id = c->cg ? rt_cgroup_id(c->cg) : 0;
	s.has_poststart_hooks = c->cfg.hooks[RT_HOOK_POSTSTART].n > 0;
	s.has_poststop_hooks = c->cfg.hooks[RT_HOOK_POSTSTOP].n > 0;
	s.has_seccomp = c->has_seccomp;
	s.no_new_privs = effective_nnp(c);
	if (c->hard.wx && rt_landlock_abi() > 0)
		s.landlock_exec_paths = pal_strv_dup(c->exec_paths);
	s.hardening = hardening_summary(c);
	const char *img = c->o->image_ref     ? c->o->image_ref
			  : c->image_ref      ? c->image_ref
					      : image_from_annotations(&c->cfg);
	const char *digest = c->o->image_digest ? c->o->image_digest : c->image_digest;
	s.image_ref = img ? pal_xstrdup(img) : NULL;
	s.image_digest = digest ? pal_xstrdup(digest) : NULL;
	const char *name = c->o->name
			       ? c->o->name
			       : rt_config_annotation(&c->cfg, "io.kubernetes.cri.container-name");
	s.name = name ? pal_xstrdup(name) : NULL;
	const char *engine = engine_of(c);
	s.engine = engine ? pal_xstrdup(engine) : NULL;
	int r = rt_state_save(c->g->root, &s, err);
	if (r == 0) {
		r = rt_agent_record_write(&s, RT_STATUS_CREATED, err);
		c->agent_record = true;
	}
	rt_state_free(&s);
	return r;
}

static int copy_config(struct create_run *c, struct pal_err *err)
{
	_cleanup_free_ char *src = pal_path_join(c->o->bundle, "config.json");
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = pal_read_file(src, RT_CONFIG_MAX_BYTES, &text, &len, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *dst = rt_state_path(c->g->root, c->o->id, "config.json");
	return pal_write_file_replace(dst, text, len, 0600, err);
}

/* A NOTIFY filter is installed before the init hands its listener to us; a
 * profile that notifies a call the init makes after that point would wait
 * forever for an agent that has not received the listener yet. */
static int check_notify_rules(const struct rt_seccomp *sc, struct pal_err *err)
{
	static const char *const used_after_install[] = {
	    "sendmsg",	   "sendto",	   "write",	     "read",
	    "recvmsg",	   "openat",	   "open",	     "close",
	    "close_range", "fcntl",	   "prctl",	     "landlock_restrict_self",
	    "capset",	   "capget",	   "setresuid",	     "setresgid",
	    "setgroups",   "execve",	   "execveat",	     "exit",
	    "exit_group",  "brk",	   "mmap",	     "munmap",
	    "mprotect",	   "rt_sigreturn", "rt_sigprocmask", "getpid"};
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		if (sc->syscalls[i].action != RT_SCMP_ACT_NOTIFY)
			continue;
		for (size_t j = 0; sc->syscalls[i].names && sc->syscalls[i].names[j]; j++)
			for (size_t k = 0; k < PAL_ARRAY_SIZE(used_after_install); k++)
				if (!strcmp(sc->syscalls[i].names[j], used_after_install[k]))
					return pal_err_set(
					    err, EINVAL,
					    "linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY on %s "
					    "would deadlock the container's start: the runtime "
					    "calls it before the listener reaches the agent",
					    i, used_after_install[k]);
	}
	return 0;
}

/* The node policy's admission and trust decisions come before anything of
 * the container exists; a denial is also an audit record. */
static int admit(struct create_run *c, struct pal_err *err)
{
	struct rt_admission in = {.id = c->o->id,
				  .cfg = &c->cfg,
				  .policy = &c->policy,
				  .image_ref = c->o->image_ref,
				  .image_digest = c->o->image_digest};
	struct rt_admission_verdict v;
	int r = rt_admission_check(&in, &v, err);
	if (r < 0)
		rt_admission_audit(&v);
	if (r == 0 && v.digest && !c->o->image_digest)
		c->image_digest = pal_xstrdup(v.digest);
	if (r == 0 && v.image && !c->o->image_ref)
		c->image_ref = pal_xstrdup(v.image);
	rt_admission_verdict_free(&v);
	return r;
}

static int prepare(struct create_run *c, struct pal_err *err)
{
	const struct rt_create_opts *o = c->o;
	int r;
	if ((r = rt_id_validate(o->id, err)) < 0)
		return r;
	if ((r = rt_config_load(o->bundle, &c->cfg, err)) < 0)
		return r;
	c->cfg_loaded = true;
	if (!c->cfg.has_process)
		return pal_err_set(err, EINVAL, "config.json has no process: nothing to run");
	struct stat st;
	if (stat(c->cfg.root.path, &st) < 0)
		return pal_err_sys(err, errno, "root.path %s", c->cfg.root.path);
	if (!S_ISDIR(st.st_mode))
		return pal_err_set(err, ENOTDIR, "root.path %s is not a directory",
				   c->cfg.root.path);
	if (!rt_config_namespace(&c->cfg, RT_NS_MOUNT))
		return pal_err_set(err, EINVAL,
				   "linux.namespaces: a mount namespace is required (the runtime "
				   "never mounts in the host's)");
	if (c->cfg.process.terminal && !o->console_socket && o->console_fd < 0)
		return pal_err_set(err, EINVAL,
				   "process.terminal is true: --console-socket is required");
	rt_caps_normalize_ambient(&c->cfg.process.caps);
	if ((r = rt_policy_file_load(o->policy_path, &c->policy, err)) < 0 ||
	    (r = rt_hardening_from_file(&c->policy, &c->hard, err)) < 0)
		return r;
	c->hard_loaded = true;
	if ((r = rt_hardening_apply_annotations(&c->hard, &c->cfg, err)) < 0)
		return r;
	pal_debug("create %s: admission", c->o->id);
	if ((r = admit(c, err)) < 0)
		return r;
	pal_debug("create %s: seccomp", c->o->id);
	if (c->cfg.has_seccomp && (r = check_notify_rules(&c->cfg.seccomp, err)) < 0)
		return r;
	if (c->cfg.has_seccomp || c->hard.seccomp_default) {
		struct rt_seccomp_build_opts so = {.log_denials = c->hard.seccomp_log_denials,
						   .effective_caps = c->cfg.process.caps.effective};
		if ((r = rt_root_prepare(c->g->root, err)) < 0)
			return r;
		r = rt_seccomp_compile_cached(
		    c->g->root, c->cfg.has_seccomp ? &c->cfg.seccomp : NULL, &so, &c->seccomp, err);
		if (r < 0)
			return pal_err_prefix(err, "linux.seccomp");
		c->has_seccomp = true;
	}
	return 0;
}

static int spawn_init(struct create_run *c, struct pal_err *err)
{
	const struct rt_config *cfg = &c->cfg;
	int flags = 0;
	bool userns_new = false;
	const struct rt_namespace *pidns_path = NULL, *timens = NULL;
	for (size_t i = 0; i < cfg->n_namespaces; i++) {
		const struct rt_namespace *ns = &cfg->namespaces[i];
		if (ns->type == RT_NS_PID && ns->path)
			pidns_path = ns;
		if (ns->type == RT_NS_TIME)
			timens = ns;
		if (ns->path || ns->type == RT_NS_CGROUP || ns->type == RT_NS_TIME)
			continue;
		flags |= rt_ns_clone_flag(ns->type);
		if (ns->type == RT_NS_USER)
			userns_new = true;
	}
	/* pid and time namespaces apply to children: switch for the clone only,
	 * so hooks we run later stay in ours. */
	_cleanup_close_ int own_pidns = -1, own_timens = -1;
	if (pidns_path) {
		_cleanup_close_ int fd = open(pidns_path->path, O_RDONLY | O_CLOEXEC);
		own_pidns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || own_pidns < 0 || setns(fd, CLONE_NEWPID) < 0)
			return pal_err_sys(err, errno, "join pid namespace %s", pidns_path->path);
	}
	if (timens) {
		own_timens = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
		if (timens->path) {
			_cleanup_close_ int fd = open(timens->path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || setns(fd, CLONE_NEWTIME) < 0)
				return pal_err_sys(err, errno, "join time namespace %s",
						   timens->path);
		} else {
			if (unshare(CLONE_NEWTIME) < 0)
				return pal_err_sys(err, errno, "create time namespace");
			char offs[128];
			int n =
			    snprintf(offs, sizeof(offs), "monotonic %lld %u\nboottime %lld %u\n",
				     (long long)cfg->time_offsets_monotonic.secs,
				     cfg->time_offsets_monotonic.nanosecs,
				     (long long)cfg->time_offsets_boottime.secs,
				     cfg->time_offsets_boottime.nanosecs);
			if (pal_write_existing(AT_FDCWD, "/proc/self/timens_offsets", offs,
					       (size_t)n, err) < 0)
				return pal_err_prefix(err, "linux.timeOffsets");
		}
	}

	struct rt_init_ctx ctx = {
	    .id = c->o->id,
	    .cfg = cfg,
	    .hard = &c->hard,
	    .seccomp = c->has_seccomp ? &c->seccomp : NULL,
	    .menv = {.cfg = cfg,
		     .bundle = c->o->bundle,
		     .wx = c->hard.wx,
		     .cg_binds = c->cg_binds,
		     .n_cg_binds = c->n_cg_binds,
		     .cgroup_v2 = c->cg && rt_cgroup_layout(c->cg) == RT_CGROUP_V2,
		     .userns = userns_new || rt_config_namespace(cfg, RT_NS_USER),
		     .rootfd = -1},
	    .rootfs = cfg->root.path,
	    .sync_fd = c->sync[1],
	    .console_fd = c->console_fd,
	    .fifo_fd = c->fifo_fd,
	    .host_proc_fd = c->host_proc_fd,
	    .preserve_fds = c->o->preserve_fds,
	    .no_pivot = c->o->no_pivot,
	    .no_new_keyring = c->o->no_new_keyring,
	    .userns_new = userns_new,
	    .no_new_privs = effective_nnp(c),
	    .landlock = c->hard.wx && rt_landlock_abi() > 0,
	};
	pid_t pid = (pid_t)syscall(SYS_clone, (unsigned long)flags | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0) {
		close(c->sync[0]);
		rt_init_main(&ctx);
	}
	int clone_errno = errno;
	if (own_pidns >= 0)
		setns(own_pidns, CLONE_NEWPID);
	if (own_timens >= 0)
		setns(own_timens, CLONE_NEWTIME);
	if (pid < 0)
		return pal_err_sys(err, clone_errno, "create the container process (clone)");
	c->pid = pid;
	close_fd(&c->sync[1]);
	return 0;
}

static int forward_listener(struct create_run *c, struct pal_err *err)
{
	int fd = rt_recv_fd(c->sync[0]);
	if (fd < 0)
		return pal_err_sys(err, -fd, "receive the seccomp listener from the container");
	_cleanup_json_ json_t *st = hook_state(c, "creating");
	json_object_set_new(st, "fds", json_pack("[s]", "seccompFd"));
	if (c->cfg.seccomp.listener_metadata)
		json_object_set_new(st, "metadata", json_string(c->cfg.seccomp.listener_metadata));
	_cleanup_free_ char *text = json_dumps(st, JSON_COMPACT);
	int r = rt_seccomp_send_listener(c->cfg.seccomp.listener_path, fd, text, err);
	close(fd);
	return r;
}

static int handshake(struct create_run *c, struct pal_err *err)
{
	static struct rt_sync_msg msg;
	const struct rt_config *cfg = &c->cfg;
	int r;
	if (rt_config_namespace(cfg, RT_NS_USER) && !rt_config_namespace(cfg, RT_NS_USER)->path) {
		if ((r = write_id_map(c->pid, "uid_map", cfg->uid_mappings, cfg->n_uid_mappings,
				      err)) < 0 ||
		    (r = write_id_map(c->pid, "gid_map", cfg->gid_mappings, cfg->n_gid_mappings,
				      err)) < 0)
			return pal_err_prefix(err, "user namespace mappings");
	}
	if (c->cg && (r = rt_cgroup_enter(c->cg, c->pid, err)) < 0)
		return pal_err_prefix(err, "join the container's cgroup");
	if ((r = rt_sync_send(c->sync[0], RT_SYNC_GO, 0, NULL, 0)) < 0)
		return pal_err_sys(err, -r, "signal the container init");
	if ((r = rt_sync_expect(c->sync[0], RT_SYNC_NS_READY, &msg, err)) < 0)
		return r;
	pal_debug("create %s: namespaces and mounts ready", c->o->id);
	_cleanup_free_ char *creating = hook_state_text(c, "creating");
	_cleanup_free_ char *created = hook_state_text(c, "created");
	if ((r = rt_hooks_run(cfg, RT_HOOK_PRESTART, creating, err)) < 0 ||
	    (r = rt_hooks_run(cfg, RT_HOOK_CREATE_RUNTIME, creating, err)) < 0)
		return r;
	struct pal_buf both;
	pal_buf_init(&both);
	pal_buf_append(&both, creating, strlen(creating) + 1);
	pal_buf_puts(&both, created);
	r = rt_sync_send(c->sync[0], RT_SYNC_HOOKS_DONE, 0, both.data, both.len);
	pal_buf_free(&both);
	if (r < 0)
		return pal_err_sys(err, -r, "signal the container init");
	if (c->has_seccomp && c->seccomp.needs_listener && (r = forward_listener(c, err)) < 0)
		return r;
	if ((r = rt_sync_expect(c->sync[0], RT_SYNC_READY, &msg, err)) < 0)
		return r;
	pal_debug("create %s: init ready", c->o->id);
	c->exec_paths = pal_xcalloc(1, sizeof(char *));
	char *save = NULL;
	for (char *line = strtok_r(msg.payload, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		pal_strv_push(&c->exec_paths, line);
	return 0;
}

static int commit(struct create_run *c, struct pal_err *err)
{
	static struct rt_sync_msg msg;
	int r = rt_sync_send(c->sync[0], RT_SYNC_COMMIT, 0, NULL, 0);
	if (r < 0)
		return pal_err_sys(err, -r, "signal the container init");
	return rt_sync_expect(c->sync[0], RT_SYNC_COMMITTED, &msg, err);
}

int rt_create(const struct rt_globals *g, const struct rt_create_opts *o, pid_t *pid_out,
	      struct pal_err *err)
{
	struct create_run c;
	run_init(&c);
	c.g = g;
	c.o = o;
	pal_debug("create %s: prepare", o->id);
	int r = prepare(&c, err);
	if (r < 0)
		goto fail;
	pal_debug("create %s: cgroups", o->id);
	if ((r = rt_root_prepare(g->root, err)) < 0 ||
	    (r = rt_state_dir_create(g->root, o->id, err)) < 0)
		goto fail;
	c.state_dir = true;
	if ((r = copy_config(&c, err)) < 0)
		goto fail;
	if (c.has_seccomp) {
		_cleanup_free_ char *p = rt_state_path(g->root, o->id, "seccomp.bpf");
		if ((r = rt_seccomp_program_save(&c.seccomp, p, err)) < 0)
			goto fail;
	}
	struct rt_cgroup_opts co = {.fs_root = g->cgroup_fs_root,
				    .path = c.cfg.cgroups_path,
				    .id = o->id,
				    .systemd = g->systemd_cgroup};
	if ((r = rt_cgroup_create(&co, &c.cg, err)) < 0)
		goto fail;
	struct rt_resources res;
	effective_resources(&c, &res);
	if ((r = rt_cgroup_apply(c.cg, &res, err)) < 0)
		goto fail;
	if (needs_cgroup_mount(&c.cfg) &&
	    (r = rt_cgroup_mount_plan(c.cg, &c.cg_binds, &c.n_cg_binds, err)) < 0)
		goto fail;
	{
		_cleanup_free_ char *fifo = rt_state_path(g->root, o->id, "exec.fifo");
		if (mkfifo(fifo, 0600) < 0 ||
		    chown(fifo, host_root_uid(&c.cfg), host_root_gid(&c.cfg)) < 0) {
			r = pal_err_sys(err, errno, "create %s", fifo);
			goto fail;
		}
		c.fifo_fd = open(fifo, O_PATH | O_CLOEXEC);
		c.host_proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (c.fifo_fd < 0 || c.host_proc_fd < 0) {
			r = pal_err_sys(err, errno, "open %s", fifo);
			goto fail;
		}
	}
	if (c.cfg.process.terminal) {
		if (o->console_fd >= 0) {
			c.console_fd = fcntl(o->console_fd, F_DUPFD_CLOEXEC, 3);
		} else if ((c.console_fd = rt_console_connect(o->console_socket, err)) < 0) {
			r = c.console_fd;
			goto fail;
		}
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, c.sync) < 0) {
		r = pal_err_sys(err, errno, "socketpair");
		goto fail;
	}
	pal_debug("create %s: spawn", o->id);
	if ((r = spawn_init(&c, err)) < 0 || (r = handshake(&c, err)) < 0)
		goto fail;
	pal_debug("create %s: save state", o->id);
	if ((r = save_state(&c, err)) < 0)
		goto fail;
	if (o->pid_file && (r = rt_write_pid_file(o->pid_file, c.pid, err)) < 0)
		goto fail;
	if ((r = commit(&c, err)) < 0)
		goto fail;
	if (pid_out)
		*pid_out = c.pid;
	run_finish(&c, false);
	return 0;
fail:
	pal_err_prefix(err, "create container %s", o->id ? o->id : "?");
	run_finish(&c, true);
	return r;
}
