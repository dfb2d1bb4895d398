/* Container cgroups: finding them (mountinfo, records, /proc/<pid>/cgroup on
 * hybrid and pure v2 layouts), the safety rules, and killing and freezing
 * real cgroups this test creates (v2 under the unified mount, v1 freezer),
 * which it always removes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strutil.h"
#include "enforce/enforce.h"

static const char hybrid_mountinfo[] =
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "36 30 0:33 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n"
    "41 30 0:38 / /mnt/with\\040space rw - cgroup cgroup rw,pids\n"
    "50 22 0:40 / /proc rw - proc proc rw\n";

static const char v2_mountinfo[] =
    "25 1 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
    "rw,nsdelegate,memory_recursiveprot\n";

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void mountinfo_parse(void **state)
{
	(void)state;
	struct enf_cg_mounts ms;
	enf_cg_mounts_parse(hybrid_mountinfo, strlen(hybrid_mountinfo), &ms);
	assert_int_equal(ms.n, 5);
	assert_string_equal(ms.m[0].path, "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(ms.m[0].controllers, "cpu,cpuacct");
	assert_false(ms.m[0].v2);
	assert_string_equal(ms.m[2].controllers, "name=systemd");
	assert_string_equal(ms.m[3].path, "/sys/fs/cgroup/unified");
	assert_true(ms.m[3].v2);
	assert_string_equal(ms.m[3].controllers, "");
	assert_string_equal(ms.m[4].path, "/mnt/with space");
	enf_cg_mounts_clear(&ms);

	enf_cg_mounts_parse(v2_mountinfo, strlen(v2_mountinfo), &ms);
	assert_int_equal(ms.n, 1);
	assert_true(ms.m[0].v2);
	assert_string_equal(ms.m[0].root, "/");
	enf_cg_mounts_clear(&ms);

	/* Garbage: nothing, no crash. */
	const char junk[] = "1 2 3\n - cgroup2\n\n a b c d e f - cgroup\n";
	enf_cg_mounts_parse(junk, strlen(junk), &ms);
	assert_int_equal(ms.n, 0);
	enf_cg_mounts_clear(&ms);
}

static void from_proc_pure_v2_podman(void **state)
{
	(void)state;
	struct enf_cg_mounts ms;
	enf_cg_mounts_parse(v2_mountinfo, strlen(v2_mountinfo), &ms);
	/* podman with the systemd driver: processes in .../libpod-<id>.scope/container */
	const char text[] = "0::/machine.slice/libpod-" ID64 ".scope/container\n";
	struct enf_cgroup cg;
	struct pal_err err = {0};
	assert_int_equal(enf_cgroup_from_proc_text(text, strlen(text), ID64, &ms, &cg, &err), 0);
	assert_int_equal(cg.n, 1);
	assert_string_equal(cg.dirs[0].path, "/sys/fs/cgroup/machine.slice/libpod-" ID64 ".scope");
	assert_string_equal(cg.dirs[0].rel, "/machine.slice/libpod-" ID64 ".scope");
	assert_true(cg.dirs[0].v2);
	assert_non_null(enf_cgroup_v2(&cg));
	assert_null(enf_cgroup_v1(&cg, "freezer"));
	enf_cgroup_clear(&cg);

	/* Another container's id never matches this path. */
	const char other[] = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
	assert_int_equal(enf_cgroup_from_proc_text(text, strlen(text), other, &ms, &cg, &err),
			 -ENOENT);
	assert_int_equal(cg.n, 0);
	/* A host process: no component names a container. */
	const char host[] = "0::/user.slice/user-0.slice/session-1.scope\n";
	assert_int_equal(enf_cgroup_from_proc_text(host, strlen(host), ID64, &ms, &cg, &err),
			 -ENOENT);
	enf_cg_mounts_clear(&ms);
}

