#include "case_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "defaults.h"
#include "environment.h"
#include "files.h"
#include "outcomes.h"
#include "process.h"
#include "python_builds.h"
#include "text.h"

const char *zr_status_name(enum zr_status s)
{
    static const char *const names[] = { "held", "not held", "error", "skipped", "interrupted" };
    return names[s];
}

char *zr_case_program_path(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode)
{
    if (spec->language == ZR_LANG_PYTHON || (spec->program && !spec->program->compiled))
        return zr_strdup_printf("%s", spec->path);
    if (spec->program_dir)
        return zr_strdup_printf("%s/%s/%s", spec->program_dir, zr_modes[mode].flavour->name, spec->name);
    return zr_strdup_printf("%s/clients/%s/%s/%s", setup->build_dir, zr_modes[mode].flavour->name, spec->family,
                            spec->name);
}

void zr_case_attempt_spec(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode,
                          const struct zr_build *build, struct zr_attempt_spec *a)
{
    const struct zr_mode_spec *m = &spec->modes[mode];
    memset(a, 0, sizeof *a);
    a->mode = &zr_modes[mode];
    a->build = build;
    a->program.python = spec->language == ZR_LANG_PYTHON;
    /* A case: ENDPOINT then its @args. A user's program: its own arguments
     * ({endpoint} where it asks for it), its user's environment kept. */
    int nargs = spec->program ? spec->program->argc - 1 : m->nargs + 1;
    a->program.argv = calloc((size_t)nargs + 2, sizeof *a->program.argv);
    if (!a->program.argv) {
        fputs("zmq-repro: out of memory\n", stderr);
        exit(2);
    }
    a->program.argv[a->program.argc++] = zr_case_program_path(setup, spec, mode);
    if (spec->program) {
        for (int i = 1; i < spec->program->argc; i++)
            a->program.argv[a->program.argc++] = zr_strdup_printf("%s", spec->program->argv[i]);
        a->program.keep_user_env = true;
        a->judged_by_exit = true;
    } else {
        a->program.argv[a->program.argc++] = zr_strdup_printf("{endpoint}");
        for (int i = 0; i < m->nargs; i++)
            a->program.argv[a->program.argc++] = zr_strdup_printf("%s", m->args[i]);
    }
    if (spec->pymodule)
        a->program.pythonpath = zr_pyext_dir(setup, zr_modes[mode].flavour);
    a->server_mode = spec->server_mode;
    a->server_delay_ms = spec->server_delay_ms;
    a->timeout_s = m->timeout_s;
    a->stall_s = m->stall_s;
}

void zr_case_attempt_spec_free(struct zr_attempt_spec *a)
{
    for (int i = 0; i < a->program.argc; i++)
        free(a->program.argv[i]);
    free(a->program.argv);
    free((char *)a->program.pythonpath);
    memset(a, 0, sizeof *a);
}

static void summarise(struct zr_case_run *run)
{
    char expected[512];
    zr_expectations_format(run->judged.expect, expected, sizeof expected);
    const struct zr_attempt *d = run->deciding >= 0 ? &run->attempts[run->deciding] : NULL;
    const char *fixed_note = run->judged.fixed_upstream ? " (fixed upstream in " : "";
    char upstream[64] = "";
    if (run->judged.fixed_upstream)
        snprintf(upstream, sizeof upstream, "%s%s)", fixed_note, run->spec->fixed_in);
    else if (run->judged.predates_bug)
        snprintf(upstream, sizeof upstream, " (before the bug came in %s)", run->spec->broken_since);
    else if (run->judged.python_unaffected)
        snprintf(upstream, sizeof upstream, " (this Python cannot show the bug: @python-unaffected)");
    else if (run->judged.python_shows)
        snprintf(upstream, sizeof upstream, " (what this Python shows: @python-shows)");
    switch (run->status) {
    case ZR_INTERRUPTED:
        run->status_text = zr_strdup_printf("interrupted after %d attempts", run->n);
        break;
    case ZR_HARNESS_ERROR:
        run->status_text = zr_strdup_printf("harness error in attempt %d: %s", run->deciding + 1, d->verdict.signature);
        break;
    case ZR_SKIPPED:
        if (run->judged.version_unknown) {
            run->status_text = zr_strdup_printf("not judged: %s; the runs showed the bug in %d of %d attempts%s%s",
                                                run->judged.unknown_why, run->met, run->n, d ? ": " : "",
                                                d ? d->verdict.outcome : "");
            break;
        }
        run->status_text = zr_strdup_printf("cannot be judged here: %d of %d attempts hung but their stacks could not "
                                            "be taken (%s)",
                                            run->undecidable, run->n, d ? d->verdict.signature : "");
        break;
    case ZR_HELD:
        if (run->judged.as == ZR_VARIANT_BROKEN)
            run->status_text = zr_strdup_printf("reproduced in %d of %d attempts (first at %.2f s): %s %s", run->met,
                                                run->n, run->time_to_first_s, d->verdict.outcome, d->verdict.signature);
        else
            run->status_text = zr_strdup_printf("%s in %d of %d runs%s", expected, run->met, run->n, upstream);
        break;
    case ZR_NOT_HELD:
        if (run->judged.as == ZR_VARIANT_BROKEN)
            run->status_text = zr_strdup_printf("not reproduced in %d attempts (expected %s)", run->n, expected);
        else
            run->status_text = zr_strdup_printf("%s%s: %d of %d runs were not %s; run %d: %s %s",
                                                run->spec->users_program ? "NOT CLEAN"
                                                : run->spec->variant == ZR_VARIANT_FIXED || run->judged.fixed_upstream ||
                                                        run->judged.python_unaffected
                                                    ? "NOT FIXED"
                                                    : "NOT HELD",
                                                upstream, run->n - run->met, run->n, expected, run->deciding + 1,
                                                d->verdict.outcome, d->verdict.signature);
        break;
    }
}

