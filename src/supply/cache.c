/* Verification verdicts, cached by (policy generation, digest, scope).
 *
 * The runtime is a short-lived process, so besides the in-memory table the
 * cache keeps one file per verdict under its directory. A file is trusted
 * only if its HMAC-SHA256 (key: the directory's private .hmac-key) checks,
 * and the directory is only used when we own it and nobody else can write it. */
#include "supply.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_SLOTS    4096
#define CACHE_PROBE    8
#define RECORD_MAGIC   0x50414c56u /* "PALV" */
#define RECORD_VERSION 1

struct slot {
	bool used;
	unsigned char key[32];
	struct sup_verdict v;
};

struct sup_cache {
	struct slot *slots;
	int dirfd;
	unsigned char hmac_key[crypto_auth_hmacsha256_KEYBYTES];
};

/* On-disk record: fixed layout, written and read by the same code. */
struct record {
	uint32_t magic;
	uint32_t version;
	unsigned char key[32];
	struct sup_verdict v;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
};

void sup_cache_key(const char *generation, const char *digest, const char *scope,
		   unsigned char key[32])
{
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)generation, strlen(generation) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)digest, strlen(digest) + 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)scope, strlen(scope) + 1);
	crypto_hash_sha256_final(&st, key);
}

static int check_owned_private(int fd, const char *what, bool dir, struct pal_err *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return pal_err_sys(err, errno, "stat %s", what);
	if (st.st_uid != geteuid())
		return pal_err_set(err, EPERM,
				   "%s is owned by uid %u, not by us (uid %u): not used", what,
				   st.st_uid, geteuid());
	if (dir ? (st.st_mode & 022) : (st.st_mode & 077))
		return pal_err_set(err, EPERM,
				   "%s has mode %04o: others can %s it; chmod %s and retry", what,
				   st.st_mode & 07777, dir ? "write" : "read", dir ? "700" : "600");
	return 0;
}

