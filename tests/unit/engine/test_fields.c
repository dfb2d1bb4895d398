/* Field values extracted from synthetic events, read back through a rule's
 * output (the same path alerts take). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

/* Renders output for the event with every rule in yaml that matches;
 * returns the last output (caller frees). */
static char *render_opts(const char *output, const char *event, struct eng_load_opts *o)
{
	struct pal_buf y;
	pal_buf_init(&y);
	pal_buf_printf(&y,
		       "- rule: R\n  desc: d\n  condition: evt.num > 0\n  output: '%s'\n"
		       "  priority: notice\n  warn_evttypes: false\n",
		       output);
	struct diags g;
	struct eng_ruleset *rs = load_rules_opts(y.data, &g, o);
	pal_buf_free(&y);
	if (!rs)
		fail_msg("did not load:\n%s", g.text.data);
	pal_buf_free(&g.text);
	struct evfix f;
	struct fired fr;
	fired_init(&fr);
	struct pal_event *ev = fx_parse(&f, event);
	if (!ev || f.error)
		fail_msg("bad event: %s", f.error);
	eng_eval(rs, ev, fired_cb, &fr);
	char *out = fr.last_output ? pal_xstrdup(fr.last_output) : pal_xstrdup("(no match)");
	fired_free(&fr);
	fx_free(&f);
	eng_ruleset_free(rs);
	return out;
}

static char *render(const char *output, const char *event)
{
	return render_opts(output, event, NULL);
}

#define ASSERT_RENDERS(output, event, want)                                                        \
	do {                                                                                       \
		char *_s = render(output, event);                                                  \
		if (strcmp(_s, want))                                                              \
			fail_msg("%s\n  got:  %s\n  want: %s", output, _s, want);                  \
		free(_s);                                                                          \
	} while (0)

static void process_fields(void **state)
{
	(void)state;
	const char *ev = "{type: execve, res: 0, ts: 5000000000,"
			 " proc: {name: python3, exe: ./app.py, exepath: /usr/bin/python3.11,"
			 "        args: [./app.py, --port, '80'], cwd: /srv, pid: 300, vpid: 1,"
			 "        start_ns: 2000000000, env: [A=1, PATH=/bin],"
			 "        parent: {name: sh, pid: 200, start_ns: 1000000000, exe: /bin/sh,"
			 "                 parent: {name: conmon, pid: 100}}}}";
	ASSERT_RENDERS(
	    "%proc.name|%proc.exe|%proc.exepath|%proc.args|%proc.cmdline|%proc.exeline", ev,
	    "python3|./app.py|/usr/bin/python3.11|--port 80|python3 --port 80|./app.py --port "
	    "80");
	ASSERT_RENDERS("%proc.pid %proc.vpid %proc.ppid %proc.pname %proc.aname[2] %proc.apid[2]",
		       ev, "300 1 200 sh conmon 100");
	ASSERT_RENDERS("%proc.cwd|%proc.env|%proc.env[PATH]|%proc.env[NONE]|%proc.cmdnargs", ev,
		       "/srv|A=1 PATH=/bin|/bin|<NA>|2");
	/* ts 5s, started at 2s: 3 s (clock offset 0 in tests) */
	ASSERT_RENDERS("%proc.duration %proc.ppid.duration", ev, "3000000000 4000000000");
	/* argv joined when the sensor gave no cmdline */
	ASSERT_RENDERS("%proc.args",
		       "{type: execve, proc: {name: a, cmdline: '', args: [a, b, c]}}", "b c");
}

static void user_names(void **state)
{
	(void)state;
	/* Host processes: the host's passwd (tests use tests/data/engine/passwd). */
	ASSERT_RENDERS("%user.name %user.uid %group.name %user.loginname %user.loginuid",
		       "{type: execve, proc: {name: a, uid: 33, gid: 33, loginuid: 1000}}",
		       "www-data 33 www-data alice 1000");
	/* The first entry for an id wins. */
	ASSERT_RENDERS("%user.name", "{type: execve, proc: {name: a, uid: 1000}}", "alice");
	ASSERT_RENDERS("%user.name %user.loginuid", "{type: execve, proc: {name: a, uid: 4242}}",
		       "<NA> -1");
	/* In a container, only root is known without a resolver: uid 33 may be
	 * anyone in the image. */
	const char *in_ct = "{type: execve, proc: {name: a, uid: 33}, container: {id: c1}}";
	ASSERT_RENDERS("%user.name", in_ct, "<NA>");
	ASSERT_RENDERS("%user.name", "{type: execve, proc: {name: a, uid: 0}, container: {id: c1}}",
		       "root");
}

static const char *resolve(void *ud, const struct pal_event *ev, bool group, uint32_t id)
{
	(void)ud;
	if (!ev->container->is_host && !group && id == 33)
		return "nginx";
	return NULL;
}

