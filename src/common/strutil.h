#ifndef PAL_COMMON_STRUTIL_H
#define PAL_COMMON_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Growable byte buffer, always NUL-terminated. Allocation failure aborts:
 * the program cannot do anything sensible when a few KiB are unavailable. */
struct pal_buf {
	char *data;
	size_t len;
	size_t cap;
};

void pal_buf_init(struct pal_buf *b);
void pal_buf_free(struct pal_buf *b);
void pal_buf_reset(struct pal_buf *b);
void pal_buf_append(struct pal_buf *b, const void *data, size_t len);
void pal_buf_puts(struct pal_buf *b, const char *s);
void pal_buf_putc(struct pal_buf *b, char c);
void pal_buf_printf(struct pal_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands out the data (caller frees) and resets the buffer. */
char *pal_buf_steal(struct pal_buf *b);

void *pal_xmalloc(size_t n);
void *pal_xcalloc(size_t n, size_t size);
void *pal_xrealloc(void *p, size_t n);
char *pal_xstrdup(const char *s);
char *pal_xstrndup(const char *s, size_t n);
char *pal_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

bool pal_str_starts_with(const char *s, const char *prefix);
bool pal_str_ends_with(const char *s, const char *suffix);
bool pal_str_eq(const char *a, const char *b); /* NULL-safe */

/* Strict integer parsing: the whole string must be a number in range. */
int pal_parse_int64(const char *s, int64_t *out);
int pal_parse_uint64(const char *s, uint64_t *out);

/* NULL-terminated string vectors. */
size_t pal_strv_len(char *const *v);
void pal_strv_free(char **v);
char **pal_strv_dup(char *const *v);
bool pal_strv_contains(char *const *v, const char *s);
/* Appends a copy of s; *v may be NULL. */
void pal_strv_push(char ***v, const char *s);

#endif
