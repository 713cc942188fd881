#include "table.h"

#include <stdio.h>
#include <string.h>

#include "bisect.h"
#include "bundle.h"
#include "check.h"
#include "matrix.h"
#include "minimize.h"
#include "options.h"

/* What every command that runs a client takes: how it is run and shown. */
#define RUNNING "transport python stack-tool suppressions seed quiet verbose"
/* What judges a program given as -- PROGRAM ARGS, as check does. */
#define JUDGING "expect server timeout stall"

/* The commands whose functions take no catalog. */
static int compare(const struct zr_options* o, const struct zr_catalog* cat, int nargs, char** args)
{
    (void)o;
    (void)cat;
    if (nargs != 2) {
        fprintf(stderr, "zmq-repro: compare takes two bench JSON files: zmq-repro compare OLD.json NEW.json\n");
        return ZR_EXIT_USAGE;
    }
    return zr_cmd_compare(args[0], args[1]);
}

static int builds(const struct zr_options* o, const struct zr_catalog* cat, int nargs, char** args)
{
    (void)cat;
    return zr_cmd_builds(o, nargs, args);
}

static int build(const struct zr_options* o, const struct zr_catalog* cat, int nargs, char** args)
{
    (void)cat;
    return zr_cmd_build(o, nargs, args);
}

static int check(const struct zr_options* o, const struct zr_catalog* cat, int nargs, char** args)
{
    (void)cat;
    return zr_cmd_check(o, nargs, args);
}

static int merge(const struct zr_options* o, const struct zr_catalog* cat, int nargs, char** args)
{
    (void)cat;
    return zr_cmd_merge(o, nargs, args);
}

static int soak(const struct zr_options* o, const struct zr_catalog* cat, int nargs, char** args)
{
    (void)cat;
    (void)args;
    if (nargs != 0) {
        fprintf(stderr, "zmq-repro: soak takes no arguments (--minutes, --jobs, --out, -L)\n");
        return ZR_EXIT_USAGE;
    }
    return zr_cmd_soak(o);
}

