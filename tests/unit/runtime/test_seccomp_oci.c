/* runtime-spec seccomp profiles, filled by hand (the JSON parser is another
 * module's), compiled and installed in forked children. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runtime/seccomp.h"
#include "runtime/seccomp_priv.h"
#include "test_seccomp_helpers.h"

#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>

#include <linux/netlink.h>

static void compile_ok(const struct rt_seccomp *cfg, struct rt_seccomp_program *p)
{
	struct pal_err err = {0};
	if (rt_seccomp_compile(cfg, NULL, p, &err) < 0)
		fail_msg("compile: %s", err.msg);
}

/* Compilation must fail with a message containing each of the needles. */
static void compile_fails(const struct rt_seccomp *cfg, const char *needle1, const char *needle2)
{
	struct rt_seccomp_program p;
	struct pal_err err = {0};
	int r = rt_seccomp_compile(cfg, NULL, &p, &err);
	if (r >= 0)
		fail_msg("compile succeeded, expected an error about %s", needle1);
	if (!strstr(err.msg, needle1) || (needle2 && !strstr(err.msg, needle2)))
		fail_msg("error '%s' does not mention '%s' and '%s'", err.msg, needle1,
			 needle2 ? needle2 : "");
	assert_null(p.insns);
}

/* defaultAction ERRNO 38 (ENOSYS) with an allow list. */
static char *errno_allow_names[] = {"exit_group", "exit", "write", "getpid", "rt_sigreturn", NULL};

static int errno_default_child(void *arg)
{
	CHILD_CHECK(child_install(arg) == 0);
	CHILD_CHECK(syscall(SYS_getpid) > 0);
	CHILD_EXPECT_ERRNO(syscall(SYS_getppid), ENOSYS);
	CHILD_EXPECT_ERRNO(syscall(SYS_getuid), ENOSYS);
	CHILD_EXPECT_ERRNO(syscall(SYS_openat, AT_FDCWD, "/", 0), ENOSYS);
	return 0;
}

static void test_errno_default_allow_list(void **state)
{
	(void)state;
	struct rt_seccomp_rule rules[] = {
	    {.names = errno_allow_names, .action = RT_SCMP_ACT_ALLOW},
	};
	struct rt_seccomp cfg = {.default_action = RT_SCMP_ACT_ERRNO,
				 .has_default_errno_ret = true,
				 .default_errno_ret = 38,
				 .syscalls = rules,
				 .n_syscalls = 1};
	struct rt_seccomp_program p;
	compile_ok(&cfg, &p);
	assert_false(p.needs_listener);
	assert_int_equal(child_exit_code(run_in_child(errno_default_child, &p)), 0);
	rt_seccomp_program_free(&p);
}

/* Allow personality only with arg0 == 0, under default ERRNO (EPERM). */
static int personality_eq_child(void *arg)
{
	CHILD_CHECK(child_install(arg) == 0);
	CHILD_CHECK(syscall(SYS_personality, 0) >= 0);
	CHILD_EXPECT_ERRNO(syscall(SYS_personality, 0xffffffffUL), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_personality, PER_LINUX32), EPERM);
	return 0;
}

static void test_arg_equal_allow(void **state)
{
	(void)state;
	char *personality[] = {"personality", NULL};
	struct rt_seccomp_arg eq0 = {.index = 0, .value = 0, .op = RT_SCMP_CMP_EQ};
	struct rt_seccomp_rule rules[] = {
	    {.names = errno_allow_names, .action = RT_SCMP_ACT_ALLOW},
	    {.names = personality, .action = RT_SCMP_ACT_ALLOW, .args = &eq0, .n_args = 1},
	};
	struct rt_seccomp cfg = {
	    .default_action = RT_SCMP_ACT_ERRNO, .syscalls = rules, .n_syscalls = 2};
	struct rt_seccomp_program p;
	compile_ok(&cfg, &p);
	assert_int_equal(child_exit_code(run_in_child(personality_eq_child, &p)), 0);
	rt_seccomp_program_free(&p);
}

