/* Trivy and Grype JSON reports. */
#include "supply/vulns.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sup_vuln_report r;
	struct pal_err err = {0};
	if (sup_vulns_parse("report", (const char *)data, size, &r, &err) == 0) {
		struct sup_image img = {0};
		snprintf(img.manifest_digest, sizeof(img.manifest_digest), "sha256:%064d", 1);
		sup_vulns_matches(&r, &img);
		sup_vulns_free(&r);
	}
	return 0;
}
