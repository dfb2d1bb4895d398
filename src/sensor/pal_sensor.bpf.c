// SPDX-License-Identifier: GPL-2.0
/* Palisade's event collector, CO-RE.
 *
 * - tp_btf/sched_process_exec, _fork, _exit: every process start, image change
 *   and end (always captured: the process table depends on them).
 * - tp_btf/sys_exit: the syscalls whose number is set in pal_interest (the
 *   adaptive set user space maintains). Arguments are read from the saved
 *   user registers at exit, so one program per syscall suffices; pointer
 *   arguments are read from user memory at exit (another thread of the same
 *   process could have changed them in between, as with every
 *   tracepoint-based sensor).
 *
 * Records are built in a per-CPU scratch buffer and copied into the ring
 * buffer; a full ring buffer is counted per CPU in pal_counters, never
 * silent. A call that seccomp denied reads as syscall -1 at sys_exit and is
 * skipped here: those arrive through the audit log (seccomp_audit.c). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <asm/unistd_64.h>

#include "sensor/sensor_wire.h"

#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load. */
const volatile __u32 self_tgid = 0;
/* Wake the consumer only once this many bytes wait (0: on every record the
 * consumer is not already busy with). Waking per record costs an
 * inter-processor interrupt per event; batching lets the consumer poll. */
const volatile __u64 wakeup_bytes = 0;

#define AT_FDCWD_VAL	      -100
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define S_IFMT_VAL	      00170000
#define S_IFSOCK_VAL	      0140000
#define AF_UNIX_VAL	      1
#define AF_INET_VAL	      2
#define AF_INET6_VAL	      10
#define SOCK_DGRAM_VAL	      2
#define PF_KTHREAD_VAL	      0x00200000
#define CLONE_VM_VAL	      0x00000100
#define CLONE_VFORK_VAL	      0x00004000
#define SIGCHLD_VAL	      17
#define SB_RDONLY_VAL	      1

/* The per-CPU scratch record: header plus slot data. Offsets into data are
 * masked with DATA_MASK so the verifier can bound every write; the slack
 * after DATA_MASK holds the longest single write (SEN_SLOT_MAX). */
#define DATA_MASK    0x3fff
#define DATA_SIZE    (DATA_MASK + 1 + SEN_SLOT_MAX)
#define NAME_MAX_VAL 256

/* container_of with the member offset relocated against the running kernel. */
#define core_container_of(ptr, type, member)                                                       \
	((type *)((void *)(ptr)-bpf_core_field_offset(type, member)))

struct scratch {
	struct sen_wire_hdr hdr;
	__u8 data[DATA_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 23);
} pal_events SEC(".maps");

/* Syscall number -> pal_evt_type + 1; 0 means not captured. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SEN_NR_SYSCALLS);
	__type(key, __u32);
	__type(value, __u32);
} pal_interest SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sen_wire_counters);
} pal_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} pal_scratch SEC(".maps");

/* Event types the BPF side needs to name (must match event.h's order; checked
 * by a static assertion in sensor.c). */
#define T_EXECVE   0
#define T_EXECVEAT 1
#define T_CLONE	   2
#define T_CLONE3   3
#define T_FORK	   4
#define T_VFORK	   5
#define T_PROCEXIT 6

static __always_inline struct scratch *scratch_get(void)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&pal_scratch, &zero);
	if (!s) {
		struct sen_wire_counters *c = bpf_map_lookup_elem(&pal_counters, &zero);
		if (c)
			c->scratch_fail++;
	}
	return s;
}

static __always_inline void hdr_init(struct scratch *s, __u16 kind, __u32 type,
				     struct task_struct *task)
{
	struct sen_wire_hdr *h = &s->hdr;
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	h->version = SEN_WIRE_VERSION;
	h->kind = kind;
	h->type = type;
	h->ts_ns = bpf_ktime_get_boot_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->pid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	/* task is a BTF pointer: direct loads, cheaper than probe-read helpers. */
	h->ppid = task->real_parent->tgid;
	h->cpu = bpf_get_smp_processor_id();
	h->res = 0;
	h->flags = 0;
	h->truncated = 0;
	const struct cred *cred = task->cred;
	h->uid = cred->uid.val;
	h->gid = cred->gid.val;
	h->euid = cred->euid.val;
	h->egid = cred->egid.val;
	bpf_get_current_comm(h->comm, sizeof(h->comm));
	__builtin_memset(&h->sock, 0, sizeof(h->sock));
	__builtin_memset(&h->task, 0, sizeof(h->task));
	for (int i = 0; i < SEN_WIRE_SLOTS; i++) {
		h->slot_kind[i] = SEN_SLOT_NONE;
		h->slot_off[i] = 0;
		h->slot_len[i] = 0;
	}
	for (int i = 0; i < 6; i++)
		h->args[i] = 0;
}

