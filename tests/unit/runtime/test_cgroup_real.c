/* The cgroup manager against this machine's kernel: the hybrid layout at
 * /sys/fs/cgroup (v1 controllers + cgroup2 at unified), and the cgroup2
 * mount at /sys/fs/cgroup/unified taken as a pure v2 root (device BPF
 * program, v2 freezer, cgroup.kill). Every cgroup lives under a parent named
 * after this process, which teardown removes even when an assertion failed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/strutil.h"
#include "runtime/cgroup.h"
#include "runtime/cgroup_internal.h"

#define FS_ROOT	 "/sys/fs/cgroup"
#define V2_ROOT	 "/sys/fs/cgroup/unified"
#define MAX_KIDS 8

struct ctx {
	char name[64];	/* unique parent: palisade-test-<pid>-<n> */
	char path[128]; /* "/<name>/ctr" */
	pid_t kids[MAX_KIDS];
	int n_kids;
	struct rt_cgroup *cg;
	volatile uint64_t *counter;
};

static int seq;

/* ---- cleanup that works whatever state a failed test left ---- */

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, s, strlen(s)) < 0) {
			/* best effort */
		}
		close(fd);
	}
}

/* thaw: first pass, so that killed children can exit; then remove. */
static void walk_tree(const char *path, int depth, bool remove)
{
	if (depth > 8)
		return;
	DIR *d = opendir(path);
	if (!d)
		return;
	if (!remove) {
		char *p2 = pal_path_join(path, "freezer.state");
		write_str(p2, "THAWED");
		free(p2);
		p2 = pal_path_join(path, "cgroup.freeze");
		write_str(p2, "0");
		free(p2);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		char *c = pal_path_join(path, de->d_name);
		walk_tree(c, depth + 1, remove);
		free(c);
	}
	closedir(d);
	for (int i = 0; remove && i < 100 && rmdir(path) < 0 && errno == EBUSY; i++)
		usleep(10000);
}

/* Every hierarchy under /sys/fs/cgroup, for the test's own parent only. */
static void walk_test_dirs(const char *name, bool remove)
{
	DIR *d = opendir(FS_ROOT);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *h = pal_path_join(FS_ROOT, de->d_name);
		struct stat st;
		if (lstat(h, &st) == 0 && S_ISDIR(st.st_mode)) {
			char *p = pal_path_join(h, name);
			if (pal_path_exists(p))
				walk_tree(p, 0, remove);
			free(p);
		}
		free(h);
	}
	closedir(d);
}

static bool exists_anywhere(const char *name)
{
	DIR *d = opendir(FS_ROOT);
	assert_non_null(d);
	bool found = false;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *h = pal_path_join(FS_ROOT, de->d_name);
		char *p = pal_path_join(h, name);
		if (pal_path_exists(p)) {
			print_message("still there: %s\n", p);
			found = true;
		}
		free(p);
		free(h);
	}
	closedir(d);
	return found;
}

static int setup(void **state)
{
	if (geteuid() != 0) {
		print_error("prerequisite missing: these tests create cgroups and need root\n");
		return -1;
	}
	struct ctx *c = calloc(1, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "palisade-test-%d-%d", (int)getpid(), ++seq);
	snprintf(c->path, sizeof(c->path), "/%s/ctr", c->name);
	c->counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c->counter == MAP_FAILED)
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;
	walk_test_dirs(c->name, false); /* thaw, so that the kills below land */
	for (int i = 0; i < c->n_kids; i++) {
		if (c->kids[i] > 0) {
			kill(c->kids[i], SIGKILL);
			waitpid(c->kids[i], NULL, 0);
		}
	}
	walk_test_dirs(c->name, true);
	rt_cgroup_free(c->cg);
	munmap((void *)c->counter, 4096);
	free(c);
	return 0;
}

/* ---- children ---- */

static pid_t track(struct ctx *c, pid_t pid)
{
	assert_true(pid > 0);
	assert_true(c->n_kids < MAX_KIDS);
	c->kids[c->n_kids++] = pid;
	return pid;
}

static void forget(struct ctx *c, pid_t pid)
{
	for (int i = 0; i < c->n_kids; i++)
		if (c->kids[i] == pid)
			c->kids[i] = 0;
}

/* Counts milliseconds of running time into shared memory until killed. */
static pid_t spawn_counter(struct ctx *c)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;) {
			(*c->counter)++;
			struct timespec ts = {0, 1000000};
			nanosleep(&ts, NULL);
		}
	}
	return track(c, pid);
}

struct probe {
	const char *path;
	int flags;
	int want_errno; /* 0: the open must succeed */
};

/* Waits on a pipe until the parent has moved it, then opens each path and
 * reports in its exit status: 0 all as expected, 10+i probe i was not. */
