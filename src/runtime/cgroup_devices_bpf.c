/* Device access on pure cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program
 * generated from the rules, attached to the container's directory.
 *
 * The program tests the rules from the last to the first: the first hit (so
 * the last matching rule in config order) returns its verdict, nothing
 * matching denies. That is the meaning the v1 writer gives the same list
 * (deny all, then replay in order).
 *
 * Each rule is one block with a single conditional jump: its conditions are
 * folded without branches into r6 (non-zero = some field differs), then
 * "if r6 != 0 goto next block", else return the verdict. The verifier walks
 * a branch by pushing the other side on a stack of at most 8192 entries;
 * one branch per block whose fall-through ends at once keeps that stack
 * flat, where a jump per condition would overflow it near 4000 rules. Each
 * block also loads the context fields itself, so no register is live where
 * blocks meet and the verifier prunes every later visit.
 *
 *   r2 = device type (1 block, 2 char)   r3 = requested access bits
 *   r4 = major   r5 = minor   r6 = mismatch accumulator
 */
#include "cgroup_internal.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/strutil.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ALL_ACCESS (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static struct bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
	return i;
}

#define LDX_W(dst, off)	     insn(BPF_LDX | BPF_MEM | BPF_W, (dst), BPF_REG_1, (off), 0)
#define AND32_K(dst, k)	     insn(BPF_ALU | BPF_AND | BPF_K, (dst), 0, 0, (k))
#define XOR32_K(dst, k)	     insn(BPF_ALU | BPF_XOR | BPF_K, (dst), 0, 0, (k))
#define RSH32_K(dst, k)	     insn(BPF_ALU | BPF_RSH | BPF_K, (dst), 0, 0, (k))
#define SUB64_K(dst, k)	     insn(BPF_ALU64 | BPF_SUB | BPF_K, (dst), 0, 0, (k))
#define RSH64_K(dst, k)	     insn(BPF_ALU64 | BPF_RSH | BPF_K, (dst), 0, 0, (k))
#define OR64_X(dst, src)     insn(BPF_ALU64 | BPF_OR | BPF_X, (dst), (src), 0, 0)
#define MOV64_K(dst, k)	     insn(BPF_ALU64 | BPF_MOV | BPF_K, (dst), 0, 0, (k))
#define JNE64_K(dst, k, off) insn(BPF_JMP | BPF_JNE | BPF_K, (dst), 0, (off), (k))
#define EXIT()		     insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
};

static void emit(struct prog *p, struct bpf_insn i)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = pal_xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n++] = i;
}

/* Appends one rule's block; returns true when it matches unconditionally
 * (everything after it could never run, and the verifier rejects dead code). */
static bool emit_rule(struct prog *p, const struct rt_device_rule *r, unsigned acc)
{
	const int16_t type_off = offsetof(struct bpf_cgroup_dev_ctx, access_type);
	bool conditional = r->type != 'a' || acc != ALL_ACCESS || r->major >= 0 || r->minor >= 0;
	if (conditional)
		emit(p, MOV64_K(BPF_REG_6, 0));
	if (r->type != 'a') {
		emit(p, LDX_W(BPF_REG_2, type_off));
		emit(p, AND32_K(BPF_REG_2, 0xFFFF));
		emit(p,
		     XOR32_K(BPF_REG_2, r->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK));
		emit(p, OR64_X(BPF_REG_6, BPF_REG_2));
	}
	if (acc != ALL_ACCESS) {
		emit(p, LDX_W(BPF_REG_3, type_off));
		emit(p, RSH32_K(BPF_REG_3, 16));
		if (r->allow) { /* mismatch: a requested bit the rule does not grant */
			emit(p, AND32_K(BPF_REG_3, (int32_t)(~acc & ALL_ACCESS)));
		} else { /* mismatch: no requested bit is one the rule denies */
			emit(p, AND32_K(BPF_REG_3, (int32_t)acc));
			emit(p, SUB64_K(BPF_REG_3, 1)); /* 0 - 1 sets bit 63, 1..7 - 1 does not */
			emit(p, RSH64_K(BPF_REG_3, 63));
		}
		emit(p, OR64_X(BPF_REG_6, BPF_REG_3));
	}
	if (r->major >= 0) {
		emit(p, LDX_W(BPF_REG_4, offsetof(struct bpf_cgroup_dev_ctx, major)));
		emit(p, XOR32_K(BPF_REG_4, (int32_t)(uint32_t)r->major));
		emit(p, OR64_X(BPF_REG_6, BPF_REG_4));
	}
	if (r->minor >= 0) {
		emit(p, LDX_W(BPF_REG_5, offsetof(struct bpf_cgroup_dev_ctx, minor)));
		emit(p, XOR32_K(BPF_REG_5, (int32_t)(uint32_t)r->minor));
		emit(p, OR64_X(BPF_REG_6, BPF_REG_5));
	}
	if (conditional)
		emit(p, JNE64_K(BPF_REG_6, 0, 2)); /* over the verdict and exit */
	emit(p, MOV64_K(BPF_REG_0, r->allow ? 1 : 0));
	emit(p, EXIT());
	return !conditional;
}