/* Deny personality when (arg0 & 8) == 8, under default ALLOW. */
static int masked_child(void *arg)
{
	CHILD_CHECK(child_install(arg) == 0);
	CHILD_CHECK(syscall(SYS_personality, 0) >= 0);
	CHILD_CHECK(syscall(SYS_personality, 0x20000) >= 0);
	CHILD_CHECK(syscall(SYS_personality, 0) >= 0);
	CHILD_EXPECT_ERRNO(syscall(SYS_personality, 0x8), EACCES);
	CHILD_EXPECT_ERRNO(syscall(SYS_personality, 0x20008), EACCES);
	CHILD_EXPECT_ERRNO(syscall(SYS_personality, 0xffffffffUL), EACCES);
	return 0;
}

static void test_arg_masked_eq_deny(void **state)
{
	(void)state;
	char *personality[] = {"personality", NULL};
	struct rt_seccomp_arg masked = {
	    .index = 0, .value = 0x8, .value_two = 0x8, .op = RT_SCMP_CMP_MASKED_EQ};
	struct rt_seccomp_rule rules[] = {
	    {.names = personality,
	     .action = RT_SCMP_ACT_ERRNO,
	     .has_errno_ret = true,
	     .errno_ret = EACCES,
	     .args = &masked,
	     .n_args = 1},
	};
	struct rt_seccomp cfg = {
	    .default_action = RT_SCMP_ACT_ALLOW, .syscalls = rules, .n_syscalls = 1};
	struct rt_seccomp_program p;
	compile_ok(&cfg, &p);
	assert_int_equal(child_exit_code(run_in_child(masked_child, &p)), 0);
	rt_seccomp_program_free(&p);
}

/* Conditions on distinct arguments form one rule (all must hold); a repeated
 * index turns every condition into its own rule (any may hold), as runc. */
static int multi_arg_child(void *arg)
{
	CHILD_CHECK(child_install(arg) == 0);
	/* Rule 1 (AND): socket(AF_INET, SOCK_DGRAM) only. */
	CHILD_EXPECT_ERRNO(socket(AF_INET, SOCK_DGRAM, 0), EPROTONOSUPPORT);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	CHILD_CHECK(s >= 0);
	close(s);
	s = socket(AF_UNIX, SOCK_DGRAM, 0);
	CHILD_CHECK(s >= 0);
	close(s);
	/* Rule 2 (split): personality(8) or personality(0x20000). */
	CHILD_EXPECT_ERRNO(syscall(SYS_personality, 0x8), EACCES);
	CHILD_EXPECT_ERRNO(syscall(SYS_personality, 0x20000), EACCES);
	CHILD_CHECK(syscall(SYS_personality, 0) >= 0);
	CHILD_CHECK(syscall(SYS_personality, 0x20008) >= 0);
	/* Rule 3 (split, mixed indexes): any of the three conditions. */
	CHILD_EXPECT_ERRNO(syscall(SYS_kcmp, 1, 2, 0, 0, 0), EXDEV);
	CHILD_EXPECT_ERRNO(syscall(SYS_kcmp, 3, 9, 0, 0, 0), EXDEV);
	CHILD_EXPECT_ERRNO(syscall(SYS_kcmp, 9, 9, 7, 0, 0), EXDEV);
	errno = 0;
	CHILD_CHECK(syscall(SYS_kcmp, 9, 9, 0, 0, 0) == -1 && errno != EXDEV);
	return 0;
}

