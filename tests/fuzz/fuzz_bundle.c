/* Sigstore bundles and the in-toto statements inside DSSE envelopes. */
#include "supply/cosign.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sup_bundle b;
	struct pal_err err = {0};
	if (sup_bundle_parse("bundle", data, size, &b, &err) == 0) {
		if (b.content == SUP_BUNDLE_DSSE) {
			struct pal_buf pae;
			pal_buf_init(&pae);
			sup_dsse_pae(b.payload_type, b.payload, b.payload_len, &pae);
			pal_buf_free(&pae);
			sup_intoto_check(
			    "statement", b.payload, b.payload_len,
			    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c0"
			    "60f61caaff8a",
			    &err);
		}
		sup_bundle_free(&b);
	}
	sup_intoto_check("statement", data, size,
			 "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
			 &err);
	return 0;
}
