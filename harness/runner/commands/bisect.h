/* zmq-repro bisect and bisect-step: the libzmq commit that introduced or
 * fixed a case's failure. */
#ifndef ZR_BISECT_H
#define ZR_BISECT_H

#include "catalog.h"
#include "commands.h"

int zr_cmd_bisect(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args);
int zr_cmd_bisect_step(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args);

#endif
