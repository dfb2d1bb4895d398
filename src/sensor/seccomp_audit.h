/* Seccomp denials, which never reach the syscall tracepoints: the kernel
 * logs them as audit records of type AUDIT_SECCOMP (1326) when the filter
 * was installed with SECCOMP_FILTER_FLAG_LOG (and the action is listed in
 * /proc/sys/kernel/seccomp/actions_logged).
 *
 * They are read from the audit netlink multicast group AUDIT_NLGRP_READLOG
 * (needs CAP_AUDIT_READ), not from /dev/kmsg: without auditd the kernel's
 * printk of audit records is rate limited (measured here: 10 of 10000
 * denials reached the kernel log, all 10000 reached the multicast group).
 * The multicast group delivers every record while a reader is subscribed;
 * records lost to a full socket buffer show as gaps in the audit serial
 * numbers and are counted. */
#ifndef PAL_SENSOR_SECCOMP_AUDIT_H
#define PAL_SENSOR_SECCOMP_AUDIT_H

#include "common/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SEN_AUDIT_SECCOMP 1326

struct sen_audit_seccomp {
	uint64_t ts_ns; /* realtime of the record */
	uint64_t serial;
	uint32_t pid, uid, gid, auid;
	uint32_t sig;
	uint32_t arch; /* AUDIT_ARCH_* */
	int64_t syscall;
	uint32_t code; /* SECCOMP_RET_* action | data */
	char comm[64];
	char exe[4096];
};

/* Parses the text of an AUDIT_SECCOMP record:
 * "audit(1796128833.870:2): auid=... uid=0 gid=0 ses=... pid=10875 comm="deny"
 *  exe="/tmp/deny" sig=0 arch=c000003e syscall=250 compat=0 ip=0x... code=0x50000".
 * comm and exe may be quoted or hex-encoded (audit's untrusted-string form). */
int sen_audit_parse_seccomp(const char *text, size_t len, struct sen_audit_seccomp *out);

struct sen_audit;

/* Subscribes to AUDIT_NLGRP_READLOG. */
int sen_audit_open(struct sen_audit **out, struct pal_err *err);
void sen_audit_close(struct sen_audit *a);
int sen_audit_fd(const struct sen_audit *a);

typedef void (*sen_audit_cb)(const struct sen_audit_seccomp *rec, void *ctx);
/* Reads every pending record without blocking; calls cb for seccomp ones.
 * Returns the number of seccomp records, or -errno. */
int sen_audit_drain(struct sen_audit *a, sen_audit_cb cb, void *ctx);
/* Audit records lost so far (serial gaps: any record type, not only seccomp). */
uint64_t sen_audit_lost(const struct sen_audit *a);

#endif
