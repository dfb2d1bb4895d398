/* The ring-buffer record decoder: records built the way pal_sensor.bpf.c
 * lays them out, and malformed ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "sensor/decode.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

struct rec {
	struct sen_wire_hdr h;
	uint8_t data[4 * 4096];
	size_t off;
};

static void rec_init(struct rec *r, uint16_t kind, uint32_t type)
{
	memset(r, 0, sizeof(*r));
	r->h.version = SEN_WIRE_VERSION;
	r->h.kind = kind;
	r->h.type = type;
	r->h.pid = r->h.tid = 42;
	strcpy(r->h.comm, "test");
}

static void rec_slot(struct rec *r, int slot, uint16_t kind, const void *p, size_t len)
{
	r->h.slot_kind[slot] = kind;
	r->h.slot_off[slot] = (uint16_t)r->off;
	r->h.slot_len[slot] = (uint16_t)len;
	memcpy(r->data + r->off, p, len);
	r->off += len;
}

static void rec_str(struct rec *r, int slot, const char *s)
{
	rec_slot(r, slot, SEN_SLOT_STR, s, strlen(s) + 1);
}

/* Components leaf first, as the BPF dentry walk writes them. */
static void rec_dpath(struct rec *r, int slot, const char *const *leaf_first, size_t n)
{
	uint8_t buf[1024];
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(leaf_first[i]) + 1;
		memcpy(buf + len, leaf_first[i], l);
		len += l;
	}
	if (len == 0)
		buf[len++] = 0;
	rec_slot(r, slot, SEN_SLOT_DPATH, buf, len);
}

static int rec_decode(struct rec *r, struct sen_decoded *d)
{
	uint8_t buf[sizeof(struct sen_wire_hdr) + sizeof(r->data)];
	memcpy(buf, &r->h, sizeof(r->h));
	memcpy(buf + sizeof(r->h), r->data, r->off);
	struct pal_err err = {0};
	return sen_decode(buf, sizeof(r->h) + r->off, d, &err);
}

static void test_exec(void **state)
{
	(void)state;
	struct rec r;
	rec_init(&r, SEN_W_EXEC, PAL_EVT_EXECVE);
	r.h.flags = SEN_WF_EXE_UPPER | SEN_WF_HAS_TASK_EXT;
	r.h.truncated = SEN_SLOT_TRUNC(1);
	rec_str(&r, 0, "./run.sh");
	const char argv[] = "sh\0./run.sh\0--fast\0";
	rec_slot(&r, 1, SEN_SLOT_ARGV, argv, sizeof(argv) - 1);
	const char *exe[] = {"busybox", "bin"};
	rec_dpath(&r, 2, exe, 2);
	const char *cwd[] = {"app", "srv"};
	rec_dpath(&r, 3, cwd, 2);
	struct sen_decoded d;
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_string_equal(d.exe_filename, "./run.sh");
	assert_string_equal(d.exepath, "/bin/busybox");
	assert_string_equal(d.cwd, "/srv/app");
	assert_string_equal(d.argv[0], "sh");
	assert_string_equal(d.argv[2], "--fast");
	assert_null(d.argv[3]);
	assert_int_equal(d.trunc, PAL_TRUNC_ARGV);
	sen_decoded_clear(&d);

	/* cwd at the root: one empty component */
	rec_init(&r, SEN_W_EXEC, PAL_EVT_EXECVEAT);
	rec_dpath(&r, 3, NULL, 0);
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_string_equal(d.cwd, "/");
	assert_null(d.argv[0]);
	sen_decoded_clear(&d);
}

static void test_fork_exit(void **state)
{
	(void)state;
	struct rec r;
	struct sen_decoded d;
	rec_init(&r, SEN_W_FORK, PAL_EVT_CLONE);
	r.h.res = 4321;
	r.h.args[0] = 0x20000000 | 17;
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_int_equal(d.arg[0], 4321);
	assert_int_equal(d.flags, 0x20000011);
	sen_decoded_clear(&d);

	rec_init(&r, SEN_W_EXIT, PAL_EVT_PROCEXIT);
	r.h.res = (3 << 8); /* exit(3) */
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_int_equal(d.arg[0], 3);
	assert_int_equal(d.arg[1], 0);
	sen_decoded_clear(&d);
	r.h.res = 9 | 0x80; /* SIGKILL, core */
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_int_equal(d.arg[0], 0);
	assert_int_equal(d.arg[1], 9);
	assert_int_equal(d.arg[2], 1);
	sen_decoded_clear(&d);
}

