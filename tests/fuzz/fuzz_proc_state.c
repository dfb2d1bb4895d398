/* palisade-runtime state files, containers-storage and docker config parsing
 * (files other programs write: untrusted input). */
#include "proc/container_info.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_container_info ci;
	struct pal_err err = {0};
	if (proc_state_file_parse("fuzz.json", (const char *)data, size, &ci, &err) == 0)
		proc_container_info_clear(&ci);
	if (proc_docker_config_parse((const char *)data, size, &ci, &err) == 0)
		proc_container_info_clear(&ci);
	if (proc_storage_lookup((const char *)data, size, (const char *)data, size,
				"428edd6796ffa45953f0e6bc01e0e40f527ee627c940434b1151327cc95c5578",
				&ci, &err) == 0)
		proc_container_info_clear(&ci);
	char *r, *t, *d;
	char *ref = malloc(size + 1);
	if (!ref)
		return 0;
	for (size_t i = 0; i < size; i++)
		ref[i] = data[i] ? (char)data[i] : 'x';
	ref[size] = '\0';
	proc_image_ref_split(ref, &r, &t, &d);
	free(r);
	free(t);
	free(d);
	free(ref);
	return 0;
}