static __always_inline void submit(struct scratch *s, __u32 off)
{
	__u32 zero = 0;
	struct sen_wire_counters *c = bpf_map_lookup_elem(&pal_counters, &zero);
	__u64 size = sizeof(struct sen_wire_hdr) + (off & DATA_MASK);

	if (size > sizeof(struct scratch))
		return;
	__u64 flags = 0;
	if (wakeup_bytes)
		flags = bpf_ringbuf_query(&pal_events, BPF_RB_AVAIL_DATA) + size >= wakeup_bytes
			    ? BPF_RB_FORCE_WAKEUP
			    : BPF_RB_NO_WAKEUP;
	long err = bpf_ringbuf_output(&pal_events, s, size, flags);
	if (!c)
		return;
	if (err) {
		c->drops++;
		c->drop_bytes += size;
	} else {
		c->events++;
	}
}

/* Slot writers. Each takes the current data offset and the slot index and
 * returns the new offset; a slot that does not fit stays empty and truncated. */
/* Records that slot holds len bytes of kind at off; returns the offset after them. */
static __always_inline __u32 slot_set(struct scratch *s, __u32 slot, __u16 kind, __u32 off,
				      __u32 len)
{
	s->hdr.slot_kind[slot] = kind;
	s->hdr.slot_off[slot] = off;
	s->hdr.slot_len[slot] = len;
	return off + len;
}

static __noinline __u32 put_user_str(struct scratch *s, __u32 off, __u32 slot, const char *uptr)
{
	slot &= SEN_WIRE_SLOTS - 1;
	if (off > DATA_MASK - SEN_SLOT_MAX)
		return off;
	long n = bpf_probe_read_user_str(&s->data[off & DATA_MASK], SEN_SLOT_MAX, uptr);
	if (n <= 0) {
		s->data[off & DATA_MASK] = 0;
		n = 1;
	} else if (n == SEN_SLOT_MAX) {
		char next = 0;
		bpf_probe_read_user(&next, 1, uptr + SEN_SLOT_MAX - 1);
		if (next)
			s->hdr.truncated |= SEN_SLOT_TRUNC(slot);
	}
	return slot_set(s, slot, SEN_SLOT_STR, off, n);
}

static __noinline __u32 put_kernel_str(struct scratch *s, __u32 off, __u32 slot, const char *kptr)
{
	slot &= SEN_WIRE_SLOTS - 1;
	if (off > DATA_MASK - SEN_SLOT_MAX)
		return off;
	long n = bpf_probe_read_kernel_str(&s->data[off & DATA_MASK], SEN_SLOT_MAX, kptr);
	if (n <= 0) {
		s->data[off & DATA_MASK] = 0;
		n = 1;
	} else if (n == SEN_SLOT_MAX) {
		s->hdr.truncated |= SEN_SLOT_TRUNC(slot);
	}
	return slot_set(s, slot, SEN_SLOT_STR, off, n);
}

/* slot_kind: slot index | slot kind << 8 (subprograms take at most 5 arguments). */
static __noinline __u32 put_user_bytes(struct scratch *s, __u32 off, __u32 slot_kind,
				       const void *uptr, __u64 len)
{
	__u32 slot = slot_kind & (SEN_WIRE_SLOTS - 1);
	__u16 kind = slot_kind >> 8;
	if (off > DATA_MASK - SEN_SLOT_MAX || !uptr)
		return off;
	if (len > SEN_SLOT_MAX) {
		len = SEN_SLOT_MAX;
		s->hdr.truncated |= SEN_SLOT_TRUNC(slot);
	}
	if (len == 0)
		return off;
	if (bpf_probe_read_user(&s->data[off & DATA_MASK], len, uptr))
		return off;
	return slot_set(s, slot, kind, off, len);
}

