/* The compiled filter in the runtime state dir, so `exec` loads exactly the
 * filter the container got. Layout (little-endian):
 *
 *   "PALSCMP\0"  magic, 8 bytes
 *   u32 version (1)   u32 flags   u32 needs_listener (0/1)   u32 n_insns
 *   u32 len + bytes   listener path      (len 0xffffffff: absent)
 *   u32 len + bytes   listener metadata  (len 0xffffffff: absent)
 *   n_insns × { u16 code, u8 jt, u8 jf, u32 k }
 *
 * and nothing after. Loading checks every field against these bounds. */
#include "runtime/seccomp.h"
#include "runtime/seccomp_priv.h"

#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/strutil.h"

#include <errno.h>
#include <string.h>

#define STORE_MAGIC	 "PALSCMP"
#define STORE_MAGIC_LEN	 8
#define STORE_VERSION	 1U
#define STORE_HEADER_LEN (STORE_MAGIC_LEN + 4 * 4)
#define STORE_ABSENT	 0xffffffffU
#define STORE_INSN_LEN	 8U
#define STORE_MAX_LEN                                                                              \
	(STORE_HEADER_LEN + 8 + RT_SECCOMP_MAX_LISTENER_PATH + RT_SECCOMP_MAX_LISTENER_METADATA +  \
	 BPF_MAXINSNS * STORE_INSN_LEN)

/* Flags a compiled program can carry. */
#define STORE_FLAGS                                                                                \
	(RT_SECCOMP_FLAG_TSYNC | RT_SECCOMP_FLAG_LOG | RT_SECCOMP_FLAG_SPEC_ALLOW |                \
	 RT_SECCOMP_FLAG_NEW_LISTENER | RT_SECCOMP_FLAG_WAIT_KILLABLE_RECV)

static void put_u32(struct pal_buf *b, uint32_t v)
{
	unsigned char le[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24};
	pal_buf_append(b, le, sizeof(le));
}

static void put_str(struct pal_buf *b, const char *s)
{
	if (!s) {
		put_u32(b, STORE_ABSENT);
		return;
	}
	size_t n = strlen(s);
	put_u32(b, (uint32_t)n);
	pal_buf_append(b, s, n);
}

char *rt_seccomp_program_serialize(const struct rt_seccomp_program *p, size_t *len)
{
	struct pal_buf b;
	pal_buf_init(&b);
	pal_buf_append(&b, STORE_MAGIC, STORE_MAGIC_LEN); /* includes the NUL */
	put_u32(&b, STORE_VERSION);
	put_u32(&b, p->flags);
	put_u32(&b, p->needs_listener ? 1 : 0);
	put_u32(&b, (uint32_t)p->n_insns);
	put_str(&b, p->listener_path);
	put_str(&b, p->listener_metadata);
	for (size_t i = 0; i < p->n_insns; i++) {
		const struct sock_filter *f = &p->insns[i];
		unsigned char le[2] = {f->code & 0xff, f->code >> 8};
		pal_buf_append(&b, le, 2);
		pal_buf_append(&b, &f->jt, 1);
		pal_buf_append(&b, &f->jf, 1);
		put_u32(&b, f->k);
	}
	*len = b.len;
	return pal_buf_steal(&b);
}

int rt_seccomp_program_save(const struct rt_seccomp_program *p, const char *path,
			    struct pal_err *err)
{
	if (!p->insns || p->n_insns == 0 || p->n_insns > BPF_MAXINSNS)
		return pal_err_set(err, EINVAL,
				   "save seccomp filter %s: the program has %zu "
				   "instructions (expected 1-%d)",
				   path, p->n_insns, BPF_MAXINSNS);
	size_t len;
	_cleanup_free_ char *data = rt_seccomp_program_serialize(p, &len);
	int r = pal_write_file_replace(path, data, len, 0600, err);
	if (r < 0)
		return pal_err_prefix(err, "save seccomp filter");
	return 0;
}

struct reader {
	const unsigned char *p;
	size_t left;
	const char *src;
	struct pal_err *err;
};

