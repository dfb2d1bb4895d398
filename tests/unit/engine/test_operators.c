/* Every operator of the condition language, each with an event it matches
 * and one it does not, across the value types (string, number, boolean, IP). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

/* cat reading /etc/shadow, below bash below sshd, on the host. */
static const char *OPEN_EV =
    "{type: openat, res: 3, path: /etc/shadow, flags: O_RDONLY|O_CLOEXEC, mode: 0,"
    " proc: {name: cat, exepath: /usr/bin/cat, args: [cat, /etc/shadow], uid: 1000,"
    "        env: [HOME=/home/alice, PAYLOAD=aGVsbG8=], cwd: /home/alice, caps: "
    "CAP_SYS_ADMIN|CAP_CHOWN,"
    "        parent: {name: bash, exepath: /bin/bash, args: [bash],"
    "                 parent: {name: sshd, exepath: /usr/sbin/sshd, args: [sshd, -D]}}}}";

/* A container process connecting out to 10.0.0.1:443. */
static const char *CONNECT_EV =
    "{type: connect, res: 0, fd: 5, local: '172.17.0.2:41000', remote: '10.0.0.1:443',"
    " socktype: SOCK_STREAM, proc: {name: curl, exepath: /usr/bin/curl, args: [curl, x]},"
    " container: {id: abc123, name: web, image: 'docker.io/library/nginx:1.25',"
    "             repository: docker.io/library/nginx, tag: '1.25', privileged: true}}";

static const char *CONNECT6_EV =
    "{type: connect, res: 0, fd: 5, local: '[fd00::2]:41000', remote: '[::1]:8080',"
    " socktype: SOCK_STREAM, proc: {name: curl}}";

#define YES(c, e) assert_int_equal(cond_matches(c, e), 1)
#define NO(c, e)  assert_int_equal(cond_matches(c, e), 0)

static void equality(void **state)
{
	(void)state;
	YES("proc.name = cat", OPEN_EV);
	YES("proc.name == cat", OPEN_EV);
	NO("proc.name = dog", OPEN_EV);
	YES("proc.name != dog", OPEN_EV);
	NO("proc.name != cat", OPEN_EV);
	YES("user.uid = 1000", OPEN_EV);
	NO("user.uid = 0", OPEN_EV);
	YES("user.uid != 0", OPEN_EV);
	YES("fd.typechar = 'f'", OPEN_EV);
	YES("fd.typechar = f", OPEN_EV);
	NO("fd.typechar = d", OPEN_EV);
	/* A missing value matches no comparison, not even != */
	NO("k8s.pod.name = x", OPEN_EV);
	NO("k8s.pod.name != x", OPEN_EV);
	YES("not k8s.pod.name = x", OPEN_EV);
}

static void ordering(void **state)
{
	(void)state;
	YES("fd.num >= 0", OPEN_EV);
	YES("fd.num > 2", OPEN_EV);
	NO("fd.num > 3", OPEN_EV);
	YES("fd.num <= 3", OPEN_EV);
	NO("fd.num < 3", OPEN_EV);
	YES("fd.num < 4", OPEN_EV);
	YES("evt.rawres >= 0x3", OPEN_EV);
	YES("fd.sport > -1", CONNECT_EV);
	NO("fd.sport < 443", CONNECT_EV);
	YES("len(proc.name) = 3", OPEN_EV);
	NO("len(proc.name) > 3", OPEN_EV);
}

static void substrings(void **state)
{
	(void)state;
	YES("proc.cmdline contains shadow", OPEN_EV);
	NO("proc.cmdline contains passwd", OPEN_EV);
	NO("proc.cmdline contains SHADOW", OPEN_EV);
	YES("proc.cmdline icontains SHADOW", OPEN_EV);
	NO("proc.cmdline icontains PASSWD", OPEN_EV);
	YES("fd.name startswith /etc/", OPEN_EV);
	NO("fd.name startswith /usr/", OPEN_EV);
	YES("fd.name endswith shadow", OPEN_EV);
	NO("fd.name endswith passwd", OPEN_EV);
	YES("fd.name bcontains 736861646f77", OPEN_EV); /* "shadow" */
	NO("fd.name bcontains 00", OPEN_EV);
	YES("fd.name bstartswith 2F657463", OPEN_EV); /* "/etc" */
	NO("fd.name bstartswith 2f757372", OPEN_EV);  /* "/usr" */
}

static void globs_and_regexes(void **state)
{
	(void)state;
	YES("fd.name glob '/etc/*'", OPEN_EV);
	YES("fd.name glob '/e?c/sha[dx]ow'", OPEN_EV);
	YES("fd.name glob '*'", OPEN_EV);
	NO("fd.name glob '/etc/*/x'", OPEN_EV);
	NO("fd.name glob '/ETC/*'", OPEN_EV);
	YES("fd.name iglob '/ETC/SH*'", OPEN_EV);
	NO("fd.name iglob '/USR/*'", OPEN_EV);
	NO("fd.name glob '/etc/[!s]hadow'", OPEN_EV);
	YES("fd.name regex '/etc/(shadow|gshadow)'", OPEN_EV);
	/* regex is a full match, as in Falco */
	NO("fd.name regex 'shadow'", OPEN_EV);
	YES("fd.name regex '.*shad[o]w'", OPEN_EV);
	NO("fd.name regex '/etc/passwd|/etc/group'", OPEN_EV);
}