const struct zr_command zr_commands[] = {
    {
        .name = "list",
        .synopsis = "[CASE...]",
        .summary = "the cases, their modes and what each expects",
        .options = "mode label",
        .needs_catalog = true,
        .run = zr_cmd_list,
        .examples = "zmq-repro list -L shared-socket\nzmq-repro list -m owner -L broken",
    },
    {
        .name = "run",
        .synopsis = "CASE...|all | -- PROGRAM [ARGS...]",
        .summary = "run cases (or those matching -L/-m) and judge each against its expectation; one JSON result per "
                   "case, mode and build",
        .options = "mode label build attempts keep-going results no-results " RUNNING " " JUDGING,
        .needs_catalog = true,
        .runs_cases = true,
        .takes_program = true,
        .run = zr_cmd_run,
        .examples = "zmq-repro run shared-socket/broken_send_recv_threads -m tsan\nzmq-repro run all -L fixed -b "
                    "trixie-binary -n 20",
    },
    {
        .name = "bench",
        .synopsis = "[CASE...] | -- PROGRAM [ARGS...]",
        .summary = "the figures: attempts, reproduction rate, time to detect, clean runs; every attempt is run",
        .options = "mode label build attempts json " RUNNING " " JUDGING,
        .needs_catalog = true,
        .runs_cases = true,
        .takes_program = true,
        .run = zr_cmd_bench,
        .examples
        = "zmq-repro bench -n 100 -L broken -L tsan -L shared-socket\nzmq-repro bench -n 30 -m stress -j stress.json",
    },
    {
        .name = "compare",
        .synopsis = "OLD.json NEW.json",
        .summary = "compare two bench JSON files (two runs, two libzmq builds)",
        .options = "",
        .run = compare,
        .examples = "zmq-repro compare results/bench/a.json results/bench/b.json",
    },
    {
        .name = "builds",
        .synopsis = "[NAME...]",
        .summary = "the libzmq builds made here, and the modes each can serve; with names: the prefix of each (its "
                   "lib/ holds libzmq.so.5)",
        .options = "prune",
        .run = builds,
        .examples = "zmq-repro builds\nzmq-repro builds debian-tsan\nzmq-repro builds --prune",
    },
    {
        .name = "build",
        .synopsis = "SOURCE | --defaults",
        .summary = "make (once; cached) a libzmq build: SOURCE is system, debian (Debian's source package), "
                   "debian-binary:SUITE, a source folder, a tarball, or a git URL[#REF]",
        .options = "flavour name rebuild defaults verbose",
        .run = build,
        .examples = "zmq-repro build --defaults\nzmq-repro build ../shared/libzmq/libzmq-4.3.2.tar.gz --flavour tsan",
    },
    {
        .name = "check",
        .synopsis = "[OPTIONS] -- PROGRAM [ARGS...]",
        .summary = "your own program under the harness: a .c/.cpp source (built here), a .py script, or a program; "
                   "with --suite, a whole test suite (ctest, pytest)",
        .options = "mode build attempts keep-going results no-results expect server timeout stall every-attempt done suite baseline "
                   "known-bugs " RUNNING,
        .run = check,
        .examples = "zmq-repro check -m tsan -m owner -- my_client.py\n"
                    "zmq-repro check --server echo --expect hang -- client.c '{endpoint}'\n"
                    "zmq-repro check --suite -b debian-tsan -- ctest --test-dir libzmq/build",
    },
    {
        .name = "matrix",
        .synopsis = "[CASE...] -b B1 -b B2 ... [-- PROGRAM [ARGS...]]",
        .summary
        = "cases x builds x modes, N attempts per cell, into a folder (--out): matrix.json, matrix.md, index.html",
        .options = "mode label build attempts out json jobs rows bisect " RUNNING " " JUDGING,
        .needs_catalog = true,
        .runs_cases = true,
        .takes_program = true,
        .run = zr_cmd_matrix,
        .examples = "zmq-repro matrix -L hang-at-shutdown -b 4.3.2-tsan -b 4.3.3-tsan -n 5 -o results/m\n"
                    "zmq-repro matrix -m stress -b system -b trixie-binary --jobs 2\n"
                    "zmq-repro matrix -L hang-at-shutdown -b 4.3.2-debug -b 4.3.3-debug \\\n"
                    "    --bisect results/bisect/hang-at-shutdown-broken_socket_after_ctx_shutdown-stress.json",
    },
    {
        .name = "cell",
        .synopsis = "CASE -m MODE -b BUILD --json FILE",
        .summary = "one cell of a matrix (run by matrix)",
        .options = "mode build attempts json " RUNNING " " JUDGING,
        .needs_catalog = true,
        .runs_cases = true,
        .takes_program = true,
        .hidden = true,
        .run = zr_cmd_cell,
    },
    {
        .name = "merge",
        .synopsis = "OUT DIR...",
        .summary = "matrix folders of several machines into one",
        .options = "rows bisect",
        .run = merge,
        .examples = "zmq-repro merge results/all results/host-a results/host-b\n"
                    "zmq-repro merge results/all results/comparison --bisect results/bisect/CASE-MODE.json",
    },
    {
        .name = "bisect",
        .synopsis = "CASE|-- PROGRAM --source SRC --from OLD --to NEW",
        .summary = "the libzmq commit that introduced (or fixed) a case's failure",
        .options = "mode attempts source from to looking-for json " RUNNING " " JUDGING,
        .needs_catalog = true,
        .runs_cases = true,
        .takes_program = true,
        .run = zr_cmd_bisect,
        .examples
        = "zmq-repro bisect hang-at-shutdown/broken_socket_after_ctx_shutdown --source "
          "../shared/libzmq/libzmq-to-v4.3.3.bundle --from v4.3.2 --to v4.3.3 --looking-for fix -m stress -n 2",
    },
    {
        .name = "bisect-step",
        .synopsis = "CASE | -- PROGRAM [ARGS...]",
        .summary = "the step of `git bisect run`, inside a libzmq checkout: builds the commit, runs the case; exits 0 "
                   "old, 1 new, 125 skip",
        .options = "mode attempts looking-for " RUNNING " " JUDGING,
        .needs_catalog = true,
        .runs_cases = true,
        .takes_program = true,
        .run = zr_cmd_bisect_step,
        .examples = "git bisect run zmq-repro bisect-step hang-at-shutdown/broken_socket_after_ctx_shutdown -m stress",
    },
    {
        .name = "bundle",
        .synopsis = "CASE|RESULT.json",
        .summary = "a standalone reproduction to file upstream (--out DIR): the client and server sources, run.sh, "
                   "ISSUE.md, the report",
        .options = "as-bug mode attempts out timeout " RUNNING,
        .needs_catalog = true,
        .runs_cases = true,
        .run = zr_cmd_bundle,
        .examples = "zmq-repro bundle shared-socket/broken_send_recv_threads -m tsan -o /tmp/b\n"
                    "zmq-repro bundle results/runs/2026...-check-client.c-tsan-debian-tsan.json -o /tmp/b",
    },
    {
        .name = "minimize",
        .synopsis = "CASE",
        .summary
        = "a smaller C reproduction by C-Vise that still shows the same symptom in every one of -n runs (--out DIR)",
        .options = "mode attempts out jobs " RUNNING,
        .needs_catalog = true,
        .runs_cases = true,
        .run = zr_cmd_minimize,
        .examples = "zmq-repro minimize shared-socket/broken_send_recv_threads -m tsan -o /tmp/min",
    },
    {
        .name = "soak",
        .synopsis = "",
        .summary
        = "the whole ctest suite again and again (--minutes, --jobs): verdict flips, leftovers, unparseable results",
        .options = "minutes jobs out label",
        .run = soak,
        .examples = "zmq-repro soak --minutes 30 --jobs 4",
    },
};
const int zr_ncommands = sizeof zr_commands / sizeof zr_commands[0];

const struct zr_command* zr_command_find(const char* name)
{
    for (int i = 0; i < zr_ncommands; i++)
        if (!strcmp(zr_commands[i].name, name))
            return &zr_commands[i];
    return NULL;
}

bool zr_command_takes(const struct zr_command* c, const char* option)
{
    /* Every command takes help and version. */
    if (!strcmp(option, "help") || !strcmp(option, "version"))
        return true;
    size_t n = strlen(option);
    for (const char* p = c->options; (p = strstr(p, option)); p += n)
        if ((p == c->options || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

int zr_command_table_check(char* err, size_t len)
{
    for (int i = 0; i < zr_ncommands; i++)
        for (const char* p = zr_commands[i].options; *p;) {
            size_t n = strcspn(p, " ");
            char name[32];
            snprintf(name, sizeof name, "%.*s", (int)n, p);
            if (n && !zr_option_find(name)) {
                snprintf(err, len, "the command %s names an option --%s that the option table lacks",
                    zr_commands[i].name, name);
                return -1;
            }
            p += n;
            while (*p == ' ')
                p++;
        }
    return 0;
}