static pid_t spawn_probes(struct ctx *c, const struct probe *p, size_t n, int *go)
{
	int fds[2];
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[1]);
		char b;
		if (read(fds[0], &b, 1) != 1)
			_exit(9);
		for (size_t i = 0; i < n; i++) {
			int fd = open(p[i].path, p[i].flags | O_CLOEXEC);
			int e = fd < 0 ? errno : 0;
			if (fd >= 0)
				close(fd);
			if (e != p[i].want_errno)
				_exit(10 + (int)i);
		}
		_exit(0);
	}
	close(fds[0]);
	*go = fds[1];
	return track(c, pid);
}

static pid_t spawn_device_probe(struct ctx *c, bool zero_allowed, int *go)
{
	static const struct probe deny_zero[] = {{"/dev/null", O_RDWR, 0},
						 {"/dev/zero", O_RDONLY, EPERM}};
	static const struct probe allow_zero[] = {{"/dev/null", O_RDWR, 0},
						  {"/dev/zero", O_RDONLY, 0}};
	return spawn_probes(c, zero_allowed ? allow_zero : deny_zero, 2, go);
}

static int wait_status(struct ctx *c, pid_t pid)
{
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	forget(c, pid);
	return st;
}

static uint64_t progress_over(struct ctx *c, unsigned ms)
{
	uint64_t a = *c->counter;
	usleep(ms * 1000);
	return *c->counter - a;
}

/* Running: the counter moves within 2 s, however loaded the machine is. */
static bool makes_progress(struct ctx *c)
{
	uint64_t a = *c->counter;
	for (int i = 0; i < 200; i++) {
		if (*c->counter - a >= 5)
			return true;
		usleep(10000);
	}
	return false;
}

/* ---- helpers ---- */

static struct rt_cgroup *create(struct ctx *c, const char *fs_root)
{
	struct rt_cgroup_opts o = {.fs_root = fs_root, .path = c->path, .id = "ctr"};
	struct pal_err err = {0};
	if (rt_cgroup_create(&o, &c->cg, &err) < 0)
		fail_msg("create %s under %s: %s", c->path, fs_root, err.msg);
	return c->cg;
}

static void destroy(struct ctx *c)
{
	struct pal_err err = {0};
	if (rt_cgroup_destroy(c->cg, &err) < 0)
		fail_msg("destroy: %s", err.msg);
	rt_cgroup_free(c->cg);
	c->cg = NULL;
}

static char *slurp(const char *dir, const char *file)
{
	char *p = pal_path_join(dir, file);
	char *s = NULL;
	struct pal_err err = {0};
	if (pal_read_file(p, 1 << 20, &s, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	free(p);
	cg_trim(s);
	return s;
}

static void assert_reads(const char *dir, const char *file, const char *want)
{
	char *s = slurp(dir, file);
	if (strcmp(s, want) != 0)
		fail_msg("%s/%s reads '%s', expected '%s'", dir, file, s, want);
	free(s);
}

static void enter_and_go(struct ctx *c, pid_t pid, int go)
{
	struct pal_err err = {0};
	if (rt_cgroup_enter(c->cg, pid, &err) < 0)
		fail_msg("enter: %s", err.msg);
	if (go >= 0) {
		assert_int_equal(write(go, "g", 1), 1);
		close(go);
	}
}

/* The kernel's cgroup id of a directory: its file handle on cgroupfs. */
static uint64_t kernel_cgroup_id(const char *path)
{
	struct file_handle *fh = calloc(1, sizeof(*fh) + sizeof(uint64_t));
	fh->handle_bytes = sizeof(uint64_t);
	int mount_id;
	assert_int_equal(name_to_handle_at(AT_FDCWD, path, fh, &mount_id, 0), 0);
	uint64_t id;
	memcpy(&id, fh->f_handle, sizeof(id));
	free(fh);
	return id;
}

static int count_device_progs(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	uint32_t ids[16];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)fd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = 16;
	long r = syscall(SYS_bpf, BPF_PROG_QUERY, &a, sizeof(a));
	close(fd);
	assert_int_equal(r, 0);
	return (int)a.query.prog_cnt;
}

static uint32_t attached_device_prog(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	uint32_t ids[4] = {0};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)fd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = 4;
	assert_int_equal(syscall(SYS_bpf, BPF_PROG_QUERY, &a, sizeof(a)), 0);
	close(fd);
	assert_int_equal(a.query.prog_cnt, 1);
	return ids[0];
}

static void require_hybrid(void)
{
	enum rt_cgroup_layout l = 0;
	struct pal_err err = {0};
	if (rt_cgroup_detect(FS_ROOT, &l, &err) < 0)
		fail_msg("prerequisite missing: %s", err.msg);
	if (l != RT_CGROUP_HYBRID)
		fail_msg("prerequisite missing: these tests expect the hybrid layout at %s "
			 "(v1 controllers + cgroup2 at unified), found %s",
			 FS_ROOT, rt_cgroup_layout_name(l));
}

