/* zr-cmake-cases SOURCE_DIR: prints, as CMake commands, what the runner's
 * own modules read from the case headers and the mode table, so that the
 * build and ctest learn the cases from the one parser there is (case_spec.c)
 * and the one table of modes (modes.c). CMakeLists.txt compiles this small
 * program at configure time and includes its output:
 *
 *   zr_flavour(NAME "CFLAGS" "LDFLAGS")
 *   zr_mode(NAME FLAVOUR)
 *   zr_case(ID LANGUAGE FILE FAMILY NAME VARIANT PYMODULE)
 *   zr_case_mode(ID MODE LIMIT_S)    LIMIT_S: the longest a `run` of it may take
 *   zr_bad_case(FILE "file:line: what is wrong")
 */
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "defaults.h"

/* ctest's limit for one `zmq-repro run` of a case in a mode: every attempt
 * hitting its watchdog, plus the stack capture and start-up of each. */
#define PER_ATTEMPT_OVERHEAD_S 15
#define PER_RUN_OVERHEAD_S 30

static void quoted(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\' || *s == '$')
            putchar('\\');
        putchar(*s == '\n' ? ' ' : *s);
    }
    putchar('"');
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: zr-cmake-cases SOURCE_DIR\n");
        return 2;
    }
    struct zr_catalog cat;
    char err[1024];
    if (zr_catalog_load(argv[1], &cat, err, sizeof err) != 0) {
        fprintf(stderr, "zr-cmake-cases: %s\n", err);
        return 2;
    }
    printf("# Generated at configure time by harness/runner/commands/cmake_cases.c from the case headers.\n");
    for (int i = 0; i < zr_nflavours; i++) {
        printf("zr_flavour(%s ", zr_flavours[i].name);
        quoted(zr_flavours[i].cflags);
        putchar(' ');
        quoted(zr_flavours[i].ldflags);
        printf(")\n");
    }
    for (int i = 0; i < zr_nmodes; i++)
        printf("zr_mode(%s %s)\n", zr_modes[i].name, zr_modes[i].flavour->name);
    for (int i = 0; i < cat.n; i++) {
        const struct zr_case_spec *c = &cat.cases[i];
        if (c->error) {
            printf("zr_bad_case(");
            quoted(c->path);
            putchar(' ');
            quoted(c->error);
            printf(")\n");
            continue;
        }
        printf("zr_case(%s %s ", c->id, zr_language_name(c->language));
        quoted(c->path);
        printf(" %s %s %s %s)\n", c->family, c->name, zr_variant_name(c->variant), c->pymodule ? c->pymodule : "-");
        int attempts = c->variant == ZR_VARIANT_BROKEN ? ZR_RUN_ATTEMPTS_BROKEN : ZR_RUN_RUNS_FIXED;
        for (int m = 0; m < zr_nmodes; m++)
            if (c->modes[m].enabled) {
                double limit = attempts * (c->modes[m].timeout_s + PER_ATTEMPT_OVERHEAD_S) + PER_RUN_OVERHEAD_S;
                printf("zr_case_mode(%s %s %d)\n", c->id, zr_modes[m].name, (int)limit + 1);
            }
    }
    zr_catalog_free(&cat);
    return 0;
}
