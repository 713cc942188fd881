#include "help.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "text.h"

#define WIDTH 80

/* text (its newlines taken as blanks) in lines of at most WIDTH, the first
 * after lead (already printed, of lead_len columns), the others after
 * indent. */
static void print_wrapped(FILE *out, const char *text, size_t lead_len, const char *indent)
{
    size_t col = lead_len;
    bool first_word = true;
    for (const char *p = text; *p;) {
        while (*p == ' ' || *p == '\n')
            p++;
        size_t n = strcspn(p, " \n");
        if (!n)
            break;
        if (!first_word && col + 1 + n > WIDTH) {
            fprintf(out, "\n%s", indent);
            col = strlen(indent);
        } else if (!first_word) {
            fputc(' ', out);
            col++;
        }
        fprintf(out, "%.*s", (int)n, p);
        col += n;
        first_word = false;
        p += n;
    }
    fputc('\n', out);
}

static void print_lines(FILE *out, const char *text, const char *first, const char *indent)
{
    const char *lead = first;
    for (const char *line = text; line && *line;) {
        size_t n = strcspn(line, "\n");
        fprintf(out, "%s%.*s\n", lead, (int)n, line);
        lead = indent;
        line += n;
        if (*line)
            line++;
    }
}

static void print_option(FILE *out, const struct zr_option *opt)
{
    char head[64], buf[256];
    if (opt->short_name)
        snprintf(head, sizeof head, "-%c, --%s%s%s", opt->short_name, opt->name, opt->arg ? " " : "",
                 opt->arg ? opt->arg : "");
    else
        snprintf(head, sizeof head, "    --%s%s%s", opt->name, opt->arg ? " " : "", opt->arg ? opt->arg : "");
    const char *more = zr_option_default(opt->name, buf, sizeof buf);
    char *help = zr_strdup_printf("%s%s%s%s", opt->help, more ? " (" : "", more ? more : "", more ? ")" : "");
    fprintf(out, "  %-24s", head);
    print_wrapped(out, help, 26, "                          ");
    free(help);
}

static void print_exit_status(FILE *out)
{
    fprintf(out, "\nexit status: 0 every expectation held, 1 one did not, 2 usage or environment\n"
                 "error (never a verdict), 77 nothing failed but something could not be judged\n"
                 "here, 130/143 interrupted (what finished is kept).\n");
}

void zr_print_usage(FILE *out)
{
    fprintf(out, "usage: zmq-repro COMMAND [OPTIONS] [ARGS...]\n"
                 "\n"
                 "Reproduces ZeroMQ concurrency failures (shared socket, finalize race, hang\n"
                 "at shutdown) with real clients against a real ROUTER server, and checks\n"
                 "that the correct patterns stay clean, on any libzmq build. A CASE is\n"
                 "family/name (see `list`) or the path of its file.\n"
                 "\ncommands (zmq-repro COMMAND --help: its options and examples):\n");
    for (int i = 0; i < zr_ncommands; i++) {
        const struct zr_command *c = &zr_commands[i];
        if (c->hidden)
            continue;
        char head[64];
        snprintf(head, sizeof head, "%s %s", c->name, c->synopsis);
        if (strlen(head) > 20)
            fprintf(out, "  %s\n%24s", head, "");
        else
            fprintf(out, "  %-22s", head);
        print_wrapped(out, c->summary, 24, "                        ");
    }
    fprintf(out, "\noptions (each command takes those its --help lists):\n");
    for (int i = 0; i < zr_noptions; i++)
        print_option(out, &zr_option_table[i]);
    fprintf(out, "\nenvironment: ZR_TIMEOUT_MULTIPLIER (1 to 100) scales every watchdog, for slow or\n"
                 "loaded machines; ZR_CACHE_DIR is where builds are kept (default\n"
                 "~/.cache/zmq-repro); ZR_RESULTS_DIR is the default of --results.\n");
    print_exit_status(out);
}

void zr_print_command_help(FILE *out, const struct zr_command *c)
{
    fprintf(out, "usage: zmq-repro %s%s%s\n\n", c->name, *c->synopsis ? " " : "", c->synopsis);
    print_wrapped(out, c->summary, 0, "");
    fprintf(out, "\noptions:\n");
    for (int i = 0; i < zr_noptions; i++)
        if (zr_command_takes(c, zr_option_table[i].name))
            print_option(out, &zr_option_table[i]);
    if (*c->examples) {
        fprintf(out, "\nexamples:\n");
        print_lines(out, c->examples, "  ", "  ");
    }
    print_exit_status(out);
}

void zr_print_command_names(FILE *out)
{
    const char *sep = "";
    for (int i = 0; i < zr_ncommands; i++)
        if (!zr_commands[i].hidden) {
            fprintf(out, "%s%s", sep, zr_commands[i].name);
            sep = ", ";
        }
}