int cg_bpf_devices_build(const struct rt_device_rule *rules, size_t n, struct bpf_insn **insns,
			 size_t *n_insns, struct pal_err *err)
{
	*insns = NULL;
	*n_insns = 0;
	if (n > 4096)
		return pal_err_set(err, E2BIG, "linux.resources.devices: %zu rules (at most 4096)",
				   n);
	/* Every rule is checked, also those an allow-all after them hides. */
	unsigned *acc = pal_xcalloc(n ? n : 1, sizeof(*acc));
	for (size_t i = 0; i < n; i++) {
		char field[64];
		snprintf(field, sizeof(field), "linux.resources.devices[%zu]", i);
		int r = cg_val_device_rule(&rules[i], field, &acc[i], err);
		if (r < 0) {
			free(acc);
			return r;
		}
	}
	struct prog p = {0};
	bool done = false;
	for (size_t i = n; i-- > 0 && !done;)
		done = emit_rule(&p, &rules[i], acc[i]);
	free(acc);
	if (!done) { /* nothing matched: deny */
		emit(&p, MOV64_K(BPF_REG_0, 0));
		emit(&p, EXIT());
	}
	*insns = p.v;
	*n_insns = p.n;
	return 0;
}

int cg_bpf_devices_load(const struct bpf_insn *insns, size_t n_insns, struct pal_err *err)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = (uint32_t)n_insns;
	a.license = (uint64_t)(uintptr_t) "Apache-2.0";
	snprintf(a.prog_name, sizeof(a.prog_name), "palisade_dev");
	long fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		return (int)fd;
	int e = errno;
	/* Load again with the verifier's log, for a message that says why. */
	_cleanup_free_ char *log = pal_xcalloc(1, 65536);
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = 65536;
	a.log_level = 1;
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		return (int)fd;
	size_t len = strlen(log);
	const char *tail = len > 400 ? log + len - 400 : log;
	return pal_err_sys(err, e,
			   "load the device cgroup BPF program (%zu instructions; "
			   "verifier: %s)",
			   n_insns, *tail ? tail : "no log");
}

static int prog_id_of(int fd, uint32_t *id)
{
	struct bpf_prog_info info;
	memset(&info, 0, sizeof(info));
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uint64_t)(uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0)
		return -errno;
	*id = info.id;
	return 0;
}

/* Detaches every device program on the directory except keep_id. */
static int detach_others(int cgroup_fd, const char *path, uint32_t keep_id, struct pal_err *err)
{
	uint32_t ids[64];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)cgroup_fd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = 64;
	if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
		return pal_err_sys(err, errno, "query device programs of %s", path);
	for (uint32_t i = 0; i < a.query.prog_cnt && i < 64; i++) {
		if (ids[i] == keep_id)
			continue;
		union bpf_attr g;
		memset(&g, 0, sizeof(g));
		g.prog_id = ids[i];
		_cleanup_close_ int pfd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
		if (pfd < 0) {
			if (errno == ENOENT)
				continue;
			return pal_err_sys(err, errno, "open device program %u of %s", ids[i],
					   path);
		}
		union bpf_attr d;
		memset(&d, 0, sizeof(d));
		d.target_fd = (uint32_t)cgroup_fd;
		d.attach_bpf_fd = (uint32_t)pfd;
		d.attach_type = BPF_CGROUP_DEVICE;
		if (sys_bpf(BPF_PROG_DETACH, &d) < 0 && errno != ENOENT)
			return pal_err_sys(err, errno, "detach old device program %u from %s",
					   ids[i], path);
	}
	return 0;
}

int cg_bpf_devices_apply(int cgroup_fd, const char *cgroup_path, const struct rt_device_rule *rules,
			 size_t n, struct pal_err *err)
{
	_cleanup_free_ struct bpf_insn *insns = NULL;
	size_t n_insns = 0;
	int r = cg_bpf_devices_build(rules, n, &insns, &n_insns, err);
	if (r < 0)
		return r;
	/* The attachment holds the program; our fd is closed on return. */
	_cleanup_close_ int prog = cg_bpf_devices_load(insns, n_insns, err);
	if (prog < 0)
		return pal_err_prefix(err, "linux.resources.devices");
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgroup_fd;
	a.attach_bpf_fd = (uint32_t)prog;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return pal_err_sys(err, errno,
				   "linux.resources.devices: attach the device program to %s",
				   cgroup_path);
	uint32_t id = 0;
	if ((r = prog_id_of(prog, &id)) < 0)
		return pal_err_sys(err, -r, "linux.resources.devices: read the program id");
	/* Old rules go only once the new ones are in force: no window without any. */
	if ((r = detach_others(cgroup_fd, cgroup_path, id, err)) < 0)
		return pal_err_prefix(err, "linux.resources.devices");
	pal_debug("cgroup %s: device program %u attached (%zu instructions, %zu rules)",
		  cgroup_path, id, n_insns, n);
	return 0;
}
