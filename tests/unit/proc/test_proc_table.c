/* The process table: /proc parsing, seeding from a fake /proc tree, fork,
 * exec and exit bookkeeping, ancestry links. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"
#include "proc/proc_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *data_file(const char *rel, size_t *len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/proc/%s", PAL_TEST_DATA_DIR, rel);
	char *data = NULL;
	struct pal_err err = {0};
	if (pal_read_file(path, 1 << 20, &data, len, &err) < 0)
		fail_msg("%s", err.msg);
	return data;
}

static void test_parse_stat(void **state)
{
	(void)state;
	size_t len;
	_cleanup_free_ char *d = data_file("procfs/stat-self.txt", &len);
	struct proc_stat_fields f;
	assert_int_equal(proc_parse_stat(d, len, &f), 0);
	assert_string_equal(f.comm, "cp");
	assert_int_equal(f.ppid, 16455);
	assert_int_equal(f.tty, 0);
	assert_int_equal(f.start_ticks, 175917);

	/* a comm with spaces and parentheses */
	const char odd[] = "77 (a) b (c) S 1 77 77 34816 0 0 0 0 0 0 0 0 0 0 20 0 1 0 999 0 0";
	assert_int_equal(proc_parse_stat(odd, strlen(odd), &f), 0);
	assert_string_equal(f.comm, "a) b (c");
	assert_int_equal(f.ppid, 1);
	assert_int_equal(f.tty, 34816);
	assert_int_equal(f.start_ticks, 999);

	assert_true(proc_parse_stat("12 (x S 1", 9, &f) < 0);
	assert_true(proc_parse_stat("12 (x) S", 8, &f) < 0);
}

static void test_parse_status(void **state)
{
	(void)state;
	size_t len;
	_cleanup_free_ char *d = data_file("procfs/status-self.txt", &len);
	struct proc_status_fields f;
	assert_int_equal(proc_parse_status(d, len, &f), 0);
	assert_int_equal(f.uid, 0);
	assert_int_equal(f.euid, 0);
	assert_int_equal(f.cap_eff, 0x000001fffeffffffull);
	assert_int_equal(f.vpid, 16478);

	const char in_ns[] = "Name:\tsh\nUid:\t1000\t1001\t1000\t1000\nGid:\t50\t51\t50\t50\n"
			     "CapEff:\t0000000000000400\nNSpid:\t4242\t1\n";
	assert_int_equal(proc_parse_status(in_ns, strlen(in_ns), &f), 0);
	assert_int_equal(f.uid, 1000);
	assert_int_equal(f.euid, 1001);
	assert_int_equal(f.gid, 50);
	assert_int_equal(f.egid, 51);
	assert_int_equal(f.cap_eff, 0x400);
	assert_int_equal(f.vpid, 1);
	assert_true(proc_parse_status("Name:\tx\n", 8, &f) < 0);
}

static void test_split_and_cmdline(void **state)
{
	(void)state;
	const char buf[] = "sh\0-c\0echo hi\0";
	_cleanup_strv_ char **v = proc_split_nul(buf, sizeof(buf) - 1);
	assert_int_equal(pal_strv_len(v), 3);
	assert_string_equal(v[2], "echo hi");
	_cleanup_free_ char *c = proc_make_cmdline("sh", (const char *const *)v);
	assert_string_equal(c, "sh -c echo hi");
	_cleanup_strv_ char **e = proc_split_nul("", 0);
	assert_int_equal(pal_strv_len(e), 0);
	/* no trailing NUL: the last argument still counts */
	_cleanup_strv_ char **t = proc_split_nul("a\0bc", 4);
	assert_int_equal(pal_strv_len(t), 2);
	assert_string_equal(t[1], "bc");
}

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	struct pal_err err = {0};
	_cleanup_free_ char *p = pal_path_join(dir, name);
	if (pal_write_file_atomic(p, data, len, 0644, &err) < 0)
		fail_msg("%s", err.msg);
}

/* /proc/<pid> with stat, status, cmdline and exe/cwd links. */
static void fake_proc(const char *root, unsigned pid, unsigned ppid, const char *comm,
		      const char *cmdline, size_t cmdlen)
{
	char dir[512], buf[512];
	struct pal_err err = {0};
	snprintf(dir, sizeof(dir), "%s/%u", root, pid);
	assert_int_equal(pal_mkdir_p(dir, 0755, &err), 0);
	int n = snprintf(buf, sizeof(buf),
			 "%u (%s) S %u %u %u 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %u 0 0\n", pid, comm,
			 ppid, pid, pid, 100 + pid);
	write_file(dir, "stat", buf, (size_t)n);
	n = snprintf(buf, sizeof(buf),
		     "Name:\t%s\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nCapInh:\t0\n"
		     "CapPrm:\t1\nCapEff:\t1\nNSpid:\t%u\n",
		     comm, pid);
	write_file(dir, "status", buf, (size_t)n);
	write_file(dir, "cmdline", cmdline, cmdlen);
	char link[600];
	snprintf(link, sizeof(link), "%s/exe", dir);
	snprintf(buf, sizeof(buf), "/usr/bin/%s", comm);
	assert_int_equal(symlink(buf, link), 0);
	snprintf(link, sizeof(link), "%s/cwd", dir);
	assert_int_equal(symlink("/srv", link), 0);
}

