#include "power.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Wilson's score interval, its one-sided 95 % lower end: honest at the
 * edges (k = n, small n), where the normal approximation says 100 %. */
static double rate_lower_bound(int k, int n)
{
    if (n <= 0)
        return 0;
    double z = 1.645, p = (double)k / n, z2 = z * z;
    double lo = (p + z2 / (2 * n) - z * sqrt(p * (1 - p) / n + z2 / (4.0 * n * n))) / (1 + z2 / n);
    return lo > 0 ? lo : 0;
}

void zr_power_compute(int clean, int twin_met, int twin_n, struct zr_power *p)
{
    p->clean = clean;
    p->twin_met = twin_met;
    p->twin_n = twin_n;
    p->twin_low = rate_lower_bound(twin_met, twin_n);
    p->log10_miss = p->twin_low < 1 ? clean * log10(1 - p->twin_low) : -INFINITY;
    p->weak = p->twin_low < 0.5;
}

static json_int_t number(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_integer(v) && json_integer_value(v) > 0 ? json_integer_value(v) : 0;
}

static bool judged_as(json_t *o, const char *variant)
{
    const char *s = json_string_value(json_object_get(o, "judged_as"));
    return s && !strcmp(s, variant);
}

bool zr_power_of(json_t *fixed, json_t *twin, struct zr_power *p)
{
    if (!judged_as(fixed, "fixed") || (!judged_as(twin, "broken") && !judged_as(twin, "fixed")))
        return false;
    json_int_t clean = number(fixed, "meeting_expectation");
    json_int_t judged = number(twin, "attempts") - number(twin, "errors");
    json_int_t met = number(twin, "meeting_expectation");
    if (clean <= 0 || judged <= 0 || met > judged || clean > INT_MAX || judged > INT_MAX)
        return false;
    zr_power_compute((int)clean, (int)(judged_as(twin, "broken") ? met : judged - met), (int)judged, p);
    return true;
}

char *zr_power_sentence(const struct zr_power *p)
{
    char *head = zr_strdup_printf("twin fails in %d/%d runs (>= %.0f%%): ", p->twin_met, p->twin_n, 100 * p->twin_low);
    char *out;
    if (p->weak)
        out = zr_strdup_printf("%sweak: %d clean runs say little (the twin itself fails in few runs here)", head,
                               p->clean);
    else if (p->log10_miss < -300)
        out = zr_strdup_printf("%s%d clean runs miss a bug that frequent with probability < 1e-300", head, p->clean);
    else
        out = zr_strdup_printf("%s%d clean runs miss a bug that frequent with probability < %.1e", head, p->clean,
                               pow(10, p->log10_miss));
    free(head);
    return out;
}
