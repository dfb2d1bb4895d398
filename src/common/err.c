#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void format_into(char *dst, size_t cap, const char *fmt, va_list ap)
{
	int n = vsnprintf(dst, cap, fmt, ap);
	if (n < 0)
		snprintf(dst, cap, "(unformattable error message)");
}

int pal_err_set(struct pal_err *err, int code, const char *fmt, ...)
{
	if (code < 0)
		code = -code;
	if (code == 0)
		code = EINVAL;
	if (!err)
		return -code;
	va_list ap;
	va_start(ap, fmt);
	format_into(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->code = code;
	return -code;
}

int pal_err_sys(struct pal_err *err, int code, const char *fmt, ...)
{
	if (code < 0)
		code = -code;
	if (code == 0)
		code = EIO;
	if (!err)
		return -code;
	va_list ap;
	va_start(ap, fmt);
	format_into(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	size_t len = strlen(err->msg);
	snprintf(err->msg + len, sizeof(err->msg) - len, ": %s", strerror(code));
	err->code = code;
	return -code;
}

int pal_err_prefix(struct pal_err *err, const char *fmt, ...)
{
	if (!err)
		return -EINVAL;
	if (err->code == 0)
		err->code = EINVAL;
	char ctx[PAL_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	format_into(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	char old[PAL_ERR_MSG_MAX];
	memcpy(old, err->msg, sizeof(old));
	old[sizeof(old) - 1] = '\0';
	snprintf(err->msg, sizeof(err->msg), "%s: %s", ctx, old);
	return -err->code;
}

void pal_err_clear(struct pal_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}
