/* OCI layout index.json: image index parsing and platform selection. */
#include "supply/oci.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sup_index ix;
	struct pal_err err = {0};
	if (sup_index_parse("index.json", (const char *)data, size, &ix, &err) == 0) {
		struct sup_platform want = {(char *)"linux", (char *)"amd64", NULL};
		sup_index_select(&ix, &want, "index.json", &err);
		want.variant = (char *)"v8";
		want.arch = (char *)"arm64";
		sup_index_select(&ix, &want, "index.json", &err);
		for (size_t i = 0; i < ix.n_manifests; i++) {
			json_t *j = sup_desc_to_json(&ix.manifests[i]);
			json_decref(j);
			sup_desc_annotation(&ix.manifests[i], SUP_ANN_REF_NAME);
		}
		sup_index_free(&ix);
	}
	return 0;
}
