#include "unpack.h"
#include "beneath.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define IN_CHUNK	    (128u << 10)
#define OUT_CHUNK	    (256u << 10)
#define DEFAULT_MAX_BYTES   (64ull << 30)
#define DEFAULT_MAX_ENTRIES 10000000ull
#define MAX_PATH_DEPTH	    256

enum comp { COMP_NONE, COMP_GZIP, COMP_ZSTD };

/* The layer stream: reads the blob, hashes it, decompresses it, hashes the
 * tar, and hands the tar to libarchive. */
struct stream {
	int fd;
	enum comp comp;
	struct sup_hasher zhash, thash;
	unsigned char *in, *out;
	size_t in_len, in_pos;
	bool in_eof, done;
	z_stream z;
	bool z_init;
	ZSTD_DCtx *zs;
	uint64_t total_out, max_out;
	char error[256];
};

static ssize_t fill_input(struct stream *s)
{
	if (s->in_pos < s->in_len || s->in_eof)
		return 0;
	ssize_t n;
	do {
		n = read(s->fd, s->in, IN_CHUNK);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		snprintf(s->error, sizeof(s->error), "read layer: %s", strerror(errno));
		return -1;
	}
	if (n == 0)
		s->in_eof = true;
	sup_hasher_update(&s->zhash, s->in, (size_t)n);
	s->in_len = (size_t)n;
	s->in_pos = 0;
	return n;
}

/* Produces the next piece of the uncompressed tar; 0 at the end. */
static ssize_t next_chunk(struct stream *s)
{
	for (;;) {
		if (s->done)
			return 0;
		if (fill_input(s) < 0)
			return -1;
		size_t avail = s->in_len - s->in_pos;
		if (avail == 0 && s->in_eof) {
			if (s->comp == COMP_GZIP && s->z_init && s->z.total_in && !s->z.avail_in &&
			    s->z.total_out == 0) {
				snprintf(s->error, sizeof(s->error), "truncated gzip stream");
				return -1;
			}
			s->done = true;
			return 0;
		}
		size_t produced = 0;
		if (s->comp == COMP_NONE) {
			size_t n = avail < OUT_CHUNK ? avail : OUT_CHUNK;
			memcpy(s->out, s->in + s->in_pos, n);
			s->in_pos += n;
			produced = n;
		} else if (s->comp == COMP_GZIP) {
			s->z.next_in = s->in + s->in_pos;
			s->z.avail_in = (uInt)avail;
			s->z.next_out = s->out;
			s->z.avail_out = OUT_CHUNK;
			int zr = inflate(&s->z, Z_NO_FLUSH);
			s->in_pos = s->in_len - s->z.avail_in;
			produced = OUT_CHUNK - s->z.avail_out;
			if (zr == Z_STREAM_END) {
				/* a gzip file may hold several members */
				inflateReset(&s->z);
			} else if (zr != Z_OK && !(zr == Z_BUF_ERROR && produced)) {
				snprintf(s->error, sizeof(s->error), "gzip: %s",
					 s->z.msg ? s->z.msg : "corrupt data");
				return -1;
			}
		} else {
			ZSTD_inBuffer ib = {s->in + s->in_pos, avail, 0};
			ZSTD_outBuffer ob = {s->out, OUT_CHUNK, 0};
			size_t zr = ZSTD_decompressStream(s->zs, &ob, &ib);
			if (ZSTD_isError(zr)) {
				snprintf(s->error, sizeof(s->error), "zstd: %s",
					 ZSTD_getErrorName(zr));
				return -1;
			}
			s->in_pos += ib.pos;
			produced = ob.pos;
		}
		if (produced) {
			s->total_out += produced;
			if (s->total_out > s->max_out) {
				snprintf(s->error, sizeof(s->error),
					 "layer expands beyond the limit of %llu bytes",
					 (unsigned long long)s->max_out);
				return -1;
			}
			sup_hasher_update(&s->thash, s->out, produced);
			return (ssize_t)produced;
		}
	}
}

static la_ssize_t ar_read(struct archive *a, void *data, const void **buf)
{
	(void)a;
	struct stream *s = data;
	ssize_t n = next_chunk(s);
	*buf = s->out;
	return n < 0 ? ARCHIVE_FATAL : n;
}

