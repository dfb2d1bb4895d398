/* The agent daemon: sensor → rules → enforcement → alerts, until SIGTERM.
 *
 *   SIGHUP          reload the rules (a bad file keeps the running ones and
 *                   says why), update the sensor's syscall set, reopen files
 *   SIGTERM/SIGINT  stop, evaluate what the ring buffer still holds, detach
 *                   the sensor, drain the outputs (shutdown_timeout_ms), print
 *                   the final counters on stderr, exit 0
 */
#ifndef PAL_AGENT_AGENT_H
#define PAL_AGENT_AGENT_H

#include "agent/config.h"
#include "common/err.h"
#include "engine/engine.h"

#include <stdbool.h>

struct agt_run_opts {
	const char *ready_file; /* written (our pid) once attached and rules loaded */
	bool check_only;	/* load the configuration and the rules, then return */
	/* Where cfg came from, for SIGHUP; NULL: SIGHUP reloads the rules only. */
	const struct agt_config_sources *sources;
};

/* Runs the agent; returns the process exit status (0 clean shutdown). A
 * SIGHUP reload updates cfg's rules, rate_limit, enforcement and log_level
 * in place. */
int agt_run(struct agt_config *cfg, const struct agt_run_opts *ro);

struct agt_names;
struct agt_environ;

/* Loads the ruleset the configuration names (built-in and/or paths), with
 * every diagnostic logged. names and env (either may be NULL) resolve user
 * and group names and environments of processes and must outlive the
 * ruleset. */
int agt_rules_load(const struct agt_config *cfg, struct agt_names *names, struct agt_environ *env,
		   struct eng_ruleset **out, struct pal_err *err);

#endif
