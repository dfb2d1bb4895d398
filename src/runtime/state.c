#include "runtime/state.h"
#include "runtime/cgroup.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_MAX_BYTES (4u << 20)

void rt_state_free(struct rt_state *s)
{
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	if (s->annotations)
		json_decref(s->annotations);
	if (s->cgroup)
		json_decref(s->cgroup);
	if (s->hardening)
		json_decref(s->hardening);
	pal_strv_free(s->landlock_exec_paths);
	free(s->image_ref);
	free(s->image_digest);
	free(s->name);
	free(s->engine);
	memset(s, 0, sizeof(*s));
}

int rt_id_validate(const char *id, struct pal_err *err)
{
	if (!id || !*id)
		return pal_err_set(err, EINVAL, "container id must not be empty");
	size_t n = strlen(id);
	if (n > 1024)
		return pal_err_set(err, EINVAL, "container id is longer than 1024 characters");
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return pal_err_set(err, EINVAL, "invalid container id '%s'", id);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)id[i];
		if (!isalnum(c) && c != '_' && c != '+' && c != '-' && c != '.')
			return pal_err_set(err, EINVAL,
					   "invalid container id '%s': only letters, digits and "
					   "'_+.-' are allowed",
					   id);
	}
	return 0;
}

int rt_root_prepare(const char *root, struct pal_err *err)
{
	int r = pal_mkdir_p(root, 0700, err);
	if (r < 0)
		return pal_err_prefix(err, "runtime root");
	return 0;
}

char *rt_state_path(const char *root, const char *id, const char *file)
{
	if (file)
		return pal_xasprintf("%s/%s/%s", root, id, file);
	return pal_xasprintf("%s/%s", root, id);
}

int rt_state_dir_create(const char *root, const char *id, struct pal_err *err)
{
	_cleanup_free_ char *dir = rt_state_path(root, id, NULL);
	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST)
			return pal_err_set(err, EEXIST, "container with id '%s' already exists",
					   id);
		return pal_err_sys(err, errno, "create state directory %s", dir);
	}
	return 0;
}

static void set_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

int rt_state_save(const char *root, const struct rt_state *s, struct pal_err *err)
{
	_cleanup_json_ json_t *o = json_object();
	set_str(o, "id", s->id);
	json_object_set_new(o, "pid", json_integer(s->pid));
	json_object_set_new(o, "pid_start", json_integer((json_int_t)s->pid_start));
	set_str(o, "bundle", s->bundle);
	set_str(o, "rootfs", s->rootfs);
	set_str(o, "created", s->created);
	set_str(o, "owner", s->owner ? s->owner : "");
	if (s->annotations)
		json_object_set(o, "annotations", s->annotations);
	if (s->cgroup)
		json_object_set(o, "cgroup", s->cgroup);
	json_object_set_new(o, "cgroup_id", json_integer((json_int_t)s->cgroup_id));
	json_object_set_new(o, "has_poststart_hooks", json_boolean(s->has_poststart_hooks));
	json_object_set_new(o, "has_poststop_hooks", json_boolean(s->has_poststop_hooks));
	json_object_set_new(o, "has_seccomp", json_boolean(s->has_seccomp));
	json_object_set_new(o, "no_new_privs", json_boolean(s->no_new_privs));
	if (s->landlock_exec_paths) {
		json_t *a = json_array();
		for (size_t i = 0; s->landlock_exec_paths[i]; i++)
			json_array_append_new(a, json_string(s->landlock_exec_paths[i]));
		json_object_set_new(o, "landlock_exec_paths", a);
	}
	if (s->hardening)
		json_object_set(o, "hardening", s->hardening);
	set_str(o, "image_ref", s->image_ref);
	set_str(o, "image_digest", s->image_digest);
	set_str(o, "name", s->name);
	set_str(o, "engine", s->engine);
	_cleanup_free_ char *text = json_dumps(o, JSON_COMPACT);
	if (!text)
		return pal_err_set(err, ENOMEM, "serialize state of %s", s->id);
	_cleanup_free_ char *path = rt_state_path(root, s->id, "state.json");
	return pal_write_file_replace(path, text, strlen(text), 0600, err);
}

static char *dup_opt(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? pal_xstrdup(json_string_value(v)) : NULL;
}

int rt_state_load(const char *root, const char *id, struct rt_state *s, struct pal_err *err)
{
	memset(s, 0, sizeof(*s));
	int r = rt_id_validate(id, err);
	if (r < 0)
		return r;
	_cleanup_free_ char *path = rt_state_path(root, id, "state.json");
	if (!pal_path_exists(path)) {
		_cleanup_free_ char *dir = rt_state_path(root, id, NULL);
		if (pal_path_exists(dir))
			return pal_err_set(err, ENOENT,
					   "container %s is still being created (or its creation "
					   "failed midway; 'delete --force' removes it)",
					   id);
		return pal_err_set(err, ENOENT, "container %s does not exist", id);
	}
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r2 = pal_read_file(path, STATE_MAX_BYTES, &text, &len, err);
	if (r2 < 0)
		return r2;
	return rt_state_parse(path, id, text, len, s, err);
}

