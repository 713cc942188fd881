/* The runner's options: one table (options.c) that getopt_long, each
 * command's list of accepted options, and the help all read. */
#ifndef ZR_OPTIONS_H
#define ZR_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "commands.h"

struct zr_option {
    const char *name;  /* the long name, as in a command's list: "mode" */
    int short_name;    /* 'm', or 0 */
    bool has_arg;
    const char *arg;   /* the argument's placeholder in the help: "MODE" */
    const char *help;  /* one line or more, without the defaults that are known only at run time */
};

extern const struct zr_option zr_option_table[];
extern const int zr_noptions;

/* The option of that long name, or NULL. */
const struct zr_option *zr_option_find(const char *name);

/* The defaults known only at run time (the modes, the interpreter found at
 * configure time...), appended to an option's help; NULL for none. */
const char *zr_option_default(const char *name, char *buf, size_t len);

/* Reads argv's options into o (GNU getopt: before or after the command).
 * seen[i] is set for each zr_option_table[i] given; *help when -h was
 * given; *version for --version. Returns the index of the first operand,
 * or -1 after printing a usage error. */
int zr_parse_options(int argc, char **argv, struct zr_options *o, bool *seen, bool *help, bool *version);

/* How many words follow the first "--" of argv that is no option's argument
 * (-1 when there is none): a program and its arguments, which stay the
 * last operands after zr_parse_options. */
int zr_words_after_dashdash(int argc, char **argv);

#endif
