/* zmq-repro: reproduces ZeroMQ concurrency failures and checks the correct
 * patterns against them. See `zmq-repro --help` and README.md. The commands
 * are one table (table.c), the options another (options.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "compile.h"
#include "config.h"
#include "files.h"
#include "help.h"
#include "options.h"
#include "process.h"
#include "program_case.h"
#include "table.h"
#include "text.h"

/* An option the command does not take is refused, naming the ones it does. */
static int refuse_foreign_options(const struct zr_command *c, const bool *seen)
{
    for (int i = 0; i < zr_noptions; i++)
        if (seen[i] && !zr_command_takes(c, zr_option_table[i].name)) {
            fprintf(stderr, "zmq-repro: %s takes no --%s (its options:", c->name, zr_option_table[i].name);
            for (int k = 0; k < zr_noptions; k++)
                if (zr_command_takes(c, zr_option_table[k].name))
                    fprintf(stderr, " --%s", zr_option_table[k].name);
            fprintf(stderr, "; see zmq-repro %s --help)\n", c->name);
            return -1;
        }
    return 0;
}

/* A program after "--" is for the commands that run cases, instead of
 * cases; check's options that judge it (--expect, --server, --timeout,
 * --stall) come with it. */
static int check_program_operands(const struct zr_command *c, const bool *seen, int noperands, int nprogram)
{
    if (!c->runs_cases)
        return 0;
    if (nprogram >= 0 && !c->takes_program) {
        fprintf(stderr, "zmq-repro: %s takes cases, not -- PROGRAM (for a program: zmq-repro check, then %s its "
                        "result)\n",
                c->name, c->name);
        return -1;
    }
    if (nprogram == 0) {
        fprintf(stderr, "zmq-repro: %s: '--' needs a PROGRAM after it (a .c/.cpp source, a .py script or a program)\n",
                c->name);
        return -1;
    }
    if (nprogram > 0 && noperands > nprogram) {
        fprintf(stderr, "zmq-repro: %s: give cases or -- PROGRAM ARGS, not both\n", c->name);
        return -1;
    }
    static const char *const judging[] = { "expect", "server", "timeout", "stall", NULL };
    for (int i = 0; nprogram < 0 && judging[i]; i++)
        for (int k = 0; k < zr_noptions; k++)
            if (seen[k] && !strcmp(zr_option_table[k].name, judging[i])) {
                fprintf(stderr, "zmq-repro: %s: --%s judges a program: give it as -- PROGRAM ARGS (a case states its "
                                "own expectation in its header)\n",
                        c->name, judging[i]);
                return -1;
            }
    return 0;
}

static int unknown_command(const char *name)
{
    fprintf(stderr, "zmq-repro: unknown command '%s' (", name);
    zr_print_command_names(stderr);
    fprintf(stderr, "; see --help)\n");
    return ZR_EXIT_USAGE;
}

/* A C case or program that CMake does not know, compiled here in each
 * flavour its modes need, into DIR/<flavour>/<name> (zr_case_program_path). */
static int compile_case(struct zr_case_spec *c)
{
    char err[1024];
    c->program_dir = zr_make_workdir("case", err, sizeof err);
    if (!c->program_dir) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        return -1;
    }
    for (int m = 0; m < zr_nmodes; m++) {
        if (!c->modes[m].enabled)
            continue;
        char *dir = zr_strdup_printf("%s/%s", c->program_dir, zr_modes[m].flavour->name);
        char *out = zr_strdup_printf("%s/%s", dir, c->name);
        int rc = 0;
        if (access(out, X_OK) != 0) { /* modes of one flavour share a binary */
            rc = zr_mkdirs(dir);
            if (rc != 0)
                snprintf(err, sizeof err, "cannot make %s", dir);
            else
                rc = zr_compile("compile", zr_modes[m].flavour, c->path, out, err, sizeof err);
        }
        free(dir);
        free(out);
        if (rc != 0) {
            fprintf(stderr, "zmq-repro: %s\n", err);
            return -1;
        }
    }
    return 0;
}

/* A case file named by its path, outside cases/ and pyclients/ (a user's
 * own case for their bug), joins the catalog. */