static void user_name_resolver(void **state)
{
	(void)state;
	struct eng_load_opts o = {.resolve_name = resolve};
	char *s = render_opts("%user.name",
			      "{type: execve, proc: {name: a, uid: 33}, container: {id: c1}}", &o);
	assert_string_equal(s, "nginx");
	free(s);
}

static unsigned env_calls;

static const char *const *resolve_env(void *ud, const struct pal_event *ev)
{
	static const char *const env[] = {"KUBERNETES_SERVICE_HOST=10.96.0.1", "HOME=/", NULL};
	(void)ev;
	env_calls++;
	return ud ? env : NULL;
}

/* proc.env the event lacks comes from the resolver; one it carries wins. */
static void env_resolver(void **state)
{
	(void)state;
	int on = 1;
	struct eng_load_opts o = {.resolve_env = resolve_env, .resolve_env_ud = &on};
	env_calls = 0;
	char *s = render_opts("%proc.env[KUBERNETES_SERVICE_HOST] %proc.env[NOPE]",
			      "{type: connect, proc: {name: curl}}", &o);
	assert_string_equal(s, "10.96.0.1 <NA>");
	free(s);
	assert_true(env_calls >= 1);
	env_calls = 0;
	s = render_opts("%proc.env[HOME]", "{type: connect, proc: {name: curl, env: [HOME=/root]}}",
			&o);
	assert_string_equal(s, "/root");
	free(s);
	assert_int_equal(env_calls, 0);
	/* A resolver that knows nothing: no value, as without one. */
	o.resolve_env_ud = NULL;
	s = render_opts("%proc.env[HOME]", "{type: connect, proc: {name: curl}}", &o);
	assert_string_equal(s, "<NA>");
	free(s);
}

static void file_fields(void **state)
{
	(void)state;
	const char *open_ok =
	    "{type: openat, res: 5, path: /var/log/syslog, flags: O_WRONLY|O_TRUNC}";
	ASSERT_RENDERS("%fd.num %fd.type %fd.typechar %fd.name %fd.directory %fd.filename", open_ok,
		       "5 file f /var/log/syslog /var/log syslog");
	ASSERT_RENDERS("%evt.is_open_read %evt.is_open_write %evt.is_open_create %evt.res", open_ok,
		       "false true false SUCCESS");
	ASSERT_RENDERS("%fs.path.name %fs.path.source", open_ok, "/var/log/syslog <NA>");
	const char *open_fail = "{type: open, res: -2, path: /nope, flags: O_RDONLY}";
	ASSERT_RENDERS("%fd.num %evt.res %evt.rawres %evt.failed %fs.path.name", open_fail,
		       "-1 ENOENT -2 true <NA>");
	ASSERT_RENDERS("%fd.type %fd.directory",
		       "{type: openat, res: 3, path: /etc, flags: O_DIRECTORY}", "directory /etc");
	ASSERT_RENDERS("%evt.is_open_exec",
		       "{type: openat, res: 3, path: /tmp/x, flags: O_CREAT|O_WRONLY, mode: 0755}",
		       "true");
	ASSERT_RENDERS("%fd.num %fd.type %evt.is_open_write", "{type: creat, res: 4, path: /tmp/y}",
		       "4 file true");
	/* link: the new name is the source, the existing file the target (Falco). */
	const char *link = "{type: linkat, res: 0, path: /etc/shadow, path2: /tmp/s}";
	ASSERT_RENDERS("%fs.path.source %fs.path.target %evt.arg.oldpath %evt.arg.newpath %fd.name",
		       link, "/tmp/s /etc/shadow /etc/shadow /tmp/s <NA>");
	const char *sym = "{type: symlinkat, res: 0, path: /etc/shadow, path2: /tmp/s}";
	ASSERT_RENDERS("%evt.arg.target %evt.arg.linkpath %fs.path.target", sym,
		       "/etc/shadow /tmp/s /etc/shadow");
	const char *ren = "{type: renameat2, res: 0, path: /a, path2: /b, flags: RENAME_NOREPLACE}";
	ASSERT_RENDERS("%fs.path.source %fs.path.target %evt.arg.flags", ren,
		       "/a /b RENAME_NOREPLACE");
	ASSERT_RENDERS("%fd.name %fd.type",
		       "{type: memfd_create, res: 3, arg_str: payload, flags: MFD_CLOEXEC}",
		       "memfd:payload memfd");
}

