#include "options.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "modes.h"
#include "text.h"

#define MAX_ATTEMPTS 100000

/* Indexed by these ids, so that applying an option is one switch. */
enum option_id {
    O_MODE, O_LABEL, O_BUILD, O_ATTEMPTS, O_KEEP_GOING, O_TRANSPORT, O_RESULTS, O_NO_RESULTS, O_JSON, O_OUT,
    O_PYTHON, O_STACK_TOOL, O_FLAVOUR, O_NAME, O_REBUILD, O_DEFAULTS, O_PRUNE, O_EXPECT, O_SERVER, O_TIMEOUT, O_STALL,
    O_EVERY, O_DONE, O_AS_BUG, O_BASELINE, O_SUITE, O_KNOWN_BUGS, O_SUPPRESSIONS, O_MINUTES, O_JOBS, O_SOURCE, O_FROM, O_TO, O_LOOKING_FOR,
    O_SEED, O_ROWS, O_BISECT, O_QUIET, O_VERBOSE, O_HELP, O_VERSION, O_COUNT,
};

const struct zr_option zr_option_table[] = {
    [O_MODE] = { "mode", 'm', true, "MODE", "the mode (repeatable; default: every mode the case has)" },
    [O_LABEL] = { "label", 'L', true, "LABEL",
                  "select cases by label: a family, c or python, broken or\n"
                  "fixed, or a mode (several -L: all must match)" },
    [O_BUILD] = { "build", 'b', true, "NAME",
                  "the libzmq build to run on (a name from `builds`, or a\n"
                  "build folder); repeatable: each mode uses the builds that\n"
                  "fit it. Default: debian-tsan for tsan, system otherwise" },
    [O_ATTEMPTS] = { "attempts", 'n', true, "N",
                     "broken: attempts until the first reproduction (run: 5);\n"
                     "fixed: runs that must all be clean (run: 3); bench: 20;\n"
                     "check: 1" },
    [O_KEEP_GOING] = { "keep-going", 'k', false, NULL, "run every attempt even after the verdict is known" },
    [O_TRANSPORT] = { "transport", 't', true, "T", "tcp (loopback, OS-chosen port; default) or ipc" },
    [O_RESULTS] = { "results", 'r', true, "DIR", "where run results go" },
    [O_NO_RESULTS] = { "no-results", 0, false, NULL, "write no result file" },
    [O_JSON] = { "json", 'j', true, "FILE", "where the JSON output goes (bench: the figures, default\n"
                 "results/bench/<time>.json; bisect: the record, default\n"
                 "results/bisect/<case>-<mode>.json)" },
    [O_OUT] = { "out", 'o', true, "DIR", "the folder of the output" },
    [O_PYTHON] = { "python", 0, true, "NAME|PATH", "the interpreter that imports zmq: a Python\n"
                   "build (python:trixie, see builds) or a program;\n"
                   "matrix: repeatable, a column per build and Python" },
    [O_STACK_TOOL] = { "stack-tool", 0, true, "PATH", "eu-stack, for the stacks of a hung client (or\n"
                                                                "ZR_STACK_TOOL)" },
    [O_FLAVOUR] = { "flavour", 0, true, "F",
                    "tsan (instrumented, for tsan mode), debug (plain with\n"
                    "symbols), binary (system, debian-binary)" },
    [O_NAME] = { "name", 0, true, "NAME", "the name to give the build (default: from the source)" },
    [O_REBUILD] = { "rebuild", 0, false, NULL, "build again, even when cached" },
    [O_DEFAULTS] = { "defaults", 0, false, NULL, "the builds the modes use when none is named" },
    [O_PRUNE] = { "prune", 0, false, NULL,
                  "remove the builds bisect made, store entries no name points to, and what stopped builds left" },
    [O_EXPECT] = { "expect", 0, true, "E",
                   "clean (default: every run clean), hang, any-failure, or\n"
                   "outcomes as in a case's @expect (TSAN:data-race:@libzmq\n"
                   "HANG:zmq_ctx_term ...)" },
    [O_SERVER] = { "server", 0, true, "MODE",
                   "start the ROUTER server (echo, slow, delay, sink) and\n"
                   "give its endpoint as {endpoint} in ARGS and\n"
                   "ZMQ_REPRO_ENDPOINT" },
    [O_TIMEOUT] = { "timeout", 0, true, "S", "the watchdog (default: the mode's)" },
    [O_STALL] = { "stall", 0, true, "S|off",
                  "every thread waiting with no deadline (poll(-1), a lock, a blocking read) and no progress for S "
                  "seconds is a hang at once, before the watchdog (default 0.5); a bounded wait (a timed poll, a "
                  "sleep) never is" },
    [O_EVERY] = { "every-attempt", 0, false, NULL, "every attempt must show the expectation (not just\n"
                                                 "one)" },
    [O_DONE] = { "done", 0, false, NULL,
                 "hold the program to the cases' contract: DONE as its last line of stdout, with its sent/received "
                 "accounting (cases/README.md)" },
    [O_AS_BUG] = { "as-bug", 0, false, NULL,
                   "file it as a libzmq bug even when the diagnosis says it is the program's own doing (the bundle "
                   "is otherwise an explanation of the usage error and its fix)" },
    [O_BASELINE] = { "baseline", 0, false, NULL,
                     "with --suite: run it once more with no sanitizer, on the plain build, and name the tests that "
                     "fail only under TSan (a pytest suite)" },
    [O_SUITE] = { "suite", 0, false, NULL,
                  "run a whole test suite (ctest, pytest) on the build:\n"
                  "its exit status passes through, its TSan reports are\n"
                  "summed up" },
    [O_KNOWN_BUGS] = { "known-bugs", 0, false, NULL,
                       "with --suite: also suppress the known libzmq bugs\n"
                       "(harness/tsan/known-libzmq-bugs.txt), to see only the\n"
                       "suite's own" },
    [O_SUPPRESSIONS] = { "suppressions", 0, true, "F",
                         "the TSan suppressions (default\n"
                         "harness/tsan/suppressions.txt; none)" },
    [O_MINUTES] = { "minutes", 0, true, "M", "how long (default 30)" },
    [O_JOBS] = { "jobs", 0, true, "J", "at once: soak: ctest -j J (default twice the cores);\n"
                   "matrix: cells (1); minimize: C-Vise's jobs" },
    [O_SOURCE] = { "source", 0, true, "SRC", "a libzmq git folder, bundle or URL (cloned, never\n"
                     "changed)" },
    [O_FROM] = { "from", 0, true, "REV", "the old revision" },
    [O_TO] = { "to", 0, true, "REV", "the new revision" },
    [O_LOOKING_FOR] = { "looking-for", 0, true, "W",
                        "regression (old clean, new reproduces; default) or\n"
                        "fix" },
    [O_SEED] = { "seed", 0, true, "N",
                 "perturb mode: the seed of every attempt, to replay a run (default: one drawn per attempt, kept in "
                 "the result)" },
    [O_ROWS] = { "rows", 0, true, "R",
                 "the cases of matrix.md: all (default; cut to fit one\n"
                 "GitHub comment) or differing (only those whose verdict\n"
                 "differs between versions)" },
    [O_BISECT] = { "bisect", 0, true, "FILE",
                   "a record of `zmq-repro bisect` (its --json): its commit\n"
                   "is shown on the rows of its case (repeatable)" },
    [O_QUIET] = { "quiet", 'q', false, NULL, "no per-attempt lines and no report text" },
    [O_VERBOSE] = { "verbose", 'v', false, NULL, "also the client's command line and environment" },
    [O_HELP] = { "help", 'h', false, NULL, "this text" },
    [O_VERSION] = { "version", 0, false, NULL, "the runner's version" },
};
const int zr_noptions = O_COUNT;

