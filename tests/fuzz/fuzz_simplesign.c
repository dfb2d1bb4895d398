/* cosign simple-signing payloads. */
#include "supply/cosign.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sup_simplesign s;
	struct pal_err err = {0};
	if (sup_simplesign_parse("payload", data, size, &s, &err) == 0)
		sup_simplesign_free(&s);
	return 0;
}