static void socket_fields(void **state)
{
	(void)state;
	const char *acc = "{type: accept4, res: 7, fd: 3, local: '0.0.0.0:22',"
			  " remote: '203.0.113.9:51000', socktype: SOCK_STREAM}";
	ASSERT_RENDERS("%fd.num %fd.name %fd.cip %fd.sip %fd.cport %fd.sport %fd.lport %fd.rport "
		       "%fd.is_server %fd.sockfamily",
		       acc,
		       "7 203.0.113.9:51000->0.0.0.0:22 203.0.113.9 0.0.0.0 51000 22 22 51000 true "
		       "ip");
	/* dup2 of a connected socket onto stdout (the reverse-shell pattern) */
	const char *dup = "{type: dup2, res: 1, fd: 3, arg: [3, 1], local: '10.0.0.5:40000',"
			  " remote: '198.51.100.7:4444', socktype: SOCK_STREAM}";
	ASSERT_RENDERS("%evt.rawres %fd.num %fd.type %fd.name %evt.arg.oldfd %evt.arg.newfd", dup,
		       "1 3 ipv4 10.0.0.5:40000->198.51.100.7:4444 3 1");
	const char *dupfile = "{type: dup2, res: 1, fd: 4, arg: [4, 1], path: /tmp/out.log}";
	ASSERT_RENDERS("%fd.type %fd.name", dupfile, "file /tmp/out.log");
	ASSERT_RENDERS("%fd.type %fd.name %fd.sockfamily",
		       "{type: connect, res: 0, fd: 3, remote: 'unix:/run/docker.sock'}",
		       "unix /run/docker.sock unix");
	ASSERT_RENDERS("%evt.arg.domain %evt.arg.type %fd.type %fd.typechar",
		       "{type: socket, res: 3, domain: AF_PACKET, socktype: SOCK_RAW|SOCK_CLOEXEC}",
		       "AF_PACKET SOCK_RAW|SOCK_CLOEXEC unknown o");
}

static void container_fields(void **state)
{
	(void)state;
	const char *ev =
	    "{type: execve, proc: {name: a},"
	    " container: {id: 3f2a1b, name: api, image: 'quay.io/acme/api:2.1',"
	    "             repository: quay.io/acme/api, tag: '2.1', digest: 'sha256:ab',"
	    "             runtime: podman, pod: api-7d9, namespace: prod}}";
	ASSERT_RENDERS(
	    "%container.id %container.name %container.image %container.image.repository "
	    "%container.image.tag %container.image.digest %container.type "
	    "%container.privileged %k8s.pod.name %k8s.ns.name",
	    ev,
	    "3f2a1b api quay.io/acme/api:2.1 quay.io/acme/api 2.1 sha256:ab podman false "
	    "api-7d9 prod");
	ASSERT_RENDERS("%container.id %container.name %k8s.pod.name", "{type: execve}",
		       "host host <NA>");
}

static void exec_flags_and_caps(void **state)
{
	(void)state;
	ASSERT_RENDERS("%evt.arg.flags %proc.is_exe_upper_layer %proc.is_exe_from_memfd",
		       "{type: execve, exe_upper_layer: true, proc: {name: x, exe_writable: true}}",
		       "EXE_WRITABLE|EXE_UPPER_LAYER true false");
	ASSERT_RENDERS("%evt.arg.flags %proc.is_exe_from_memfd",
		       "{type: execve, exe_memfd: true, proc: {name: x, exe_origin: memfd}}",
		       "EXE_FROM_MEMFD true");
	ASSERT_RENDERS("%thread.cap_permitted",
		       "{type: execve, proc: {name: x, caps: CAP_NET_RAW|CAP_BPF}}",
		       "CAP_NET_RAW CAP_BPF");
	ASSERT_RENDERS("%evt.arg.request %evt.arg.pid", "{type: ptrace, arg: [PTRACE_SEIZE, 12]}",
		       "PTRACE_SEIZE 12");
	ASSERT_RENDERS("%evt.arg.flags", "{type: unshare, flags: CLONE_NEWNS|CLONE_NEWUSER}",
		       "CLONE_NEWNS|CLONE_NEWUSER");
	ASSERT_RENDERS(
	    "%evt.arg.dev %evt.arg.dir %evt.arg.type %evt.arg.flags",
	    "{type: mount, path: /mnt, path2: /dev/sda1, arg_str: ext4, flags: MS_RDONLY}",
	    "/dev/sda1 /mnt ext4 MS_RDONLY");
	ASSERT_RENDERS("%evt.arg.cmd", "{type: bpf, arg: [BPF_PROG_LOAD]}", "BPF_PROG_LOAD");
	ASSERT_RENDERS("%evt.arg.sig", "{type: kill, arg: [1, SIGKILL]}", "SIGKILL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(process_fields),	  cmocka_unit_test(user_names),
	    cmocka_unit_test(user_name_resolver), cmocka_unit_test(env_resolver),
	    cmocka_unit_test(file_fields),	  cmocka_unit_test(socket_fields),
	    cmocka_unit_test(container_fields),	  cmocka_unit_test(exec_flags_and_caps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
