#include "sensor/event.h"

#include <string.h>

static const char *const type_names[PAL_EVT__COUNT] = {
#define PAL_EVT_NAME(id, name) [PAL_EVT_##id] = name,
    PAL_EVT_TYPES(PAL_EVT_NAME)
#undef PAL_EVT_NAME
};

const char *pal_evt_type_name(enum pal_evt_type t)
{
	if ((unsigned)t >= PAL_EVT__COUNT)
		return NULL;
	return type_names[t];
}

int pal_evt_type_from_name(const char *name)
{
	if (!name)
		return -1;
	for (int i = 0; i < PAL_EVT__COUNT; i++)
		if (strcmp(type_names[i], name) == 0)
			return i;
	return -1;
}
