/* zmq-repro: runs the cases of the ZeroMQ concurrency reproduction harness.
 * See `zmq-repro --help` and README.md. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "process.h"

static void usage(FILE *out)
{
    fprintf(out,
        "usage: zmq-repro COMMAND [OPTIONS] [CASE...]\n"
        "\n"
        "Reproduces ZeroMQ concurrency failures (shared socket, finalize race, hang\n"
        "at shutdown) with real clients against a real ROUTER server, and checks\n"
        "the correct patterns stay clean. A CASE is family/name (see `list`) or\n"
        "the path of its file.\n"
        "\n"
        "commands:\n"
        "  list                 the cases, their modes and what each expects\n"
        "  run CASE...|all      run cases (or those matching -L/-m) and judge each\n"
        "                       against its expectation; one JSON result per case and mode\n"
        "  bench [CASE...]      the figures: attempts, reproduction rate, time to\n"
        "                       detect, clean runs; every attempt is run\n"
        "  compare OLD NEW      compare two bench JSON files (two runs, two libzmq builds)\n"
        "\n"
        "options:\n"
        "  -m, --mode MODE      tsan or stress (default: every mode the case has)\n"
        "  -L, --label LABEL    select cases by label: a family, c or python, broken or\n"
        "                       fixed, tsan or stress (several -L: all must match)\n"
        "  -n, --attempts N     broken: attempts until the first reproduction (run: 5);\n"
        "                       fixed: runs that must all be clean (run: 3); bench: 20\n"
        "  -k, --keep-going     run every attempt even after the verdict is known\n"
        "  -t, --transport T    tcp (loopback, OS-chosen port; default) or ipc\n"
        "  -r, --results DIR    where result files go (default: %s/results/runs)\n"
        "      --no-results     write no result file\n"
        "  -j, --json FILE      bench: where the figures go as JSON\n"
        "                       (default: results/bench/<time>.json)\n"
        "      --tsan-libzmq P  the instrumented libzmq prefix to use in tsan mode\n"
        "                       (default: %s)\n"
        "      --python PATH    the interpreter that imports zmq (default: %s)\n"
        "  -q, --quiet          no per-attempt lines and no report text\n"
        "  -v, --verbose        the client's command and environment\n"
        "  -h, --help           this text\n"
        "\n"
        "exit status: 0 every expectation held, 1 one did not, 2 usage or\n"
        "environment error (never a reproduction).\n",
        ZR_SOURCE_DIR, ZR_TSAN_LIBZMQ, ZR_PYTHON);
}

/* One option into o; returns -1 to stop with ZR_EXIT_USAGE, 1 after --help. */
static int apply_option(int opt, struct zr_options *o)
{
    enum zr_mode mode;
    switch (opt) {
    case 'm':
        if (zr_mode_from_name(optarg, &mode) != 0) {
            fprintf(stderr, "zmq-repro: unknown mode '%s': use tsan or stress\n", optarg);
            return -1;
        }
        if (o->nmodes < ZR_MODE_COUNT)
            o->modes[o->nmodes++] = mode;
        return 0;
    case 'L':
        if (o->nlabels == 8) {
            fprintf(stderr, "zmq-repro: at most 8 labels\n");
            return -1;
        }
        o->labels[o->nlabels++] = optarg;
        return 0;
    case 'n':
        o->attempts = atoi(optarg);
        if (o->attempts < 1) {
            fprintf(stderr, "zmq-repro: --attempts needs a number of at least 1\n");
            return -1;
        }
        return 0;
    case 'k': o->keep_going = true; return 0;
    case 't':
        if (strcmp(optarg, "tcp") && strcmp(optarg, "ipc")) {
            fprintf(stderr, "zmq-repro: unknown transport '%s': use tcp or ipc\n", optarg);
            return -1;
        }
        o->setup.transport = optarg;
        return 0;
    case 'r': o->results_dir = optarg; return 0;
    case 'R': o->no_results = true; return 0;
    case 'j': o->json_out = optarg; return 0;
    case 'Z': o->setup.tsan_libzmq = optarg; return 0;
    case 'P': o->setup.python = optarg; return 0;
    case 'q': o->quiet = true; return 0;
    case 'v': o->setup.verbose = true; return 0;
    case 'h': usage(stdout); return 1;
    default: usage(stderr); return -1;
    }
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "mode", required_argument, NULL, 'm' },        { "label", required_argument, NULL, 'L' },
        { "attempts", required_argument, NULL, 'n' },    { "keep-going", no_argument, NULL, 'k' },
        { "transport", required_argument, NULL, 't' },   { "results", required_argument, NULL, 'r' },
        { "no-results", no_argument, NULL, 'R' },        { "json", required_argument, NULL, 'j' },
        { "tsan-libzmq", required_argument, NULL, 'Z' }, { "python", required_argument, NULL, 'P' },
        { "quiet", no_argument, NULL, 'q' },             { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },              { NULL, 0, NULL, 0 },
    };
    struct zr_options o;
    memset(&o, 0, sizeof o);
    o.setup.source_dir = ZR_SOURCE_DIR;
    o.setup.build_dir = ZR_BUILD_DIR;
    o.setup.server = ZR_BUILD_DIR "/router_server";
    o.setup.python = ZR_PYTHON;
    o.setup.libtsan = ZR_LIBTSAN;
    o.setup.tsan_libzmq = ZR_TSAN_LIBZMQ;
    o.setup.suppressions = ZR_SOURCE_DIR "/harness/tsan/suppressions.txt";
    o.setup.transport = "tcp";
    o.results_dir = ZR_SOURCE_DIR "/results/runs";

    /* GNU getopt permutes: options may stand before or after the command. */
    int opt;
    while ((opt = getopt_long(argc, argv, "m:L:n:kt:r:j:qvh", options, NULL)) != -1) {
        int rc = apply_option(opt, &o);
        if (rc != 0)
            return rc > 0 ? 0 : ZR_EXIT_USAGE;
    }
    if (optind >= argc) {
        usage(stderr);
        return ZR_EXIT_USAGE;
    }
    const char *command = argv[optind++];
    int ncases = argc - optind;
    char **cases = argv + optind;

    if (!strcmp(command, "compare")) {
        if (ncases != 2) {
            fprintf(stderr, "zmq-repro: compare takes two bench JSON files: zmq-repro compare OLD.json NEW.json\n");
            return ZR_EXIT_USAGE;
        }
        return zr_cmd_compare(cases[0], cases[1]);
    }

    struct zr_catalog cat;
    char err[1024];
    if (zr_catalog_load(o.setup.source_dir, &cat, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        return ZR_EXIT_USAGE;
    }
    zr_install_cleanup_handler();
    int rc;
    if (!strcmp(command, "list"))
        rc = zr_cmd_list(&o, &cat);
    else if (!strcmp(command, "run"))
        rc = zr_cmd_run(&o, &cat, ncases, cases);
    else if (!strcmp(command, "bench"))
        rc = zr_cmd_bench(&o, &cat, ncases, cases);
    else {
        fprintf(stderr, "zmq-repro: unknown command '%s' (list, run, bench, compare; see --help)\n", command);
        rc = ZR_EXIT_USAGE;
    }
    zr_catalog_free(&cat);
    return rc;
}
