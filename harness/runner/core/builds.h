/* libzmq builds: made once, cached, named, and chosen at run time. Every
 * client binds to the build it runs on through the dynamic linker (libzmq
 * 5.x keeps its ABI), so one compiled case serves every build.
 *
 * The cache ($ZR_CACHE_DIR, else $XDG_CACHE_HOME/zmq-repro, else
 * ~/.cache/zmq-repro) holds store/<key>/ (one build: lib/, include/,
 * build-info.json; the key is the resolved identity of the source, the
 * flavour, the flags and the compiler) and builds/<name>, a link to one of
 * them.
 *
 * The same cache holds Python builds (`zmq-repro build python:SUITE`, kind
 * "python" in build-info.json): an interpreter with pyzmq and no libzmq of
 * its own, run under its own glibc's loader (fields python, loader,
 * loader_path, include_dirs, python_version, pyzmq_version, ext_suffix), so
 * that every Python combines with every libzmq build. */
#ifndef ZR_BUILDS_H
#define ZR_BUILDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "modes.h"

struct zr_build {
    char *name;   /* as asked for: a name, or a path */
    char *prefix; /* the folder that holds build-info.json */
    json_t *info; /* build-info.json */
};

/* The cache folder (not created). */
const char *zr_cache_dir(void);

/* A build by name (builds/<name>) or by the path of a folder holding a
 * build-info.json. -1 with what to do in err. */
int zr_build_open(const char *name_or_path, struct zr_build *b, char *err, size_t errlen);
void zr_build_close(struct zr_build *b);
/* A Python build by name (builds/python:SUITE) or folder; a libzmq build is refused. */
int zr_python_build_open(const char *name_or_path, struct zr_build *b, char *err, size_t errlen);
bool zr_build_is_python(const struct zr_build *b);
/* True for a source that makes a Python build (python:SUITE). */
bool zr_source_is_python(const char *source);
/* Runs a Python build's interpreter and records its version, pyzmq's and
 * the extension suffix in its build-info.json (python_builds.c). */
int zr_python_build_probe(struct zr_build *b, char *err, size_t errlen);
/* Writes prefix/build-info.json atomically. */
int zr_build_write_info(const char *prefix, json_t *info, char *err, size_t errlen);

/* A field of build-info.json, or NULL. */
const char *zr_build_field(const struct zr_build *b, const char *field);
bool zr_build_instrumented(const struct zr_build *b);

/* NULL when the build can serve the mode, else why not ("an instrumented
 * build needs TSan in the client"). */
const char *zr_build_unfit(const struct zr_build *b, const struct zr_mode *mode);

/* The build for the flavour that a mode needs: tsan, else debug. */
const char *zr_build_flavour_for(const struct zr_mode *mode);

struct zr_build_request {
    const char *script; /* harness/libzmq/build-libzmq.sh */
    const char *source; /* system, debian, debian-binary:SUITE, DIR, TARBALL, URL[#REF], or python:SUITE */
    const char *flavour; /* tsan, debug, binary; NULL: binary for prebuilt sources, else tsan */
    const char *name;   /* NULL: derived from the source and flavour */
    bool rebuild;       /* build again even when the cache has it */
    const char *made_by; /* "bisect": a build of one bisection step, removed by `builds --prune`; or NULL */
};

/* Builds (or finds in the cache) and names a build; prints progress on
 * stderr. On success the build is opened into b. */
int zr_build_make(const struct zr_build_request *r, struct zr_build *b, char *err, size_t errlen);

/* Every named build, sorted by name: callback per build. */
typedef void (*zr_build_fn)(const struct zr_build *b, void *user);
int zr_builds_each(zr_build_fn fn, void *user, char *err, size_t errlen);

/* builds --prune: removes the names and entries of the builds bisect made,
 * the store entries no name points to, and what stopped builds left. Says
 * each on stdout. Returns the bytes freed. */
long long zr_builds_prune(void);

#endif