static void test_open(void **state)
{
	(void)state;
	struct rec r;
	struct sen_decoded d;
	const char *cwd[] = {"x", "tmp"};

	/* success: the opened file's real path wins over the name given */
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_OPENAT);
	r.h.res = 3;
	r.h.args[0] = (uint64_t)-100;
	r.h.args[2] = O_WRONLY | O_CREAT;
	r.h.args[3] = 0644;
	rec_str(&r, 0, "link-to-shadow");
	const char *real[] = {"shadow", "etc"};
	rec_dpath(&r, 1, real, 2);
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_string_equal(d.path, "/etc/shadow");
	assert_int_equal(d.fd, 3);
	assert_int_equal(d.flags, O_WRONLY | O_CREAT);
	assert_int_equal(d.mode, 0644);
	sen_decoded_clear(&d);

	/* failure: the name resolved against the base directory */
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_OPENAT);
	r.h.res = -2;
	rec_str(&r, 0, "../a/./b//c");
	rec_dpath(&r, 1, cwd, 2);
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_string_equal(d.path, "/tmp/a/b/c");
	assert_int_equal(d.fd, -1);
	sen_decoded_clear(&d);

	/* absolute name, no base */
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_OPEN);
	r.h.res = -13;
	rec_str(&r, 0, "/etc/../etc/shadow");
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_string_equal(d.path, "/etc/shadow");
	sen_decoded_clear(&d);

	/* creat implies its flags; truncated name flagged */
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_CREAT);
	r.h.res = 4;
	r.h.args[1] = 0600;
	r.h.truncated = SEN_SLOT_TRUNC(0);
	rec_str(&r, 0, "/tmp/long");
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_int_equal(d.flags, O_CREAT | O_WRONLY | O_TRUNC);
	assert_int_equal(d.mode, 0600);
	assert_int_equal(d.trunc, PAL_TRUNC_PATH);
	sen_decoded_clear(&d);
}

static void test_two_paths(void **state)
{
	(void)state;
	struct rec r;
	struct sen_decoded d;
	const char *cwd[] = {"work"};
	const char *dirfd[] = {"d", "var"};

	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_RENAMEAT2);
	rec_str(&r, 0, "old");
	rec_dpath(&r, 1, cwd, 1);
	rec_str(&r, 2, "new");
	rec_dpath(&r, 3, dirfd, 2);
	r.h.args[4] = 1;
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_string_equal(d.path, "/work/old");
	assert_string_equal(d.path2, "/var/d/new");
	assert_int_equal(d.flags, 1);
	sen_decoded_clear(&d);

	/* symlink: the target text stays as written */
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_SYMLINK);
	rec_str(&r, 0, "../../etc/passwd");
	rec_str(&r, 2, "lnk");
	rec_dpath(&r, 3, cwd, 1);
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_string_equal(d.path, "../../etc/passwd");
	assert_string_equal(d.path2, "/work/lnk");
	sen_decoded_clear(&d);

	/* mount: source, fstype, target */
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_MOUNT);
	r.h.args[3] = 4096;
	rec_str(&r, 0, "/dev/sda1");
	rec_str(&r, 1, "ext4");
	rec_str(&r, 2, "/mnt");
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_string_equal(d.path, "/mnt");
	assert_string_equal(d.path2, "/dev/sda1");
	assert_string_equal(d.arg_str, "ext4");
	assert_int_equal(d.flags, 4096);
	sen_decoded_clear(&d);
}

static void test_network(void **state)
{
	(void)state;
	struct rec r;
	struct sen_decoded d;

	/* connect: remote from the user's sockaddr, local from the socket */
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_CONNECT);
	r.h.args[0] = 5;
	r.h.flags = SEN_WF_HAS_SOCK;
	r.h.sock.family = AF_INET;
	r.h.sock.type = SOCK_STREAM;
	r.h.sock.lport = 40000;
	inet_pton(AF_INET, "127.0.0.1", r.h.sock.laddr);
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons(8080)};
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	rec_slot(&r, 0, SEN_SLOT_BYTES, &sin, sizeof(sin));
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_int_equal(d.fd, 5);
	assert_int_equal(d.remote.family, AF_INET);
	assert_int_equal(d.remote.port, 8080);
	assert_int_equal(d.local.port, 40000);
	assert_memory_equal(d.remote.addr, &sin.sin_addr, 4);
	sen_decoded_clear(&d);

	/* IPv6 sendto */
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_SENDTO);
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(53)};
	inet_pton(AF_INET6, "::1", &s6.sin6_addr);
	rec_slot(&r, 0, SEN_SLOT_BYTES, &s6, sizeof(s6));
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_int_equal(d.remote.family, AF_INET6);
	assert_int_equal(d.remote.port, 53);
	assert_int_equal(d.remote.addr[15], 1);
	sen_decoded_clear(&d);

	/* unix connect, and an abstract address */
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_CONNECT);
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	strcpy(un.sun_path, "/run/docker.sock");
	rec_slot(&r, 0, SEN_SLOT_BYTES, &un,
		 offsetof(struct sockaddr_un, sun_path) + strlen(un.sun_path) + 1);
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_string_equal(d.remote.unix_path, "/run/docker.sock");
	sen_decoded_clear(&d);

	struct pal_sockaddr a;
	struct sockaddr_un ab = {.sun_family = AF_UNIX};
	memcpy(ab.sun_path, "\0hidden", 7);
	assert_int_equal(sen_sockaddr_parse(&ab, offsetof(struct sockaddr_un, sun_path) + 7, &a),
			 0);
	assert_string_equal(a.unix_path, "@hidden");
	assert_true(sen_sockaddr_parse(&sin, 3, &a) < 0);
	assert_true(sen_sockaddr_parse(&s6, sizeof(struct sockaddr_in), &a) < 0);
	uint16_t fam = AF_NETLINK;
	assert_true(sen_sockaddr_parse(&fam, sizeof(fam), &a) < 0);
}

