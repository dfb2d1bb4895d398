/* /etc/passwd and /etc/group of container images, as the agent reads them to
 * name container users: any bytes. */
#include "agent/names.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct agt_name_entry *v = NULL;
	size_t n = agt_names_parse((const char *)data, size, &v);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && v[i - 1].id >= v[i].id)
			abort(); /* sorted, one name per id */
		free(v[i].name);
	}
	free(v);
	return 0;
}
