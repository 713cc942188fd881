/* zmq-repro bisect and bisect-step: which libzmq commit introduced a
 * failure, or fixed it.
 *
 * bisect-step is the command `git bisect run` calls inside a libzmq
 * checkout: it builds the commit checked out (cached by commit), runs one
 * case up to N attempts, and exits as `git bisect run` wants: 0 for the old
 * state, 1 for the new one, 125 when the commit does not build, 128 (which
 * stops the bisection) when the harness itself failed. Whether "old" means
 * "reproduces" or "clean" depends on what is looked for: a regression (old
 * clean, new reproduces) or a fix (old reproduces, new clean).
 *
 * bisect clones the libzmq source (a folder, a bundle or a URL) into a
 * private folder, so that no checkout of the user's is touched, and runs
 * the whole bisection there with old/new terms that say what they mean. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bisect.h"
#include "case_run.h"
#include "defaults.h"
#include "environment.h"
#include "files.h"
#include "process.h"
#include "program_case.h"
#include "text.h"

#define EXIT_SKIP 125
#define EXIT_ABORT 128

static bool looking_for_fix(const struct zr_options *o, char *err, size_t errlen)
{
    if (!o->looking_for || !strcmp(o->looking_for, "regression"))
        return false;
    if (!strcmp(o->looking_for, "fix"))
        return true;
    snprintf(err, errlen, "--looking-for is fix or regression, not '%s'", o->looking_for);
    return false;
}

/* Runs a command, output into a file; its exit status, or -1. */
static int run(char *const argv[], const char *cwd, const char *out, bool pass_stderr)
{
    struct zr_spawn s = { .argv = argv, .cwd = cwd, .out = out ? ZR_OUTPUT_FILE(out) : ZR_OUTPUT_NULL,
                          .err = pass_stderr ? ZR_OUTPUT_FD(2) : (out ? ZR_OUTPUT_FILE(out) : ZR_OUTPUT_NULL) };
    char err[512];
    int status = zr_run_to_end(&s, 24 * 3600.0, err, sizeof err);
    if (status < 0)
        fprintf(stderr, "zmq-repro: %s\n", err);
    return status;
}

static char *git_output(const char *dir, char *const argv[], const char *workdir)
{
    char *out = zr_strdup_printf("%s/git.out", workdir);
    char *text = NULL;
    if (run(argv, dir, out, false) == 0)
        text = zr_read_file(out, NULL);
    free(out);
    if (text)
        text[strcspn(text, "\n")] = '\0';
    return text;
}

/* A libzmq source tree under git: what a step can build. */
static bool is_libzmq_checkout(const char *dir)
{
    char *git = zr_strdup_printf("%s/.git", dir), *zmq = zr_strdup_printf("%s/src/zmq.cpp", dir);
    bool yes = access(git, F_OK) == 0 && access(zmq, R_OK) == 0;
    free(git);
    free(zmq);
    return yes;
}

