/* The help of zmq-repro, made from the tables of commands and options. */
#ifndef ZR_HELP_H
#define ZR_HELP_H

#include <stdio.h>

#include "table.h"

/* zmq-repro --help: what it is for, every command, every option. */
void zr_print_usage(FILE *out);

/* zmq-repro COMMAND --help: its synopsis, its options, examples. */
void zr_print_command_help(FILE *out, const struct zr_command *c);

/* "list, run, bench, ...": the listed commands, for messages. */
void zr_print_command_names(FILE *out);

#endif
