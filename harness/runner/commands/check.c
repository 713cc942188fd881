/* zmq-repro check: a user's own program under the same watchdog, stack
 * capture, sanitizer set-up and classification as a case, on a chosen libzmq
 * build and mode, judged by an expectation given on the command line. The
 * program is a C or C++ source (built here with the mode's flags), a Python
 * script, or a prebuilt program. With --suite, a whole test suite (ctest,
 * pytest) runs under the build, its exit status passes through, and its
 * TSan reports are summed up by racing frame pair. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "case_run.h"
#include "check.h"
#include "client.h"
#include "config.h"
#include "defaults.h"
#include "environment.h"
#include "files.h"
#include "outcomes.h"
#include "process.h"
#include "stacks.h"
#include "text.h"
#include "tsan_report.h"

enum program_kind { PROGRAM_C, PROGRAM_CXX, PROGRAM_PYTHON, PROGRAM_BINARY };

static bool ends_with(const char *s, const char *tail)
{
    size_t ls = strlen(s), lt = strlen(tail);
    return ls >= lt && !strcmp(s + ls - lt, tail);
}

static enum program_kind kind_of(const char *path)
{
    if (ends_with(path, ".c"))
        return PROGRAM_C;
    if (ends_with(path, ".cpp") || ends_with(path, ".cc") || ends_with(path, ".cxx"))
        return PROGRAM_CXX;
    if (ends_with(path, ".py"))
        return PROGRAM_PYTHON;
    return PROGRAM_BINARY;
}

/* The program's path: as given when it has a '/' or names a file here,
 * else from PATH. */
static char *find_program(const char *name)
{
    if (strchr(name, '/') || access(name, F_OK) == 0)
        return access(name, F_OK) == 0 ? realpath(name, NULL) : NULL;
    const char *path = getenv("PATH");
    char *copy = zr_strdup_printf("%s", path ? path : "/usr/bin:/bin");
    char *found = NULL;
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        char *candidate = zr_strdup_printf("%s/%s", dir, name);
        if (access(candidate, X_OK) == 0)
            found = candidate;
        else
            free(candidate);
    }
    free(copy);
    return found;
}

/* Compiles a C or C++ source with the mode's flags against libzmq.so.5 (no
 * RUNPATH: the run binds it to the build). The command is printed: it is the
 * one line a bundle's run.sh uses too. */
static char *compile(const struct zr_mode *mode, const char *source, enum program_kind kind, const char *workdir,
                     char *err, size_t errlen)
{
    char *out = zr_strdup_printf("%s/%s-%s", workdir, strrchr(source, '/') ? strrchr(source, '/') + 1 : source,
                                 mode->flavour->name);
    const char *cc = kind == PROGRAM_CXX ? "c++" : "cc";
    char *line = zr_strdup_printf("%s %s -o %s %s %s -lzmq -lpthread", cc, mode->flavour->cflags, out, source,
                                  mode->flavour->ldflags);
    fprintf(stderr, "check: %s\n", line);
    char *logpath = zr_strdup_printf("%s/compile.log", workdir);
    char *argv[] = { (char *)"/bin/sh", (char *)"-c", line, NULL };
    struct zr_spawn s = { .argv = argv, .out = ZR_OUTPUT_FILE(logpath), .err = ZR_OUTPUT_FD(2) };
    int status = zr_run_to_end(&s, 600, err, errlen);
    bool ok = status == 0;
    if (status > 0)
        snprintf(err, errlen, "%s does not compile (the compiler's message is above)", source);
    free(line);
    free(logpath);
    if (!ok) {
        free(out);
        return NULL;
    }
    return out;
}

/* The expectation of --expect: clean (every run CLEAN), hang, any-failure
 * (any failure outcome of the table), or OUTCOME[:TEXT] words read by the
 * case headers' own parser and rules. */
static int parse_expect(const char *text, struct zr_case_spec *spec, int mode, char *err, size_t errlen)
{
    struct zr_expect_list *list = &spec->modes[mode].expect;
    char *words_text;
    if (!strcmp(text, "clean"))
        words_text = zr_strdup_printf("CLEAN");
    else if (!strcmp(text, "hang"))
        words_text = zr_strdup_printf("HANG");
    else if (!strcmp(text, "any-failure")) {
        words_text = zr_strdup_printf("%s", "");
        for (int i = 0; i < zr_noutcomes; i++)
            if (zr_outcomes[i].kind == ZR_OUTCOME_FAILURE) {
                char *more = zr_strdup_printf("%s %s", words_text, zr_outcomes[i].name);
                free(words_text);
                words_text = more;
            }
    } else
        words_text = zr_strdup_printf("%s", text);
    int n = 0;
    char **words = zr_split_words_alloc(words_text, &n);
    int rc = zr_expect_parse_words(n, words, list, err, errlen);
    if (rc != 0) {
        char *why = zr_strdup_printf("%s", err);
        snprintf(err, errlen, "--expect '%s': %s (or clean, hang, any-failure)", text, why);
        free(why);
    }
    free(words);
    free(words_text);
    if (rc != 0)
        return -1;
    spec->modes[mode].enabled = true;
    /* Expecting clean runs is a fixed pattern's check; expecting a failure, a reproduction's. */
    spec->variant = zr_outcome_is_clean(list->items[0].outcome) ? ZR_VARIANT_FIXED : ZR_VARIANT_BROKEN;
    return 0;
}