_Static_assert(sizeof zr_option_table / sizeof zr_option_table[0] == O_COUNT, "one entry per option id");

const struct zr_option *zr_option_find(const char *name)
{
    for (int i = 0; i < O_COUNT; i++)
        if (!strcmp(zr_option_table[i].name, name))
            return &zr_option_table[i];
    return NULL;
}

const char *zr_option_default(const char *name, char *buf, size_t len)
{
    if (!strcmp(name, "mode"))
        snprintf(buf, len, "modes: %s", zr_mode_names());
    else if (!strcmp(name, "results"))
        snprintf(buf, len, "default: %s/results/runs, or ZR_RESULTS_DIR", ZR_SOURCE_DIR);
    else if (!strcmp(name, "python"))
        snprintf(buf, len, "default: %s", ZR_PYTHON);
    else if (!strcmp(name, "stack-tool"))
        snprintf(buf, len, "default: %s", ZR_STACK_TOOL);
    else
        return NULL;
    return buf;
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "zmq-repro: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see zmq-repro --help)\n");
    return -1;
}

static bool one_of(const char *word, const char *const *words)
{
    for (int i = 0; words[i]; i++)
        if (!strcmp(word, words[i]))
            return true;
    return false;
}

/* The options that take a choice of words or a number. */
static int apply_checked(enum option_id id, const char *arg, struct zr_options *o)
{
    static const char *const transports[] = { "tcp", "ipc", NULL };
    static const char *const flavours[] = { "tsan", "debug", "binary", NULL };
    static const char *const servers[] = { "echo", "slow", "delay", "sink", "none", NULL };
    static const char *const looking_for[] = { "fix", "regression", NULL };
    static const char *const rows[] = { "all", "differing", NULL };
    long n;
    switch (id) {
    case O_ATTEMPTS:
        if (zr_parse_long(arg, 1, MAX_ATTEMPTS, &n) != 0)
            return usage_error("--attempts takes a whole number from 1 to 100000, not '%s'", arg);
        o->attempts = (int)n;
        return 0;
    case O_TRANSPORT:
        if (!one_of(arg, transports))
            return usage_error("unknown transport '%s': use tcp or ipc", arg);
        o->setup.transport = arg;
        return 0;
    case O_FLAVOUR:
        if (!one_of(arg, flavours))
            return usage_error("unknown flavour '%s': tsan, debug or binary", arg);
        o->flavour = arg;
        return 0;
    case O_SERVER:
        if (!one_of(arg, servers))
            return usage_error("unknown server mode '%s': echo, slow, delay, sink or none", arg);
        o->server_mode = arg;
        return 0;
    case O_LOOKING_FOR:
        if (!one_of(arg, looking_for))
            return usage_error("--looking-for is fix or regression, not '%s'", arg);
        o->looking_for = arg;
        return 0;
    case O_ROWS:
        if (!one_of(arg, rows))
            return usage_error("--rows is all or differing, not '%s'", arg);
        o->rows_differing = !strcmp(arg, "differing");
        return 0;
    case O_TIMEOUT:
        if (zr_parse_double(arg, 0.01, 86400, &o->timeout_s) != 0)
            return usage_error("--timeout takes seconds (above 0, at most a day), not '%s'", arg);
        return 0;
    case O_STALL:
        if (!strcmp(arg, "off"))
            o->stall_s = 0;
        else if (zr_parse_double(arg, 0.01, 3600, &o->stall_s) != 0)
            return usage_error("--stall takes seconds or off, not '%s'", arg);
        return 0;
    case O_MINUTES:
        if (zr_parse_double(arg, 0.01, 10080, &o->minutes) != 0)
            return usage_error("--minutes takes a number of minutes, at least 0.01 and at most a week, not '%s'", arg);
        return 0;
    case O_SEED:
        if (zr_parse_long(arg, 1, LONG_MAX, &n) != 0)
            return usage_error("--seed takes a whole number above 0, not '%s'", arg);
        o->setup.seed = (unsigned long long)n;
        return 0;
    case O_JOBS:
        if (zr_parse_long(arg, 1, 256, &n) != 0)
            return usage_error("--jobs takes a whole number from 1 to 256, not '%s'", arg);
        o->jobs = (int)n;
        return 0;
    default:
        return usage_error("internal: option %s has no rule", zr_option_table[id].name);
    }
}