static __noinline __u32 put_kernel_bytes(struct scratch *s, __u32 off, __u32 slot, const void *kptr,
					 __u64 len)
{
	slot &= SEN_WIRE_SLOTS - 1;
	if (off > DATA_MASK - SEN_SLOT_MAX || !kptr)
		return off;
	if (len > 128)
		len = 128;
	if (len == 0)
		return off;
	if (bpf_probe_read_kernel(&s->data[off & DATA_MASK], len, kptr))
		return off;
	return slot_set(s, slot, SEN_SLOT_BYTES, off, len);
}

/* Walks from a dentry towards the task's root, crossing mount points, and
 * writes the names leaf first (user space reverses them). Like d_path, but
 * stops at the root of the task that made the call, so a container's paths
 * read as the container sees them. One step per bpf_loop iteration keeps the
 * verifier's work independent of the depth. */
struct dpath_ctx {
	struct scratch *s;
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *root_dentry;
	__u32 off, len;
	bool complete;
};

static long dpath_step(__u32 i, struct dpath_ctx *c)
{
	/* Local copies: CO-RE relocations apply to kernel types, not to c. */
	struct dentry *dentry = c->dentry;
	struct vfsmount *vfsmnt = c->vfsmnt;
	struct mount *mnt = c->mnt;

	/* The task's root. The dentry alone decides: a process whose cwd was
	 * set through another mount of the same directory (runc's bind mount
	 * of the rootfs onto itself) is at its root all the same. */
	if (dentry == c->root_dentry) {
		c->complete = true;
		return 1;
	}
	struct dentry *mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	if (dentry == mnt_root) {
		struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);
		if (parent == mnt || !parent) {
			c->complete = true; /* the top of this mount tree */
			return 1;
		}
		c->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		c->mnt = parent;
		c->vfsmnt =
		    (struct vfsmount *)((void *)parent + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	if (c->len > SEN_SLOT_MAX - NAME_MAX_VAL)
		return 1;
	const unsigned char *name = BPF_CORE_READ(dentry, d_name.name);
	struct scratch *s = c->s;
	__u32 at = (c->off + c->len) & DATA_MASK;
	long n = bpf_probe_read_kernel_str(&s->data[at], NAME_MAX_VAL, name);
	if (n <= 0)
		return 1;
	c->len += n;
	/* A dentry that is its own parent and not a mount root is a pseudo
	 * file (memfd, anonymous inode): its name is the whole path. */
	struct dentry *up = BPF_CORE_READ(dentry, d_parent);
	if (up == dentry) {
		c->complete = true;
		return 1;
	}
	c->dentry = up;
	return 0;
}

static __noinline __u32 put_dpath(struct scratch *s, __u32 off, __u32 slot, struct dentry *dentry,
				  struct vfsmount *vfsmnt)
{
	slot &= SEN_WIRE_SLOTS - 1;
	if (off > DATA_MASK - SEN_SLOT_MAX || !dentry || !vfsmnt)
		return off;
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct path root = BPF_CORE_READ(task, fs, root);
	struct dpath_ctx c = {
	    .s = s,
	    .dentry = dentry,
	    .vfsmnt = vfsmnt,
	    .mnt = core_container_of(vfsmnt, struct mount, mnt),
	    .root_dentry = root.dentry,
	    .off = off,
	    .len = 0,
	    .complete = false,
	};
	bpf_loop(SEN_DPATH_MAX_DEPTH, dpath_step, &c, 0);
	if (!c.complete)
		s->hdr.truncated |= SEN_SLOT_TRUNC(slot);
	__u32 len = c.len > SEN_SLOT_MAX ? SEN_SLOT_MAX : c.len;
	if (len == 0) {
		/* The root itself: one empty component, so the slot is not absent. */
		s->data[off & DATA_MASK] = 0;
		len = 1;
	}
	return slot_set(s, slot, SEN_SLOT_DPATH, off, len);
}

static __always_inline struct file *fd_file(struct task_struct *task, long fd)
{
	struct file *f = NULL;
	if (fd < 0)
		return NULL;
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	if (fd >= max)
		return NULL;
	struct file **arr = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd & 0xffffff]);
	return f;
}

