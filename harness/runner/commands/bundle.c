/* zmq-repro bundle: a standalone reproduction to file upstream. A folder
 * and a .tar.gz that need nothing of this repository: the client's source
 * and the ROUTER server's as plain files that build with one cc line each,
 * run.sh (builds, runs N times with a timeout, prints what it saw and how
 * often), ISSUE.md in the shape of libzmq's issue template (and pyzmq's
 * fields for Python) holding the real report of the run that made the
 * bundle and the rate measured here, and that report in full.
 *
 * From a case (run here, N attempts) or from the result file of a `check`
 * or `run` (its attempts and report are used as they are). run.sh is
 * written by render/run_sh.c, ISSUE.md by render/issue_md.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"
#include "bundle_content.h"
#include "case_run.h"
#include "compile.h"
#include "documents.h"
#include "environment.h"
#include "figures.h"
#include "files.h"
#include "issue_md.h"
#include "outcomes.h"
#include "process.h"
#include "run_sh.h"
#include "text.h"

/* The outcomes of an expectation as run.sh's classes. */
static char *classes_of(const struct zr_expect_list *list)
{
    char *out = zr_strdup_printf("%s", "");
    for (int i = 0; i < list->n; i++) {
        const struct zr_outcome *o = zr_outcome_find(list->items[i].outcome);
        const char *class = o ? o->bundle_class : NULL;
        if (class && !strstr(out, class)) {
            char *more = zr_strdup_printf("%s%s%s", out, *out ? " " : "", class);
            free(out);
            out = more;
        }
    }
    return out;
}

/* --- Writing the folder. --- */

/* The files the bundle wrote, by name in its folder: the tarball holds
 * these and nothing else. */
#define BUNDLE_MAX_FILES 32
struct written {
    const char *names[BUNDLE_MAX_FILES];
    int n;
};

static void wrote(struct written *w, const char *name)
{
    if (w->n < BUNDLE_MAX_FILES)
        w->names[w->n++] = name;
}

static int copy_into(const char *from, const char *dir, const char *name, struct written *w, char *err,
                     size_t errlen)
{
    char *to = zr_strdup_printf("%s/%s", dir, name);
    int rc = zr_copy_file(from, to, err, errlen);
    free(to);
    if (rc == 0)
        wrote(w, name);
    return rc;
}

/* The bundle's folder and tarball must be new (or an empty folder): a
 * folder of the user's, with their own run.sh or notes, is neither
 * overwritten nor packed for upstream. */
static int target_is_free(const char *out_dir, const char *name, char *err, size_t errlen)
{
    char *dir = zr_strdup_printf("%s/%s", out_dir, name), *tarball = zr_strdup_printf("%s.tar.gz", dir);
    struct stat st;
    int rc = 0;
    if (lstat(dir, &st) == 0 && (!S_ISDIR(st.st_mode) || zr_dir_has_entries(dir))) {
        snprintf(err, errlen, "%s already exists and is not an empty folder: nothing written (bundle into another "
                              "folder with -o, or remove it)", dir);
        rc = -1;
    } else if (lstat(tarball, &st) == 0) {
        snprintf(err, errlen, "%s already exists: nothing written (bundle into another folder with -o, or remove it)",
                 tarball);
        rc = -1;
    }
    free(dir);
    free(tarball);
    return rc;
}

static int write_text(const char *dir, const char *name, const char *a, const char *b, struct written *w)
{
    char *path = zr_strdup_printf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    free(path);
    if (!f || fprintf(f, "%s\n\n%s", a, b) < 0 || fclose(f) != 0)
        return -1;
    wrote(w, name);
    return 0;
}

