/* zmq-repro check: a user's own program under the same watchdog, stack
 * capture, sanitizer set-up and classification as a case, on a chosen libzmq
 * build and mode, judged by an expectation given on the command line. The
 * program is a C or C++ source (built here with the mode's flags), a Python
 * script, or a prebuilt program. With --suite, a whole test suite (ctest,
 * pytest) runs under the build, its exit status passes through, and its
 * TSan reports are summed up by racing frame pair. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "case_run.h"
#include "check.h"
#include "client.h"
#include "compile.h"
#include "config.h"
#include "defaults.h"
#include "environment.h"
#include "files.h"
#include "outcomes.h"
#include "process.h"
#include "program_case.h"
#include "stacks.h"
#include "text.h"
#include "tsan_report.h"
#include "verdict_text.h"

enum program_kind { PROGRAM_C, PROGRAM_CXX, PROGRAM_PYTHON, PROGRAM_BINARY };

static enum program_kind kind_of(const char *path)
{
    if (zr_name_has_suffix(path, ".c"))
        return PROGRAM_C;
    if (zr_source_is_cxx(path))
        return PROGRAM_CXX;
    if (zr_name_has_suffix(path, ".py"))
        return PROGRAM_PYTHON;
    return PROGRAM_BINARY;
}

/* The program built with the mode's flags, in the check's folder. */
static char *compile(const struct zr_mode *mode, const char *source, const char *workdir, char *err, size_t errlen)
{
    const char *base = strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
    char *out = zr_strdup_printf("%s/%s-%s", workdir, base, mode->flavour->name);
    if (zr_compile("check", mode->flavour, source, out, err, errlen) != 0) {
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
    if (zr_expect_parse_option(text, list, err, errlen) != 0)
        return -1;
    spec->modes[mode].enabled = true;
    /* Expecting clean runs is a fixed pattern's check; expecting a failure, a reproduction's. */
    spec->variant = zr_outcome_is_clean(list->items[0].outcome) ? ZR_VARIANT_FIXED : ZR_VARIANT_BROKEN;
    return 0;
}

struct check_target {
    enum program_kind kind;
    char *path; /* the source, script or program */
    int argc;
    char **argv; /* its arguments */
};

/* The result document of a check: a run's, with the command and the server. */
static void write_result(const struct zr_options *o, const struct check_target *t, const struct zr_case_run *run,
                         json_t *python)
{
    char err[1024];
    json_t *env = json_object();
    json_object_set_new(env, "host", zr_host_json());
    if (python)
        json_object_set(env, "python", python);
    json_t *doc = zr_case_run_json(run, env);
    json_object_set_new(doc, "kind", json_string("check"));
    json_t *cmd = json_array();
    json_array_append_new(cmd, zr_json_text(t->path));
    for (int i = 0; i < t->argc; i++)
        json_array_append_new(cmd, zr_json_text(t->argv[i]));
    json_object_set_new(doc, "command", cmd);
    json_object_set_new(doc, "server", json_string(o->server_mode));
    json_object_set_new(doc, "done_contract", json_boolean(o->done));
    char path[2048], stem[512];
    snprintf(stem, sizeof stem, "check-%s-%s-%s", run->spec->name, zr_modes[run->mode].name, run->build->name);
    if (zr_write_result(o->results_dir, stem, doc, path, sizeof path, err, sizeof err) == 0)
        printf("  result: %s\n", path);
    else
        printf("  result not written: %s\n", err);
    json_decref(doc);
    json_decref(env);
}

/* The check's own spec: the program as a case named check/<file>, with the
 * expectation of --expect. -1 with the cause in err. */
static int check_spec(const struct zr_options *o, const struct check_target *t, int m, struct zr_case_spec *spec,
                      char *err, size_t errlen)
{
    memset(spec, 0, sizeof *spec);
    spec->path = zr_strdup_printf("%s", t->path);
    spec->name = zr_strdup_printf("%s", strrchr(t->path, '/') ? strrchr(t->path, '/') + 1 : t->path);
    spec->family = zr_strdup_printf("check");
    spec->users_program = true;
    spec->id = zr_strdup_printf("check/%s", spec->name);
    spec->language = t->kind == PROGRAM_PYTHON ? ZR_LANG_PYTHON : ZR_LANG_C;
    spec->server_mode = zr_strdup_printf("%s", o->server_mode);
    if (parse_expect(o->expect ? o->expect : "clean", spec, m, err, errlen) != 0)
        return -1;
    /* Every attempt must show it: the way a minimizer keeps a flaky failure honest. */
    if (o->every_attempt)
        spec->variant = ZR_VARIANT_FIXED;
    return 0;
}

/* The attempt of the program, built for the mode (program) with its arguments. */
static void check_attempt_spec(const struct zr_options *o, const struct check_target *t, const struct zr_mode *mode,
                               const struct zr_build *build, char *program, struct zr_attempt_spec *aspec)
{
    *aspec = (struct zr_attempt_spec){
        .mode = mode, .build = build, .server_mode = o->server_mode, .server_delay_ms = ZR_DEFAULT_SERVER_DELAY_MS,
        .timeout_s = o->timeout_s > 0 ? o->timeout_s : mode->default_timeout_s,
        .stall_s = o->stall_s >= 0 ? o->stall_s : ZR_DEFAULT_STALL_S,
        /* Judged by what it did; the cases' DONE contract only when asked for. */
        .judged_by_exit = !o->done,
    };
    aspec->program.python = t->kind == PROGRAM_PYTHON;
    aspec->program.keep_user_env = true;
    aspec->program.argc = t->argc + 1;
    aspec->program.argv = calloc((size_t)t->argc + 2, sizeof *aspec->program.argv);
    aspec->program.argv[0] = program;
    for (int i = 0; i < t->argc; i++)
        aspec->program.argv[i + 1] = t->argv[i];
}

/* The lines before the attempts: what runs, on what, expecting what. */
static void print_check_header(const struct zr_options *o, const struct check_target *t, const struct zr_mode *mode,
                               const struct zr_build *build, const struct zr_case_spec *spec, json_t *python)
{
    char err[1024];
    struct zr_judgement j = zr_case_judgement(spec, zr_mode_index(mode), NULL, NULL);
    char expected[512];
    zr_expectations_format(j.expect, expected, sizeof expected);
    printf("check %s [%s on %s, libzmq %s %s], expects %s%s%s\n", t->path, mode->name, build->name,
           zr_build_field(build, "version"), zr_build_instrumented(build) ? "instrumented" : "plain", expected,
           o->done ? " with DONE as its last line" : "",
           strcmp(o->server_mode, "none") ? "" : " (no server: the program brings its own peers)");
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
}

/* The program, ready to run in the mode: built, or the script with its
 * interpreter probed (*python). NULL with the cause in err. */
static char *ready_program(const struct zr_options *o, const struct check_target *t, const struct zr_mode *mode,
                           const struct zr_build *build, const char *workdir, json_t **python, char *err, size_t errlen)
{
    *python = NULL;
    char *program = t->kind == PROGRAM_C || t->kind == PROGRAM_CXX ? compile(mode, t->path, workdir, err, errlen)
                                                                    : zr_strdup_printf("%s", t->path);
    if (program && t->kind == PROGRAM_PYTHON) {
        *python = zr_python_probe(&o->setup, mode, build, err, errlen);
        if (!*python) {
            free(program);
            program = NULL;
        }
    }
    return program;
}

static int check_one(const struct zr_options *o, const struct check_target *t, const struct zr_mode *mode,
                     const struct zr_build *build, const char *workdir)
{
    char err[1024];
    int m = zr_mode_index(mode);
    if (zr_preflight_mode(&o->setup, mode, build, strcmp(o->server_mode, "none") != 0, err, sizeof err) != 0) {
        printf("ERROR check [%s on %s]: %s\n", mode->name, build->name, err);
        return ZR_EXIT_USAGE;
    }
    struct zr_case_spec spec;
    if (check_spec(o, t, m, &spec, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        zr_case_spec_free(&spec);
        return ZR_EXIT_USAGE;
    }
    json_t *python;
    char *program = ready_program(o, t, mode, build, workdir, &python, err, sizeof err);
    if (!program) {
        printf("ERROR check [%s on %s]: %s\n", mode->name, build->name, err);
        zr_case_spec_free(&spec);
        return ZR_EXIT_USAGE;
    }
    struct zr_attempt_spec aspec;
    check_attempt_spec(o, t, mode, build, program, &aspec);
    print_check_header(o, t, mode, build, &spec, python);

    struct zr_case_run run;
    zr_run_attempts(&o->setup, &aspec, &spec, m, o->attempts ? o->attempts : 1, o->keep_going,
                    o->quiet ? NULL : zr_print_attempt_line, NULL, &run);
    char *what = zr_strdup_printf("check %s", t->path);
    zr_print_verdict(&run, what);
    free(what);
    if (!o->no_results && run.n > 0)
        write_result(o, t, &run, python);
    if (!o->quiet)
        zr_print_report(&run);
    int rc = zr_exit_code_of(run.status);
    zr_case_run_free(&run);
    json_decref(python);
    free(aspec.program.argv);
    free(program);
    zr_case_spec_free(&spec);
    return rc;
}

/* --expect names a failure (a reproduction is sought), not clean runs. */
static bool expects_failure(const struct zr_options *o)
{
    struct zr_expect_list list = { 0 };
    char err[256];
    bool failure = zr_expect_parse_option(o->expect ? o->expect : "clean", &list, err, sizeof err) == 0 &&
                   !zr_outcome_is_clean(list.items[0].outcome);
    zr_expect_list_free(&list);
    return failure;
}

/* What one build showed, for the comparison across builds. */
struct build_verdict {
    char *name, *version;
    bool shows; /* the failure showed (a failure expected and reproduced, or clean expected and not clean) */
};

/* A check on several builds whose verdicts differ says so in one line, and
 * names the bisection that would find the commit. */
static void say_versions(const struct zr_options *o, const struct check_target *t, const struct zr_mode *mode,
                         const struct build_verdict *v, int n)
{
    int with = -1, without = -1;
    for (int i = 0; i < n; i++) {
        if (v[i].shows && (with < 0 || strverscmp(v[i].version, v[with].version) < 0))
            with = i;
        if (!v[i].shows && (without < 0 || strverscmp(v[i].version, v[without].version) < 0))
            without = i;
    }
    if (with < 0 || without < 0)
        return;
    bool fixed_later = strverscmp(v[with].version, v[without].version) < 0;
    printf("versions [%s]: the failure shows on %s (libzmq %s), not on %s (libzmq %s): libzmq's behaviour changed "
           "between these versions (%s). To find the commit:\n  zmq-repro bisect --source LIBZMQ_GIT --from v%s --to "
           "v%s --looking-for %s -m %s%s%s",
           mode->name, v[with].name, v[with].version, v[without].name, v[without].version,
           fixed_later ? "fixed in the later one" : "a regression in the later one",
           fixed_later ? v[with].version : v[without].version, fixed_later ? v[without].version : v[with].version,
           fixed_later ? "fix" : "regression", mode->name, o->expect ? " --expect " : "", "");
    if (o->expect)
        zr_fput_sh_word(stdout, o->expect);
    if (strcmp(o->server_mode, "none"))
        printf(" --server %s", o->server_mode);
    printf(" -- ");
    zr_fput_sh_word(stdout, t->path);
    for (int i = 0; i < t->argc; i++) {
        putchar(' ');
        zr_fput_sh_word(stdout, t->argv[i]);
    }
    printf("\n");
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
    struct check_target t = { kind_of(args[0]), zr_user_program_path(args[0]), nargs - 1, args + 1 };
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
        struct build_verdict verdicts[ZR_MAX_BUILDS];
        int nv = 0;
        for (int b = 0; b < nb; b++) {
            if (!zr_interrupted()) {
                int rc = check_one(o, &t, mode, &builds[b], workdir);
                worst = zr_worse_exit(worst, rc);
                if (rc == ZR_EXIT_HELD || rc == ZR_EXIT_NOT_HELD)
                    verdicts[nv++] = (struct build_verdict){
                        zr_strdup_printf("%s", builds[b].name), zr_strdup_printf("%s", zr_build_field(&builds[b], "version")),
                        (rc == ZR_EXIT_HELD) == expects_failure(o),
                    };
            }
            zr_build_close(&builds[b]);
        }
        say_versions(o, &t, mode, verdicts, nv);
        for (int v = 0; v < nv; v++) {
            free(verdicts[v].name);
            free(verdicts[v].version);
        }
    }
    zr_remove_tree(workdir);
    free(t.path);
    if (zr_interrupted())
        return zr_interrupted_exit_code();
    return worst;
}
