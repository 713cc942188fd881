/* A C or C++ source compiled here with a client flavour's flags (modes.c),
 * against libzmq.so.5 with no RUNPATH, so that a run binds it to a build:
 * the way the cases are built by CMake, for a program or a case file that
 * CMake does not know. An argument vector, never a shell string: a file
 * named 'x$(touch y).c' is a file name. */
#ifndef ZR_COMPILE_H
#define ZR_COMPILE_H

#include <stdbool.h>
#include <stddef.h>

#include "modes.h"

/* True for a C++ source (.cpp, .cc, .cxx, .c++, .C), by the suffix of the file's name. */
bool zr_source_is_cxx(const char *path);
/* True for a C or C++ source, by the suffix of the file's name. */
bool zr_source_compiles(const char *path);

/* Compiles source into out (a path; C++ with c++). The command line goes to
 * stderr first, after "WHO: ", quoted so that it can be pasted (it is the
 * line a bundle's run.sh uses too); then the compiler's messages, kept
 * while it ran so that they never interleave with it. 0, or -1 with the
 * cause in err. */
int zr_compile(const char *who, const struct zr_flavour *flavour, const char *source, const char *out, char *err,
               size_t errlen);

/* The same for a Python extension module: -shared -fPIC, with -I for each
 * of the colon-separated include_dirs (the interpreter's headers). */
int zr_compile_module(const struct zr_flavour *flavour, const char *source, const char *out, const char *include_dirs,
                      char *err, size_t errlen);

#endif