static void sets(void **state)
{
	(void)state;
	YES("proc.name in (dog, cat)", OPEN_EV);
	NO("proc.name in (dog, cow)", OPEN_EV);
	NO("proc.name in ()", OPEN_EV);
	YES("user.uid in (0, 1000)", OPEN_EV);
	NO("user.uid in (0, 1)", OPEN_EV);
	YES("proc.name intersects (cat)", OPEN_EV);
	YES("proc.aname intersects (sshd, nginx)", OPEN_EV);
	NO("proc.aname intersects (nginx, cat)", OPEN_EV);
	assert_int_equal(cond_matches_with("- list: readers\n  items: [dog, '\"cat\"']\n",
					   "proc.name in (readers)", OPEN_EV),
			 1);
	assert_int_equal(
	    cond_matches_with("- list: readers\n  items: [dog]\n", "proc.name in readers", OPEN_EV),
	    0);
	YES("evt.is_open_read in (true)", OPEN_EV);
	NO("evt.is_open_write in (true)", OPEN_EV);
}

static void path_prefixes(void **state)
{
	(void)state;
	YES("fd.name pmatch (/etc)", OPEN_EV);
	YES("fd.name pmatch (/etc/)", OPEN_EV);
	YES("fd.name pmatch (/usr, /etc/shadow)", OPEN_EV);
	NO("fd.name pmatch (/et)", OPEN_EV);
	NO("fd.name pmatch (/etc/shadow/x, /usr)", OPEN_EV);
	YES("fd.name pmatch (/e*)", OPEN_EV);
	YES("fd.name pmatch (/etc/sh*)", OPEN_EV);
	NO("fd.name pmatch (/*/x)", OPEN_EV);
	YES("fd.name pmatch (/)", OPEN_EV);
}

static void existence(void **state)
{
	(void)state;
	YES("proc.pname exists", OPEN_EV);
	YES("proc.aname[2] exists", OPEN_EV);
	NO("proc.aname[3] exists", OPEN_EV);
	NO("k8s.pod.name exists", OPEN_EV);
	YES("proc.env[HOME] exists", OPEN_EV);
	NO("proc.env[NOPE] exists", OPEN_EV);
	YES("fd.sip exists", CONNECT_EV);
	NO("fd.sip exists", OPEN_EV);
}

static void booleans(void **state)
{
	(void)state;
	YES("evt.is_open_read = true", OPEN_EV);
	NO("evt.is_open_read = false", OPEN_EV);
	YES("evt.is_open_write != true", OPEN_EV);
	YES("container.privileged = true", CONNECT_EV);
	NO("container.privileged = true", OPEN_EV);
	YES("evt.failed = FALSE", OPEN_EV);
}

static void addresses(void **state)
{
	(void)state;
	YES("fd.sip = 10.0.0.1", CONNECT_EV);
	NO("fd.sip = 10.0.0.2", CONNECT_EV);
	YES("fd.snet = 10.0.0.0/8", CONNECT_EV);
	NO("fd.snet = 192.168.0.0/16", CONNECT_EV);
	YES("fd.sip in (1.1.1.1, 10.0.0.0/24)", CONNECT_EV);
	NO("fd.sip in (1.1.1.1, 10.0.1.0/24)", CONNECT_EV);
	YES("fd.cip = 172.17.0.2", CONNECT_EV);
	YES("fd.sip != 127.0.0.1", CONNECT_EV);
	YES("fd.sip = '::ffff:10.0.0.1'", CONNECT_EV);
	YES("fd.sip = ::1", CONNECT6_EV);
	YES("fd.cnet = fd00::/8", CONNECT6_EV);
	NO("fd.sip = 127.0.0.1", CONNECT6_EV);
	/* either side */
	YES("fd.ip = 172.17.0.2", CONNECT_EV);
	YES("fd.ip = 10.0.0.1", CONNECT_EV);
	YES("fd.net = 172.16.0.0/12", CONNECT_EV);
	NO("fd.ip = 8.8.8.8", CONNECT_EV);
	/* != on a two-sided field: neither side equals */
	NO("fd.ip != 10.0.0.1", CONNECT_EV);
	YES("fd.ip != 8.8.8.8", CONNECT_EV);
	YES("fd.port = 443", CONNECT_EV);
	YES("fd.port = 41000", CONNECT_EV);
	NO("fd.port = 80", CONNECT_EV);
}