static void from_proc_hybrid(void **state)
{
	(void)state;
	struct enf_cg_mounts ms;
	enf_cg_mounts_parse(hybrid_mountinfo, strlen(hybrid_mountinfo), &ms);
	/* containerd (ctr) on a hybrid host: /default/<id> in every hierarchy
	 * except one the runtime left at the root. */
	const char text[] = "10:hugetlb:/\n"
			    "9:name=systemd:/default/web-1\n"
			    "6:freezer:/default/web-1\n"
			    "2:cpu,cpuacct:/default/web-1/sub\n"
			    "0::/default/web-1\n";
	struct enf_cgroup cg;
	struct pal_err err = {0};
	assert_int_equal(enf_cgroup_from_proc_text(text, strlen(text), "web-1", &ms, &cg, &err), 0);
	assert_int_equal(cg.n, 4);
	const struct enf_cg_dir *f = enf_cgroup_v1(&cg, "freezer");
	assert_non_null(f);
	assert_string_equal(f->path, "/sys/fs/cgroup/freezer/default/web-1");
	assert_string_equal(enf_cgroup_v1(&cg, "cpuacct")->path,
			    "/sys/fs/cgroup/cpu,cpuacct/default/web-1");
	assert_string_equal(enf_cgroup_v1(&cg, "name=systemd")->path,
			    "/sys/fs/cgroup/systemd/default/web-1");
	assert_string_equal(enf_cgroup_v2(&cg)->path, "/sys/fs/cgroup/unified/default/web-1");
	assert_null(enf_cgroup_v1(&cg, "hugetlb"));
	enf_cgroup_clear(&cg);
	enf_cg_mounts_clear(&ms);
}

static void excludes(void **state)
{
	(void)state;
	struct enf_cg_mounts ms;
	enf_cg_mounts_parse(hybrid_mountinfo, strlen(hybrid_mountinfo), &ms);
	const char text[] = "6:freezer:/default/web-1\n0::/default/web-1\n";
	struct enf_cgroup cg;
	struct pal_err err = {0};
	assert_int_equal(enf_cgroup_from_proc_text(text, strlen(text), "web-1", &ms, &cg, &err), 0);
	const char *ok[] = {"6:freezer:/\n0::/system.slice/agent.service\n",
			    "6:freezer:/default/web-10\n0::/default/web-10\n", NULL};
	assert_int_equal(enf_cgroup_check_excludes(&cg, ok, NULL, &err), 0);
	const char *agent_inside[] = {"6:freezer:/default/web-1/agent\n0::/elsewhere\n", NULL};
	const char *names[] = {"the agent", NULL};
	assert_int_equal(enf_cgroup_check_excludes(&cg, agent_inside, names, &err), -EPERM);
	assert_non_null(strstr(err.msg, "holds the agent"));
	enf_cgroup_clear(&cg);

	/* A record pointing at a hierarchy's root is refused outright. */
	struct enf_cg_dir root = {.path = "/sys/fs/cgroup/unified",
				  .mount = "/sys/fs/cgroup/unified",
				  .rel = "/",
				  .controllers = "",
				  .v2 = true};
	struct enf_cgroup rc = {.dirs = &root, .n = 1};
	assert_int_equal(enf_cgroup_check_excludes(&rc, NULL, NULL, &err), -EPERM);
	assert_non_null(strstr(err.msg, "root of a cgroup hierarchy"));
	enf_cg_mounts_clear(&ms);
}

/* ---- real cgroups ---------------------------------------------------------- */

struct realcg {
	char v2[256];	   /* "" when not created */
	char freezer[256]; /* "" when not created */
	char name[64];
	pid_t kids[3];
	struct enf_cg_mounts ms;
};

static void read_mounts(struct enf_cg_mounts *ms)
{
	char *mi = NULL;
	size_t len = 0;
	struct pal_err err = {0};
	assert_int_equal(pal_read_file("/proc/self/mountinfo", 1 << 20, &mi, &len, &err), 0);
	enf_cg_mounts_parse(mi, len, ms);
	free(mi);
}