static __noinline __u32 put_file_path(struct scratch *s, __u32 off, __u32 slot, struct file *f)
{
	if (!f)
		return off;
	struct path p = BPF_CORE_READ(f, f_path);
	return put_dpath(s, off, slot, p.dentry, p.mnt);
}

/* The directory a relative path is resolved against: cwd or dirfd's file. */
static __noinline __u32 put_base_dir(struct scratch *s, __u32 off, __u32 slot, long dirfd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	if ((int)dirfd == AT_FDCWD_VAL) {
		struct path pwd = BPF_CORE_READ(task, fs, pwd);
		return put_dpath(s, off, slot, pwd.dentry, pwd.mnt);
	}
	return put_file_path(s, off, slot, fd_file(task, (int)dirfd));
}

/* Writes a user path into slot and, when it is relative, its base directory
 * into slot + 1. */
static __always_inline __u32 put_path_at(struct scratch *s, __u32 off, __u32 slot, long dirfd,
					 const char *uptr)
{
	__u32 at = off;
	off = put_user_str(s, off, slot, uptr);
	if (off != at && s->data[at & DATA_MASK] != '/' && s->data[at & DATA_MASK] != 0)
		off = put_base_dir(s, off, slot + 1, dirfd);
	return off;
}

/* Fills hdr.sock from the socket behind a file; returns the struct sock or NULL. */
static __noinline struct sock *fill_sock(struct scratch *s, struct file *f)
{
	if (!f)
		return NULL;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT_VAL) != S_IFSOCK_VAL)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	struct sen_wire_sock *w = &s->hdr.sock;
	w->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	w->type = BPF_CORE_READ(sk, sk_type);
	w->protocol = BPF_CORE_READ(sk, sk_protocol);
	if (w->family == AF_INET_VAL) {
		__u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 r = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		__builtin_memcpy(w->laddr, &l, 4);
		__builtin_memcpy(w->raddr, &r, 4);
	} else if (w->family == AF_INET6_VAL) {
		BPF_CORE_READ_INTO(&w->laddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&w->raddr, sk, __sk_common.skc_v6_daddr);
	}
	w->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	w->rport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	s->hdr.flags |= SEN_WF_HAS_SOCK;
	return sk;
}

/* The bound path of a unix socket into slot (sockaddr_un bytes). */
static __always_inline __u32 put_unix_addr(struct scratch *s, __u32 off, __u32 slot,
					   struct sock *sk)
{
	if (!sk || s->hdr.sock.family != AF_UNIX_VAL)
		return off;
	struct unix_sock *us = core_container_of(sk, struct unix_sock, sk);
	struct unix_address *ua = BPF_CORE_READ(us, addr);
	if (!ua)
		return off;
	int len = BPF_CORE_READ(ua, len);
	if (len <= 0)
		return off;
	return put_kernel_bytes(s, off, slot, &ua->name, len);
}

static __always_inline bool is_self(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == self_tgid;
}

static __always_inline __u32 exe_flags(struct task_struct *task, struct file *file)
{
	__u32 flags = 0;
	if (!file)
		return 0;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	unsigned long magic = BPF_CORE_READ(sb, s_magic);
	if (magic == OVERLAYFS_SUPER_MAGIC && bpf_core_type_exists(struct ovl_inode)) {
		struct ovl_inode *oi = core_container_of(inode, struct ovl_inode, vfs_inode);
		if (BPF_CORE_READ(oi, __upperdentry))
			flags |= SEN_WF_EXE_UPPER;
	}
	char name[8] = {};
	const unsigned char *dn = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	bpf_probe_read_kernel(name, 6, dn);
	if (name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
	    name[4] == 'd' && name[5] == ':' && BPF_CORE_READ(inode, __i_nlink) == 0)
		flags |= SEN_WF_EXE_MEMFD;

	/* Writable by the user that runs it (proc.is_exe_writable). */
	umode_t mode = BPF_CORE_READ(inode, i_mode);
	__u32 iuid = BPF_CORE_READ(inode, i_uid.val);
	__u32 igid = BPF_CORE_READ(inode, i_gid.val);
	__u32 euid = BPF_CORE_READ(task, cred, euid.val);
	__u32 egid = BPF_CORE_READ(task, cred, egid.val);
	unsigned long sbflags = BPF_CORE_READ(sb, s_flags);
	bool w = euid == 0 || (iuid == euid && (mode & 0200)) || (igid == egid && (mode & 020)) ||
		 (mode & 02);
	if (w && !(sbflags & SB_RDONLY_VAL))
		flags |= SEN_WF_EXE_WRITABLE;
	return flags;
}

