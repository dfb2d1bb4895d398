/* Shared between the files of the admission module; not a public API. */
#ifndef PAL_ADMIT_INTERNAL_H
#define PAL_ADMIT_INTERNAL_H

#include "oci_check.h"

/* Values for the placeholders of host_paths.allow; NULL: unknown. */
struct adm_placeholders {
	const char *container_id; /* NULL: matches any id (the id was not given) */
	const char *sandbox_id;	  /* NULL: entries using it never match */
	char *pod_uid;		  /* NULL: entries using it never match */
};

void adm_placeholders_init(struct adm_placeholders *ph, const struct rt_config *cfg,
			   const char *container_id);
void adm_placeholders_free(struct adm_placeholders *ph);

/* Host path decision: 0 allowed; otherwise the deny entry that refuses the
 * path (*entry), and whether a read-only bind would have been allowed. */
const struct adm_path *adm_path_denied(const struct adm_policy *p,
				       const struct adm_placeholders *ph, const char *resolved,
				       bool readonly, bool *readonly_would_do);

void adm_check_host_paths(const struct adm_policy *p, const struct rt_config *cfg,
			  const struct adm_placeholders *ph, struct adm_result *res);

#endif
