/* Image manifests, image configs and document kind detection. */
#include "supply/oci.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pal_err err = {0};
	sup_doc_kind("m", (const char *)data, size, &err);
	struct sup_manifest m;
	if (sup_manifest_parse("m", (const char *)data, size, &m, &err) == 0)
		sup_manifest_free(&m);
	struct sup_config c;
	if (sup_config_parse("c", (const char *)data, size, &c, &err) == 0)
		sup_config_free(&c);
	return 0;
}
