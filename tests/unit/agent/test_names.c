/* User and group names of container processes: the parser, lookups through
 * a process's root (a fake /proc here), the root never escaped, the cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/names.h"
#include "common/fsutil.h"
#include "common/strutil.h"

static void parse(void **state)
{
	(void)state;
	const char text[] = "root:x:0:0:root:/root:/bin/sh\n"
			    "www-data:x:33:33:www:/var/www:/usr/sbin/nologin\n"
			    "node:x:1000:1000::/home/node:/bin/sh\n"
			    "imposter:x:33:33::/:/bin/sh\n"    /* a second uid 33: the first wins */
			    "bad name:x:5:5::/:/bin/sh\n"      /* blank in the name */
			    ":x:6:6::/:/bin/sh\n"	       /* empty name */
			    "big:x:99999999999:1::/:/bin/sh\n" /* beyond 32 bits */
			    "neg:x:-1:1::/:/bin/sh\n"
			    "short:x\n"
			    "# comment\n"
			    "\n"
			    "nobody:x:65534:65534:nobody:/:/bin/false"; /* no final newline */
	struct agt_name_entry *v = NULL;
	size_t n = agt_names_parse(text, strlen(text), &v);
	assert_int_equal(n, 4);
	assert_int_equal(v[0].id, 0);
	assert_string_equal(v[0].name, "root");
	assert_int_equal(v[1].id, 33);
	assert_string_equal(v[1].name, "www-data");
	assert_int_equal(v[2].id, 1000);
	assert_string_equal(v[2].name, "node");
	assert_int_equal(v[3].id, 65534);
	assert_string_equal(v[3].name, "nobody");
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	/* a group line has the same shape */
	const char groups[] = "root:x:0:\nwww-data:x:33:\nstaff:x:50:alice,bob\n";
	n = agt_names_parse(groups, strlen(groups), &v);
	assert_int_equal(n, 3);
	assert_string_equal(v[2].name, "staff");
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	n = agt_names_parse("", 0, &v);
	assert_int_equal(n, 0);
	free(v);
}

static char dir[64];

static void write_at(const char *rel, const char *content)
{
	char *p = pal_xasprintf("%s/%s", dir, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	free(p);
}

static void mk(const char *rel)
{
	char *p = pal_xasprintf("%s/%s", dir, rel);
	struct pal_err err = {0};
	assert_int_equal(pal_mkdir_p(p, 0755, &err), 0);
	free(p);
}

static void lookups_through_the_root(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pal-agent-names-XXXXXX");
	assert_non_null(mkdtemp(dir));
	/* pid 100: an image with its own users */
	mk("100/root/etc");
	write_at("100/root/etc/passwd", "root:x:0:0::/:/bin/sh\nnode:x:1000:1000::/:/bin/sh\n");
	write_at("100/root/etc/group", "root:x:0:\nnode:x:1000:\n");
	/* pid 200: its /etc/passwd is a symlink to the host's file: resolved
	 * inside its root, it finds nothing */
	mk("200/root/etc");
	char *link = pal_xasprintf("%s/200/root/etc/passwd", dir);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	free(link);
	/* pid 300: a ".." escape */
	mk("300/root/etc");
	link = pal_xasprintf("%s/300/root/etc/passwd", dir);
	assert_int_equal(symlink("../../../../../../etc/passwd", link), 0);
	free(link);

	struct agt_names *n = agt_names_new(dir);
	struct pal_proc p = {.pid = 100};
	struct pal_container c = {.id = "ctr-a"};
	struct pal_event ev = {.proc = &p, .container = &c};
	assert_string_equal(agt_names_lookup(n, &ev, false, 1000), "node");
	assert_string_equal(agt_names_lookup(n, &ev, true, 1000), "node");
	assert_string_equal(agt_names_lookup(n, &ev, false, 0), "root");
	assert_null(agt_names_lookup(n, &ev, false, 33));
	/* cached per container: a later process of it needs no root of its own */
	p.pid = 999;
	const char *cached = agt_names_lookup(n, &ev, false, 1000);
	assert_string_equal(cached, "node");

	c.id = "ctr-b";
	p.pid = 200;
	assert_null(agt_names_lookup(n, &ev, false, 0));
	c.id = "ctr-c";
	p.pid = 300;
	assert_null(agt_names_lookup(n, &ev, false, 0));
	/* the host: the engine's own tables answer */
	struct pal_container host = {.id = "host", .is_host = true};
	ev.container = &host;
	assert_null(agt_names_lookup(n, &ev, false, 0));
	/* a process gone before its container was read: nothing, no error */
	struct pal_container d = {.id = "ctr-d"};
	ev.container = &d;
	p.pid = 12345;
	assert_null(agt_names_lookup(n, &ev, false, 0));

	/* strings handed out stay valid while more containers load */
	for (int i = 0; i < 50; i++) {
		char id[32];
		snprintf(id, sizeof(id), "ctr-x%d", i);
		struct pal_container x = {.id = id};
		ev.container = &x;
		agt_names_lookup(n, &ev, false, 0);
	}
	assert_string_equal(cached, "node");
	/* expiry: everything read goes after its time */
	agt_names_expire(n, UINT64_MAX);
	ev.container = &c;
	c.id = "ctr-a";
	p.pid = 100;
	assert_string_equal(agt_names_lookup(n, &ev, false, 1000), "node");
	agt_names_free(n);
	struct pal_err err = {0};
	pal_rm_rf(dir, &err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse),
	    cmocka_unit_test(lookups_through_the_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
