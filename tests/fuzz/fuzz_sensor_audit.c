/* Seccomp audit record parsing (text from the kernel, with process-controlled
 * comm and exe inside). */
#include "sensor/seccomp_audit.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sen_audit_seccomp r;
	(void)sen_audit_parse_seccomp((const char *)data, size, &r);
	return 0;
}
