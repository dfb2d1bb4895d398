/* Usage figures in the shape of runc's `events --stats` data:
 *   {"cpu":{"usage":{"total":ns,"user":ns,"kernel":ns}},
 *    "memory":{"usage":{"usage":bytes,"limit":bytes,"max":bytes}},
 *    "pids":{"current":n,"limit":n}}
 * A key is absent when the host cannot tell it; an absent limit means none. */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct src {
	const struct cg_dir *dir;
	int fd;
};

static bool open_src(const struct cg_dir *d, struct src *s)
{
	struct pal_err e = {0};
	s->dir = d;
	s->fd = d ? cg_dir_open(d, O_PATH, &e) : -1;
	return s->fd >= 0;
}

static void close_src(struct src *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

static void put_u64(json_t *obj, const char *key, const struct src *s, const char *file, bool limit)
{
	struct pal_err e = {0};
	uint64_t v;
	if (cg_read_u64(s->fd, s->dir->path, file, &v, &e) < 0)
		return;
	/* v1 reports "no limit" as a page-rounded LLONG_MAX, v2 as "max". */
	if (limit && (v == UINT64_MAX || v >= (uint64_t)INT64_MAX - 4096 * 2))
		return;
	if (v > (uint64_t)INT64_MAX)
		return;
	json_object_set_new(obj, key, json_integer((json_int_t)v));
}

/* "key value" lines (cpu.stat, cpuacct.stat). */
static bool keyed(const char *text, const char *key, uint64_t *out)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == ' ') {
			char num[32];
			size_t n = strcspn(p + kl + 1, "\n");
			if (n == 0 || n >= sizeof(num))
				return false;
			memcpy(num, p + kl + 1, n);
			num[n] = '\0';
			return pal_parse_uint64(num, out) == 0;
		}
	}
	return false;
}

static json_t *cpu_stats(const struct rt_cgroup *cg)
{
	json_t *usage = json_object();
	struct src s;
	struct pal_err e = {0};
	_cleanup_free_ char *text = NULL;
	if (open_src(cg_find_v1(cg, "cpuacct"), &s)) {
		put_u64(usage, "total", &s, "cpuacct.usage", false);
		long hz = sysconf(_SC_CLK_TCK);
		uint64_t v;
		if (hz > 0 && cg_read(s.fd, s.dir->path, "cpuacct.stat", &text, &e) == 0) {
			if (keyed(text, "user", &v) && v < INT64_MAX / 1000000000)
				json_object_set_new(
				    usage, "user",
				    json_integer((json_int_t)(v * 1000000000 / (uint64_t)hz)));
			if (keyed(text, "system", &v) && v < INT64_MAX / 1000000000)
				json_object_set_new(
				    usage, "kernel",
				    json_integer((json_int_t)(v * 1000000000 / (uint64_t)hz)));
		}
		close_src(&s);
	} else if (open_src(cg_v2_dir(cg), &s)) {
		static const char *const keys[][2] = {
		    {"usage_usec", "total"}, {"user_usec", "user"}, {"system_usec", "kernel"}};
		uint64_t v;
		if (cg_read(s.fd, s.dir->path, "cpu.stat", &text, &e) == 0)
			for (size_t i = 0; i < 3; i++)
				if (keyed(text, keys[i][0], &v) && v < INT64_MAX / 1000)
					json_object_set_new(usage, keys[i][1],
							    json_integer((json_int_t)(v * 1000)));
		close_src(&s);
	}
	return json_pack("{s:o}", "usage", usage);
}

static json_t *memory_stats(const struct rt_cgroup *cg)
{
	json_t *usage = json_object();
	struct src s;
	if (open_src(cg_find_v1(cg, "memory"), &s)) {
		put_u64(usage, "usage", &s, "memory.usage_in_bytes", false);
		put_u64(usage, "limit", &s, "memory.limit_in_bytes", true);
		put_u64(usage, "max", &s, "memory.max_usage_in_bytes", false);
		close_src(&s);
	} else if (open_src(cg_v2_dir(cg), &s)) {
		put_u64(usage, "usage", &s, "memory.current", false);
		put_u64(usage, "limit", &s, "memory.max", true);
		put_u64(usage, "max", &s, "memory.peak", false);
		close_src(&s);
	}
	return json_pack("{s:o}", "usage", usage);
}

static json_t *pids_stats(const struct rt_cgroup *cg)
{
	json_t *o = json_object();
	struct src s;
	const struct cg_dir *d = cg_find_v1(cg, "pids");
	if (!d)
		d = cg_v2_dir(cg);
	if (open_src(d, &s)) {
		put_u64(o, "current", &s, "pids.current", false);
		put_u64(o, "limit", &s, "pids.max", true);
		close_src(&s);
	}
	return o;
}

int rt_cgroup_stats(const struct rt_cgroup *cg, json_t **out, struct pal_err *err)
{
	*out = NULL;
	if (cg->n_dirs == 0)
		return pal_err_set(err, ENOENT, "container %s has no cgroup", cg->id);
	*out = json_pack("{s:o, s:o, s:o}", "cpu", cpu_stats(cg), "memory", memory_stats(cg),
			 "pids", pids_stats(cg));
	return 0;
}
