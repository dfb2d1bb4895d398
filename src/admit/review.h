/* AdmissionReview v1 (admission.k8s.io/v1) as a ValidatingAdmissionWebhook
 * receives it: the request is validated field by field (apiVersion, kind,
 * request.uid, request.kind, request.operation, request.object) and, for
 * Pods and the workload kinds that carry a pod template, the PodSpec to check
 * is located:
 *
 *   Pod                                   spec
 *   Deployment, ReplicaSet, StatefulSet,
 *   DaemonSet (apps), Job (batch),
 *   ReplicationController                 spec.template.spec
 *   PodTemplate                           template.spec
 *   CronJob (batch)                       spec.jobTemplate.spec.template.spec
 */
#ifndef PAL_ADMIT_REVIEW_H
#define PAL_ADMIT_REVIEW_H

#include "common/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define ADM_REVIEW_API_VERSION	  "admission.k8s.io/v1"
#define ADM_REVIEW_MAX_BYTES	  (8u << 20) /* an object and its oldObject, 3 MiB each at most */
#define ADM_REVIEW_MAX_CONTAINERS 1024	     /* containers + initContainers + ephemeralContainers */

enum adm_kind {
	ADM_KIND_OTHER = 0,
	ADM_KIND_POD,
	ADM_KIND_DEPLOYMENT,
	ADM_KIND_REPLICASET,
	ADM_KIND_STATEFULSET,
	ADM_KIND_DAEMONSET,
	ADM_KIND_JOB,
	ADM_KIND_CRONJOB,
	ADM_KIND_REPLICATIONCONTROLLER,
	ADM_KIND_PODTEMPLATE,
};

struct adm_review {
	json_t *root; /* owns every string below */
	const char *uid;
	const char *group, *version, *kind; /* request.kind */
	const char *sub_resource;	    /* "" when absent */
	const char *namespace, *name;	    /* "" when absent; name falls back to generateName */
	const char *operation;		    /* CREATE, UPDATE, DELETE, CONNECT */
	const char *user;		    /* request.userInfo.username, "" when absent */
	bool dry_run;
	enum adm_kind k;
	json_t *object;		     /* request.object; NULL for DELETE */
	json_t *pod_meta, *pod_spec; /* the pod (template) to check; NULL: nothing */
	const char *spec_path;	     /* "spec", "spec.template.spec", ... */
};

/* Parses and validates one review. Errors name the field ("request.uid:
 * missing") and mean the request is malformed (HTTP 400). */
int adm_review_parse(const char *data, size_t len, struct adm_review *r, struct pal_err *err);
void adm_review_free(struct adm_review *r);

const char *adm_kind_name(enum adm_kind k);

/* Every image of the pod (containers, initContainers, ephemeralContainers),
 * each once, in order; NULL-terminated, caller frees with pal_strv_free. */
char **adm_review_images(const struct adm_review *r);

#endif
