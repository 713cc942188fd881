/* The runner's subcommands; each returns the process exit code:
 * 0 the expectation held, 1 it did not, 2 usage or environment error. */
#ifndef ZR_COMMANDS_H
#define ZR_COMMANDS_H

#include "attempt.h"
#include "catalog.h"

enum { ZR_EXIT_HELD = 0, ZR_EXIT_NOT_HELD = 1, ZR_EXIT_USAGE = 2 };

struct zr_options {
    struct zr_setup setup;
    const char *results_dir;
    bool no_results;
    int attempts;       /* 0: the command's default */
    bool keep_going;
    bool quiet;
    int nmodes;
    enum zr_mode modes[ZR_MODE_COUNT];
    int nlabels;
    const char *labels[8];
    const char *json_out;
};

int zr_cmd_list(const struct zr_options *o, const struct zr_catalog *cat);
int zr_cmd_run(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases);
int zr_cmd_bench(const struct zr_options *o, const struct zr_catalog *cat, int ncases, char **cases);
int zr_cmd_compare(const char *old_path, const char *new_path);

/* The modes a case runs in under the options (its own modes, narrowed by --mode). */
int zr_selected_modes(const struct zr_options *o, const struct zr_case_spec *spec, enum zr_mode *modes);

#endif
