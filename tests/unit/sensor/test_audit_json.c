/* Seccomp audit records, the event-type set, and the JSON shape of events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "sensor/event_json.h"
#include "sensor/seccomp_audit.h"
#include "sensor/sensor.h"
#include "sensor/syscalls.h"

#include <arpa/inet.h>
#include <asm/unistd_64.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static char *data_file(const char *rel, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/sensor/%s", PAL_TEST_DATA_DIR, rel);
	char *data = NULL;
	struct pal_err err = {0};
	if (pal_read_file(path, 1 << 20, &data, len, &err) < 0)
		fail_msg("%s", err.msg);
	return data;
}

/* A record captured on this machine (a libseccomp filter with the LOG flag). */
static void test_audit_real_record(void **state)
{
	(void)state;
	size_t len;
	_cleanup_free_ char *t = data_file("audit-seccomp-1326.txt", &len);
	struct sen_audit_seccomp r;
	assert_int_equal(sen_audit_parse_seccomp(t, len, &r), 0);
	assert_int_equal(r.pid, 10875);
	assert_int_equal(r.uid, 0);
	assert_string_equal(r.comm, "deny");
	assert_string_equal(r.exe, "/tmp/st/deny");
	assert_int_equal(r.arch, 0xc000003e);
	assert_int_equal(r.syscall, 250);
	assert_int_equal(r.code, 0x50000);
	assert_int_equal(r.serial, 2);
	assert_int_equal(r.ts_ns, 1796128833870000000ull);
	char name[32];
	sen_syscall_name(r.syscall, r.arch, name, sizeof(name));
	assert_string_equal(name, "keyctl");
}

