/* linux.seccomp: actions, errno values, operators, architectures, flags,
 * the notify listener. */
#include "test_oci_helpers.h"

static void sc_patch(char *buf, size_t n, const char *inner)
{
	snprintf(buf, n, "{\"linux\": {\"seccomp\": %s}}", inner);
}

static void sc_ok(const char *inner, struct rt_config *cfg)
{
	char patch[4096];
	sc_patch(patch, sizeof(patch), inner);
	expect_ok(patch, cfg);
	assert_true(cfg->has_seccomp);
}

static void sc_err(const char *inner, const char *needle)
{
	char patch[4096];
	sc_patch(patch, sizeof(patch), inner);
	expect_error(patch, needle);
}

static void every_action(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum rt_seccomp_action a;
	} actions[] = {
	    {"SCMP_ACT_KILL", RT_SCMP_ACT_KILL},
	    {"SCMP_ACT_KILL_PROCESS", RT_SCMP_ACT_KILL_PROCESS},
	    {"SCMP_ACT_KILL_THREAD", RT_SCMP_ACT_KILL_THREAD},
	    {"SCMP_ACT_TRAP", RT_SCMP_ACT_TRAP},
	    {"SCMP_ACT_ERRNO", RT_SCMP_ACT_ERRNO},
	    {"SCMP_ACT_TRACE", RT_SCMP_ACT_TRACE},
	    {"SCMP_ACT_ALLOW", RT_SCMP_ACT_ALLOW},
	    {"SCMP_ACT_LOG", RT_SCMP_ACT_LOG},
	    {"SCMP_ACT_NOTIFY", RT_SCMP_ACT_NOTIFY},
	};
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		char inner[512];
		bool notify = actions[i].a == RT_SCMP_ACT_NOTIFY;
		snprintf(inner, sizeof(inner),
			 "{\"defaultAction\": \"%s\", %s \"syscalls\": [{\"names\": [\"getpid\"], "
			 "\"action\": \"%s\"}]}",
			 notify ? "SCMP_ACT_ALLOW" : actions[i].name,
			 notify ? "\"listenerPath\": \"/run/agent.sock\"," : "", actions[i].name);
		struct rt_config cfg;
		sc_ok(inner, &cfg);
		if (!notify)
			assert_int_equal(cfg.seccomp.default_action, actions[i].a);
		assert_int_equal(cfg.seccomp.syscalls[0].action, actions[i].a);
		assert_false(cfg.seccomp.has_default_errno_ret);
		assert_non_null(cfg.seccomp.architectures);
		assert_non_null(cfg.seccomp.flags);
		rt_config_free(&cfg);
	}
	sc_err("{\"defaultAction\": \"SCMP_ACT_DENY\"}",
	       "linux.seccomp.defaultAction \"SCMP_ACT_DENY\": unknown seccomp action");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"]}, "
	       "{\"names\": [\"y\"], \"action\": \"allow\"}]}",
	       "linux.seccomp.syscalls[0].action: required");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"y\"], "
	       "\"action\": \"allow\"}]}",
	       "linux.seccomp.syscalls[0].action \"allow\": unknown seccomp action");
	sc_err("{\"architectures\": []}", "linux.seccomp.defaultAction: required");
	sc_err("{\"defaultAction\": \"SCMP_ACT_NOTIFY\", \"listenerPath\": \"/s\"}",
	       "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
}

static void errno_values(void **state)
{
	(void)state;
	struct rt_config cfg;
	sc_ok("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 0, \"syscalls\": "
	      "[{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 65535}]}",
	      &cfg);
	assert_true(cfg.seccomp.has_default_errno_ret);
	assert_int_equal(cfg.seccomp.default_errno_ret, 0);
	assert_int_equal(cfg.seccomp.syscalls[0].errno_ret, 65535);
	rt_config_free(&cfg);
	sc_err("{\"defaultAction\": \"SCMP_ACT_KILL\", \"defaultErrnoRet\": 1}",
	       "linux.seccomp.defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an "
	       "errno");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
	       "\"action\": \"SCMP_ACT_ALLOW\", \"errnoRet\": 1}]}",
	       "linux.seccomp.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4096}",
	       "linux.seccomp.defaultErrnoRet: 4096 is not an errno (at most 4095)");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": -1}",
	       "linux.seccomp.defaultErrnoRet: must be an integer between 0 and 65535");
}