int rt_state_parse(const char *path, const char *id, const char *text, size_t len,
		   struct rt_state *s, struct pal_err *err)
{
	memset(s, 0, sizeof(*s));
	_cleanup_json_ json_t *o = pal_json_load_buffer(path, text, len, err);
	if (!o)
		return -err->code;
	if (!json_is_object(o))
		return pal_err_set(err, EINVAL, "%s: state is not a JSON object", path);
	json_t *pid = json_object_get(o, "pid");
	json_t *id_v = json_object_get(o, "id");
	if (!json_is_integer(pid) || json_integer_value(pid) <= 0 ||
	    json_integer_value(pid) > 4194304 || !json_is_string(id_v) ||
	    strcmp(json_string_value(id_v), id) != 0)
		return pal_err_set(err, EINVAL, "%s: corrupt state (bad id or pid)", path);
	s->id = pal_xstrdup(id);
	s->pid = (pid_t)json_integer_value(pid);
	json_t *ps = json_object_get(o, "pid_start");
	s->pid_start = json_is_integer(ps) ? (uint64_t)json_integer_value(ps) : 0;
	s->bundle = dup_opt(o, "bundle");
	s->rootfs = dup_opt(o, "rootfs");
	s->created = dup_opt(o, "created");
	s->owner = dup_opt(o, "owner");
	json_t *a = json_object_get(o, "annotations");
	if (json_is_object(a))
		s->annotations = json_incref(a);
	json_t *cg = json_object_get(o, "cgroup");
	if (json_is_object(cg))
		s->cgroup = json_incref(cg);
	json_t *cid = json_object_get(o, "cgroup_id");
	s->cgroup_id = json_is_integer(cid) ? (uint64_t)json_integer_value(cid) : 0;
	s->has_poststart_hooks = json_is_true(json_object_get(o, "has_poststart_hooks"));
	s->has_poststop_hooks = json_is_true(json_object_get(o, "has_poststop_hooks"));
	s->has_seccomp = json_is_true(json_object_get(o, "has_seccomp"));
	s->no_new_privs = json_is_true(json_object_get(o, "no_new_privs"));
	json_t *ll = json_object_get(o, "landlock_exec_paths");
	if (json_is_array(ll)) {
		s->landlock_exec_paths = pal_xcalloc(json_array_size(ll) + 1, sizeof(char *));
		size_t i, n = 0;
		json_t *item;
		json_array_foreach(ll, i, item)
		{
			if (json_is_string(item) && json_string_value(item)[0] == '/')
				s->landlock_exec_paths[n++] = pal_xstrdup(json_string_value(item));
		}
	}
	json_t *h = json_object_get(o, "hardening");
	if (json_is_object(h))
		s->hardening = json_incref(h);
	s->image_ref = dup_opt(o, "image_ref");
	s->image_digest = dup_opt(o, "image_digest");
	s->name = dup_opt(o, "name");
	s->engine = dup_opt(o, "engine");
	return 0;
}

int rt_state_remove(const char *root, const char *id, struct pal_err *err)
{
	if (rt_id_validate(id, err) < 0)
		return -err->code;
	_cleanup_free_ char *dir = rt_state_path(root, id, NULL);
	return pal_rm_rf(dir, err);
}

int rt_write_pid_file(const char *path, pid_t pid, struct pal_err *err)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	return pal_write_file_replace(path, buf, (size_t)n, 0644, err);
}

int rt_proc_start_time(pid_t pid, uint64_t *start, bool *zombie)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -ESRCH;
	buf[n] = '\0';
	/* The comm field may contain spaces and parentheses: fields resume after the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -EINVAL;
	p += 2;
	char state = *p;
	/* starttime is field 22; after ')' we are at field 3 (state). */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EINVAL;
		p++;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(p, &end, 10);
	if (errno || end == p)
		return -EINVAL;
	if (start)
		*start = v;
	if (zombie)
		*zombie = state == 'Z' || state == 'X';
	return 0;
}

bool rt_state_init_alive(const struct rt_state *s)
{
	uint64_t start;
	bool zombie;
	if (rt_proc_start_time(s->pid, &start, &zombie) < 0)
		return false;
	if (zombie)
		return false;
	return s->pid_start == 0 || start == s->pid_start;
}

