/* libFuzzer target for the condition language: the input's first line is a
 * rule condition and the rest its output format. They are placed in a rules
 * file (with a few lists and macros to refer to) as double-quoted YAML
 * scalars with every byte escaped, so mutations exercise the lexer, parser,
 * compiler and formatter rather than the YAML layer. */
#include "fuzz_rules_events.h"
#include "common/strutil.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_quoted(struct pal_buf *b, const uint8_t *s, size_t n)
{
	pal_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			pal_buf_putc(b, (char)c);
		else
			pal_buf_printf(b, "\\x%02x", c);
	}
	pal_buf_putc(b, '"');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t cond_len = nl ? (size_t)(nl - data) : size;
	const uint8_t *out = nl ? nl + 1 : data + size;
	size_t out_len = size - (size_t)(out - data);
	struct pal_buf b;
	pal_buf_init(&b);
	pal_buf_puts(&b,
		     "- list: shells\n  items: [sh, bash, '\"puma reactor\"', 'runc:[0:PARENT]']\n"
		     "- list: nets\n  items: ['\"10.0.0.0/8\"', '::1']\n"
		     "- list: ports\n  items: [22, 443, 4444]\n"
		     "- macro: opens\n  condition: evt.type in (open, openat, openat2)\n"
		     "- macro: ct\n  condition: container.id != host\n"
		     "- rule: F\n  desc: d\n  priority: notice\n  condition: ");
	put_quoted(&b, data, cond_len);
	pal_buf_puts(&b, "\n  output: ");
	put_quoted(&b, out, out_len);
	pal_buf_puts(&b, "\n  exceptions:\n    - name: e\n      fields: [proc.name, fd.directory]\n"
			 "      comps: [in, pmatch]\n      values: [[[shells], [/tmp]]]\n");
	fz_load_and_eval("fuzz.yaml", b.data, b.len);
	pal_buf_free(&b);
	return 0;
}
