/* struct pal_event as one JSON object with Falco's field names ("evt.type",
 * "proc.name", "fd.name", "container.id", ...): what `palisade trace` prints
 * and what other outputs may reuse. */
#ifndef PAL_SENSOR_EVENT_JSON_H
#define PAL_SENSOR_EVENT_JSON_H

#include "sensor/event.h"

#include <jansson.h>
#include <stddef.h>

/* How many ancestors get proc.aname[N] / proc.apid[N] (N = 1..depth). */
#define SEN_JSON_ANCESTRY 5

json_t *sen_event_to_json(const struct pal_event *ev);

/* Falco's evt.res: "SUCCESS" for res >= 0, else the errno name ("ENOENT"). */
const char *sen_res_string(int64_t res, char *buf, size_t cap);

/* "CAP_CHOWN CAP_KILL ..." for a capability mask. Caller frees. */
char *sen_caps_string(uint64_t caps);

/* "ip:port", "[ip6]:port" or the unix path. */
void sen_sockaddr_string(const struct pal_sockaddr *a, char *buf, size_t cap);

#endif