static void test_multiple_args(void **state)
{
	(void)state;
	char *socket_names[] = {"socket", NULL};
	char *personality[] = {"personality", NULL};
	char *kcmp[] = {"kcmp", NULL};
	struct rt_seccomp_arg inet_dgram[] = {
	    {.index = 0, .value = AF_INET, .op = RT_SCMP_CMP_EQ},
	    {.index = 1, .value = SOCK_DGRAM, .op = RT_SCMP_CMP_EQ},
	};
	struct rt_seccomp_arg same_index[] = {
	    {.index = 0, .value = 0x8, .op = RT_SCMP_CMP_EQ},
	    {.index = 0, .value = 0x20000, .op = RT_SCMP_CMP_EQ},
	};
	struct rt_seccomp_arg mixed[] = {
	    {.index = 0, .value = 1, .op = RT_SCMP_CMP_EQ},
	    {.index = 0, .value = 3, .op = RT_SCMP_CMP_EQ},
	    {.index = 2, .value = 7, .op = RT_SCMP_CMP_EQ},
	};
	struct rt_seccomp_rule rules[] = {
	    {.names = socket_names,
	     .action = RT_SCMP_ACT_ERRNO,
	     .has_errno_ret = true,
	     .errno_ret = EPROTONOSUPPORT,
	     .args = inet_dgram,
	     .n_args = 2},
	    {.names = personality,
	     .action = RT_SCMP_ACT_ERRNO,
	     .has_errno_ret = true,
	     .errno_ret = EACCES,
	     .args = same_index,
	     .n_args = 2},
	    {.names = kcmp,
	     .action = RT_SCMP_ACT_ERRNO,
	     .has_errno_ret = true,
	     .errno_ret = EXDEV,
	     .args = mixed,
	     .n_args = 3},
	};
	struct rt_seccomp cfg = {
	    .default_action = RT_SCMP_ACT_ALLOW, .syscalls = rules, .n_syscalls = 3};
	struct rt_seccomp_program p;
	compile_ok(&cfg, &p);
	assert_int_equal(child_exit_code(run_in_child(multi_arg_child, &p)), 0);
	rt_seccomp_program_free(&p);
}

/* One rule on getppid with the given action, default ALLOW. */
static void compile_getppid_rule(enum rt_seccomp_action action, struct rt_seccomp_program *p)
{
	static char *names[] = {"getppid", NULL};
	struct rt_seccomp_rule rule = {.names = names, .action = action};
	struct rt_seccomp cfg = {
	    .default_action = RT_SCMP_ACT_ALLOW, .syscalls = &rule, .n_syscalls = 1};
	compile_ok(&cfg, p);
}

static int call_getppid_child(void *arg)
{
	CHILD_CHECK(child_install(arg) == 0);
	syscall(SYS_getppid);
	return 0; /* reached only if the action lets the process live */
}

static void test_kill_actions(void **state)
{
	(void)state;
	static const enum rt_seccomp_action kills[] = {RT_SCMP_ACT_KILL_PROCESS, RT_SCMP_ACT_KILL,
						       RT_SCMP_ACT_KILL_THREAD, RT_SCMP_ACT_TRAP};
	for (size_t i = 0; i < sizeof(kills) / sizeof(kills[0]); i++) {
		struct rt_seccomp_program p;
		compile_getppid_rule(kills[i], &p);
		int status = run_in_child(call_getppid_child, &p);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
			fail_msg("%s: wait status %#x, expected death by SIGSYS",
				 rt_seccomp_action_name(kills[i]), status);
		rt_seccomp_program_free(&p);
	}
}

static volatile sig_atomic_t trap_code, trap_syscall, trap_arch_ok;

static void on_sigsys(int sig, siginfo_t *info, void *ctx)
{
	(void)sig;
	(void)ctx;
	trap_code = info->si_code;
	trap_syscall = info->si_syscall;
	trap_arch_ok = info->si_arch != 0;
}

static int trap_handler_child(void *arg)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	CHILD_CHECK(sigaction(SIGSYS, &sa, NULL) == 0);
	CHILD_CHECK(child_install(arg) == 0);
	/* The call is skipped; its return register holds whatever the
	 * kernel rolled back, so only the signal tells. */
	syscall(SYS_getppid);
	CHILD_CHECK(trap_code == 1 /* SYS_SECCOMP */);
	CHILD_CHECK(trap_syscall == SYS_getppid);
	CHILD_CHECK(trap_arch_ok);
	return 0;
}

