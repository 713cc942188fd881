/* zmq-repro minimize CASE: a smaller C reproduction, made by C-Vise (Debian
 * package cvise). The interestingness test is `zmq-repro check` itself: the
 * candidate must compile and show the same classified symptom as the case
 * (for TSan: the report's kind and a racing access in the same libzmq
 * function) in every one of N runs, so that a flaky failure cannot pass by
 * luck. The result is checked again over more runs, and the shrink and the
 * time it took are reported. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "case_run.h"
#include "documents.h"
#include "environment.h"
#include "files.h"
#include "minimize.h"
#include "process.h"
#include "text.h"

#define VERIFY_RUNS 20
/* The share of the verification runs in which the result must still show
 * the symptom: C-Vise kept it because it showed it in every one of a few
 * runs, so a result below half of 20 passed by luck and is no reproduction. */
#define VERIFY_NEED_NUM 1
#define VERIFY_NEED_DEN 2

/* Lines with code on them: not blank, not only a comment. */
static int code_lines(const char *path)
{
    char *text = zr_read_file(path, NULL);
    int n = 0;
    bool in_comment = false;
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        bool code = false;
        for (char *p = line; *p; p++) {
            if (in_comment) {
                if (p[0] == '*' && p[1] == '/') {
                    in_comment = false;
                    p++;
                }
            } else if (p[0] == '/' && p[1] == '*') {
                in_comment = true;
                p++;
            } else if (p[0] == '/' && p[1] == '/') {
                break;
            } else if (!isspace((unsigned char)*p)) {
                code = true;
            }
        }
        n += code;
        line = next;
    }
    free(text);
    return n;
}


/* The check command line, without the program: the same in the
 * interestingness test and in the final verification. */
static void write_check(FILE *f, const char *self, const char *mode, const char *build, const char *server,
                        const char *expect, int runs, bool results)
{
    zr_fput_sh_word(f, self);
    fprintf(f, " check -m %s -b ", mode);
    zr_fput_sh_word(f, build);
    fprintf(f, " --server ");
    zr_fput_sh_word(f, server);
    fprintf(f, " --expect ");
    zr_fput_sh_word(f, expect);
    /* A case keeps its DONE contract (a LOSS is read from its DONE line). */
    fprintf(f, " --done --every-attempt -n %d -q -t ipc%s", runs, results ? "" : " --no-results");
}

/* The result holds only when it still shows the symptom in the required
 * share of the verification runs; the verification having run is not enough
 * (a result that showed it in 0 of 20 runs is no reproduction). */
static int verification_exit(int met, int runs)
{
    if (zr_share_reached(met, runs, VERIFY_NEED_NUM, VERIFY_NEED_DEN))
        return ZR_EXIT_HELD;
    if (met < 0)
        fprintf(stderr, "zmq-repro: minimize: the verification left no result: the result is not verified\n");
    else
        fprintf(stderr, "zmq-repro: minimize: the result shows the symptom in %d of %d runs, under the %d of %d "
                        "needed: it does not hold\n",
                met, runs, (runs * VERIFY_NEED_NUM + VERIFY_NEED_DEN - 1) / VERIFY_NEED_DEN, runs);
    return ZR_EXIT_NOT_HELD;
}

/* What is minimized and how it is checked: the case, its mode and build,
 * and the symptom the candidate must keep. */
struct minimize {
    const struct zr_case_spec *spec;
    const struct zr_mode *mode;
    int m;
    struct zr_build build;
    char *expect; /* check's --expect */
    const char *self;
};

/* A script running check on program: the interestingness test (its output
 * thrown away) or the verification (results kept, every attempt run with -k). */
static int write_check_script(const struct minimize *z, const char *path, const char *comment, int runs, bool verify,
                              const char *program)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "#!/bin/sh\n%sexec ", comment);
    write_check(f, z->self, z->mode->name, z->build.prefix, z->spec->server_mode, z->expect, runs, verify);
    fprintf(f, verify ? " -k -- " : " -- ");
    zr_fput_sh_word(f, program);
    fprintf(f, " '{endpoint}'");
    for (int i = 0; i < z->spec->modes[z->m].nargs; i++) {
        fputc(' ', f);
        zr_fput_sh_word(f, z->spec->modes[z->m].args[i]);
    }
    fprintf(f, verify ? "\n" : " >/dev/null 2>&1\n");
    fclose(f);
    if (!verify)
        chmod(path, 0755);
    return 0;
}