static int load_hmac_key(struct sup_cache *c, const char *dir, struct pal_err *err)
{
	_cleanup_close_ int fd = openat(c->dirfd, ".hmac-key", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		unsigned char k[sizeof(c->hmac_key)];
		randombytes_buf(k, sizeof(k));
		fd = openat(c->dirfd, ".hmac-key",
			    O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			if (pal_write_all(fd, k, sizeof(k)) < 0 || fsync(fd) < 0)
				return pal_err_sys(err, errno, "write %s/.hmac-key", dir);
			memcpy(c->hmac_key, k, sizeof(k));
			sodium_memzero(k, sizeof(k));
			return 0;
		}
		if (errno == EEXIST) /* another process made it first */
			fd = openat(c->dirfd, ".hmac-key", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return pal_err_sys(err, errno, "open %s/.hmac-key", dir);
	_cleanup_free_ char *what = pal_xasprintf("%s/.hmac-key", dir);
	int r = check_owned_private(fd, what, false, err);
	if (r < 0)
		return r;
	ssize_t n = read(fd, c->hmac_key, sizeof(c->hmac_key));
	if (n != (ssize_t)sizeof(c->hmac_key))
		return pal_err_set(err, EINVAL, "%s is truncated: remove it", what);
	return 0;
}

int sup_cache_open(const char *dir, struct sup_cache **out, struct pal_err *err)
{
	struct sup_cache *c = pal_xcalloc(1, sizeof(*c));
	c->slots = pal_xcalloc(CACHE_SLOTS, sizeof(*c->slots));
	c->dirfd = -1;
	if (dir) {
		int r = pal_mkdir_p(dir, 0700, err);
		if (r == 0) {
			c->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (c->dirfd < 0)
				r = pal_err_sys(err, errno, "open cache directory %s", dir);
		}
		if (r == 0)
			r = check_owned_private(c->dirfd, dir, true, err);
		if (r == 0)
			r = load_hmac_key(c, dir, err);
		if (r < 0) {
			sup_cache_close(c);
			return pal_err_prefix(err, "verification cache");
		}
	}
	*out = c;
	return 0;
}

void sup_cache_close(struct sup_cache *c)
{
	if (!c)
		return;
	if (c->dirfd >= 0)
		close(c->dirfd);
	sodium_memzero(c->hmac_key, sizeof(c->hmac_key));
	free(c->slots);
	free(c);
}

static struct slot *find_slot(struct sup_cache *c, const unsigned char key[32], bool for_put)
{
	uint64_t h;
	memcpy(&h, key, sizeof(h));
	struct slot *victim = NULL;
	for (size_t i = 0; i < CACHE_PROBE; i++) {
		struct slot *s = &c->slots[(h + i) % CACHE_SLOTS];
		if (s->used && !memcmp(s->key, key, 32))
			return s;
		if (for_put && !s->used && !victim)
			victim = s;
	}
	if (for_put && !victim)
		victim = &c->slots[h % CACHE_SLOTS];
	return victim;
}

static void file_name(const unsigned char key[32], char out[65])
{
	sup_hex_encode(key, 32, out);
}

static void mac_record(struct sup_cache *c, const struct record *rec, unsigned char *mac)
{
	crypto_auth_hmacsha256(mac, (const unsigned char *)rec, offsetof(struct record, mac),
			       c->hmac_key);
}

static bool disk_get(struct sup_cache *c, const unsigned char key[32], struct sup_verdict *v)
{
	char name[65];
	file_name(key, name);
	_cleanup_close_ int fd = openat(c->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	struct record rec;
	if (read(fd, &rec, sizeof(rec)) != (ssize_t)sizeof(rec))
		return false;
	unsigned char mac[sizeof(rec.mac)];
	mac_record(c, &rec, mac);
	if (rec.magic != RECORD_MAGIC || rec.version != RECORD_VERSION ||
	    sodium_memcmp(mac, rec.mac, sizeof(mac)) != 0 || memcmp(rec.key, key, 32) != 0)
		return false;
	/* strings came from our own struct; make sure they end inside it */
	rec.v.reason[sizeof(rec.v.reason) - 1] = '\0';
	rec.v.scope[sizeof(rec.v.scope) - 1] = '\0';
	rec.v.keys[sizeof(rec.v.keys) - 1] = '\0';
	rec.v.fingerprint[sizeof(rec.v.fingerprint) - 1] = '\0';
	rec.v.signature[sizeof(rec.v.signature) - 1] = '\0';
	rec.v.digest[sizeof(rec.v.digest) - 1] = '\0';
	*v = rec.v;
	return true;
}

bool sup_cache_get(struct sup_cache *c, const unsigned char key[32], int64_t now,
		   struct sup_verdict *v)
{
	struct slot *s = find_slot(c, key, false);
	if (s && s->used) {
		if (now < s->v.expires) {
			*v = s->v;
			v->cached = true;
			return true;
		}
		s->used = false;
	}
	if (c->dirfd < 0)
		return false;
	struct sup_verdict dv;
	if (!disk_get(c, key, &dv) || now >= dv.expires)
		return false;
	struct slot *ns = find_slot(c, key, true);
	ns->used = true;
	memcpy(ns->key, key, 32);
	ns->v = dv;
	*v = dv;
	v->cached = true;
	return true;
}

void sup_cache_put(struct sup_cache *c, const unsigned char key[32], const struct sup_verdict *v)
{
	/* Denials are not cached: a signature or report added afterwards must be
	 * seen at once, and a denial costs the caller nothing it would save. */
	if (!v->allow || v->expires <= v->decided_at)
		return;
	struct slot *s = find_slot(c, key, true);
	s->used = true;
	memcpy(s->key, key, 32);
	s->v = *v;
	s->v.cached = false;
	if (c->dirfd < 0)
		return;
	struct record rec;
	memset(&rec, 0, sizeof(rec));
	rec.magic = RECORD_MAGIC;
	rec.version = RECORD_VERSION;
	memcpy(rec.key, key, 32);
	rec.v = s->v;
	mac_record(c, &rec, rec.mac);
	char name[65], tmp[80];
	file_name(key, name);
	snprintf(tmp, sizeof(tmp), ".tmp-%s-%d", name, (int)getpid());
	_cleanup_close_ int fd =
	    openat(c->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return; /* a cache that cannot be written is only slower */
	if (pal_write_all(fd, &rec, sizeof(rec)) < 0 || renameat(c->dirfd, tmp, c->dirfd, name) < 0)
		unlinkat(c->dirfd, tmp, 0);
}

int sup_cache_clear(struct sup_cache *c, struct pal_err *err)
{
	memset(c->slots, 0, CACHE_SLOTS * sizeof(*c->slots));
	if (c->dirfd < 0)
		return 0;
	int fd = dup(c->dirfd);
	if (fd < 0)
		return pal_err_sys(err, errno, "dup");
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return pal_err_sys(err, errno, "read cache directory");
	}
	rewinddir(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strlen(de->d_name) == 64 || pal_str_starts_with(de->d_name, ".tmp-"))
			unlinkat(c->dirfd, de->d_name, 0);
	}
	return 0;
}