static void test_seed_fork_exec_exit(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/pal-test-proc-XXXXXX";
	char *root = mkdtemp(tmpl);
	assert_non_null(root);
	fake_proc(root, 1, 0, "init", "/sbin/init\0", 11);
	fake_proc(root, 10, 1, "sshd", "sshd\0-D\0", 8);
	fake_proc(root, 20, 10, "bash", "-bash\0", 6);
	fake_proc(root, 30, 20, "make", "make\0-j2\0", 9);
	fake_proc(root, 40, 30, "cc", "cc\0-c\0x.c\0", 10);
	fake_proc(root, 50, 40, "as", "as\0", 3);
	struct pal_err err = {0};
	_cleanup_free_ char *junk = pal_path_join(root, "self");
	assert_int_equal(pal_mkdir_p(junk, 0755, &err), 0);

	struct proc_table *t = proc_table_new(root);
	size_t n = 0;
	assert_int_equal(proc_table_seed(t, &n, &err), 0);
	assert_int_equal(n, 6);
	assert_int_equal(proc_table_count(t), 6);

	struct proc_entry *as = proc_table_get(t, 50);
	assert_non_null(as);
	assert_string_equal(as->p.comm, "as");
	assert_string_equal(as->p.exepath, "/usr/bin/as");
	assert_string_equal(as->p.cwd, "/srv");
	assert_string_equal(proc_table_get(t, 40)->p.cmdline, "cc -c x.c");

	/* ancestry: five levels and the root */
	proc_table_link_ancestry(t, as);
	const char *names[] = {"cc", "make", "bash", "sshd", "init"};
	const struct pal_proc *a = as->p.parent;
	for (int i = 0; i < 5; i++) {
		assert_non_null(a);
		assert_string_equal(a->comm, names[i]);
		a = a->parent;
	}
	assert_null(a);

	/* fork copies the image; exec replaces it */
	struct proc_entry *child = proc_table_fork(t, proc_table_get(t, 20), 60, 12345);
	assert_int_equal(child->p.ppid, 20);
	assert_string_equal(child->p.cmdline, "bash");
	assert_int_equal(child->p.start_ns, 12345);
	const char *argv[] = {"cat", "/etc/passwd", NULL};
	proc_entry_set_comm(child, "cat");
	proc_entry_set_exec(child, argv, "/usr/bin/cat", "/root");
	assert_string_equal(child->p.cmdline, "cat /etc/passwd");
	assert_string_equal(child->p.exe, "cat");
	assert_string_equal(child->p.argv[1], "/etc/passwd");
	assert_string_equal(child->p.cwd, "/root");
	proc_table_link_ancestry(t, child);
	assert_string_equal(child->p.parent->comm, "bash");

	/* a cycle of stale entries ends the chain instead of looping */
	proc_table_get(t, 1)->p.ppid = 50;
	proc_table_link_ancestry(t, as);
	int depth = 0;
	for (a = &as->p; a && depth < 100; a = a->parent)
		depth++;
	assert_true(depth <= 7);

	/* exit: kept for the grace period, then dropped; a reused pid is not */
	proc_table_exit(t, 60, 1000);
	assert_non_null(proc_table_get(t, 60));
	proc_table_expire(t, 1000 + PROC_EXIT_GRACE_NS);
	assert_non_null(proc_table_get(t, 60));
	proc_table_expire(t, 1001 + PROC_EXIT_GRACE_NS);
	assert_null(proc_table_get(t, 60));
	proc_table_fork(t, proc_table_get(t, 20), 61, 1);
	proc_table_exit(t, 61, 2000);
	proc_table_fork(t, proc_table_get(t, 20), 61, 2); /* pid reused */
	proc_table_expire(t, 3000 + PROC_EXIT_GRACE_NS);
	assert_non_null(proc_table_get(t, 61));
	assert_int_equal(proc_table_get(t, 61)->p.start_ns, 2);
	proc_table_remove(t, 61);

	/* the gc of entries whose /proc is gone */
	_cleanup_free_ char *d30 = pal_path_join(root, "30");
	assert_int_equal(pal_rm_rf(d30, &err), 0);
	assert_int_equal(proc_table_gc(t), 1);
	assert_null(proc_table_get(t, 30));
	assert_null(proc_table_get_or_load(t, 30));
	assert_non_null(proc_table_get_or_load(t, 40));

	/* many entries: the table grows */
	for (uint32_t pid = 1000; pid < 5000; pid++)
		proc_table_upsert(t, pid);
	assert_int_equal(proc_table_count(t), 5 + 4000);
	assert_non_null(proc_table_get(t, 4999));

	proc_table_free(t);
	assert_int_equal(pal_rm_rf(root, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_stat),
	    cmocka_unit_test(test_parse_status),
	    cmocka_unit_test(test_split_and_cmdline),
	    cmocka_unit_test(test_seed_fork_exec_exit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
