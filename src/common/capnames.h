/* Capability names (CAP_CHOWN ...) by number, as linux/capability.h
 * defines them: one table for the runtime, the sensor and the rule engine. */
#ifndef PAL_COMMON_CAPNAMES_H
#define PAL_COMMON_CAPNAMES_H

/* NULL when bit names no capability this build knows. */
const char *pal_cap_name(unsigned bit);

/* The number of "CAP_..." (exact, upper case); -1 if unknown or NULL. */
int pal_cap_from_name(const char *name);

#endif
