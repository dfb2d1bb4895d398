/* The normalized event: what the sensor produces for every kernel event and
 * what the rule engine, enforcement, baselines and outputs consume.
 *
 * This header is the contract between src/sensor (producer) and src/engine,
 * src/enforce, src/baseline, src/output (consumers). Fields may be added;
 * existing ones keep their meaning. Field names in comments are Falco's, which
 * the engine exposes unchanged.
 *
 * Lifetime: an event and every pointer in it are valid only during the
 * callback that delivers it. Consumers that keep anything copy it.
 */
#ifndef PAL_SENSOR_EVENT_H
#define PAL_SENSOR_EVENT_H

#include <stdbool.h>
#include <stdint.h>

/* Event types, one per syscall (or kernel event) Falco names. evt.type is the
 * string from pal_evt_type_name(). Keep the X-macro order stable: the numbers
 * index per-type tables in the engine. */
#define PAL_EVT_TYPES(X)                                                                           \
	X(EXECVE, "execve")                                                                        \
	X(EXECVEAT, "execveat")                                                                    \
	X(CLONE, "clone")                                                                          \
	X(CLONE3, "clone3")                                                                        \
	X(FORK, "fork")                                                                            \
	X(VFORK, "vfork")                                                                          \
	X(PROCEXIT, "procexit")                                                                    \
	X(OPEN, "open")                                                                            \
	X(OPENAT, "openat")                                                                        \
	X(OPENAT2, "openat2")                                                                      \
	X(CREAT, "creat")                                                                          \
	X(UNLINK, "unlink")                                                                        \
	X(UNLINKAT, "unlinkat")                                                                    \
	X(RENAME, "rename")                                                                        \
	X(RENAMEAT, "renameat")                                                                    \
	X(RENAMEAT2, "renameat2")                                                                  \
	X(CHMOD, "chmod")                                                                          \
	X(FCHMOD, "fchmod")                                                                        \
	X(FCHMODAT, "fchmodat")                                                                    \
	X(SYMLINK, "symlink")                                                                      \
	X(SYMLINKAT, "symlinkat")                                                                  \
	X(LINK, "link")                                                                            \
	X(LINKAT, "linkat")                                                                        \
	X(MKDIR, "mkdir")                                                                          \
	X(MKDIRAT, "mkdirat")                                                                      \
	X(SOCKET, "socket")                                                                        \
	X(CONNECT, "connect")                                                                      \
	X(ACCEPT, "accept")                                                                        \
	X(ACCEPT4, "accept4")                                                                      \
	X(BIND, "bind")                                                                            \
	X(LISTEN, "listen")                                                                        \
	X(SENDTO, "sendto")                                                                        \
	X(SENDMSG, "sendmsg")                                                                      \
	X(SETUID, "setuid")                                                                        \
	X(SETGID, "setgid")                                                                        \
	X(SETREUID, "setreuid")                                                                    \
	X(SETREGID, "setregid")                                                                    \
	X(SETRESUID, "setresuid")                                                                  \
	X(SETRESGID, "setresgid")                                                                  \
	X(CAPSET, "capset")                                                                        \
	X(PTRACE, "ptrace")                                                                        \
	X(MOUNT, "mount")                                                                          \
	X(UMOUNT2, "umount2")                                                                      \
	X(UNSHARE, "unshare")                                                                      \
	X(SETNS, "setns")                                                                          \
	X(PIVOT_ROOT, "pivot_root")                                                                \
	X(INIT_MODULE, "init_module")                                                              \
	X(FINIT_MODULE, "finit_module")                                                            \
	X(BPF, "bpf")                                                                              \
	X(MEMFD_CREATE, "memfd_create")                                                            \
	X(DUP, "dup")                                                                              \
	X(DUP2, "dup2")                                                                            \
	X(DUP3, "dup3")                                                                            \
	X(KILL, "kill")                                                                            \
	X(TKILL, "tkill")                                                                          \
	X(TGKILL, "tgkill")                                                                        \
	X(SECCOMP_DENIED, "seccomp_denied")

enum pal_evt_type {
#define PAL_EVT_ENUM(id, name) PAL_EVT_##id,
	PAL_EVT_TYPES(PAL_EVT_ENUM)
#undef PAL_EVT_ENUM
	    PAL_EVT__COUNT
};

/* Falco's evt.type string for t, or NULL if out of range. */
const char *pal_evt_type_name(enum pal_evt_type t);
/* Reverse lookup; returns -1 for unknown names. */
int pal_evt_type_from_name(const char *name);

/* Capture limits. A string that hit its limit has its bit set in
 * pal_event.truncated so nothing is silently cut. */
#define PAL_PATH_MAX 4096
#define PAL_ARGV_MAX 4096 /* bytes of argv captured, NUL-separated */
#define PAL_COMM_LEN 16