static void ancestors(void **state)
{
	(void)state;
	YES("proc.aname = sshd", OPEN_EV);
	YES("proc.aname = bash", OPEN_EV);
	NO("proc.aname = cat", OPEN_EV); /* without an index: ancestors only */
	YES("proc.aname[0] = cat", OPEN_EV);
	YES("proc.aname[1] = bash", OPEN_EV);
	NO("proc.aname[1] = sshd", OPEN_EV);
	YES("proc.aname in (nginx, sshd)", OPEN_EV);
	NO("proc.aname != sshd", OPEN_EV);
	YES("proc.aname != nginx", OPEN_EV);
	YES("proc.aexepath[2] = /usr/sbin/sshd", OPEN_EV);
	YES("proc.acmdline[2] = 'sshd -D'", OPEN_EV);
	YES("proc.apid = 1002", OPEN_EV);
	YES("proc.pcmdline = bash", OPEN_EV);
}

static void transformers(void **state)
{
	(void)state;
	const char *upper = "{type: execve, proc: {name: CAT, exepath: /usr/bin/CAT,"
			    " env: [PAYLOAD=aGVsbG8=], parent: {name: cat}}}";
	YES("tolower(proc.name) = cat", upper);
	NO("proc.name = cat", upper);
	YES("toupper(proc.pname) = CAT", upper);
	YES("basename(proc.exepath) = CAT", upper);
	YES("tolower(basename(proc.exepath)) = cat", upper);
	YES("b64(proc.env[PAYLOAD]) = hello", upper);
	NO("b64(proc.env[PAYLOAD]) = 'aGVsbG8='", upper);
	YES("len(proc.exepath) = 12", upper);
	YES("tolower(proc.name) = val(proc.pname)", upper);
	NO("proc.name = val(proc.pname)", upper);
	YES("tolower(proc.name) = tolower(proc.pname)", upper);
	YES("proc.name = val(proc.aname[0])", OPEN_EV);
	YES("proc.exepath endswith val(proc.name)", OPEN_EV);
	NO("proc.exepath startswith val(proc.name)", OPEN_EV);
}

static void flags_and_arguments(void **state)
{
	(void)state;
	YES("evt.arg.flags contains O_CLOEXEC", OPEN_EV);
	YES("evt.arg.flags contains O_RDONLY", OPEN_EV);
	NO("evt.arg.flags contains O_TRUNC", OPEN_EV);
	NO("evt.arg.flags contains O_WRONLY", OPEN_EV);
	YES("evt.arg.flags icontains o_cloexec", OPEN_EV);
	YES("evt.arg.flags = 'O_RDONLY|O_CLOEXEC'", OPEN_EV);
	YES("evt.rawarg.flags = 524288", OPEN_EV);
	YES("evt.arg.name = /etc/shadow", OPEN_EV);
	YES("evt.arg[1] = /etc/shadow", OPEN_EV);
	YES("evt.arg.fd = 3", OPEN_EV);
	const char *ptrace = "{type: ptrace, res: 0, arg: [PTRACE_ATTACH, 4242]}";
	YES("evt.arg.request contains PTRACE_ATTACH", ptrace);
	NO("evt.arg.request contains PTRACE_TRACEME", ptrace);
	YES("evt.arg.request contains ATTACH", ptrace); /* substring of the name */
	YES("evt.rawarg.request = 16", ptrace);
	YES("evt.arg.pid = 4242", ptrace);
	const char *sock = "{type: socket, res: 4, domain: AF_PACKET, socktype: SOCK_RAW}";
	YES("evt.arg.domain contains AF_PACKET", sock);
	NO("evt.arg.domain contains AF_INET", sock);
	YES("evt.args contains 'domain=AF_PACKET'", sock);
	YES("thread.cap_effective contains CAP_SYS_ADMIN", OPEN_EV);
	YES("thread.cap_effective icontains sys_admin", OPEN_EV);
	NO("thread.cap_effective contains CAP_SYS_MODULE", OPEN_EV);
}

static void event_types(void **state)
{
	(void)state;
	YES("evt.type in (open, openat)", OPEN_EV);
	NO("evt.type = execve", OPEN_EV);
	YES("evt.type != execve", OPEN_EV);
	YES("evt.type startswith open", OPEN_EV);
	YES("evt.type glob 'open*'", OPEN_EV);
	NO("not evt.type = openat", OPEN_EV);
	YES("syscall.type = openat", OPEN_EV);
	YES("evt.dir = <", OPEN_EV);
	NO("evt.dir = >", OPEN_EV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(equality),	    cmocka_unit_test(ordering),
	    cmocka_unit_test(substrings),   cmocka_unit_test(globs_and_regexes),
	    cmocka_unit_test(sets),	    cmocka_unit_test(path_prefixes),
	    cmocka_unit_test(existence),    cmocka_unit_test(booleans),
	    cmocka_unit_test(addresses),    cmocka_unit_test(ancestors),
	    cmocka_unit_test(transformers), cmocka_unit_test(flags_and_arguments),
	    cmocka_unit_test(event_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
