/* The runtime's own state.json, and the hardening section of the node
 * policy: both read back from disk by every palisade-runtime command. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/yamldoc.h"
#include "runtime/policy.h"
#include "runtime/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pal_err err = {0};
	struct rt_state s;
	if (rt_state_parse("state.json", "c1", (const char *)data, size, &s, &err) == 0)
		rt_state_free(&s);
	struct pal_yaml y;
	if (pal_yaml_load_buffer(&y, "policy.yaml", (const char *)data, size, &err) == 0) {
		struct rt_hardening h;
		rt_hardening_defaults(&h);
		rt_hardening_parse_yaml(&y, &h, &err);
		rt_hardening_free(&h);
	}
	pal_yaml_free(&y);
	return 0;
}
