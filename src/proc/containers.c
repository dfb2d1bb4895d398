#include "proc/containers.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "proc/cgroup_path.h"
#include "proc/container_info.h"

#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_FILE_MAX	 (1u << 20)
#define STORAGE_FILE_MAX (64u << 20)
#define CGROUP_FILE_MAX	 (64u << 10)

struct cont {
	struct pal_container pub;
	struct proc_container_info info;
	char *repo, *tag, *digest_from_ref;
	struct cont *next;
};

struct cg_slot {
	uint64_t cgroup_id; /* 0 = empty */
	struct cont *c;
};

struct proc_containers {
	char *state_dir, *storage_root, *docker_root, *proc_root;
	char **ctr_ns;
	struct cont host;
	struct cont *list;
	size_t count;
	struct cg_slot *cache;
	size_t cache_cap, cache_len;
	struct timespec state_mtime;
	bool state_seen;
	int cg2_fd;    /* the cgroup v2 mount, for cgroup id -> path; -1 if none */
	int watch_fd;  /* inotify on state_dir; -1 until proc_containers_watch_fd() */
	int watch_wd;  /* -1 while state_dir does not exist yet */
	bool cg2_pure; /* no v1 hierarchies: the v2 path alone decides */
};

static void cont_publish(struct cont *k)
{
	struct proc_container_info *i = &k->info;
	free(k->repo);
	free(k->tag);
	free(k->digest_from_ref);
	proc_image_ref_split(i->image, &k->repo, &k->tag, &k->digest_from_ref);
	k->pub.id = i->id;
	k->pub.name = i->name ? i->name : i->id;
	k->pub.image = i->image ? i->image : "";
	k->pub.image_repository = k->repo;
	k->pub.image_tag = k->tag;
	k->pub.image_digest =
	    i->image_digest ? i->image_digest : (*k->digest_from_ref ? k->digest_from_ref : "");
	k->pub.runtime = i->runtime ? i->runtime : "";
	k->pub.pod_name = i->pod_name;
	k->pub.pod_namespace = i->pod_namespace;
	k->pub.privileged = i->privileged;
	if (i->cgroup_id)
		k->pub.cgroup_id = i->cgroup_id;
}

static void cont_free(struct cont *k)
{
	proc_container_info_clear(&k->info);
	free(k->repo);
	free(k->tag);
	free(k->digest_from_ref);
	free(k);
}

/* The cgroup v2 mount: /sys/fs/cgroup on pure v2 hosts, /sys/fs/cgroup/unified
 * on hybrid ones (found in mountinfo unless given). */
