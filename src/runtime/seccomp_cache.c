#include "runtime/seccomp_cache.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MAGIC	"PALSECC1"
#define CACHE_MAX_BYTES (1u << 20)

/* Length-prefixed strings keep the description unambiguous whatever the names contain. */
static void put_str(struct pal_buf *b, const char *s)
{
	if (!s) {
		pal_buf_puts(b, "-;");
		return;
	}
	pal_buf_printf(b, "%zu:", strlen(s));
	pal_buf_puts(b, s);
	pal_buf_putc(b, ';');
}

static void put_strv(struct pal_buf *b, char *const *v)
{
	pal_buf_printf(b, "[%zu]", pal_strv_len(v));
	for (size_t i = 0; v && v[i]; i++)
		put_str(b, v[i]);
}

char *rt_seccomp_cache_key(const struct rt_seccomp *cfg, const struct rt_seccomp_build_opts *opts,
			   size_t *len)
{
	struct pal_buf b;
	pal_buf_init(&b);
	const struct scmp_version *v = seccomp_version();
	pal_buf_printf(&b, "palisade %s libseccomp %u.%u.%u\n", PAL_VERSION, v ? v->major : 0,
		       v ? v->minor : 0, v ? v->micro : 0);
	pal_buf_printf(&b, "log %d caps %llx\n", opts->log_denials ? 1 : 0,
		       (unsigned long long)opts->effective_caps);
	if (!cfg) {
		pal_buf_puts(&b, "default\n");
	} else {
		pal_buf_printf(&b, "action %d %d %u\n", (int)cfg->default_action,
			       cfg->has_default_errno_ret, cfg->default_errno_ret);
		put_strv(&b, cfg->architectures);
		put_strv(&b, cfg->flags);
		put_str(&b, cfg->listener_path);
		put_str(&b, cfg->listener_metadata);
		pal_buf_printf(&b, "\nrules %zu\n", cfg->n_syscalls);
		for (size_t i = 0; i < cfg->n_syscalls; i++) {
			const struct rt_seccomp_rule *r = &cfg->syscalls[i];
			pal_buf_printf(&b, "%d %d %u ", (int)r->action, r->has_errno_ret,
				       r->errno_ret);
			put_strv(&b, r->names);
			for (size_t a = 0; a < r->n_args; a++)
				pal_buf_printf(&b, " %u:%llx:%llx:%d", r->args[a].index,
					       (unsigned long long)r->args[a].value,
					       (unsigned long long)r->args[a].value_two,
					       (int)r->args[a].op);
			pal_buf_putc(&b, '\n');
		}
	}
	*len = b.len;
	return pal_buf_steal(&b);
}

/* FNV-1a names the file; the full key inside decides the hit. */
static char *entry_path(const char *root, const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3ull;
	}
	return pal_xasprintf("%s/seccomp-cache/%016llx.bin", root, (unsigned long long)h);
}

int rt_seccomp_cache_get(const char *root, const char *key, size_t key_len,
			 struct rt_seccomp_program *out)
{
	_cleanup_free_ char *path = entry_path(root, key, key_len);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -ENOENT;
	struct stat st;
	/* Only an entry we wrote ourselves: root-owned, not writable by others. */
	if (fstat(fd, &st) < 0 || st.st_uid != 0 || (st.st_mode & 022) || !S_ISREG(st.st_mode))
		return -ENOENT;
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (pal_read_fd(fd, CACHE_MAX_BYTES, &data, &len) < 0)
		return -ENOENT;
	size_t hdr = sizeof(CACHE_MAGIC) - 1 + sizeof(uint64_t);
	if (len < hdr || memcmp(data, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) != 0)
		return -ENOENT;
	uint64_t stored_len;
	memcpy(&stored_len, data + sizeof(CACHE_MAGIC) - 1, sizeof(stored_len));
	if (stored_len != key_len || len - hdr < key_len || memcmp(data + hdr, key, key_len) != 0)
		return -ENOENT;
	struct pal_err e = {0};
	if (rt_seccomp_program_load_buf(data + hdr + key_len, len - hdr - key_len, path, out, &e) <
	    0) {
		pal_debug("seccomp cache: ignoring %s: %s", path, e.msg);
		return -ENOENT;
	}
	return 0;
}

int rt_seccomp_cache_put(const char *root, const char *key, size_t key_len,
			 const struct rt_seccomp_program *p, struct pal_err *err)
{
	_cleanup_free_ char *dir = pal_xasprintf("%s/seccomp-cache", root);
	int r = pal_mkdir_p(dir, 0700, err);
	if (r < 0)
		return r;
	size_t plen = 0;
	_cleanup_free_ char *prog = rt_seccomp_program_serialize(p, &plen);
	if (!prog)
		return pal_err_set(err, ENOMEM, "serialize seccomp program");
	struct pal_buf b;
	pal_buf_init(&b);
	pal_buf_append(&b, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1);
	uint64_t kl = key_len;
	pal_buf_append(&b, &kl, sizeof(kl));
	pal_buf_append(&b, key, key_len);
	pal_buf_append(&b, prog, plen);
	_cleanup_free_ char *path = entry_path(root, key, key_len);
	r = pal_write_file_replace(path, b.data, b.len, 0600, err);
	pal_buf_free(&b);
	return r;
}

int rt_seccomp_compile_cached(const char *root, const struct rt_seccomp *cfg,
			      const struct rt_seccomp_build_opts *opts,
			      struct rt_seccomp_program *out, struct pal_err *err)
{
	size_t key_len = 0;
	_cleanup_free_ char *key = rt_seccomp_cache_key(cfg, opts, &key_len);
	if (rt_seccomp_cache_get(root, key, key_len, out) == 0)
		return 0;
	int r = rt_seccomp_compile(cfg, opts, out, err);
	if (r < 0)
		return r;
	struct pal_err e = {0};
	if (rt_seccomp_cache_put(root, key, key_len, out, &e) < 0)
		pal_debug("seccomp cache: %s", e.msg);
	return 0;
}
