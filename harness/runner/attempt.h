/* One attempt of one case in one mode: the ROUTER server as a helper
 * process, the client against it under its watchdog, and the verdict. */
#ifndef ZR_ATTEMPT_H
#define ZR_ATTEMPT_H

#include <stdbool.h>

#include "case_spec.h"
#include "classify.h"

/* Where everything an attempt needs is; filled from the build's settings
 * and the command line. */
struct zr_setup {
    const char *source_dir;
    const char *build_dir;
    const char *server;       /* the router_server binary */
    const char *python;       /* the interpreter that imports zmq */
    const char *libtsan;      /* libtsan.so, preloaded into Python in tsan mode */
    const char *tsan_libzmq;  /* prefix of the instrumented libzmq */
    const char *suppressions; /* TSan suppressions file */
    const char *transport;    /* tcp or ipc */
    bool verbose;
};

struct zr_attempt {
    struct zr_verdict verdict;
    double duration_s;    /* client start to its end, or to the watchdog */
    double verdict_s;     /* client start to the verdict (stack capture included) */
    bool exited;
    int exit_code;
    int signal;
    bool timed_out;
    char endpoint[512];
    long long server_received, server_replied, server_unroutable; /* -1: unknown */
};

/* Runs one attempt. A harness failure gives the outcome ERROR with the cause
 * as its signature. */
void zr_run_attempt(const struct zr_setup *setup, const struct zr_case_spec *spec, enum zr_mode mode,
                    struct zr_attempt *a);

/* The client program of a case in a mode (the built C binary, or the
 * interpreter for Python), for messages and checks. */
void zr_client_path(const struct zr_setup *setup, const struct zr_case_spec *spec, enum zr_mode mode, char *buf,
                    size_t len);

/* The environment a client runs in (TSan options, and for Python the
 * preload of libtsan with the instrumented libzmq); free with zr_env_free. */
struct zr_env;
void zr_client_env(const struct zr_setup *setup, const struct zr_case_spec *spec, enum zr_mode mode,
                   struct zr_env *env);

#endif