int zr_cmd_bisect_step(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    char err[1024] = "";
    bool fix = looking_for_fix(o, err, sizeof err);
    if (err[0] || nargs != 1) {
        fprintf(stderr, "zmq-repro: %s\n", err[0] ? err : "bisect-step takes one CASE (run it inside a libzmq checkout)");
        return EXIT_ABORT;
    }
    const struct zr_case_spec *spec = zr_catalog_find(cat, args[0]);
    if (!spec || spec->error) {
        fprintf(stderr, "zmq-repro: %s\n", spec ? spec->error : "no such case (see `zmq-repro list`)");
        return EXIT_ABORT;
    }
    const struct zr_mode *mode = o->nmodes ? o->modes[0] : zr_mode_find("stress");
    int m = zr_mode_index(mode);
    if (!spec->modes[m].enabled) {
        fprintf(stderr, "zmq-repro: %s has no %s mode\n", spec->id, mode->name);
        return EXIT_ABORT;
    }
    char cwd[4096];
    const char *source = o->source ? o->source : getcwd(cwd, sizeof cwd);
    /* What is wrong here, not with the commit, stops the bisection (128):
     * skipping (125) would let git go on with every commit failing the same. */
    if (!source || !is_libzmq_checkout(source)) {
        fprintf(stderr, "zmq-repro: bisect-step runs inside a libzmq checkout (git bisect run), not in %s: stopping\n",
                source ? source : "(no folder)");
        return EXIT_ABORT;
    }
    if (zr_check_writable_dir(zr_cache_dir(), err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: the build cache is unusable (%s): stopping the bisection\n", err);
        return EXIT_ABORT;
    }
    struct zr_build_request r = { o->setup.build_script, source, zr_build_flavour_for(mode), NULL, false, "bisect" };
    struct zr_build build;
    if (zr_build_make(&r, &build, err, sizeof err) != 0) {
        fprintf(stderr, "bisect-step: this commit does not build (%s): skipped\n", err);
        return zr_interrupted() ? EXIT_ABORT : EXIT_SKIP;
    }
    json_t *env = zr_preflight(&o->setup, spec, m, &build, err, sizeof err);
    if (!env) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        zr_build_close(&build);
        return EXIT_ABORT;
    }
    json_decref(env);
    /* Judged as broken on every commit: does it reproduce here? (@fixed-in
     * is what the bisection is finding out, not something to apply.) */
    struct zr_case_spec as_broken = *spec;
    as_broken.fixed_in = NULL;
    as_broken.broken_since = NULL;
    struct zr_case_run runres;
    int attempts = o->attempts ? o->attempts : ZR_CELL_ATTEMPTS;
    zr_case_run(&o->setup, &as_broken, m, &build, attempts, false, NULL, NULL, &runres);
    int rc;
    const char *state;
    if (runres.status == ZR_HARNESS_ERROR || runres.status == ZR_INTERRUPTED || runres.status == ZR_SKIPPED) {
        fprintf(stderr, "bisect-step: %s: cannot judge this commit (%s): stopping the bisection\n", spec->id,
                runres.status_text);
        rc = EXIT_ABORT;
        state = "error";
    } else {
        bool reproduces = runres.status == ZR_HELD;
        state = reproduces ? "reproduces" : "clean";
        rc = reproduces == fix ? 0 : 1; /* 0: the old state */
    }
    printf("bisect-step %s: %s [%s on libzmq %s]: %s: %s -> %s\n", zr_build_field(&build, "identity"), spec->id,
           mode->name, zr_build_field(&build, "version"), state, runres.status_text,
           rc == 0 ? "old" : rc == 1 ? "new" : "abort");
    fflush(stdout);
    zr_case_run_free(&runres);
    zr_build_close(&build);
    return rc;
}

/* A private clone of the source with the bisection started between the two
 * revisions: 0, or -1 with the cause printed. */
static int start_bisection(const struct zr_options *o, const char *checkout, const char *log, const char *old_term,
                           const char *new_term)
{
    char *clone[] = { (char *)"/usr/bin/git", (char *)"clone", (char *)"--quiet", (char *)o->source, (char *)checkout,
                      NULL };
    fprintf(stderr, "bisect: cloning %s\n", o->source);
    if (run(clone, NULL, log, true) != 0) {
        /* git's own words: a bad URL, a missing folder, no network. */
        char *said = zr_read_file(log, NULL);
        char last[400];
        zr_last_line(said, last, sizeof last);
        free(said);
        fprintf(stderr, "zmq-repro: git clone %s failed%s%s\n", o->source, last[0] ? ": " : "", last);
        return -1;
    }
    char term_old[64], term_new[64];
    snprintf(term_old, sizeof term_old, "--term-old=%s", old_term);
    snprintf(term_new, sizeof term_new, "--term-new=%s", new_term);
    char *begin[] = { (char *)"/usr/bin/git", (char *)"bisect", (char *)"start", term_old, term_new, NULL };
    char *mark_old[] = { (char *)"/usr/bin/git", (char *)"bisect", (char *)old_term, (char *)o->from_rev, NULL };
    char *mark_new[] = { (char *)"/usr/bin/git", (char *)"bisect", (char *)new_term, (char *)o->to_rev, NULL };
    if (run(begin, checkout, log, true) != 0 || run(mark_old, checkout, log, true) != 0 ||
        run(mark_new, checkout, log, true) != 0) {
        fprintf(stderr, "zmq-repro: git bisect could not start with %s (%s) and %s (%s): are both revisions in %s?\n",
                o->from_rev, old_term, o->to_rev, new_term, o->source);
        return -1;
    }
    return 0;
}