enum rt_status rt_state_status(const char *root, const struct rt_state *s)
{
	if (!rt_state_init_alive(s))
		return RT_STATUS_STOPPED;
	_cleanup_free_ char *fifo = rt_state_path(root, s->id, "exec.fifo");
	if (pal_path_exists(fifo))
		return RT_STATUS_CREATED;
	if (s->cgroup) {
		struct rt_cgroup *cg = NULL;
		struct pal_err e = {0};
		if (rt_cgroup_from_json(s->cgroup, &cg, &e) == 0) {
			bool frozen = false;
			int r = rt_cgroup_is_frozen(cg, &frozen, &e);
			rt_cgroup_free(cg);
			if (r == 0 && frozen)
				return RT_STATUS_PAUSED;
		}
	}
	return RT_STATUS_RUNNING;
}

const char *rt_status_name(enum rt_status st)
{
	switch (st) {
	case RT_STATUS_CREATING:
		return "creating";
	case RT_STATUS_CREATED:
		return "created";
	case RT_STATUS_RUNNING:
		return "running";
	case RT_STATUS_PAUSED:
		return "paused";
	case RT_STATUS_STOPPED:
		return "stopped";
	}
	return "unknown";
}

json_t *rt_state_to_oci_json(const struct rt_state *s, enum rt_status st)
{
	json_t *o = json_object();
	json_object_set_new(o, "ociVersion", json_string(RT_OCI_VERSION));
	json_object_set_new(o, "id", json_string(s->id));
	json_object_set_new(o, "pid", json_integer(st == RT_STATUS_STOPPED ? 0 : s->pid));
	json_object_set_new(o, "status", json_string(rt_status_name(st)));
	set_str(o, "bundle", s->bundle);
	set_str(o, "rootfs", s->rootfs);
	set_str(o, "created", s->created);
	if (s->annotations && json_object_size(s->annotations) > 0)
		json_object_set(o, "annotations", s->annotations);
	set_str(o, "owner", s->owner ? s->owner : "");
	return o;
}

const char *rt_agent_state_dir(void)
{
	const char *d = getenv("PALISADE_STATE_DIR");
	return d && *d ? d : RT_AGENT_STATE_DEFAULT;
}

int rt_agent_record_write(const struct rt_state *s, enum rt_status st, struct pal_err *err)
{
	const char *dir = rt_agent_state_dir();
	int r = pal_mkdir_p(dir, 0755, err);
	if (r < 0)
		return pal_err_prefix(err, "agent state directory");
	_cleanup_json_ json_t *o = json_object();
	json_object_set_new(o, "version", json_integer(1));
	set_str(o, "id", s->id);
	set_str(o, "name", s->name); /* only when known: the engine may keep it (podman) */
	json_object_set_new(o, "pid", json_integer(s->pid));
	json_object_set_new(o, "status", json_string(rt_status_name(st)));
	set_str(o, "bundle", s->bundle);
	set_str(o, "rootfs", s->rootfs);
	set_str(o, "created", s->created);
	json_object_set_new(o, "runtime", json_string("palisade"));
	set_str(o, "engine", s->engine);
	json_object_set_new(o, "cgroup_id", json_integer((json_int_t)s->cgroup_id));
	json_t *paths = json_object();
	if (s->cgroup) {
		struct rt_cgroup *cg = NULL;
		struct pal_err e = {0};
		if (rt_cgroup_from_json(s->cgroup, &cg, &e) == 0) {
			static const char *const hier[] = {"unified", "memory",	 "pids",   "cpu",
							   "freezer", "devices", "systemd"};
			for (size_t i = 0; i < PAL_ARRAY_SIZE(hier); i++) {
				const char *p = rt_cgroup_path(cg, hier[i]);
				if (p)
					json_object_set_new(paths, hier[i], json_string(p));
			}
			rt_cgroup_free(cg);
		}
	}
	json_object_set_new(o, "cgroup_paths", paths);
	if (s->image_ref || s->image_digest) {
		json_t *img = json_object();
		set_str(img, "reference", s->image_ref);
		set_str(img, "digest", s->image_digest);
		json_object_set_new(o, "image", img);
	}
	if (s->annotations)
		json_object_set(o, "annotations", s->annotations);
	if (s->hardening)
		json_object_set(o, "hardening", s->hardening);
	_cleanup_free_ char *text = pal_json_dump_line(o);
	_cleanup_free_ char *path = pal_xasprintf("%s/%s.json", dir, s->id);
	r = pal_write_file_replace(path, text, strlen(text), 0644, err);
	return r < 0 ? pal_err_prefix(err, "agent record for %s", s->id) : 0;
}

void rt_agent_record_remove(const char *id)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s.json", rt_agent_state_dir(), id);
	unlink(path);
}
