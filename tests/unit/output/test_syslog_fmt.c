#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/strutil.h"
#include "output/syslog_fmt.h"

#define T_NS 1618597516746609046ull /* 2021-04-16T18:25:16.746609046Z */

static void rfc5424_line_exact(void **state)
{
	(void)state;
	struct pal_buf b;
	pal_buf_init(&b);
	struct out_syslog_header h = {
	    .facility = 16, /* local0 */
	    .severity = OUT_PRIO_WARNING,
	    .time_ns = T_NS,
	    .hostname = "node-1",
	    .app_name = "palisade",
	    .procid = 4242,
	    .msgid = "alert",
	};
	const char *msg = "{\"rule\":\"r\"}";
	out_syslog_format(&b, &h, msg, strlen(msg));
	/* PRI = 16*8+4 = 132; six fraction digits at most (RFC 5424 TIME-SECFRAC). */
	assert_string_equal(b.data, "<132>1 2021-04-16T18:25:16.746609Z node-1 palisade 4242 alert "
				    "- {\"rule\":\"r\"}");
	pal_buf_free(&b);
}

static void nil_values_and_sanitized_fields(void **state)
{
	(void)state;
	struct pal_buf b;
	pal_buf_init(&b);
	struct out_syslog_header h = {
	    .facility = 1,
	    .severity = OUT_PRIO_EMERGENCY,
	    .time_ns = 0,
	    .hostname = "",
	    .app_name = "my app\x7f",
	    .procid = 0,
	    .msgid = NULL,
	};
	out_syslog_format(&b, &h, "x", 1);
	assert_string_equal(b.data, "<8>1 1970-01-01T00:00:00.000000Z - my_app_ - - - x");
	pal_buf_reset(&b);

	/* APP-NAME is cut at 48 characters, MSGID at 32. */
	char app[80];
	memset(app, 'a', sizeof(app) - 1);
	app[sizeof(app) - 1] = '\0';
	h.app_name = app;
	h.msgid = "0123456789012345678901234567890123456789";
	h.severity = OUT_PRIO_DEBUG;
	h.facility = 23;
	out_syslog_format(&b, &h, "", 0);
	char want[256];
	snprintf(want, sizeof(want), "<191>1 1970-01-01T00:00:00.000000Z - %.48s - %.32s - ", app,
		 h.msgid);
	assert_string_equal(b.data, want);
	pal_buf_free(&b);
}

static void octet_counting_frame(void **state)
{
	(void)state;
	struct pal_buf b;
	pal_buf_init(&b);
	out_syslog_frame_octet(&b, "<13>1 - - - - - hi", 18);
	out_syslog_frame_octet(&b, "", 0);
	assert_int_equal(b.len, strlen("18 <13>1 - - - - - hi0 "));
	assert_memory_equal(b.data, "18 <13>1 - - - - - hi0 ", b.len);
	pal_buf_reset(&b);
	/* The count is of octets, not characters: UTF-8 "é" is two. */
	out_syslog_frame_octet(&b, "\xc3\xa9", 2);
	assert_string_equal(b.data, "2 \xc3\xa9");
	pal_buf_free(&b);
}

static void facility_names(void **state)
{
	(void)state;
	int f = -1;
	assert_int_equal(out_syslog_facility_parse("user", &f), 0);
	assert_int_equal(f, 1);
	assert_int_equal(out_syslog_facility_parse("authpriv", &f), 0);
	assert_int_equal(f, 10);
	assert_int_equal(out_syslog_facility_parse("local7", &f), 0);
	assert_int_equal(f, 23);
	assert_int_equal(out_syslog_facility_parse("5", &f), 0);
	assert_int_equal(f, 5);
	assert_int_equal(out_syslog_facility_parse("24", &f), -EINVAL);
	assert_int_equal(out_syslog_facility_parse("local8", &f), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rfc5424_line_exact),
	    cmocka_unit_test(nil_values_and_sanitized_fields),
	    cmocka_unit_test(octet_counting_frame),
	    cmocka_unit_test(facility_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