enum pal_trunc_bits {
	PAL_TRUNC_PATH = 1u << 0,
	PAL_TRUNC_PATH2 = 1u << 1,
	PAL_TRUNC_ARGV = 1u << 2,
	PAL_TRUNC_CWD = 1u << 3,
	PAL_TRUNC_EXE = 1u << 4,
	PAL_TRUNC_ENV = 1u << 5,
};

/* Where an executed file came from (for "new binary executed" rules). */
enum pal_exe_origin {
	PAL_EXE_ORIGIN_IMAGE = 0, /* lower layer / ordinary file */
	PAL_EXE_ORIGIN_UPPER = 1, /* overlayfs upper layer: written after the container started */
	PAL_EXE_ORIGIN_MEMFD = 2, /* memfd: fileless execution */
};

struct pal_sockaddr {
	uint16_t family;  /* AF_INET, AF_INET6, AF_UNIX, 0 if none */
	uint16_t port;	  /* host byte order */
	uint8_t addr[16]; /* IPv4 in the first 4 bytes, network order */
	char unix_path[108];
};

/* One process as the process table knows it (proc/). Ancestry is followed
 * through parent; consumers must not keep these pointers past the callback. */
struct pal_proc {
	uint32_t pid;		 /* proc.pid (tgid) */
	uint32_t ppid;		 /* proc.ppid */
	uint32_t vpid;		 /* proc.vpid: pid inside the container's pid namespace */
	uint64_t start_ns;	 /* boot-time ns of start, tells reused pids apart */
	char comm[PAL_COMM_LEN]; /* proc.name */
	const char *exe;	 /* proc.exe (argv[0] as executed) */
	const char *exepath;	 /* proc.exepath (resolved executable path) */
	const char *cmdline;	 /* proc.cmdline: "name arg1 arg2 ..." */
	const char *const *argv; /* proc.args as a vector, NULL-terminated */
	const char *cwd;	 /* proc.cwd */
	const char *const *env;	 /* proc.env, NULL-terminated, may be NULL if not captured */
	uint32_t uid, gid, euid, egid, loginuid;
	uint64_t cap_effective, cap_permitted, cap_inheritable;
	uint32_t tty;	      /* proc.tty: tty device number, 0 if none */
	bool is_exe_writable; /* proc.is_exe_writable */
	uint8_t exe_origin;   /* enum pal_exe_origin */
	uint64_t cgroup_id;
	const struct pal_proc *parent; /* NULL past the known ancestry */
};

/* The container a process belongs to (proc/ container registry). */
struct pal_container {
	const char *id;		      /* container.id: full id, "host" for the host */
	const char *name;	      /* container.name */
	const char *image;	      /* container.image: full reference */
	const char *image_repository; /* container.image.repository */
	const char *image_tag;	      /* container.image.tag */
	const char *image_digest;     /* container.image.digest, sha256:... */
	const char *runtime;  /* "palisade", "podman", "docker", "containerd", "cri-o", "host" */
	const char *pod_name; /* k8s.pod.name, may be NULL */
	const char *pod_namespace; /* k8s.ns.name, may be NULL */
	uint64_t cgroup_id;
	bool privileged; /* container.privileged */
	bool is_host;
};

struct pal_event {
	uint64_t ts_ns;	    /* evt.time: realtime ns */
	uint32_t type;	    /* enum pal_evt_type: evt.type */
	int64_t res;	    /* evt.rawres: return value, -errno on failure */
	uint32_t cpu;	    /* evt.cpu */
	uint32_t tid;	    /* thread.tid */
	uint32_t truncated; /* enum pal_trunc_bits */

	const struct pal_proc *proc;	       /* never NULL */
	const struct pal_container *container; /* never NULL (host container for host) */

	/* Files: fd.name is the absolute path, resolved against the process's root
	 * and cwd. For rename/link/symlink, path is the source and path2 the target
	 * (symlink: path is the link's target text, path2 the new link). */
	const char *path;
	const char *path2;
	int64_t fd;	/* fd.num when known, -1 otherwise */
	uint32_t flags; /* evt.arg.flags: open flags, clone flags, unshare flags, mount flags... */
	uint32_t mode;	/* evt.arg.mode */

	/* Network. */
	struct pal_sockaddr local;  /* fd.sip/fd.sport for the local side */
	struct pal_sockaddr remote; /* fd.rip/fd.rport */
	int32_t sock_domain, sock_type, sock_protocol;

	/* Exec: the new image. proc already describes the process after exec. */
	bool exe_upper_layer; /* the executable lives on an overlayfs upper layer */
	bool exe_memfd;	      /* the executable is a memfd */

	/* Syscall-specific integers (ptrace request, kill target pid and signal,
	 * bpf command, setuid target ids, dup old/new fd, capset sets, seccomp
	 * denied syscall number). Meaning per type documented in sensor/decode.c. */
	int64_t arg[6];
	const char *arg_str; /* e.g. mount source or fstype, module params; may be NULL */
};

#endif