/* ---- hybrid: /sys/fs/cgroup ---- */

static const char *const hybrid_hier[] = {"cpu",     "cpuacct", "cpuset", "memory",  "devices",
					  "freezer", "blkio",	"pids",	  "systemd", "unified"};

static void hybrid_full_lifecycle(void **state)
{
	struct ctx *c = *state;
	require_hybrid();
	struct rt_cgroup *cg = create(c, FS_ROOT);
	assert_int_equal(rt_cgroup_layout(cg), RT_CGROUP_HYBRID);
	for (size_t i = 0; i < sizeof(hybrid_hier) / sizeof(hybrid_hier[0]); i++) {
		char want[256];
		snprintf(want, sizeof(want), "%s/%s%s", FS_ROOT, hybrid_hier[i], c->path);
		const char *got = rt_cgroup_path(cg, hybrid_hier[i]);
		if (!got || strcmp(got, want) != 0)
			fail_msg("path of %s: %s, expected %s", hybrid_hier[i],
				 got ? got : "(none)", want);
		assert_true(pal_path_exists(want));
	}
	const char *cpuset = rt_cgroup_path(cg, "cpuset");
	char *cpus = slurp(cpuset, "cpuset.cpus");
	assert_true(strlen(cpus) > 0); /* copied from the parent */
	free(cpus);

	struct rt_device_rule dev[] = {
	    {.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
	    {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
	};
	struct rt_resources r = {0};
	r.memory.has_limit = true;
	r.memory.limit = 64 << 20;
	r.memory.has_swap = true;
	r.memory.swap = 128 << 20;
	r.memory.has_reservation = true;
	r.memory.reservation = 32 << 20;
	r.cpu.has_shares = true;
	r.cpu.shares = 512;
	r.cpu.has_quota = true;
	r.cpu.quota = 20000;
	r.cpu.has_period = true;
	r.cpu.period = 100000;
	r.cpu.cpus = "0";
	r.cpu.mems = "0";
	r.pids.has_limit = true;
	r.pids.limit = 50;
	r.devices = dev;
	r.n_devices = 2;
	struct pal_err err = {0};
	if (rt_cgroup_apply(cg, &r, &err) < 0)
		fail_msg("apply: %s", err.msg);
	const char *mem = rt_cgroup_path(cg, "memory"), *cpu = rt_cgroup_path(cg, "cpu");
	assert_reads(mem, "memory.limit_in_bytes", "67108864");
	assert_reads(mem, "memory.memsw.limit_in_bytes", "134217728");
	assert_reads(mem, "memory.soft_limit_in_bytes", "33554432");
	assert_reads(cpu, "cpu.shares", "512");
	assert_reads(cpu, "cpu.cfs_quota_us", "20000");
	assert_reads(cpu, "cpu.cfs_period_us", "100000");
	assert_reads(rt_cgroup_path(cg, "pids"), "pids.max", "50");
	assert_reads(cpuset, "cpuset.cpus", "0");
	assert_reads(cpuset, "cpuset.mems", "0");
	assert_reads(rt_cgroup_path(cg, "devices"), "devices.list", "c 1:3 rwm");

	/* The cgroup id is the v2 directory's inode, as the kernel numbers it. */
	const char *v2 = rt_cgroup_path(cg, "unified");
	struct stat st;
	assert_int_equal(stat(v2, &st), 0);
	assert_int_equal(rt_cgroup_id(cg), (uint64_t)st.st_ino);
	assert_int_equal(rt_cgroup_id(cg), kernel_cgroup_id(v2));

	pid_t kid = spawn_counter(c);
	enter_and_go(c, kid, -1);
	char proc[64];
	snprintf(proc, sizeof(proc), "/proc/%d", (int)kid);
	char *pc = slurp(proc, "cgroup");
	static const char *const in_proc[] = {
	    ":memory:", ":cpu:", ":pids:", ":freezer:", ":devices:", ":name=systemd:", "0::"};
	for (size_t i = 0; i < sizeof(in_proc) / sizeof(in_proc[0]); i++) {
		char want[200];
		snprintf(want, sizeof(want), "%s%s\n", in_proc[i], c->path);
		char *hay = pal_xasprintf("%s\n", pc);
		if (!strstr(hay, want))
			fail_msg("/proc/%d/cgroup lacks '%s':\n%s", (int)kid, want, pc);
		free(hay);
	}
	free(pc);

	pid_t *pids = NULL;
	size_t n = 0;
	assert_int_equal(rt_cgroup_pids(cg, &pids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], kid);
	free(pids);

	json_t *stats = NULL;
	assert_int_equal(rt_cgroup_stats(cg, &stats, &err), 0);
	json_t *mu = json_object_get(json_object_get(stats, "memory"), "usage");
	assert_int_equal(json_integer_value(json_object_get(mu, "limit")), 64 << 20);
	/* v1 does not move old charges with the task: only the key is certain. */
	assert_true(json_is_integer(json_object_get(mu, "usage")));
	assert_true(json_is_integer(
	    json_object_get(json_object_get(json_object_get(stats, "cpu"), "usage"), "total")));
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(stats, "pids"), "current")), 1);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(stats, "pids"), "limit")), 50);
	json_decref(stats);

	struct rt_cgroup_bind *b = NULL;
	assert_int_equal(rt_cgroup_mount_plan(cg, &b, &n, &err), 0);
	assert_int_equal(n, sizeof(hybrid_hier) / sizeof(hybrid_hier[0]));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(b[i].host_path, rt_cgroup_path(cg, b[i].name));
	rt_cgroup_mount_plan_free(b, n);

	/* Freeze: the freezer says FROZEN and the child stops counting. */
	assert_true(makes_progress(c));
	assert_int_equal(rt_cgroup_freeze(cg, true, &err), 0);
	assert_reads(rt_cgroup_path(cg, "freezer"), "freezer.state", "FROZEN");
	bool frozen = false;
	assert_int_equal(rt_cgroup_is_frozen(cg, &frozen, &err), 0);
	assert_true(frozen);
	assert_int_equal(progress_over(c, 200), 0);
	assert_int_equal(rt_cgroup_freeze(cg, false, &err), 0);
	assert_reads(rt_cgroup_path(cg, "freezer"), "freezer.state", "THAWED");
	assert_true(makes_progress(c));

	/* The state file reopens the same cgroup. */
	json_t *j = rt_cgroup_to_json(cg);
	struct rt_cgroup *back = NULL;
	assert_int_equal(rt_cgroup_from_json(j, &back, &err), 0);
	json_decref(j);
	assert_int_equal(rt_cgroup_id(back), rt_cgroup_id(cg));

	assert_int_equal(rt_cgroup_signal_all(back, SIGTERM, &err), 0);
	int ws = wait_status(c, kid);
	assert_true(WIFSIGNALED(ws));
	assert_int_equal(WTERMSIG(ws), SIGTERM);
	assert_int_equal(rt_cgroup_is_frozen(back, &frozen, &err), 0);
	assert_false(frozen); /* signal_all thawed what it froze */

	/* Destroy through the reopened handle: every directory goes, parents too. */
	if (rt_cgroup_destroy(back, &err) < 0)
		fail_msg("destroy: %s", err.msg);
	rt_cgroup_free(back);
	assert_false(exists_anywhere(c->name));
}