static void test_trap_signal(void **state)
{
	(void)state;
	struct rt_seccomp_program p;
	compile_getppid_rule(RT_SCMP_ACT_TRAP, &p);
	assert_int_equal(child_exit_code(run_in_child(trap_handler_child, &p)), 0);
	rt_seccomp_program_free(&p);
}

static int log_child(void *arg)
{
	pid_t parent = getppid();
	CHILD_CHECK(child_install(arg) == 0);
	CHILD_CHECK(syscall(SYS_getppid) == parent);
	return 0;
}

static void test_log_allows(void **state)
{
	(void)state;
	struct rt_seccomp_program p;
	compile_getppid_rule(RT_SCMP_ACT_LOG, &p);
	assert_int_equal(child_exit_code(run_in_child(log_child, &p)), 0);
	rt_seccomp_program_free(&p);
}

/* TRACE with no tracer attached: the kernel fails the call with ENOSYS. */
static int trace_child(void *arg)
{
	CHILD_CHECK(child_install(arg) == 0);
	CHILD_EXPECT_ERRNO(syscall(SYS_getppid), ENOSYS);
	return 0;
}

static void test_trace_without_tracer(void **state)
{
	(void)state;
	struct rt_seccomp_program p;
	compile_getppid_rule(RT_SCMP_ACT_TRACE, &p);
	assert_int_equal(child_exit_code(run_in_child(trace_child, &p)), 0);
	rt_seccomp_program_free(&p);
}

/* Unknown names are skipped, the known ones in the same group still apply;
 * a rule with the default action is dropped instead of failing. */
static int unknown_names_child(void *arg)
{
	CHILD_CHECK(child_install(arg) == 0);
	CHILD_EXPECT_ERRNO(syscall(SYS_getppid), EXDEV);
	CHILD_CHECK(syscall(SYS_getpid) > 0);
	return 0;
}

static void test_unknown_names_skipped(void **state)
{
	(void)state;
	char *names[] = {"palisade_no_such_syscall", "getppid", "also_not_a_syscall", NULL};
	char *allow[] = {"getpid", "palisade_no_such_syscall", NULL};
	struct rt_seccomp_rule rules[] = {
	    {.names = names,
	     .action = RT_SCMP_ACT_ERRNO,
	     .has_errno_ret = true,
	     .errno_ret = EXDEV},
	    {.names = allow, .action = RT_SCMP_ACT_ALLOW},
	};
	struct rt_seccomp cfg = {
	    .default_action = RT_SCMP_ACT_ALLOW, .syscalls = rules, .n_syscalls = 2};
	struct rt_seccomp_program p;
	compile_ok(&cfg, &p);
	assert_int_equal(child_exit_code(run_in_child(unknown_names_child, &p)), 0);
	rt_seccomp_program_free(&p);
}