static int stream_init(struct stream *s, int fd, uint64_t max_out, struct pal_err *err)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->max_out = max_out;
	s->in = pal_xmalloc(IN_CHUNK);
	s->out = pal_xmalloc(OUT_CHUNK);
	if (sup_hasher_init(&s->zhash, SUP_HASH_SHA256) < 0 ||
	    sup_hasher_init(&s->thash, SUP_HASH_SHA256) < 0)
		return pal_err_set(err, ENOMEM, "out of memory");
	if (fill_input(s) < 0)
		return pal_err_set(err, EIO, "%s", s->error);
	if (s->in_len >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b) {
		s->comp = COMP_GZIP;
		if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK)
			return pal_err_set(err, ENOMEM, "zlib init failed");
		s->z_init = true;
	} else if (s->in_len >= 4 && s->in[0] == 0x28 && s->in[1] == 0xb5 && s->in[2] == 0x2f &&
		   s->in[3] == 0xfd) {
		s->comp = COMP_ZSTD;
		s->zs = ZSTD_createDCtx();
		if (!s->zs)
			return pal_err_set(err, ENOMEM, "zstd init failed");
	}
	return 0;
}

static void stream_free(struct stream *s)
{
	if (s->z_init)
		inflateEnd(&s->z);
	ZSTD_freeDCtx(s->zs);
	sup_hasher_free(&s->zhash);
	sup_hasher_free(&s->thash);
	free(s->in);
	free(s->out);
}

/* ---- paths ------------------------------------------------------------ */

/* Splits an entry path into clean components; refuses absolute paths and "..". */
static int split_path(const char *raw, char ***out, struct pal_err *err)
{
	if (!raw || !*raw)
		return pal_err_set(err, EINVAL, "entry without a name");
	if (raw[0] == '/')
		return pal_err_set(err, EPERM, "entry '%.200s' has an absolute path", raw);
	char **v = pal_xcalloc(1, sizeof(char *));
	_cleanup_free_ char *copy = pal_xstrdup(raw);
	char *save = NULL;
	size_t depth = 0;
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, "..")) {
			pal_strv_free(v);
			return pal_err_set(err, EPERM, "entry '%.200s' leaves the root with '..'",
					   raw);
		}
		if (++depth > MAX_PATH_DEPTH) {
			pal_strv_free(v);
			return pal_err_set(err, EINVAL, "entry '%.200s' is nested too deeply", raw);
		}
		pal_strv_push(&v, c);
	}
	*out = v;
	return 0;
}

static char *join_parts(char **parts, size_t n)
{
	struct pal_buf b;
	pal_buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		if (i)
			pal_buf_putc(&b, '/');
		pal_buf_puts(&b, parts[i]);
	}
	if (!b.data)
		pal_buf_puts(&b, "");
	return pal_buf_steal(&b);
}

