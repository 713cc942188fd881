/* A case's own statement of what it proves: the @tags in its header comment
 * (see cases/README.md). This is the one place they are parsed: the runner
 * reads them here, and the build learns them from `zmq-repro cmake-cases`,
 * which prints what this module parsed. */
#ifndef ZR_CASE_SPEC_H
#define ZR_CASE_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "modes.h"

enum zr_language { ZR_LANG_C, ZR_LANG_PYTHON };

#define ZR_MAX_PYTHON_RULES 4
enum zr_variant { ZR_VARIANT_BROKEN, ZR_VARIANT_FIXED };

/* One accepted outcome: OUTCOME, or OUTCOME:text. For TSAN the text is
 * KIND or KIND:FRAME (the report kind, and a prefix of the top frame of one
 * of the racing accesses); for the others, text that must appear in the
 * signature. */
struct zr_expectation {
    char *outcome;
    char *text; /* NULL: any signature */
};

struct zr_expect_list {
    int n;
    struct zr_expectation *items;
};

struct zr_mode_spec {
    bool enabled;   /* the case runs in this mode: its @expect line, or the one of the mode's else_as */
    bool inherited; /* by the else_as mode's lines (core/modes.c), having none of its own */
    struct zr_expect_list expect;
    int nargs;
    char **args;
    double timeout_s; /* the watchdog, before the multiplier */
    double stall_s;   /* no progress for this long is a hang; 0: off */
};

/* A user's own program run as a case (`bench|matrix|bisect ... -- PROGRAM
 * ARGS`): judged as `check` judges it, never by the case contract. */
struct zr_user_program {
    int argc;
    char **argv;     /* PROGRAM ARGS, NULL-terminated; argv[0] resolved */
    char *expect;    /* --expect as given, or NULL (clean) */
    double timeout_s; /* --timeout as given, or 0 */
    double stall_s;   /* --stall as given, or -1 */
    bool compiled;   /* a C or C++ source, built into program_dir */
};

struct zr_case_spec {
    char *path; /* the case file */
    char *id;   /* family/name */
    char *name;
    char *family;
    enum zr_language language;
    enum zr_variant variant;
    char *server_mode; /* echo, slow, delay, sink, none */
    int server_delay_ms;
    char *pymodule; /* or NULL */
    char *upstream; /* or NULL */
    char *twin;     /* a fixed case's broken twin (family/name): the failure its clean runs rule out, or NULL */
    char *fixed_in; /* a libzmq version from which the broken case is judged fixed, or NULL */
    struct zr_expect_list fixed_expect;
    char *broken_since; /* a regression: the libzmq version that brought the bug in, or NULL */
    struct zr_expect_list before_expect; /* what every run shows on a libzmq before it */
    /* @python-unaffected RANGE OUTCOMES...: on an interpreter in RANGE the bug
     * cannot show (a broken case judged as fixed, against these outcomes). */
    int npython_rules;
    struct zr_python_rule {
        char op;       /* '<' below, '>' from version on, '=' that minor version */
        char *version; /* 3.12 */
        struct zr_expect_list expect;
        bool shows; /* @python-shows (a fixed case): what every run shows on these interpreters instead */
        int mode;   /* @python-shows MODE: the mode it is for (an index of zr_modes); -1: every mode */
    } python_rules[ZR_MAX_PYTHON_RULES];
    struct zr_mode_spec modes[ZR_MAX_MODES]; /* indexed like zr_modes */
    bool outside;  /* a case file from outside cases/ and pyclients/: its family from its @family tag */
    bool users_program; /* a user's program under check, bench, matrix...: not a case; "NOT CLEAN", never "NOT FIXED" */
    char *program_dir; /* a C case from outside: its binaries, built at run time, are DIR/<flavour>/<name> */
    struct zr_user_program *program; /* a user's program, not a case; NULL for a case */

    /* A case whose header is wrong keeps its path and id and says why. */
    char *error; /* "file:line: what is wrong", or NULL */
};

