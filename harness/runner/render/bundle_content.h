/* What a bundle is made of, whatever it was made from (a case run here, or
 * the result file of a `check` or `run`): what run.sh (run_sh.c) and
 * ISSUE.md (issue_md.c) are written from. */
#ifndef ZR_BUNDLE_CONTENT_H
#define ZR_BUNDLE_CONTENT_H

#include <jansson.h>
#include <stdbool.h>

#include "modes.h"

struct zr_bundle {
    char *name;        /* folder name: family-name-mode */
    char *title;       /* one line */
    char *description; /* the case header's prose, or a note for a user's program */
    char *client_path; /* the source or script to copy */
    bool python;
    char *pymodule_path; /* an extension module's source, or NULL */
    char *server_mode;   /* echo... or none */
    int server_delay_ms;
    char **args;
    int nargs;
    const struct zr_mode *mode;
    double timeout_s;
    char *expected;    /* run.sh's classes that count as a reproduction: "tsan", "hang assert signal loss" */
    char *verdict;     /* the verdict line of the run that made the bundle */
    char *report;      /* its report text */
    int met, n;
    double median_detect_s;
    json_t *build;     /* build-info of the build it ran on */
    json_t *python_env; /* {version, pyzmq} or NULL */
    bool cxx;           /* a C++ source: built with c++, shown as C++ */
    bool endpoint_first; /* a case: ENDPOINT, then args; a user's program: args as it was run, with
                            "{endpoint}" where it took the endpoint */
    bool judged_by_exit; /* a user's program: clean is exit 0 with no report, no DONE line needed */
    char *diagnosis;     /* the harness's own "my usage or libzmq?", or NULL */
    bool usage_error;    /* the diagnosis says it is the program's doing: an explanation, not a bug report */
    bool as_bug;         /* --as-bug: libzmq's bug template all the same */
    unsigned long long seed; /* perturb mode: the seed of the run that made the bundle (run.sh's SEED) */
};

/* Perturb mode: the interposer that makes the delays, carried as source in
 * the bundle's folder perturb/ (run.sh builds it into libzmq_perturb.so):
 * these files of harness/owner/, NULL-terminated. */
extern const char *const zr_bundle_perturb_files[];

void zr_bundle_free(struct zr_bundle *b);

/* The bundle has a ROUTER server to run beside the client. */
bool zr_bundle_has_server(const struct zr_bundle *b);

/* The last part of a path: the name a file has in the bundle's folder. */
const char *zr_bundle_file_name(const char *path);

#endif