/* The first block device the kernel lists, as "major:minor". */
static char *some_block_device(void)
{
	DIR *d = opendir("/sys/block");
	assert_non_null(d);
	char *dev = NULL;
	struct dirent *de;
	while (!dev && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *p = pal_xasprintf("/sys/block/%s", de->d_name);
		char *s = NULL;
		struct pal_err err = {0};
		char *f = pal_path_join(p, "dev");
		if (pal_read_file(f, 64, &s, NULL, &err) == 0) {
			cg_trim(s);
			dev = s;
		}
		free(f);
		free(p);
	}
	closedir(d);
	if (!dev)
		fail_msg("prerequisite missing: no block device in /sys/block");
	return dev;
}

static void hybrid_v1_details(void **state)
{
	struct ctx *c = *state;
	require_hybrid();
	struct rt_cgroup *cg = create(c, FS_ROOT);
	char *dev = some_block_device();
	unsigned maj = 0, min = 0;
	assert_int_equal(sscanf(dev, "%u:%u", &maj, &min), 2);
	struct rt_throttle_device td = {.major = maj, .minor = min, .rate = 1048576};
	struct rt_resources r = {0};
	r.memory.has_limit = true;
	r.memory.limit = 64 << 20;
	r.memory.has_swap = true;
	r.memory.swap = 128 << 20;
	r.memory.has_swappiness = true;
	r.memory.swappiness = 10;
	r.memory.has_disable_oom_killer = true;
	r.memory.disable_oom_killer = true;
	r.memory.has_use_hierarchy = true;
	r.memory.use_hierarchy = true;
	r.memory.has_check_before_update = true;
	r.memory.check_before_update = true;
	r.memory.has_kernel_tcp = true; /* refused by this kernel: warned about */
	r.memory.kernel_tcp = 1 << 20;
	r.cpu.has_quota = true;
	r.cpu.quota = 20000;
	r.cpu.has_period = true;
	r.cpu.period = 100000;
	r.cpu.has_burst = true;
	r.cpu.burst = 1000;
	r.cpu.has_realtime_period = true;
	r.cpu.realtime_period = 1000000;
	r.cpu.has_realtime_runtime = true;
	r.cpu.realtime_runtime = 10000;
	r.block_io.has_weight = true;
	r.block_io.weight = 500;
	r.block_io.throttle_read_bps = &td;
	r.block_io.n_throttle_read_bps = 1;
	struct pal_err err = {0};
	if (rt_cgroup_apply(cg, &r, &err) < 0)
		fail_msg("apply: %s", err.msg);
	const char *mem = rt_cgroup_path(cg, "memory"), *cpu = rt_cgroup_path(cg, "cpu");
	const char *blk = rt_cgroup_path(cg, "blkio");
	assert_reads(mem, "memory.swappiness", "10");
	assert_reads(mem, "memory.use_hierarchy", "1");
	char *oom = slurp(mem, "memory.oom_control");
	assert_non_null(strstr(oom, "oom_kill_disable 1"));
	free(oom);
	assert_reads(cpu, "cpu.cfs_burst_us", "1000");
	assert_reads(cpu, "cpu.rt_period_us", "1000000");
	assert_reads(cpu, "cpu.rt_runtime_us", "10000");
	char *parent = pal_xasprintf("%s/cpu/%s", FS_ROOT, c->name);
	assert_reads(parent, "cpu.rt_runtime_us", "10000"); /* made room in our own parent */
	free(parent);
	assert_reads(blk, "blkio.bfq.weight", "500");
	char *want = pal_xasprintf("%s 1048576", dev);
	assert_reads(blk, "blkio.throttle.read_bps_device", want);
	free(want);

	/* Growing the limit: memsw must be raised before the limit may pass it. */
	struct rt_resources g = {0};
	g.memory.has_limit = true;
	g.memory.limit = 256 << 20;
	g.memory.has_swap = true;
	g.memory.swap = 512 << 20;
	if (rt_cgroup_apply(cg, &g, &err) < 0)
		fail_msg("grow: %s", err.msg);
	assert_reads(mem, "memory.limit_in_bytes", "268435456");
	assert_reads(mem, "memory.memsw.limit_in_bytes", "536870912");
	/* And shrinking: the limit goes first. */
	g.memory.limit = 32 << 20;
	g.memory.swap = 48 << 20;
	if (rt_cgroup_apply(cg, &g, &err) < 0)
		fail_msg("shrink: %s", err.msg);
	assert_reads(mem, "memory.limit_in_bytes", "33554432");
	assert_reads(mem, "memory.memsw.limit_in_bytes", "50331648");

	/* The kernel clamps shares silently; the manager says so. */
	struct rt_resources sh = {0};
	sh.cpu.has_shares = true;
	sh.cpu.shares = 1; /* read back as 2 */
	assert_int_equal(rt_cgroup_apply(cg, &sh, &err), -ERANGE);
	assert_non_null(strstr(err.msg, "linux.resources.cpu.shares"));
	struct rt_resources idle = {0};
	idle.cpu.has_idle = true;
	idle.cpu.idle = 1;
	if (rt_cgroup_apply(cg, &idle, &err) < 0)
		fail_msg("idle: %s", err.msg);
	assert_reads(cpu, "cpu.idle", "1");
	/* An idle group takes no shares: the kernel's refusal names field and file. */
	sh.cpu.shares = 1024;
	assert_int_equal(rt_cgroup_apply(cg, &sh, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "linux.resources.cpu.shares"));
	assert_non_null(strstr(err.msg, "/cpu.shares"));

	free(dev);
	destroy(c);
	assert_false(exists_anywhere(c->name));
}

