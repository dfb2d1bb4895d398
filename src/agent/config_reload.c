/* Building the configuration from its sources, at start and on SIGHUP, and
 * telling which of the changes a reload cannot apply. */
#include "agent/config.h"

#include "common/fsutil.h"
#include "common/strutil.h"

#include <stdio.h>
#include <string.h>

int agt_config_build(const struct agt_config_sources *src, struct agt_config *out,
		     struct pal_err *err)
{
	agt_config_init(out);
	const char *path = src->path;
	if (!path && pal_path_exists(AGT_CONFIG_DEFAULT_PATH))
		path = AGT_CONFIG_DEFAULT_PATH;
	if (path) {
		int r = agt_config_load_file(out, path, err);
		if (r < 0)
			return r;
	}
	for (char *const *r = src->rules; r && *r; r++)
		agt_config_add_rule_path(out, *r);
	for (char *const *f = src->files; f && *f; f++)
		agt_config_add_file_output(out, *f);
	if (src->log_level) {
		free(out->log_level);
		out->log_level = pal_xstrdup(src->log_level);
	}
	return 0;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool strv_eq(char *const *a, char *const *b)
{
	size_t n = pal_strv_len(a);
	if (n != pal_strv_len(b))
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

static bool output_eq(const struct agt_output *a, const struct agt_output *b)
{
	return a->kind == b->kind && str_eq(a->name, b->name) &&
	       a->has_min_priority == b->has_min_priority &&
	       (!a->has_min_priority || a->min_priority == b->min_priority) &&
	       a->queue_size == b->queue_size && a->timeout_ms == b->timeout_ms &&
	       str_eq(a->path, b->path) && a->transport == b->transport &&
	       str_eq(a->address, b->address) && a->facility == b->facility &&
	       str_eq(a->server_name, b->server_name) && str_eq(a->cert_file, b->cert_file) &&
	       str_eq(a->key_file, b->key_file) && str_eq(a->ca_file, b->ca_file) &&
	       str_eq(a->url, b->url) && strv_eq(a->headers, b->headers) &&
	       str_eq(a->subject, b->subject);
}

static void add_key(char *buf, size_t cap, const char *key)
{
	size_t len = strlen(buf);
	if (len < cap)
		snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", key);
}

void agt_config_restart_keys_changed(const struct agt_config *a, const struct agt_config *b,
				     char *buf, size_t cap)
{
	if (cap)
		buf[0] = '\0';
	bool outputs = a->n_outputs == b->n_outputs;
	for (size_t i = 0; outputs && i < a->n_outputs; i++)
		outputs = output_eq(&a->outputs[i], &b->outputs[i]);
	if (!outputs)
		add_key(buf, cap, "outputs");
	if (a->audit != b->audit || !str_eq(a->audit_path, b->audit_path) ||
	    !str_eq(a->audit_key_file, b->audit_key_file) || a->audit_fsync != b->audit_fsync)
		add_key(buf, cap, "audit");
	if (a->metrics != b->metrics || !str_eq(a->metrics_listen, b->metrics_listen))
		add_key(buf, cap, "metrics");
	if (a->ringbuf_bytes != b->ringbuf_bytes || a->max_latency_ms != b->max_latency_ms ||
	    a->seccomp_audit != b->seccomp_audit)
		add_key(buf, cap, "sensor");
	if (!str_eq(a->state_dir, b->state_dir))
		add_key(buf, cap, "state_dir");
	if (!str_eq(a->hostname, b->hostname))
		add_key(buf, cap, "hostname");
	if (a->shutdown_timeout_ms != b->shutdown_timeout_ms)
		add_key(buf, cap, "shutdown_timeout_ms");
}
