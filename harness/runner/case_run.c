#include "case_run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "process.h"
#include "text.h"

void zr_case_run(const struct zr_setup *setup, const struct zr_case_spec *spec, enum zr_mode mode,
                 int max_attempts, bool keep_going, zr_progress_fn progress, void *user, struct zr_case_run *run)
{
    memset(run, 0, sizeof *run);
    run->spec = spec;
    run->mode = mode;
    run->max_attempts = max_attempts;
    run->keep_going = keep_going;
    run->deciding = -1;
    run->time_to_first_s = -1;
    run->attempts = calloc((size_t)max_attempts, sizeof *run->attempts);
    const struct zr_mode_spec *m = &spec->modes[mode];
    bool broken = spec->variant == ZR_VARIANT_BROKEN;
    double start = zr_now();

    while (run->n < max_attempts) {
        double attempt_start = zr_now();
        struct zr_attempt *a = &run->attempts[run->n++];
        zr_run_attempt(setup, spec, mode, a);
        if (progress)
            progress(run, a, user);
        if (!strcmp(a->verdict.outcome, "ERROR")) {
            run->status = ZR_HARNESS_ERROR;
            run->deciding = run->n - 1;
            snprintf(run->status_text, sizeof run->status_text, "harness error in attempt %d: %s", run->n,
                     a->verdict.signature);
            break;
        }
        bool met = zr_expectation_met(m, a->verdict.outcome, a->verdict.signature);
        if (met)
            run->met++;
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
    }
    run->wall_s = zr_now() - start;
    if (run->status == ZR_HARNESS_ERROR)
        return;

    char expected[256];
    zr_expectations_format(m, expected, sizeof expected);
    if (broken) {
        run->status = run->met > 0 ? ZR_HELD : ZR_NOT_HELD;
        if (run->met > 0)
            snprintf(run->status_text, sizeof run->status_text, "reproduced in %d of %d attempts (first at %.2f s): %s %s",
                     run->met, run->n, run->time_to_first_s, run->attempts[run->deciding].verdict.outcome,
                     run->attempts[run->deciding].verdict.signature);
        else
            snprintf(run->status_text, sizeof run->status_text, "not reproduced in %d attempts (expected %s)", run->n,
                     expected);
    } else {
        run->status = run->met == run->n ? ZR_HELD : ZR_NOT_HELD;
        if (run->status == ZR_HELD)
            snprintf(run->status_text, sizeof run->status_text, "%s in %d of %d runs", expected, run->met, run->n);
        else
            snprintf(run->status_text, sizeof run->status_text,
                     "NOT FIXED: %d of %d runs were not %s; run %d: %s %s", run->n - run->met, run->n, expected,
                     run->deciding + 1, run->attempts[run->deciding].verdict.outcome,
                     run->attempts[run->deciding].verdict.signature);
    }
}

void zr_case_run_free(struct zr_case_run *run)
{
    for (int i = 0; i < run->n; i++)
        zr_verdict_free(&run->attempts[i].verdict);
    free(run->attempts);
    run->attempts = NULL;
}

static json_t *count_or_null(long long v)
{
    return v < 0 ? json_null() : json_integer(v);
}

static json_t *attempt_json(const struct zr_case_run *run, int i)
{
    const struct zr_attempt *a = &run->attempts[i];
    json_t *j = json_pack("{s:i, s:s, s:s, s:f, s:f, s:b, s:s}", "attempt", i + 1, "outcome", a->verdict.outcome,
                          "signature", a->verdict.signature, "duration_s", a->duration_s, "verdict_s", a->verdict_s,
                          "timed_out", a->timed_out, "endpoint", a->endpoint);
    json_object_set_new(j, "exit_code", a->exited ? json_integer(a->exit_code) : json_null());
    json_object_set_new(j, "signal", a->signal ? json_integer(a->signal) : json_null());
    json_object_set_new(j, "sent", count_or_null(a->verdict.sent));
    json_object_set_new(j, "received", count_or_null(a->verdict.received));
    json_object_set_new(j, "server", json_pack("{s:o, s:o, s:o}", "received", count_or_null(a->server_received),
                                               "replied", count_or_null(a->server_replied), "unroutable",
                                               count_or_null(a->server_unroutable)));
    /* The raw report of every attempt that was not clean; for many identical
     * reports the first few are enough to read, and the signature of each
     * attempt is kept regardless. */
    if (a->verdict.report && (i == run->deciding || i < 3))
        json_object_set_new(j, "report", json_string(a->verdict.report));
    return j;
}

static void utc_stamp(char *buf, size_t len, const char *fmt)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, len, fmt, &tm);
}

json_t *zr_case_run_json(const struct zr_case_run *run, json_t *environment)
{
    const struct zr_case_spec *spec = run->spec;
    const struct zr_mode_spec *m = &spec->modes[run->mode];
    static const char *const statuses[] = { "held", "not held", "error" };
    char when[32];
    utc_stamp(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ");

    json_t *expect = json_array();
    for (int i = 0; i < m->nexpect; i++) {
        char e[128];
        snprintf(e, sizeof e, "%s%s%s", m->expect[i].outcome, m->expect[i].signature_text[0] ? ":" : "",
                 m->expect[i].signature_text);
        json_array_append_new(expect, json_string(e));
    }
    json_t *attempts = json_array();
    for (int i = 0; i < run->n; i++)
        json_array_append_new(attempts, attempt_json(run, i));

    const struct zr_attempt *d = run->deciding >= 0 ? &run->attempts[run->deciding] : NULL;
    json_t *doc = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:i, s:i, s:i, s:f}",
                            "schema", 1, "runner", "zmq-repro " ZR_VERSION, "finished_at", when, "case", spec->id,
                            "file", spec->path, "family", spec->family, "language", zr_language_name(spec->language),
                            "variant", zr_variant_name(spec->variant), "mode", zr_mode_name(run->mode), "expect",
                            expect, "expectation", statuses[run->status], "summary", run->status_text,
                            "max_attempts", run->max_attempts, "attempts_run", run->n, "attempts_meeting_expectation",
                            run->met, "wall_s", run->wall_s);
    json_object_set_new(doc, "upstream", json_string(spec->upstream));
    json_object_set_new(doc, "outcome", json_string(d ? d->verdict.outcome : run->n ? run->attempts[0].verdict.outcome : ""));
    json_object_set_new(doc, "signature", json_string(d ? d->verdict.signature : run->n ? run->attempts[0].verdict.signature : ""));
    json_object_set_new(doc, "time_to_first_reproduction_s",
                        run->time_to_first_s >= 0 ? json_real(run->time_to_first_s) : json_null());
    json_object_set_new(doc, "environment", environment ? json_incref(environment) : json_null());
    json_object_set_new(doc, "attempts", attempts);
    return doc;
}

int zr_mkdirs(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) == -1 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir(path, 0755) == -1 && errno != EEXIST ? -1 : 0;
}

int zr_write_result(const char *dir, const char *stem, json_t *doc, char *path, size_t len, char *err,
                    size_t errlen)
{
    if (zr_mkdirs(dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    char stamp[32], tmp[1200];
    utc_stamp(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ");
    snprintf(path, len, "%s/%s-%s-%d.json", dir, stamp, stem, (int)getpid());
    snprintf(tmp, sizeof tmp, "%s/.%s-%s-%d.json.tmp", dir, stamp, stem, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || json_dumpfd(doc, fd, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 || write(fd, "\n", 1) != 1 ||
        fsync(fd) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s into place: %s", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
