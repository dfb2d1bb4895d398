/* The agent's configuration file (palisade.yaml): any bytes, parsed over the
 * defaults; a parsed configuration is then queried as the agent would. */
#include "agent/config.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agt_config c;
	agt_config_init(&c);
	struct pal_err err = {0};
	if (agt_config_parse(&c, "palisade.yaml", (const char *)data, size, &err) == 0) {
		(void)agt_config_loads_builtin(&c);
		for (size_t i = 0; i < c.n_outputs; i++)
			(void)agt_output_kind_name(c.outputs[i].kind);
		agt_config_add_rule_path(&c, "/nonexistent-palisade-fuzz/rules.yaml");
		agt_config_add_file_output(&c, "/nonexistent-palisade-fuzz/alerts.jsonl");
	}
	agt_config_free(&c);
	return 0;
}