static void hybrid_devices_enforced(void **state)
{
	struct ctx *c = *state;
	require_hybrid();
	struct rt_cgroup *cg = create(c, FS_ROOT);
	size_t nd = 0;
	const struct rt_device_rule *defaults = rt_cgroup_default_device_rules(&nd);
	struct rt_device_rule rules[16] = {
	    {.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
	    {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
	};
	struct rt_resources r = {0};
	r.devices = rules;
	r.n_devices = 2;
	struct pal_err err = {0};
	if (rt_cgroup_apply(cg, &r, &err) < 0)
		fail_msg("apply: %s", err.msg);
	int go;
	pid_t kid = spawn_device_probe(c, false, &go);
	enter_and_go(c, kid, go);
	int ws = wait_status(c, kid);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);

	/* The default list opens /dev/zero again; a later deny wins over it. */
	memcpy(rules + 1, defaults, nd * sizeof(*defaults));
	r.n_devices = 1 + nd;
	if (rt_cgroup_apply(cg, &r, &err) < 0)
		fail_msg("apply defaults: %s", err.msg);
	kid = spawn_device_probe(c, true, &go);
	enter_and_go(c, kid, go);
	ws = wait_status(c, kid);
	assert_int_equal(WEXITSTATUS(ws), 0);
	rules[1 + nd] = (struct rt_device_rule){
	    .allow = false, .type = 'c', .major = 1, .minor = 5, .access = "rwm"};
	r.n_devices = 2 + nd;
	if (rt_cgroup_apply(cg, &r, &err) < 0)
		fail_msg("apply deny zero: %s", err.msg);
	kid = spawn_device_probe(c, false, &go);
	enter_and_go(c, kid, go);
	ws = wait_status(c, kid);
	assert_int_equal(WEXITSTATUS(ws), 0);
	destroy(c);
	assert_false(exists_anywhere(c->name));
}

static void hybrid_unsupported_fields_are_clear(void **state)
{
	struct ctx *c = *state;
	require_hybrid();
	struct rt_cgroup *cg = create(c, FS_ROOT);
	struct pal_err err = {0};
	struct rt_hugepage_limit hp = {.page_size = "2MB", .limit = 2 << 20};
	struct rt_resources r = {0};
	r.hugepage_limits = &hp;
	r.n_hugepage_limits = 1;
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "linux.resources.hugepageLimits"));
	assert_non_null(strstr(err.msg, "hugetlb"));
	assert_non_null(strstr(err.msg, "cgroup.subtree_control"));
	struct rt_resources n = {0};
	n.network.has_class_id = true;
	n.network.class_id = 1;
	assert_int_equal(rt_cgroup_apply(cg, &n, &err), -ENOTSUP);
	assert_non_null(strstr(err.msg, "net_cls"));
	/* unified goes to the v2 directory, which has no memory controller here. */
	struct rt_kv kv = {.key = "memory.high", .value = "1000000"};
	struct rt_resources u = {0};
	u.unified = &kv;
	u.n_unified = 1;
	assert_int_equal(rt_cgroup_apply(cg, &u, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "linux.resources.unified[\"memory.high\"]"));
	assert_non_null(strstr(err.msg, "/unified/"));
	destroy(c);
	assert_false(exists_anywhere(c->name));
}