static void rules_and_args(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum rt_seccomp_op op;
	} ops[] = {
	    {"SCMP_CMP_NE", RT_SCMP_CMP_NE},
	    {"SCMP_CMP_LT", RT_SCMP_CMP_LT},
	    {"SCMP_CMP_LE", RT_SCMP_CMP_LE},
	    {"SCMP_CMP_EQ", RT_SCMP_CMP_EQ},
	    {"SCMP_CMP_GE", RT_SCMP_CMP_GE},
	    {"SCMP_CMP_GT", RT_SCMP_CMP_GT},
	    {"SCMP_CMP_MASKED_EQ", RT_SCMP_CMP_MASKED_EQ},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		char inner[512];
		snprintf(inner, sizeof(inner),
			 "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			 "[\"no_such_syscall_anywhere\", \"clone\"], \"action\": "
			 "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": %zu, \"value\": 7, "
			 "\"valueTwo\": 9, \"op\": \"%s\"}]}]}",
			 i % 6, ops[i].name);
		struct rt_config cfg;
		sc_ok(inner, &cfg);
		struct rt_seccomp_rule *r = &cfg.seccomp.syscalls[0];
		/* Names are not checked here: the compiler skips unknown ones. */
		assert_string_equal(r->names[0], "no_such_syscall_anywhere");
		assert_int_equal(r->n_args, 1);
		assert_int_equal(r->args[0].index, i % 6);
		assert_int_equal(r->args[0].value, 7);
		assert_int_equal(r->args[0].value_two, 9);
		assert_int_equal(r->args[0].op, ops[i].op);
		rt_config_free(&cfg);
	}
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
	       "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": "
	       "\"SCMP_CMP_EQ\"}]}]}",
	       "linux.seccomp.syscalls[0].args[0].index: must be an argument number from 0 to 5");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
	       "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": "
	       "\"SCMP_CMP_MASKED_NE\"}]}]}",
	       "linux.seccomp.syscalls[0].args[0].op \"SCMP_CMP_MASKED_NE\": unknown operator");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
	       "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": 0, \"op\": "
	       "\"SCMP_CMP_EQ\"}]}]}",
	       "linux.seccomp.syscalls[0].args[0].value: required");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
	       "\"action\": \"SCMP_ACT_ALLOW\", \"args\": [{\"index\": -1, \"value\": 0, \"op\": "
	       "\"SCMP_CMP_EQ\"}]}]}",
	       "args[0].index: must be an argument number from 0 to 5");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [], "
	       "\"action\": \"SCMP_ACT_ALLOW\"}]}",
	       "linux.seccomp.syscalls[0].names: must name at least one syscall");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\", "
	       "\"\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
	       "linux.seccomp.syscalls[0].names[1]: empty syscall name");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": "
	       "\"SCMP_ACT_ALLOW\"}]}",
	       "linux.seccomp.syscalls[0].names: required");
}

static void architectures_and_flags(void **state)
{
	(void)state;
	struct rt_config cfg;
	sc_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86\", "
	      "\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X32\", \"SCMP_ARCH_ARM\", \"SCMP_ARCH_AARCH64\", "
	      "\"SCMP_ARCH_MIPS\", \"SCMP_ARCH_MIPS64\", \"SCMP_ARCH_MIPS64N32\", "
	      "\"SCMP_ARCH_MIPSEL\", \"SCMP_ARCH_MIPSEL64\", \"SCMP_ARCH_MIPSEL64N32\", "
	      "\"SCMP_ARCH_PPC\", \"SCMP_ARCH_PPC64\", \"SCMP_ARCH_PPC64LE\", \"SCMP_ARCH_S390\", "
	      "\"SCMP_ARCH_S390X\", \"SCMP_ARCH_PARISC\", \"SCMP_ARCH_PARISC64\", "
	      "\"SCMP_ARCH_RISCV64\"], \"flags\": [\"SECCOMP_FILTER_FLAG_TSYNC\", "
	      "\"SECCOMP_FILTER_FLAG_LOG\", \"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", "
	      "\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}",
	      &cfg);
	assert_int_equal(pal_strv_len(cfg.seccomp.architectures), 19);
	assert_int_equal(pal_strv_len(cfg.seccomp.flags), 4);
	assert_int_equal(cfg.seccomp.n_syscalls, 0);
	rt_config_free(&cfg);
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", "
	       "\"SCMP_ARCH_VAX\"]}",
	       "linux.seccomp.architectures[1] \"SCMP_ARCH_VAX\": unknown seccomp architecture");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"x86_64\"]}",
	       "linux.seccomp.architectures[0] \"x86_64\"");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": "
	       "[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]}",
	       "linux.seccomp.flags[0] \"SECCOMP_FILTER_FLAG_NEW_LISTENER\": unknown seccomp flag");
}

static void listener(void **state)
{
	(void)state;
	struct rt_config cfg;
	sc_ok("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"\", "
	      "\"listenerMetadata\": \"\"}",
	      &cfg);
	assert_null(cfg.seccomp.listener_path);
	rt_config_free(&cfg);
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], "
	       "\"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"mknod\"], \"action\": "
	       "\"SCMP_ACT_NOTIFY\"}]}",
	       "linux.seccomp.syscalls[1].action: SCMP_ACT_NOTIFY needs "
	       "linux.seccomp.listenerPath");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerMetadata\": \"x\"}",
	       "linux.seccomp.listenerMetadata: needs listenerPath");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"agent.sock\"}",
	       "linux.seccomp.listenerPath \"agent.sock\": must be an absolute path");
	sc_err("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}",
	       "linux.seccomp.syscalls: must be an array");
	sc_err("[1]", "linux.seccomp: must be an object");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_action),   cmocka_unit_test(errno_values),
	    cmocka_unit_test(rules_and_args), cmocka_unit_test(architectures_and_flags),
	    cmocka_unit_test(listener),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
