#include "verdict_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "modes.h"
#include "text.h"

const char *zr_status_word(enum zr_status s)
{
    static const char *const words[] = { "PASS", "FAIL", "ERROR", "SKIP", "INTERRUPTED" };
    return (unsigned)s < sizeof words / sizeof words[0] ? words[s] : "ERROR";
}

int zr_exit_code_of(enum zr_status s)
{
    switch (s) {
    case ZR_HELD: return ZR_EXIT_HELD;
    case ZR_NOT_HELD: return ZR_EXIT_NOT_HELD;
    case ZR_SKIPPED: return ZR_EXIT_SKIPPED;
    default: return ZR_EXIT_USAGE;
    }
}

void zr_print_attempt_line(const struct zr_case_run *run, const struct zr_attempt *a, void *user)
{
    (void)user;
    printf("  attempt %d/%d: %s%s", run->n, run->max_attempts, a->verdict.outcome, a->verdict.signature[0] ? " " : "");
    zr_fput_terminal(stdout, a->verdict.signature);
    if (a->seed)
        printf(" (%.2f s, seed %llu)\n", a->verdict_s, a->seed);
    else
        printf(" (%.2f s)\n", a->verdict_s);
    fflush(stdout);
}

void zr_print_indented(const char *text, const char *indent)
{
    for (const char *line = text; line && *line;) {
        size_t n = strcspn(line, "\n");
        char *one = zr_strdup_printf("%.*s", (int)n, line);
        printf("%s", indent);
        zr_fput_terminal(stdout, one);
        printf("\n");
        free(one);
        line += n;
        if (*line)
            line++;
    }
}

/* The attempt the lines are about: the deciding one, else the first. */
static const struct zr_attempt *shown(const struct zr_case_run *run)
{
    return run->deciding >= 0 ? &run->attempts[run->deciding] : run->n ? &run->attempts[0] : NULL;
}

void zr_print_verdict(const struct zr_case_run *run, const char *what)
{
    /* What the program printed reaches the terminal escaped: it cannot move the cursor or hide a line. */
    printf("%s ", zr_status_word(run->status));
    zr_fput_terminal(stdout, what);
    printf(" [%s on ", zr_modes[run->mode].name);
    zr_fput_terminal(stdout, run->build->name);
    printf("]: ");
    zr_fput_terminal(stdout, run->status_text);
    printf("\n");
    const struct zr_attempt *d = shown(run);
    if (d && d->loaded_path) {
        printf("  loaded: ");
        zr_fput_terminal(stdout, d->loaded_path);
        printf(" (zmq_version %s)\n", d->loaded_version);
    }
    if (d && d->verdict.diagnosis) {
        printf("  diagnosis: ");
        zr_print_indented(d->verdict.diagnosis, "");
    }
    fflush(stdout);
}

void zr_print_report(const struct zr_case_run *run)
{
    const struct zr_attempt *d = shown(run);
    if (!d || !d->verdict.report || !strcmp(d->verdict.outcome, "CLEAN"))
        return;
    printf("  report of attempt %d:\n", (int)(d - run->attempts) + 1);
    zr_print_indented(d->verdict.report, "    ");
    fflush(stdout);
}