/* name.tar.gz beside the folder, holding exactly the files the bundle wrote. */
static int pack(const char *out_dir, const char *name, const struct written *w, char *err, size_t errlen)
{
    char *tarball = zr_strdup_printf("%s/%s.tar.gz", out_dir, name);
    char *argv[8 + BUNDLE_MAX_FILES];
    char *members[BUNDLE_MAX_FILES];
    int n = 0;
    argv[n++] = (char *)"/bin/tar";
    argv[n++] = (char *)"-czf";
    argv[n++] = tarball;
    argv[n++] = (char *)"-C";
    argv[n++] = (char *)out_dir;
    argv[n++] = (char *)"--"; /* a member named -x is no option */
    for (int i = 0; i < w->n; i++)
        argv[n++] = members[i] = zr_strdup_printf("%s/%s", name, w->names[i]);
    argv[n] = NULL;
    struct zr_spawn s = { .argv = argv, .out = ZR_OUTPUT_NULL, .err = ZR_OUTPUT_FD(2) };
    int status = zr_run_to_end(&s, 600, err, errlen);
    if (status > 0)
        snprintf(err, errlen, "tar failed on %s/%s", out_dir, name);
    for (int i = 0; i < w->n; i++)
        free(members[i]);
    free(tarball);
    return status == 0 ? 0 : -1;
}

/* Perturb mode: the interposer's sources, in perturb/ (the names stay
 * valid: they are the table's own strings). */
static int copy_perturb_sources(const struct zr_setup *setup, const char *dir, struct written *w, char *err,
                                size_t errlen)
{
    static char names[BUNDLE_MAX_FILES][64];
    char *sub = zr_strdup_printf("%s/perturb", dir);
    int rc = zr_mkdirs(sub);
    if (rc != 0)
        snprintf(err, errlen, "cannot create %s: %s", sub, strerror(errno));
    free(sub);
    for (int i = 0; rc == 0 && zr_bundle_perturb_files[i]; i++) {
        char *from = zr_strdup_printf("%s/harness/owner/%s", setup->source_dir, zr_bundle_perturb_files[i]);
        snprintf(names[i], sizeof names[i], "perturb/%s", zr_bundle_perturb_files[i]);
        rc = copy_into(from, dir, names[i], w, err, errlen);
        free(from);
    }
    return rc;
}

