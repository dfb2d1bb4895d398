/* The process table: every live process (tgid) with what the rules ask about
 * it (name, exe, cmdline, cwd, ids, capabilities, tty, parent). Seeded from
 * /proc at start, then kept by the sensor's exec, fork and exit events;
 * processes it missed are loaded from /proc on first sight.
 *
 * Entries are heap objects with stable addresses: a struct pal_proc handed
 * to a consumer stays valid until the entry is removed (after its exit event
 * was delivered). */
#ifndef PAL_PROC_TABLE_H
#define PAL_PROC_TABLE_H

#include "common/err.h"
#include "sensor/event.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How many ancestors proc_table_link_ancestry() connects (proc.aname[N]). */
#define PROC_ANCESTRY_MAX 16

struct proc_entry {
	struct pal_proc p; /* the public view; string fields point into the entry */
	char *exe, *exepath, *cmdline, *cwd;
	char **argv;
	/* The container resolved for this process and the v2 cgroup id it was
	 * resolved for: re-resolved when an event shows another cgroup. */
	const struct pal_container *container;
	uint64_t container_cgroup_id;
	bool container_known;
	bool from_procfs; /* loaded from /proc rather than seen exec'ing */
	bool exited;	  /* kept a little after exit for late events (audit) */
	struct proc_entry *hnext;
};

struct proc_table;

/* proc_root: "/proc" unless a test points it at a fixture tree. */
struct proc_table *proc_table_new(const char *proc_root);
void proc_table_free(struct proc_table *t);

/* Loads every process under proc_root. */
int proc_table_seed(struct proc_table *t, size_t *loaded, struct pal_err *err);

struct proc_entry *proc_table_get(struct proc_table *t, uint32_t pid);
/* Get, or load from /proc/<pid> (NULL when the process is gone). */
struct proc_entry *proc_table_get_or_load(struct proc_table *t, uint32_t pid);
/* Get, or create an empty entry. */
struct proc_entry *proc_table_upsert(struct proc_table *t, uint32_t pid);
void proc_table_remove(struct proc_table *t, uint32_t pid);

/* A process exited. Its entry stays PROC_EXIT_GRACE_NS (at most
 * PROC_EXITED_MAX of them), so events that arrive late through another
 * channel (seccomp denials from the audit log) and its children's ancestry
 * still find it. now_ns is CLOCK_MONOTONIC. */
#define PROC_EXIT_GRACE_NS (5ull * 1000000000ull)
#define PROC_EXITED_MAX	   8192
void proc_table_exit(struct proc_table *t, uint32_t pid, uint64_t now_ns);
/* Drops exited entries past their grace period. */
void proc_table_expire(struct proc_table *t, uint64_t now_ns);
size_t proc_table_count(const struct proc_table *t);

/* A new process: a copy of the parent's image (fork), replacing any stale
 * entry with the same pid. */
struct proc_entry *proc_table_fork(struct proc_table *t, const struct proc_entry *parent,
				   uint32_t child_pid, uint64_t start_ns);

/* The image after exec: argv as NUL-separated bytes (argv_len bytes). */
void proc_entry_set_exec(struct proc_entry *e, const char *const *argv, const char *exepath,
			 const char *cwd);
void proc_entry_set_cwd(struct proc_entry *e, const char *cwd);
void proc_entry_set_comm(struct proc_entry *e, const char *comm);

/* Sets p.parent along the ppid chain, up to PROC_ANCESTRY_MAX levels. */
void proc_table_link_ancestry(struct proc_table *t, struct proc_entry *e);

/* Drops entries whose /proc/<pid> is gone (exit events lost to drops). */
size_t proc_table_gc(struct proc_table *t);

/* Parsers of /proc files (exposed for tests and fuzzing). */
struct proc_stat_fields {
	char comm[PAL_COMM_LEN];
	uint32_t ppid;
	uint32_t tty;
	uint64_t start_ticks;
};
int proc_parse_stat(const char *text, size_t len, struct proc_stat_fields *out);

struct proc_status_fields {
	uint32_t uid, euid, gid, egid;
	uint64_t cap_inh, cap_prm, cap_eff;
	uint32_t vpid;
};
int proc_parse_status(const char *text, size_t len, struct proc_status_fields *out);

/* "a\0b\0c\0" -> {"a","b","c",NULL}; never NULL. */
char **proc_split_nul(const char *buf, size_t len);
/* Falco's proc.cmdline: comm followed by argv[1..], space-separated. */
char *proc_make_cmdline(const char *comm, const char *const *argv);

#endif
