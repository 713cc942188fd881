/* What a result must name so that two results can be compared (the libzmq
 * build, the interpreter and pyzmq, the compiler, the host), and the checks
 * that refuse to run on a set-up that would make a result meaningless. */
#ifndef ZR_ENVIRONMENT_H
#define ZR_ENVIRONMENT_H

#include <jansson.h>
#include <stddef.h>

#include "builds.h"
#include "case_spec.h"
#include "setup.h"

/* The host: OS, kernel, machine, CPUs, name. */
json_t *zr_host_json(void);
const char *zr_host_name(void);
/* The words of this process's own command line (from /proc/self/cmdline),
 * for a document to say what made it; [] when it cannot be read. */
json_t *zr_command_line_json(void);

/* The interpreter on a build in a mode: Python and pyzmq versions, and the
 * libzmq it really loaded, which must be the build's. Cached per mode and
 * build. NULL with a one-line cause and what to do in err. */
json_t *zr_python_probe(const struct zr_setup *setup, const struct zr_mode *mode, const struct zr_build *build,
                        char *err, size_t errlen);

/* The checks common to a case and a user's program in a mode on a build:
 * the build fits the mode, the preloads and the server exist. */
int zr_preflight_mode(const struct zr_setup *setup, const struct zr_mode *mode, const struct zr_build *build,
                      bool needs_server, char *err, size_t errlen);

/* Checks that a case can run in a mode on a build here. Returns the
 * environment description, or NULL with what to do in err. */
json_t *zr_preflight(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode,
                     const struct zr_build *build, char *err, size_t errlen);

#endif
