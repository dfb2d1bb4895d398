/* Scope-bound cleanup helpers (GCC/Clang cleanup attribute), so that every
 * early return releases what the function acquired without a goto ladder. */
#ifndef PAL_COMMON_CLEANUP_H
#define PAL_COMMON_CLEANUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <dirent.h>

static inline void pal_freep(void *p)
{
	free(*(void **)p);
}

static inline void pal_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

static inline void pal_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

static inline void pal_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

static inline void pal_strvfreep(char ***v)
{
	if (!*v)
		return;
	for (char **p = *v; *p; p++)
		free(*p);
	free(*v);
}

#define _cleanup_(f)      __attribute__((cleanup(f)))
#define _cleanup_free_    _cleanup_(pal_freep)
#define _cleanup_close_   _cleanup_(pal_closep)
#define _cleanup_fclose_  _cleanup_(pal_fclosep)
#define _cleanup_closedir_ _cleanup_(pal_closedirp)
#define _cleanup_strv_    _cleanup_(pal_strvfreep)

/* Hands ownership out of a cleanup-managed variable. */
#define PAL_STEAL(p)                                                                               \
	({                                                                                         \
		__typeof__(p) _stolen = (p);                                                       \
		(p) = NULL;                                                                        \
		_stolen;                                                                           \
	})

#define PAL_STEAL_FD(fd)                                                                           \
	({                                                                                         \
		int _stolen = (fd);                                                                \
		(fd) = -1;                                                                         \
		_stolen;                                                                           \
	})

#define PAL_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