struct ctx {
	int rootfd;
	const struct sup_unpack_opts *o;
	struct sup_unpack_stats *st;
	struct pal_err *err;
	unsigned long long resolve;
	/* paths created by the current layer (for opaque whiteouts) */
	char **created;
	size_t n_created, cap_created;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void created_add(struct ctx *c, const char *path)
{
	if (c->n_created * 2 >= c->cap_created) {
		size_t ncap = c->cap_created ? c->cap_created * 2 : 1024;
		char **n = pal_xcalloc(ncap, sizeof(char *));
		for (size_t i = 0; i < c->cap_created; i++) {
			if (!c->created[i])
				continue;
			size_t k = hash_str(c->created[i]) % ncap;
			while (n[k])
				k = (k + 1) % ncap;
			n[k] = c->created[i];
		}
		free(c->created);
		c->created = n;
		c->cap_created = ncap;
	}
	size_t k = hash_str(path) % c->cap_created;
	while (c->created[k]) {
		if (!strcmp(c->created[k], path))
			return;
		k = (k + 1) % c->cap_created;
	}
	c->created[k] = pal_xstrdup(path);
	c->n_created++;
}

static bool created_has(struct ctx *c, const char *path)
{
	if (!c->cap_created)
		return false;
	size_t k = hash_str(path) % c->cap_created;
	while (c->created[k]) {
		if (!strcmp(c->created[k], path))
			return true;
		k = (k + 1) % c->cap_created;
	}
	return false;
}

static void created_clear(struct ctx *c)
{
	for (size_t i = 0; i < c->cap_created; i++)
		free(c->created[i]);
	free(c->created);
	c->created = NULL;
	c->n_created = c->cap_created = 0;
}

/* Opens (creating as needed) the directory parts[0..n) beneath the root. */
static int open_dir(struct ctx *c, char **parts, size_t n, bool create, int *out)
{
	if (n == 0) {
		*out = fcntl(c->rootfd, F_DUPFD_CLOEXEC, 3);
		return *out < 0 ? pal_err_sys(c->err, errno, "dup") : 0;
	}
	_cleanup_free_ char *rel = join_parts(parts, n);
	int fd =
	    c->o->follow_symlinks_in_root
		? (int)pal_openat2(c->rootfd, rel, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, c->resolve)
		: sup_open_beneath(c->rootfd, rel, O_PATH | O_DIRECTORY, 0);
	if (fd >= 0) {
		*out = fd;
		return 0;
	}
	if (errno == ELOOP || errno == EXDEV || errno == ENOTDIR)
		return pal_err_set(c->err, EPERM,
				   "'%.200s' is a symlink or not a directory: entries beneath it "
				   "are refused",
				   rel);
	if (errno != ENOENT || !create)
		return pal_err_sys(c->err, errno, "open '%.200s'", rel);
	/* Missing parents: make each one beneath its own, already resolved parent. */
	_cleanup_close_ int parent = -1;
	int r = open_dir(c, parts, n - 1, true, &parent);
	if (r < 0)
		return r;
	if (mkdirat(parent, parts[n - 1], 0755) < 0 && errno != EEXIST)
		return pal_err_sys(c->err, errno, "mkdir '%.200s'", rel);
	fd = sup_open_beneath(parent, parts[n - 1], O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return pal_err_sys(c->err, errno, "open '%.200s'", rel);
	*out = fd;
	return 0;
}

/* Removes name under dirfd, recursing into directories without following symlinks. */
static int remove_at(int parent, const char *name, int depth)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(parent, name, 0) < 0 ? -errno : 0;
	if (depth > 4096)
		return -ELOOP;
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d)) && r == 0) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = remove_at(dirfd(d), de->d_name, depth + 1);
	}
	closedir(d);
	if (r < 0)
		return r;
	return unlinkat(parent, name, AT_REMOVEDIR) < 0 ? -errno : 0;
}

static int opaque(struct ctx *c, char **parts, size_t n)
{
	_cleanup_close_ int pfd = -1;
	int r = open_dir(c, parts, n, true, &pfd);
	if (r < 0)
		return r;
	int fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return pal_err_sys(c->err, errno, "open directory for opaque whiteout");
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return pal_err_sys(c->err, errno, "read directory");
	}
	_cleanup_free_ char *base = join_parts(parts, n);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		_cleanup_free_ char *p =
		    base[0] ? pal_xasprintf("%s/%s", base, de->d_name) : pal_xstrdup(de->d_name);
		if (created_has(c, p))
			continue;
		if ((r = remove_at(dirfd(d), de->d_name, 0)) < 0)
			return pal_err_sys(c->err, -r, "opaque whiteout: remove '%.200s'", p);
	}
	return 0;
}

static int write_data(struct ctx *c, struct archive *a, int fd, const char *path)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	int64_t end = 0;
	for (;;) {
		int r = archive_read_data_block(a, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
			return pal_err_set(c->err, EIO, "read '%.200s': %s", path,
					   archive_error_string(a));
		const char *p = buf;
		size_t left = size;
		int64_t pos = off;
		while (left) {
			ssize_t n = pwrite(fd, p, left, pos);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				return pal_err_sys(c->err, errno, "write '%.200s'", path);
			}
			p += n;
			left -= (size_t)n;
			pos += n;
		}
		c->st->bytes += size;
		if (off + (int64_t)size > end)
			end = off + (int64_t)size;
	}
	/* sparse files end in a hole */
	if (ftruncate(fd, end > 0 ? end : 0) < 0)
		return pal_err_sys(c->err, errno, "truncate '%.200s'", path);
	return 0;
}

