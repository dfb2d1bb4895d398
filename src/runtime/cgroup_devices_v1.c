/* Device access on cgroup v1: deny everything, then replay the rules in
 * order into devices.allow / devices.deny, so the last rule that matches an
 * access decides (the same reading the BPF program has on v2). */
#include "cgroup_internal.h"

#include "common/cleanup.h"

#include <errno.h>
#include <stdio.h>

#define ALL_ACCESS (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

static const struct rt_device_rule default_rules[] = {
    {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},    /* null */
    {.allow = true, .type = 'c', .major = 1, .minor = 8, .access = "rwm"},    /* random */
    {.allow = true, .type = 'c', .major = 1, .minor = 7, .access = "rwm"},    /* full */
    {.allow = true, .type = 'c', .major = 5, .minor = 0, .access = "rwm"},    /* tty */
    {.allow = true, .type = 'c', .major = 1, .minor = 5, .access = "rwm"},    /* zero */
    {.allow = true, .type = 'c', .major = 1, .minor = 9, .access = "rwm"},    /* urandom */
    {.allow = true, .type = 'c', .major = 136, .minor = -1, .access = "rwm"}, /* pts/N */
    {.allow = true, .type = 'c', .major = 5, .minor = 2, .access = "rwm"},    /* ptmx */
};

const struct rt_device_rule *rt_cgroup_default_device_rules(size_t *n)
{
	*n = sizeof(default_rules) / sizeof(default_rules[0]);
	return default_rules;
}

static int write_rule(const struct cg_target *t, bool allow, char type, int64_t major,
		      int64_t minor, unsigned access, const char *field, struct pal_err *err)
{
	char buf[CG_VAL_MAX];
	cg_val_device_rule_v1(type, major, minor, access, buf);
	return cg_write(t->fd, t->dir->path, allow ? "devices.allow" : "devices.deny", buf, field,
			err);
}

int cg_v1_devices(const struct cg_target *t, const struct rt_device_rule *rules, size_t n,
		  struct pal_err *err)
{
	int r = cg_write(t->fd, t->dir->path, "devices.deny", "a", "linux.resources.devices", err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const struct rt_device_rule *d = &rules[i];
		char field[64];
		snprintf(field, sizeof(field), "linux.resources.devices[%zu]", i);
		unsigned acc;
		if ((r = cg_val_device_rule(d, field, &acc, err)) < 0)
			return r;
		bool everything = d->major < 0 && d->minor < 0 && acc == ALL_ACCESS;
		if (d->type == 'a' && everything) {
			/* The kernel reads a bare "a" as the default for every device. */
			r = cg_write(t->fd, t->dir->path,
				     d->allow ? "devices.allow" : "devices.deny", "a", field, err);
		} else if (d->type == 'a') {
			/* "a" with a number or partial access would still flip the default
			 * in v1: spell it out for both device types. */
			r = write_rule(t, d->allow, 'c', d->major, d->minor, acc, field, err);
			if (r == 0)
				r = write_rule(t, d->allow, 'b', d->major, d->minor, acc, field,
					       err);
		} else {
			r = write_rule(t, d->allow, d->type, d->major, d->minor, acc, field, err);
		}
		if (r < 0)
			return r;
	}
	return 0;
}
