/* Diagnostics for operators: leveled messages as text or as JSON lines (the
 * shape runc writes, which containerd's shim and conmon read back). */
#ifndef PAL_COMMON_LOG_H
#define PAL_COMMON_LOG_H

#include <stdbool.h>

enum pal_log_level { PAL_LOG_ERROR = 0, PAL_LOG_WARN, PAL_LOG_INFO, PAL_LOG_DEBUG };
enum pal_log_format { PAL_LOG_TEXT = 0, PAL_LOG_JSON };

/* path NULL logs to stderr only. With a path, messages go to the file and,
 * when also_stderr is set, errors are echoed to stderr as plain text. */
int pal_log_open(const char *path, enum pal_log_format format, bool also_stderr);
void pal_log_close(void);
void pal_log_set_level(enum pal_log_level level);
enum pal_log_level pal_log_get_level(void);
void pal_log_set_prefix(const char *prefix);

/* Parses "text"/"json"; returns -1 on anything else. */
int pal_log_format_from_string(const char *s);

void pal_log(enum pal_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define pal_error(...) pal_log(PAL_LOG_ERROR, __VA_ARGS__)
#define pal_warn(...)  pal_log(PAL_LOG_WARN, __VA_ARGS__)
#define pal_info(...)  pal_log(PAL_LOG_INFO, __VA_ARGS__)
#define pal_debug(...) pal_log(PAL_LOG_DEBUG, __VA_ARGS__)

#endif
