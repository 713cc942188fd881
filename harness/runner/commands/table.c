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
#define RUNNING "transport python stack-tool suppressions quiet verbose"

/* The commands whose functions take no catalog. */
static int compare(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    (void)o;
    (void)cat;
    if (nargs != 2) {
        fprintf(stderr, "zmq-repro: compare takes two bench JSON files: zmq-repro compare OLD.json NEW.json\n");
        return ZR_EXIT_USAGE;
    }
    return zr_cmd_compare(args[0], args[1]);
}

static int builds(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    (void)cat;
    return zr_cmd_builds(o, nargs, args);
}

static int build(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    (void)cat;
    return zr_cmd_build(o, nargs, args);
}

static int check(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    (void)cat;
    return zr_cmd_check(o, nargs, args);
}

static int merge(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    (void)cat;
    return zr_cmd_merge(o, nargs, args);
}

static int soak(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
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
    { "list", "[CASE...]", "the cases, their modes and what each expects", "mode label", true, false, zr_cmd_list,
      "zmq-repro list -L shared-socket\nzmq-repro list -m owner -L broken" },
    { "run", "CASE...|all",
      "run cases (or those matching -L/-m) and judge each against\nits expectation; one JSON result per case, mode "
      "and build",
      "mode label build attempts keep-going results no-results " RUNNING, true, false, zr_cmd_run,
      "zmq-repro run shared-socket/broken_send_recv_threads -m tsan\nzmq-repro run all -L fixed -b trixie-binary -n 20" },
    { "bench", "[CASE...]",
      "the figures: attempts, reproduction rate, time to detect,\nclean runs; every attempt is run",
      "mode label build attempts json " RUNNING, true, false, zr_cmd_bench,
      "zmq-repro bench -n 100 -L broken -L tsan -L shared-socket\nzmq-repro bench -n 30 -m stress -j stress.json" },
    { "compare", "OLD.json NEW.json", "compare two bench JSON files (two runs, two libzmq builds)", "", false, false,
      compare, "zmq-repro compare results/bench/a.json results/bench/b.json" },
    { "builds", "[NAME...]",
      "the libzmq builds made here, and the modes each can serve;\nwith names: the prefix of each (its lib/ holds "
      "libzmq.so.5)",
      "", false, false, builds, "zmq-repro builds\nzmq-repro builds debian-tsan" },
    { "build", "SOURCE | --defaults",
      "make (once; cached) a libzmq build: SOURCE is system,\ndebian (Debian's source package), "
      "debian-binary:SUITE,\na source folder, a tarball, or a git URL[#REF]",
      "flavour name rebuild defaults verbose", false, false, build,
      "zmq-repro build --defaults\nzmq-repro build ../shared/libzmq/libzmq-4.3.2.tar.gz --flavour tsan" },
    { "check", "[OPTIONS] -- PROGRAM [ARGS...]",
      "your own program under the harness: a .c/.cpp source (built\nhere), a .py script, or a program; with "
      "--suite, a whole\ntest suite (ctest, pytest)",
      "mode build attempts keep-going results no-results expect server timeout stall every-attempt suite "
      "known-bugs " RUNNING,
      false, false, check,
      "zmq-repro check -m tsan -m owner -- my_client.py\n"
      "zmq-repro check --server echo --expect hang -- client.c '{endpoint}'\n"
      "zmq-repro check --suite -b debian-tsan -- ctest --test-dir libzmq/build" },
    { "matrix", "[CASE...] -b B1 -b B2 ...",
      "cases x builds x modes, N attempts per cell, into a folder\n(--out): matrix.json, matrix.md, index.html",
      "mode label build attempts out json jobs " RUNNING, true, false, zr_cmd_matrix,
      "zmq-repro matrix -L hang-at-shutdown -b 4.3.2-tsan -b 4.3.3-tsan -n 5 -o results/m\n"
      "zmq-repro matrix -m stress -b system -b trixie-binary --jobs 2" },
    { "cell", "CASE -m MODE -b BUILD --json FILE", "one cell of a matrix (run by matrix)",
      "mode build attempts json " RUNNING, true, true, zr_cmd_cell, "" },
    { "merge", "OUT DIR...", "matrix folders of several machines into one", "", false, false, merge,
      "zmq-repro merge results/all results/host-a results/host-b" },
    { "bisect", "CASE --source SRC --from OLD --to NEW",
      "the libzmq commit that introduced (or fixed) a case's\nfailure",
      "mode attempts source from to looking-for " RUNNING, true, false, zr_cmd_bisect,
      "zmq-repro bisect hang-at-shutdown/broken_socket_after_ctx_shutdown --source "
      "../shared/libzmq/libzmq-to-v4.3.3.bundle --from v4.3.2 --to v4.3.3 --looking-for fix -m stress -n 2" },
    { "bisect-step", "CASE",
      "the step of `git bisect run`, inside a libzmq checkout:\nbuilds the commit, runs the case; exits 0 old, 1 "
      "new,\n125 skip",
      "mode attempts looking-for " RUNNING, true, false, zr_cmd_bisect_step,
      "git bisect run zmq-repro bisect-step hang-at-shutdown/broken_socket_after_ctx_shutdown -m stress" },
    { "bundle", "CASE|RESULT.json",
      "a standalone reproduction to file upstream (--out DIR):\nthe client and server sources, run.sh, ISSUE.md, "
      "the report",
      "mode attempts out timeout " RUNNING, true, false, zr_cmd_bundle,
      "zmq-repro bundle shared-socket/broken_send_recv_threads -m tsan -o /tmp/b\n"
      "zmq-repro bundle results/runs/2026...-check-client.c-tsan-debian-tsan.json -o /tmp/b" },
    { "minimize", "CASE",
      "a smaller C reproduction by C-Vise that still shows the same\nsymptom in every one of -n runs (--out DIR)",
      "mode attempts out jobs " RUNNING, true, false, zr_cmd_minimize,
      "zmq-repro minimize shared-socket/broken_send_recv_threads -m tsan -o /tmp/min" },
    { "soak", "",
      "the whole ctest suite again and again (--minutes, --jobs):\nverdict flips, leftovers, unparseable results",
      "minutes jobs out label", false, false, soak, "zmq-repro soak --minutes 30 --jobs 4" },
};
const int zr_ncommands = sizeof zr_commands / sizeof zr_commands[0];

const struct zr_command *zr_command_find(const char *name)
{
    for (int i = 0; i < zr_ncommands; i++)
        if (!strcmp(zr_commands[i].name, name))
            return &zr_commands[i];
    return NULL;
}

bool zr_command_takes(const struct zr_command *c, const char *option)
{
    /* Every command takes help and version. */
    if (!strcmp(option, "help") || !strcmp(option, "version"))
        return true;
    size_t n = strlen(option);
    for (const char *p = c->options; (p = strstr(p, option)); p += n)
        if ((p == c->options || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

int zr_command_table_check(char *err, size_t len)
{
    for (int i = 0; i < zr_ncommands; i++)
        for (const char *p = zr_commands[i].options; *p;) {
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
