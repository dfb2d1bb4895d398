/* The agent's configuration: /etc/palisade/palisade.yaml (or --config FILE).
 *
 * Every key is optional; with no file at all the agent runs on built-in
 * defaults (the default ruleset, JSON alerts on stdout, enforcement on).
 * Unknown keys, wrong types and bad values are errors that name the file,
 * line and column. docs/agent.md is the reference for every key.
 */
#ifndef PAL_AGENT_CONFIG_H
#define PAL_AGENT_CONFIG_H

#include "common/err.h"
#include "output/alert.h"
#include "output/sink.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AGT_CONFIG_DEFAULT_PATH "/etc/palisade/palisade.yaml"
#define AGT_CONFIG_MAX_BYTES	(1u << 20)

enum agt_output_kind {
	AGT_OUT_STDOUT = 0,
	AGT_OUT_FILE,
	AGT_OUT_SYSLOG,
	AGT_OUT_HTTP,
	AGT_OUT_NATS,
};

const char *agt_output_kind_name(enum agt_output_kind k);

struct agt_output {
	enum agt_output_kind kind;
	char *name; /* label in logs and metrics; NULL: kind and address */
	bool has_min_priority;
	enum out_priority min_priority;
	size_t queue_size;   /* 0: the sink's default (1024) */
	uint32_t timeout_ms; /* 0: the sink's default (5000) */
	/* file */
	char *path;
	/* syslog */
	enum out_syslog_transport transport;
	char *address;
	int facility; /* -1: the default (user) */
	char *server_name, *cert_file, *key_file;
	/* syslog tls and http(s): CA bundle */
	char *ca_file;
	/* http */
	char *url;	/* also nats */
	char **headers; /* "Name: value", NULL-terminated or NULL */
	/* nats */
	char *subject;
};

struct agt_config {
	char *source; /* the file read, or NULL for built-in defaults */

	/* rules */
	char **rule_paths;  /* files and directories, in load order */
	int rules_builtin;  /* 1 / 0; -1: default (yes when no rule path is given) */
	int rules_min_prio; /* enum eng_priority; -1: every priority */
	char **disabled_tags;

	struct agt_output *outputs;
	size_t n_outputs;

	/* flood control, per rule and container */
	bool rate_limit;
	double rate;  /* alerts per second sustained */
	double burst; /* alerts at once */
	size_t rate_max_keys;

	/* audit log */
	bool audit;
	char *audit_path; /* NULL: /var/lib/palisade/audit.log */
	char *audit_key_file;
	bool audit_fsync;

	/* Prometheus metrics */
	bool metrics;
	char *metrics_listen;

	/* sensor */
	size_t ringbuf_bytes; /* 0: the sensor's default (8 MiB) */
	int max_latency_ms;   /* 20 by default; -1: wake on every event */
	bool seccomp_audit;   /* read seccomp denials from the audit log */

	/* enforcement */
	bool enforce;
	bool enforce_dry_run;
	bool enforce_host;
	uint32_t freeze_timeout_ms;

	char *state_dir; /* NULL: $PALISADE_STATE_DIR or /run/palisade/containers */
	char *hostname;	 /* NULL: $PALISADE_HOSTNAME or the host name */
	char *log_level; /* error, warning, info, debug */
	uint32_t shutdown_timeout_ms;
};

/* Fills the built-in defaults. */
void agt_config_init(struct agt_config *c);
void agt_config_free(struct agt_config *c);

/* Parses a YAML document over the defaults already in c. name is used in
 * messages ("palisade.yaml:12:5: ..."). An empty document keeps the defaults. */
int agt_config_parse(struct agt_config *c, const char *name, const char *data, size_t len,
		     struct pal_err *err);
int agt_config_load_file(struct agt_config *c, const char *path, struct pal_err *err);

/* Command-line additions (-r, -o). */
void agt_config_add_rule_path(struct agt_config *c, const char *path);
void agt_config_add_file_output(struct agt_config *c, const char *path);

/* Where a configuration comes from: the file (NULL: the default path when it
 * exists, else built-in defaults) and the command line's additions. Kept by
 * the agent, so SIGHUP rebuilds the configuration the same way. */
struct agt_config_sources {
	const char *path;
	char *const *rules;    /* -r, NULL-terminated or NULL */
	char *const *files;    /* -o */
	const char *log_level; /* --log-level, NULL: the file's */
};

/* Builds a configuration from its sources into out (initialised here; free
 * it with agt_config_free() whatever the result). */
int agt_config_build(const struct agt_config_sources *src, struct agt_config *out,
		     struct pal_err *err);

/* The keys read at start only (outputs, audit, metrics, sensor, state_dir,
 * hostname, shutdown_timeout_ms) whose values differ between a and b, as
 * "outputs, audit" into buf; "" when none. */
void agt_config_restart_keys_changed(const struct agt_config *a, const struct agt_config *b,
				     char *buf, size_t cap);

/* Whether the built-in ruleset loads: rules.builtin, or no path given. */
bool agt_config_loads_builtin(const struct agt_config *c);

#endif