static void hybrid_refused_value_then_destroy_leaves_nothing(void **state)
{
	struct ctx *c = *state;
	require_hybrid();
	struct rt_cgroup *cg = create(c, FS_ROOT);
	struct rt_resources r = {0};
	r.cpu.cpus = "0";
	r.memory.has_limit = true;
	r.memory.limit = 32 << 20;
	r.cpu.has_quota = true;
	r.cpu.quota = 500; /* the kernel wants at least 1000 us */
	r.pids.has_limit = true;
	r.pids.limit = 10;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_apply(cg, &r, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "linux.resources.cpu.quota"));
	assert_non_null(strstr(err.msg, "cpu.cfs_quota_us"));
	/* Earlier groups were applied, later ones not. */
	assert_reads(rt_cgroup_path(cg, "memory"), "memory.limit_in_bytes", "33554432");
	assert_reads(rt_cgroup_path(cg, "pids"), "pids.max", "max");
	destroy(c);
	assert_false(exists_anywhere(c->name));
}

static void hybrid_create_failing_midway_leaves_nothing(void **state)
{
	struct ctx *c = *state;
	require_hybrid();
	/* Someone else's container already runs at the same path, in pids only. */
	char *p = pal_xasprintf("%s/pids/%s", FS_ROOT, c->name);
	char *leaf = pal_xasprintf("%s/ctr", p);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(mkdir(leaf, 0755), 0);
	pid_t kid = spawn_counter(c);
	char *procs = pal_path_join(leaf, "cgroup.procs");
	char buf[24];
	snprintf(buf, sizeof(buf), "%d", (int)kid);
	struct pal_err err = {0};
	assert_int_equal(pal_write_existing(AT_FDCWD, procs, buf, strlen(buf), &err), 0);
	free(procs);

	struct rt_cgroup_opts o = {.fs_root = FS_ROOT, .path = c->path, .id = "ctr"};
	struct rt_cgroup *cg = NULL;
	assert_int_equal(rt_cgroup_create(&o, &cg, &err), -EEXIST);
	assert_null(cg);
	assert_non_null(strstr(err.msg, leaf));
	/* Hierarchies before pids (blkio, cpu, ..., memory) were rolled back; the
	 * other container's directories are untouched. */
	static const char *const others[] = {"blkio",	"cpu",	  "cpuacct", "cpuset", "devices",
					     "freezer", "memory", "systemd", "unified"};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		char *q = pal_xasprintf("%s/%s/%s", FS_ROOT, others[i], c->name);
		if (pal_path_exists(q))
			fail_msg("%s was left behind", q);
		free(q);
	}
	assert_true(pal_path_exists(leaf));
	free(p);
	free(leaf);
}