static __always_inline void fill_task_ext(struct scratch *s, struct task_struct *task)
{
	struct sen_wire_task_ext *x = &s->hdr.task;
	const struct cred *cred = BPF_CORE_READ(task, cred);
	/* kernel_cap_t is u64 since 6.3 and u32[2] before: both read as 8 bytes. */
	bpf_core_read(&x->cap_effective, 8, &cred->cap_effective);
	bpf_core_read(&x->cap_permitted, 8, &cred->cap_permitted);
	bpf_core_read(&x->cap_inheritable, 8, &cred->cap_inheritable);
	x->start_ns = BPF_CORE_READ(task, start_boottime);
	if (bpf_core_field_exists(task->loginuid))
		x->loginuid = BPF_CORE_READ(task, loginuid.val);
	else
		x->loginuid = (__u32)-1;
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	if (tty) {
		int index = BPF_CORE_READ(tty, index);
		int major = BPF_CORE_READ(tty, driver, major);
		int minor = BPF_CORE_READ(tty, driver, minor_start) + index;
		x->tty = (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
	}
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};
	bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]);
	x->vpid = up.nr;
	s->hdr.flags |= SEN_WF_HAS_TASK_EXT;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(pal_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (is_self())
		return 0;
	struct scratch *s = scratch_get();
	if (!s)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	long nr = BPF_CORE_READ(regs, orig_ax);

	hdr_init(s, SEN_W_EXEC, nr == __NR_execveat ? T_EXECVEAT : T_EXECVE, task);
	fill_task_ext(s, task);
	struct file *file = BPF_CORE_READ(bprm, file);
	s->hdr.flags |= exe_flags(task, file);

	__u32 off = 0;
	off = put_kernel_str(s, off, 0, BPF_CORE_READ(bprm, filename));
	unsigned long as = BPF_CORE_READ(task, mm, arg_start);
	unsigned long ae = BPF_CORE_READ(task, mm, arg_end);
	off =
	    put_user_bytes(s, off, 1 | SEN_SLOT_ARGV << 8, (const void *)as, ae > as ? ae - as : 0);
	off = put_file_path(s, off, 2, file);
	struct path pwd = BPF_CORE_READ(task, fs, pwd);
	off = put_dpath(s, off, 3, pwd.dentry, pwd.mnt);
	submit(s, off);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(pal_fork, struct task_struct *parent, struct task_struct *child)
{
	/* Threads share the process; the table tracks processes. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	if (BPF_CORE_READ(child, flags) & PF_KTHREAD_VAL)
		return 0;
	if (is_self())
		return 0;
	struct scratch *s = scratch_get();
	if (!s)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	long nr = BPF_CORE_READ(regs, orig_ax);
	__u32 type = T_CLONE;
	__u64 flags = 0;

	if (nr == __NR_clone) {
		flags = BPF_CORE_READ(regs, di);
	} else if (nr == __NR_clone3) {
		type = T_CLONE3;
		struct clone_args *ca = (struct clone_args *)BPF_CORE_READ(regs, di);
		bpf_probe_read_user(&flags, sizeof(flags), &ca->flags);
	} else if (nr == __NR_fork) {
		type = T_FORK;
		flags = SIGCHLD_VAL;
	} else if (nr == __NR_vfork) {
		type = T_VFORK;
		flags = CLONE_VM_VAL | CLONE_VFORK_VAL | SIGCHLD_VAL;
	}
	hdr_init(s, SEN_W_FORK, type, task);
	s->hdr.res = BPF_CORE_READ(child, tgid);
	s->hdr.args[0] = flags;
	s->hdr.args[1] = BPF_CORE_READ(child, start_boottime);
	submit(s, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(pal_exit, struct task_struct *p)
{
	/* Only when the whole thread group is gone. */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	if (BPF_CORE_READ(p, flags) & PF_KTHREAD_VAL)
		return 0;
	if (is_self())
		return 0;
	struct scratch *s = scratch_get();
	if (!s)
		return 0;
	hdr_init(s, SEN_W_EXIT, T_PROCEXIT, p);
	s->hdr.res = BPF_CORE_READ(p, exit_code);
	submit(s, 0);
	return 0;
}

static __always_inline __u64 reg_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0:
		return BPF_CORE_READ(regs, di);
	case 1:
		return BPF_CORE_READ(regs, si);
	case 2:
		return BPF_CORE_READ(regs, dx);
	case 3:
		return BPF_CORE_READ(regs, r10);
	case 4:
		return BPF_CORE_READ(regs, r8);
	default:
		return BPF_CORE_READ(regs, r9);
	}
}

