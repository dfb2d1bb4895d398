/* The "tmpcopyup" mount option: a new tmpfs receives a copy of the image
 * directory it covers. */
#ifndef PAL_RUNTIME_TMPCOPYUP_H
#define PAL_RUNTIME_TMPCOPYUP_H

#include "common/err.h"

/* Copies the contents of src_dir into dst_dir (both directory fds, O_PATH
 * allowed): regular files, directories, symlinks (as symlinks, never
 * followed), fifos and device nodes, with owner, mode and times. Sockets are
 * skipped. Fails on the first entry that cannot be copied, naming it. */
int rt_tmpcopyup(int src_dir, int dst_dir, struct pal_err *err);

#endif
