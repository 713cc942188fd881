#include "outcomes.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

const struct zr_outcome zr_outcomes[] = {
    { .name = "CLEAN",
        .kind = ZR_OUTCOME_CLEAN,
        .bundle_class = NULL,
        .meaning = "ended as it should, and nothing was reported" },
    { .name = "NOISE",
        .kind = ZR_OUTCOME_CLEAN,
        .bundle_class = NULL,
        .meaning = "clean, with text on stderr that is no report of TSan, libzmq or CPython" },
    { .name = "TSAN", .kind = ZR_OUTCOME_FAILURE, .bundle_class = "tsan", .meaning = "a ThreadSanitizer report" },
    { .name = "SHARED_SOCKET",
        .kind = ZR_OUTCOME_FAILURE,
        .bundle_class = NULL,
        .meaning = "the ownership checker saw two threads inside one socket at once" },
    { .name = "HANDOFF",
        .kind = ZR_OUTCOME_FAILURE,
        .bundle_class = NULL,
        .meaning = "the ownership checker saw a socket change threads without a barrier" },
    { .name = "ASSERT",
        .kind = ZR_OUTCOME_FAILURE,
        .bundle_class = "assert",
        .meaning = "libzmq aborted on one of its own assertions" },
    { .name = "FATAL_PYTHON",
        .kind = ZR_OUTCOME_FAILURE,
        .bundle_class = "fatal-python",
        .meaning = "CPython's own fatal error" },
    { .name = "SIGNAL",
        .kind = ZR_OUTCOME_FAILURE,
        .bundle_class = "signal",
        .meaning = "killed by a signal of its own making (SIGSEGV, SIGABRT...)" },
    { .name = "HANG",
        .kind = ZR_OUTCOME_FAILURE,
        .bundle_class = "hang",
        .meaning = "every thread waits with no deadline (or the watchdog found no progress)" },
    { .name = "LOSS",
        .kind = ZR_OUTCOME_FAILURE,
        .bundle_class = "loss",
        .meaning = "a case's DONE line counted fewer replies than requests" },
    { .name = "EXIT",
        .kind = ZR_OUTCOME_FAILURE,
        .bundle_class = "exit",
        .meaning = "ended with a non-zero status (or a case without its DONE line)",
        .programs_own = true },
    { .name = "ERROR",
        .kind = ZR_OUTCOME_HARNESS,
        .bundle_class = NULL,
        .meaning = "the harness could not run or judge the attempt (its cause is the signature)" },
    { .name = "TIMEOUT",
        .kind = ZR_OUTCOME_HARNESS,
        .bundle_class = NULL,
        .meaning = "the watchdog fired while the program was still making progress" },
};
const int zr_noutcomes = sizeof zr_outcomes / sizeof zr_outcomes[0];

const struct zr_outcome* zr_outcome_find(const char* name)
{
    for (int i = 0; name && i < zr_noutcomes; i++)
        if (!strcmp(zr_outcomes[i].name, name))
            return &zr_outcomes[i];
    return NULL;
}

const struct zr_outcome* zr_outcome_of_key(const char* key)
{
    if (!key)
        return NULL;
    size_t n = strcspn(key, " ");
    for (int i = 0; i < zr_noutcomes; i++)
        if (strlen(zr_outcomes[i].name) == n && !strncmp(zr_outcomes[i].name, key, n))
            return &zr_outcomes[i];
    return NULL;
}

static bool is_kind(const char* name, enum zr_outcome_kind kind)
{
    const struct zr_outcome* o = zr_outcome_find(name);
    return o && o->kind == kind;
}

bool zr_outcome_expectable(const char* name)
{
    const struct zr_outcome* o = zr_outcome_find(name);
    return o && o->kind != ZR_OUTCOME_HARNESS;
}

bool zr_outcome_is_clean(const char* name) { return is_kind(name, ZR_OUTCOME_CLEAN); }

bool zr_outcome_is_failure(const char* name) { return is_kind(name, ZR_OUTCOME_FAILURE); }

bool zr_outcome_is_reported_failure(const char* name)
{
    const struct zr_outcome* o = zr_outcome_find(name);
    return o && o->kind == ZR_OUTCOME_FAILURE && !o->programs_own;
}

bool zr_outcome_is_harness(const char* name) { return is_kind(name, ZR_OUTCOME_HARNESS); }

const char* zr_outcome_expectable_names(void)
{
    static char names[256];
    if (!names[0])
        for (int i = 0; i < zr_noutcomes; i++)
            if (zr_outcomes[i].kind != ZR_OUTCOME_HARNESS) {
                size_t used = strlen(names);
                snprintf(names + used, sizeof names - used, "%s%s", used ? " " : "", zr_outcomes[i].name);
            }
    return names;
}
