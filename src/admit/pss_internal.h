/* Helpers of the Pod Security checks (pss_*.c). */
#ifndef PAL_ADMIT_PSS_INTERNAL_H
#define PAL_ADMIT_PSS_INTERNAL_H

#include "pss.h"
#include "common/cleanup.h"
#include "common/strutil.h"

#include <stdbool.h>

struct pss {
	json_t *meta, *spec;
	enum adm_level level;
	bool windows; /* spec.os.name == "windows" */
	struct adm_result *res;
	size_t added;
};

/* A JSON field read for a check: absent (missing or null), a value, or of the
 * wrong type (counted as a forbidden value: the API server would have
 * refused it, so it can only come from a forged request). */
enum pss_tri { PSS_ABSENT = 0, PSS_TRUE, PSS_FALSE, PSS_BAD };
enum pss_tri pss_bool(json_t *obj, const char *key);

/* The string at key; NULL if absent; "<invalid>" if not a string. */
const char *pss_str(json_t *obj, const char *key);

/* obj[key] when it is an object, else NULL. */
json_t *pss_obj(json_t *obj, const char *key);

/* Calls fn for every container, initContainer and ephemeralContainer. */
typedef void (*pss_container_fn)(struct pss *c, json_t *container, const char *name, void *arg);
void pss_each_container(struct pss *c, pss_container_fn fn, void *arg);

/* A list of names: ordered as added (containers) or sorted (values). */
#define PSS_LIST_MAX 64

struct pss_list {
	char **v;
	size_t n;
	bool truncated;
};
void pss_list_add(struct pss_list *l, const char *s); /* ignores duplicates */
void pss_list_free(struct pss_list *l);
void pss_list_sort(struct pss_list *l);
/* `"a", "b"` */
void pss_join_quote(struct pss_list *l, struct pal_buf *out);
/* `container "a"` / `containers "a", "b"` */
void pss_containers(struct pss_list *l, struct pal_buf *out);

void pss_add(struct pss *c, const char *id, enum adm_level level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* RuntimeDefault or Localhost. */
bool pss_seccomp_type_ok(const char *t);

void pss_check_baseline(struct pss *c);
void pss_check_restricted(struct pss *c);

#endif
