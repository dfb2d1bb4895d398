/* Trust policy YAML. Key paths resolve beneath a directory that does not exist. */
#include "supply/policy.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sup_policy *p = NULL;
	struct pal_err err = {0};
	if (sup_policy_load_buffer("policy.yaml", (const char *)data, size,
				   "/nonexistent-palisade-fuzz", &p, &err) == 0) {
		struct sup_image img = {0};
		img.reference = (char *)"registry.example.com/team/app:1.0";
		img.layout_path = (char *)"/srv/images/app";
		img.tag = (char *)"v1";
		snprintf(img.manifest_digest, sizeof(img.manifest_digest), "sha256:%064d", 1);
		sup_policy_match(p, &img);
		sup_policy_free(p);
	}
	return 0;
}
