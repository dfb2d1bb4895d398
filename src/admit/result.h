/* Findings of an admission check: every violation found (not just the first),
 * each naming the rule, the item it concerns and the field of the checked
 * document, with a message an operator can act on.
 *
 * A finding that an exception of the policy covers is kept (for the audit
 * trail) but marked excepted and does not count against the container. */
#ifndef PAL_ADMIT_RESULT_H
#define PAL_ADMIT_RESULT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct adm_finding {
	char *rule;    /* "capabilities", "host_namespaces", ..., or a Pod Security check id */
	char *item;    /* "CAP_SYS_ADMIN", "network", "/run/docker.sock"; may be NULL */
	char *field;   /* "process.capabilities.bounding", "mounts[7].source"; may be NULL */
	char *message; /* the whole sentence, field first */
	int level;     /* Pod Security level of the check (enum adm_level); 0 otherwise */
	bool excepted;
	unsigned exception_line; /* policy line of the exception that covered it */
};

struct adm_result {
	struct adm_finding *v;
	size_t n;
	bool deny; /* the verdict: some finding counts and the policy enforces */
	bool warn; /* findings count but the policy only warns (mode: warn) */
};

void adm_result_init(struct adm_result *r);
void adm_result_free(struct adm_result *r);

/* Appends a finding; returns it so callers can set level or excepted. */
struct adm_finding *adm_result_add(struct adm_result *r, const char *rule, const char *item,
				   const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Findings that count (not excepted). */
size_t adm_result_count(const struct adm_result *r);

/* The counting findings' messages joined with sep (caller frees); "" if none. */
char *adm_result_join(const struct adm_result *r, const char *sep);

/* A JSON string of s that is always valid: bytes that are not UTF-8 become '?'
 * (messages quote paths and names from the checked documents). */
json_t *adm_json_string(const char *s);

/* {"deny":..,"findings":[{"rule","item","field","message","excepted"}]} for logs and audit. */
json_t *adm_result_json(const struct adm_result *r);

#endif
