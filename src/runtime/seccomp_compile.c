/* Compiles a runtime-spec seccomp profile (or the default profile) with
 * libseccomp and exports it as classic BPF, so the container's init only has
 * to hand the instructions to the kernel. */
#include "runtime/seccomp.h"
#include "runtime/seccomp_priv.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}
#define _cleanup_scmp_ _cleanup_(seccomp_releasep)

/* Errno/trace data is 16 bits in the filter's return value. */
#define RT_SECCOMP_MAX_RET 0xffffU

static int scmp_action(enum rt_seccomp_action a, bool has_ret, uint32_t ret, const char *field,
		       uint32_t *out, struct pal_err *err)
{
	if ((a == RT_SCMP_ACT_ERRNO || a == RT_SCMP_ACT_TRACE) && has_ret &&
	    ret > RT_SECCOMP_MAX_RET)
		return pal_err_set(err, EINVAL,
				   "%s: errnoRet %u does not fit the filter's 16-bit return data "
				   "(use an errno value such as 1 for EPERM)",
				   field, ret);
	uint16_t data = has_ret ? (uint16_t)ret : EPERM;
	switch (a) {
	case RT_SCMP_ACT_KILL:
	case RT_SCMP_ACT_KILL_THREAD:
		*out = SCMP_ACT_KILL_THREAD;
		return 0;
	case RT_SCMP_ACT_KILL_PROCESS:
		*out = SCMP_ACT_KILL_PROCESS;
		return 0;
	case RT_SCMP_ACT_TRAP:
		*out = SCMP_ACT_TRAP;
		return 0;
	case RT_SCMP_ACT_ERRNO:
		*out = SCMP_ACT_ERRNO(data);
		return 0;
	case RT_SCMP_ACT_TRACE:
		*out = SCMP_ACT_TRACE(data);
		return 0;
	case RT_SCMP_ACT_ALLOW:
		*out = SCMP_ACT_ALLOW;
		return 0;
	case RT_SCMP_ACT_LOG:
		*out = SCMP_ACT_LOG;
		return 0;
	case RT_SCMP_ACT_NOTIFY:
		*out = SCMP_ACT_NOTIFY;
		return 0;
	}
	return pal_err_set(err, EINVAL,
			   "%s: unknown seccomp action %d (known: SCMP_ACT_ALLOW, "
			   "SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, ...)",
			   field, (int)a);
}

int rt_seccomp_add_rules(scmp_filter_ctx ctx, uint32_t def_action, const char *const *names,
			 uint32_t action, const struct scmp_arg_cmp *conds, size_t n_conds,
			 const char *what, struct pal_err *err)
{
	if (action == def_action)
		return 0;
	bool split = false;
	for (size_t i = 0; i < n_conds && !split; i++)
		for (size_t j = i + 1; j < n_conds; j++)
			if (conds[i].arg == conds[j].arg)
				split = true;
	if (n_conds > 6 && !split)
		return pal_err_set(err, EINVAL, "%s: %zu argument conditions (at most 6)", what,
				   n_conds);
	for (const char *const *name = names; name && *name; name++) {
		int nr = seccomp_syscall_resolve_name(*name);
		if (nr == __NR_SCMP_ERROR) {
			pal_debug("%s: syscall %s is unknown to libseccomp %u.%u; skipped", what,
				  *name, seccomp_version()->major, seccomp_version()->minor);
			continue;
		}
		int rc = 0;
		if (split) {
			for (size_t i = 0; i < n_conds && rc == 0; i++)
				rc = seccomp_rule_add_array(ctx, action, nr, 1, &conds[i]);
		} else {
			rc = seccomp_rule_add_array(ctx, action, nr, (unsigned)n_conds, conds);
		}
		if (rc < 0)
			return pal_err_sys(err, -rc,
					   "%s: libseccomp refused the rule for syscall %s", what,
					   *name);
	}
	return 0;
}

static int add_archs(scmp_filter_ctx ctx, char *const *archs, struct pal_err *err)
{
	for (size_t i = 0; archs && archs[i]; i++) {
		uint32_t token;
		if (rt_seccomp_arch_token(archs[i], &token) < 0)
			return pal_err_set(err, EINVAL,
					   "linux.seccomp.architectures[%zu]: unknown architecture "
					   "'%s' (known: SCMP_ARCH_X86_64, SCMP_ARCH_X86, "
					   "SCMP_ARCH_X32, SCMP_ARCH_AARCH64, SCMP_ARCH_ARM, ...)",
					   i, archs[i]);
		int rc = seccomp_arch_add(ctx, token);
		/* The native architecture is always in the filter already. An
		 * architecture of the other byte order cannot run on this host
		 * and cannot share a filter with it (libseccomp says EDOM):
		 * profiles list many architectures for many hosts. */
		if (rc == -EDOM) {
			pal_debug("linux.seccomp.architectures[%zu]: %s cannot run on this host; "
				  "skipped",
				  i, archs[i]);
			continue;
		}
		if (rc < 0 && rc != -EEXIST)
			return pal_err_sys(err, -rc, "linux.seccomp.architectures[%zu]: add %s", i,
					   archs[i]);
	}
	return 0;
}