/* The case, C-Vise, the mode and the build: 0, or an exit status with the cause printed. */
static int open_target(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args,
                       struct minimize *z)
{
    char err[1024] = "";
    z->spec = nargs == 1 ? zr_catalog_find(cat, args[0]) : NULL;
    const struct zr_case_spec *spec = z->spec;
    if (!spec || spec->error || spec->language != ZR_LANG_C || spec->variant != ZR_VARIANT_BROKEN) {
        fprintf(stderr, "zmq-repro: minimize takes one broken C case (see `zmq-repro list -L broken -L c`)\n");
        return ZR_EXIT_USAGE;
    }
    if (access("/usr/bin/cvise", X_OK) != 0) {
        fprintf(stderr, "zmq-repro: C-Vise is not installed: apt-get install cvise\n");
        return ZR_EXIT_USAGE;
    }
    z->mode = o->nmodes ? o->modes[0] : zr_mode_find("tsan");
    z->m = zr_mode_index(z->mode);
    if (!spec->modes[z->m].enabled) {
        fprintf(stderr, "zmq-repro: %s has no %s mode\n", spec->id, z->mode->name);
        return ZR_EXIT_USAGE;
    }
    if (zr_builds_for_mode(o, z->mode, &z->build, 1, err, sizeof err) != 1) {
        fprintf(stderr, "zmq-repro: %s\n", err[0] ? err : "no build named with -b fits the mode");
        return ZR_EXIT_USAGE;
    }
    return 0;
}

/* The symptom as check's --expect. For TSan: the kind and the first racing
 * access inside libzmq; else the case's own words for it where it has some
 * (HANG:zmq_ctx_term), so that a candidate hanging anywhere else is not kept. */
static char *expectation_of(const struct zr_verdict *v, const struct zr_expect_list *list)
{
    if (v->tsan) {
        const struct zr_frame *top = NULL;
        for (int i = 0; i < v->tsan->naccesses && !top; i++) {
            const struct zr_frame *t = zr_stack_top(&v->tsan->accesses[i]);
            if (t && t->origin == ZR_FRAME_LIBZMQ)
                top = t;
        }
        return top ? zr_strdup_printf("TSAN:%s:%s", v->tsan->kind, top->func)
                   : zr_strdup_printf("TSAN:%s", v->tsan->kind);
    }
    const char *text = NULL;
    for (int i = 0; i < list->n && !text; i++)
        if (!strcmp(list->items[i].outcome, v->outcome) && list->items[i].text && v->signature &&
            strstr(v->signature, list->items[i].text))
            text = list->items[i].text;
    return text ? zr_strdup_printf("%s:%s", v->outcome, text) : zr_strdup_printf("%s", v->outcome);
}

/* The symptom to keep: the case's own, from a run here. 0, or NOT_HELD when it does not reproduce. */
static int find_symptom(const struct zr_options *o, struct minimize *z)
{
    struct zr_case_run first;
    zr_case_run(&o->setup, z->spec, z->m, &z->build, 5, false, NULL, NULL, &first);
    if (first.status != ZR_HELD) {
        fprintf(stderr, "zmq-repro: %s does not reproduce here (%s): nothing to minimize\n", z->spec->id,
                first.status_text);
        zr_case_run_free(&first);
        return ZR_EXIT_NOT_HELD;
    }
    z->expect = expectation_of(&first.attempts[first.deciding].verdict, &z->spec->modes[z->m].expect);
    zr_case_run_free(&first);
    return 0;
}

/* C-Vise on the candidate base in dir, with the test: 0 when it ended well;
 * else -1 with the cause printed. took: how long it ran. */
static int run_cvise(const struct zr_options *o, const char *dir, char *test, const char *base, double *took)
{
    char err[1024] = "";
    double start = zr_now();
    char jobs[16];
    snprintf(jobs, sizeof jobs, "%d", o->jobs > 0 ? o->jobs : 2);
    char *argv[] = { (char *)"/usr/bin/cvise", (char *)"--n", jobs, (char *)"--timeout", (char *)"120",
                     (char *)"--tidy", test, (char *)base, NULL }; /* C-Vise wants the file's name, in its folder */
    char *log = zr_strdup_printf("%s/cvise.log", dir);
    /* C-Vise kills the tests it no longer needs outright, so they cannot
     * tidy up: everything they (and C-Vise) make goes under our folder. */
    char *tmp = zr_strdup_printf("%s/tmp", dir);
    zr_mkdirs(tmp);
    struct zr_env cenv;
    zr_env_init(&cenv);
    zr_env_set(&cenv, "TMPDIR", tmp);
    struct zr_spawn s = { .argv = argv, .envp = cenv.vars, .cwd = dir, .out = ZR_OUTPUT_FILE(log),
                          .err = ZR_OUTPUT_FILE(log) };
    int status = zr_run_to_end(&s, 24 * 3600.0, err, sizeof err);
    zr_env_free(&cenv);
    free(tmp);
    *took = zr_now() - start;
    if (status != 0 && zr_interrupted())
        fprintf(stderr, "zmq-repro: minimize interrupted after %.1f minutes; nothing kept\n", *took / 60);
    else if (status != 0) {
        char *text = zr_read_file(log, NULL);
        char last[400];
        zr_last_line(text, last, sizeof last);
        fprintf(stderr, "zmq-repro: C-Vise failed: %s\n", last);
        free(text);
    }
    free(log);
    return status == 0 ? 0 : -1;
}