static const struct enf_cg_mount *find_mount(const struct enf_cg_mounts *ms, bool v2,
					     const char *ctl)
{
	for (size_t i = 0; i < ms->n; i++) {
		if (ms->m[i].v2 != v2 || strcmp(ms->m[i].root, "/") != 0)
			continue;
		if (v2 || strstr(ms->m[i].controllers, ctl))
			return &ms->m[i];
	}
	return NULL;
}

static void write_file(const char *dir, const char *file, const char *val)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("open %s: %s", p, strerror(errno));
	if (write(fd, val, strlen(val)) < 0)
		fail_msg("write %s to %s: %s", val, p, strerror(errno));
	close(fd);
}

static bool alive(pid_t p)
{
	int st;
	pid_t r = waitpid(p, &st, WNOHANG);
	return r == 0;
}

static bool wait_dead(pid_t p)
{
	for (int i = 0; i < 300; i++) {
		int st;
		if (waitpid(p, &st, WNOHANG) == p)
			return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
		usleep(10000);
	}
	return false;
}

static struct realcg live; /* removed by teardown, also after a failed assertion */
static bool live_made;

/* Creates the test's cgroups (v2 and/or v1 freezer) and three sleeping
 * children in them. */
static void realcg_make(struct realcg *c, bool want_v2, bool want_freezer)
{
	memset(c, 0, sizeof(*c));
	live_made = true;
	if (getuid() != 0)
		fail_msg("these tests need root: they create cgroups");
	read_mounts(&c->ms);
	static int seq;
	snprintf(c->name, sizeof(c->name), "pal-enf-test-%d-%d", getpid(), ++seq);
	if (want_v2) {
		const struct enf_cg_mount *m = find_mount(&c->ms, true, NULL);
		if (!m)
			fail_msg("no cgroup v2 hierarchy is mounted (needed for this test)");
		snprintf(c->v2, sizeof(c->v2), "%s/%s", m->path, c->name);
		if (mkdir(c->v2, 0755) < 0)
			fail_msg("mkdir %s: %s", c->v2, strerror(errno));
	}
	if (want_freezer) {
		const struct enf_cg_mount *m = find_mount(&c->ms, false, "freezer");
		if (!m)
			fail_msg(
			    "no cgroup v1 freezer hierarchy is mounted (needed for this test)");
		snprintf(c->freezer, sizeof(c->freezer), "%s/%s", m->path, c->name);
		if (mkdir(c->freezer, 0755) < 0)
			fail_msg("mkdir %s: %s", c->freezer, strerror(errno));
	}
	for (int i = 0; i < 3; i++) {
		int pfd[2];
		assert_int_equal(pipe(pfd), 0);
		pid_t p = fork();
		assert_true(p >= 0);
		if (p == 0) {
			char b;
			close(pfd[1]);
			(void)!read(pfd[0], &b, 1); /* until the parent moved us */
			for (;;)
				pause();
		}
		close(pfd[0]);
		char pid[32];
		snprintf(pid, sizeof(pid), "%d", p);
		if (c->v2[0])
			write_file(c->v2, "cgroup.procs", pid);
		if (c->freezer[0])
			write_file(c->freezer, "cgroup.procs", pid);
		(void)!write(pfd[1], "x", 1);
		close(pfd[1]);
		c->kids[i] = p;
	}
}

static void realcg_remove(struct realcg *c)
{
	if (!live_made)
		return;
	live_made = false;
	for (int i = 0; i < 3; i++) {
		if (c->kids[i] > 0) {
			kill(c->kids[i], SIGKILL);
			waitpid(c->kids[i], NULL, 0);
		}
	}
	if (c->freezer[0])
		write_file(c->freezer, "freezer.state", "THAWED");
	const char *dirs[] = {c->v2, c->freezer};
	for (size_t k = 0; k < 2; k++) {
		if (!dirs[k][0])
			continue;
		for (int i = 0; i < 200 && rmdir(dirs[k]) < 0 && errno == EBUSY; i++)
			usleep(10000);
		if (access(dirs[k], F_OK) == 0)
			fail_msg("cannot remove %s", dirs[k]);
	}
	enf_cg_mounts_clear(&c->ms);
}

