/* Turns one ring-buffer record (struct sen_wire_hdr + slots) into strings and
 * addresses: paths made absolute as the process sees them, argv split,
 * socket addresses parsed. Pure and bounded: every length and offset of the
 * record is checked, so it is fuzzed directly (tests/fuzz/fuzz_sensor_decode.c).
 *
 * Meaning of the decoded fields per event type (and of pal_event.arg[]):
 *  execve/execveat  exe_filename (as passed), exepath, argv, cwd; a failed
 *                   attempt (from sys_exit) has path = the resolved filename.
 *  clone/fork/...   res = child pid, arg[0] = child pid, arg[1] = clone flags
 *  procexit         arg[0] = exit status, arg[1] = terminating signal, arg[2] = core dumped
 *  open family      path (the opened file's real path on success, else the
 *                   name resolved against cwd/dirfd), flags, mode; openat2: arg[2] = resolve
 *  unlink/chmod/mkdir family   path, flags, mode
 *  rename/link family          path = old, path2 = new, flags
 *  symlink family              path = target text (unresolved), path2 = the new link
 *  socket           sock_domain/type/protocol, res = fd
 *  connect/bind/accept/listen/sendto/sendmsg   local, remote, fd
 *  setuid/setgid    arg[0]; setre*: arg[0] real, arg[1] effective; setres*: + arg[2] saved
 *  capset           arg[0] effective, arg[1] permitted, arg[2] inheritable
 *  ptrace           arg[0] request, arg[1] target pid
 *  mount            path = target, path2 = source, arg_str = fstype, flags
 *  umount2          path = target, flags
 *  unshare          flags;  setns: arg[0] = fd, flags = nstype, path = the namespace file
 *  pivot_root       path = new root, path2 = put_old
 *  init_module      arg[0] = length, arg_str = params
 *  finit_module     arg[0] = fd, path = the file, arg_str = params, flags
 *  bpf              arg[0] = command
 *  memfd_create     arg_str = name, flags
 *  dup/dup2/dup3    arg[0] = old fd, arg[1] = new fd, path or local/remote of the old fd
 *  kill/tkill       arg[0] = target, arg[1] = signal;  tgkill: arg[0] tgid, arg[1] signal, arg[2]
 * tid seccomp_denied   arg[0] = syscall number, arg[1] = audit arch, arg[2] = seccomp action code,
 * arg[3] = signal, arg_str = syscall name
 */
#ifndef PAL_SENSOR_DECODE_H
#define PAL_SENSOR_DECODE_H

#include "common/err.h"
#include "sensor/event.h"
#include "sensor/sensor_wire.h"

#include <stdbool.h>
#include <stddef.h>

struct sen_decoded {
	struct sen_wire_hdr h;
	char *path, *path2, *arg_str;
	char *exe_filename, *exepath, *cwd;
	char **argv; /* exec only; NULL-terminated */
	struct pal_sockaddr local, remote;
	int64_t fd;
	uint32_t flags, mode;
	int64_t arg[6];
	uint32_t trunc; /* enum pal_trunc_bits */
};

int sen_decode(const void *data, size_t len, struct sen_decoded *out, struct pal_err *err);
void sen_decoded_clear(struct sen_decoded *d);

/* Path helpers (exposed for tests). */
/* Components leaf first, NUL-separated -> "/a/b/c" ("/" when empty). */
char *sen_dpath_join(const char *comps, size_t len);
/* Lexically joins rel onto the absolute base and removes ".", ".." and
 * repeated slashes; an absolute rel ignores base. */
char *sen_path_resolve(const char *base, const char *rel);
/* sockaddr bytes (sockaddr_in, sockaddr_in6, sockaddr_un) -> pal_sockaddr. */
int sen_sockaddr_parse(const void *bytes, size_t len, struct pal_sockaddr *out);

#endif
