/* RFC 5424 syslog lines and RFC 6587 octet-counting framing.
 *
 *   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG
 *
 * PRI = facility * 8 + severity, the severity being the alert's priority
 * (Falco's priorities are numbered as syslog severities). TIMESTAMP is UTC
 * with microseconds (RFC 5424 allows at most six fraction digits).
 * STRUCTURED-DATA is "-" and MSG is the alert's JSON (UTF-8, no BOM), so a
 * receiver gets exactly the JSON line the other sinks send.
 */
#ifndef PAL_OUTPUT_SYSLOG_FMT_H
#define PAL_OUTPUT_SYSLOG_FMT_H

#include "alert.h"
#include "common/strutil.h"

#include <stddef.h>
#include <stdint.h>

#define OUT_SYSLOG_FACILITY_USER 1

struct out_syslog_header {
	int facility; /* 0..23 */
	enum out_priority severity;
	uint64_t time_ns;
	const char *hostname; /* NULL or "": "-" */
	const char *app_name; /* NULL or "": "-" */
	long procid;	      /* <= 0: "-" */
	const char *msgid;    /* NULL or "": "-" */
};

/* Appends one RFC 5424 message. Header fields are reduced to the printable
 * US-ASCII the RFC allows (others become '_') and cut to their maximum
 * lengths (HOSTNAME 255, APP-NAME 48, MSGID 32). */
void out_syslog_format(struct pal_buf *b, const struct out_syslog_header *h, const char *msg,
		       size_t msg_len);

/* Appends "LEN SP MSG" (RFC 6587 section 3.4.1, RFC 5425). */
void out_syslog_frame_octet(struct pal_buf *b, const char *msg, size_t len);

/* Facility by name ("user", "daemon", "auth", "authpriv", "local0".."local7",
 * ...) or number 0..23. */
int out_syslog_facility_parse(const char *s, int *out);

#endif
