/* palisade policy: check a policy file, print key fingerprints. */
#include "admit/policy.h"
#include "cli/commands.h"
#include "common/cleanup.h"
#include "common/yamldoc.h"
#include "runtime/policy.h"
#include "supply/supply.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: palisade policy check FILE...\n"
		"       palisade policy fingerprint PUBKEY...\n\n"
		"check        validates whole policy files: the trust section (scopes, keys and\n"
		"             the key files they name, requirements), admission and hardening;\n"
		"             errors read FILE:LINE:COL. Prints 'FILE: OK' per valid file; exit\n"
		"             status 1 if any is invalid.\n"
		"fingerprint  prints sha256:<hex> of a public key, the form trust.revoked uses.\n");
}

/* The sections of /etc/palisade/policy.yaml and who reads them. */
static const char *const sections[] = {"trust", "admission", "hardening"};

static int check_sections(struct pal_yaml *y, struct pal_err *err)
{
	yaml_node_t *root = pal_yaml_root(y);
	if (!pal_yaml_is_map(root))
		return 0; /* the section parsers say what is wrong */
	yaml_node_t *k, *v;
	PAL_YAML_MAP_FOREACH(y, root, k, v)
	{
		const char *name = pal_yaml_scalar(k);
		bool known = false;
		for (size_t i = 0; name && i < PAL_ARRAY_SIZE(sections); i++)
			known |= !strcmp(name, sections[i]);
		if (!known)
			return pal_yaml_err(
			    y, k, err, "unknown section '%s' (known: trust, admission, hardening)",
			    name ? name : "?");
	}
	return 0;
}

/* admission: and hardening:, read from the same document. */
static int check_other_sections(const char *path, char *summary, size_t cap, struct pal_err *err)
{
	struct pal_yaml y;
	int r = pal_yaml_load_file(&y, path, ADM_POLICY_MAX_BYTES, err);
	if (r < 0) {
		pal_yaml_free(&y);
		return r;
	}
	struct adm_policy *ap = adm_policy_new();
	struct rt_hardening h;
	rt_hardening_defaults(&h);
	if ((r = check_sections(&y, err)) == 0 && (r = adm_policy_parse_yaml(&y, ap, err)) == 0 &&
	    (r = rt_hardening_parse_yaml(&y, &h, err)) == 0) {
		yaml_node_t *root = pal_yaml_root(&y);
		snprintf(summary, cap,
			 "admission: %s%s, mode %s, %zu exception(s), kubernetes %s; hardening: %s",
			 pal_yaml_map_get(&y, root, "admission") ? "" : "built-in defaults",
			 pal_yaml_map_get(&y, root, "admission") ? "section" : "",
			 adm_mode_name(ap->mode), ap->n_exceptions, adm_level_name(ap->k8s.enforce),
			 pal_yaml_map_get(&y, root, "hardening") ? "section" : "built-in defaults");
	}
	rt_hardening_free(&h);
	adm_policy_free(ap);
	pal_yaml_free(&y);
	return r;
}

static int check(int argc, char **argv)
{
	int rc = PAL_EXIT_OK;
	for (int i = 0; i < argc; i++) {
		struct pal_err err = {0};
		struct sup_policy *p = NULL;
		if (sup_policy_load(argv[i], &p, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = PAL_EXIT_FAILURE;
			continue;
		}
		char others[512] = "";
		if (check_other_sections(argv[i], others, sizeof(others), &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			rc = PAL_EXIT_FAILURE;
			sup_policy_free(p);
			continue;
		}
		printf("%s: OK (%zu scope(s), %zu key(s)%s; %s)\n", argv[i], p->n_scopes, p->n_keys,
		       p->has_trust ? "" : ", no trust section: every image is accepted", others);
		sup_policy_free(p);
	}
	return rc;
}

static int fingerprint(int argc, char **argv)
{
	int rc = PAL_EXIT_OK;
	for (int i = 0; i < argc; i++) {
		struct pal_err err = {0};
		EVP_PKEY *k = NULL;
		if (sup_key_load_public(argv[i], &k, &err) < 0) {
			fprintf(stderr, "palisade policy fingerprint: %s\n", err.msg);
			rc = PAL_EXIT_FAILURE;
			continue;
		}
		char fp[SUP_DIGEST_MAX];
		sup_key_fingerprint(k, fp);
		printf("%s  %s  %s\n", fp, sup_key_type(k), argv[i]);
		EVP_PKEY_free(k);
	}
	return rc;
}

int cmd_policy(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return PAL_EXIT_USAGE;
	}
	const char *sub = argv[1];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		usage(stdout);
		return PAL_EXIT_OK;
	}
	bool help = argc > 2 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"));
	if (!strcmp(sub, "check") || !strcmp(sub, "fingerprint")) {
		if (help) {
			usage(stdout);
			return PAL_EXIT_OK;
		}
		if (argc < 3) {
			fprintf(stderr, "palisade policy %s: give at least one file\n", sub);
			return PAL_EXIT_USAGE;
		}
		return sub[0] == 'c' ? check(argc - 2, argv + 2) : fingerprint(argc - 2, argv + 2);
	}
	fprintf(stderr, "palisade policy: unknown subcommand '%s' (check, fingerprint)\n", sub);
	return PAL_EXIT_USAGE;
}
