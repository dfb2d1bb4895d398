/* The default ruleset (the rules directory of the source tree, every .yaml),
 * compiled into the binary so Palisade runs with no configuration at all.
 * The table is generated at build time by embed_rules.cmake. */
#ifndef PAL_ENGINE_BUILTIN_H
#define PAL_ENGINE_BUILTIN_H

#include <stddef.h>

struct eng_builtin_file {
	const char *name;
	const char *data;
	size_t len;
};

extern const struct eng_builtin_file eng_builtin_files[];
extern const size_t eng_builtin_nfiles;

#endif
