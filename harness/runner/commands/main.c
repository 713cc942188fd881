/* zmq-repro: reproduces ZeroMQ concurrency failures and checks the correct
 * patterns against them. See `zmq-repro --help` and README.md. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bisect.h"
#include "bundle.h"
#include "check.h"
#include "commands.h"
#include "config.h"
#include "matrix.h"
#include "minimize.h"
#include "process.h"
#include "text.h"

#define MAX_ATTEMPTS 100000

static void usage(FILE *out)
{
    fprintf(out,
        "usage: zmq-repro COMMAND [OPTIONS] [ARGS...]\n"
        "\n"
        "Reproduces ZeroMQ concurrency failures (shared socket, finalize race, hang\n"
        "at shutdown) with real clients against a real ROUTER server, and checks\n"
        "that the correct patterns stay clean, on any libzmq build. A CASE is\n"
        "family/name (see `list`) or the path of its file.\n"
        "\n"
        "commands:\n"
        "  list [CASE...]        the cases, their modes and what each expects\n"
        "  run CASE...|all       run cases (or those matching -L/-m) and judge each against\n"
        "                        its expectation; one JSON result per case, mode and build\n"
        "  bench [CASE...]       the figures: attempts, reproduction rate, time to detect,\n"
        "                        clean runs; every attempt is run\n"
        "  compare OLD NEW       compare two bench JSON files (two runs, two libzmq builds)\n"
        "  builds [NAME...]      the libzmq builds made here, and the modes each can serve;\n"
        "                        with names: the prefix of each (its lib/ holds libzmq.so.5)\n"
        "  build SOURCE          make (once; cached) a libzmq build: SOURCE is system,\n"
        "                        debian (Debian's source package), debian-binary:SUITE,\n"
        "                        a source folder, a tarball, or a git URL[#REF]\n"
        "  build --defaults      the builds the modes use when none is named\n"
        "  check -- PROGRAM ...  your own program under the harness: a .c/.cpp source (built\n"
        "                        here), a .py script, or a program; judged by --expect\n"
        "  check --suite -- CMD  a whole test suite (ctest, pytest) on the build: its exit\n"
        "                        status passes through, its TSan reports are summed up\n"
        "  matrix [CASE...] -b B1 -b B2 ...\n"
        "                        cases x builds x modes, N attempts per cell, into a folder\n"
        "                        (--out): matrix.json, matrix.md, index.html (--jobs cells at once)\n"
        "  merge OUT DIR...      matrix folders of several machines into one\n"
        "  bisect CASE --source SRC --from OLD --to NEW [--looking-for fix|regression]\n"
        "                        the libzmq commit that introduced (or fixed) a case's failure\n"
        "  bisect-step CASE      the step of `git bisect run`, inside a libzmq checkout: builds\n"
        "                        the commit, runs the case; exits 0 old, 1 new, 125 skip\n"
        "  bundle CASE|RESULT    a standalone reproduction to file upstream (--out DIR): the\n"
        "                        client and server sources, run.sh, ISSUE.md, the report\n"
        "  minimize CASE         a smaller C reproduction by C-Vise that still shows the same\n"
        "                        symptom in every one of -n runs (--out DIR)\n"
        "  soak                  the whole ctest suite again and again (--minutes, --jobs):\n"
        "                        verdict flips, leftovers, unparseable results\n"
        "\n"
        "options:\n"
        "  -m, --mode MODE       %s (default: every mode the case has; repeatable)\n"
        "  -L, --label LABEL     select cases by label: a family, c or python, broken or\n"
        "                        fixed, or a mode (several -L: all must match)\n"
        "  -b, --build NAME      the libzmq build to run on (a name from `builds`, or a\n"
        "                        build folder); repeatable: each mode uses the builds that\n"
        "                        fit it. Default: debian-tsan for tsan, system otherwise\n"
        "  -n, --attempts N      broken: attempts until the first reproduction (run: 5);\n"
        "                        fixed: runs that must all be clean (run: 3); bench: 20\n"
        "  -k, --keep-going      run every attempt even after the verdict is known\n"
        "  -t, --transport T     tcp (loopback, OS-chosen port; default) or ipc\n"
        "  -r, --results DIR     where run results go (default: %s/results/runs)\n"
        "      --no-results      write no result file\n"
        "  -j, --json FILE       bench: where the figures go (default: results/bench/<time>.json)\n"
        "      --python PATH     the interpreter that imports zmq (default: %s)\n"
        "      --stack-tool PATH eu-stack, for the stacks of a hung client (default: %s;\n"
        "                        or ZR_STACK_TOOL)\n"
        "      --flavour F       build: tsan (instrumented, for tsan mode), debug (plain with\n"
        "                        symbols), binary (system, debian-binary)\n"
        "      --name NAME       build: the name to give it (default: from the source)\n"
        "      --rebuild         build: again, even when cached\n"
        "      --expect E        check: clean (default: every run clean), hang, any-failure,\n"
        "                        or outcomes as in a case's @expect (TSAN:data-race:@libzmq ...)\n"
        "      --server MODE     check: start the ROUTER server (echo, slow, delay, sink) and\n"
        "                        give its endpoint as {endpoint} in ARGS and ZMQ_REPRO_ENDPOINT\n"
        "      --timeout S       check: the watchdog (default: the mode's)\n"
        "      --stall S|off     check: no progress for S seconds is a hang (default 0.5)\n"
        "      --every-attempt   check: every attempt must show the expectation (not just one)\n"
        "      --known-bugs      check --suite: also suppress the known libzmq bugs\n"
        "                        (harness/tsan/known-libzmq-bugs.txt), to see only the suite's own\n"
        "      --suppressions F  the TSan suppressions (default harness/tsan/suppressions.txt; none)\n"
        "      --minutes M       soak: how long (default 30)\n"
        "      --jobs J          soak: ctest -j J (default twice the cores); matrix: cells at once (1)\n"
        "  -o, --out DIR         matrix, soak, bundle: the folder of their output\n"
        "      --source SRC      bisect: a libzmq git folder, bundle or URL (cloned, never changed)\n"
        "      --from REV, --to REV  bisect: the old and the new revision\n"
        "      --looking-for W   bisect: regression (old clean, new reproduces; default) or fix\n"
        "  -q, --quiet           no per-attempt lines and no report text\n"
        "  -v, --verbose         also the client's command line and environment\n"
        "  -h, --help            this text\n"
        "      --version         the runner's version\n"
        "\n"
        "environment: ZR_TIMEOUT_MULTIPLIER (1 to 100) scales every watchdog, for slow or\n"
        "loaded machines; ZR_CACHE_DIR is where builds are kept (default ~/.cache/zmq-repro);\n"
        "ZR_RESULTS_DIR is the default of --results.\n"
        "\n"
        "exit status: 0 every expectation held, 1 one did not, 2 usage or environment\n"
        "error (never a verdict), 77 nothing failed but something could not be judged\n"
        "here, 130/143 interrupted (what finished is kept).\n",
        zr_mode_names(), ZR_SOURCE_DIR, ZR_PYTHON, ZR_STACK_TOOL);
}

enum {
    OPT_NO_RESULTS = 1000, OPT_PYTHON, OPT_STACK_TOOL, OPT_FLAVOUR, OPT_NAME, OPT_REBUILD, OPT_DEFAULTS, OPT_VERSION,
    OPT_EXPECT, OPT_SERVER, OPT_TIMEOUT, OPT_STALL, OPT_SUITE, OPT_MINUTES, OPT_JOBS,
    OPT_SOURCE, OPT_FROM, OPT_TO, OPT_LOOKING_FOR, OPT_EVERY, OPT_KNOWN_BUGS, OPT_SUPPRESSIONS,
    OPT_DONE,
};

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "zmq-repro: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see zmq-repro --help)\n");
    return -1;
}

/* One option into o; returns -1 to stop with ZR_EXIT_USAGE, 1 to stop with 0. */
static int apply_option(int opt, struct zr_options *o)
{
    long n;
    switch (opt) {
    case 'm': {
        const struct zr_mode *mode = zr_mode_find(optarg);
        if (!mode) {
            fprintf(stderr, "zmq-repro: unknown mode '%s': the modes are %s\n", optarg, zr_mode_names());
            return -1;
        }
        if (o->nmodes < ZR_MAX_MODES)
            o->modes[o->nmodes++] = mode;
        return 0;
    }
    case 'L':
        if (o->nlabels == ZR_MAX_LABELS)
            return usage_error("at most %s labels", "16");
        o->labels[o->nlabels++] = optarg;
        return 0;
    case 'b':
        if (o->nbuilds == ZR_MAX_BUILDS)
            return usage_error("at most %s builds", "32");
        o->builds[o->nbuilds++] = optarg;
        return 0;
    case 'n':
        if (zr_parse_long(optarg, 1, MAX_ATTEMPTS, &n) != 0)
            return usage_error("--attempts takes a whole number from 1 to 100000, not '%s'", optarg);
        o->attempts = (int)n;
        return 0;
    case 'k': o->keep_going = true; return 0;
    case 't':
        if (strcmp(optarg, "tcp") && strcmp(optarg, "ipc"))
            return usage_error("unknown transport '%s': use tcp or ipc", optarg);
        o->setup.transport = optarg;
        return 0;
    case 'r': o->results_dir = optarg; return 0;
    case OPT_NO_RESULTS: o->no_results = true; return 0;
    case 'j': o->json_out = optarg; return 0;
    case 'o': o->out_dir = optarg; return 0;
    case OPT_PYTHON:
        if (access(optarg, X_OK) != 0)
            return usage_error("--python %s: no such program (name an interpreter that imports zmq)", optarg);
        o->setup.python = optarg;
        return 0;
    case OPT_STACK_TOOL: o->setup.stack_tool = optarg; return 0;
    case OPT_FLAVOUR:
        if (strcmp(optarg, "tsan") && strcmp(optarg, "debug") && strcmp(optarg, "binary"))
            return usage_error("unknown flavour '%s': tsan, debug or binary", optarg);
        o->flavour = optarg;
        return 0;
    case OPT_NAME: o->build_name = optarg; return 0;
    case OPT_REBUILD: o->rebuild = true; return 0;
    case OPT_DEFAULTS: o->defaults = true; return 0;
    case OPT_EXPECT: o->expect = optarg; return 0;
    case OPT_SERVER:
        if (strcmp(optarg, "echo") && strcmp(optarg, "slow") && strcmp(optarg, "delay") && strcmp(optarg, "sink") &&
            strcmp(optarg, "none"))
            return usage_error("unknown server mode '%s': echo, slow, delay, sink or none", optarg);
        o->server_mode = optarg;
        return 0;
    case OPT_TIMEOUT:
        if (zr_parse_double(optarg, 0.01, 86400, &o->timeout_s) != 0)
            return usage_error("--timeout takes seconds (above 0, at most a day), not '%s'", optarg);
        return 0;
    case OPT_STALL:
        if (!strcmp(optarg, "off"))
            o->stall_s = 0;
        else if (zr_parse_double(optarg, 0.01, 3600, &o->stall_s) != 0)
            return usage_error("--stall takes seconds or off, not '%s'", optarg);
        return 0;
    case OPT_SUITE: o->suite = true; return 0;
    case OPT_SOURCE: o->source = optarg; return 0;
    case OPT_EVERY: o->every_attempt = true; return 0;
    case OPT_DONE: o->done = true; return 0;
    case OPT_KNOWN_BUGS: o->known_bugs = true; return 0;
    case OPT_SUPPRESSIONS:
        if (!strcmp(optarg, "none"))
            o->setup.suppressions = "/dev/null";
        else if (access(optarg, R_OK) != 0)
            return usage_error("--suppressions %s: no such file (or none)", optarg);
        else
            o->setup.suppressions = optarg;
        return 0;
    case OPT_FROM: o->from_rev = optarg; return 0;
    case OPT_TO: o->to_rev = optarg; return 0;
    case OPT_LOOKING_FOR:
        if (strcmp(optarg, "fix") && strcmp(optarg, "regression"))
            return usage_error("--looking-for is fix or regression, not '%s'", optarg);
        o->looking_for = optarg;
        return 0;
    case OPT_MINUTES:
        if (zr_parse_double(optarg, 0.01, 10080, &o->minutes) != 0)
            return usage_error("--minutes takes a number of minutes (at most a week), not '%s'", optarg);
        return 0;
    case OPT_JOBS:
        if (zr_parse_long(optarg, 1, 256, &n) != 0)
            return usage_error("--jobs takes a whole number from 1 to 256, not '%s'", optarg);
        o->jobs = (int)n;
        return 0;
    case 'q': o->quiet = true; return 0;
    case 'v': o->setup.verbose++; return 0;
    case 'h': usage(stdout); return 1;
    case OPT_VERSION: printf("zmq-repro %s\n", ZR_VERSION); return 1;
    default: fprintf(stderr, "zmq-repro: see zmq-repro --help\n"); return -1;
    }
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "mode", required_argument, NULL, 'm' },      { "label", required_argument, NULL, 'L' },
        { "build", required_argument, NULL, 'b' },     { "attempts", required_argument, NULL, 'n' },
        { "keep-going", no_argument, NULL, 'k' },      { "transport", required_argument, NULL, 't' },
        { "results", required_argument, NULL, 'r' },   { "no-results", no_argument, NULL, OPT_NO_RESULTS },
        { "json", required_argument, NULL, 'j' },      { "out", required_argument, NULL, 'o' },
        { "python", required_argument, NULL, OPT_PYTHON }, { "stack-tool", required_argument, NULL, OPT_STACK_TOOL },
        { "flavour", required_argument, NULL, OPT_FLAVOUR }, { "name", required_argument, NULL, OPT_NAME },
        { "rebuild", no_argument, NULL, OPT_REBUILD }, { "defaults", no_argument, NULL, OPT_DEFAULTS },
        { "quiet", no_argument, NULL, 'q' },           { "verbose", no_argument, NULL, 'v' },
        { "expect", required_argument, NULL, OPT_EXPECT }, { "server", required_argument, NULL, OPT_SERVER },
        { "timeout", required_argument, NULL, OPT_TIMEOUT }, { "stall", required_argument, NULL, OPT_STALL },
        { "suite", no_argument, NULL, OPT_SUITE },     { "minutes", required_argument, NULL, OPT_MINUTES },
        { "jobs", required_argument, NULL, OPT_JOBS },     { "source", required_argument, NULL, OPT_SOURCE },
        { "from", required_argument, NULL, OPT_FROM },     { "to", required_argument, NULL, OPT_TO },
        { "looking-for", required_argument, NULL, OPT_LOOKING_FOR }, { "every-attempt", no_argument, NULL, OPT_EVERY },
        { "known-bugs", no_argument, NULL, OPT_KNOWN_BUGS }, { "suppressions", required_argument, NULL, OPT_SUPPRESSIONS },
        { "help", no_argument, NULL, 'h' },            { "version", no_argument, NULL, OPT_VERSION },
        { "done", no_argument, NULL, OPT_DONE },
        { NULL, 0, NULL, 0 },
    };
    struct zr_options o;
    memset(&o, 0, sizeof o);
    char err[1024];
    if (zr_setup_defaults(&o.setup, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        return ZR_EXIT_USAGE;
    }
    const char *results = getenv("ZR_RESULTS_DIR");
    o.results_dir = results && *results ? results : ZR_SOURCE_DIR "/results/runs";
    o.server_mode = "none";
    o.stall_s = -1;

    /* GNU getopt permutes: options may stand before or after the command. */
    int opt;
    while ((opt = getopt_long(argc, argv, "m:L:b:n:kt:r:j:o:qvh", options, NULL)) != -1) {
        int rc = apply_option(opt, &o);
        if (rc != 0)
            return rc > 0 ? 0 : ZR_EXIT_USAGE;
    }
    if (optind >= argc) {
        usage(stderr);
        return ZR_EXIT_USAGE;
    }
    const char *command = argv[optind++];
    int nargs = argc - optind;
    char **args = argv + optind;
    zr_install_interrupt_handler();

    if (!strcmp(command, "compare")) {
        if (nargs != 2) {
            fprintf(stderr, "zmq-repro: compare takes two bench JSON files: zmq-repro compare OLD.json NEW.json\n");
            return ZR_EXIT_USAGE;
        }
        return zr_cmd_compare(args[0], args[1]);
    }
    if (!strcmp(command, "builds"))
        return zr_cmd_builds(&o, nargs, args);
    if (!strcmp(command, "build"))
        return zr_cmd_build(&o, nargs, args);
    if (!strcmp(command, "check"))
        return zr_cmd_check(&o, nargs, args);
    if (!strcmp(command, "soak"))
        return zr_cmd_soak(&o);
    if (!strcmp(command, "merge"))
        return zr_cmd_merge(&o, nargs, args);

    struct zr_catalog cat;
    if (zr_catalog_load(o.setup.source_dir, &cat, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        return ZR_EXIT_USAGE;
    }
    int rc;
    if (!strcmp(command, "list"))
        rc = zr_cmd_list(&o, &cat, nargs, args);
    else if (!strcmp(command, "run"))
        rc = zr_cmd_run(&o, &cat, nargs, args);
    else if (!strcmp(command, "bench"))
        rc = zr_cmd_bench(&o, &cat, nargs, args);
    else if (!strcmp(command, "matrix"))
        rc = zr_cmd_matrix(&o, &cat, nargs, args);
    else if (!strcmp(command, "cell"))
        rc = zr_cmd_cell(&o, &cat, nargs, args);
    else if (!strcmp(command, "minimize"))
        rc = zr_cmd_minimize(&o, &cat, nargs, args);
    else if (!strcmp(command, "bundle"))
        rc = zr_cmd_bundle(&o, &cat, nargs, args);
    else if (!strcmp(command, "bisect"))
        rc = zr_cmd_bisect(&o, &cat, nargs, args);
    else if (!strcmp(command, "bisect-step"))
        rc = zr_cmd_bisect_step(&o, &cat, nargs, args);
    else {
        fprintf(stderr, "zmq-repro: unknown command '%s' (list, run, bench, compare, builds, build, check, matrix, merge, "
                        "bundle, minimize, bisect, soak; see --help)\n",
                command);
        rc = ZR_EXIT_USAGE;
    }
    zr_catalog_free(&cat);
    return rc;
}