static int parse_flags(char *const *names, unsigned int *flags, struct pal_err *err)
{
	for (size_t i = 0; names && names[i]; i++) {
		unsigned int f;
		if (rt_seccomp_flag_value(names[i], &f) < 0)
			return pal_err_set(err, EINVAL,
					   "linux.seccomp.flags[%zu]: unknown flag '%s' (known: "
					   "SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, "
					   "SECCOMP_FILTER_FLAG_SPEC_ALLOW, "
					   "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)",
					   i, names[i]);
		*flags |= f;
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, uint32_t def_action, const struct rt_seccomp_rule *rule,
		    size_t idx, bool *uses_notify, struct pal_err *err)
{
	char what[64], field[80];
	snprintf(what, sizeof(what), "linux.seccomp.syscalls[%zu]", idx);
	snprintf(field, sizeof(field), "%s.action", what);
	uint32_t action;
	int r =
	    scmp_action(rule->action, rule->has_errno_ret, rule->errno_ret, field, &action, err);
	if (r < 0)
		return r;
	if (rule->action == RT_SCMP_ACT_NOTIFY)
		*uses_notify = true;
	if (rule->n_args > 0 && !rule->args)
		return pal_err_set(err, EINVAL, "%s.args: %zu conditions but no array", what,
				   rule->n_args);
	/* Bounded so a hostile count cannot make us allocate without limit:
	 * six arguments times the seven operators is more than any real rule. */
	if (rule->n_args > 64)
		return pal_err_set(err, E2BIG, "%s.args: %zu conditions (at most 64)", what,
				   rule->n_args);
	struct scmp_arg_cmp conds[64];
	for (size_t i = 0; i < rule->n_args; i++) {
		const struct rt_seccomp_arg *a = &rule->args[i];
		if (a->index > 5)
			return pal_err_set(err, EINVAL,
					   "%s.args[%zu].index: %u is out of range (0-5)", what, i,
					   a->index);
		enum scmp_compare op = rt_seccomp_scmp_op(a->op);
		if (op == _SCMP_CMP_MIN)
			return pal_err_set(
			    err, EINVAL,
			    "%s.args[%zu].op: unknown operator %d (known: SCMP_CMP_EQ, "
			    "SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_GT, "
			    "SCMP_CMP_GE, SCMP_CMP_MASKED_EQ)",
			    what, i, (int)a->op);
		/* MASKED_EQ: (arg & value) == valueTwo. */
		conds[i] =
		    (struct scmp_arg_cmp){.arg = a->index,
					  .op = op,
					  .datum_a = a->value,
					  .datum_b = op == SCMP_CMP_MASKED_EQ ? a->value_two : 0};
	}
	return rt_seccomp_add_rules(ctx, def_action, (const char *const *)rule->names, action,
				    conds, rule->n_args, what, err);
}

static int compile_config(const struct rt_seccomp *cfg, scmp_filter_ctx *out_ctx,
			  unsigned int *flags, bool *needs_listener, struct pal_err *err)
{
	uint32_t def_action;
	int r = scmp_action(cfg->default_action, cfg->has_default_errno_ret, cfg->default_errno_ret,
			    "linux.seccomp.defaultAction", &def_action, err);
	if (r < 0)
		return r;
	bool uses_notify = cfg->default_action == RT_SCMP_ACT_NOTIFY;
	_cleanup_scmp_ scmp_filter_ctx ctx = seccomp_init(def_action);
	if (!ctx)
		return pal_err_set(err, EINVAL,
				   "linux.seccomp.defaultAction: libseccomp or the kernel does not "
				   "support %s as the default action",
				   rt_seccomp_action_name(cfg->default_action));
	r = add_archs(ctx, cfg->architectures, err);
	if (r < 0)
		return r;
	r = parse_flags(cfg->flags, flags, err);
	if (r < 0)
		return r;
	if (cfg->n_syscalls > 0 && !cfg->syscalls)
		return pal_err_set(err, EINVAL, "linux.seccomp.syscalls: %zu rules but no array",
				   cfg->n_syscalls);
	for (size_t i = 0; i < cfg->n_syscalls; i++) {
		r = add_rule(ctx, def_action, &cfg->syscalls[i], i, &uses_notify, err);
		if (r < 0)
			return r;
	}
	if (uses_notify && (!cfg->listener_path || !*cfg->listener_path))
		return pal_err_set(err, EINVAL,
				   "linux.seccomp.listenerPath: required because the profile uses "
				   "SCMP_ACT_NOTIFY (the path of the socket that receives the "
				   "notification fd)");
	if (cfg->listener_path && strlen(cfg->listener_path) > RT_SECCOMP_MAX_LISTENER_PATH)
		return pal_err_set(err, ENAMETOOLONG,
				   "linux.seccomp.listenerPath: longer than %u bytes",
				   RT_SECCOMP_MAX_LISTENER_PATH);
	if (cfg->listener_metadata &&
	    strlen(cfg->listener_metadata) > RT_SECCOMP_MAX_LISTENER_METADATA)
		return pal_err_set(err, E2BIG,
				   "linux.seccomp.listenerMetadata: longer than %u bytes",
				   RT_SECCOMP_MAX_LISTENER_METADATA);
	*needs_listener = uses_notify;
	*out_ctx = PAL_STEAL(ctx);
	return 0;
}

/* libseccomp 2.5 exports only to a file descriptor (seccomp_export_bpf_mem
 * came in 2.6): export into a memfd and read the instructions back. */
static int export_program(scmp_filter_ctx ctx, struct rt_seccomp_program *out, struct pal_err *err)
{
	_cleanup_close_ int fd = memfd_create("palisade-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return pal_err_sys(err, errno, "create a memfd for the exported seccomp filter");
	int rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0)
		return pal_err_sys(err, -rc, "libseccomp could not export the seccomp filter");
	struct stat st;
	if (fstat(fd, &st) < 0)
		return pal_err_sys(err, errno, "stat the exported seccomp filter");
	size_t size = (size_t)st.st_size;
	if (size == 0 || size % sizeof(struct sock_filter) != 0)
		return pal_err_set(err, EINVAL,
				   "libseccomp exported %zu bytes, not a whole number of BPF "
				   "instructions",
				   size);
	size_t n = size / sizeof(struct sock_filter);
	if (n > BPF_MAXINSNS)
		return pal_err_set(err, E2BIG,
				   "the seccomp filter has %zu instructions; the kernel accepts at "
				   "most %d: remove rules or merge syscall names into fewer groups",
				   n, BPF_MAXINSNS);
	_cleanup_free_ struct sock_filter *insns = pal_xmalloc(size);
	size_t done = 0;
	while (done < size) {
		ssize_t got = pread(fd, (char *)insns + done, size - done, (off_t)done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return pal_err_sys(err, got < 0 ? errno : EIO,
					   "read back the exported seccomp filter");
		done += (size_t)got;
	}
	out->insns = PAL_STEAL(insns);
	out->n_insns = n;
	return 0;
}

int rt_seccomp_compile(const struct rt_seccomp *cfg, const struct rt_seccomp_build_opts *opts,
		       struct rt_seccomp_program *out, struct pal_err *err)
{
	static const struct rt_seccomp_build_opts no_opts;
	if (!opts)
		opts = &no_opts;
	memset(out, 0, sizeof(*out));
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;
	unsigned int flags = 0;
	bool needs_listener = false;
	int r;
	if (cfg) {
		r = compile_config(cfg, &ctx, &flags, &needs_listener, err);
		if (r < 0)
			return r;
	} else {
		ctx = seccomp_init(SCMP_ACT_ALLOW);
		if (!ctx)
			return pal_err_set(err, ENOMEM,
					   "libseccomp: cannot create a filter context");
		r = rt_seccomp_build_default(ctx, opts->effective_caps, err);
		if (r < 0)
			return pal_err_prefix(err, "default seccomp profile");
	}
	if (opts->log_denials)
		flags |= RT_SECCOMP_FLAG_LOG;
	if (needs_listener)
		flags |= RT_SECCOMP_FLAG_NEW_LISTENER;
	else
		/* The kernel accepts it only with a listener; without one it has
		 * nothing to change. */
		flags &= ~RT_SECCOMP_FLAG_WAIT_KILLABLE_RECV;
	r = export_program(ctx, out, err);
	if (r < 0)
		return r;
	out->flags = flags;
	out->needs_listener = needs_listener;
	if (cfg && cfg->listener_path)
		out->listener_path = pal_xstrdup(cfg->listener_path);
	if (cfg && cfg->listener_metadata)
		out->listener_metadata = pal_xstrdup(cfg->listener_metadata);
	return 0;
}

void rt_seccomp_program_free(struct rt_seccomp_program *p)
{
	if (!p)
		return;
	free(p->insns);
	free(p->listener_path);
	free(p->listener_metadata);
	memset(p, 0, sizeof(*p));
}
