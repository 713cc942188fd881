/* Python builds (python:SUITE, see builds.h): how their interpreter is
 * started, and the extension modules of the harness built for them. */
#ifndef ZR_PYTHON_BUILDS_H
#define ZR_PYTHON_BUILDS_H

#include <stddef.h>

#include "builds.h"

/* Fills argv with what starts the build's interpreter: its loader,
 * --library-path with its own libraries then extra_libs (the libzmq
 * build's lib dir, or NULL), the interpreter. Returns the number of words
 * (at most 4), each malloc'd. */
int zr_python_build_argv(const struct zr_build *py, const char *extra_libs, char **argv);

#endif