/* Parses the case file at path (cases/<family>/<name>.c or
 * pyclients/<family>/<name>.py). Returns 0, or -1 with spec->error set. The
 * spec must be released with zr_case_spec_free in both cases. */
int zr_case_spec_parse_file(const char *path, struct zr_case_spec *spec);

/* The same from text already read (path gives the language, family and name). */
int zr_case_spec_parse_text(const char *path, const char *text, struct zr_case_spec *spec);

/* A case file anywhere else (a user's own case for their bug): the same
 * header and rules, its family from its @family tag, whatever its folder. */
int zr_case_spec_parse_outside(const char *path, struct zr_case_spec *spec);

void zr_case_spec_free(struct zr_case_spec *spec);
void zr_expect_list_free(struct zr_expect_list *list);

const char *zr_language_name(enum zr_language lang);
const char *zr_variant_name(enum zr_variant variant);

/* What is known of the release a libzmq build is. A build from a git
 * commit reports the number of the next release (libzmq bumps it right
 * after a release), so for a commit the release tags in its history say
 * which releases it holds. */
struct zr_libzmq_release {
    const char *version;          /* what the build reports (zmq.h, the package) */
    const char *commit;           /* built from this git commit, or NULL (a tarball, a package) */
    const char *release;          /* the commit is this release's tag, or NULL */
    const char *contains_release; /* the newest release tag in its history, or NULL (no tags there) */
};

/* 1: the build holds release v (v itself or a later one); -1: it does not;
 * 0: that cannot be told (an unreleased commit after the release before v,
 * or a commit built with no history), with the reason in why. */
int zr_release_holds(const struct zr_libzmq_release *r, const char *v, char *why, size_t len);

/* How a case is judged in a mode on a libzmq build (NULL or no version:
 * as the case says) and (a Python case) by an interpreter of a given
 * version (NULL: unknown): as broken or fixed, against which outcomes. A
 * broken case with @fixed-in is judged as fixed on libzmq releases from
 * that one on, and with @broken-since on releases before that one; one
 * with @python-unaffected on the Pythons its range names. Where the build's
 * release cannot be told, version_unknown says why, and no verdict may be
 * drawn from the runs. */
struct zr_judgement {
    enum zr_variant as;
    const struct zr_expect_list *expect;
    bool fixed_upstream;      /* judged fixed because of @fixed-in */
    bool predates_bug;        /* judged fixed because of @broken-since */
    bool python_unaffected;   /* judged fixed because of @python-unaffected */
    bool python_shows;        /* a fixed case held to @python-shows on this interpreter */
    bool version_unknown;     /* @fixed-in or @broken-since cannot be decided on this build */
    char unknown_why[320];
};
struct zr_judgement zr_case_judgement(const struct zr_case_spec *spec, int mode, const struct zr_libzmq_release *lz,
                                      const char *python_version);
/* True when python_version (3.13.5) is in the rule's range. */
bool zr_python_rule_matches(const struct zr_python_rule *rule, const char *python_version);

/* -1, 0, 1 as a is older, the same, newer than b ("4.3.10" > "4.3.9"). */
int zr_version_compare(const char *a, const char *b);

/* "TSAN:data-race:zmq:: ASSERT" into buf, for messages. */
void zr_expectations_format(const struct zr_expect_list *list, char *buf, size_t len);

/* True when the outcome names one of the outcomes an expectation may
 * name (the runner's own ERROR is never one). */
/* Expectation words (OUTCOME or OUTCOME:TEXT; the words are changed) into
 * list, by the rules of @expect: outcomes of the table that a run can
 * show, no empty text, a TSAN kind TSan prints, clean and failure outcomes
 * not mixed. -1 with the cause in err. Used by the case headers and by
 * `check --expect`. */
int zr_expect_parse_words(int nwords, char **words, struct zr_expect_list *list, char *err, size_t errlen);

/* The text of --expect: clean, hang, any-failure (every failure outcome of
 * the table), or expectation words as above. -1 with the cause in err. */
int zr_expect_parse_option(const char *text, struct zr_expect_list *list, char *err, size_t errlen);

#endif
