#ifndef PAL_COMMON_TIMEFMT_H
#define PAL_COMMON_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* RFC 3339 UTC with nanoseconds, e.g. 2026-12-01T12:00:00.123456789Z. */
void pal_time_rfc3339(const struct timespec *ts, char *buf, size_t cap);
void pal_time_rfc3339_now(char *buf, size_t cap);
uint64_t pal_time_monotonic_ns(void);
uint64_t pal_time_realtime_ns(void);

#endif