static int add_outside_cases(struct zr_catalog *cat, bool compile, int nargs, char **args)
{
    for (int i = 0; i < nargs; i++) {
        struct stat st;
        if (zr_catalog_find(cat, args[i]) || stat(args[i], &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        struct zr_case_spec *c = zr_catalog_add_outside(cat, args[i]);
        if (c && !c->error && c->language == ZR_LANG_C && compile && compile_case(c) != 0)
            return -1;
    }
    return 0;
}

/* `bench|matrix|bisect|... -- PROGRAM ARGS`: a user's program joins the
 * catalog as a case, judged as check judges it; the command is given its
 * name. */
static int add_program(struct zr_catalog *cat, const struct zr_options *o, int argc, char **argv, char **ref)
{
    char err[1024];
    struct zr_program_request r = {
        .argc = argc, .argv = argv, .expect = o->expect, .server_mode = o->server_mode,
        .timeout_s = o->timeout_s, .stall_s = o->stall_s, .nmodes = o->nmodes, .modes = o->modes,
    };
    struct zr_case_spec *c = zr_catalog_add_program(cat, &r, err, sizeof err);
    if (!c) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        return -1;
    }
    if (c->program->compiled && compile_case(c) != 0)
        return -1;
    *ref = c->id;
    return 0;
}

/* nprogram: how many of the last args are a program and its arguments
 * (after "--"), or -1. */
static int dispatch(const struct zr_command *c, const struct zr_options *o, int nargs, char **args, int nprogram)
{
    char err[1024];
    if (!c->needs_catalog)
        return c->run(o, NULL, nargs, args);
    struct zr_catalog cat;
    if (zr_catalog_load(o->setup.source_dir, &cat, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        return ZR_EXIT_USAGE;
    }
    int rc;
    char *ref = NULL;
    if (nprogram > 0)
        rc = add_program(&cat, o, nprogram, args + nargs - nprogram, &ref) == 0 ? c->run(o, &cat, 1, &ref)
                                                                               : ZR_EXIT_USAGE;
    else
        rc = add_outside_cases(&cat, c->runs_cases, nargs, args) == 0 ? c->run(o, &cat, nargs, args) : ZR_EXIT_USAGE;
    for (int i = 0; i < cat.n; i++)
        if (cat.cases[i].program_dir)
            zr_remove_tree(cat.cases[i].program_dir), cat.cases[i].program_dir = NULL;
    zr_catalog_free(&cat);
    return rc;
}

int main(int argc, char **argv)
{
    char err[1024];
    if (zr_command_table_check(err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: internal: %s\n", err);
        return ZR_EXIT_USAGE;
    }
    struct zr_options o;
    memset(&o, 0, sizeof o);
    if (zr_setup_defaults(&o.setup, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        return ZR_EXIT_USAGE;
    }
    const char *results = getenv("ZR_RESULTS_DIR");
    o.results_dir = results && *results ? results : ZR_SOURCE_DIR "/results/runs";
    o.server_mode = "none";
    o.stall_s = -1;

    bool seen[64] = { false }, help = false, version = false;
    _Static_assert(sizeof seen / sizeof seen[0] >= 40, "room for every option");
    int nprogram = zr_words_after_dashdash(argc, argv); /* counted before getopt permutes the rest */
    int first = zr_parse_options(argc, argv, &o, seen, &help, &version);
    if (first < 0)
        return ZR_EXIT_USAGE;
    if (version) {
        printf("zmq-repro %s\n", ZR_VERSION);
        return 0;
    }
    /* `zmq-repro help [COMMAND]` is the same as --help. */
    if (first < argc && !strcmp(argv[first], "help")) {
        help = true;
        first++;
    }
    if (first >= argc) {
        zr_print_usage(help ? stdout : stderr);
        return help ? 0 : ZR_EXIT_USAGE;
    }
    const struct zr_command *c = zr_command_find(argv[first]);
    if (!c)
        return unknown_command(argv[first]);
    if (help) {
        zr_print_command_help(stdout, c);
        return 0;
    }
    if (refuse_foreign_options(c, seen) != 0 || check_program_operands(c, seen, argc - first - 1, nprogram) != 0)
        return ZR_EXIT_USAGE;
    zr_install_interrupt_handler();
    return dispatch(c, &o, argc - first - 1, argv + first + 1, c->runs_cases ? nprogram : -1);
}
