/* Error reporting shared by every module.
 *
 * A function that can fail returns 0 or a negative errno-style value and fills
 * a struct pal_err at the place of failure. Callers add context on the way up
 * with pal_err_prefix(), so the final message reads from the outermost action
 * to the root cause: "create container web: mount /proc: Operation not permitted".
 */
#ifndef PAL_COMMON_ERR_H
#define PAL_COMMON_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define PAL_ERR_MSG_MAX 2048

struct pal_err {
	int code; /* positive errno value, 0 when no error recorded */
	char msg[PAL_ERR_MSG_MAX];
};

/* Records code and message, returns -code so callers can `return pal_err_set(...)`.
 * A code of 0 is stored as EINVAL: an error always has a cause. */
int pal_err_set(struct pal_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like pal_err_set, with ": <strerror(code)>" appended. */
int pal_err_sys(struct pal_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepends "<context>: " to the recorded message, returns -code. */
int pal_err_prefix(struct pal_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void pal_err_clear(struct pal_err *err);

static inline int pal_err_is_set(const struct pal_err *err)
{
	return err && err->code != 0;
}

#endif
