/* zmq-repro bundle: a standalone reproduction to file upstream. */
#ifndef ZR_BUNDLE_H
#define ZR_BUNDLE_H

#include "catalog.h"
#include "commands.h"

int zr_cmd_bundle(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args);

#endif