static void print_attempt(const struct zr_case_run *run, const struct zr_attempt *a, void *user)
{
    (void)user;
    printf("  attempt %d/%d: %s%s%s (%.2f s)\n", run->n, run->max_attempts, a->verdict.outcome,
           a->verdict.signature[0] ? " " : "", a->verdict.signature, a->verdict_s);
    fflush(stdout);
}

static void print_indented(const char *text, const char *indent)
{
    for (const char *line = text; line && *line;) {
        size_t n = strcspn(line, "\n");
        printf("%s%.*s\n", indent, (int)n, line);
        line += n;
        if (*line)
            line++;
    }
}

struct check_target {
    enum program_kind kind;
    char *path; /* the source, script or program */
    int argc;
    char **argv; /* its arguments */
};

static int check_one(const struct zr_options *o, const struct check_target *t, const struct zr_mode *mode,
                     const struct zr_build *build, const char *workdir)
{
    char err[1024];
    int m = zr_mode_index(mode);
    bool with_server = strcmp(o->server_mode, "none") != 0;
    if (zr_preflight_mode(&o->setup, mode, build, with_server, err, sizeof err) != 0) {
        printf("ERROR check [%s on %s]: %s\n", mode->name, build->name, err);
        return ZR_EXIT_USAGE;
    }
    struct zr_case_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.path = zr_strdup_printf("%s", t->path);
    spec.name = zr_strdup_printf("%s", strrchr(t->path, '/') ? strrchr(t->path, '/') + 1 : t->path);
    spec.family = zr_strdup_printf("check");
    spec.id = zr_strdup_printf("check/%s", spec.name);
    spec.language = t->kind == PROGRAM_PYTHON ? ZR_LANG_PYTHON : ZR_LANG_C;
    spec.server_mode = zr_strdup_printf("%s", o->server_mode);
    if (parse_expect(o->expect ? o->expect : "clean", &spec, m, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        zr_case_spec_free(&spec);
        return ZR_EXIT_USAGE;
    }

    /* Every attempt must show it: the way a minimizer keeps a flaky failure honest. */
    if (o->every_attempt)
        spec.variant = ZR_VARIANT_FIXED;
    char *program = NULL;
    if (t->kind == PROGRAM_C || t->kind == PROGRAM_CXX) {
        program = compile(mode, t->path, t->kind, workdir, err, sizeof err);
        if (!program) {
            printf("ERROR check [%s on %s]: %s\n", mode->name, build->name, err);
            zr_case_spec_free(&spec);
            return ZR_EXIT_USAGE;
        }
    } else {
        program = zr_strdup_printf("%s", t->path);
    }
    json_t *python = NULL;
    if (t->kind == PROGRAM_PYTHON) {
        python = zr_python_probe(&o->setup, mode, build, err, sizeof err);
        if (!python) {
            printf("ERROR check [%s on %s]: %s\n", mode->name, build->name, err);
            free(program);
            zr_case_spec_free(&spec);
            return ZR_EXIT_USAGE;
        }
    }

    struct zr_attempt_spec aspec = {
        .mode = mode, .build = build, .server_mode = o->server_mode, .server_delay_ms = ZR_DEFAULT_SERVER_DELAY_MS,
        .timeout_s = o->timeout_s > 0 ? o->timeout_s : mode->default_timeout_s,
        .stall_s = o->stall_s >= 0 ? o->stall_s : ZR_DEFAULT_STALL_S,
    };
    aspec.program.python = t->kind == PROGRAM_PYTHON;
    aspec.program.keep_user_env = true;
    aspec.program.argc = t->argc + 1;
    aspec.program.argv = calloc((size_t)t->argc + 2, sizeof *aspec.program.argv);
    aspec.program.argv[0] = program;
    for (int i = 0; i < t->argc; i++)
        aspec.program.argv[i + 1] = t->argv[i];

    struct zr_judgement j = zr_case_judgement(&spec, m, NULL, NULL);
    char expected[512];
    zr_expectations_format(j.expect, expected, sizeof expected);
    printf("check %s [%s on %s, libzmq %s %s], expects %s%s\n", t->path, mode->name, build->name,
           zr_build_field(build, "version"), zr_build_instrumented(build) ? "instrumented" : "plain", expected,
           with_server ? "" : " (no server: the program brings its own peers)");
    if (python)
        printf("  python: %s %s, pyzmq %s\n", json_string_value(json_object_get(python, "executable")),
               json_string_value(json_object_get(python, "version")), json_string_value(json_object_get(python, "pyzmq")));
    if (t->kind == PROGRAM_BINARY && (mode->preload & ZR_PRELOAD_TSAN_RUNTIME))
        printf("  note: %s is prebuilt: TSan sees the races inside libzmq (instrumented), not those in the program's "
               "own uninstrumented code\n",
               t->path);
    if (zr_stack_tool_check(o->setup.stack_tool, err, sizeof err) != 0)
        printf("  note: %s\n", err);
    fflush(stdout);

    int attempts = o->attempts ? o->attempts : 1;
    struct zr_case_run run;
    zr_run_attempts(&o->setup, &aspec, &spec, m, attempts, o->keep_going, o->quiet ? NULL : print_attempt, NULL, &run);
    static const char *const words[] = { "PASS", "FAIL", "ERROR", "SKIP", "INTERRUPTED" };
    printf("%s check %s [%s on %s]: %s\n", words[run.status], t->path, mode->name, build->name, run.status_text);
    const struct zr_attempt *d = run.deciding >= 0 ? &run.attempts[run.deciding] : run.n ? &run.attempts[0] : NULL;
    if (d && d->loaded_path)
        printf("  loaded: %s (zmq_version %s)\n", d->loaded_path, d->loaded_version);
    if (d && d->verdict.diagnosis) {
        printf("  diagnosis: ");
        print_indented(d->verdict.diagnosis, "");
    }
    if (!o->no_results && run.n > 0) {
        json_t *env = json_object();
        json_object_set_new(env, "host", zr_host_json());
        if (python)
            json_object_set(env, "python", python);
        json_t *doc = zr_case_run_json(&run, env);
        json_object_set_new(doc, "kind", json_string("check"));
        json_t *cmd = json_array();
        json_array_append_new(cmd, json_string(t->path));
        for (int i = 0; i < t->argc; i++)
            json_array_append_new(cmd, json_string(t->argv[i]));
        json_object_set_new(doc, "command", cmd);
        json_object_set_new(doc, "server", json_string(o->server_mode));
        char path[2048], stem[512];
        snprintf(stem, sizeof stem, "check-%s-%s-%s", spec.name, mode->name, build->name);
        if (zr_write_result(o->results_dir, stem, doc, path, sizeof path, err, sizeof err) == 0)
            printf("  result: %s\n", path);
        else
            printf("  result not written: %s\n", err);
        json_decref(doc);
        json_decref(env);
    }
    if (!o->quiet && d && d->verdict.report && strcmp(d->verdict.outcome, "CLEAN")) {
        printf("  report of attempt %d:\n", (int)(d - run.attempts) + 1);
        print_indented(d->verdict.report, "    ");
    }
    fflush(stdout);
    int rc = run.status == ZR_HELD ? ZR_EXIT_HELD : run.status == ZR_NOT_HELD ? ZR_EXIT_NOT_HELD
             : run.status == ZR_SKIPPED ? ZR_EXIT_SKIPPED : ZR_EXIT_USAGE;
    zr_case_run_free(&run);
    json_decref(python);
    free(aspec.program.argv);
    free(program);
    zr_case_spec_free(&spec);
    return rc;
}

int zr_cmd_check(const struct zr_options *o, int nargs, char **args)
{
    if (nargs < 1) {
        fprintf(stderr, "zmq-repro: check needs a program: zmq-repro check [OPTIONS] -- PROGRAM [ARGS...] "
                        "(a .c/.cpp source, a .py script, or a program)\n");
        return ZR_EXIT_USAGE;
    }
    if (o->suite)
        return zr_check_suite(o, nargs, args);
    char err[1024];
    if (!o->no_results && zr_check_writable_dir(o->results_dir, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s: name another folder with --results, or --no-results\n", err);
        return ZR_EXIT_USAGE;
    }
    struct check_target t = { kind_of(args[0]), find_program(args[0]), nargs - 1, args + 1 };
    if (!t.path) {
        fprintf(stderr, "zmq-repro: check: no program %s (a path, or a name on PATH)\n", args[0]);
        return ZR_EXIT_USAGE;
    }
    char *workdir = zr_make_workdir("check", err, sizeof err);
    if (!workdir) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        free(t.path);
        return ZR_EXIT_USAGE;
    }
    int worst = ZR_EXIT_HELD;
    int nmodes = o->nmodes ? o->nmodes : 1;
    for (int i = 0; i < nmodes && !zr_interrupted(); i++) {
        const struct zr_mode *mode = o->nmodes ? o->modes[i] : zr_mode_find("tsan");
        struct zr_build builds[ZR_MAX_BUILDS];
        int nb = zr_builds_for_mode(o, mode, builds, ZR_MAX_BUILDS, err, sizeof err);
        if (nb < 0) {
            printf("ERROR check [%s]: %s\n", mode->name, err);
            worst = zr_worse_exit(worst, ZR_EXIT_USAGE);
            continue;
        }
        if (nb == 0) {
            printf("ERROR check [%s]: none of the builds named with -b can run in %s mode\n", mode->name, mode->name);
            worst = zr_worse_exit(worst, ZR_EXIT_USAGE);
        }
        for (int b = 0; b < nb; b++) {
            if (!zr_interrupted())
                worst = zr_worse_exit(worst, check_one(o, &t, mode, &builds[b], workdir));
            zr_build_close(&builds[b]);
        }
    }
    zr_remove_tree(workdir);
    free(t.path);
    if (zr_interrupted())
        return zr_interrupted_exit_code();
    return worst;
}
