#include "vulns.h"
#include "common/cleanup.h"
#include "common/jsonutil.h"
#include "common/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *sup_report_format_name(enum sup_report_format f)
{
	return f == SUP_REPORT_GRYPE ? "grype" : "trivy";
}

static int severity_of(const char *s)
{
	if (!s)
		return SUP_SEV_UNKNOWN;
	if (!strcasecmp(s, "critical"))
		return SUP_SEV_CRITICAL;
	if (!strcasecmp(s, "high"))
		return SUP_SEV_HIGH;
	if (!strcasecmp(s, "medium"))
		return SUP_SEV_MEDIUM;
	if (!strcasecmp(s, "low") || !strcasecmp(s, "negligible"))
		return SUP_SEV_LOW;
	return SUP_SEV_UNKNOWN;
}

static void add_digest(struct sup_vuln_report *r, const char *s)
{
	if (!s)
		return;
	const char *at = strrchr(s, '@'); /* repo@sha256:... */
	const char *d = at ? at + 1 : s;
	if (sup_digest_is_valid(d) && !pal_strv_contains(r->digests, d))
		pal_strv_push(&r->digests, d);
}

static void count(struct sup_vuln_report *r, const char *sev, bool fixable)
{
	int s = severity_of(sev);
	r->total[s]++;
	if (fixable)
		r->fixable[s]++;
}

static int parse_trivy(json_t *root, struct sup_vuln_report *r, struct pal_err *err)
{
	json_t *results = json_object_get(root, "Results");
	if (results && !json_is_array(results))
		return pal_err_set(err, EINVAL, "Results must be an array");
	json_t *meta = json_object_get(root, "Metadata");
	add_digest(r, json_string_value(json_object_get(meta, "ImageID")));
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(meta, "RepoDigests"), i, e)
	{
		add_digest(r, json_string_value(e));
	}
	json_t *res;
	json_array_foreach(results, i, res)
	{
		json_t *vs = json_object_get(res, "Vulnerabilities");
		if (!vs)
			continue;
		if (!json_is_array(vs))
			return pal_err_set(err, EINVAL,
					   "Results[%zu].Vulnerabilities must be an array", i);
		size_t k;
		json_t *v;
		json_array_foreach(vs, k, v)
		{
			if (!json_is_object(v))
				return pal_err_set(
				    err, EINVAL,
				    "Results[%zu].Vulnerabilities[%zu] must be an object", i, k);
			json_t *sev = json_object_get(v, "Severity");
			if (sev && !json_is_string(sev))
				return pal_err_set(
				    err, EINVAL,
				    "Results[%zu].Vulnerabilities[%zu].Severity must be "
				    "a string",
				    i, k);
			const char *fixed = json_string_value(json_object_get(v, "FixedVersion"));
			count(r, json_string_value(sev), fixed && *fixed);
		}
	}
	return 0;
}

static int parse_grype(json_t *root, struct sup_vuln_report *r, struct pal_err *err)
{
	json_t *matches = json_object_get(root, "matches");
	if (!json_is_array(matches))
		return pal_err_set(err, EINVAL, "matches must be an array");
	json_t *target = json_object_get(json_object_get(root, "source"), "target");
	add_digest(r, json_string_value(json_object_get(target, "manifestDigest")));
	add_digest(r, json_string_value(json_object_get(target, "imageID")));
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(target, "repoDigests"), i, e)
	{
		add_digest(r, json_string_value(e));
	}
	json_array_foreach(matches, i, e)
	{
		json_t *vuln = json_object_get(e, "vulnerability");
		if (!json_is_object(vuln))
			return pal_err_set(err, EINVAL,
					   "matches[%zu].vulnerability must be an object", i);
		json_t *sev = json_object_get(vuln, "severity");
		if (sev && !json_is_string(sev))
			return pal_err_set(
			    err, EINVAL, "matches[%zu].vulnerability.severity must be a string", i);
		const char *state =
		    json_string_value(json_object_get(json_object_get(vuln, "fix"), "state"));
		count(r, json_string_value(sev), pal_str_eq(state, "fixed"));
	}
	return 0;
}

int sup_vulns_parse(const char *name, const char *data, size_t len, struct sup_vuln_report *out,
		    struct pal_err *err)
{
	memset(out, 0, sizeof(*out));
	_cleanup_json_ json_t *root = pal_json_load_buffer(name, data, len, err);
	if (!root)
		return -EINVAL;
	if (!json_is_object(root))
		return pal_err_set(err, EINVAL, "%s: a report must be a JSON object", name);
	int r;
	if (json_object_get(root, "matches")) {
		out->format = SUP_REPORT_GRYPE;
		r = parse_grype(root, out, err);
	} else if (json_object_get(root, "SchemaVersion") || json_object_get(root, "Results") ||
		   json_object_get(root, "ArtifactName")) {
		out->format = SUP_REPORT_TRIVY;
		r = parse_trivy(root, out, err);
	} else {
		return pal_err_set(err, EINVAL,
				   "%s: neither a Trivy report (Results) nor a Grype report "
				   "(matches)",
				   name);
	}
	if (!out->digests)
		out->digests = pal_xcalloc(1, sizeof(char *));
	if (r < 0) {
		sup_vulns_free(out);
		return pal_err_prefix(err, "%s report %s",
				      out->format == SUP_REPORT_GRYPE ? "grype" : "trivy", name);
	}
	return 0;
}

void sup_vulns_free(struct sup_vuln_report *r)
{
	pal_strv_free(r->digests);
	memset(r, 0, sizeof(*r));
}

bool sup_vulns_matches(const struct sup_vuln_report *r, const struct sup_image *img)
{
	if (!r->digests || !r->digests[0])
		return true; /* associated by file name only */
	for (char **d = r->digests; *d; d++) {
		if (!strcmp(*d, img->manifest_digest) ||
		    (img->index_digest[0] && !strcmp(*d, img->index_digest)) ||
		    (img->m.config.digest && !strcmp(*d, img->m.config.digest)))
			return true;
	}
	return false;
}

int sup_vulns_find(const char *dir, const struct sup_image *img, char ***paths, struct pal_err *err)
{
	char **v = pal_xcalloc(1, sizeof(char *));
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d) {
		*paths = v;
		if (errno == ENOENT)
			return 0;
		pal_strv_free(v);
		*paths = NULL;
		return pal_err_sys(err, errno, "reports directory %s", dir);
	}
	const char *digests[2] = {img->manifest_digest, img->index_digest};
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!pal_str_ends_with(de->d_name, ".json"))
			continue;
		for (size_t i = 0; i < 2; i++) {
			if (!digests[i][0])
				continue;
			char prefix[SUP_DIGEST_MAX];
			const char *colon = strchr(digests[i], ':');
			snprintf(prefix, sizeof(prefix), "%.*s-%s", (int)(colon - digests[i]),
				 digests[i], colon + 1);
			size_t pl = strlen(prefix);
			if (!strncmp(de->d_name, prefix, pl) &&
			    (de->d_name[pl] == '.' || de->d_name[pl] == '\0')) {
				_cleanup_free_ char *p = pal_xasprintf("%s/%s", dir, de->d_name);
				pal_strv_push(&v, p);
			}
		}
	}
	*paths = v;
	return 0;
}