void zr_case_run(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode, const struct zr_build *build,
                 int max_attempts, bool keep_going, zr_progress_fn progress, void *user, struct zr_case_run *run)
{
    struct zr_attempt_spec aspec;
    zr_case_attempt_spec(setup, spec, mode, build, &aspec);
    zr_run_attempts(setup, &aspec, spec, mode, max_attempts, keep_going, progress, user, run);
    zr_case_attempt_spec_free(&aspec);
}

struct zr_judgement zr_case_judgement_here(const struct zr_setup *setup, const struct zr_case_spec *spec, int mode,
                                           const struct zr_build *build)
{
    /* The interpreter's version as the probe measured it (cached): only a
     * case with @python-unaffected asks. */
    json_t *python = NULL;
    if (spec->language == ZR_LANG_PYTHON && spec->npython_rules) {
        char err[512];
        python = zr_python_probe(setup, &zr_modes[mode], build, err, sizeof err);
    }
    struct zr_libzmq_release lz = {
        zr_build_field(build, "version"),
        zr_build_field(build, "commit"),
        zr_build_field(build, "release"),
        zr_build_field(build, "contains_release"),
    };
    /* A free-threaded interpreter's version with a t (3.13.15t), as @python-unaffected 3.13t names it. */
    const char *version = json_string_value(json_object_get(python, "version"));
    char *shown = version && json_is_true(json_object_get(python, "free_threaded")) ? zr_strdup_printf("%st", version)
                                                                                     : NULL;
    struct zr_judgement j = zr_case_judgement(spec, mode, &lz, shown ? shown : version);
    free(shown);
    json_decref(python);
    return j;
}

void zr_run_attempts(const struct zr_setup *setup, const struct zr_attempt_spec *aspec,
                     const struct zr_case_spec *spec, int mode, int max_attempts, bool keep_going,
                     zr_progress_fn progress, void *user, struct zr_case_run *run)
{
    const struct zr_build *build = aspec->build;
    memset(run, 0, sizeof *run);
    run->spec = spec;
    run->mode = mode;
    run->build = build;
    run->judged = zr_case_judgement_here(setup, spec, mode, build);
    run->max_attempts = max_attempts;
    run->keep_going = keep_going;
    run->deciding = -1;
    run->time_to_first_s = -1;
    run->attempts = calloc((size_t)max_attempts, sizeof *run->attempts);
    if (!run->attempts) {
        fputs("zmq-repro: out of memory\n", stderr);
        exit(2);
    }
    bool broken = run->judged.as == ZR_VARIANT_BROKEN;
    double start = zr_now();
    while (run->n < max_attempts && !zr_interrupted()) {
        double attempt_start = zr_now();
        struct zr_attempt *a = &run->attempts[run->n++];
        zr_run_attempt(setup, aspec, a);
        if (a->interrupted) {
            run->status = ZR_INTERRUPTED;
            run->n--; /* an interrupted attempt says nothing */
            zr_attempt_free(a);
            break;
        }
        if (progress)
            progress(run, a, user);
        /* ERROR and TIMEOUT (the harness's limit, too short for this machine's load): never a verdict. */
        if (zr_outcome_is_harness(a->verdict.outcome)) {
            run->status = ZR_HARNESS_ERROR;
            run->deciding = run->n - 1;
            break;
        }
        bool met = zr_expectation_met(run->judged.expect, &a->verdict);
        bool undecidable = !met && zr_expectation_undecidable(run->judged.expect, &a->verdict);
        run->met += met;
        run->undecidable += undecidable;
        if (broken && met && run->time_to_first_s < 0) {
            run->time_to_first_s = attempt_start - start + a->verdict_s;
            run->deciding = run->n - 1;
            if (!keep_going)
                break;
        }
        if (!broken && !met && run->deciding < 0) {
            run->deciding = run->n - 1;
            if (!keep_going)
                break;
        }
        if (broken && undecidable && run->deciding < 0 && !keep_going) {
            run->deciding = run->n - 1;
            break;
        }
    }
    run->wall_s = zr_now() - start;
    if (zr_interrupted() && run->status != ZR_HARNESS_ERROR)
        run->status = ZR_INTERRUPTED;
    if (run->status == ZR_HELD) {
        if (broken)
            run->status = run->met > 0 ? ZR_HELD : run->undecidable > 0 ? ZR_SKIPPED : ZR_NOT_HELD;
        else
            run->status = run->met == run->n ? ZR_HELD : ZR_NOT_HELD;
        if (run->status == ZR_SKIPPED && run->deciding < 0)
            run->deciding = run->n - 1;
        /* Whether the bug is in this build's release cannot be told: the
         * runs are shown, never judged. */
        if (run->judged.version_unknown && run->status != ZR_SKIPPED) {
            run->status = ZR_SKIPPED;
            if (run->deciding < 0)
                run->deciding = run->n - 1;
        }
    }
    summarise(run);
}

