#include "agent/outputs_setup.h"

#include "common/strutil.h"
#include "output/sink.h"

#include <errno.h>
#include <stdio.h>

static struct out_sink *make_sink(const struct agt_output *o, const char *hostname,
				  struct pal_err *err)
{
	struct out_sink_opts so = {
	    .name = o->name,
	    .queue_capacity = o->queue_size,
	    .min_priority_set = o->has_min_priority,
	    .min_priority = o->min_priority,
	    .timeout_ms = o->timeout_ms,
	};
	switch (o->kind) {
	case AGT_OUT_STDOUT:
		return out_sink_stdout_new(&so, err);
	case AGT_OUT_FILE:
		return out_sink_file_new(o->path, &so, err);
	case AGT_OUT_SYSLOG: {
		struct out_syslog_opts sy;
		out_syslog_opts_init(&sy);
		sy.transport = o->transport;
		sy.address = o->address;
		if (o->facility >= 0)
			sy.facility = o->facility;
		sy.hostname = hostname;
		sy.ca_file = o->ca_file;
		sy.server_name = o->server_name;
		sy.cert_file = o->cert_file;
		sy.key_file = o->key_file;
		return out_sink_syslog_new(&sy, &so, err);
	}
	case AGT_OUT_HTTP: {
		struct out_http_opts h = {
		    .url = o->url, .headers = o->headers, .ca_file = o->ca_file};
		return out_sink_http_new(&h, &so, err);
	}
	case AGT_OUT_NATS: {
		struct out_nats_opts n = {.url = o->url, .subject = o->subject};
		return out_sink_nats_new(&n, &so, err);
	}
	}
	pal_err_set(err, EINVAL, "unknown output kind");
	return NULL;
}

int agt_outputs_build(const struct agt_config *cfg, struct out_outputs **out, struct pal_err *err)
{
	struct out_outputs *outs = out_outputs_new(cfg->hostname);
	struct agt_output def = {.kind = AGT_OUT_STDOUT, .facility = -1};
	size_t n = cfg->n_outputs ? cfg->n_outputs : 1;
	for (size_t i = 0; i < n; i++) {
		const struct agt_output *o = cfg->n_outputs ? &cfg->outputs[i] : &def;
		struct out_sink *s = make_sink(o, cfg->hostname, err);
		if (!s) {
			out_outputs_close(outs, 0, NULL);
			return pal_err_prefix(err, "outputs[%zu] (%s)", i,
					      agt_output_kind_name(o->kind));
		}
		out_outputs_add(outs, s);
	}
	*out = outs;
	return 0;
}