static int get_u32(struct reader *r, const char *what, uint32_t *v)
{
	if (r->left < 4)
		return pal_err_set(r->err, EINVAL, "%s: truncated at %s", r->src, what);
	*v = (uint32_t)r->p[0] | (uint32_t)r->p[1] << 8 | (uint32_t)r->p[2] << 16 |
	     (uint32_t)r->p[3] << 24;
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int get_str(struct reader *r, const char *what, uint32_t max, char **out)
{
	uint32_t n;
	int e = get_u32(r, what, &n);
	if (e < 0)
		return e;
	if (n == STORE_ABSENT)
		return 0;
	if (n > max)
		return pal_err_set(r->err, EINVAL, "%s: %s is %u bytes long (at most %u)", r->src,
				   what, n, max);
	if (r->left < n)
		return pal_err_set(r->err, EINVAL,
				   "%s: %s is truncated (%u bytes announced, %zu "
				   "left)",
				   r->src, what, n, r->left);
	if (memchr(r->p, '\0', n))
		return pal_err_set(r->err, EINVAL, "%s: %s contains a NUL byte", r->src, what);
	*out = pal_xstrndup((const char *)r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

/* The kernel verifies the program again at load; these checks turn a
 * damaged file into an error that names it instead of a failure inside
 * the container's init. */
static int check_program(const struct sock_filter *insns, size_t n, const char *src,
			 struct pal_err *err)
{
	for (size_t i = 0; i < n; i++) {
		if (BPF_CLASS(insns[i].code) != BPF_JMP)
			continue;
		size_t rest = n - i - 1;
		bool always = BPF_OP(insns[i].code) == BPF_JA;
		if ((always && insns[i].k >= rest) ||
		    (!always && (insns[i].jt >= rest || insns[i].jf >= rest)))
			return pal_err_set(err, EINVAL,
					   "%s: instruction %zu jumps past the end of the program",
					   src, i);
	}
	if (BPF_CLASS(insns[n - 1].code) != BPF_RET)
		return pal_err_set(err, EINVAL, "%s: the program does not end with a return", src);
	return 0;
}

int rt_seccomp_program_load_buf(const void *data, size_t len, const char *source_name,
				struct rt_seccomp_program *out, struct pal_err *err)
{
	memset(out, 0, sizeof(*out));
	const char *src = source_name ? source_name : "seccomp filter";
	struct reader r = {.p = data, .left = len, .src = src, .err = err};
	if (len < STORE_HEADER_LEN || memcmp(data, STORE_MAGIC, STORE_MAGIC_LEN) != 0)
		return pal_err_set(err, EINVAL,
				   "%s: not a compiled seccomp filter (bad magic); delete the "
				   "container and create it again",
				   src);
	r.p += STORE_MAGIC_LEN;
	r.left -= STORE_MAGIC_LEN;
	uint32_t version, flags, listener, n;
	if (get_u32(&r, "version", &version) < 0 || get_u32(&r, "flags", &flags) < 0 ||
	    get_u32(&r, "listener", &listener) < 0 || get_u32(&r, "count", &n) < 0)
		return -EINVAL;
	if (version != STORE_VERSION)
		return pal_err_set(err, EINVAL,
				   "%s: format version %u, this runtime reads version %u; recreate "
				   "the container",
				   src, version, STORE_VERSION);
	if (flags & ~STORE_FLAGS)
		return pal_err_set(err, EINVAL, "%s: unknown filter flags %#x", src,
				   flags & ~STORE_FLAGS);
	if (listener > 1)
		return pal_err_set(err, EINVAL, "%s: listener field is %u (expected 0 or 1)", src,
				   listener);
	if (!!(flags & RT_SECCOMP_FLAG_NEW_LISTENER) != listener)
		return pal_err_set(err, EINVAL,
				   "%s: the NEW_LISTENER flag disagrees with the listener field",
				   src);
	if ((flags & RT_SECCOMP_FLAG_WAIT_KILLABLE_RECV) && !listener)
		return pal_err_set(err, EINVAL, "%s: WAIT_KILLABLE_RECV without a listener", src);
	if (n == 0 || n > BPF_MAXINSNS)
		return pal_err_set(err, EINVAL, "%s: %u instructions (expected 1-%d)", src, n,
				   BPF_MAXINSNS);
	struct rt_seccomp_program p = {.flags = flags, .needs_listener = listener == 1};
	int e = get_str(&r, "listener path", RT_SECCOMP_MAX_LISTENER_PATH, &p.listener_path);
	if (e == 0)
		e = get_str(&r, "listener metadata", RT_SECCOMP_MAX_LISTENER_METADATA,
			    &p.listener_metadata);
	if (e == 0 && p.needs_listener && (!p.listener_path || !*p.listener_path))
		e = pal_err_set(err, EINVAL, "%s: a listener is needed but no path is recorded",
				src);
	if (e == 0 && r.left != (size_t)n * STORE_INSN_LEN)
		e = pal_err_set(err, EINVAL,
				"%s: %zu bytes of instructions for a count of %u (expected %zu)",
				src, r.left, n, (size_t)n * STORE_INSN_LEN);
	if (e < 0) {
		rt_seccomp_program_free(&p);
		return e;
	}
	p.insns = pal_xcalloc(n, sizeof(*p.insns));
	p.n_insns = n;
	for (size_t i = 0; i < n; i++) {
		const unsigned char *q = r.p + i * STORE_INSN_LEN;
		p.insns[i].code = (uint16_t)(q[0] | q[1] << 8);
		p.insns[i].jt = q[2];
		p.insns[i].jf = q[3];
		p.insns[i].k = (uint32_t)q[4] | (uint32_t)q[5] << 8 | (uint32_t)q[6] << 16 |
			       (uint32_t)q[7] << 24;
	}
	e = check_program(p.insns, n, src, err);
	if (e < 0) {
		rt_seccomp_program_free(&p);
		return e;
	}
	*out = p;
	return 0;
}

int rt_seccomp_program_load_file(const char *path, struct rt_seccomp_program *out,
				 struct pal_err *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	int r = pal_read_file(path, STORE_MAX_LEN, &data, &len, err);
	if (r < 0)
		return pal_err_prefix(err, "load seccomp filter");
	return rt_seccomp_program_load_buf(data, len, path, out, err);
}