/* The result, checked again over more runs: in how many it still shows the
 * symptom (the check's own result says), or -1 when none was read. */
static int verify_result(const struct minimize *z, const char *dir, const char *result)
{
    char err[1024] = "";
    char *verify = zr_strdup_printf("%s/verify.sh", dir);
    write_check_script(z, verify, "", VERIFY_RUNS, true, result);
    char *vlog = zr_strdup_printf("%s/verify.log", dir);
    char *vresults = zr_strdup_printf("%s/verify-results", dir);
    char *vargv[] = { (char *)"/bin/sh", verify, NULL };
    struct zr_env venv;
    zr_env_init(&venv);
    zr_env_set(&venv, "ZR_RESULTS_DIR", vresults);
    struct zr_spawn vs = { .argv = vargv, .envp = venv.vars, .out = ZR_OUTPUT_FILE(vlog), .err = ZR_OUTPUT_FILE(vlog) };
    int met = -1;
    if (zr_run_to_end(&vs, 3600, err, sizeof err) >= 0) {
        char *path = zr_first_file_with_suffix(vresults, ".json");
        char derr[1024];
        json_t *doc = path ? zr_document_load(path, ZR_DOCUMENT_RESULT, derr, sizeof derr) : NULL;
        if (doc)
            met = (int)json_integer_value(json_object_get(doc, "attempts_meeting_expectation"));
        else if (path) {
            fprintf(stderr, "zmq-repro: minimize: ");
            zr_fput_terminal(stderr, derr);
            fputc('\n', stderr);
        }
        json_decref(doc);
        free(path);
    }
    zr_env_free(&venv);
    free(vresults);
    free(vlog);
    free(verify);
    return met;
}

/* C-Vise in dir on a copy of the case, then the result kept in out and
 * verified: the command's exit status. */
static int shrink(const struct zr_options *o, struct minimize *z, const char *dir, const char *out)
{
    char err[1024] = "";
    const struct zr_case_spec *spec = z->spec;
    const char *base = strrchr(spec->path, '/') + 1;
    char *candidate = zr_strdup_printf("%s/%s", dir, base), *test = zr_strdup_printf("%s/interesting.sh", dir);
    int rc = ZR_EXIT_USAGE, runs = o->attempts ? o->attempts : 3;
    char *comment = zr_strdup_printf("# C-Vise's interestingness test: 0 when %s still shows %s in every one of %d "
                                     "runs.\n", base, z->expect, runs);
    double took;
    if (zr_copy_file(spec->path, candidate, err, sizeof err) != 0)
        fprintf(stderr, "zmq-repro: %s\n", err);
    else if (write_check_script(z, test, comment, runs, false, base) == 0) {
        int before = code_lines(candidate);
        fprintf(stderr, "minimize: %s (%d lines of code), keeping %s in %d of %d runs [%s on %s]; C-Vise works in %s\n",
                spec->id, before, z->expect, runs, runs, z->mode->name, z->build.name, dir);
        if (run_cvise(o, dir, test, base, &took) == 0) {
            int after = code_lines(candidate);
            char *result = zr_strdup_printf("%s/%s", out, base);
            if (zr_copy_file(candidate, result, err, sizeof err) != 0)
                fprintf(stderr, "zmq-repro: cannot keep the result: %s\n", err);
            int met = verify_result(z, dir, result);
            char shown[32] = "?"; /* no result read: not a count */
            if (met >= 0)
                snprintf(shown, sizeof shown, "%d", met);
            printf("minimized %s: %d -> %d lines of code (%.0f%%) in %.1f minutes; the result shows %s in %s of %d "
                   "runs\n  %s\n", spec->id, before, after, 100.0 * after / (before ? before : 1), took / 60, z->expect,
                   shown, VERIFY_RUNS, result);
            rc = verification_exit(met, VERIFY_RUNS);
            free(result);
        }
    }
    free(comment);
    free(candidate);
    free(test);
    return rc;
}

int zr_cmd_minimize(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    char err[1024] = "";
    struct minimize z;
    memset(&z, 0, sizeof z);
    int rc = open_target(o, cat, nargs, args, &z);
    if (rc != 0)
        return rc;
    const char *out = o->out_dir ? o->out_dir : "minimized";
    if (zr_check_writable_dir(out, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s: name another folder with --out\n", err);
        zr_build_close(&z.build);
        return ZR_EXIT_USAGE;
    }
    if ((rc = find_symptom(o, &z)) != 0) {
        zr_build_close(&z.build);
        return rc;
    }
    z.self = zr_self_path();
    char *dir = zr_make_workdir("minimize", err, sizeof err);
    rc = shrink(o, &z, dir, out);
    free(z.expect);
    zr_remove_tree(dir);
    zr_build_close(&z.build);
    if (zr_interrupted())
        return zr_interrupted_exit_code();
    return rc;
}