static void test_audit_hex_and_errors(void **state)
{
	(void)state;
	/* audit hex-encodes strings with spaces: comm "my app", exe "/tmp/a b" */
	const char hex[] = "audit(1.5:9): auid=1000 uid=1000 gid=1000 ses=3 pid=77 "
			   "comm=6D7920617070 exe=2F746D702F612062 sig=31 arch=c000003e "
			   "syscall=175 compat=0 ip=0x1 code=0x80000000";
	struct sen_audit_seccomp r;
	assert_int_equal(sen_audit_parse_seccomp(hex, strlen(hex), &r), 0);
	assert_string_equal(r.comm, "my app");
	assert_string_equal(r.exe, "/tmp/a b");
	assert_int_equal(r.sig, 31);
	assert_int_equal(r.uid, 1000);
	assert_int_equal(r.ts_ns, 1005000000ull);

	const char *bad[] = {
	    "",
	    "audit(",
	    "audit(1.2:3): pid=5 comm=\"x\"",	      /* no syscall, no code */
	    "audit(x.2:3): pid=5 syscall=1 code=0x1", /* bad time */
	    "audit(1.2:3): pid=x syscall=1 code=0x1", /* bad pid */
	    "audit(1.2:3): pid=5 syscall=1 code=zz",  /* bad code */
	    "audit(1.2000:3): pid=5 syscall=1 code=0x1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(sen_audit_parse_seccomp(bad[i], strlen(bad[i]), &r) < 0);
	/* an unterminated quote ends at the buffer, no overrun */
	const char q[] = "audit(1.2:3): pid=5 syscall=1 code=0x1 comm=\"abc";
	assert_int_equal(sen_audit_parse_seccomp(q, strlen(q), &r), 0);
}

static void test_evt_set(void **state)
{
	(void)state;
	struct sen_evt_set s;
	struct pal_err err = {0};
	assert_int_equal(sen_evt_set_parse("exec,open,connect", &s, &err), 0);
	assert_true(sen_evt_set_has(&s, PAL_EVT_EXECVE));
	assert_true(sen_evt_set_has(&s, PAL_EVT_EXECVEAT));
	assert_true(sen_evt_set_has(&s, PAL_EVT_OPENAT2));
	assert_true(sen_evt_set_has(&s, PAL_EVT_CONNECT));
	assert_false(sen_evt_set_has(&s, PAL_EVT_ACCEPT));
	assert_false(sen_evt_set_has(&s, PAL_EVT_PROCEXIT));
	assert_int_equal(sen_evt_set_parse("privilege", &s, &err), 0);
	assert_true(sen_evt_set_has(&s, PAL_EVT_PTRACE));
	assert_true(sen_evt_set_has(&s, PAL_EVT_SECCOMP_DENIED));
	assert_false(sen_evt_set_has(&s, PAL_EVT_OPENAT));
	assert_int_equal(sen_evt_set_parse("network", &s, &err), 0);
	assert_true(sen_evt_set_has(&s, PAL_EVT_SENDMSG));
	assert_false(sen_evt_set_has(&s, PAL_EVT_SETUID));
	assert_true(sen_evt_set_parse("exec,bogus", &s, &err) < 0);
	assert_non_null(strstr(err.msg, "bogus"));

	/* the adaptive table: each syscall type has its numbers, sched types none */
	int nrs[8];
	assert_int_equal(sen_syscalls_of_type(PAL_EVT_OPENAT, nrs, 8), 1);
	assert_int_equal(nrs[0], __NR_openat);
	assert_int_equal(sen_syscalls_of_type(PAL_EVT_FCHMODAT, nrs, 8), 2);
	assert_int_equal(sen_syscalls_of_type(PAL_EVT_PROCEXIT, nrs, 8), 0);
	assert_true(sen_type_is_sched(PAL_EVT_CLONE));
	for (int t = 0; t < PAL_EVT__COUNT; t++) {
		size_t n = sen_syscalls_of_type((enum pal_evt_type)t, nrs, 8);
		bool sched = sen_type_is_sched((enum pal_evt_type)t);
		if (t == PAL_EVT_SECCOMP_DENIED || sched)
			assert_int_equal(n, 0);
		else if (n == 0)
			fail_msg("event type %s has no syscall", pal_evt_type_name(t));
	}
}

static json_t *get(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	if (!v)
		fail_msg("missing field %s", k);
	return v;
}

static void test_json(void **state)
{
	(void)state;
	struct pal_proc gp = {.pid = 1, .comm = "init"};
	struct pal_proc parent = {.pid = 10, .comm = "bash", .cmdline = "bash -l", .parent = &gp};
	const char *argv[] = {"nc", "127.0.0.1", "80", NULL};
	struct pal_proc p = {.pid = 20,
			     .ppid = 10,
			     .vpid = 3,
			     .comm = "nc",
			     .exe = "nc",
			     .exepath = "/bin/busybox",
			     .cmdline = "nc 127.0.0.1 80",
			     .argv = argv,
			     .cwd = "/",
			     .uid = 1000,
			     .cap_effective = (1ull << 0) | (1ull << 21),
			     .exe_origin = PAL_EXE_ORIGIN_UPPER,
			     .parent = &parent};
	struct pal_container c = {
	    .id = "abc", .name = "web", .image = "nginx:1", .runtime = "podman"};
	struct pal_event ev = {.ts_ns = 1000000000ull,
			       .type = PAL_EVT_CONNECT,
			       .res = -ECONNREFUSED,
			       .proc = &p,
			       .container = &c,
			       .fd = 3,
			       .sock_type = SOCK_STREAM};
	ev.local.family = AF_INET;
	ev.local.port = 40000;
	inet_pton(AF_INET, "10.0.0.1", ev.local.addr);
	ev.remote.family = AF_INET;
	ev.remote.port = 80;
	inet_pton(AF_INET, "127.0.0.1", ev.remote.addr);

	json_t *j = sen_event_to_json(&ev);
	assert_string_equal(json_string_value(get(j, "evt.type")), "connect");
	assert_string_equal(json_string_value(get(j, "evt.res")), "ECONNREFUSED");
	assert_int_equal(json_integer_value(get(j, "evt.rawres")), -ECONNREFUSED);
	assert_string_equal(json_string_value(get(j, "fd.name")), "10.0.0.1:40000->127.0.0.1:80");
	assert_string_equal(json_string_value(get(j, "fd.sip")), "127.0.0.1");
	assert_int_equal(json_integer_value(get(j, "fd.sport")), 80);
	assert_string_equal(json_string_value(get(j, "fd.cip")), "10.0.0.1");
	assert_string_equal(json_string_value(get(j, "fd.l4proto")), "tcp");
	assert_string_equal(json_string_value(get(j, "proc.args")), "127.0.0.1 80");
	assert_string_equal(json_string_value(get(j, "proc.pname")), "bash");
	assert_string_equal(json_string_value(get(j, "proc.pcmdline")), "bash -l");
	assert_string_equal(json_string_value(get(j, "proc.aname[2]")), "init");
	assert_true(json_is_null(get(j, "proc.aname[3]")));
	assert_true(json_is_true(get(j, "proc.is_exe_upper_layer")));
	assert_string_equal(json_string_value(get(j, "thread.cap_effective")),
			    "CAP_CHOWN CAP_SYS_ADMIN");
	assert_string_equal(json_string_value(get(j, "container.id")), "abc");
	assert_string_equal(json_string_value(get(j, "container.type")), "podman");
	assert_string_equal(json_string_value(get(j, "evt.datetime")),
			    "1970-01-01T00:00:01.000000000Z");
	json_decref(j);

	/* accept: the local side is the server */
	ev.type = PAL_EVT_ACCEPT4;
	ev.res = 4;
	j = sen_event_to_json(&ev);
	assert_string_equal(json_string_value(get(j, "fd.sip")), "10.0.0.1");
	assert_string_equal(json_string_value(get(j, "fd.name")), "127.0.0.1:80->10.0.0.1:40000");
	assert_string_equal(json_string_value(get(j, "evt.res")), "SUCCESS");
	json_decref(j);

	/* a file event with a truncated path */
	memset(&ev.local, 0, sizeof(ev.local));
	memset(&ev.remote, 0, sizeof(ev.remote));
	ev.type = PAL_EVT_OPENAT;
	ev.path = "/etc/shadow";
	ev.truncated = PAL_TRUNC_PATH;
	j = sen_event_to_json(&ev);
	assert_string_equal(json_string_value(get(j, "fd.directory")), "/etc");
	assert_string_equal(json_string_value(get(j, "fd.filename")), "shadow");
	assert_string_equal(json_string_value(json_array_get(get(j, "evt.truncated"), 0)), "path");
	json_decref(j);

	char buf[16];
	assert_string_equal(sen_res_string(-ENOENT, buf, sizeof(buf)), "ENOENT");
	assert_string_equal(sen_res_string(7, buf, sizeof(buf)), "SUCCESS");
	_cleanup_free_ char *none = sen_caps_string(0);
	assert_string_equal(none, "");
	_cleanup_free_ char *hi = sen_caps_string(1ull << 50);
	assert_string_equal(hi, "CAP_50");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_audit_real_record),
	    cmocka_unit_test(test_audit_hex_and_errors),
	    cmocka_unit_test(test_evt_set),
	    cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