static int write_bundle(const struct zr_bundle *b, const struct zr_setup *setup, const char *out_dir, char *err,
                        size_t errlen)
{
    char *dir = zr_strdup_printf("%s/%s", out_dir, b->name);
    struct written w = { .n = 0 };
    int rc = -1;
    if (target_is_free(out_dir, b->name, err, errlen) != 0)
        goto out;
    if (zr_mkdirs(dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        goto out;
    }
    if (copy_into(b->client_path, dir, zr_bundle_file_name(b->client_path), &w, err, errlen) != 0)
        goto out;
    if (b->pymodule_path && copy_into(b->pymodule_path, dir, zr_bundle_file_name(b->pymodule_path), &w, err, errlen) != 0)
        goto out;
    if (b->mode->perturb && copy_perturb_sources(setup, dir, &w, err, errlen) != 0)
        goto out;
    if (zr_bundle_has_server(b)) {
        char *server = zr_strdup_printf("%s/harness/server/router_server.c", setup->source_dir);
        char *stats = zr_strdup_printf("%s/harness/server/server_stats.h", setup->source_dir);
        int c = copy_into(server, dir, "router_server.c", &w, err, errlen) ||
                copy_into(stats, dir, "server_stats.h", &w, err, errlen);
        free(server);
        free(stats);
        if (c)
            goto out;
    }
    if (write_text(dir, "report.txt", b->verdict, b->report ? b->report : "", &w) != 0) {
        snprintf(err, errlen, "cannot write report.txt in %s", dir);
        goto out;
    }
    if (zr_write_run_sh(b, dir) != 0 || zr_write_issue_md(b, setup, dir) != 0) {
        snprintf(err, errlen, "cannot write run.sh or ISSUE.md in %s", dir);
        goto out;
    }
    wrote(&w, "run.sh");
    wrote(&w, "ISSUE.md");
    if (pack(out_dir, b->name, &w, err, errlen) == 0) {
        printf("bundle: ");
        zr_fput_terminal(stdout, dir);
        printf("/\n        ");
        zr_fput_terminal(stdout, dir);
        printf(".tar.gz\n");
        rc = 0;
    }
out:
    free(dir);
    return rc;
}

/* The harness's diagnosis; for a user's program, whether it says the
 * failure is the program's own (the bundle then explains the usage error;
 * a case of this repository is a maintained reproduction, filed as one). */
static void set_diagnosis(struct zr_bundle *b, const char *diagnosis, bool users_program)
{
    b->diagnosis = diagnosis ? zr_utf8_sanitize(diagnosis, strlen(diagnosis)) : NULL;
    b->usage_error = users_program && diagnosis && !strncmp(diagnosis, "your program", strlen("your program"));
}

/* --- From a case: run it here. --- */

/* The owner mode's reports are the checker's, not libzmq's: nothing to file. */
static bool bundle_can_carry(const struct zr_mode *mode)
{
    return mode->perturb || !(mode->preload & ZR_PRELOAD_OWNER_CHECKER);
}

/* The mode a bundle of the case carries: -m's, else the symptom users see
 * (stress when the case has it, else tsan). NULL with err when the case
 * cannot be bundled in it. */
static const struct zr_mode *case_bundle_mode(const struct zr_options *o, const struct zr_case_spec *spec, char *err,
                                              size_t errlen)
{
    const struct zr_mode *mode = o->nmodes ? o->modes[0] : NULL;
    if (!mode) /* the symptom users see, when the case has it */
        mode = spec->modes[zr_mode_index(zr_mode_find("stress"))].enabled ? zr_mode_find("stress") : zr_mode_find("tsan");
    int m = zr_mode_index(mode);
    /* A bundle carries the client, the server, a sanitizer set-up and the
     * perturbation's interposer, not the ownership checker's reports. */
    if (!spec->modes[m].enabled || !bundle_can_carry(mode)) {
        snprintf(err, errlen, "%s has no %s mode a bundle can carry (tsan, stress or perturb)", spec->id, mode->name);
        return NULL;
    }
    if (spec->variant != ZR_VARIANT_BROKEN) {
        snprintf(err, errlen, "%s is a fixed case: a bundle reproduces a failure", spec->id);
        return NULL;
    }
    return mode;
}

/* The bundle of a case's run that reproduced, d its deciding attempt. */
static void fill_from_case_run(struct zr_bundle *b, const struct zr_options *o, const struct zr_case_spec *spec,
                               const struct zr_mode *mode, const struct zr_case_run *run, const struct zr_attempt *d,
                               json_t *figures, const struct zr_build *build, json_t *env)
{
    int m = zr_mode_index(mode);
    b->name = zr_strdup_printf("%s-%s-%s", spec->family, spec->name, mode->name);
    b->title = zr_strdup_printf("%s: %s %s (%s mode)", spec->id, d->verdict.outcome, d->verdict.symptom, mode->name);
    b->description = zr_case_header_prose(spec->path);
    b->client_path = zr_strdup_printf("%s", spec->path);
    b->python = spec->language == ZR_LANG_PYTHON;
    if (spec->pymodule)
        b->pymodule_path = zr_strdup_printf("%s/pyclients/ext/%s.c", o->setup.source_dir, spec->pymodule);
    b->server_mode = zr_strdup_printf("%s", spec->server_mode);
    b->server_delay_ms = spec->server_delay_ms;
    b->nargs = spec->modes[m].nargs;
    b->args = calloc((size_t)b->nargs + 1, sizeof *b->args);
    for (int i = 0; i < b->nargs; i++)
        b->args[i] = zr_strdup_printf("%s", spec->modes[m].args[i]);
    b->mode = mode;
    b->timeout_s = spec->modes[m].timeout_s;
    b->expected = classes_of(&spec->modes[m].expect);
    /* The client's own bytes: valid UTF-8 in ISSUE.md, whatever it printed. */
    char *verdict = zr_strdup_printf("%s %s", d->verdict.outcome, d->verdict.signature ? d->verdict.signature : "");
    b->verdict = zr_utf8_sanitize(verdict, strlen(verdict));
    free(verdict);
    b->report = d->verdict.report ? zr_utf8_sanitize(d->verdict.report, strlen(d->verdict.report)) : NULL;
    b->met = run->met;
    b->n = run->n;
    json_t *t = json_object_get(figures, "median_detect_s");
    b->median_detect_s = json_is_number(t) ? json_number_value(t) : -1;
    b->build = json_deep_copy(build->info);
    b->python_env = json_incref(json_object_get(env, "python"));
    b->endpoint_first = true;
    b->seed = d->seed;
    set_diagnosis(b, d->verdict.diagnosis, false);
}

static int bundle_case(const struct zr_options *o, const struct zr_case_spec *spec, const char *out, struct zr_bundle *b,
                       char *err, size_t errlen)
{
    const struct zr_mode *mode = case_bundle_mode(o, spec, err, errlen);
    if (!mode)
        return -1;
    int m = zr_mode_index(mode);
    /* Before the runs: the place must be free (its name is known already). */
    char *name = zr_strdup_printf("%s-%s-%s", spec->family, spec->name, mode->name);
    int free_place = target_is_free(out, name, err, errlen);
    free(name);
    if (free_place != 0)
        return -1;
    struct zr_build build;
    if (zr_builds_for_mode(o, mode, &build, 1, err, errlen) != 1) {
        if (!err[0])
            snprintf(err, errlen, "no build named with -b fits %s mode", mode->name);
        return -1;
    }
    json_t *env = zr_preflight(&o->setup, spec, m, &build, err, errlen);
    if (!env) {
        zr_build_close(&build);
        return -1;
    }
    int attempts = o->attempts ? o->attempts : 10;
    fprintf(stderr, "bundle: running %s [%s on %s] %d times\n", spec->id, mode->name, build.name, attempts);
    struct zr_case_run run;
    zr_case_run(&o->setup, spec, m, &build, attempts, true, NULL, NULL, &run);
    json_t *figures = zr_figures(&run);
    const struct zr_attempt *d = run.deciding >= 0 ? &run.attempts[run.deciding] : NULL;
    int rc = 0;
    if (run.status != ZR_HELD || !d) {
        snprintf(err, errlen, "%s did not reproduce here (%s): nothing to bundle", spec->id, run.status_text);
        rc = -1;
    } else
        fill_from_case_run(b, o, spec, mode, &run, d, figures, &build, env);
    json_decref(figures);
    json_decref(env);
    zr_case_run_free(&run);
    zr_build_close(&build);
    return rc;
}

/* --- From a result file of `check` or `run`. --- */

/* A source file or script, by the suffix of its file name (not a ".c"
 * anywhere in its path: tools.current/prog is a binary). */
static bool is_source(const char *file)
{
    static const char *const suffixes[] = { ".c", ".cc", ".cpp", ".cxx", ".py", NULL };
    for (int i = 0; suffixes[i]; i++)
        if (zr_name_has_suffix(file, suffixes[i]))
            return true;
    return false;
}

/* Text of an attempt that may be absent from an older result: never "(null)". */
static const char *text_or(json_t *o, const char *key, const char *otherwise)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : otherwise;
}

