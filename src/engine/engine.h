/* The rule engine: loads Falco-style rule files (rules, macros, lists,
 * exceptions, overrides), compiles every condition once into a tree of
 * resolved field extractors and pre-parsed operands, and evaluates events
 * from the sensor against the rules that can match their event type.
 *
 * Typical use by the agent:
 *
 *   struct eng_ruleset *rs;
 *   const char *files[] = {"/etc/palisade/rules.d"};   // files or directories
 *   if (eng_ruleset_load(files, 1, &opts, &rs, &err) < 0) ...;
 *   struct eng_evtset need;
 *   eng_ruleset_event_set(rs, &need);                  // tell the sensor what to capture
 *   ... for every event: eng_eval(rs, ev, on_match, ctx);
 *   eng_ruleset_free(rs);
 *
 * A loaded ruleset is immutable: any number of threads may call eng_eval()
 * on it at once. Evaluation allocates nothing and copies no strings unless a
 * rule matches; formatting the alert happens only for matching rules.
 */
#ifndef PAL_ENGINE_ENGINE_H
#define PAL_ENGINE_ENGINE_H

#include "common/err.h"
#include "sensor/event.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The Falco rules-language level this engine implements, compared against a
 * file's `required_engine_version` (semver, or a bare integer N meaning 0.N.0).
 * 0.57.0 is the level of Falco's falco-rules 5.x: exceptions, override
 * append/replace, transformers (tolower, toupper, b64, basename, len, val). */
#define ENG_ENGINE_VERSION "0.57.0"

enum eng_priority {
	ENG_PRIO_EMERGENCY = 0,
	ENG_PRIO_ALERT,
	ENG_PRIO_CRITICAL,
	ENG_PRIO_ERROR,
	ENG_PRIO_WARNING,
	ENG_PRIO_NOTICE,
	ENG_PRIO_INFORMATIONAL,
	ENG_PRIO_DEBUG,
};

/* "Emergency" ... "Debug", as Falco prints them in alerts. */
const char *eng_priority_name(enum eng_priority p);
/* Case-insensitive; accepts "info" for informational. Returns -1 if unknown. */
int eng_priority_from_name(const char *s);

/* Response actions a rule asks for (`actions:` in a rule; default alert). */
enum eng_action {
	ENG_ACTION_ALERT = 1u << 0,
	ENG_ACTION_KILL_PROCESS = 1u << 1,
	ENG_ACTION_KILL_CONTAINER = 1u << 2,
	ENG_ACTION_FREEZE_CONTAINER = 1u << 3,
};
const char *eng_action_name(enum eng_action a); /* "alert", "kill_process", ... */
int eng_action_from_name(const char *s);	/* -1 if unknown */

/* How much of a rule Palisade can evaluate (Falco rules may use fields the
 * sensor does not capture). */
enum eng_support {
	ENG_SUPPORT_FULL = 0,
	ENG_SUPPORT_PARTIAL, /* some alternatives use uncaptured fields and never match */
	ENG_SUPPORT_NONE,    /* the rule can never match on Palisade (loaded, inert) */
};

/* A loaded rule, as consumers see it. Strings live as long as the ruleset. */
struct eng_rule {
	const char *name;
	const char *desc;
	const char *source; /* "syscall" */
	const char *file;   /* where the rule was first defined */
	unsigned line;
	enum eng_priority priority;
	const char *const *tags; /* NULL-terminated */
	size_t ntags;
	uint32_t actions; /* enum eng_action bits */
	bool enabled;
	/* Not loaded: skip-if-unknown-filter, an unsupported source, or a field
	 * Palisade does not capture used under a negation. */
	bool skipped;
	enum eng_support support;
	const char *support_note; /* why not full support / why skipped; NULL if full */
};

/* One matching rule for one event. Valid only during the callback. */
struct eng_match {
	const struct eng_rule *rule;
	const struct pal_event *ev;
	const char *output;    /* the rule's output with every %field substituted */
	json_t *output_fields; /* object: field name -> value (null when absent); borrowed */
};

typedef void (*eng_match_fn)(const struct eng_match *m, void *ud);

/* ---- diagnostics ------------------------------------------------------ */

enum eng_diag_level { ENG_DIAG_ERROR = 0, ENG_DIAG_WARNING };

struct eng_diag {
	enum eng_diag_level level;
	const char *file; /* NULL when not tied to a file */
	unsigned line, col;
	const char *kind; /* "rule", "macro", "list", "exception" or NULL */
	const char *item; /* its name, or NULL */
	const char *code; /* stable short code, e.g. "unknown-field", "syntax" */
	const char *message;
};

typedef void (*eng_diag_fn)(const struct eng_diag *d, void *ud);

/* "file:line:col: error: rule 'X': message" into buf (truncated to cap). */
void eng_diag_format(const struct eng_diag *d, char *buf, size_t cap);

/* ---- loading ------------------------------------------------------------ */

/* Resolves a uid or gid to a name for an event (e.g. from the container's own
 * /etc/passwd). Returns NULL when unknown; the string must stay valid until
 * the ruleset is freed or the name resolver is called again for the same id. */
typedef const char *(*eng_name_fn)(void *ud, const struct pal_event *ev, bool group, uint32_t id);

/* The environment of an event's process when the event does not carry it
 * (the sensor does not capture environments): NULL-terminated "NAME=value"
 * strings, or NULL when unknown. Valid until the resolver is called for
 * another event. */
typedef const char *const *(*eng_env_fn)(void *ud, const struct pal_event *ev);

