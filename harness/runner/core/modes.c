#include "modes.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

const struct zr_flavour zr_flavours[] = {
    /* -O1: TSan's own advice; -g: file:line in every report. */
    { "tsan", "-fsanitize=thread -O1 -g", "-fsanitize=thread" },
    { "plain", "-O2 -g", "" },
};
const int zr_nflavours = sizeof zr_flavours / sizeof zr_flavours[0];

const struct zr_mode zr_modes[] = {
    {
        .name = "tsan",
        .summary = "ThreadSanitizer, with libzmq itself instrumented: a race is reported the first time it happens",
        .flavour = &zr_flavours[0],
        .needs = ZR_NEEDS_INSTRUMENTED,
        .default_build = "debian-tsan",
        .preload = ZR_PRELOAD_TSAN_RUNTIME,
        .tsan_options = true,
        .no_aslr = true,
        .default_timeout_s = 30,
    },
    {
        .name = "stress",
        .summary = "no instrumentation: the symptom users see (an assertion, a crash, a hang, lost replies)",
        .flavour = &zr_flavours[1],
        .needs = ZR_NEEDS_PLAIN,
        .default_build = "system",
        .default_timeout_s = 10,
    },
    {
        .name = "owner",
        .summary = "the socket-ownership checker preloaded on a plain libzmq: two threads in one socket are reported at once",
        .flavour = &zr_flavours[1],
        .needs = ZR_NEEDS_PLAIN,
        .default_build = "system",
        .preload = ZR_PRELOAD_OWNER_CHECKER,
        .default_timeout_s = 10,
    },
    {
        .name = "perturb",
        .summary = "the checker's interposer, on a plain libzmq, delays a few threads at their socket calls and inside "
                   "libzmq's signalling (seeded, --seed): libzmq's own failures, sooner",
        .flavour = &zr_flavours[1],
        .needs = ZR_NEEDS_PLAIN,
        .default_build = "system",
        .preload = ZR_PRELOAD_OWNER_CHECKER,
        .perturb = true,
        .default_timeout_s = 10,
        /* The delays change when libzmq fails, never what a correct program
         * does: every stress expectation holds here too (a fixed case stays
         * clean, a broken one shows the same symptoms, sooner). */
        .else_as = "stress",
    },
};
const int zr_nmodes = sizeof zr_modes / sizeof zr_modes[0];

_Static_assert(sizeof zr_modes / sizeof zr_modes[0] <= ZR_MAX_MODES, "raise ZR_MAX_MODES");

const struct zr_mode *zr_mode_find(const char *name)
{
    for (int i = 0; i < zr_nmodes; i++)
        if (!strcmp(zr_modes[i].name, name))
            return &zr_modes[i];
    return NULL;
}

int zr_mode_index(const struct zr_mode *mode)
{
    return (int)(mode - zr_modes);
}

const char *zr_mode_names(void)
{
    static char names[128];
    if (!names[0])
        for (int i = 0; i < zr_nmodes; i++) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", zr_modes[i].name);
        }
    return names;
}