/* The fields of a result a bundle is made from, checked. */
struct result_fields {
    const char *kind, *file, *mode, *language, *judged_as;
    json_t *attempts;
    json_t *deciding; /* the attempt whose report proves it: the first with a report that is not CLEAN */
};

/* The result of a check or run, loaded and checked against its schema
 * (core/documents.c: every field read here is there, of its type), its
 * fields taken and the attempt that shows the failure found. NULL with the
 * field that does not hold named in err. */
static json_t *load_result(const char *path, struct result_fields *r, char *err, size_t errlen)
{
    json_t *doc = zr_document_load(path, ZR_DOCUMENT_RESULT, err, errlen);
    if (!doc)
        return NULL;
    r->kind = json_string_value(json_object_get(doc, "kind"));
    r->file = json_string_value(json_object_get(doc, "file"));
    r->mode = json_string_value(json_object_get(doc, "mode"));
    r->language = json_string_value(json_object_get(doc, "language"));
    r->judged_as = json_string_value(json_object_get(doc, "judged_as"));
    r->attempts = json_object_get(doc, "attempts");
    r->deciding = NULL;
    json_t *a;
    size_t i;
    /* The attempt that shows it: the first that is neither clean nor the harness's own. */
    json_array_foreach(r->attempts, i, a) {
        if (!r->deciding && zr_outcome_is_failure(json_string_value(json_object_get(a, "outcome"))))
            r->deciding = a;
    }
    return doc;
}

