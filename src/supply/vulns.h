/* Vulnerability reports from Trivy (`trivy image -f json`) and Grype
 * (`grype -o json`), counted per severity, for the policy's thresholds.
 *
 * A report belongs to an image when its file in the reports directory is
 * named after the image's manifest digest, "sha256-<hex>[.anything].json";
 * when the report itself names digests (Trivy Metadata.RepoDigests/ImageID,
 * Grype source.target.manifestDigest/imageID/repoDigests) one of them must
 * be the image's manifest, index or config digest. */
#ifndef PAL_SUPPLY_VULNS_H
#define PAL_SUPPLY_VULNS_H

#include "image.h"
#include "policy.h"

#include <stdint.h>

#define SUP_MAX_REPORT (64u << 20)

enum sup_report_format { SUP_REPORT_TRIVY = 1, SUP_REPORT_GRYPE = 2 };

struct sup_vuln_report {
	enum sup_report_format format;
	uint32_t total[SUP_SEV_COUNT];
	uint32_t fixable[SUP_SEV_COUNT];
	char **digests; /* digests the report names (NULL-terminated) */
};

int sup_vulns_parse(const char *name, const char *data, size_t len, struct sup_vuln_report *out,
		    struct pal_err *err);
void sup_vulns_free(struct sup_vuln_report *r);
const char *sup_report_format_name(enum sup_report_format f);

/* Whether the report's own digests allow it to describe img. */
bool sup_vulns_matches(const struct sup_vuln_report *r, const struct sup_image *img);

/* The paths of the reports for img in dir (NULL-terminated; none is not an error). */
int sup_vulns_find(const char *dir, const struct sup_image *img, char ***paths,
		   struct pal_err *err);

#endif