static mode_t safe_mode(struct ctx *c, mode_t m)
{
	if ((m & (S_ISUID | S_ISGID)) && !c->o->allow_setuid) {
		c->st->setid_stripped++;
		m &= ~(mode_t)(S_ISUID | S_ISGID);
	}
	return m & 07777;
}

static int set_owner(struct ctx *c, int fd, const char *name, struct archive_entry *e, int flags)
{
	if (c->o->no_chown || geteuid() != 0)
		return 0;
	if (fchownat(fd, name, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e), flags) < 0)
		return pal_err_sys(c->err, errno, "chown '%.200s'", archive_entry_pathname(e));
	return 0;
}

static int apply_entry(struct ctx *c, struct archive *a, struct archive_entry *e)
{
	const char *raw = archive_entry_pathname(e);
	_cleanup_strv_ char **parts = NULL;
	int r = split_path(raw, &parts, c->err);
	if (r < 0)
		return r;
	size_t n = pal_strv_len(parts);
	if (n == 0)
		return 0; /* "./": the root itself */
	const char *name = parts[n - 1];
	mode_t type = archive_entry_filetype(e);
	_cleanup_free_ char *path = join_parts(parts, n);

	if (!strcmp(name, ".wh..wh..opq")) {
		c->st->whiteouts++;
		return opaque(c, parts, n - 1);
	}
	if (pal_str_starts_with(name, ".wh.")) {
		c->st->whiteouts++;
		const char *target = name + 4;
		if (!*target || !strcmp(target, ".") || !strcmp(target, ".."))
			return pal_err_set(c->err, EINVAL, "malformed whiteout '%.200s'", raw);
		_cleanup_close_ int pfd = -1;
		if ((r = open_dir(c, parts, n - 1, false, &pfd)) < 0) {
			if (c->err->code == ENOENT) {
				pal_err_clear(c->err);
				return 0;
			}
			return r;
		}
		_cleanup_close_ int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || (r = remove_at(dfd, target, 0)) < 0)
			return pal_err_sys(c->err, dfd < 0 ? errno : -r, "whiteout '%.200s'", raw);
		return 0;
	}

	_cleanup_close_ int pfd = -1;
	if ((r = open_dir(c, parts, n - 1, true, &pfd)) < 0)
		return pal_err_prefix(c->err, "entry '%.200s'", raw);
	/* O_PATH fds serve *at() calls; removals need a real directory fd */
	_cleanup_close_ int dfd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return pal_err_sys(c->err, errno, "open parent of '%.200s'", raw);

	struct stat old;
	bool exists = fstatat(dfd, name, &old, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists && !(S_ISDIR(old.st_mode) && type == AE_IFDIR)) {
		if ((r = remove_at(dfd, name, 0)) < 0)
			return pal_err_sys(c->err, -r, "replace '%.200s'", raw);
		exists = false;
	}
	mode_t mode = safe_mode(c, archive_entry_perm(e));
	const char *link = archive_entry_hardlink(e);
	if (link) {
		_cleanup_strv_ char **tparts = NULL;
		if ((r = split_path(link, &tparts, c->err)) < 0)
			return pal_err_prefix(c->err, "hardlink '%.200s'", raw);
		size_t tn = pal_strv_len(tparts);
		if (tn == 0)
			return pal_err_set(c->err, EPERM, "hardlink '%.200s' to the root", raw);
		_cleanup_close_ int tfd = -1;
		if ((r = open_dir(c, tparts, tn - 1, false, &tfd)) < 0)
			return pal_err_prefix(c->err, "hardlink '%.200s' target", raw);
		struct stat ts;
		if (fstatat(tfd, tparts[tn - 1], &ts, AT_SYMLINK_NOFOLLOW) < 0)
			return pal_err_sys(c->err, errno, "hardlink '%.200s' target '%.200s'", raw,
					   link);
		if (S_ISDIR(ts.st_mode))
			return pal_err_set(c->err, EPERM, "hardlink '%.200s' to a directory", raw);
		if (linkat(tfd, tparts[tn - 1], pfd, name, 0) < 0)
			return pal_err_sys(c->err, errno, "hardlink '%.200s' -> '%.200s'", raw,
					   link);
		c->st->hardlinks++;
		created_add(c, path);
		return 0;
	}
	switch (type) {
	case AE_IFDIR: {
		if (!exists && mkdirat(pfd, name, 0700) < 0)
			return pal_err_sys(c->err, errno, "mkdir '%.200s'", raw);
		_cleanup_close_ int fd =
		    openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return pal_err_sys(c->err, errno, "open '%.200s'", raw);
		if ((r = set_owner(c, fd, "", e, AT_EMPTY_PATH)) < 0)
			return r;
		if (fchmod(fd, mode) < 0)
			return pal_err_sys(c->err, errno, "chmod '%.200s'", raw);
		c->st->dirs++;
		break;
	}
	case AE_IFREG: {
		_cleanup_close_ int fd =
		    openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return pal_err_sys(c->err, errno, "create '%.200s'", raw);
		if ((r = write_data(c, a, fd, raw)) < 0 ||
		    (r = set_owner(c, fd, "", e, AT_EMPTY_PATH)) < 0)
			return r;
		if (fchmod(fd, mode) < 0)
			return pal_err_sys(c->err, errno, "chmod '%.200s'", raw);
		struct timespec ts[2] = {{.tv_sec = archive_entry_mtime(e)},
					 {.tv_sec = archive_entry_mtime(e)}};
		futimens(fd, ts);
		c->st->files++;
		break;
	}
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(e);
		if (!target || !*target)
			return pal_err_set(c->err, EINVAL, "symlink '%.200s' has no target", raw);
		if (symlinkat(target, dfd, name) < 0)
			return pal_err_sys(c->err, errno, "symlink '%.200s'", raw);
		if ((r = set_owner(c, dfd, name, e, AT_SYMLINK_NOFOLLOW)) < 0)
			return r;
		c->st->symlinks++;
		break;
	}
	case AE_IFCHR:
	case AE_IFBLK:
		if (!c->o->allow_devices)
			return pal_err_set(
			    c->err, EPERM,
			    "entry '%.200s' is a device node (%u:%u): refused (device "
			    "nodes come from the runtime, not from images)",
			    raw, major(archive_entry_rdev(e)), minor(archive_entry_rdev(e)));
		if (mknodat(dfd, name, (type == AE_IFCHR ? S_IFCHR : S_IFBLK) | mode,
			    archive_entry_rdev(e)) < 0)
			return pal_err_sys(c->err, errno, "mknod '%.200s'", raw);
		if ((r = set_owner(c, dfd, name, e, AT_SYMLINK_NOFOLLOW)) < 0)
			return r;
		break;
	case AE_IFIFO:
		if (mkfifoat(dfd, name, mode) < 0)
			return pal_err_sys(c->err, errno, "mkfifo '%.200s'", raw);
		if ((r = set_owner(c, dfd, name, e, AT_SYMLINK_NOFOLLOW)) < 0)
			return r;
		break;
	default:
		return pal_err_set(c->err, EINVAL, "entry '%.200s' has an unsupported type %o", raw,
				   (unsigned)type);
	}
	created_add(c, path);
	return 0;
}

