/* Engine internals shared by the field extractors, the compiler, the
 * evaluator and the output formatter. */
#ifndef PAL_ENGINE_INTERNAL_H
#define PAL_ENGINE_INTERNAL_H

#include "engine/engine.h"
#include "engine/lexer.h"
#include "engine/util.h"
#include "common/strutil.h"
#include "sensor/event.h"

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- values -------------------------------------------------------------- */

enum eng_vtype { VT_STR = 0, VT_INT, VT_BOOL, VT_IP };
const char *eng_vtype_name(enum eng_vtype t);

struct eng_ip {
	uint8_t family; /* 4 or 6 */
	uint8_t a[16];
};

struct eng_val {
	uint8_t t; /* enum eng_vtype */
	union {
		struct {
			const char *p;
			size_t n;
		} s;
		int64_t i;
		bool b;
		struct eng_ip ip;
	};
};

/* A network for IP comparisons: an address is a /32 or /128. */
struct eng_net {
	struct eng_ip ip;
	uint8_t prefix;
};
bool eng_net_parse(const char *s, size_t n, struct eng_net *out);
bool eng_net_contains(const struct eng_net *net, const struct eng_ip *ip);

/* ---- per-evaluation scratch memory ---------------------------------------
 * Values that must be rendered (flags as text, joined argv, socket tuples)
 * are written to a thread-local buffer that is reset for every comparison,
 * so evaluation never calls malloc. Overlong values are truncated. */