static int teardown(void **state)
{
	(void)state;
	realcg_remove(&live);
	return 0;
}

/* The enf_cgroup of the test's directories. */
static void realcg_cgroup(struct realcg *c, struct enf_cgroup *cg)
{
	memset(cg, 0, sizeof(*cg));
	size_t n = (c->freezer[0] ? 1 : 0) + (c->v2[0] ? 1 : 0);
	cg->dirs = pal_xcalloc(n, sizeof(*cg->dirs));
	if (c->freezer[0]) {
		const struct enf_cg_mount *m = find_mount(&c->ms, false, "freezer");
		cg->dirs[cg->n++] = (struct enf_cg_dir){
		    .path = pal_xstrdup(c->freezer),
		    .mount = pal_xstrdup(m->path),
		    .rel = pal_xasprintf("/%s", c->name),
		    .controllers = pal_xstrdup("freezer"),
		};
	}
	if (c->v2[0]) {
		const struct enf_cg_mount *m = find_mount(&c->ms, true, NULL);
		cg->dirs[cg->n++] = (struct enf_cg_dir){
		    .path = pal_xstrdup(c->v2),
		    .mount = pal_xstrdup(m->path),
		    .rel = pal_xasprintf("/%s", c->name),
		    .controllers = pal_xstrdup(""),
		    .v2 = true,
		};
	}
}

