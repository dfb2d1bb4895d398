#include "timefmt.h"

#include <stdio.h>

void pal_time_rfc3339(const struct timespec *ts, char *buf, size_t cap)
{
	struct tm tm;
	if (!gmtime_r(&ts->tv_sec, &tm)) {
		snprintf(buf, cap, "1970-01-01T00:00:00Z");
		return;
	}
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)ts->tv_nsec);
}

void pal_time_rfc3339_now(char *buf, size_t cap)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	pal_time_rfc3339(&ts, buf, cap);
}

uint64_t pal_time_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t pal_time_realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