/* Returns 0 to drop the event (a filter in the kernel: cheap), else 1. */
static __noinline int fill_syscall(struct scratch *s, long nr, long ret, struct task_struct *task)
{
	__u64 *a = s->hdr.args;
	__u32 off = 0;

	switch (nr) {
	case __NR_execve:
		off = put_path_at(s, off, 0, AT_FDCWD_VAL, (const char *)a[0]);
		break;
	case __NR_execveat:
		off = put_path_at(s, off, 0, a[0], (const char *)a[1]);
		break;
	case __NR_open:
	case __NR_creat:
	case __NR_unlink:
	case __NR_chmod:
	case __NR_mkdir:
		off = put_user_str(s, off, 0, (const char *)a[0]);
		if (nr == __NR_open || nr == __NR_creat) {
			if (ret >= 0) {
				off = put_file_path(s, off, 1, fd_file(task, ret));
				break;
			}
		}
		if (s->hdr.slot_len[0] && s->data[0] != '/')
			off = put_base_dir(s, off, 1, AT_FDCWD_VAL);
		break;
	case __NR_openat:
	case __NR_openat2:
	case __NR_unlinkat:
	case __NR_fchmodat:
	case __NR_fchmodat2:
	case __NR_mkdirat:
		off = put_user_str(s, off, 0, (const char *)a[1]);
		if (nr == __NR_openat2) {
			struct open_how how = {};
			bpf_probe_read_user(&how, sizeof(how), (void *)a[2]);
			a[2] = how.flags;
			a[3] = how.mode;
			a[4] = how.resolve;
		}
		if ((nr == __NR_openat || nr == __NR_openat2) && ret >= 0) {
			off = put_file_path(s, off, 1, fd_file(task, ret));
			break;
		}
		if (s->hdr.slot_len[0] && s->data[0] != '/')
			off = put_base_dir(s, off, 1, a[0]);
		break;
	case __NR_fchmod:
		off = put_file_path(s, off, 1, fd_file(task, a[0]));
		break;
	case __NR_rename:
	case __NR_link:
		off = put_path_at(s, off, 0, AT_FDCWD_VAL, (const char *)a[0]);
		off = put_path_at(s, off, 2, AT_FDCWD_VAL, (const char *)a[1]);
		break;
	case __NR_renameat:
	case __NR_renameat2:
	case __NR_linkat:
		off = put_path_at(s, off, 0, a[0], (const char *)a[1]);
		off = put_path_at(s, off, 2, a[2], (const char *)a[3]);
		break;
	case __NR_symlink:
		off = put_user_str(s, off, 0, (const char *)a[0]);
		off = put_path_at(s, off, 2, AT_FDCWD_VAL, (const char *)a[1]);
		break;
	case __NR_symlinkat:
		off = put_user_str(s, off, 0, (const char *)a[0]);
		off = put_path_at(s, off, 2, a[1], (const char *)a[2]);
		break;
	case __NR_pivot_root:
		off = put_path_at(s, off, 0, AT_FDCWD_VAL, (const char *)a[0]);
		off = put_path_at(s, off, 2, AT_FDCWD_VAL, (const char *)a[1]);
		break;
	case __NR_mount:
		/* source, fstype, target (+ its base when relative) */
		off = put_user_str(s, off, 0, (const char *)a[0]);
		off = put_user_str(s, off, 1, (const char *)a[2]);
		off = put_path_at(s, off, 2, AT_FDCWD_VAL, (const char *)a[1]);
		break;
	case __NR_umount2:
		off = put_path_at(s, off, 0, AT_FDCWD_VAL, (const char *)a[0]);
		break;
	case __NR_setns:
		off = put_file_path(s, off, 1, fd_file(task, a[0]));
		break;
	case __NR_init_module:
		off = put_user_str(s, off, 0, (const char *)a[2]);
		break;
	case __NR_finit_module:
		off = put_user_str(s, off, 0, (const char *)a[1]);
		off = put_file_path(s, off, 1, fd_file(task, a[0]));
		break;
	case __NR_memfd_create:
		off = put_user_str(s, off, 0, (const char *)a[0]);
		break;
	case __NR_capset: {
		__u32 d[6] = {};
		if (a[1] && !bpf_probe_read_user(d, sizeof(d), (void *)a[1])) {
			a[3] = d[0] | ((__u64)d[3] << 32); /* effective */
			a[4] = d[1] | ((__u64)d[4] << 32); /* permitted */
			a[5] = d[2] | ((__u64)d[5] << 32); /* inheritable */
		}
		break;
	}
	case __NR_dup:
	case __NR_dup2:
	case __NR_dup3: {
		long newfd = nr == __NR_dup ? ret : (long)a[1];
		if (newfd < 0 || newfd > 2)
			return 0;
		struct file *f = fd_file(task, a[0]);
		struct sock *sk = fill_sock(s, f);
		if (sk)
			off = put_unix_addr(s, off, 1, sk);
		else
			off = put_file_path(s, off, 1, f);
		break;
	}
	case __NR_kill:
	case __NR_tgkill:
		if ((__u32)a[0] == s->hdr.pid)
			return 0;
		break;
	case __NR_tkill:
		if ((__u32)a[0] == s->hdr.tid)
			return 0;
		break;
	case __NR_connect:
	case __NR_bind: {
		struct sock *sk = fill_sock(s, fd_file(task, a[0]));
		off = put_user_bytes(s, off, SEN_SLOT_BYTES << 8, (const void *)a[1],
				     a[2] > 128 ? 128 : a[2]);
		off = put_unix_addr(s, off, 1, sk);
		break;
	}
	case __NR_accept:
	case __NR_accept4:
	case __NR_listen: {
		long fd = nr == __NR_listen ? (long)a[0] : ret;
		struct sock *sk = fill_sock(s, fd_file(task, fd));
		off = put_unix_addr(s, off, 1, sk);
		break;
	}
	case __NR_sendto:
	case __NR_sendmsg: {
		struct sock *sk = fill_sock(s, fd_file(task, a[0]));
		__u16 fam = s->hdr.sock.family;
		if (!sk || (fam != AF_INET_VAL && fam != AF_INET6_VAL) ||
		    s->hdr.sock.type != SOCK_DGRAM_VAL)
			return 0; /* UDP only */
		if (nr == __NR_sendto) {
			off = put_user_bytes(s, off, SEN_SLOT_BYTES << 8, (const void *)a[4],
					     a[5] > 128 ? 128 : a[5]);
		} else {
			struct user_msghdr mh = {};
			if (!bpf_probe_read_user(&mh, sizeof(mh), (void *)a[1]) && mh.msg_name)
				off = put_user_bytes(s, off, SEN_SLOT_BYTES << 8, mh.msg_name,
						     mh.msg_namelen > 128 ? 128 : mh.msg_namelen);
		}
		break;
	}
	default:
		break;
	}
	return (int)off + 1;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(pal_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = BPF_CORE_READ(regs, orig_ax);
	if (nr < 0 || nr >= SEN_NR_SYSCALLS)
		return 0;
	__u32 key = nr;
	__u32 *interest = bpf_map_lookup_elem(&pal_interest, &key);
	if (!interest || !*interest)
		return 0;
	/* A successful execve is reported by sched_process_exec. */
	if ((nr == __NR_execve || nr == __NR_execveat) && ret == 0)
		return 0;
	if (is_self())
		return 0;
	struct scratch *s = scratch_get();
	if (!s)
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	hdr_init(s, SEN_W_SYSCALL, *interest - 1, task);
	s->hdr.res = ret;
	for (int i = 0; i < 6; i++)
		s->hdr.args[i] = reg_arg(regs, i);
	int r = fill_syscall(s, nr, ret, task);
	if (r <= 0)
		return 0;
	submit(s, r - 1);
	return 0;
}