static void kill_v2_cgroup_kill(void **state)
{
	(void)state;
	realcg_make(&live, true, false);
	struct enf_cgroup cg;
	realcg_cgroup(&live, &cg);
	char detail[256];
	long killed = 0;
	struct pal_err err = {0};
	int r = enf_cgroup_kill(&cg, ENF_KILL_AUTO, 1000, &killed, detail, sizeof(detail), &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(killed, -1);
	assert_non_null(strstr(detail, "cgroup.kill"));
	for (int i = 0; i < 3; i++)
		assert_true(wait_dead(live.kids[i]));
	memset(live.kids, 0, sizeof(live.kids));
	enf_cgroup_clear(&cg);
	realcg_remove(&live);
}

static void kill_v1_freeze_kill_thaw(void **state)
{
	(void)state;
	realcg_make(&live, false, true);
	struct enf_cgroup cg;
	realcg_cgroup(&live, &cg);
	char detail[256];
	long killed = 0;
	struct pal_err err = {0};
	int r = enf_cgroup_kill(&cg, ENF_KILL_AUTO, 2000, &killed, detail, sizeof(detail), &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(killed, 3);
	assert_non_null(strstr(detail, "frozen, killed, thawed"));
	for (int i = 0; i < 3; i++)
		assert_true(wait_dead(live.kids[i]));
	memset(live.kids, 0, sizeof(live.kids));
	enf_cgroup_clear(&cg);
	realcg_remove(&live);
}

static void kill_v2_freeze_kill_thaw(void **state)
{
	(void)state;
	realcg_make(&live, true, false);
	struct enf_cgroup cg;
	realcg_cgroup(&live, &cg);
	char detail[256];
	long killed = 0;
	struct pal_err err = {0};
	int r =
	    enf_cgroup_kill(&cg, ENF_KILL_FREEZE_KILL, 2000, &killed, detail, sizeof(detail), &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(killed, 3);
	for (int i = 0; i < 3; i++)
		assert_true(wait_dead(live.kids[i]));
	memset(live.kids, 0, sizeof(live.kids));
	enf_cgroup_clear(&cg);
	realcg_remove(&live);
}

/* Frozen processes do not run: a child bumping a counter in a file stops. */
static void freeze_then_thaw(bool v2)
{
	realcg_make(&live, v2, !v2);
	struct enf_cgroup cg;
	realcg_cgroup(&live, &cg);
	char detail[256];
	struct pal_err err = {0};
	int r = enf_cgroup_freeze(&cg, true, 2000, detail, sizeof(detail), &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	assert_non_null(strstr(detail, v2 ? "cgroup.freeze" : "freezer.state"));
	char p[512], *s = NULL;
	size_t len;
	if (v2) {
		snprintf(p, sizeof(p), "%s/cgroup.events", live.v2);
		assert_int_equal(pal_read_file(p, 4096, &s, &len, &err), 0);
		assert_non_null(strstr(s, "frozen 1"));
	} else {
		snprintf(p, sizeof(p), "%s/freezer.state", live.freezer);
		assert_int_equal(pal_read_file(p, 4096, &s, &len, &err), 0);
		assert_non_null(strstr(s, "FROZEN"));
	}
	free(s);
	/* /proc/<pid>/stat does not say "frozen" portably; the freezer does. */
	for (int i = 0; i < 3; i++)
		assert_true(alive(live.kids[i]));
	r = enf_cgroup_freeze(&cg, false, 2000, detail, sizeof(detail), &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	assert_non_null(strstr(detail, "thawed"));
	enf_cgroup_clear(&cg);
	realcg_remove(&live);
}

static void freeze_v2(void **state)
{
	(void)state;
	freeze_then_thaw(true);
}

static void freeze_v1(void **state)
{
	(void)state;
	freeze_then_thaw(false);
}

/* A palisade-runtime record in a temporary state dir naming the test's
 * cgroups; the high-level actions find them, check them and act. */
static void write_record(const char *dir, const char *id, const struct realcg *c,
			 unsigned long long cgroup_id)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s.json", dir, id);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f,
		"{\"version\":1,\"id\":\"%s\",\"pid\":1,\"status\":\"running\","
		"\"runtime\":\"palisade\",\"cgroup_id\":%llu,\"cgroup_paths\":{",
		id, cgroup_id);
	bool comma = false;
	if (c->v2[0]) {
		fprintf(f, "\"unified\":\"%s\"", c->v2);
		comma = true;
	}
	if (c->freezer[0])
		fprintf(f, "%s\"freezer\":\"%s\"", comma ? "," : "", c->freezer);
	fprintf(f, "}}\n");
	fclose(f);
}

static uint64_t start_ns_of(pid_t p)
{
	uint64_t ticks = 0;
	assert_int_equal(enf_pid_start_ticks(NULL, (uint32_t)p, &ticks), 0);
	return ticks * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
}

static void record_actions(void **state)
{
	(void)state;
	realcg_make(&live, true, true);
	char dir[] = "/tmp/pal-enf-state-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct stat st;
	assert_int_equal(stat(live.v2, &st), 0);
	const char *id = live.name;
	write_record(dir, id, &live, (unsigned long long)st.st_ino);

	struct enf_cgroup cg;
	struct pal_err err = {0};
	int r = enf_cgroup_from_record(dir, id, &live.ms, &cg, &err);
	if (r < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cg.n, 2);
	assert_string_equal(enf_cgroup_v2(&cg)->path, live.v2);
	assert_string_equal(enf_cgroup_v1(&cg, "freezer")->path, live.freezer);
	enf_cgroup_clear(&cg);

	struct enf_target t = {.pid = (uint32_t)live.kids[0],
			       .start_ns = start_ns_of(live.kids[0]),
			       .comm = "kid",
			       .container_id = id};
	struct enf_outcome out;

	/* dry run: says what it would freeze, freezes nothing */
	struct enf_opts o = {.enabled = true, .dry_run = true, .state_dir = dir};
	struct enf *e = enf_new(&o);
	enf_freeze_container(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	assert_non_null(strstr(out.detail, "dry run: would freeze container"));
	assert_non_null(strstr(out.detail, live.freezer));
	enf_kill_container(e, &t, &out);
	assert_int_equal(out.result, ENF_SKIPPED);
	assert_non_null(strstr(out.detail, "dry run: would kill every process"));
	enf_free(e);
	for (int i = 0; i < 3; i++)
		assert_true(alive(live.kids[i]));

	o.dry_run = false;
	e = enf_new(&o);
	/* freeze uses the runtime's freezer: the v1 one here */
	enf_freeze_container(e, &t, &out);
	if (out.result != ENF_OK)
		fail_msg("freeze: %s", out.detail);
	assert_non_null(strstr(out.detail, "freezer.state"));
	char p[512], *s = NULL;
	size_t len;
	snprintf(p, sizeof(p), "%s/freezer.state", live.freezer);
	assert_int_equal(pal_read_file(p, 4096, &s, &len, &err), 0);
	assert_non_null(strstr(s, "FROZEN"));
	free(s);
	write_file(live.freezer, "freezer.state", "THAWED");

	enf_kill_container(e, &t, &out);
	if (out.result != ENF_OK)
		fail_msg("kill: %s", out.detail);
	assert_non_null(strstr(out.detail, "cgroup.kill"));
	for (int i = 0; i < 3; i++)
		assert_true(wait_dead(live.kids[i]));
	memset(live.kids, 0, sizeof(live.kids));

	/* A stale record (its cgroup id is not the directory's) is refused. */
	write_record(dir, id, &live, (unsigned long long)st.st_ino + 1);
	enf_kill_container(e, &t, &out);
	assert_int_equal(out.result, ENF_FAILED);
	assert_non_null(strstr(out.detail, "stale record"));
	/* A record naming paths outside any cgroup mount gives nothing to act on,
	 * and the process (gone) cannot say either. */
	snprintf(p, sizeof(p), "%s/%s.json", dir, id);
	FILE *f = fopen(p, "w");
	fprintf(f, "{\"id\":\"%s\",\"cgroup_paths\":{\"unified\":\"/tmp\"}}", id);
	fclose(f);
	assert_int_equal(enf_cgroup_from_record(dir, id, &live.ms, &cg, &err), -ENOENT);
	/* A record for another id under this name is refused. */
	f = fopen(p, "w");
	fprintf(f, "{\"id\":\"someone-else\",\"cgroup_paths\":{\"unified\":\"%s\"}}", live.v2);
	fclose(f);
	assert_int_equal(enf_cgroup_from_record(dir, id, &live.ms, &cg, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not about container"));
	/* Path tricks are refused. */
	f = fopen(p, "w");
	fprintf(f, "{\"id\":\"%s\",\"cgroup_paths\":{\"unified\":\"%s/../..\"}}", id, live.v2);
	fclose(f);
	assert_int_equal(enf_cgroup_from_record(dir, id, &live.ms, &cg, &err), -EINVAL);
	/* A bad id never reaches the file system. */
	assert_int_equal(enf_cgroup_from_record(dir, "../etc", &live.ms, &cg, &err), -EINVAL);
	enf_free(e);
	unlink(p);
	rmdir(dir);
	realcg_remove(&live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mountinfo_parse),
	    cmocka_unit_test(from_proc_pure_v2_podman),
	    cmocka_unit_test(from_proc_hybrid),
	    cmocka_unit_test(excludes),
	    cmocka_unit_test_teardown(kill_v2_cgroup_kill, teardown),
	    cmocka_unit_test_teardown(kill_v1_freeze_kill_thaw, teardown),
	    cmocka_unit_test_teardown(kill_v2_freeze_kill_thaw, teardown),
	    cmocka_unit_test_teardown(freeze_v2, teardown),
	    cmocka_unit_test_teardown(freeze_v1, teardown),
	    cmocka_unit_test_teardown(record_actions, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
