/* The ring-buffer record decoder on arbitrary bytes (records come from the
 * kernel, but a decoder that trusts lengths is one bug away from an overrun). */
#include "sensor/decode.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An aligned private copy, as the ring buffer hands out. */
	void *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	struct sen_decoded d;
	struct pal_err err = {0};
	if (sen_decode(buf, size, &d, &err) == 0)
		sen_decoded_clear(&d);
	free(buf);
	return 0;
}
