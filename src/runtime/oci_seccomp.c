/* "linux.seccomp": actions, operators, architectures and flags are checked
 * against what the runtime-spec (libseccomp 2.5) names. Syscall names are
 * not: the compiler skips names the target architecture lacks, as runc does. */
#include "oci_internal.h"
#include "runtime/seccomp.h"

#include "common/strutil.h"

#include <string.h>

#define MAX_ARGS_PER_RULE 64u

/* The names come from the seccomp module, which compiles them: one table. */
#define action_names rt_seccomp_known_actions()
#define op_names     rt_seccomp_known_operators()
#define arch_names   rt_seccomp_known_archs()
#define flag_names   rt_seccomp_known_flags()

/* Index of name in a NULL-terminated table (the enum value for actions and operators). */
static int lookup(const char *const *table, const char *name)
{
	for (size_t i = 0; table[i]; i++)
		if (strcmp(table[i], name) == 0)
			return (int)i;
	return -1;
}

static int parse_action(json_t *obj, const char *path, const char *key, enum rt_seccomp_action *out,
			struct pal_err *err)
{
	const char *s = NULL;
	int r;
	if ((r = rt_oci_required(obj, path, key, err)) < 0 ||
	    (r = rt_oci_string(obj, path, key, &s, err)) < 0)
		return r;
	int a = lookup(action_names, s);
	if (a < 0) {
		char p[RT_OCI_PATH_MAX];
		return rt_oci_fail(err,
				   "%s \"%.64s\": unknown seccomp action (SCMP_ACT_ALLOW, "
				   "SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, "
				   "SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_TRACE, "
				   "SCMP_ACT_LOG or SCMP_ACT_NOTIFY)",
				   rt_oci_join(p, path, key), s);
	}
	*out = (enum rt_seccomp_action)a;
	return 0;
}

/* errnoRet only means something for actions that return a value. */
static int parse_errno(json_t *obj, const char *path, const char *key,
		       enum rt_seccomp_action action, bool *has, uint32_t *out, struct pal_err *err)
{
	int64_t v = 0;
	char p[RT_OCI_PATH_MAX];
	/* SECCOMP_RET_DATA holds 16 bits; as an errno it is capped at MAX_ERRNO. */
	int r = rt_oci_int(obj, path, key, 0, UINT16_MAX, &v, has, err);
	if (r < 0 || !*has)
		return r;
	if (action != RT_SCMP_ACT_ERRNO && action != RT_SCMP_ACT_TRACE)
		return rt_oci_fail(err, "%s: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno",
				   rt_oci_join(p, path, key));
	if (action == RT_SCMP_ACT_ERRNO && v > 4095)
		return rt_oci_fail(err, "%s: %lld is not an errno (at most 4095)",
				   rt_oci_join(p, path, key), (long long)v);
	*out = (uint32_t)v;
	return 0;
}

static int check_names(char **names, const char *path, const char *key, const char *const *table,
		       const char *what, struct pal_err *err)
{
	for (size_t i = 0; names && names[i]; i++)
		if (lookup(table, names[i]) < 0)
			return rt_oci_fail(err, "%s.%s[%zu] \"%.64s\": unknown seccomp %s", path,
					   key, i, names[i], what);
	return 0;
}

static int parse_arg(json_t *item, const char *ap, struct rt_seccomp_arg *a, struct pal_err *err)
{
	int64_t index = 0;
	const char *op = NULL;
	int r;
	if ((r = rt_oci_value_object(item, ap, err)) < 0 ||
	    (r = rt_oci_required(item, ap, "index", err)) < 0 ||
	    (r = rt_oci_required(item, ap, "value", err)) < 0 ||
	    (r = rt_oci_required(item, ap, "op", err)) < 0 ||
	    (r = rt_oci_u64(item, ap, "value", &a->value, NULL, err)) < 0 ||
	    (r = rt_oci_u64(item, ap, "valueTwo", &a->value_two, NULL, err)) < 0 ||
	    (r = rt_oci_string(item, ap, "op", &op, err)) < 0)
		return r;
	json_t *iv = rt_oci_member(item, "index");
	if (!json_is_integer(iv) || json_integer_value(iv) < 0 || json_integer_value(iv) > 5)
		return rt_oci_fail(err, "%s.index: must be an argument number from 0 to 5", ap);
	index = json_integer_value(iv);
	a->index = (unsigned)index;
	int o = lookup(op_names, op);
	if (o < 0)
		return rt_oci_fail(err,
				   "%s.op \"%.64s\": unknown operator (SCMP_CMP_NE, SCMP_CMP_LT, "
				   "SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT or "
				   "SCMP_CMP_MASKED_EQ)",
				   ap, op);
	a->op = (enum rt_seccomp_op)o;
	return 0;
}

