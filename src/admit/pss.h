/* Pod Security Standards (Kubernetes v1.34 "latest"), baseline and
 * restricted, checked on a PodSpec in JSON. Every violated control is one
 * finding whose message reads like the API server's PodSecurity messages:
 *
 *   allowPrivilegeEscalation != false (container "app" must set
 *   securityContext.allowPrivilegeEscalation=false)
 *
 * Controls, by level:
 *   baseline   hostProcess, host namespaces, privileged, capabilities (the
 *              default add list), hostPath volumes, hostPort, AppArmor,
 *              SELinux, /proc mount type, seccomp (not Unconfined), sysctls
 *              (the safe set), probe and lifecycle hosts
 *   restricted everything of baseline, volume types, allowPrivilegeEscalation
 *              false, runAsNonRoot true, runAsUser not 0, seccomp
 *              RuntimeDefault or Localhost, capabilities drop ALL (only
 *              NET_BIND_SERVICE added)
 * Linux-only restricted controls (privilege escalation, seccomp,
 * capabilities) do not apply to Pods with spec.os.name "windows". */
#ifndef PAL_ADMIT_PSS_H
#define PAL_ADMIT_PSS_H

#include "policy.h"
#include "result.h"

#include <jansson.h>

#define ADM_PSS_VERSION "latest"

/* Checks spec (a PodSpec) and meta (its ObjectMeta, for annotations; may be
 * NULL) at level; adds one finding per violated control, its rule the
 * control's id ("privileged", "runAsNonRoot", ...) and its level that of the
 * control. Returns the number of findings added. */
size_t adm_pss_check(json_t *meta, json_t *spec, enum adm_level level, struct adm_result *res);

#endif
