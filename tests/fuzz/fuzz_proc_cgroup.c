/* /proc/<pid>/cgroup parsing and container recognition from cgroup paths. */
#include "proc/cgroup_path.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_cgroup_match m;
	bool v2;
	(void)proc_cgroup_file_match((const char *)data, size, NULL, &m, &v2);
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)proc_cgroup_path_match(s, NULL, &m);
	free(s);
	return 0;
}
