/* Fuzzes the compiled-seccomp-filter loader (the runtime state dir's
 * seccomp.bpf). Whatever it accepts must serialize back to the same bytes:
 * the format has one encoding per program, so anything else means a field
 * was read loosely. */
#include "runtime/seccomp.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rt_seccomp_program p;
	struct pal_err err = {0};
	if (rt_seccomp_program_load_buf(data, size, "fuzz", &p, &err) < 0) {
		if (err.code == 0 || err.msg[0] == '\0')
			abort(); /* every refusal explains itself */
		return 0;
	}
	if (p.n_insns == 0 || p.n_insns > BPF_MAXINSNS || !p.insns)
		abort();
	size_t len = 0;
	char *again = rt_seccomp_program_serialize(&p, &len);
	if (len != size || memcmp(again, data, size) != 0)
		abort();
	free(again);
	rt_seccomp_program_free(&p);
	return 0;
}