int sup_layer_unpack(int fd, const char *digest, const char *diff_id, int rootfd,
		     const struct sup_unpack_opts *opts, struct sup_unpack_stats *stats,
		     struct pal_err *err)
{
	static const struct sup_unpack_opts defaults;
	const struct sup_unpack_opts *o = opts ? opts : &defaults;
	struct sup_unpack_stats dummy = {0};
	struct sup_unpack_stats *st = stats ? stats : &dummy;
	uint64_t max_bytes = o->max_bytes ? o->max_bytes : DEFAULT_MAX_BYTES;
	uint64_t max_entries = o->max_entries ? o->max_entries : DEFAULT_MAX_ENTRIES;
	struct stream s;
	int r = stream_init(&s, fd, max_bytes > st->bytes ? max_bytes - st->bytes : 0, err);
	if (r < 0) {
		stream_free(&s);
		return r;
	}
	struct ctx c = {.rootfd = rootfd, .o = o, .st = st, .err = err};
	c.resolve = o->follow_symlinks_in_root
			? RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS
			: RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_filter_none(a);
	if (archive_read_open(a, &s, NULL, ar_read, NULL) != ARCHIVE_OK) {
		r = pal_err_set(err, EINVAL, "not a tar archive: %s",
				s.error[0] ? s.error : archive_error_string(a));
		goto out;
	}
	struct archive_entry *e;
	for (;;) {
		int ar = archive_read_next_header(a, &e);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar != ARCHIVE_OK && ar != ARCHIVE_WARN) {
			r = pal_err_set(err, EINVAL, "corrupt tar: %s",
					s.error[0] ? s.error : archive_error_string(a));
			goto out;
		}
		if (++st->entries > max_entries) {
			r = pal_err_set(err, EFBIG, "more than %llu entries",
					(unsigned long long)max_entries);
			goto out;
		}
		if ((r = apply_entry(&c, a, e)) < 0)
			goto out;
		if (s.error[0]) {
			r = pal_err_set(err, EIO, "%s", s.error);
			goto out;
		}
	}
	/* Hash what libarchive did not need (end-of-archive padding). */
	ssize_t n;
	while ((n = next_chunk(&s)) > 0)
		;
	if (n < 0) {
		r = pal_err_set(err, EIO, "%s", s.error);
		goto out;
	}
	char got[SUP_DIGEST_MAX], got_tar[SUP_DIGEST_MAX];
	sup_hasher_final(&s.zhash, got);
	sup_hasher_final(&s.thash, got_tar);
	if (digest && strcmp(got, digest)) {
		r = pal_err_set(err, EBADMSG, "layer content digest is %s, the manifest says %s",
				got, digest);
		goto out;
	}
	if (diff_id && strcmp(got_tar, diff_id)) {
		r = pal_err_set(err, EBADMSG,
				"uncompressed layer digest is %s, the config's diff_id says %s",
				got_tar, diff_id);
		goto out;
	}
	st->layers++;
	r = 0;
