/* The runner's subcommands; each returns the process exit code. */
#ifndef ZR_COMMANDS_H
#define ZR_COMMANDS_H

#include "builds.h"
#include "catalog.h"
#include "setup.h"

enum {
    ZR_EXIT_HELD = 0,      /* every expectation held */
    ZR_EXIT_NOT_HELD = 1,  /* one did not */
    ZR_EXIT_USAGE = 2,     /* usage or environment error: never a verdict */
    ZR_EXIT_SKIPPED = 77,  /* nothing failed, but something could not be judged here (ctest: skipped) */
};

#define ZR_MAX_BUILDS 32
#define ZR_MAX_BISECTS 32
#define ZR_MAX_PYTHONS 8
#define ZR_MAX_LABELS 16

struct zr_options {
    struct zr_setup setup;
    const char *results_dir;
    bool no_results;
    int attempts; /* 0: the command's default */
    bool keep_going;
    bool quiet;
    int nmodes;
    const struct zr_mode *modes[ZR_MAX_MODES];
    int nlabels;
    const char *labels[ZR_MAX_LABELS];
    int nbuilds;
    const char *builds[ZR_MAX_BUILDS];
    int npythons; /* each --python; matrix: one column per build and Python */
    const char *pythons[ZR_MAX_PYTHONS];
    const char *json_out;
    const char *out_dir;   /* matrix, bundle: where the output folder goes */
    /* build */
    const char *flavour;
    const char *build_name;
    bool rebuild;
    bool defaults;
    bool prune;
    /* check */
    const char *expect;
    const char *server_mode; /* "none" unless --server */
    double timeout_s;        /* 0: the mode's default */
    double stall_s;          /* -1: the default */
    bool suite;
    bool known_bugs; /* check --suite: also suppress the known libzmq bugs */
    bool baseline;   /* check --suite: once more without the sanitizer, to name the tests that fail only under it */
    bool every_attempt; /* check: every attempt must meet the expectation */
    bool as_bug;        /* bundle: libzmq's bug template even for a usage error */
    bool done;          /* check: hold the program to the cases' DONE contract (cases/README.md) */
    /* matrix, merge: matrix.md shows only the cases that differ between versions (--rows differing) */
    bool rows_differing;
    /* matrix, merge: records of `zmq-repro bisect` (--bisect), shown on the rows of their case */
    int nbisects;
    const char *bisects[ZR_MAX_BISECTS];
    /* soak, matrix */
    double minutes;
    int jobs;
    /* bisect */
    const char *source;
    const char *from_rev, *to_rev;
    const char *looking_for;
};

/* The worse of two exit codes: usage error, then not held, then skipped, then held. */
int zr_worse_exit(int a, int b);

int zr_cmd_list(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases);
int zr_cmd_run(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases);
int zr_cmd_bench(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases);
int zr_cmd_compare(const char *old_path, const char *new_path);
int zr_cmd_builds(const struct zr_options *o, int nargs, char **args);
int zr_cmd_build(const struct zr_options *o, int nargs, char **args);
int zr_cmd_soak(const struct zr_options *o);

/* The selection shared by run, bench and matrix: every (case, mode) pair
 * named or matching the labels and modes. -1 with a message printed when
 * a name or a label matches nothing. */
struct zr_selection {
    int n;
    struct zr_selected {
        const struct zr_case_spec *spec;
        int mode;
    } *items;
};
int zr_select(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases,
              struct zr_selection *sel);
void zr_selection_free(struct zr_selection *sel);

/* The builds a mode runs on under the options: those of -b that fit the
 * mode, else the mode's default. Opened into builds (at most max); returns
 * how many, or -1 with the cause in err. */
int zr_builds_for_mode(const struct zr_options *o, const struct zr_mode *mode, struct zr_build *builds, int max,
                       char *err, size_t errlen);

#endif
