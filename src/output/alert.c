#include "alert.h"

#include "common/strutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *const priority_names[OUT_PRIO_COUNT] = {
    "Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

const char *out_priority_name(enum out_priority p)
{
	if ((unsigned)p >= OUT_PRIO_COUNT)
		return "Debug";
	return priority_names[p];
}

int out_priority_parse(const char *s, enum out_priority *out)
{
	if (!s)
		return -EINVAL;
	for (int i = 0; i < OUT_PRIO_COUNT; i++) {
		if (strcasecmp(s, priority_names[i]) == 0) {
			*out = (enum out_priority)i;
			return 0;
		}
	}
	if (strcasecmp(s, "info") == 0) {
		*out = OUT_PRIO_INFORMATIONAL;
		return 0;
	}
	return -EINVAL;
}

const char *out_action_result_name(enum out_action_result r)
{
	switch (r) {
	case OUT_ACTION_OK:
		return "ok";
	case OUT_ACTION_FAILED:
		return "failed";
	case OUT_ACTION_SKIPPED:
		return "skipped";
	}
	return "failed";
}

void out_alert_init(struct out_alert *a)
{
	memset(a, 0, sizeof(*a));
	a->priority = OUT_PRIO_WARNING;
}

void out_alert_clear(struct out_alert *a)
{
	free(a->rule);
	free(a->output);
	if (a->output_fields)
		json_decref(a->output_fields);
	pal_strv_free(a->tags);
	free(a->source);
	free(a->hostname);
	free(a->container.id);
	free(a->container.name);
	free(a->container.image);
	for (size_t i = 0; i < a->n_actions; i++) {
		free(a->actions[i].name);
		free(a->actions[i].detail);
	}
	free(a->actions);
	for (size_t i = 0; i < a->n_procs; i++) {
		free(a->proc_tree[i].name);
		free(a->proc_tree[i].cmdline);
	}
	out_alert_init(a);
}

void out_alert_add_action(struct out_alert *a, const char *name, enum out_action_result result,
			  const char *detail)
{
	a->actions = pal_xrealloc(a->actions, (a->n_actions + 1) * sizeof(*a->actions));
	a->actions[a->n_actions++] = (struct out_action){
	    .name = pal_xstrdup(name),
	    .result = result,
	    .detail = detail ? pal_xstrdup(detail) : NULL,
	};
}

void out_alert_add_proc(struct out_alert *a, int64_t pid, const char *name, const char *cmdline)
{
	if (a->n_procs >= OUT_PROC_TREE_MAX)
		return;
	a->proc_tree[a->n_procs++] = (struct out_proc){
	    .pid = pid,
	    .name = pal_xstrdup(name),
	    .cmdline = pal_xstrdup(cmdline),
	};
}

void out_format_time_rfc3339(uint64_t time_ns, char *buf, size_t cap)
{
	time_t sec = (time_t)(time_ns / 1000000000ull);
	struct tm tm;
	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, cap, "1970-01-01T00:00:00.000000000Z");
		return;
	}
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09luZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned long)(time_ns % 1000000000ull));
}

/* Falco's "output" starts with %evt.time (local time of day with ns) and the
 * priority: "13:53:31.726060287: Critical <rule output>". */
static char *falco_output_text(const struct out_alert *a)
{
	time_t sec = (time_t)(a->time_ns / 1000000000ull);
	struct tm tm;
	if (!localtime_r(&sec, &tm))
		memset(&tm, 0, sizeof(tm));
	return pal_xasprintf("%02d:%02d:%02d.%09lu: %s %s", tm.tm_hour, tm.tm_min, tm.tm_sec,
			     (unsigned long)(a->time_ns % 1000000000ull),
			     out_priority_name(a->priority), a->output ? a->output : "");
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Falco keeps tags in a std::set: sorted, without duplicates. */
static json_t *tags_json(char *const *tags)
{
	json_t *arr = json_array();
	size_t n = pal_strv_len(tags);
	if (n == 0)
		return arr;
	const char **sorted = pal_xcalloc(n, sizeof(*sorted));
	memcpy(sorted, tags, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0)
			continue;
		json_array_append_new(arr, json_string(sorted[i]));
	}
	free(sorted);
	return arr;
}

