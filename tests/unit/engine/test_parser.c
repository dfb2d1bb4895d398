#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/ast.h"

/* Parses text and returns its canonical form, or "ERROR@pos: msg". */
static char *parse(const char *text)
{
	struct eng_arena a = {0};
	struct eng_src src = {.text = text, .len = strlen(text)};
	struct eng_parse_err err;
	struct ast *t = eng_parse(&a, &src, &err);
	char *s;
	if (t) {
		s = ast_to_string(t);
	} else {
		size_t n = strlen(err.msg) + 32;
		s = malloc(n);
		snprintf(s, n, "ERROR@%zu: %s", err.pos, err.msg);
	}
	arena_release(&a);
	return s;
}

static void expect(const char *text, const char *want)
{
	char *got = parse(text);
	if (strcmp(got, want) != 0)
		fail_msg("parse(%s)\n  got:  %s\n  want: %s", text, got, want);
	free(got);
}

static void precedence_and_grouping(void **state)
{
	(void)state;
	expect("a or b and c", "(a or (b and c))");
	expect("(a or b) and c", "((a or b) and c)");
	expect("not a and b", "(not a and b)");
	expect("not (a and b)", "not (a and b)");
	expect("not not a", "not not a");
	expect("a and b and c or d or e", "((a and b and c) or d or e)");
	expect("not(a)", "not a");
	expect("((((a))))", "a");
	expect("a and(b or c)", "(a and (b or c))");
}

static void comparisons(void **state)
{
	(void)state;
	expect("proc.name=bash", "proc.name = bash");
	expect("proc.name == bash", "proc.name = bash");
	expect("fd.typechar='f' and fd.num>=0", "(fd.typechar = \"f\" and fd.num >= 0)");
	expect("evt.rawres in (0, 1, 2)", "evt.rawres in (0, 1, 2)");
	expect("proc.name in (shell_binaries)", "proc.name in (shell_binaries)");
	expect("proc.name in shell_binaries", "proc.name in shell_binaries");
	expect("proc.name in ()", "proc.name in ()");
	expect("proc.pname exists", "proc.pname exists");
	expect("not proc.pname exists or proc.pname in (runc:[0:PARENT], \"puma reactor\")",
	       "(not proc.pname exists or proc.pname in (runc:[0:PARENT], \"puma reactor\"))");
	expect("fd.name glob '/home/*/.ssh/*'", "fd.name glob \"/home/*/.ssh/*\"");
	expect("proc.aname[2] startswith google_accounts",
	       "proc.aname[2] startswith google_accounts");
	expect("proc.env[HOME] = /root", "proc.env[HOME] = /root");
	expect("evt.arg.flags contains O_TRUNC", "evt.arg.flags contains O_TRUNC");
	expect("fd.name pmatch (/etc, /usr/bin)", "fd.name pmatch (/etc, /usr/bin)");
}

static void transformers(void **state)
{
	(void)state;
	expect("tolower(proc.name) = bash", "tolower(proc.name) = bash");
	expect("tolower(basename(proc.exe)) = sh", "tolower(basename(proc.exe)) = sh");
	expect("proc.name = val(proc.pname)", "proc.name = val(proc.pname)");
	expect("tolower(proc.name) = toupper(proc.pname)",
	       "tolower(proc.name) = toupper(proc.pname)");
	expect("len(proc.args) > 100", "len(proc.args) > 100");
}

static void syntax_errors(void **state)
{
	(void)state;
	expect("", "ERROR@0: empty condition");
	expect("   ", "ERROR@0: empty condition");
	expect("proc.name", "ERROR@9: unexpected end of condition: expected a comparison operator "
			    "after the field");
	expect("proc.name = ", "ERROR@12: unexpected end of condition: expected a value");
	expect("a and", "ERROR@5: unexpected end of condition: expected a field, a macro name, "
			"'not' or '('");
	expect("(a or b", "ERROR@7: unexpected end of condition: expected ')'");
	expect("a) and b", "ERROR@1: unbalanced ')'");
	expect("proc.name = (a, b)",
	       "ERROR@12: a list of values needs 'in', 'intersects' or 'pmatch', not '='");
	expect("proc.name in 'x'",
	       "ERROR@13: unexpected ''x'': expected a list: (a, b, ...) or a list name");
	expect("proc.name in (a b)", "ERROR@16: unexpected 'b': expected ',' or ')'");
	expect("proc.name foo bar",
	       "ERROR@10: expected a comparison operator (=, !=, <, contains, in, "
	       "exists, ...)");
	expect("a b", "ERROR@2: expected 'and', 'or', ')' or the end of the condition");
	expect("val(proc.name) = x",
	       "ERROR@0: val() can only be used on the right-hand side of a comparison");
	expect("tolower(x) = y", "ERROR@8: unexpected 'x': a transformer takes a field, e.g. "
				 "tolower(proc.name)");
	expect("= x", "ERROR@0: expected a field, a macro name, 'not' or '('");
}

static void depth_limit(void **state)
{
	(void)state;
	char deep[1024] = "";
	for (int i = 0; i < 150; i++)
		strcat(deep, "(");
	strcat(deep, "a");
	char *got = parse(deep);
	assert_non_null(strstr(got, "nested deeper than 100 levels"));
	free(got);
	char nots[2048] = "";
	for (int i = 0; i < 200; i++)
		strcat(nots, "not ");
	strcat(nots, "a");
	got = parse(nots);
	assert_non_null(strstr(got, "nested deeper than 100 levels"));
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(precedence_and_grouping),
	    cmocka_unit_test(comparisons),
	    cmocka_unit_test(transformers),
	    cmocka_unit_test(syntax_errors),
	    cmocka_unit_test(depth_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
