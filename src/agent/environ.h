/* proc.env on demand: the sensor does not capture environments, so a rule
 * that asks for one (the default ruleset's Kubernetes API server rule reads
 * KUBERNETES_SERVICE_HOST) gets the process's /proc/<pid>/environ, read when
 * the rule evaluates it, checked against the event's process start time. */
#ifndef PAL_AGENT_ENVIRON_H
#define PAL_AGENT_ENVIRON_H

#include "sensor/event.h"

#include <stddef.h>

#define AGT_ENVIRON_MAX (64u << 10) /* bytes of an environment read */

struct agt_environ;

struct agt_environ *agt_environ_new(const char *proc_root); /* NULL: /proc */
void agt_environ_free(struct agt_environ *e);

/* An eng_env_fn (ud is the struct agt_environ). Reads at most once per
 * event, from the event's process or, when it is gone, its closest living
 * ancestor in the same cgroup (whose environment it inherited); each checked
 * against its start time. The vector stays valid until the lookup for
 * another event. NULL when none of them is left. */
const char *const *agt_environ_lookup(void *ud, const struct pal_event *ev);

#endif