struct eng_load_opts {
	/* Called for every warning and error; when NULL, warnings are logged and
	 * the first error is reported through the pal_err of the load call. */
	eng_diag_fn diag;
	void *diag_ud;
	/* Fields Falco defines but Palisade does not capture (fd.nameraw, ...)
	 * are errors instead of warnings. */
	bool strict_fields;
	/* With has_min_priority, rules less severe than min_priority (an enum
	 * eng_priority) are loaded disabled. Default: every priority. */
	int min_priority;
	bool has_min_priority;
	/* Rules carrying any of these tags are loaded disabled. NULL-terminated;
	 * must stay valid until eng_loader_finish. */
	const char *const *disabled_tags;
	/* User and group names. user.name for host processes comes from these
	 * files (default /etc/passwd, /etc/group); for container processes from
	 * `resolve_name` when set, else only uid 0 is known ("root"). */
	const char *passwd_path;
	const char *group_path;
	eng_name_fn resolve_name;
	void *resolve_ud;
	/* proc.env when the event's process has no captured environment. */
	eng_env_fn resolve_env;
	void *resolve_env_ud;
	/* CLOCK_REALTIME minus CLOCK_BOOTTIME in ns, to compare evt.time with
	 * pal_proc.start_ns (proc.duration). Default: measured at load. */
	int64_t realtime_minus_boottime_ns;
	bool has_clock_offset;
};

struct eng_loader;
struct eng_ruleset;

struct eng_stats {
	unsigned rules;		 /* rule definitions after overrides */
	unsigned rules_enabled;	 /* loaded and enabled */
	unsigned rules_disabled; /* loaded, enabled: false (or below min priority / disabled tag) */
	unsigned rules_skipped;	 /* not loaded (see eng_rule.skipped) */
	unsigned rules_partial;	 /* enabled rules with ENG_SUPPORT_PARTIAL */
	unsigned rules_inert;	 /* enabled rules with ENG_SUPPORT_NONE */
	unsigned macros, lists;
	unsigned errors, warnings;
};

struct eng_loader *eng_loader_new(const struct eng_load_opts *opts);
/* Adds one rules file, or every *.yaml / *.yml file of a directory in name
 * order. Problems in the file are diagnostics (see eng_loader_finish); the
 * return value is negative only when the file cannot be read. */
int eng_loader_add_path(struct eng_loader *l, const char *path, struct pal_err *err);
int eng_loader_add_buffer(struct eng_loader *l, const char *name, const char *data, size_t len);
/* Adds the default ruleset compiled into the binary (rules/ of the source tree). */
void eng_loader_add_builtin(struct eng_loader *l);
/* Compiles everything added. Fails (-EINVAL) if any error was diagnosed,
 * with err naming the first one and the count. */
int eng_loader_finish(struct eng_loader *l, struct eng_ruleset **out, struct pal_err *err);
/* Counts of the last finish (valid even when it failed). */
void eng_loader_stats(const struct eng_loader *l, struct eng_stats *st);
void eng_loader_free(struct eng_loader *l);

/* Convenience: loader_new + add_path for each + finish + free. With no
 * paths, loads the built-in default ruleset. */
int eng_ruleset_load(const char *const *paths, size_t npaths, const struct eng_load_opts *opts,
		     struct eng_ruleset **out, struct pal_err *err);
void eng_ruleset_free(struct eng_ruleset *rs);

/* Names and contents of the built-in rules files. */
size_t eng_builtin_count(void);
const char *eng_builtin_name(size_t i);
const char *eng_builtin_text(size_t i, size_t *len);

/* ---- inspecting a ruleset ------------------------------------------------ */

size_t eng_ruleset_rule_count(const struct eng_ruleset *rs);
const struct eng_rule *eng_ruleset_rule(const struct eng_ruleset *rs, size_t i);
const struct eng_rule *eng_ruleset_find_rule(const struct eng_ruleset *rs, const char *name);
void eng_ruleset_stats(const struct eng_ruleset *rs, struct eng_stats *st);

/* The event types the enabled rules can match: the sensor need capture no others. */
struct eng_evtset {
	uint64_t bits[(PAL_EVT__COUNT + 63) / 64];
};
static inline bool eng_evtset_has(const struct eng_evtset *s, unsigned t)
{
	return t < PAL_EVT__COUNT && (s->bits[t / 64] >> (t % 64)) & 1;
}
void eng_ruleset_event_set(const struct eng_ruleset *rs, struct eng_evtset *out);
/* The same as names (pal_evt_type_name), in enum order: fills up to cap
 * entries of names and returns how many there are in total. */
size_t eng_ruleset_syscalls_needed(const struct eng_ruleset *rs, const char **names, size_t cap);
/* Per rule: the event types it can match. */
void eng_rule_event_set(const struct eng_ruleset *rs, const struct eng_rule *r,
			struct eng_evtset *out);

/* The compiled condition of r as text (macros expanded, lists collapsed to
 * "(...)", operands in evaluation order); caller frees. For --explain. */
char *eng_rule_compiled_text(const struct eng_ruleset *rs, const struct eng_rule *r);

/* ---- evaluation ------------------------------------------------------------ */

/* Evaluates ev against every enabled rule that can match its type and calls
 * fn for each matching rule, in load order (every match fires, not only the
 * first). Returns the number of matches. fn may be NULL (count only, no
 * output formatting). */
int eng_eval(const struct eng_ruleset *rs, const struct pal_event *ev, eng_match_fn fn, void *ud);

/* Formats a rule's output for ev as eng_eval would (caller frees). Useful
 * for tests and for re-rendering. output_fields may be NULL. */
char *eng_format_output(const struct eng_ruleset *rs, const struct eng_rule *r,
			const struct pal_event *ev, json_t **output_fields);

#endif
