/* Turns what a client process did (its exit, its output, the stacks taken
 * when it hung) and what the ROUTER server did meanwhile into one outcome
 * with its signature and the report text that proves it. The text is always
 * what TSan, libzmq, the ownership checker, CPython or eu-stack printed;
 * nothing here invents a symptom, and nothing the harness caused (a dead or
 * stalled server, a client killed from outside, the harness's own SIGABRT)
 * is ever counted as one. The same classification serves the cases, a
 * user's own program, and the bundles' results. */
#ifndef ZR_CLASSIFY_H
#define ZR_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "case_spec.h"
#include "tsan_report.h"

/* What the ROUTER server did during the attempt. */
struct zr_server_view {
    bool present;
    bool died;    /* it ended before the runner stopped it */
    bool stalled; /* it was stopped, or its loop stopped turning */
    char *how;    /* "killed by SIGKILL", "stopped (state T)", "no heartbeat for 2.1 s"... */
    long long received, replied, unroutable, held; /* -1: unknown */
    char *err_text; /* its stderr */
};

struct zr_run_output {
    bool exited;          /* exited normally: exit_code is valid */
    int exit_code;
    int signal;           /* the signal that ended it, when !exited */
    bool timed_out;       /* the watchdog fired */
    bool stalled;         /* no progress for the stall interval (a hang found early) */
    const char *out;      /* the client's stdout */
    const char *err;      /* the client's stderr */
    size_t err_before_hang; /* bytes of stderr written before the hang was declared: what
                               follows is the harness's doing (faulthandler's dump after its
                               SIGABRT) and is never evidence of a symptom */
    const char *stacks;   /* eu-stack's output, or NULL */
    const char *stacks_error; /* why there are no stacks */
    const struct zr_server_view *server; /* NULL: no server */
    const char *harness_error; /* the runner's own finding (the wrong libzmq loaded...), or NULL */
    bool judged_by_exit;  /* a user's program under `check` (without --done): judged by what it
                             did, so exit 0 with no report and no hang is CLEAN (stderr that is
                             no report: NOISE), and a missing DONE means nothing. false: the
                             cases' contract (cases/README.md), where CLEAN needs a last `DONE`
                             line whose sent/received accounting can show a LOSS */
    bool progressing;          /* timed_out while still making progress: the watchdog was too short */
    const char *progress_note; /* at the watchdog: what moved last (progressing), or why it was no progress */
    const char *left_behind;   /* processes of the client's tree still alive after it ended, or NULL */
    /* The runtimes the loaded-library probe saw in none of the client's
     * processes: a report in their format is then the program's own text. */
    bool tsan_absent, owner_absent, python_absent;
};

struct zr_verdict {
    char outcome[24];
    char *signature; /* one line, as printed */
    char *symptom;   /* the signature without file:line, to group one symptom across builds */
    char *location;  /* where it is in this build ("src/object.cpp:170"), or NULL */
    char *report;    /* the text that proves the outcome, or NULL */
    char *diagnosis; /* whose doing it is ("your program: ...", "libzmq: ..."), or NULL */
    struct zr_tsan_report *tsan; /* TSAN: the parsed report, for the expectations */
    bool libzmq_internal;  /* TSAN inside libzmq's own threads: not the user's doing */
    bool stacks_missing;   /* HANG whose stacks could not be taken */
    long long sent, received; /* from the DONE line; -1 when not given */
};

void zr_classify(const struct zr_run_output *run, struct zr_verdict *v);
void zr_verdict_free(struct zr_verdict *v);

/* True when the verdict is one the expectations accept. TSAN's text is KIND
 * or KIND:FRAME, matched against the racing accesses (zr_tsan_matches); for
 * the other outcomes, text that must appear in the signature. */
bool zr_expectation_met(const struct zr_expect_list *list, const struct zr_verdict *v);

/* True when an expectation would have been met had the hang's stacks been
 * taken: a HANG:text expectation meeting a HANG without stacks. Such a run
 * cannot be judged here (ctest skips it). */
bool zr_expectation_undecidable(const struct zr_expect_list *list, const struct zr_verdict *v);

/* Pieces, exposed for the unit tests. */
bool zr_find_libzmq_abort(const char *err, size_t len, char **signature, char **symptom, char **location);
bool zr_find_fatal_python(const char *err, size_t len, char **signature);
bool zr_find_owner_report(const char *err, size_t len, char outcome[24], char **signature, char **report);
bool zr_find_done(const char *out, long long *sent, long long *received);
/* The last lines of what a program printed (at most max_lines lines and
 * max_bytes bytes, whole UTF-8), malloc'd: "" for nothing. */
char *zr_output_tail(const char *text, int max_lines, size_t max_bytes);
bool zr_signal_is_symptom(int sig);

#endif