static void hybrid_sigkill(void **state)
{
	struct ctx *c = *state;
	require_hybrid();
	struct rt_cgroup *cg = create(c, FS_ROOT);
	pid_t a = spawn_counter(c), b = spawn_counter(c);
	enter_and_go(c, a, -1);
	enter_and_go(c, b, -1);
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_freeze(cg, true, &err), 0); /* paused containers die too */
	assert_int_equal(rt_cgroup_signal_all(cg, SIGKILL, &err), 0);
	int ws = wait_status(c, a);
	assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	ws = wait_status(c, b);
	assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	destroy(c);
	assert_false(exists_anywhere(c->name));
}

/* ---- cgroup2 at /sys/fs/cgroup/unified taken as a pure v2 root ---- */

static void v2_device_program(void **state)
{
	struct ctx *c = *state;
	enum rt_cgroup_layout l = 0;
	struct pal_err err = {0};
	assert_int_equal(rt_cgroup_detect(V2_ROOT, &l, &err), 0);
	assert_int_equal(l, RT_CGROUP_V2);
	char *root_sc = slurp(V2_ROOT, "cgroup.subtree_control");
	struct rt_cgroup *cg = create(c, V2_ROOT);
	const char *dir = rt_cgroup_path(cg, "unified");
	assert_int_equal(rt_cgroup_id(cg), kernel_cgroup_id(dir));

	struct rt_device_rule rules[] = {
	    {.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
	    {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
	    {.allow = true, .type = 'c', .major = 1, .minor = 5, .access = "rwm"},
	};
	struct rt_resources r = {0};
	r.devices = rules;
	r.n_devices = 2;
	if (rt_cgroup_apply(cg, &r, &err) < 0)
		fail_msg("apply: %s", err.msg);
	assert_int_equal(count_device_progs(dir), 1);
	int go;
	pid_t kid = spawn_device_probe(c, false, &go);
	enter_and_go(c, kid, go);
	int ws = wait_status(c, kid);
	assert_true(WIFEXITED(ws));
	assert_int_equal(WEXITSTATUS(ws), 0);

	/* An update replaces the program: still one attached, new rules in force. */
	r.n_devices = 3;
	if (rt_cgroup_apply(cg, &r, &err) < 0)
		fail_msg("apply update: %s", err.msg);
	assert_int_equal(count_device_progs(dir), 1);
	kid = spawn_device_probe(c, true, &go);
	enter_and_go(c, kid, go);
	ws = wait_status(c, kid);
	assert_int_equal(WEXITSTATUS(ws), 0);

	/* Partial access: read-only /dev/zero, then everything but writing it. */
	struct rt_device_rule ro[] = {
	    {.allow = false, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
	    {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
	    {.allow = true, .type = 'c', .major = 1, .minor = 5, .access = "r"},
	};
	static const struct probe ro_probe[] = {{"/dev/zero", O_RDONLY, 0},
						{"/dev/zero", O_RDWR, EPERM},
						{"/dev/zero", O_WRONLY, EPERM},
						{"/dev/full", O_RDONLY, EPERM}};
	r.devices = ro;
	r.n_devices = 3;
	if (rt_cgroup_apply(cg, &r, &err) < 0)
		fail_msg("apply read-only: %s", err.msg);
	kid = spawn_probes(c, ro_probe, 4, &go);
	enter_and_go(c, kid, go);
	ws = wait_status(c, kid);
	if (WEXITSTATUS(ws) != 0)
		fail_msg("read-only rules: probe %d not as expected", WEXITSTATUS(ws) - 10);
	struct rt_device_rule nowrite[] = {
	    {.allow = true, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
	    {.allow = false, .type = 'c', .major = 1, .minor = 5, .access = "w"},
	};
	static const struct probe nw_probe[] = {{"/dev/zero", O_RDONLY, 0},
						{"/dev/zero", O_WRONLY, EPERM},
						{"/dev/full", O_RDWR, 0},
						{"/dev/null", O_RDWR, 0}};
	r.devices = nowrite;
	r.n_devices = 2;
	if (rt_cgroup_apply(cg, &r, &err) < 0)
		fail_msg("apply no-write: %s", err.msg);
	assert_int_equal(count_device_progs(dir), 1);
	kid = spawn_probes(c, nw_probe, 4, &go);
	enter_and_go(c, kid, go);
	ws = wait_status(c, kid);
	if (WEXITSTATUS(ws) != 0)
		fail_msg("no-write rules: probe %d not as expected", WEXITSTATUS(ws) - 10);

	/* The host's root subtree_control was never written. */
	char *after = slurp(V2_ROOT, "cgroup.subtree_control");
	assert_string_equal(after, root_sc);
	free(after);
	free(root_sc);
	/* Removing the directory releases the program with it. */
	uint32_t prog_id = attached_device_prog(dir);
	destroy(c);
	assert_false(exists_anywhere(c->name));
	bool released = false;
	for (int i = 0; i < 200 && !released; i++) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.prog_id = prog_id;
		long fd = syscall(SYS_bpf, BPF_PROG_GET_FD_BY_ID, &a, sizeof(a));
		if (fd >= 0) {
			close((int)fd);
			usleep(10000);
		} else {
			assert_int_equal(errno, ENOENT);
			released = true;
		}
	}
	assert_true(released);
}

static void v2_freeze_and_kill(void **state)
{
	struct ctx *c = *state;
	struct rt_cgroup *cg = create(c, V2_ROOT);
	pid_t kid = spawn_counter(c);
	enter_and_go(c, kid, -1);
	struct pal_err err = {0};
	assert_true(makes_progress(c));
	assert_int_equal(rt_cgroup_freeze(cg, true, &err), 0);
	assert_reads(rt_cgroup_path(cg, "unified"), "cgroup.freeze", "1");
	bool frozen = false;
	assert_int_equal(rt_cgroup_is_frozen(cg, &frozen, &err), 0);
	assert_true(frozen);
	assert_int_equal(progress_over(c, 200), 0);
	assert_int_equal(rt_cgroup_freeze(cg, false, &err), 0);
	assert_true(makes_progress(c));
	assert_int_equal(rt_cgroup_signal_all(cg, SIGKILL, &err), 0); /* cgroup.kill */
	int ws = wait_status(c, kid);
	assert_true(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	destroy(c);
	assert_false(exists_anywhere(c->name));
}

/* Rule lists of every shape load: the verifier rejects unreachable code and
 * bad jumps, so this checks the generator's offsets and dead-code cut. */
static void bpf_programs_pass_the_verifier(void **state)
{
	(void)state;
	struct rt_device_rule shapes[][3] = {
	    {{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"}},
	    {{.allow = true, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
	     {.allow = false, .type = 'b', .major = 8, .minor = -1, .access = "w"}},
	    {{.allow = false, .type = 'a', .major = 5, .minor = -1, .access = "m"},
	     {.allow = true, .type = 'a', .major = -1, .minor = -1, .access = "rwm"},
	     {.allow = true, .type = 'c', .major = 136, .minor = -1, .access = "rw"}},
	};
	const size_t sizes[] = {1, 2, 3};
	struct pal_err err = {0};
	for (size_t s = 0; s < 3; s++)
		for (size_t k = 0; k <= sizes[s]; k++) {
			struct bpf_insn *insns = NULL;
			size_t n = 0;
			if (cg_bpf_devices_build(shapes[s], k, &insns, &n, &err) < 0)
				fail_msg("shape %zu, %zu rules: %s", s, k, err.msg);
			int fd = cg_bpf_devices_load(insns, n, &err);
			if (fd < 0)
				fail_msg("shape %zu, %zu rules: %s", s, k, err.msg);
			close(fd);
			free(insns);
		}
	/* Many rules: jumps stay within each block. */
	struct rt_device_rule *many = calloc(4096, sizeof(*many));
	for (int i = 0; i < 4096; i++)
		many[i] = (struct rt_device_rule){.allow = i % 2,
						  .type = i % 3 ? 'c' : 'b',
						  .major = i,
						  .minor = i % 7 ? i : -1,
						  .access = "rw"};
	struct bpf_insn *insns = NULL;
	size_t n = 0;
	assert_int_equal(cg_bpf_devices_build(many, 4096, &insns, &n, &err), 0);
	int fd = cg_bpf_devices_load(insns, n, &err);
	if (fd < 0)
		fail_msg("4096 rules: %s", err.msg);
	close(fd);
	free(insns);
	free(many);
	/* A bad rule is named. */
	struct rt_device_rule bad = {.allow = true, .type = 'x', .major = 1, .minor = 1};
	assert_int_equal(cg_bpf_devices_build(&bad, 1, &insns, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "linux.resources.devices[0].type"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(hybrid_full_lifecycle),
	    T(hybrid_v1_details),
	    T(hybrid_devices_enforced),
	    T(hybrid_unsupported_fields_are_clear),
	    T(hybrid_refused_value_then_destroy_leaves_nothing),
	    T(hybrid_create_failing_midway_leaves_nothing),
	    T(hybrid_sigkill),
	    T(v2_device_program),
	    T(v2_freeze_and_kill),
	    cmocka_unit_test(bpf_programs_pass_the_verifier),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
