/* Python builds (python:SUITE, see builds.h): how their interpreter is
 * started, and the extension modules of the harness built for them. */
#ifndef ZR_PYTHON_BUILDS_H
#define ZR_PYTHON_BUILDS_H

#include <stddef.h>

#include "builds.h"
#include "modes.h"
#include "setup.h"

/* Fills argv with what starts the build's interpreter: its loader,
 * --library-path with its own libraries then extra_libs (the libzmq
 * build's lib dir, or NULL), the interpreter. Returns the number of words
 * (at most 4), each malloc'd. */
int zr_python_build_argv(const struct zr_build *py, const char *extra_libs, char **argv);

/* Where the harness's extension modules (pyclients/ext/) for the run's
 * interpreter are: built by CMake for the configured one, or in the Python
 * build's own folder; malloc'd. */
char *zr_pyext_dir(const struct zr_setup *setup, const struct zr_flavour *flavour);

/* Makes sure the module is built for the run's interpreter: for a Python
 * build, compiled here (cc or c++ -shared -fPIC with its headers) into
 * zr_pyext_dir, again when its source is newer. -1 with the cause in err. */
int zr_pyext_ensure(const struct zr_setup *setup, const struct zr_flavour *flavour, const char *module, char *err,
                    size_t errlen);

#endif
