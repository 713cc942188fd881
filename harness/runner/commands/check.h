/* zmq-repro check: a user's own program (or, with --suite, a whole test
 * suite) under the harness. */
#ifndef ZR_CHECK_H
#define ZR_CHECK_H

#include "commands.h"

int zr_cmd_check(const struct zr_options *o, int nargs, char **args);
int zr_check_suite(const struct zr_options *o, int nargs, char **args);

#endif