static int apply_option(enum option_id id, const char *arg, struct zr_options *o)
{
    switch (id) {
    case O_MODE: {
        const struct zr_mode *mode = zr_mode_find(arg);
        if (!mode) {
            fprintf(stderr, "zmq-repro: unknown mode '%s': the modes are %s\n", arg, zr_mode_names());
            return -1;
        }
        if (o->nmodes < ZR_MAX_MODES)
            o->modes[o->nmodes++] = mode;
        return 0;
    }
    case O_LABEL:
        if (o->nlabels == ZR_MAX_LABELS)
            return usage_error("at most %s labels", "16");
        o->labels[o->nlabels++] = arg;
        return 0;
    case O_BUILD:
        if (o->nbuilds == ZR_MAX_BUILDS)
            return usage_error("at most %s builds", "32");
        o->builds[o->nbuilds++] = arg;
        return 0;
    case O_PYTHON: {
        char why[512];
        if (zr_setup_use_python(&o->setup, arg, why, sizeof why) != 0)
            return usage_error("--python: %s", why);
        if (o->npythons == ZR_MAX_PYTHONS)
            return usage_error("at most %s Pythons", "8");
        o->pythons[o->npythons++] = arg;
        return 0;
    }
    case O_SUPPRESSIONS:
        if (!strcmp(arg, "none"))
            o->setup.suppressions = "/dev/null";
        else if (access(arg, R_OK) != 0)
            return usage_error("--suppressions %s: no such file (or none)", arg);
        else
            o->setup.suppressions = arg;
        return 0;
    case O_KEEP_GOING: o->keep_going = true; return 0;
    case O_RESULTS: o->results_dir = arg; return 0;
    case O_NO_RESULTS: o->no_results = true; return 0;
    case O_JSON: o->json_out = arg; return 0;
    case O_OUT: o->out_dir = arg; return 0;
    case O_BISECT:
        if (o->nbisects == ZR_MAX_BISECTS)
            return usage_error("at most %s bisect records", "32");
        o->bisects[o->nbisects++] = arg;
        return 0;
    case O_STACK_TOOL: o->setup.stack_tool = arg; return 0;
    case O_NAME:
        /* A build's name is a folder's, a column's and a table cell's: plain characters only. */
        if (!*arg || strlen(arg) > 64 || strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+") !=
                                             strlen(arg) || arg[0] == '.' || arg[0] == '-')
            return usage_error("--name takes letters, digits and . _ - + (at most 64, not starting with . or -), "
                               "not '%s'", arg);
        o->build_name = arg;
        return 0;
    case O_REBUILD: o->rebuild = true; return 0;
    case O_DEFAULTS: o->defaults = true; return 0;
    case O_PRUNE: o->prune = true; return 0;
    case O_EXPECT: o->expect = arg; return 0;
    case O_EVERY: o->every_attempt = true; return 0;
    case O_DONE: o->done = true; return 0;
    case O_AS_BUG: o->as_bug = true; return 0;
    case O_BASELINE: o->baseline = true; return 0;
    case O_SUITE: o->suite = true; return 0;
    case O_KNOWN_BUGS: o->known_bugs = true; return 0;
    case O_SOURCE: o->source = arg; return 0;
    case O_FROM: o->from_rev = arg; return 0;
    case O_TO: o->to_rev = arg; return 0;
    case O_QUIET: o->quiet = true; return 0;
    case O_VERBOSE: o->setup.verbose++; return 0;
    case O_HELP: case O_VERSION: return 0;
    default: return apply_checked(id, arg, o);
    }
}

