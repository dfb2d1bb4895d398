/* An alert as the outputs see it, and its JSON form.
 *
 * The JSON is Falco's alert shape (time, rule, priority, output, output_fields,
 * hostname, tags, source), so falcosidekick and Falco consumers read it
 * unchanged, plus Palisade's own keys beside them: container, action,
 * process_tree, suppressed. docs/outputs.md describes every key.
 */
#ifndef PAL_OUTPUT_ALERT_H
#define PAL_OUTPUT_ALERT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Falco's priorities, most severe first. The numbers equal the syslog
 * severities of RFC 5424, which is how the syslog sink maps them. */
enum out_priority {
	OUT_PRIO_EMERGENCY = 0,
	OUT_PRIO_ALERT,
	OUT_PRIO_CRITICAL,
	OUT_PRIO_ERROR,
	OUT_PRIO_WARNING,
	OUT_PRIO_NOTICE,
	OUT_PRIO_INFORMATIONAL,
	OUT_PRIO_DEBUG,
};
#define OUT_PRIO_COUNT 8

/* "Emergency", "Alert", "Critical", "Error", "Warning", "Notice",
 * "Informational", "Debug": the spelling Falco prints in its JSON. */
const char *out_priority_name(enum out_priority p);
/* Case-insensitive; accepts "info" for Informational as Falco does. -EINVAL otherwise. */
int out_priority_parse(const char *s, enum out_priority *out);

/* Falco's convention for events outside any container. */
#define OUT_HOST_CONTAINER_ID "host"

struct out_container {
	char *id;    /* NULL: the host ("host") */
	char *name;  /* NULL: same as id */
	char *image; /* NULL: "" */
};

enum out_action_result {
	OUT_ACTION_OK = 0, /* the action was carried out */
	OUT_ACTION_FAILED, /* tried and failed; detail says why */
	OUT_ACTION_SKIPPED /* not attempted (e.g. host process for kill_container, dry run) */
};

/* One response action and what came of it: "kill_process", "kill_container",
 * "freeze_container" (and "alert" if the caller records it). */
struct out_action {
	char *name;
	enum out_action_result result;
	char *detail; /* optional: the target or the error ("SIGKILL pid 4242", "ESRCH") */
};

/* The process and up to five ancestors, the process first. */
#define OUT_PROC_TREE_MAX 6
struct out_proc {
	int64_t pid;
	char *name;
	char *cmdline;
};

struct out_alert {
	uint64_t time_ns; /* event time, ns since the epoch (UTC) */
	char *rule;
	enum out_priority priority;
	char *output;	       /* the rule's formatted output text, without Falco's
				  "time: Priority " prefix, which to_json adds */
	json_t *output_fields; /* object, owned (NULL: {}) */
	char **tags;	       /* NULL-terminated, may be NULL */
	char *source;	       /* NULL: "syscall" */
	char *hostname;	       /* NULL: out_default_hostname() */
	struct out_container container;
	struct out_action *actions;
	size_t n_actions;
	struct out_proc proc_tree[OUT_PROC_TREE_MAX];
	size_t n_procs;
	uint64_t suppressed; /* alerts of this rule and container dropped by flood
				control since the previous one that passed */
};

/* Zeroes the alert. out_alert_clear frees everything the alert owns. */
void out_alert_init(struct out_alert *a);
void out_alert_clear(struct out_alert *a);

/* Helpers that copy their arguments into the alert. */
void out_alert_add_action(struct out_alert *a, const char *name, enum out_action_result result,
			  const char *detail);
/* Appends a process (the alerting process first); ignored beyond OUT_PROC_TREE_MAX. */
void out_alert_add_proc(struct out_alert *a, int64_t pid, const char *name, const char *cmdline);

const char *out_action_result_name(enum out_action_result r);

/* Builds the JSON object (new reference). fallback_hostname is used when the
 * alert has none (NULL: out_default_hostname()). */
json_t *out_alert_to_json(const struct out_alert *a, const char *fallback_hostname);

/* The alert as one compact JSON line without the trailing newline (caller
 * frees), keys sorted as Falco prints them. *len receives strlen. */
char *out_alert_to_line(const struct out_alert *a, const char *fallback_hostname, size_t *len);

/* $PALISADE_HOSTNAME if set (Falco reads FALCO_HOSTNAME the same way, for pods
 * whose hostname is not the node's), else gethostname(). Cached after the first call. */
const char *out_default_hostname(void);

/* RFC 3339 UTC with nanoseconds ("2026-01-02T03:04:05.123456789Z"), cap >= 31. */
void out_format_time_rfc3339(uint64_t time_ns, char *buf, size_t cap);

#endif
