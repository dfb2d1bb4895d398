/* Reads a process's capability sets from /proc/<pid>/status. */
#include "runtime/caps.h"

#include "common/cleanup.h"
#include "common/fsutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The kernel prints each set as 16 hex digits; accept 1-16 and nothing
 * else on the line. */
static int parse_hex_line(const char *s, size_t len, uint64_t *out)
{
	while (len > 0 && (*s == '\t' || *s == ' ')) {
		s++;
		len--;
	}
	if (len == 0 || len > 16)
		return -EINVAL;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

int rt_caps_parse_status(const char *text, size_t len, struct rt_caps_status *out)
{
	static const char *const keys[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"};
	uint64_t *slots[] = {&out->inheritable, &out->permitted, &out->effective, &out->bounding,
			     &out->ambient};
	unsigned seen = 0;
	memset(out, 0, sizeof(*out));
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		for (size_t k = 0; k < PAL_ARRAY_SIZE(keys); k++) {
			size_t kl = strlen(keys[k]);
			if ((size_t)(eol - p) < kl || memcmp(p, keys[k], kl) != 0)
				continue;
			if (seen & (1U << k))
				return -EINVAL; /* a key twice: not a status file */
			if (parse_hex_line(p + kl, (size_t)(eol - p) - kl, slots[k]) < 0)
				return -EINVAL;
			seen |= 1U << k;
		}
		p = nl ? nl + 1 : end;
	}
	return seen == (1U << PAL_ARRAY_SIZE(keys)) - 1 ? 0 : -ENODATA;
}

int rt_caps_read_status(pid_t pid, struct rt_caps_status *out)
{
	char path[64];
	if (pid < 0)
		return -EINVAL;
	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/status");
	else
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = pal_read_file(path, 1 << 20, &text, &len, NULL);
	if (r < 0)
		return r;
	return rt_caps_parse_status(text, len, out);
}
