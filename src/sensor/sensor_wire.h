/* The record the BPF programs put on the ring buffer: private to the sensor
 * (sensor.bpf.c produces it, decode.c reads it). Shared by the BPF object and
 * user space, so it uses only fixed-width kernel types.
 *
 * A record is a struct sen_wire_hdr followed by data holding up to
 * SEN_WIRE_SLOTS variable-length slots: slot i is slot_len[i] bytes (0 when
 * absent) at slot_off[i] from the end of the header, and slot_kind[i] tells
 * how to read it. */
#ifndef PAL_SENSOR_WIRE_H
#define PAL_SENSOR_WIRE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SEN_WIRE_VERSION 1
#define SEN_WIRE_SLOTS	 4
/* Bytes one slot may hold; a string that does not fit is marked truncated. */
#define SEN_SLOT_MAX 4096
/* Path components a dentry walk follows before it gives up (marked truncated). */
#define SEN_DPATH_MAX_DEPTH 40
/* Syscall numbers the interest map covers (x86_64 has < 500). */
#define SEN_NR_SYSCALLS 512

enum sen_wire_kind {
	SEN_W_EXEC = 1,	   /* sched_process_exec: the new image */
	SEN_W_FORK = 2,	   /* sched_process_fork of a new process (not a thread) */
	SEN_W_EXIT = 3,	   /* sched_process_exit of the last thread */
	SEN_W_SYSCALL = 4, /* sys_exit of a syscall in the interest map */
};

enum sen_slot_kind {
	SEN_SLOT_NONE = 0,
	SEN_SLOT_STR = 1,   /* one NUL-terminated string */
	SEN_SLOT_DPATH = 2, /* path components leaf first, each NUL-terminated; the
			       walk stopped at the process's root */
	SEN_SLOT_ARGV = 3,  /* NUL-separated argument strings */
	SEN_SLOT_BYTES = 4, /* raw bytes (sockaddr) */
};

/* Flags on the record. */
enum sen_wire_flags {
	SEN_WF_EXE_UPPER = 1u << 0, /* exe on an overlayfs upper layer */
	SEN_WF_EXE_MEMFD = 1u << 1, /* exe is a memfd */
	SEN_WF_HAS_SOCK = 1u << 2,  /* sock is filled from the kernel socket */
	SEN_WF_HAS_TASK_EXT = 1u << 3,
	SEN_WF_EXE_WRITABLE = 1u << 4,
};

/* Per-slot truncation bits (slot i truncated: bit i). */
#define SEN_SLOT_TRUNC(i) (1u << (i))

struct sen_wire_sock {
	__u16 family; /* AF_INET, AF_INET6, AF_UNIX, 0 when unknown */
	__u16 type;   /* SOCK_STREAM, SOCK_DGRAM, ... */
	__u16 protocol;
	__u16 lport; /* host order */
	__u16 rport; /* host order */
	__u16 pad;
	__u8 laddr[16]; /* network order; IPv4 in the first 4 bytes */
	__u8 raddr[16];
};

/* Facts about the task that only exec events carry (the process table keeps them). */
struct sen_wire_task_ext {
	__u64 cap_effective, cap_permitted, cap_inheritable;
	__u64 start_ns; /* boot-time ns the process started */
	__u32 loginuid;
	__u32 tty;  /* new_encode_dev(tty device), 0 when none */
	__u32 vpid; /* pid in its own pid namespace */
	__u32 pad;
};

struct sen_wire_hdr {
	__u16 version;
	__u16 kind;  /* enum sen_wire_kind */
	__u32 type;  /* enum pal_evt_type */
	__u64 ts_ns; /* bpf_ktime_get_boot_ns() */
	__u64 cgroup_id;
	__u32 pid, tid, ppid, cpu;
	__s64 res;
	__u64 args[6];
	__u32 uid, gid, euid, egid;
	__u32 flags;	 /* enum sen_wire_flags */
	__u32 truncated; /* SEN_SLOT_TRUNC bits */
	char comm[16];
	struct sen_wire_sock sock;
	struct sen_wire_task_ext task;
	__u16 slot_kind[SEN_WIRE_SLOTS];
	__u16 slot_off[SEN_WIRE_SLOTS];
	__u16 slot_len[SEN_WIRE_SLOTS];
};

/* Per-CPU counters (array map "pal_counters", one entry). */
struct sen_wire_counters {
	__u64 events;	    /* records submitted */
	__u64 drops;	    /* records lost: ring buffer full */
	__u64 drop_bytes;   /* bytes of the lost records */
	__u64 scratch_fail; /* no scratch buffer (should stay 0) */
};

#endif
