/* The commands of zmq-repro: one table (table.c) that main dispatches
 * through, and that the help and the check of each command's options read.
 * A new command is one entry here and one file with its function. */
#ifndef ZR_TABLE_H
#define ZR_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "commands.h"

typedef int (*zr_command_fn)(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args);

struct zr_command {
    const char *name;
    const char *synopsis; /* what follows the name: "[OPTIONS] CASE...|all" */
    const char *summary;  /* for the list of commands (lines of at most 58 characters) */
    const char *options;  /* the long names of the options it takes, blank-separated */
    bool needs_catalog;   /* the cases are read before it runs (cat is NULL otherwise) */
    bool runs_cases;      /* it runs the cases it is given (a C case file from outside is compiled first) */
    bool takes_program;   /* or a user's program instead: -- PROGRAM ARGS, judged as check judges it */
    bool hidden;          /* the runner's own (matrix's cells): not listed */
    zr_command_fn run;
    const char *examples; /* lines, each a command line */
};

extern const struct zr_command zr_commands[];
extern const int zr_ncommands;

/* The command of that name, or NULL. */
const struct zr_command *zr_command_find(const char *name);

/* True when the command takes the option of that long name. */
bool zr_command_takes(const struct zr_command *c, const char *option);

/* The table's own consistency (every option a command names exists): 0,
 * or -1 with what is wrong in err. */
int zr_command_table_check(char *err, size_t len);

#endif