/* The result's expectations as run.sh's classes. */
static char *classes_of_result(json_t *expect)
{
    char *classes = zr_strdup_printf("%s", "");
    json_t *a;
    size_t i;
    json_array_foreach(expect, i, a) {
        const char *e = json_string_value(a);
        struct zr_expectation one = { zr_strdup_printf("%.*s", (int)strcspn(e, ":"), e), NULL };
        struct zr_expect_list list = { 1, &one };
        char *c = classes_of(&list);
        char *more = zr_strdup_printf("%s%s%s", classes, *classes && *c ? " " : "", c);
        free(classes);
        free(c);
        free(one.outcome);
        classes = more;
    }
    if (!*classes) {
        /* Expected clean: a failure of any kind is what the bundle shows. */
        free(classes);
        classes = zr_strdup_printf("tsan assert signal hang loss exit fatal-python");
    }
    return classes;
}

/* The client's command line after the program, as it was run: "{endpoint}"
 * where it took the server's endpoint (run.sh puts its own there). */
static void fill_args_from_command(struct zr_bundle *b, json_t *cmd)
{
    size_t ncmd = cmd ? json_array_size(cmd) : 0;
    b->args = calloc(ncmd + 1, sizeof *b->args);
    for (size_t k = 1; k < ncmd; k++) {
        const char *arg = json_string_value(json_array_get(cmd, k));
        if (arg)
            b->args[b->nargs++] = zr_strdup_printf("%s", arg);
    }
}

static void fill_from_result(struct zr_bundle *b, const struct zr_options *o, json_t *doc,
                             const struct result_fields *r, const struct zr_mode *m)
{
    json_t *d = r->deciding;
    const char *base = zr_bundle_file_name(r->file);
    b->name = zr_strdup_printf("%.*s-%s", (int)strcspn(base, "."), base, r->mode);
    b->title = zr_strdup_printf("%s: %s %s (%s mode)", base, text_or(d, "outcome", "?"), text_or(d, "symptom", ""),
                                r->mode);
    b->description = !strcmp(r->kind, "run") ? zr_case_header_prose(r->file)
                                             : zr_strdup_printf("A program of ours, run with `zmq-repro check`.");
    b->client_path = zr_strdup_printf("%s", r->file);
    b->python = !strcmp(r->language, "python");
    const char *server = json_string_value(json_object_get(doc, "server"));
    b->server_mode = zr_strdup_printf("%s", server ? server : "echo");
    b->server_delay_ms = 10;
    fill_args_from_command(b, json_object_get(doc, "command"));
    b->mode = m;
    b->timeout_s = o->timeout_s > 0 ? o->timeout_s : 10;
    b->cxx = zr_source_is_cxx(r->file);
    /* A check ran a user's program: as it was run, judged by what it did. */
    bool check = !strcmp(r->kind, "check");
    b->endpoint_first = !check;
    b->judged_by_exit = check && !json_is_true(json_object_get(doc, "done_contract"));
    /* What counts: the expected failures; after an expectation of clean runs,
     * the failure that was seen, never "anything but clean". */
    if (!strcmp(r->judged_as, "fixed")) {
        struct zr_expectation seen = { (char *)text_or(d, "outcome", "?"), NULL };
        struct zr_expect_list list = { 1, &seen };
        b->expected = classes_of(&list);
    } else
        b->expected = classes_of_result(json_object_get(doc, "expect"));
    json_t *diagnosis = json_object_get(d, "diagnosis");
    set_diagnosis(b,
                  json_is_string(diagnosis) ? json_string_value(diagnosis)
                                            : json_string_value(json_object_get(doc, "diagnosis")),
                  check);
    const char *signature = text_or(d, "signature", "");
    b->verdict = zr_strdup_printf("%s%s%s", text_or(d, "outcome", "?"), *signature ? " " : "", signature);
    b->report = zr_strdup_printf("%s", text_or(d, "report", ""));
    int met = (int)json_integer_value(json_object_get(doc, "attempts_meeting_expectation"));
    int run = (int)json_integer_value(json_object_get(doc, "attempts_run"));
    b->met = !strcmp(r->judged_as, "fixed") ? run - met : met;
    b->n = run;
    b->median_detect_s = -1;
    b->build = json_deep_copy(json_object_get(doc, "build"));
    b->python_env = json_incref(json_object_get(json_object_get(doc, "environment"), "python"));
}