void zr_case_run_free(struct zr_case_run *run)
{
    for (int i = 0; i < run->n; i++)
        zr_attempt_free(&run->attempts[i]);
    free(run->attempts);
    free(run->status_text);
    memset(run, 0, sizeof *run);
}

static json_t *count_or_null(long long v)
{
    return v < 0 ? json_null() : json_integer(v);
}

json_t *zr_attempt_json(const struct zr_attempt *a, int index, bool with_report)
{
    const struct zr_verdict *v = &a->verdict;
    json_t *j = json_object();
    json_object_set_new(j, "attempt", json_integer(index + 1));
    json_object_set_new(j, "outcome", json_string(v->outcome));
    json_object_set_new(j, "signature", zr_json_text(v->signature));
    json_object_set_new(j, "symptom", zr_json_text(v->symptom));
    json_object_set_new(j, "location", zr_json_text(v->location));
    json_object_set_new(j, "duration_s", json_real(a->duration_s));
    json_object_set_new(j, "verdict_s", json_real(a->verdict_s));
    json_object_set_new(j, "timed_out", json_boolean(a->timed_out));
    json_object_set_new(j, "stalled", json_boolean(a->stalled));
    json_object_set_new(j, "exit_code", a->exited ? json_integer(a->exit_code) : json_null());
    json_object_set_new(j, "signal", a->signal ? json_integer(a->signal) : json_null());
    json_object_set_new(j, "sent", count_or_null(v->sent));
    json_object_set_new(j, "received", count_or_null(v->received));
    json_object_set_new(j, "endpoint", zr_json_text(a->endpoint));
    if (a->server.present)
        json_object_set_new(j, "server",
                            json_pack("{s:o, s:o, s:o, s:o, s:b, s:b}", "received", count_or_null(a->server.received),
                                      "replied", count_or_null(a->server.replied), "unroutable",
                                      count_or_null(a->server.unroutable), "held", count_or_null(a->server.held), "died",
                                      a->server.died, "stalled", a->server.stalled));
    json_object_set_new(j, "loaded_libzmq", a->loaded_path ? json_pack("{s:o, s:o}", "path", zr_json_text(a->loaded_path),
                                                                       "version",
                                                                       zr_json_text(a->loaded_version ? a->loaded_version
                                                                                                      : "?"))
                                                           : json_null());
    if (a->left_behind)
        json_object_set_new(j, "left_behind", json_string(a->left_behind));
    if (v->libzmq_internal)
        json_object_set_new(j, "libzmq_internal", json_true());
    json_object_set_new(j, "diagnosis", zr_json_text(v->diagnosis));
    if (a->seed)
        json_object_set_new(j, "seed", json_integer((json_int_t)a->seed));
    if (with_report && v->report)
        json_object_set_new(j, "report", zr_json_text(v->report));
    return j;
}

