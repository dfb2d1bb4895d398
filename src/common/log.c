#include "log.h"
#include "timefmt.h"

#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static struct {
	int fd; /* -1: stderr only */
	enum pal_log_format format;
	enum pal_log_level level;
	bool also_stderr;
	char prefix[64];
} g_log = {.fd = -1, .format = PAL_LOG_TEXT, .level = PAL_LOG_WARN, .prefix = "palisade"};

static const char *level_name(enum pal_log_level l)
{
	switch (l) {
	case PAL_LOG_ERROR:
		return "error";
	case PAL_LOG_WARN:
		return "warning";
	case PAL_LOG_INFO:
		return "info";
	case PAL_LOG_DEBUG:
		return "debug";
	}
	return "info";
}

int pal_log_format_from_string(const char *s)
{
	if (!s)
		return -1;
	if (strcmp(s, "text") == 0)
		return PAL_LOG_TEXT;
	if (strcmp(s, "json") == 0)
		return PAL_LOG_JSON;
	return -1;
}

int pal_log_open(const char *path, enum pal_log_format format, bool also_stderr)
{
	pal_log_close();
	g_log.format = format;
	g_log.also_stderr = also_stderr;
	if (!path)
		return 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	g_log.fd = fd;
	return 0;
}

void pal_log_close(void)
{
	if (g_log.fd >= 0)
		close(g_log.fd);
	g_log.fd = -1;
}

void pal_log_set_level(enum pal_log_level level)
{
	g_log.level = level;
}

enum pal_log_level pal_log_get_level(void)
{
	return g_log.level;
}

void pal_log_set_prefix(const char *prefix)
{
	snprintf(g_log.prefix, sizeof(g_log.prefix), "%s", prefix ? prefix : "");
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void emit_json(int fd, enum pal_log_level level, const char *msg)
{
	char ts[64];
	pal_time_rfc3339_now(ts, sizeof(ts));
	json_t *o = json_pack("{s:s, s:s, s:s}", "level", level_name(level), "msg", msg, "time", ts);
	if (!o)
		return;
	char *line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!line)
		return;
	size_t len = strlen(line);
	line[len] = '\n'; /* json_dumps leaves room for the terminator we overwrite */
	write_all(fd, line, len + 1);
	free(line);
}

static void emit_text(int fd, enum pal_log_level level, const char *msg)
{
	char line[8192];
	int n;
	if (level == PAL_LOG_ERROR)
		n = snprintf(line, sizeof(line), "%s%s%s\n", g_log.prefix,
			     g_log.prefix[0] ? ": " : "", msg);
	else
		n = snprintf(line, sizeof(line), "%s%s%s: %s\n", g_log.prefix,
			     g_log.prefix[0] ? ": " : "", level_name(level), msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	write_all(fd, line, (size_t)n);
}

void pal_log(enum pal_log_level level, const char *fmt, ...)
{
	if (level > g_log.level)
		return;
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (g_log.fd >= 0) {
		if (g_log.format == PAL_LOG_JSON)
			emit_json(g_log.fd, level, msg);
		else
			emit_text(g_log.fd, level, msg);
		if (g_log.also_stderr && level == PAL_LOG_ERROR)
			emit_text(STDERR_FILENO, level, msg);
		return;
	}
	if (g_log.format == PAL_LOG_JSON)
		emit_json(STDERR_FILENO, level, msg);
	else
		emit_text(STDERR_FILENO, level, msg);
}
