/* zmq-repro minimize: a smaller C reproduction, made by C-Vise. */
#ifndef ZR_MINIMIZE_H
#define ZR_MINIMIZE_H

#include "catalog.h"
#include "commands.h"

int zr_cmd_minimize(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args);

#endif