out:
	archive_read_free(a);
	created_clear(&c);
	stream_free(&s);
	return r;
}

static bool is_layer_type(const char *mt)
{
	return pal_str_starts_with(mt, "application/vnd.oci.image.layer.") ||
	       pal_str_starts_with(mt, "application/vnd.docker.image.rootfs.diff.tar");
}

int sup_image_unpack(struct sup_image *img, const char *dest, const struct sup_unpack_opts *opts,
		     struct sup_unpack_stats *stats, struct pal_err *err)
{
	if (img->source != SUP_IMAGE_LAYOUT)
		return pal_err_set(
		    err, ENOTSUP,
		    "%s is in containers-storage, already unpacked by podman: use its "
		    "layer directories (sup_cstore_layer_dirs)",
		    img->ref);
	if (mkdir(dest, 0755) < 0 && errno != EEXIST)
		return pal_err_sys(err, errno, "create %s", dest);
	_cleanup_close_ int rootfd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rootfd < 0)
		return pal_err_sys(err, errno, "open %s", dest);
	{
		int dfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
		_cleanup_closedir_ DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		if (!d) {
			if (dfd >= 0)
				close(dfd);
			return pal_err_sys(err, errno, "read %s", dest);
		}
		struct dirent *de;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				return pal_err_set(err, ENOTEMPTY,
						   "%s is not empty: unpack into a new directory",
						   dest);
	}
	struct sup_unpack_stats dummy = {0};
	struct sup_unpack_stats *st = stats ? stats : &dummy;
	for (size_t i = 0; i < img->m.n_layers; i++) {
		const struct sup_desc *l = &img->m.layers[i];
		if (!is_layer_type(l->media_type))
			return pal_err_set(err, EINVAL,
					   "%s: layer %zu has media type %s, not a layer", img->ref,
					   i, l->media_type);
		_cleanup_close_ int fd = -1;
		int r = sup_layout_open_blob(&img->layout, l->digest, l->size, &fd, err);
		if (r < 0)
			return r;
		r = sup_layer_unpack(fd, l->digest, img->config.diff_ids[i], rootfd, opts, st, err);
		if (r < 0)
			return pal_err_prefix(err, "%s: layer %zu (%s)", img->ref, i, l->digest);
	}
	return 0;
}