#define ENG_SCRATCH_SIZE (64 * 1024)
void scratch_reset(void);
char *scratch_alloc(size_t want, size_t *got);
/* Appends formatted text to an in-progress scratch string. */
struct scratch_str {
	char *p;
	size_t n, cap;
};
void scratch_begin(struct scratch_str *s);
void scratch_puts(struct scratch_str *s, const char *str, size_t n);
void scratch_printf(struct scratch_str *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void scratch_end(struct scratch_str *s); /* commits what was written */

/* ---- fields ------------------------------------------------------------- */

struct eng_ctx {
	const struct pal_event *ev;
	const struct eng_ruleset *rs;
	uint64_t evt_num;
};

struct eng_fref;

/* Returns 1 with *out set, 0 when the field has no value for this event, and
 * -1 past the last value of a multi-valued reference (idx > 0). */
typedef int (*eng_getter)(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
			  struct eng_val *out);

enum field_argmode {
	FA_NONE = 0,
	FA_INDEX,  /* [N] ancestor generation; no argument = every ancestor (filters only) */
	FA_KEY,	   /* [NAME], optional (proc.env) */
	FA_EVTARG, /* evt.arg.NAME / evt.arg[N] / evt.rawarg.NAME */
};

enum field_flags {
	FF_UNAVAILABLE = 1u << 0, /* a Falco field Palisade does not capture */
	FF_BOTH_SIDES = 1u << 1,  /* fd.ip / fd.port / fd.net: client or server */
	FF_EVT_TYPE = 1u << 2,	  /* evt.type: folded to a set of event types at compile time */
	FF_EVT_NUM = 1u << 3,	  /* needs the event counter */
	FF_RAW = 1u << 4,	  /* evt.rawarg: numeric arguments stay numbers */
	FF_PREFIX = 1u << 5,	  /* name is a prefix: evt.arg.NAME, k8s.pod.label.NAME */
	FF_LOWCARD = 1u << 6,	  /* few distinct values: tests on it filter little */
};

struct eng_field {
	const char *name;
	uint8_t type;	 /* enum eng_vtype */
	uint8_t argmode; /* enum field_argmode */
	uint16_t flags;
	eng_getter get;
	const char *desc; /* one line; for unavailable fields: why */
};

const struct eng_field *eng_field_lookup(const char *name, size_t n, const char **suffix,
					 size_t *suffix_len);
size_t eng_field_count(void);
const struct eng_field *eng_field_at(size_t i);

/* Event arguments (evt.arg.NAME): where each comes from in pal_event and how
 * it is rendered. One table per event type (evtargs.c). */
struct eng_evtarg {
	const char *name;
	uint8_t src;   /* enum evtarg_src (evtargs.c) */
	uint8_t fmt;   /* enum evtarg_fmt */
	uint8_t table; /* flag or enum table for rendering */
};
const struct eng_evtarg *eng_evtarg_find(unsigned type, const char *name, size_t n);
const struct eng_evtarg *eng_evtarg_at(unsigned type, size_t idx);
size_t eng_evtarg_count(unsigned type);
bool eng_evtarg_is_numeric(const struct eng_evtarg *a);
/* Raw integer value of a numeric argument; false if the argument is a string. */
bool eng_evtarg_raw(const struct pal_event *ev, const struct eng_evtarg *a, int64_t *out);
/* Renders an argument as Falco would print it (scratch memory). */
bool eng_evtarg_render(const struct eng_ctx *c, const struct eng_evtarg *a, struct eng_val *out);
/* For `contains NAME` on flag and enum arguments: the bits to test, when NAME
 * names one flag (or enum value) of the argument's table. */
bool eng_evtarg_flag_mask(const struct eng_evtarg *a, const char *name, size_t n, bool icase,
			  uint64_t *mask, uint64_t *value, bool *is_enum);
/* evt.args: "name=value name=value ...". */
bool eng_evtargs_render_all(const struct eng_ctx *c, struct eng_val *out);
void eng_render_caps(struct scratch_str *s, uint64_t caps);
void eng_render_flags(struct scratch_str *s, int table, uint64_t v);

/* Shared by field extractors and argument rendering (fields.c). */
int eng_proc_args(const struct pal_proc *p, struct eng_val *out);
int eng_proc_env(const char *const *env, struct eng_val *out);
/* proc.env of the event: captured, or from the ruleset's resolver. */
const char *const *eng_env_of(const struct eng_ctx *c);
int eng_addr_str(const struct pal_sockaddr *a, struct eng_val *out);
int eng_fd_tuple(const struct pal_event *ev, struct eng_val *out);
uint32_t eng_exe_flags(const struct pal_event *ev);

/* A field as used in a condition or output, with its argument resolved. */
struct eng_fref {
	const struct eng_field *f;
	int32_t idx; /* FA_INDEX: generation; -1 = all ancestors */
	const char *key;
	size_t key_len;
	const struct eng_evtarg *const *args; /* FA_EVTARG: per event type, NULL if none */
	uint8_t ntr;
	uint8_t tr[4]; /* transformers, innermost first */
	uint8_t type;  /* value type after transformers */
	bool multi;    /* iterate idx = 0, 1, ... */
	const char *display;
};

/* Extracts value idx of r (transformers applied). Same results as eng_getter. */
int eng_extract(const struct eng_ctx *c, const struct eng_fref *r, unsigned idx,
		struct eng_val *out);

/* ---- compiled conditions ---------------------------------------------------- */

enum cn_kind { CN_AND = 0, CN_OR, CN_NOT, CN_TRUE, CN_FALSE, CN_TYPES, CN_CMP };

enum rhs_kind {
	RK_NONE = 0,
	RK_STR, /* one string (bytes for bcontains/bstartswith; lowered for icontains) */
	RK_INT,
	RK_BOOL,
	RK_NETS,   /* IP networks (=, !=, in) */
	RK_STRSET, /* in / intersects */
	RK_INTSET,
	RK_REGEX,
	RK_GLOB,
	RK_PMATCH,
	RK_FIELD, /* val(field) or transformer(field) */
	RK_FLAGS, /* contains NAME on a flags/enum argument: bit test per event type */
};

struct eng_pmatch {
	struct strset *exact; /* paths: match the path itself or anything below */
	const char **globs;   /* patterns matched against each path prefix */
	size_t *glob_lens;
	size_t nglobs;
};

struct eng_flagtest {
	uint64_t mask[PAL_EVT__COUNT];
	uint64_t value[PAL_EVT__COUNT];
	uint8_t mode[PAL_EVT__COUNT]; /* 0 no such argument, 1 bit test, 2 enum equality,
					 3 render and search */
};

struct eng_cmp {
	struct eng_fref lhs;
	uint8_t op;
	uint8_t rk;
	const char *str;
	size_t str_len;
	int64_t i;
	bool b;
	struct eng_net *nets;
	size_t nnets;
	struct strset *set;
	int64_t *ints;
	size_t nints;
	regex_t *re;
	struct eng_pmatch *pm;
	struct eng_fref *rf;
	struct eng_flagtest *ft;
};

struct cnode {
	uint8_t kind;
	uint32_t n;
	union {
		struct cnode **kids;
		struct cnode *kid;
		struct eng_cmp *cmp;
		uint64_t *types; /* CN_TYPES: bitmap of event types */
	};
};

bool eng_eval_node(const struct eng_ctx *c, const struct cnode *n);
bool eng_eval_cmp(const struct eng_ctx *c, const struct eng_cmp *k);

/* String matching (match.c). */
bool eng_glob_match(const char *pat, size_t pn, const char *s, size_t sn, bool icase,
		    bool pathname);
bool eng_icontains(const char *hay, size_t hn, const char *lower_needle, size_t nn);
bool eng_pmatch(const struct eng_pmatch *pm, const char *s, size_t n);

/* ---- outputs -------------------------------------------------------------- */

struct eng_output_seg {
	const char *lit; /* literal text, or NULL for a field */
	size_t lit_len;
	struct eng_fref *field;
};

struct eng_output {
	struct eng_output_seg *segs;
	size_t nsegs;
	struct eng_fref **fields; /* distinct fields, for output_fields */
	size_t nfields;
};

/* ---- the ruleset ---------------------------------------------------------- */

struct crule {
	struct eng_rule info; /* public part; first member */
	struct cnode *cond;
	struct eng_output out;
	struct eng_evtset types;
	size_t index;
};

/* The alert text of r for the event in c, and its output fields (caller frees). */
char *eng_format_output_ctx(const struct eng_ctx *c, const struct crule *r, json_t **fields);

struct eng_names; /* uid/gid -> name maps (names.c) */
struct eng_names *eng_names_load(const char *passwd, const char *group);
const char *eng_names_get(const struct eng_names *n, bool group, uint32_t id);
void eng_names_free(struct eng_names *n);
const char *eng_user_name(const struct eng_ctx *c, bool group, uint32_t id);

struct eng_ruleset {
	struct eng_arena arena;
	struct crule **rules;
	size_t nrules;
	struct crule **bucket[PAL_EVT__COUNT];
	uint32_t nbucket[PAL_EVT__COUNT];
	struct eng_evtset needed;
	struct eng_stats stats;
	regex_t **regexes;
	size_t nregexes;
	struct eng_names *names;
	eng_name_fn resolve_name;
	eng_env_fn resolve_env;
	void *resolve_env_ud;
	void *resolve_ud;
	int64_t clock_offset; /* realtime - boottime */
	char hostname[256];
	bool needs_evt_num;
	uint64_t evt_counter;
};

#endif