json_t *zr_case_run_json(const struct zr_case_run *run, json_t *environment)
{
    const struct zr_case_spec *spec = run->spec;
    char when[32];
    zr_utc_stamp(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ");
    json_t *expect = json_array();
    for (int i = 0; i < run->judged.expect->n; i++) {
        const struct zr_expectation *e = &run->judged.expect->items[i];
        char *text = zr_strdup_printf("%s%s%s", e->outcome, e->text ? ":" : "", e->text ? e->text : "");
        json_array_append_new(expect, zr_json_text(text));
        free(text);
    }
    json_t *attempts = json_array();
    /* The raw report of the deciding attempt and of the first few others:
     * enough to read; every attempt keeps its signature regardless. */
    for (int i = 0; i < run->n; i++)
        json_array_append_new(attempts, zr_attempt_json(&run->attempts[i], i, i == run->deciding || i < 3));

    const struct zr_attempt *d = run->deciding >= 0 ? &run->attempts[run->deciding] : run->n ? &run->attempts[0] : NULL;
    json_t *doc = json_object();
    json_object_set_new(doc, "schema", json_integer(ZR_SCHEMA_RUN));
    json_object_set_new(doc, "kind", json_string("run"));
    json_object_set_new(doc, "runner", json_string("zmq-repro " ZR_VERSION));
    json_object_set_new(doc, "finished_at", json_string(when));
    json_object_set_new(doc, "case", zr_json_text(spec->id));
    json_object_set_new(doc, "file", zr_json_text(spec->path));
    char *sha = zr_file_sha256(spec->path);
    json_object_set_new(doc, "file_sha256", sha ? json_string(sha) : json_null());
    free(sha);
    json_object_set_new(doc, "family", zr_json_text(spec->family));
    json_object_set_new(doc, "language", json_string(zr_language_name(spec->language)));
    json_object_set_new(doc, "variant", json_string(zr_variant_name(spec->variant)));
    json_object_set_new(doc, "judged_as", json_string(zr_variant_name(run->judged.as)));
    json_object_set_new(doc, "fixed_upstream_in", run->judged.fixed_upstream ? zr_json_text(spec->fixed_in) : json_null());
    json_object_set_new(doc, "predates_bug_of", run->judged.predates_bug ? zr_json_text(spec->broken_since) : json_null());
    json_object_set_new(doc, "release_unknown",
                        run->judged.version_unknown ? zr_json_text(run->judged.unknown_why) : json_null());
    json_object_set_new(doc, "python_unaffected", json_boolean(run->judged.python_unaffected));
    json_object_set_new(doc, "python_shows", json_boolean(run->judged.python_shows));
    json_object_set_new(doc, "mode", json_string(zr_modes[run->mode].name));
    json_object_set_new(doc, "upstream", zr_json_text(spec->upstream));
    json_object_set_new(doc, "expect", expect);
    json_object_set_new(doc, "expectation", json_string(zr_status_name(run->status)));
    json_object_set_new(doc, "summary", zr_json_text(run->status_text));
    json_object_set_new(doc, "outcome", json_string(d ? d->verdict.outcome : ""));
    json_object_set_new(doc, "signature", zr_json_text(d ? d->verdict.signature : ""));
    json_object_set_new(doc, "symptom", zr_json_text(d ? d->verdict.symptom : ""));
    json_object_set_new(doc, "diagnosis", zr_json_text(d ? d->verdict.diagnosis : NULL));
    json_object_set_new(doc, "max_attempts", json_integer(run->max_attempts));
    json_object_set_new(doc, "attempts_run", json_integer(run->n));
    json_object_set_new(doc, "attempts_meeting_expectation", json_integer(run->met));
    json_object_set_new(doc, "wall_s", json_real(run->wall_s));
    json_object_set_new(doc, "time_to_first_reproduction_s",
                        run->time_to_first_s >= 0 ? json_real(run->time_to_first_s) : json_null());
    json_t *build = json_deep_copy(run->build->info);
    json_object_set_new(build, "name", zr_json_text(run->build->name));
    json_object_set_new(doc, "build", build);
    json_object_set_new(doc, "environment", environment ? json_incref(environment) : json_null());
    json_object_set_new(doc, "attempts", attempts);
    return doc;
}

int zr_write_result(const char *dir, const char *stem, json_t *doc, char *path, size_t len, char *err, size_t errlen)
{
    if (zr_mkdirs(dir) != 0) {
        snprintf(err, errlen, "cannot create %s", dir);
        return -1;
    }
    char stamp[32];
    zr_utc_stamp(stamp, sizeof stamp, NULL);
    /* A stem holds names the user chose (a build given by its path): one file name. */
    char *name = zr_strdup_printf("%s", stem);
    for (char *c = name; *c; c++)
        if (*c == '/' || *c == ' ')
            *c = '_';
    snprintf(path, len, "%s/%s-%s-%d.json", dir, stamp, name, (int)getpid());
    free(name);
    return zr_write_json_atomically(path, doc, err, errlen);
}
