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
int zr_python_build_argv(const struct zr_build *py, const char *extra_libs, char **argv, char **library_path);

/* Where the harness's extension modules (pyclients/ext/) for the run's
 * interpreter are: built by CMake for the configured one, or in the Python
 * build's own folder; malloc'd. */
char *zr_pyext_dir(const struct zr_setup *setup, const struct zr_flavour *flavour);

/* Makes sure the module is built for the run's interpreter: for a Python
 * build, compiled here (cc or c++ -shared -fPIC with its headers) into
 * zr_pyext_dir, again when its source is newer. -1 with the cause in err. */
int zr_pyext_ensure(const struct zr_setup *setup, const struct zr_flavour *flavour, const char *module, char *err,
                    size_t errlen);

/* On a free-threaded CPython the GIL must stay off for the whole run: NULL
 * when it did, else why not (malloc'd), from the probe's socket log (its
 * py_gil=1 fields, read when a socket is created or closed) and the
 * program's stderr (CPython's warning naming the module that enabled it). */
char *zr_python_gil_finding(const char *sockets_log, const char *errpath);

/* Why a mode cannot run on a Python build (tsan on a free-threaded
 * interpreter not built with --with-thread-sanitizer), or NULL. */
const char *zr_python_build_unfit(const struct zr_build *py, const struct zr_mode *mode);

/* The same for a case in a mode on the run's Python (NULL for a C case):
 * such a case is n/a there, with this reason. */
struct zr_case_spec;
const char *zr_python_case_na(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode);

#endif
