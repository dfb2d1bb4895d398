#ifndef PAL_RUNTIME_FEATURES_H
#define PAL_RUNTIME_FEATURES_H

#include <jansson.h>

/* The runtime-spec "features" document (`palisade-runtime features`). */
json_t *rt_features_json(void);

#endif