static void test_invalid_fields(void **state)
{
	(void)state;
	char *names[] = {"getppid", NULL};
	struct rt_seccomp_arg bad_index = {.index = 6, .op = RT_SCMP_CMP_EQ};
	struct rt_seccomp_arg bad_op = {.index = 0, .op = (enum rt_seccomp_op)17};
	struct rt_seccomp_rule ok_rule = {.names = names, .action = RT_SCMP_ACT_ERRNO};
	struct rt_seccomp_rule rules[2] = {ok_rule, ok_rule};
	struct rt_seccomp cfg = {.default_action = (enum rt_seccomp_action)99};
	compile_fails(&cfg, "linux.seccomp.defaultAction", "unknown seccomp action 99");

	cfg = (struct rt_seccomp){
	    .default_action = RT_SCMP_ACT_ALLOW, .syscalls = rules, .n_syscalls = 2};
	rules[1].action = (enum rt_seccomp_action)42;
	compile_fails(&cfg, "linux.seccomp.syscalls[1].action", "42");

	rules[1] = ok_rule;
	rules[1].args = &bad_index;
	rules[1].n_args = 1;
	compile_fails(&cfg, "linux.seccomp.syscalls[1].args[0].index", "out of range");

	rules[1].args = &bad_op;
	compile_fails(&cfg, "linux.seccomp.syscalls[1].args[0].op", "unknown operator 17");

	rules[1] = ok_rule;
	rules[1].has_errno_ret = true;
	rules[1].errno_ret = 70000;
	compile_fails(&cfg, "linux.seccomp.syscalls[1].action", "errnoRet 70000");

	rules[1] = ok_rule;
	char *bad_arch[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_VAX", NULL};
	cfg.architectures = bad_arch;
	compile_fails(&cfg, "linux.seccomp.architectures[1]", "SCMP_ARCH_VAX");
	cfg.architectures = NULL;

	char *bad_flag[] = {"SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_BOGUS", NULL};
	cfg.flags = bad_flag;
	compile_fails(&cfg, "linux.seccomp.flags[1]", "SECCOMP_FILTER_FLAG_BOGUS");
	cfg.flags = NULL;

	/* NOTIFY needs somewhere to send the listener. */
	rules[1].action = RT_SCMP_ACT_NOTIFY;
	compile_fails(&cfg, "linux.seccomp.listenerPath", "SCMP_ACT_NOTIFY");
}

/* Compile-only cases: actions libseccomp treats as one, NOTIFY as the
 * default action. */
static void test_action_equivalences(void **state)
{
	(void)state;
	char *names[] = {"getppid", NULL};
	/* SCMP_ACT_KILL is KILL_THREAD: a KILL_THREAD rule under a KILL default
	 * is redundant and dropped (libseccomp would refuse it). */
	struct rt_seccomp_rule rule = {.names = names, .action = RT_SCMP_ACT_KILL_THREAD};
	struct rt_seccomp cfg = {
	    .default_action = RT_SCMP_ACT_KILL, .syscalls = &rule, .n_syscalls = 1};
	struct rt_seccomp_program p, q;
	compile_ok(&cfg, &p);
	cfg.n_syscalls = 0;
	compile_ok(&cfg, &q);
	assert_int_equal(p.n_insns, q.n_insns);
	rt_seccomp_program_free(&p);
	rt_seccomp_program_free(&q);
	/* ERRNO rules differ from an ERRNO default by their errno. */
	rule.action = RT_SCMP_ACT_ERRNO;
	rule.has_errno_ret = true;
	rule.errno_ret = EPERM;
	cfg = (struct rt_seccomp){
	    .default_action = RT_SCMP_ACT_ERRNO, .syscalls = &rule, .n_syscalls = 1};
	compile_ok(&cfg, &p);
	rule.errno_ret = EXDEV;
	compile_ok(&cfg, &q);
	assert_true(q.n_insns > p.n_insns);
	rt_seccomp_program_free(&p);
	rt_seccomp_program_free(&q);
	/* NOTIFY as the default action needs the listener too. */
	cfg = (struct rt_seccomp){.default_action = RT_SCMP_ACT_NOTIFY,
				  .listener_path = "/run/agent.sock"};
	compile_ok(&cfg, &p);
	assert_true(p.needs_listener);
	assert_int_equal(p.flags, SECCOMP_FILTER_FLAG_NEW_LISTENER);
	rt_seccomp_program_free(&p);
	cfg.listener_path = NULL;
	compile_fails(&cfg, "linux.seccomp.listenerPath", NULL);
}

/* Profile flags reach program->flags and the kernel accepts them. */
static int install_child(void *arg)
{
	const struct rt_seccomp_program *p = arg;
	int r = child_install(p);
	if (r != 0) {
		dprintf(2, "install with flags %#x: %s\n", p->flags, strerror(-r));
		return 1;
	}
	CHILD_EXPECT_ERRNO(syscall(SYS_getppid), EXDEV);
	return 0;
}

static void test_flags(void **state)
{
	(void)state;
	char *names[] = {"getppid", NULL};
	struct rt_seccomp_rule rule = {
	    .names = names, .action = RT_SCMP_ACT_ERRNO, .has_errno_ret = true, .errno_ret = EXDEV};
	char *flags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
			 "SECCOMP_FILTER_FLAG_SPEC_ALLOW", NULL};
	struct rt_seccomp cfg = {.default_action = RT_SCMP_ACT_ALLOW,
				 .flags = flags,
				 .syscalls = &rule,
				 .n_syscalls = 1};
	struct rt_seccomp_program p;
	compile_ok(&cfg, &p);
	assert_int_equal(p.flags, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG |
				      SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	assert_int_equal(child_exit_code(run_in_child(install_child, &p)), 0);
	rt_seccomp_program_free(&p);

	/* log_denials adds LOG; WAIT_KILLABLE_RECV means nothing without a
	 * listener (the kernel would refuse it) and is dropped. */
	char *wait_killable[] = {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL};
	cfg.flags = wait_killable;
	struct rt_seccomp_build_opts opts = {.log_denials = true};
	struct pal_err err = {0};
	assert_int_equal(rt_seccomp_compile(&cfg, &opts, &p, &err), 0);
	assert_int_equal(p.flags, SECCOMP_FILTER_FLAG_LOG);
	assert_int_equal(child_exit_code(run_in_child(install_child, &p)), 0);
	rt_seccomp_program_free(&p);
}

static void test_foreign_architectures(void **state)
{
	(void)state;
	char *names[] = {"getppid", NULL};
	struct rt_seccomp_rule rule = {
	    .names = names, .action = RT_SCMP_ACT_ERRNO, .has_errno_ret = true, .errno_ret = EXDEV};
	char *archs[] = {"SCMP_ARCH_X86_64",  "SCMP_ARCH_X86", "SCMP_ARCH_X32",
			 "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", NULL};
	struct rt_seccomp cfg = {.default_action = RT_SCMP_ACT_ALLOW,
				 .architectures = archs,
				 .syscalls = &rule,
				 .n_syscalls = 1};
	struct rt_seccomp_program p, native_only;
	compile_ok(&cfg, &p);
	cfg.architectures = NULL;
	compile_ok(&cfg, &native_only);
	/* The extra architectures cost instructions of their own. */
	assert_true(p.n_insns > native_only.n_insns);
	assert_int_equal(child_exit_code(run_in_child(install_child, &p)), 0);
	rt_seccomp_program_free(&p);
	rt_seccomp_program_free(&native_only);
}

/* ---- podman's profile (tests/data/runtime/podman-config.json) -------------
 * Converted here with jansson, for this test only: the config parser is
 * another module's. */

static int action_from_json(const char *s)
{
	const char *const *names = rt_seccomp_known_actions();
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int op_from_json(const char *s)
{
	const char *const *names = rt_seccomp_known_operators();
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static char **strv_from_json(json_t *arr)
{
	size_t n = json_array_size(arr);
	char **v = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		v[i] = strdup(json_string_value(json_array_get(arr, i)));
	return v;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void load_podman_profile(struct rt_seccomp *cfg)
{
	json_error_t jerr;
	json_t *root = json_load_file(PAL_TEST_DATA_DIR "/runtime/podman-config.json", 0, &jerr);
	if (!root)
		fail_msg("podman-config.json: %s", jerr.text);
	json_t *s = json_object_get(json_object_get(root, "linux"), "seccomp");
	assert_non_null(s);
	memset(cfg, 0, sizeof(*cfg));
	cfg->default_action = (enum rt_seccomp_action)action_from_json(
	    json_string_value(json_object_get(s, "defaultAction")));
	json_t *def_ret = json_object_get(s, "defaultErrnoRet");
	cfg->has_default_errno_ret = def_ret != NULL;
	cfg->default_errno_ret = (uint32_t)json_integer_value(def_ret);
	cfg->architectures = strv_from_json(json_object_get(s, "architectures"));
	json_t *calls = json_object_get(s, "syscalls");
	cfg->n_syscalls = json_array_size(calls);
	cfg->syscalls = calloc(cfg->n_syscalls, sizeof(*cfg->syscalls));
	for (size_t i = 0; i < cfg->n_syscalls; i++) {
		json_t *c = json_array_get(calls, i);
		struct rt_seccomp_rule *r = &cfg->syscalls[i];
		r->names = strv_from_json(json_object_get(c, "names"));
		int a = action_from_json(json_string_value(json_object_get(c, "action")));
		assert_true(a >= 0);
		r->action = (enum rt_seccomp_action)a;
		json_t *ret = json_object_get(c, "errnoRet");
		r->has_errno_ret = ret != NULL;
		r->errno_ret = (uint32_t)json_integer_value(ret);
		json_t *args = json_object_get(c, "args");
		r->n_args = json_array_size(args);
		r->args = r->n_args ? calloc(r->n_args, sizeof(*r->args)) : NULL;
		for (size_t j = 0; j < r->n_args; j++) {
			json_t *arg = json_array_get(args, j);
			r->args[j].index =
			    (unsigned)json_integer_value(json_object_get(arg, "index"));
			r->args[j].value =
			    (uint64_t)json_integer_value(json_object_get(arg, "value"));
			r->args[j].value_two =
			    (uint64_t)json_integer_value(json_object_get(arg, "valueTwo"));
			int op = op_from_json(json_string_value(json_object_get(arg, "op")));
			assert_true(op >= 0);
			r->args[j].op = (enum rt_seccomp_op)op;
		}
	}
	json_decref(root);
}

static void free_profile(struct rt_seccomp *cfg)
{
	strv_free(cfg->architectures);
	for (size_t i = 0; i < cfg->n_syscalls; i++) {
		strv_free(cfg->syscalls[i].names);
		free(cfg->syscalls[i].args);
	}
	free(cfg->syscalls);
}

static int podman_child(void *arg)
{
	CHILD_CHECK(child_install(arg) == 0);
	CHILD_CHECK(syscall(SYS_getpid) > 0);
	/* socket(AF_NETLINK, *, NETLINK_AUDIT) -> EINVAL; other netlink fine. */
	CHILD_EXPECT_ERRNO(socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT), EINVAL);
	int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
	CHILD_CHECK(s >= 0);
	close(s);
	CHILD_EXPECT_ERRNO(syscall(SYS_kexec_load, 0, 0, NULL, 0), EPERM);
	CHILD_EXPECT_ERRNO(syscall(SYS_clock_settime, CLOCK_REALTIME, NULL), EPERM);
	/* Not in the allow list: the default, errno 38. */
	CHILD_EXPECT_ERRNO(syscall(SYS_add_key, "user", "k", "v", 1, -2), ENOSYS);
	CHILD_CHECK(syscall(SYS_personality, 0x20008) >= 0);
	CHILD_EXPECT_ERRNO(syscall(SYS_personality, 0x1), ENOSYS);
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void test_podman_profile(void **state)
{
	(void)state;
	struct rt_seccomp cfg;
	load_podman_profile(&cfg);
	assert_int_equal(cfg.n_syscalls, 22);
	struct rt_seccomp_program p;
	double t0 = now_ms();
	compile_ok(&cfg, &p);
	double t1 = now_ms();
	print_message("podman profile: %zu BPF instructions, compiled in %.2f ms (ASan build)\n",
		      p.n_insns, t1 - t0);
	assert_int_equal(child_exit_code(run_in_child(podman_child, &p)), 0);
	rt_seccomp_program_free(&p);
	free_profile(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errno_default_allow_list),
	    cmocka_unit_test(test_arg_equal_allow),
	    cmocka_unit_test(test_arg_masked_eq_deny),
	    cmocka_unit_test(test_multiple_args),
	    cmocka_unit_test(test_kill_actions),
	    cmocka_unit_test(test_trap_signal),
	    cmocka_unit_test(test_log_allows),
	    cmocka_unit_test(test_trace_without_tracer),
	    cmocka_unit_test(test_unknown_names_skipped),
	    cmocka_unit_test(test_invalid_fields),
	    cmocka_unit_test(test_action_equivalences),
	    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_foreign_architectures),
	    cmocka_unit_test(test_podman_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
