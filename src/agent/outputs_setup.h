/* The configured outputs as sinks (stdout when none is configured). */
#ifndef PAL_AGENT_OUTPUTS_SETUP_H
#define PAL_AGENT_OUTPUTS_SETUP_H

#include "agent/config.h"
#include "common/err.h"
#include "output/outputs.h"

int agt_outputs_build(const struct agt_config *cfg, struct out_outputs **out, struct pal_err *err);

#endif
