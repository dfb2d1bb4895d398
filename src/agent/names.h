/* User and group names of container processes, from the container's own
 * /etc/passwd and /etc/group (uid 1000 is "node" in one image and "alice" on
 * the host). Read through /proc/<pid>/root with openat2(RESOLVE_IN_ROOT), so
 * the image's files cannot point the agent anywhere else; bounded in size;
 * cached per container.
 *
 * The engine calls agt_names_lookup (an eng_name_fn) while it evaluates an
 * event; a returned string stays valid until agt_names_expire() or
 * agt_names_free(), which the agent calls between events only. */
#ifndef PAL_AGENT_NAMES_H
#define PAL_AGENT_NAMES_H

#include "sensor/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGT_NAMES_FILE_MAX (1u << 20) /* bytes of /etc/passwd or /etc/group read */
#define AGT_NAMES_MAX_IDS  65536      /* entries kept per file */
#define AGT_NAMES_MAX_CTRS 512	      /* containers cached */
#define AGT_NAMES_TTL_NS   (60ull * 1000000000ull)

struct agt_names;

struct agt_names *agt_names_new(const char *proc_root); /* NULL: /proc */
void agt_names_free(struct agt_names *n);

/* An eng_name_fn (ud is the struct agt_names): NULL for host processes (the
 * engine then uses the host's files) and for ids the container does not name. */
const char *agt_names_lookup(void *ud, const struct pal_event *ev, bool group, uint32_t id);

/* Drops containers read more than AGT_NAMES_TTL_NS ago (they are read again
 * on next use), and the oldest beyond AGT_NAMES_MAX_CTRS. now_ns: monotonic. */
void agt_names_expire(struct agt_names *n, uint64_t now_ns);

/* The parser, for tests and fuzzing: "name:x:id:..." lines into sorted
 * (id, name) pairs; returns how many were kept. */
struct agt_name_entry {
	uint32_t id;
	char *name;
};
size_t agt_names_parse(const char *text, size_t len, struct agt_name_entry **out);

#endif