/* Every step's line of git bisect run's log, printed and kept in steps (a JSON list). */
static void print_steps(const char *text, json_t *steps)
{
    for (const char *p = text; p && (p = strstr(p, "bisect-step ")); p++)
        if (p == text || p[-1] == '\n') {
            int n = (int)strcspn(p, "\n");
            char *line = zr_strdup_printf("%.*s", n, p);
            printf("  ");
            zr_fput_terminal(stdout, line);
            putchar('\n');
            json_array_append_new(steps, zr_json_text(line));
            free(line);
        }
}

/* Where the record goes: --json, else results/bisect/<case>-<mode>.json
 * (the case's id with every character a file name should not have made '-'). */
static char *record_path(const struct zr_options *o, const char *id, const char *mode)
{
    if (o->json_out)
        return zr_strdup_printf("%s", o->json_out);
    char *name = zr_strdup_printf("%s-%s", id, mode);
    for (char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
            *p = '-';
    char *dir = zr_strdup_printf("%s/results/bisect", o->setup.source_dir);
    zr_mkdirs(dir); /* a fresh clone has none; a failure is said by the check of the file */
    char *path = zr_strdup_printf("%s/%s.json", dir, name);
    free(dir);
    free(name);
    return path;
}

/* What git concluded, kept as the record `matrix --bisect` reads
 * (core/documents.c, kind "bisect"). "HASH DATE SUBJECT" is git show's line. */
static int write_record(const char *path, json_t *record, const char *shown)
{
    const char *date = shown ? strchr(shown, ' ') : NULL;
    const char *subject = date ? strchr(date + 1, ' ') : NULL;
    if (date && subject) {
        char *d = zr_strdup_printf("%.*s", (int)(subject - date - 1), date + 1);
        json_object_set_new(record, "date", zr_json_text(d));
        json_object_set_new(record, "subject", zr_json_text(subject + 1));
        free(d);
    }
    char stamp[32];
    zr_utc_stamp(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ");
    json_object_set_new(record, "finished_at", json_string(stamp));
    json_object_set_new(record, "host", zr_json_text(zr_host_name()));
    char err[1024];
    if (zr_write_json_atomically(path, record, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: the record of the bisection: %s\n", err);
        return -1;
    }
    printf("  record: %s\n", path);
    return 0;
}

/* git's conclusion: the first new commit, with its date and subject, said
 * and written to the record. The exit status. */
static int conclude(const char *text, int status, const char *new_term, const char *checkout, const char *workdir,
                    json_t *record, const char *path, double start)
{
    char needle[64];
    snprintf(needle, sizeof needle, " is the first %s commit", new_term);
    const char *found = text ? strstr(text, needle) : NULL;
    if (!found || status != 0) {
        fprintf(stderr, "zmq-repro: the bisection found no commit (git bisect run exited %d); its log:\n%s\n", status,
                text ? text : "");
        return ZR_EXIT_USAGE;
    }
    const char *line = found;
    while (line > text && line[-1] != '\n')
        line--;
    char *commit = zr_strdup_printf("%.*s", (int)(found - line), line);
    char *show[] = { (char *)"/usr/bin/git", (char *)"show", (char *)"-s", (char *)"--format=%H %ad %s",
                     (char *)"--date=short", commit, NULL };
    char *shown = git_output(checkout, show, workdir);
    double seconds = zr_now() - start;
    /* The commit's subject is the repository's text, which may hold anything: no terminal control reaches the terminal. */
    printf("first %s commit: ", new_term);
    zr_fput_terminal(stdout, commit);
    printf("\n  ");
    zr_fput_terminal(stdout, shown ? shown : "");
    printf("\n  %zu steps in %.1f minutes\n", json_array_size(json_object_get(record, "steps")), seconds / 60);
    json_object_set_new(record, "commit", zr_json_text(commit));
    json_object_set_new(record, "wall_s", json_integer((json_int_t)round(seconds)));
    int rc = write_record(path, record, shown) == 0 ? ZR_EXIT_HELD : ZR_EXIT_USAGE;
    free(shown);
    free(commit);
    return rc;
}

/* git bisect run with bisect-step on each commit, then git's conclusion said. The exit status. */
static int run_bisection(const struct zr_options *o, const struct zr_case_spec *spec, bool fix, const char *checkout,
                         const char *workdir, const char *old_term, const char *new_term, const char *path,
                         double start)
{
    char attempts[16];
    snprintf(attempts, sizeof attempts, "%d", o->attempts ? o->attempts : ZR_CELL_ATTEMPTS);
    const char *mode = o->nmodes ? o->modes[0]->name : "stress";
    /* git bisect run, then the runner's own step, given the case or the same program. */
    char *options[] = { (char *)"-m", (char *)mode, (char *)"-n", attempts, (char *)"--looking-for",
                        (char *)(fix ? "fix" : "regression"), (char *)"--python",
                        o->setup.python_build ? o->setup.python_build->prefix : (char *)o->setup.python, NULL };
    char numbers[64];
    char **child = zr_case_child_argv(spec, "bisect-step", options, numbers, sizeof numbers);
    int nchild = 0;
    while (child[nchild])
        nchild++;
    char **step = calloc((size_t)nchild + 4, sizeof *step);
    step[0] = (char *)"/usr/bin/git";
    step[1] = (char *)"bisect";
    step[2] = (char *)"run";
    memcpy(step + 3, child, (size_t)nchild * sizeof *step);
    free(child);
    fprintf(stderr, "bisect: %s from %s (%s) to %s (%s), %s mode, %s attempts a step\n", spec->id, o->from_rev,
            old_term, o->to_rev, new_term, mode, attempts);
    char *runlog = zr_strdup_printf("%s/run.log", workdir);
    int status = run(step, checkout, runlog, false);
    free(step);
    char *text = zr_read_file(runlog, NULL);
    json_t *record = json_pack("{s:s, s:i, s:o, s:s, s:s, s:o, s:o, s:o, s:i}", "kind", "bisect", "schema", 1, "case",
                               zr_json_text(spec->id), "mode", mode, "looking_for", fix ? "fix" : "regression", "from",
                               zr_json_text(o->from_rev), "to", zr_json_text(o->to_rev), "source",
                               zr_json_text(o->source), "attempts", atoi(attempts));
    json_t *steps = json_array();
    print_steps(text, steps);
    json_object_set_new(record, "steps", steps);
    int rc = conclude(text, status, new_term, checkout, workdir, record, path, start);
    json_decref(record);
    free(text);
    free(runlog);
    return rc;
}

int zr_cmd_bisect(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    char err[1024] = "";
    bool fix = looking_for_fix(o, err, sizeof err);
    if (err[0] || nargs != 1 || !o->source || !o->from_rev || !o->to_rev) {
        fprintf(stderr, "zmq-repro: %s\n",
                err[0] ? err
                       : "bisect takes one CASE, --source (a libzmq git folder, bundle or URL), --from OLD-REV and "
                         "--to NEW-REV; --looking-for fix|regression (default regression)");
        return ZR_EXIT_USAGE;
    }
    if (!strcmp(o->from_rev, o->to_rev)) {
        fprintf(stderr, "zmq-repro: bisect: --from and --to are both %s: name the last revision known %s and the "
                        "first known %s\n",
                o->from_rev, fix ? "broken" : "good", fix ? "fixed" : "bad");
        return ZR_EXIT_USAGE;
    }
    const struct zr_case_spec *spec = zr_catalog_find(cat, args[0]);
    if (!spec || spec->error) {
        fprintf(stderr, "zmq-repro: %s\n", spec ? spec->error : "no such case (see `zmq-repro list`)");
        return ZR_EXIT_USAGE;
    }
    const char *old_term = fix ? "broken" : "good", *new_term = fix ? "fixed" : "bad";
    /* The record's place is checked before the minutes of building commits, not after. */
    char *path = record_path(o, spec->id, o->nmodes ? o->modes[0]->name : "stress");
    if (zr_check_writable_file(path, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: bisect: %s: name another file with --json\n", err);
        free(path);
        return ZR_EXIT_USAGE;
    }
    char *workdir = zr_make_workdir("bisect", err, sizeof err);
    if (!workdir) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        free(path);
        return ZR_EXIT_USAGE;
    }
    double start = zr_now();
    char *checkout = zr_strdup_printf("%s/libzmq", workdir), *log = zr_strdup_printf("%s/bisect.log", workdir);
    int rc = ZR_EXIT_USAGE;
    if (start_bisection(o, checkout, log, old_term, new_term) == 0) {
        rc = run_bisection(o, spec, fix, checkout, workdir, old_term, new_term, path, start);
        char *reset[] = { (char *)"/usr/bin/git", (char *)"bisect", (char *)"reset", (char *)"--quiet", NULL };
        run(reset, checkout, log, false);
    }
    free(checkout);
    free(log);
    free(path);
    zr_remove_tree(workdir);
    if (zr_interrupted())
        return zr_interrupted_exit_code();
    return rc;
}
