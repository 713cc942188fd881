/* How a client program is started in a mode on a libzmq build: its argv
 * (the interpreter for a Python script, a private dynamic loader for a
 * build that needs one) and its environment (the preloads the mode asks
 * for, the build's library first on the search path, TSan's options). The
 * same for the harness's cases and a user's own program. */
#ifndef ZR_CLIENT_H
#define ZR_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "builds.h"
#include "modes.h"
#include "process.h"
#include "setup.h"

/* A program to run as a client. In argv, "{endpoint}" is replaced by the
 * endpoint of the ROUTER server (also given as ZMQ_REPRO_ENDPOINT). */
struct zr_program {
    bool python;            /* argv[0] is a script, run by setup->python */
    int argc;
    char **argv;
    const char *pythonpath; /* extension modules of the harness, or NULL */
    bool keep_user_env;     /* a user's program: their LD_PRELOAD, LD_LIBRARY_PATH,
                               PYTHONPATH and TSAN_OPTIONS follow the harness's own */
};

struct zr_client_cmd {
    char **argv;       /* malloc'd, NULL-terminated */
    struct zr_env env;
    bool no_aslr;
    unsigned long long seed; /* perturb mode: the seed the client runs with, else 0 */
};

int zr_client_prepare(const struct zr_setup *setup, const struct zr_mode *mode, const struct zr_build *build,
                      const struct zr_program *prog, const char *endpoint, const char *workdir,
                      struct zr_client_cmd *cmd, char *err, size_t errlen);
void zr_client_cmd_free(struct zr_client_cmd *cmd);

/* TSAN_OPTIONS, the one recipe for a client, a test suite and a bundle's
 * run.sh: exitcode 66 (a report is never mistaken for the program's own
 * failure), second_deadlock_stack, no sleep at exit; halt at the first
 * report or not; abort (for Python: faulthandler then names the script's
 * lines); the suppressions file and a log folder when given (NULL: none).
 * Separated by ':' so that it is one shell word; a path is quoted. */
char *zr_tsan_options(bool halt, bool abort_on_report, const char *suppressions, const char *log_dir);

/* The file where the loaded-library probe writes what each process mapped. */
char *zr_loaded_log_path(const char *workdir);

#endif