static json_t *container_json(const struct out_container *c)
{
	const char *id = c->id && *c->id ? c->id : OUT_HOST_CONTAINER_ID;
	return json_pack("{s:s, s:s, s:s}", "id", id, "name", c->name ? c->name : id, "image",
			 c->image ? c->image : "");
}

static json_t *actions_json(const struct out_alert *a)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < a->n_actions; i++) {
		const struct out_action *act = &a->actions[i];
		json_t *o = json_pack("{s:s, s:s}", "name", act->name ? act->name : "", "result",
				      out_action_result_name(act->result));
		if (act->detail)
			json_object_set_new(o, "detail", json_string(act->detail));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *proc_tree_json(const struct out_alert *a)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < a->n_procs; i++) {
		const struct out_proc *p = &a->proc_tree[i];
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s}", "pid", (json_int_t)p->pid,
						     "name", p->name ? p->name : "", "cmdline",
						     p->cmdline ? p->cmdline : ""));
	}
	return arr;
}

/* json_string() refuses invalid UTF-8 (rule text from a file, command lines
 * from a container); such text is carried with the bad bytes replaced. */
static json_t *safe_string(const char *s)
{
	json_t *j = json_string(s ? s : "");
	if (j)
		return j;
	char *copy = pal_xstrdup(s);
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

json_t *out_alert_to_json(const struct out_alert *a, const char *fallback_hostname)
{
	char when[64];
	out_format_time_rfc3339(a->time_ns, when, sizeof(when));
	char *output = falco_output_text(a);

	/* Falco's output_fields also carry evt.time (ns) from the output prefix. */
	json_t *fields = a->output_fields && json_is_object(a->output_fields)
			     ? json_copy(a->output_fields)
			     : json_object();
	if (!json_object_get(fields, "evt.time"))
		json_object_set_new(fields, "evt.time", json_integer((json_int_t)a->time_ns));

	const char *host = a->hostname
			       ? a->hostname
			       : (fallback_hostname ? fallback_hostname : out_default_hostname());
	json_t *o = json_object();
	json_object_set_new(o, "time", json_string(when));
	json_object_set_new(o, "rule", safe_string(a->rule));
	json_object_set_new(o, "priority", json_string(out_priority_name(a->priority)));
	json_object_set_new(o, "output", safe_string(output));
	json_object_set_new(o, "output_fields", fields);
	json_object_set_new(o, "hostname", safe_string(host));
	json_object_set_new(o, "tags", tags_json(a->tags));
	json_object_set_new(o, "source", safe_string(a->source ? a->source : "syscall"));
	json_object_set_new(o, "container", container_json(&a->container));
	json_object_set_new(o, "action", actions_json(a));
	json_object_set_new(o, "process_tree", proc_tree_json(a));
	json_object_set_new(o, "suppressed", json_integer((json_int_t)a->suppressed));
	free(output);
	return o;
}

char *out_alert_to_line(const struct out_alert *a, const char *fallback_hostname, size_t *len)
{
	json_t *o = out_alert_to_json(a, fallback_hostname);
	/* Sorted keys: the order Falco's JSON library prints. */
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	if (!s)
		abort(); /* only on allocation failure */
	if (len)
		*len = strlen(s);
	return s;
}

static pthread_once_t hostname_once = PTHREAD_ONCE_INIT;
static char hostname_buf[256];

static void hostname_init(void)
{
	const char *env = getenv("PALISADE_HOSTNAME");
	if (env && *env) {
		snprintf(hostname_buf, sizeof(hostname_buf), "%s", env);
		return;
	}
	if (gethostname(hostname_buf, sizeof(hostname_buf) - 1) < 0)
		snprintf(hostname_buf, sizeof(hostname_buf), "localhost");
	hostname_buf[sizeof(hostname_buf) - 1] = '\0';
}

const char *out_default_hostname(void)
{
	pthread_once(&hostname_once, hostname_init);
	return hostname_buf;
}
