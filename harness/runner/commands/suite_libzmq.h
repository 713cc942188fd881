#ifndef ZR_SUITE_LIBZMQ_H
#define ZR_SUITE_LIBZMQ_H

#include <stdbool.h>

#include "builds.h"

/* Looks through folder (the suite's, where it runs) for binaries whose
 * RUNPATH brings a libzmq other than the build's, and says so on stderr.
 * Without build_asked (no -b) that is an error (-1): the suite would run on
 * a libzmq it was not built for, without a word. 0 otherwise. */
int zr_suite_own_libzmq(const struct zr_build *build, bool build_asked, const char *folder);

#endif