static int parse_rule(json_t *item, const char *ip, struct rt_seccomp_rule *rule,
		      struct pal_err *err)
{
	json_t *args = NULL;
	char lp[RT_OCI_PATH_MAX], ap[RT_OCI_PATH_MAX];
	int r;
	if ((r = rt_oci_value_object(item, ip, err)) < 0 ||
	    (r = rt_oci_required(item, ip, "names", err)) < 0 ||
	    (r = rt_oci_strv(item, ip, "names", RT_OCI_MAX_ITEMS, &rule->names, err)) < 0 ||
	    (r = parse_action(item, ip, "action", &rule->action, err)) < 0 ||
	    (r = parse_errno(item, ip, "errnoRet", rule->action, &rule->has_errno_ret,
			     &rule->errno_ret, err)) < 0 ||
	    (r = rt_oci_array(item, ip, "args", MAX_ARGS_PER_RULE, &args, err)) < 0)
		return r;
	if (!rule->names[0])
		return rt_oci_fail(err, "%s.names: must name at least one syscall", ip);
	for (size_t i = 0; rule->names[i]; i++)
		if (!rule->names[i][0])
			return rt_oci_fail(err, "%s.names[%zu]: empty syscall name", ip, i);
	if (!args)
		return 0;
	rt_oci_join(lp, ip, "args");
	rule->n_args = json_array_size(args);
	rule->args = pal_xcalloc(rule->n_args, sizeof(*rule->args));
	size_t i;
	json_t *a;
	json_array_foreach(args, i, a)
	{
		if ((r = parse_arg(a, rt_oci_index(ap, lp, i), &rule->args[i], err)) < 0)
			return r;
	}
	return 0;
}

static int parse_header(json_t *obj, const char *path, struct rt_seccomp *sc, struct pal_err *err)
{
	int r;
	if ((r = parse_action(obj, path, "defaultAction", &sc->default_action, err)) < 0)
		return r;
	if (sc->default_action == RT_SCMP_ACT_NOTIFY)
		return rt_oci_fail(err,
				   "%s.defaultAction: SCMP_ACT_NOTIFY cannot be the default action "
				   "(the container would block on its first syscall)",
				   path);
	if ((r = parse_errno(obj, path, "defaultErrnoRet", sc->default_action,
			     &sc->has_default_errno_ret, &sc->default_errno_ret, err)) < 0 ||
	    (r = rt_oci_strv(obj, path, "architectures", 64, &sc->architectures, err)) < 0 ||
	    (r = check_names(sc->architectures, path, "architectures", arch_names, "architecture",
			     err)) < 0 ||
	    (r = rt_oci_strv(obj, path, "flags", 64, &sc->flags, err)) < 0 ||
	    (r = check_names(sc->flags, path, "flags", flag_names, "flag", err)) < 0 ||
	    (r = rt_oci_strdup(obj, path, "listenerPath", &sc->listener_path, err)) < 0 ||
	    (r = rt_oci_strdup(obj, path, "listenerMetadata", &sc->listener_metadata, err)) < 0)
		return r;
	if (!sc->architectures)
		sc->architectures = pal_xcalloc(1, sizeof(char *));
	if (!sc->flags)
		sc->flags = pal_xcalloc(1, sizeof(char *));
	if (sc->listener_path && !*sc->listener_path) {
		free(sc->listener_path);
		sc->listener_path = NULL;
	}
	if (sc->listener_path && sc->listener_path[0] != '/')
		return rt_oci_fail(err, "%s.listenerPath \"%.256s\": must be an absolute path",
				   path, sc->listener_path);
	if (sc->listener_metadata && *sc->listener_metadata && !sc->listener_path)
		return rt_oci_fail(err, "%s.listenerMetadata: needs listenerPath", path);
	return 0;
}

int rt_oci_parse_seccomp(json_t *obj, const char *path, struct rt_seccomp *sc, struct pal_err *err)
{
	json_t *arr = NULL;
	char lp[RT_OCI_PATH_MAX], ip[RT_OCI_PATH_MAX];
	int r;
	if ((r = parse_header(obj, path, sc, err)) < 0 ||
	    (r = rt_oci_array(obj, path, "syscalls", RT_OCI_MAX_ITEMS, &arr, err)) < 0)
		return r;
	if (!arr)
		return 0;
	rt_oci_join(lp, path, "syscalls");
	sc->n_syscalls = json_array_size(arr);
	sc->syscalls = pal_xcalloc(sc->n_syscalls, sizeof(*sc->syscalls));
	size_t i;
	json_t *item;
	json_array_foreach(arr, i, item)
	{
		rt_oci_index(ip, lp, i);
		if ((r = parse_rule(item, ip, &sc->syscalls[i], err)) < 0)
			return r;
		if (sc->syscalls[i].action == RT_SCMP_ACT_NOTIFY && !sc->listener_path)
			return rt_oci_fail(err,
					   "%s.action: SCMP_ACT_NOTIFY needs %s.listenerPath (the "
					   "agent's socket)",
					   ip, path);
	}
	return 0;
}

void rt_oci_free_seccomp(struct rt_seccomp *sc)
{
	pal_strv_free(sc->architectures);
	pal_strv_free(sc->flags);
	free(sc->listener_path);
	free(sc->listener_metadata);
	for (size_t i = 0; i < sc->n_syscalls; i++) {
		pal_strv_free(sc->syscalls[i].names);
		free(sc->syscalls[i].args);
	}
	free(sc->syscalls);
	memset(sc, 0, sizeof(*sc));
}
