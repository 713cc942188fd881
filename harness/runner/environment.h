/* What a result must name so that two results can be compared: the exact
 * libzmq build, the interpreter and pyzmq, the compiler, the host; and the
 * checks that refuse to run on a set-up that would make a result meaningless. */
#ifndef ZR_ENVIRONMENT_H
#define ZR_ENVIRONMENT_H

#include <jansson.h>
#include <stddef.h>

#include "attempt.h"

/* The libzmq build a mode runs on (its build-info.json), or NULL with the
 * cause in err. */
json_t *zr_libzmq_info(const struct zr_setup *setup, enum zr_mode mode, char *err, size_t errlen);

/* Checks that a case can run in a mode here: its client is built, the
 * interpreter imports zmq, and under TSan pyzmq really loaded the
 * instrumented libzmq. Returns the environment description, or NULL with a
 * one-line cause and what to do in err. */
json_t *zr_preflight(const struct zr_setup *setup, const struct zr_case_spec *spec, enum zr_mode mode, char *err,
                     size_t errlen);

#endif
