/* libFuzzer target: arbitrary bytes as a rules file -> load -> compile ->
 * evaluate a few events -> free. */
#include "fuzz_rules_events.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256 * 1024)
		return 0;
	fz_load_and_eval("fuzz.yaml", (const char *)data, size);
	return 0;
}
