/* Which x86_64 syscalls carry each event type: the adaptive set programs the
 * BPF interest map from this table, so a type nobody asked for costs one
 * array lookup per syscall and nothing more. */
#ifndef PAL_SENSOR_SYSCALLS_H
#define PAL_SENSOR_SYSCALLS_H

#include "sensor/event.h"

#include <stdbool.h>
#include <stddef.h>

/* Fills nrs with the syscall numbers of type t (at most cap); returns how many.
 * Types that come from scheduler tracepoints (fork, exit) or the audit log
 * (seccomp_denied) have none. */
size_t sen_syscalls_of_type(enum pal_evt_type t, int *nrs, size_t cap);

/* Writes the name of syscall nr of arch (an AUDIT_ARCH_* value, 0 for this
 * machine's) into buf; "unknown" when the number has no name. */
void sen_syscall_name(long nr, unsigned arch, char *buf, size_t cap);

/* Types delivered from tracepoints other than sys_exit (always captured). */
bool sen_type_is_sched(enum pal_evt_type t);

#endif
