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

int zr_cmd_minimize(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    char err[1024] = "";
    const struct zr_case_spec *spec = nargs == 1 ? zr_catalog_find(cat, args[0]) : NULL;
    if (!spec || spec->error || spec->language != ZR_LANG_C || spec->variant != ZR_VARIANT_BROKEN) {
        fprintf(stderr, "zmq-repro: minimize takes one broken C case (see `zmq-repro list -L broken -L c`)\n");
        return ZR_EXIT_USAGE;
    }
    if (access("/usr/bin/cvise", X_OK) != 0) {
        fprintf(stderr, "zmq-repro: C-Vise is not installed: apt-get install cvise\n");
        return ZR_EXIT_USAGE;
    }
    const struct zr_mode *mode = o->nmodes ? o->modes[0] : zr_mode_find("tsan");
    int m = zr_mode_index(mode);
    if (!spec->modes[m].enabled) {
        fprintf(stderr, "zmq-repro: %s has no %s mode\n", spec->id, mode->name);
        return ZR_EXIT_USAGE;
    }
    struct zr_build build;
    if (zr_builds_for_mode(o, mode, &build, 1, err, sizeof err) != 1) {
        fprintf(stderr, "zmq-repro: %s\n", err[0] ? err : "no build named with -b fits the mode");
        return ZR_EXIT_USAGE;
    }
    const char *out = o->out_dir ? o->out_dir : "minimized";
    if (zr_check_writable_dir(out, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s: name another folder with --out\n", err);
        zr_build_close(&build);
        return ZR_EXIT_USAGE;
    }
    /* The symptom to keep: the case's own, from a run here. */
    struct zr_case_run first;
    zr_case_run(&o->setup, spec, m, &build, 5, false, NULL, NULL, &first);
    if (first.status != ZR_HELD) {
        fprintf(stderr, "zmq-repro: %s does not reproduce here (%s): nothing to minimize\n", spec->id, first.status_text);
        zr_case_run_free(&first);
        zr_build_close(&build);
        return ZR_EXIT_NOT_HELD;
    }
    const struct zr_verdict *v = &first.attempts[first.deciding].verdict;
    char *expect;
    if (v->tsan) {
        const struct zr_frame *top = NULL;
        for (int i = 0; i < v->tsan->naccesses && !top; i++) {
            const struct zr_frame *t = zr_stack_top(&v->tsan->accesses[i]);
            if (t && t->origin == ZR_FRAME_LIBZMQ)
                top = t;
        }
        expect = top ? zr_strdup_printf("TSAN:%s:%s", v->tsan->kind, top->func)
                     : zr_strdup_printf("TSAN:%s", v->tsan->kind);
    } else {
        /* The case's own words for it where it has some (HANG:zmq_ctx_term),
         * so that a candidate hanging anywhere else is not kept. */
        const struct zr_expect_list *list = &spec->modes[m].expect;
        const char *text = NULL;
        for (int i = 0; i < list->n && !text; i++)
            if (!strcmp(list->items[i].outcome, v->outcome) && list->items[i].text && v->signature &&
                strstr(v->signature, list->items[i].text))
                text = list->items[i].text;
        expect = text ? zr_strdup_printf("%s:%s", v->outcome, text) : zr_strdup_printf("%s", v->outcome);
    }
    zr_case_run_free(&first);

    char *dir = zr_make_workdir("minimize", err, sizeof err);
    const char *self = zr_self_path();
    const char *base = strrchr(spec->path, '/') + 1;
    char *candidate = zr_strdup_printf("%s/%s", dir, base), *test = zr_strdup_printf("%s/interesting.sh", dir);
    int rc = ZR_EXIT_USAGE;
    if (zr_copy_file(spec->path, candidate, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        goto out;
    }
    int runs = o->attempts ? o->attempts : 3;
    FILE *f = fopen(test, "w");
    if (!f)
        goto out;
    fprintf(f, "#!/bin/sh\n# C-Vise's interestingness test: 0 when %s still shows %s in every one of %d runs.\nexec ",
            base, expect, runs);
    write_check(f, self, mode->name, build.prefix, spec->server_mode, expect, runs, false);
    fprintf(f, " -- ");
    zr_fput_sh_word(f, base);
    fprintf(f, " '{endpoint}'");
    for (int i = 0; i < spec->modes[m].nargs; i++) {
        fputc(' ', f);
        zr_fput_sh_word(f, spec->modes[m].args[i]);
    }
    fprintf(f, " >/dev/null 2>&1\n");
    fclose(f);
    chmod(test, 0755);
    int before = code_lines(candidate);
    fprintf(stderr, "minimize: %s (%d lines of code), keeping %s in %d of %d runs [%s on %s]; C-Vise works in %s\n",
            spec->id, before, expect, runs, runs, mode->name, build.name, dir);
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
    double took = zr_now() - start;
    if (status != 0 && zr_interrupted()) {
        fprintf(stderr, "zmq-repro: minimize interrupted after %.1f minutes; nothing kept\n", took / 60);
        free(log);
        goto out;
    }
    if (status != 0) {
        char *text = zr_read_file(log, NULL);
        char last[400];
        zr_last_line(text, last, sizeof last);
        fprintf(stderr, "zmq-repro: C-Vise failed: %s\n", last);
        free(text);
        free(log);
        goto out;
    }
    free(log);
    int after = code_lines(candidate);
    char *result = zr_strdup_printf("%s/%s", out, base);
    if (zr_copy_file(candidate, result, err, sizeof err) != 0)
        fprintf(stderr, "zmq-repro: cannot keep the result: %s\n", err);
    /* The result, checked again over more runs: how often does it still reproduce? */
    char *verify = zr_strdup_printf("%s/verify.sh", dir);
    f = fopen(verify, "w");
    if (f) {
        fprintf(f, "#!/bin/sh\nexec ");
        write_check(f, self, mode->name, build.prefix, spec->server_mode, expect, VERIFY_RUNS, true);
        fprintf(f, " -k -- ");
        zr_fput_sh_word(f, result);
        fprintf(f, " '{endpoint}'");
        for (int i = 0; i < spec->modes[m].nargs; i++) {
            fputc(' ', f);
            zr_fput_sh_word(f, spec->modes[m].args[i]);
        }
        fprintf(f, "\n");
        fclose(f);
    }
    char *vlog = zr_strdup_printf("%s/verify.log", dir);
    char *vresults = zr_strdup_printf("%s/verify-results", dir);
    char *vargv[] = { (char *)"/bin/sh", verify, NULL };
    struct zr_env venv;
    zr_env_init(&venv);
    zr_env_set(&venv, "ZR_RESULTS_DIR", vresults);
    struct zr_spawn vs = { .argv = vargv, .envp = venv.vars, .out = ZR_OUTPUT_FILE(vlog), .err = ZR_OUTPUT_FILE(vlog) };
    int met = -1;
    if (zr_run_to_end(&vs, 3600, err, sizeof err) >= 0) {
        /* The check's own result: how many of its runs showed the symptom. */
        char *path = zr_first_file_with_suffix(vresults, ".json");
        json_error_t jerr;
        json_t *doc = path ? json_load_file(path, 0, &jerr) : NULL;
        if (doc)
            met = (int)json_integer_value(json_object_get(doc, "attempts_meeting_expectation"));
        json_decref(doc);
        free(path);
    }
    zr_env_free(&venv);
    free(vresults);
    char shown[32] = "?"; /* no result read: not a count */
    if (met >= 0)
        snprintf(shown, sizeof shown, "%d", met);
    printf("minimized %s: %d -> %d lines of code (%.0f%%) in %.1f minutes; the result shows %s in %s of %d runs\n"
           "  %s\n",
           spec->id, before, after, 100.0 * after / (before ? before : 1), took / 60, expect, shown, VERIFY_RUNS, result);
    rc = verification_exit(met, VERIFY_RUNS);
    free(vlog);
    free(verify);
    free(result);
out:
    free(candidate);
    free(test);
    free(expect);
    zr_remove_tree(dir);
    zr_build_close(&build);
    if (zr_interrupted())
        return zr_interrupted_exit_code();
    return rc;
}
