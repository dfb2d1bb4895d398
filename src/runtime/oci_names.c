/* Name tables: namespace types, capabilities, rlimits. */
#include "oci_internal.h"

#include "common/capnames.h"
#include "common/cleanup.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static const struct {
	const char *oci, *proc;
	int clone_flag;
} ns_table[RT_NS__COUNT] = {
    [RT_NS_PID] = {"pid", "pid", CLONE_NEWPID},
    [RT_NS_NETWORK] = {"network", "net", CLONE_NEWNET},
    [RT_NS_MOUNT] = {"mount", "mnt", CLONE_NEWNS},
    [RT_NS_IPC] = {"ipc", "ipc", CLONE_NEWIPC},
    [RT_NS_UTS] = {"uts", "uts", CLONE_NEWUTS},
    [RT_NS_USER] = {"user", "user", CLONE_NEWUSER},
    [RT_NS_CGROUP] = {"cgroup", "cgroup", CLONE_NEWCGROUP},
    [RT_NS_TIME] = {"time", "time", CLONE_NEWTIME},
};

const char *rt_ns_type_name(enum rt_ns_type t)
{
	return (unsigned)t < RT_NS__COUNT ? ns_table[t].oci : NULL;
}

const char *rt_ns_proc_name(enum rt_ns_type t)
{
	return (unsigned)t < RT_NS__COUNT ? ns_table[t].proc : NULL;
}

int rt_ns_clone_flag(enum rt_ns_type t)
{
	return (unsigned)t < RT_NS__COUNT ? ns_table[t].clone_flag : 0;
}

int rt_oci_ns_from_name(const char *name)
{
	for (int i = 0; i < RT_NS__COUNT; i++)
		if (strcmp(ns_table[i].oci, name) == 0)
			return i;
	return -1;
}

int rt_cap_from_name(const char *name)
{
	return pal_cap_from_name(name);
}

const char *rt_cap_name(int cap)
{
	return cap >= 0 ? pal_cap_name((unsigned)cap) : NULL;
}

int rt_cap_last(void)
{
	_cleanup_close_ int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return CAP_LAST_CAP;
	char buf[16];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return CAP_LAST_CAP;
	buf[n] = '\0';
	char *end;
	long v = strtol(buf, &end, 10);
	if (end == buf || (*end != '\n' && *end != '\0') || v < 0 || v > 63)
		return CAP_LAST_CAP;
	return (int)v;
}

static const struct {
	const char *name;
	int resource;
} rlimit_table[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},		  {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},	  {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},	  {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},	  {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},	  {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},	  {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},	  {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

int rt_oci_rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < PAL_ARRAY_SIZE(rlimit_table); i++)
		if (strcmp(rlimit_table[i].name, name) == 0)
			return rlimit_table[i].resource;
	return -1;
}
