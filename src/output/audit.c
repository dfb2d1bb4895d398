/* Audit log writer. Several processes append to one file (the runtime writes
 * admission denials, the agent writes alerts): every append takes flock
 * LOCK_EX, reads the chain's tail (cached while the file is unchanged since
 * our own last write), writes the record with one write(2) on an O_APPEND fd
 * and, by default, fdatasyncs before unlocking. A crash mid-write can only
 * leave an incomplete last line; the next append cuts it off and records
 * that it did. */
#include "audit.h"
#include "audit_record.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/jsonutil.h"
#include "common/strutil.h"
#include "common/timefmt.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct out_audit {
	pthread_mutex_t lock; /* flock is per open file: threads also need this */
	char *path;
	int fd;
	enum out_audit_sync sync;
	unsigned char *key;
	size_t key_len;
	/* The chain's tail as of our last look, valid while the file is the same
	 * inode with the same size. */
	bool cached;
	dev_t dev;
	ino_t ino;
	off_t size;
	uint64_t last_seq;
	char last_hash[65];
};

int out_audit_load_key(const char *path, unsigned char **key, size_t *len, struct pal_err *err)
{
	char *data = NULL;
	size_t n = 0;
	int r = pal_read_file(path, OUT_AUDIT_KEY_MAX + 1, &data, &n, err);
	if (r < 0)
		return pal_err_prefix(err, "audit key");
	if (n < OUT_AUDIT_KEY_MIN || n > OUT_AUDIT_KEY_MAX) {
		OPENSSL_cleanse(data, n);
		free(data);
		return pal_err_set(err, EINVAL,
				   "audit key %s has %zu bytes; it needs %d to %d (e.g. head -c 32 "
				   "/dev/urandom > %s)",
				   path, n, OUT_AUDIT_KEY_MIN, OUT_AUDIT_KEY_MAX, path);
	}
	*key = (unsigned char *)data;
	*len = n;
	return 0;
}

static int open_log(struct out_audit *a, struct pal_err *err)
{
	int fd =
	    open(a->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
	if (fd < 0)
		return pal_err_sys(err, errno, "open audit log %s", a->path);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return pal_err_set(err, EINVAL, "audit log %s is not a regular file", a->path);
	}
	if (a->fd >= 0)
		close(a->fd);
	a->fd = fd;
	a->cached = false;
	return 0;
}

