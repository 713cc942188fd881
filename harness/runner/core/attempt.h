/* One attempt: the ROUTER server as a helper process (unless the program
 * brings its own peers), the client program under its watchdog and the
 * progress watch, the stacks when it hangs, the check of which libzmq it
 * really loaded, and the verdict. The same for a case and a user's program. */
#ifndef ZR_ATTEMPT_H
#define ZR_ATTEMPT_H

#include <stdbool.h>

#include "builds.h"
#include "classify.h"
#include "client.h"
#include "modes.h"
#include "setup.h"

struct zr_attempt_spec {
    const struct zr_mode *mode;
    const struct zr_build *build;
    struct zr_program program;
    const char *server_mode; /* echo, slow, delay, sink; "none": no server */
    int server_delay_ms;
    double timeout_s; /* the watchdog, before the multiplier */
    double stall_s;   /* no progress for this long is a hang (0: off), before the multiplier */
    bool judged_by_exit; /* a user's program (check without --done): no DONE contract (classify.h) */
};

struct zr_attempt {
    struct zr_verdict verdict;
    double duration_s; /* client start to its end, or to the hang */
    double verdict_s;  /* client start to the verdict (stack capture included) */
    bool exited;
    int exit_code;
    int signal;
    bool timed_out, stalled, interrupted;
    bool progressing;    /* timed out while still making progress: TIMEOUT, not HANG */
    char *progress_note; /* at the watchdog: what moved last (progressing), or why it was no progress */
    char *left_behind;   /* processes of the client's tree alive after it ended (killed), or NULL */
    char *endpoint;
    struct zr_server_view server;
    char *loaded_path;    /* the libzmq file the client mapped, or NULL */
    char *loaded_version; /* its own zmq_version() */
    unsigned long long seed; /* perturb mode: the seed it ran with (--seed replays it), else 0 */
};

/* Runs one attempt. A harness failure gives the outcome ERROR with the cause
 * as its signature. */
void zr_run_attempt(const struct zr_setup *setup, const struct zr_attempt_spec *spec, struct zr_attempt *a);
void zr_attempt_free(struct zr_attempt *a);

#endif
