#include "syslog_fmt.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static const char *const facility_names[24] = {
    "kern",   "user",	"mail",	    "daemon", "auth",	"syslog", "lpr",    "news",
    "uucp",   "cron",	"authpriv", "ftp",    "ntp",	"audit",  "alert",  "clock",
    "local0", "local1", "local2",   "local3", "local4", "local5", "local6", "local7",
};

int out_syslog_facility_parse(const char *s, int *out)
{
	if (!s || !*s)
		return -EINVAL;
	for (int i = 0; i < 24; i++) {
		if (strcmp(s, facility_names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	uint64_t n;
	if (pal_parse_uint64(s, &n) == 0 && n < 24) {
		*out = (int)n;
		return 0;
	}
	return -EINVAL;
}

/* PRINTUSASCII (%d33-126), at most max characters, "-" when empty. */
static void put_field(struct pal_buf *b, const char *s, size_t max)
{
	if (!s || !*s) {
		pal_buf_putc(b, '-');
		return;
	}
	for (size_t i = 0; s[i] && i < max; i++) {
		unsigned char ch = (unsigned char)s[i];
		pal_buf_putc(b, ch >= 33 && ch <= 126 ? (char)ch : '_');
	}
}

void out_syslog_format(struct pal_buf *b, const struct out_syslog_header *h, const char *msg,
		       size_t msg_len)
{
	int facility =
	    h->facility >= 0 && h->facility < 24 ? h->facility : OUT_SYSLOG_FACILITY_USER;
	int severity = (unsigned)h->severity < OUT_PRIO_COUNT ? (int)h->severity : OUT_PRIO_DEBUG;
	pal_buf_printf(b, "<%d>1 ", facility * 8 + severity);

	time_t sec = (time_t)(h->time_ns / 1000000000ull);
	struct tm tm;
	if (gmtime_r(&sec, &tm))
		pal_buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%06luZ ", tm.tm_year + 1900,
			       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			       (unsigned long)(h->time_ns % 1000000000ull / 1000ull));
	else
		pal_buf_puts(b, "- ");
	put_field(b, h->hostname, 255);
	pal_buf_putc(b, ' ');
	put_field(b, h->app_name, 48);
	pal_buf_putc(b, ' ');
	if (h->procid > 0)
		pal_buf_printf(b, "%ld", h->procid);
	else
		pal_buf_putc(b, '-');
	pal_buf_putc(b, ' ');
	put_field(b, h->msgid, 32);
	pal_buf_puts(b, " - ");
	pal_buf_append(b, msg, msg_len);
}

void out_syslog_frame_octet(struct pal_buf *b, const char *msg, size_t len)
{
	pal_buf_printf(b, "%zu ", len);
	pal_buf_append(b, msg, len);
}