static int open_cgroup2(const char *given, bool *pure)
{
	char found[PATH_MAX] = "";
	*pure = false;
	if (!given) {
		_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
		char line[4096];
		bool v1 = false;
		while (f && fgets(line, sizeof(line), f)) {
			/* "... mountpoint opts - fstype source superopts" */
			char *sep = strstr(line, " - ");
			if (!sep)
				continue;
			char mnt[PATH_MAX];
			if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
				continue;
			if (pal_str_starts_with(sep, " - cgroup2 ") && !found[0])
				snprintf(found, sizeof(found), "%s", mnt);
			else if (pal_str_starts_with(sep, " - cgroup "))
				v1 = true;
		}
		if (!found[0])
			return -1;
		given = found;
		*pure = !v1;
	}
	return open(given, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* The v2 path of a cgroup id ("/libpod_parent/libpod-<id>"): the id is the
 * kernfs file handle of the cgroup directory. Works after the process that
 * showed the id has exited, as long as the cgroup exists. */
static bool cgroup_path_by_id(struct proc_containers *c, uint64_t cgid, char *out, size_t cap)
{
	if (c->cg2_fd < 0 || cgid == 0)
		return false;
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = 0xfe; /* FILEID_KERNFS */
	memcpy(h.fh.f_handle, &cgid, sizeof(cgid));
	_cleanup_close_ int fd = open_by_handle_at(c->cg2_fd, &h.fh, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char link[64], full[PATH_MAX], root[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, full, sizeof(full) - 1);
	if (n < 0)
		return false;
	full[n] = '\0';
	snprintf(link, sizeof(link), "/proc/self/fd/%d", c->cg2_fd);
	ssize_t rn = readlink(link, root, sizeof(root) - 1);
	if (rn < 0)
		return false;
	root[rn] = '\0';
	const char *rel = full;
	if (strcmp(root, "/") != 0) {
		if (strncmp(full, root, (size_t)rn) != 0 || (full[rn] != '/' && full[rn] != '\0'))
			return false;
		rel = full + rn;
	}
	snprintf(out, cap, "%s", *rel ? rel : "/");
	return true;
}

struct proc_containers *proc_containers_new(const struct proc_containers_opts *opts)
{
	struct proc_containers *c = pal_xcalloc(1, sizeof(*c));
	const char *env = getenv("PALISADE_STATE_DIR");
	c->state_dir = pal_xstrdup(opts && opts->state_dir ? opts->state_dir
				   : env && *env	   ? env
							   : "/run/palisade/containers");
	c->storage_root = pal_xstrdup(opts && opts->storage_root ? opts->storage_root
								 : "/var/lib/containers/storage");
	c->docker_root =
	    pal_xstrdup(opts && opts->docker_root ? opts->docker_root : "/var/lib/docker");
	c->proc_root = pal_xstrdup(opts && opts->proc_root ? opts->proc_root : "/proc");
	if (opts && opts->ctr_namespaces)
		c->ctr_ns = pal_strv_dup((char *const *)opts->ctr_namespaces);

	c->host.info.id = pal_xstrdup("host");
	c->host.info.name = pal_xstrdup("host");
	c->host.info.runtime = pal_xstrdup("host");
	cont_publish(&c->host);
	c->host.pub.is_host = true;

	c->cg2_fd = open_cgroup2(opts ? opts->cgroup2_root : NULL, &c->cg2_pure);
	c->watch_fd = -1;
	c->watch_wd = -1;
	c->cache_cap = 256;
	c->cache = pal_xcalloc(c->cache_cap, sizeof(*c->cache));
	proc_containers_refresh(c);
	return c;
}

void proc_containers_free(struct proc_containers *c)
{
	if (!c)
		return;
	for (struct cont *k = c->list, *n; k; k = n) {
		n = k->next;
		cont_free(k);
	}
	proc_container_info_clear(&c->host.info);
	free(c->host.repo);
	free(c->host.tag);
	free(c->host.digest_from_ref);
	free(c->cache);
	if (c->cg2_fd >= 0)
		close(c->cg2_fd);
	if (c->watch_fd >= 0)
		close(c->watch_fd);
	free(c->state_dir);
	free(c->storage_root);
	free(c->docker_root);
	free(c->proc_root);
	pal_strv_free(c->ctr_ns);
	free(c);
}

const struct pal_container *proc_containers_host(struct proc_containers *c)
{
	return &c->host.pub;
}

size_t proc_containers_count(const struct proc_containers *c)
{
	return c->count;
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static struct cont *cache_get(struct proc_containers *c, uint64_t cgid)
{
	if (!cgid)
		return NULL;
	for (size_t i = mix(cgid) & (c->cache_cap - 1);; i = (i + 1) & (c->cache_cap - 1)) {
		if (c->cache[i].cgroup_id == cgid)
			return c->cache[i].c;
		if (c->cache[i].cgroup_id == 0)
			return NULL;
	}
}

static void cache_put(struct proc_containers *c, uint64_t cgid, struct cont *k)
{
	if (!cgid)
		return;
	if ((c->cache_len + 1) * 2 > c->cache_cap) {
		struct cg_slot *old = c->cache;
		size_t oldcap = c->cache_cap;
		c->cache_cap *= 2;
		c->cache = pal_xcalloc(c->cache_cap, sizeof(*c->cache));
		c->cache_len = 0;
		for (size_t i = 0; i < oldcap; i++)
			if (old[i].cgroup_id)
				cache_put(c, old[i].cgroup_id, old[i].c);
		free(old);
	}
	size_t i = mix(cgid) & (c->cache_cap - 1);
	while (c->cache[i].cgroup_id && c->cache[i].cgroup_id != cgid)
		i = (i + 1) & (c->cache_cap - 1);
	if (!c->cache[i].cgroup_id)
		c->cache_len++;
	c->cache[i].cgroup_id = cgid;
	c->cache[i].c = k;
}

static struct cont *find_exact(struct proc_containers *c, const char *id)
{
	for (struct cont *k = c->list; k; k = k->next)
		if (strcmp(k->info.id, id) == 0)
			return k;
	return NULL;
}

const struct pal_container *proc_containers_find(struct proc_containers *c, const char *id)
{
	if (!id)
		return NULL;
	if (strcmp(id, "host") == 0)
		return &c->host.pub;
	struct cont *k = find_exact(c, id);
	if (k)
		return &k->pub;
	size_t n = strlen(id);
	if (n < 12)
		return NULL;
	struct cont *hit = NULL;
	for (k = c->list; k; k = k->next) {
		if (strncmp(k->info.id, id, n) == 0) {
			if (hit)
				return NULL; /* ambiguous */
			hit = k;
		}
	}
	return hit ? &hit->pub : NULL;
}

static struct cont *cont_add(struct proc_containers *c, const char *id, const char *runtime)
{
	struct cont *k = pal_xcalloc(1, sizeof(*k));
	k->info.id = pal_xstrdup(id);
	k->info.runtime = pal_xstrdup(runtime);
	k->next = c->list;
	c->list = k;
	c->count++;
	cont_publish(k);
	return k;
}

/* Copies the fields src knows into dst (state files and storage win over
 * what a cgroup path alone tells). */
static void info_merge(struct proc_container_info *dst, struct proc_container_info *src)
{
#define TAKE(f)                                                                                    \
	if (src->f) {                                                                              \
		free(dst->f);                                                                      \
		dst->f = PAL_STEAL(src->f);                                                        \
	}
	TAKE(name);
	TAKE(runtime);
	TAKE(image);
	TAKE(image_digest);
	TAKE(pod_name);
	TAKE(pod_namespace);
	TAKE(status);
#undef TAKE
	if (src->cgroup_id)
		dst->cgroup_id = src->cgroup_id;
	if (src->pid)
		dst->pid = src->pid;
	dst->privileged = dst->privileged || src->privileged;
}

static void enrich(struct proc_containers *c, struct cont *k);

static void load_state_file(struct proc_containers *c, int dirfd, const char *fname)
{
	struct pal_err err = {0};
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (pal_read_fileat(dirfd, fname, STATE_FILE_MAX, &data, &len, &err) < 0) {
		/* A container deleted between listing and reading is no news. */
		if (err.code != ENOENT)
			pal_warn("container registry: %s", err.msg);
		return;
	}
	struct proc_container_info info;
	if (proc_state_file_parse(fname, data, len, &info, &err) < 0) {
		pal_warn("container registry: %s/%s ignored: %s", c->state_dir, fname, err.msg);
		return;
	}
	_cleanup_free_ char *want = pal_xasprintf("%s.json", info.id);
	if (strcmp(want, fname) != 0) {
		pal_warn("container registry: %s/%s ignored: its id \"%s\" does not match the "
			 "file name",
			 c->state_dir, fname, info.id);
		proc_container_info_clear(&info);
		return;
	}
	struct cont *k = find_exact(c, info.id);
	bool fresh = !k;
	if (!k)
		k = cont_add(c, info.id, "palisade");
	info_merge(&k->info, &info);
	proc_container_info_clear(&info);
	/* podman and CRI-O keep the name and image in containers-storage. */
	if (fresh)
		enrich(c, k);
	cont_publish(k);
	if (k->info.cgroup_id)
		cache_put(c, k->info.cgroup_id, k);
}

void proc_containers_refresh(struct proc_containers *c)
{
	struct stat st;
	if (stat(c->state_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return;
	if (c->state_seen && st.st_mtim.tv_sec == c->state_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == c->state_mtime.tv_nsec)
		return;
	c->state_seen = true;
	c->state_mtime = st.st_mtim;
	_cleanup_close_ int dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return;
	int dup_fd = dup(dfd);
	if (dup_fd < 0)
		return;
	_cleanup_closedir_ DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || !pal_str_ends_with(de->d_name, ".json"))
			continue;
		load_state_file(c, dfd, de->d_name);
	}
}

static void watch_arm(struct proc_containers *c)
{
	if (c->watch_fd < 0 || c->watch_wd >= 0)
		return;
	/* The runtime writes a state file with a rename (IN_MOVED_TO); a
	 * hand-written one ends with IN_CLOSE_WRITE. */
	c->watch_wd =
	    inotify_add_watch(c->watch_fd, c->state_dir, IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
	if (c->watch_wd >= 0) {
		/* Files that arrived before the watch existed. */
		c->state_seen = false;
		proc_containers_refresh(c);
	}
}

int proc_containers_watch_fd(struct proc_containers *c)
{
	if (c->watch_fd < 0) {
		c->watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (c->watch_fd < 0) {
			pal_warn("container registry: inotify_init1: %s (state files are read "
				 "when an unknown cgroup is seen)",
				 strerror(errno));
			return -1;
		}
	}
	watch_arm(c);
	return c->watch_fd;
}

void proc_containers_watch_drain(struct proc_containers *c)
{
	if (c->watch_fd < 0)
		return;
	if (c->watch_wd < 0) {
		watch_arm(c);
		return;
	}
	_Alignas(struct inotify_event) char buf[4096];
	_cleanup_close_ int dfd = -1;
	for (;;) {
		ssize_t n = read(c->watch_fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
			const struct inotify_event *ie = (const struct inotify_event *)(buf + off);
			off += (ssize_t)sizeof(*ie) + ie->len;
			if (off > n)
				break;
			if (ie->mask & (IN_IGNORED | IN_DELETE_SELF)) {
				/* The directory went away; rearm when it is back. */
				c->watch_wd = -1;
				continue;
			}
			if (ie->len == 0 || ie->name[0] == '.' ||
			    !pal_str_ends_with(ie->name, ".json"))
				continue;
			if (dfd < 0)
				dfd = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (dfd < 0)
				return;
			load_state_file(c, dfd, ie->name);
		}
	}
}

static char *read_small(const char *path, size_t max, size_t *len)
{
	char *data = NULL;
	struct pal_err err = {0};
	if (pal_read_file(path, max, &data, len, &err) < 0)
		return NULL;
	return data;
}

/* Image and name from the runtime's own files, once per container. */
static void enrich(struct proc_containers *c, struct cont *k)
{
	struct proc_container_info info;
	struct pal_err err = {0};
	const char *rt = k->info.runtime;

	if (!strcmp(rt, "podman") || !strcmp(rt, "cri-o")) {
		size_t cl = 0, il = 0;
		_cleanup_free_ char *cp =
		    pal_xasprintf("%s/overlay-containers/containers.json", c->storage_root);
		_cleanup_free_ char *ip =
		    pal_xasprintf("%s/overlay-images/images.json", c->storage_root);
		_cleanup_free_ char *cj = read_small(cp, STORAGE_FILE_MAX, &cl);
		_cleanup_free_ char *ij = read_small(ip, STORAGE_FILE_MAX, &il);
		if (cj && proc_storage_lookup(cj, cl, ij, il, k->info.id, &info, &err) == 0) {
			free(info.runtime);
			info.runtime = NULL;
			info_merge(&k->info, &info);
			proc_container_info_clear(&info);
		}
	} else if (!strcmp(rt, "docker")) {
		size_t len = 0;
		_cleanup_free_ char *p =
		    pal_xasprintf("%s/containers/%s/config.v2.json", c->docker_root, k->info.id);
		_cleanup_free_ char *data = read_small(p, STATE_FILE_MAX, &len);
		if (data && proc_docker_config_parse(data, len, &info, &err) == 0) {
			free(info.id);
			info.id = NULL;
			info_merge(&k->info, &info);
			proc_container_info_clear(&info);
		}
	}
	cont_publish(k);
}

static struct cont *cont_for_match(struct proc_containers *c, const struct proc_cgroup_match *m)
{
	struct cont *k = find_exact(c, m->id);
	if (!k) {
		k = cont_add(c, m->id, m->runtime);
		if (strcmp(m->runtime, "palisade") != 0)
			enrich(c, k);
	}
	return k;
}

const struct pal_container *proc_containers_from_cgroup_text(struct proc_containers *c,
							     const char *text, size_t len,
							     uint64_t cgroup_id)
{
	struct proc_cgroup_match m;
	bool from_v2 = false;
	bool v2_only = true;
	for (size_t i = 0; i + 1 < len; i++)
		if (text[i] == '\n' && text[i + 1] != '0' && text[i + 1] != '\0')
			v2_only = false;
	if (len > 0 && text[0] != '0')
		v2_only = false;

	/* The file shows the process's cgroup now; the event's id is where it
	 * was. A process that moved in between (runc init joining the
	 * container's cgroup) must not make the old id a key for the new
	 * cgroup: cache only when the id still names the path in the file. */
	bool verified = true;
	char v2[PATH_MAX], byid[PATH_MAX];
	if (proc_cgroup_v2_path(text, len, v2, sizeof(v2)) &&
	    cgroup_path_by_id(c, cgroup_id, byid, sizeof(byid)))
		verified = strcmp(v2, byid) == 0;

	if (!proc_cgroup_file_match(text, len, (const char *const *)c->ctr_ns, &m, &from_v2)) {
		if (v2_only && verified)
			cache_put(c, cgroup_id, &c->host);
		return &c->host.pub;
	}
	struct cont *k = cont_for_match(c, &m);
	if (!k->pub.cgroup_id && from_v2 && verified)
		k->pub.cgroup_id = cgroup_id;
	if ((from_v2 || v2_only) && verified)
		cache_put(c, cgroup_id, k);
	return &k->pub;
}

const struct pal_container *proc_containers_from_v2_path(struct proc_containers *c,
							 const char *path, uint64_t cgroup_id)
{
	struct proc_cgroup_match m;
	if (!proc_cgroup_path_match(path, (const char *const *)c->ctr_ns, &m)) {
		if (c->cg2_pure)
			cache_put(c, cgroup_id, &c->host);
		return &c->host.pub;
	}
	struct cont *k = cont_for_match(c, &m);
	if (!k->pub.cgroup_id)
		k->pub.cgroup_id = cgroup_id;
	cache_put(c, cgroup_id, k);
	return &k->pub;
}

const struct pal_container *proc_containers_resolve(struct proc_containers *c, uint32_t pid,
						    uint64_t cgroup_id)
{
	struct cont *k = cache_get(c, cgroup_id);
	if (k)
		return &k->pub;
	proc_containers_refresh(c);
	k = cache_get(c, cgroup_id);
	if (k)
		return &k->pub;

	char cgpath[PATH_MAX];
	bool got = cgroup_path_by_id(c, cgroup_id, cgpath, sizeof(cgpath));
	if (got) {
		const struct pal_container *k2 = proc_containers_from_v2_path(c, cgpath, cgroup_id);
		if (k2 && !k2->is_host)
			return k2;
		if (c->cg2_pure)
			return &c->host.pub;
	}

	char path[128];
	snprintf(path, sizeof(path), "%s/%u/cgroup", c->proc_root, pid);
	size_t len = 0;
	_cleanup_free_ char *text = read_small(path, CGROUP_FILE_MAX, &len);
	if (!text)
		return &c->host.pub;
	return proc_containers_from_cgroup_text(c, text, len, cgroup_id);
}