/* getopt_long's view of the table: long options return 1000 + their id. */
static void getopt_tables(struct option *longs, char *shorts)
{
    char *s = shorts;
    for (int i = 0; i < O_COUNT; i++) {
        const struct zr_option *opt = &zr_option_table[i];
        longs[i] = (struct option){ opt->name, opt->has_arg ? required_argument : no_argument, NULL, 1000 + i };
        if (opt->short_name) {
            *s++ = (char)opt->short_name;
            if (opt->has_arg)
                *s++ = ':';
        }
    }
    longs[O_COUNT] = (struct option){ NULL, 0, NULL, 0 };
    *s = '\0';
}

static int id_of(int val)
{
    if (val >= 1000 && val < 1000 + O_COUNT)
        return val - 1000;
    for (int i = 0; i < O_COUNT; i++)
        if (zr_option_table[i].short_name == val)
            return i;
    return -1;
}

int zr_parse_options(int argc, char **argv, struct zr_options *o, bool *seen, bool *help, bool *version)
{
    struct option longs[O_COUNT + 1];
    char shorts[2 * O_COUNT + 1];
    getopt_tables(longs, shorts);
    int val;
    while ((val = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        int id = id_of(val);
        if (id < 0) {
            fprintf(stderr, "zmq-repro: see zmq-repro --help\n");
            return -1;
        }
        seen[id] = true;
        *help |= id == O_HELP;
        *version |= id == O_VERSION;
        if (apply_option((enum option_id)id, optarg, o) != 0)
            return -1;
    }
    return optind;
}

/* Whether the option word takes the next word as its argument. */
static bool takes_next(const char *word)
{
    if (word[0] != '-' || !word[1])
        return false;
    if (word[1] == '-') {
        const struct zr_option *opt = strchr(word, '=') ? NULL : zr_option_find(word + 2);
        return opt && opt->has_arg;
    }
    /* -m tsan, or -mtsan; -qv: flags, the last of which may take the next word. */
    for (const char *c = word + 1; *c; c++)
        for (int i = 0; i < O_COUNT; i++)
            if (zr_option_table[i].short_name == *c && zr_option_table[i].has_arg)
                return c[1] == '\0';
    return false;
}

int zr_words_after_dashdash(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            return argc - i - 1;
        if (takes_next(argv[i]))
            i++;
    }
    return -1;
}
