/* Where everything an attempt needs is: filled from the build's settings
 * (config.h), the environment and the command line. */
#ifndef ZR_SETUP_H
#define ZR_SETUP_H

#include <stdbool.h>

#include "builds.h"

struct zr_setup {
    const char *source_dir;
    const char *build_dir;
    const char *server;       /* the router_server binary */
    const char *python;       /* the interpreter that imports zmq */
    struct zr_build *python_build; /* the Python build it comes from (--python python:SUITE), or NULL:
                                      then python runs as it is, under this machine's glibc */
    const char *libtsan;      /* libtsan.so, preloaded in tsan mode */
    const char *owner_lib;    /* libzmq_owner.so, preloaded in owner mode */
    const char *loaded_probe; /* libzr_loaded.so, preloaded into every client */
    const char *suppressions; /* TSan suppressions file */
    const char *stack_tool;   /* eu-stack */
    const char *build_script; /* harness/libzmq/build-libzmq.sh */
    const char *transport;    /* tcp or ipc */
    double multiplier;        /* every watchdog and wait is scaled by it (ZR_TIMEOUT_MULTIPLIER) */
    int verbose;
    unsigned long long seed;  /* perturb mode: the seed of every attempt (--seed), or 0: one drawn per attempt */
};

/* The defaults of this build; -1 with the cause in err when
 * ZR_TIMEOUT_MULTIPLIER is not a number from 1 to 100. */
int zr_setup_defaults(struct zr_setup *setup, char *err, unsigned long errlen);

/* --python NAME|PATH: a Python build by name (its interpreter, under its own
 * loader), else a program. -1 with the cause in err. */
int zr_setup_use_python(struct zr_setup *setup, const char *name_or_path, char *err, unsigned long errlen);

#endif