static void test_privilege_args(void **state)
{
	(void)state;
	struct rec r;
	struct sen_decoded d;
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_CAPSET);
	r.h.args[3] = 1ull << 21;
	r.h.args[4] = 3;
	r.h.args[5] = 0;
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_int_equal(d.arg[0], 1ll << 21);
	assert_int_equal(d.arg[1], 3);
	sen_decoded_clear(&d);

	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_TGKILL);
	r.h.args[0] = 100;
	r.h.args[1] = 101;
	r.h.args[2] = 9;
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_int_equal(d.arg[0], 100);
	assert_int_equal(d.arg[1], 9);
	assert_int_equal(d.arg[2], 101);
	sen_decoded_clear(&d);

	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_FINIT_MODULE);
	r.h.args[0] = 7;
	rec_str(&r, 0, "debug=1");
	const char *f[] = {"evil.ko", "tmp"};
	rec_dpath(&r, 1, f, 2);
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_string_equal(d.path, "/tmp/evil.ko");
	assert_string_equal(d.arg_str, "debug=1");
	assert_int_equal(d.fd, 7);
	sen_decoded_clear(&d);
}

static void test_malformed(void **state)
{
	(void)state;
	struct rec r;
	struct sen_decoded d;
	struct pal_err err = {0};
	uint8_t small[8] = {0};
	assert_true(sen_decode(small, sizeof(small), &d, &err) < 0);

	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_OPENAT);
	r.h.version = 99;
	assert_true(rec_decode(&r, &d) < 0);

	rec_init(&r, SEN_W_SYSCALL, PAL_EVT__COUNT);
	assert_true(rec_decode(&r, &d) < 0);

	rec_init(&r, 9, PAL_EVT_OPENAT);
	assert_true(rec_decode(&r, &d) < 0);

	/* a slot that points past the data */
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_OPENAT);
	rec_str(&r, 0, "/x");
	r.h.slot_len[0] = 500;
	assert_true(rec_decode(&r, &d) < 0);
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_OPENAT);
	rec_str(&r, 0, "/x");
	r.h.slot_kind[0] = 77;
	assert_true(rec_decode(&r, &d) < 0);

	/* a string without its NUL stays inside its slot */
	rec_init(&r, SEN_W_SYSCALL, PAL_EVT_OPENAT);
	rec_slot(&r, 0, SEN_SLOT_STR, "/abc", 4);
	rec_slot(&r, 2, SEN_SLOT_STR, "zzz", 3);
	assert_int_equal(rec_decode(&r, &d), 0);
	assert_string_equal(d.path, "/abc");
	sen_decoded_clear(&d);
}

static void test_path_helpers(void **state)
{
	(void)state;
	struct {
		const char *base, *rel, *want;
	} cases[] = {
	    {"/", "a", "/a"},		{"/x/y", "../../../..", "/"},
	    {"/x/y", "./z/", "/x/y/z"}, {"/x", "/abs//p/.", "/abs/p"},
	    {NULL, "rel", "/rel"},	{"/x", "", "/x"},
	    {"/", "..", "/"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *p = sen_path_resolve(cases[i].base, cases[i].rel);
		assert_string_equal(p, cases[i].want);
	}
	_cleanup_free_ char *j = sen_dpath_join("c\0b\0a\0", 6);
	assert_string_equal(j, "/a/b/c");
	_cleanup_free_ char *e = sen_dpath_join("\0", 1);
	assert_string_equal(e, "/");
	/* no final NUL */
	_cleanup_free_ char *n = sen_dpath_join("b\0a", 3);
	assert_string_equal(n, "/a/b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exec),      cmocka_unit_test(test_fork_exit),
	    cmocka_unit_test(test_open),      cmocka_unit_test(test_two_paths),
	    cmocka_unit_test(test_network),   cmocka_unit_test(test_privilege_args),
	    cmocka_unit_test(test_malformed), cmocka_unit_test(test_path_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
