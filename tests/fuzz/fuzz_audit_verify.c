/* Fuzzes the audit log verifier: any bytes, read as a log, with and without a key. */
#include "output/audit.h"

#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[] = "0123456789abcdef0123456789abcdef";
	if (size == 0)
		return 0; /* fmemopen refuses an empty buffer; the unit tests cover an empty log */
	for (int keyed = 0; keyed < 2; keyed++) {
		FILE *f = fmemopen((void *)data, size, "r");
		if (!f)
			return 0;
		struct out_audit_report rep;
		out_audit_verify_stream(f, keyed ? key : NULL, keyed ? sizeof(key) - 1 : 0, &rep);
		fclose(f);
	}
	return 0;
}