static int bundle_result(const struct zr_options *o, const char *path, struct zr_bundle *b, char *err, size_t errlen)
{
    struct result_fields r;
    json_t *doc = load_result(path, &r, err, errlen);
    if (!doc)
        return -1;
    bool source = is_source(r.file);
    const struct zr_mode *m = zr_mode_find(r.mode);
    json_t *seed = r.deciding ? json_object_get(r.deciding, "seed") : NULL;
    bool seeded = json_is_integer(seed) && json_integer_value(seed) > 0;
    if (!r.deciding || !source || !m || !bundle_can_carry(m) || (m->perturb && !seeded)) {
        snprintf(err, errlen, "%s: %s", path,
                 !source       ? "the program is not a source file or script: a bundle carries source"
                 : !r.deciding ? "no attempt showed a failure: nothing to file"
                 : !m || !bundle_can_carry(m) ? "only tsan, stress and perturb results can be bundled"
                               : "the failing attempt has no seed (perturb mode): run it again to bundle it");
        json_decref(doc);
        return -1;
    }
    /* The result names the file that ran, with its sha256: a result from
     * elsewhere cannot make the bundle carry another file of this machine. */
    const char *want = json_string_value(json_object_get(doc, "file_sha256"));
    char *have = zr_file_sha256(r.file);
    if (!want || !have || strcmp(want, have)) {
        snprintf(err, errlen, "%s: %s", path,
                 !want   ? "the result does not say the sha256 of the file that ran (file_sha256): run it again to "
                           "bundle it"
                 : !have ? "the file that ran is not there any more"
                         : "the file the result names is not the one that ran (its sha256 differs): run it again to "
                           "bundle it");
        free(have);
        json_decref(doc);
        return -1;
    }
    free(have);
    fill_from_result(b, o, doc, &r, m);
    if (m->perturb)
        b->seed = (unsigned long long)json_integer_value(seed);
    json_decref(doc);
    return 0;
}

int zr_cmd_bundle(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    if (nargs != 1) {
        fprintf(stderr, "zmq-repro: bundle takes one CASE or the result JSON of a check or run\n");
        return ZR_EXIT_USAGE;
    }
    char err[1024] = "";
    const char *out = o->out_dir ? o->out_dir : "bundles";
    if (zr_check_writable_dir(out, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s: name another folder with --out\n", err);
        return ZR_EXIT_USAGE;
    }
    struct zr_bundle b;
    memset(&b, 0, sizeof b);
    const struct zr_case_spec *spec = zr_catalog_find(cat, args[0]);
    int rc;
    if (spec && !spec->error)
        rc = bundle_case(o, spec, out, &b, err, sizeof err);
    else if (zr_name_has_suffix(args[0], ".json"))
        rc = bundle_result(o, args[0], &b, err, sizeof err);
    else {
        snprintf(err, sizeof err, "%s", spec ? spec->error : "no such case or result file (see `zmq-repro list`)");
        rc = -1;
    }
    b.as_bug = o->as_bug;
    if (rc == 0)
        rc = write_bundle(&b, &o->setup, out, err, sizeof err);
    zr_bundle_free(&b);
    if (rc != 0) {
        fprintf(stderr, "zmq-repro: bundle: ");
        zr_fput_terminal(stderr, err);
        fputc('\n', stderr);
        return zr_interrupted() ? zr_interrupted_exit_code() : ZR_EXIT_USAGE;
    }
    return ZR_EXIT_HELD;
}
