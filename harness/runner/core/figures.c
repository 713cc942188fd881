#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "outcomes.h"
#include "text.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double zr_median(double *v, int n)
{
    if (n == 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static json_t *number_or_null(double v)
{
    return isnan(v) ? json_null() : json_real(round(v * 1000) / 1000);
}

static void count(json_t *counts, const char *key)
{
    json_t *c = json_object_get(counts, key);
    json_object_set_new(counts, key, json_integer(c ? json_integer_value(c) + 1 : 1));
}

/* "OUTCOME text" in valid UTF-8: jansson drops a key that is not. */
static char *utf8_key(const char *outcome, const char *text)
{
    char *raw = zr_strdup_printf("%s %s", outcome, text);
    char *key = zr_utf8_sanitize(raw, strlen(raw));
    free(raw);
    return key;
}

json_t *zr_figures(const struct zr_case_run *run)
{
    double *detect = calloc((size_t)run->n + 1, sizeof *detect), *times = calloc((size_t)run->n + 1, sizeof *times);
    if (!detect || !times) {
        fputs("zmq-repro: out of memory\n", stderr);
        exit(2);
    }
    int ndetect = 0, errors = 0;
    double worst = NAN, worst_run = NAN;
    double judged_s = 0; /* the time of every attempt the harness judged */
    json_t *counts = json_object(), *signatures = json_object(), *symptoms = json_object(), *locations = json_object();
    json_t *symptom_locations = json_object(); /* symptom -> { location: attempts } */
    for (int i = 0; i < run->n; i++) {
        const struct zr_attempt *a = &run->attempts[i];
        times[i] = a->verdict_s;
        if (isnan(worst_run) || a->verdict_s > worst_run)
            worst_run = a->verdict_s;
        if (zr_outcome_is_harness(a->verdict.outcome))
            errors++;
        else
            judged_s += a->verdict_s;
        if (zr_expectation_met(run->judged.expect, &a->verdict)) {
            detect[ndetect++] = a->verdict_s;
            if (isnan(worst) || a->verdict_s > worst)
                worst = a->verdict_s;
        }
        count(counts, a->verdict.outcome);
        /* Which signatures: a rate below 100% must be explainable. */
        char *key = utf8_key(a->verdict.outcome, a->verdict.signature);
        count(signatures, key);
        free(key);
        key = utf8_key(a->verdict.outcome, a->verdict.symptom);
        count(symptoms, key);
        if (a->verdict.location && !json_object_get(locations, key))
            json_object_set_new(locations, key, zr_json_text(a->verdict.location));
        if (a->verdict.location) {
            /* Every location of the symptom, not only the first: it may move between attempts. */
            json_t *where = json_object_get(symptom_locations, key);
            if (!where) {
                where = json_object();
                json_object_set_new(symptom_locations, key, where);
            }
            char *loc = zr_utf8_sanitize(a->verdict.location, strlen(a->verdict.location));
            count(where, loc);
            free(loc);
        }
        free(key);
    }
    char outcomes[512] = "";
    const char *key;
    json_t *value;
    json_object_foreach(counts, key, value) {
        size_t used = strlen(outcomes);
        snprintf(outcomes + used, sizeof outcomes - used, "%s%s:%lld", used ? " " : "", key,
                 (long long)json_integer_value(value));
    }
    bool broken = run->judged.as == ZR_VARIANT_BROKEN;
    char expected[512];
    zr_expectations_format(run->judged.expect, expected, sizeof expected);
    json_t *j = json_object();
    json_object_set_new(j, "case", json_string(run->spec->id));
    json_object_set_new(j, "mode", json_string(zr_modes[run->mode].name));
    json_object_set_new(j, "build", json_string(run->build->name));
    json_object_set_new(j, "libzmq_version", json_string(zr_build_field(run->build, "version")));
    json_object_set_new(j, "language", json_string(zr_language_name(run->spec->language)));
    json_object_set_new(j, "variant", json_string(zr_variant_name(run->spec->variant)));
    json_object_set_new(j, "judged_as", json_string(zr_variant_name(run->judged.as)));
    json_object_set_new(j, "python_unaffected", json_boolean(run->judged.python_unaffected));
    json_object_set_new(j, "python_shows", json_boolean(run->judged.python_shows));
    json_object_set_new(j, "expect", json_string(expected));
    json_object_set_new(j, "status", json_string(zr_status_name(run->status)));
    json_object_set_new(j, "attempts", json_integer(run->n));
    json_object_set_new(j, "meeting_expectation", json_integer(run->met));
    json_object_set_new(j, "errors", json_integer(errors));
    json_object_set_new(j, "rate", json_real(run->n ? (double)run->met / run->n : 0.0));
    json_object_set_new(j, "outcomes", counts);
    json_object_set_new(j, "outcomes_text", json_string(outcomes));
    json_object_set_new(j, "median_detect_s", broken ? number_or_null(zr_median(detect, ndetect)) : json_null());
    json_object_set_new(j, "worst_detect_s", broken ? number_or_null(worst) : json_null());
    /* The median counts only the attempts that showed the failure: at a rate
     * below 100% the others (ended clean, after their whole run) are left
     * out. What a user waits for one reproduction, attempts one after the
     * other, is every judged attempt's time over the reproductions. */
    json_object_set_new(j, "time_per_detect_s",
                        broken && ndetect ? number_or_null(judged_s / ndetect) : json_null());
    json_object_set_new(j, "median_run_s", number_or_null(zr_median(times, run->n)));
    json_object_set_new(j, "worst_run_s", number_or_null(worst_run));
    json_object_set_new(j, "signatures", signatures);
    json_object_set_new(j, "symptoms", symptoms);
    json_object_set_new(j, "locations", locations);
    json_object_set_new(j, "symptom_locations", symptom_locations);
    json_object_set_new(j, "wall_s", json_real(round(run->wall_s * 1000) / 1000));
    free(detect);
    free(times);
    return j;
}