/* Reads bytes [off, off+len) through a separate read-only fd (ours is write-only). */
static int pread_all(int fd, char *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pread(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Finds the chain's tail: the last complete line's seq and hash, and whether
 * bytes after it (a torn line) must be cut. Called with flock held. */
static int read_tail(struct out_audit *a, const struct stat *st, off_t *torn_at,
		     struct pal_err *err)
{
	*torn_at = -1;
	a->last_seq = 0;
	memcpy(a->last_hash, OUT_AUDIT_ZERO_HASH, 65);
	if (st->st_size == 0)
		return 0;
	_cleanup_close_ int rfd = open(a->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (rfd < 0)
		return pal_err_sys(err, errno, "read audit log %s", a->path);
	size_t window = st->st_size > (off_t)(OUT_AUDIT_MAX_LINE + 1) ? OUT_AUDIT_MAX_LINE + 1
								      : (size_t)st->st_size;
	off_t start = st->st_size - (off_t)window;
	_cleanup_free_ char *buf = pal_xmalloc(window + 1);
	int r = pread_all(rfd, buf, window, start);
	if (r < 0)
		return pal_err_sys(err, -r, "read audit log %s", a->path);
	buf[window] = '\0';

	/* end: one past the last '\n'. Bytes after it belong to a torn line. */
	size_t end = window;
	while (end > 0 && buf[end - 1] != '\n')
		end--;
	if (end < window)
		*torn_at = start + (off_t)end;
	if (end == 0) {
		if (start == 0)
			return 0; /* only a torn first line */
		return pal_err_set(err, EFBIG, "audit log %s: last line exceeds %u bytes", a->path,
				   OUT_AUDIT_MAX_LINE);
	}
	size_t line_end = end - 1; /* the '\n' */
	size_t line_start = line_end;
	while (line_start > 0 && buf[line_start - 1] != '\n')
		line_start--;
	if (line_start == 0 && start > 0)
		return pal_err_set(err, EFBIG, "audit log %s: last line exceeds %u bytes", a->path,
				   OUT_AUDIT_MAX_LINE);
	json_error_t jerr;
	_cleanup_json_ json_t *rec =
	    json_loadb(buf + line_start, line_end - line_start, JSON_REJECT_DUPLICATES, &jerr);
	json_t *seq = rec ? json_object_get(rec, "seq") : NULL;
	json_t *hash = rec ? json_object_get(rec, "hash") : NULL;
	if (!json_is_integer(seq) || json_integer_value(seq) < 1 || !json_is_string(hash) ||
	    json_string_length(hash) != 64)
		return pal_err_set(
		    err, EBADMSG,
		    "audit log %s: the last record is not valid (%s), so new records "
		    "cannot be chained to it; run 'palisade audit verify %s' and move "
		    "the file aside to start a new chain",
		    a->path, rec ? "no seq or hash" : jerr.text, a->path);
	a->last_seq = (uint64_t)json_integer_value(seq);
	memcpy(a->last_hash, json_string_value(hash), 65);
	return 0;
}

static int write_record(struct out_audit *a, const char *type, json_t *payload, struct pal_err *err)
{
	char when[64];
	pal_time_rfc3339_now(when, sizeof(when));
	_cleanup_json_ json_t *rec =
	    json_pack("{s:s, s:I, s:s, s:s, s:O, s:s}", "alg",
		      a->key ? OUT_AUDIT_ALG_HMAC : OUT_AUDIT_ALG_SHA256, "seq",
		      (json_int_t)(a->last_seq + 1), "time", when, "type", type, "payload",
		      payload ? payload : json_null(), "prev", a->last_hash);
	if (!rec)
		return pal_err_set(err, EINVAL,
				   "audit record of type %s: payload is not valid JSON", type);
	char hash[65];
	if (out_audit_record_hash(rec, a->key, a->key_len, hash) < 0)
		return pal_err_set(err, ENOMEM, "audit record: serialization failed");
	json_object_set_new(rec, "hash", json_string(hash));
	_cleanup_free_ char *line = json_dumps(rec, OUT_AUDIT_CANON_FLAGS);
	if (!line)
		return pal_err_set(err, ENOMEM, "audit record: serialization failed");
	size_t len = strlen(line);
	if (len + 1 > OUT_AUDIT_MAX_LINE)
		return pal_err_set(err, EFBIG, "audit record of type %s is %zu bytes, over %u",
				   type, len, OUT_AUDIT_MAX_LINE);
	line[len] = '\n'; /* json_dumps' terminator becomes the line end */
	ssize_t n;
	do
		n = write(a->fd, line, len + 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return pal_err_sys(err, errno, "append to audit log %s", a->path);
	if ((size_t)n != len + 1) /* disk full mid-line: the next append cuts it off */
		return pal_err_set(err, ENOSPC, "append to audit log %s: short write", a->path);
	if (a->sync == OUT_AUDIT_SYNC_EACH && fdatasync(a->fd) < 0)
		return pal_err_sys(err, errno, "fdatasync audit log %s", a->path);
	a->last_seq++;
	memcpy(a->last_hash, hash, 65);
	a->size += (off_t)(len + 1);
	return 0;
}

/* With flock held: makes a->fd the file at a->path, and the cached tail current. */
static int sync_tail(struct out_audit *a, struct pal_err *err)
{
	struct stat by_path, by_fd;
	if (stat(a->path, &by_path) < 0 || fstat(a->fd, &by_fd) < 0 ||
	    by_path.st_dev != by_fd.st_dev || by_path.st_ino != by_fd.st_ino)
		return -EAGAIN; /* rotated or removed: reopen and lock the new file */
	if (a->cached && by_fd.st_dev == a->dev && by_fd.st_ino == a->ino &&
	    by_fd.st_size == a->size)
		return 0;
	off_t torn_at;
	int r = read_tail(a, &by_fd, &torn_at, err);
	if (r < 0)
		return r;
	a->dev = by_fd.st_dev;
	a->ino = by_fd.st_ino;
	a->size = by_fd.st_size;
	a->cached = true;
	if (torn_at < 0)
		return 0;

	/* Cut the torn line and say so in the chain itself. */
	size_t frag_len = (size_t)(by_fd.st_size - torn_at);
	_cleanup_free_ char *frag = pal_xmalloc(frag_len ? frag_len : 1);
	_cleanup_close_ int rfd = open(a->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (rfd < 0 || pread_all(rfd, frag, frag_len, torn_at) < 0)
		return pal_err_sys(err, errno ? errno : EIO, "read torn tail of %s", a->path);
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[65];
	SHA256((unsigned char *)frag, frag_len, md);
	out_audit_hex(md, sizeof(md), hex);
	if (ftruncate(a->fd, torn_at) < 0)
		return pal_err_sys(err, errno, "cut torn tail of audit log %s", a->path);
	a->size = torn_at;
	_cleanup_json_ json_t *p =
	    json_pack("{s:I, s:s}", "bytes", (json_int_t)frag_len, "sha256", hex);
	return write_record(a, "audit_torn_tail", p, err);
}

static int lock_current(struct out_audit *a, struct pal_err *err)
{
	for (int tries = 0; tries < 8; tries++) {
		if (flock(a->fd, LOCK_EX) < 0)
			return pal_err_sys(err, errno, "lock audit log %s", a->path);
		int r = sync_tail(a, err);
		if (r != -EAGAIN) {
			if (r < 0)
				flock(a->fd, LOCK_UN);
			return r;
		}
		flock(a->fd, LOCK_UN);
		r = open_log(a, err);
		if (r < 0)
			return r;
	}
	return pal_err_set(err, EAGAIN, "audit log %s keeps being replaced", a->path);
}

static bool type_ok(const char *t)
{
	size_t n = t ? strlen(t) : 0;
	if (n == 0 || n > 64)
		return false;
	for (const char *p = t; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '.' || *p == '-'))
			return false;
	return true;
}

int out_audit_append(struct out_audit *a, const char *type, json_t *payload, uint64_t *seq,
		     struct pal_err *err)
{
	if (!type_ok(type))
		return pal_err_set(err, EINVAL, "audit record type '%s' must be [a-z0-9_.-]{1,64}",
				   type ? type : "");
	pthread_mutex_lock(&a->lock);
	int r = lock_current(a, err);
	if (r == 0) {
		r = write_record(a, type, payload, err);
		if (r < 0)
			a->cached = false; /* re-read the tail next time */
		else if (seq)
			*seq = a->last_seq;
		flock(a->fd, LOCK_UN);
	}
	pthread_mutex_unlock(&a->lock);
	return r;
}

int out_audit_open(const struct out_audit_opts *o, struct out_audit **out, struct pal_err *err)
{
	struct out_audit *a = pal_xcalloc(1, sizeof(*a));
	pthread_mutex_init(&a->lock, NULL);
	a->fd = -1;
	a->path = pal_xstrdup(o && o->path ? o->path : OUT_AUDIT_DEFAULT_PATH);
	a->sync = o ? o->sync : OUT_AUDIT_SYNC_EACH;
	int r = 0;
	if (o && o->key_file)
		r = out_audit_load_key(o->key_file, &a->key, &a->key_len, err);
	if (r == 0) {
		_cleanup_free_ char *dir = pal_xstrdup(a->path);
		r = pal_mkdir_p(dirname(dir), 0700, err);
	}
	if (r == 0)
		r = open_log(a, err);
	if (r == 0) {
		/* Fail now, not at the first alert, if the chain cannot be continued. */
		r = lock_current(a, err);
		if (r == 0)
			flock(a->fd, LOCK_UN);
	}
	if (r < 0) {
		out_audit_close(a);
		return r;
	}
	*out = a;
	return 0;
}

void out_audit_close(struct out_audit *a)
{
	if (!a)
		return;
	if (a->fd >= 0)
		close(a->fd);
	if (a->key) {
		OPENSSL_cleanse(a->key, a->key_len);
		free(a->key);
	}
	pthread_mutex_destroy(&a->lock);
	free(a->path);
	free(a);
}
