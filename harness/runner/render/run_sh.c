/* run.sh of a bundle: builds the client (and the ROUTER server beside
 * it), runs it RUNS times with a timeout and a watch for hangs, says what
 * each run showed by the same classes as the harness's outcomes
 * (core/classify.c; harness/tests/integration/run_sh_classifier.sh holds
 * the two to agreeing on the same captured outputs) and how often. */
#include "run_sh.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client.h"
#include "text.h"

/* "./name" as one shell word: a name that starts with - is no option. */
static void fput_local_file(FILE *f, const char *name)
{
    fputs("./", f);
    zr_fput_sh_word(f, name);
}

/* An argument as one shell word, "{endpoint}" in it being the run's endpoint. */
static void fput_arg(FILE *f, const char *arg)
{
    const char *at = strstr(arg, "{endpoint}");
    if (!at) {
        zr_fput_sh_word(f, arg);
        return;
    }
    char *before = zr_strdup_printf("%.*s", (int)(at - arg), arg);
    if (*before)
        zr_fput_sh_word(f, before);
    fputs("\"$endpoint\"", f);
    if (at[10])
        fput_arg(f, at + 10);
    free(before);
}

/* text as a shell comment that stays on its line. */
static void fput_comment(FILE *f, const char *text)
{
    fputs("# ", f);
    for (const char *p = text; *p; p++)
        fputc(*p == '\n' || *p == '\r' ? ' ' : *p, f);
    fputc('\n', f);
}

/* What the script is, what it needs, how a libzmq under TSan is built. */
static void write_preamble(FILE *f, const struct zr_bundle *b)
{
    fprintf(f, "#!/bin/sh\n");
    fput_comment(f, b->title);
    fprintf(f, "#\n"
               "# Builds and runs this reproduction RUNS times (default 20), each with a\n"
               "# timeout, and prints what each run showed and how often. Needs a C compiler\n"
               "# and libzmq's headers (Debian: apt-get install build-essential libzmq3-dev%s).\n",
            b->python ? " python3-zmq" : "");
    if (b->mode->tsan_options)
        fprintf(f, "# It runs under ThreadSanitizer, which sees inside libzmq only when libzmq\n"
                   "# itself is built with -fsanitize=thread: set LIBZMQ_PREFIX to the prefix of such a\n"
                   "# build (its lib/ holds libzmq.so.5), e.g. from libzmq's source:\n"
                   "#   cmake -S libzmq -B build -DCMAKE_C_FLAGS=-fsanitize=thread -DCMAKE_CXX_FLAGS=-fsanitize=thread \\\n"
                   "#     -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread -DBUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=$HOME/libzmq-tsan\n"
                   "#   cmake --build build && cmake --install build\n");
    else
        fprintf(f, "# The client runs on the system's libzmq, or on the one whose prefix is in\n"
                   "# LIBZMQ_PREFIX (its lib/ holds libzmq.so.5): another version.\n");
    if (b->mode->perturb)
        fprintf(f, "# perturb/ is an interposer (preloaded into the client, built here into\n"
                   "# libzmq_perturb.so) that delays a few threads, drawn from SEED, at their\n"
                   "# libzmq calls: libzmq then fails the way it fails after hours, in seconds.\n"
                   "# It never prints, asserts or aborts; what a run shows is libzmq's own.\n");
}

/* The settings: RUNS, TIMEOUT and the classes that count, each checked. */
static void write_settings(FILE *f, const struct zr_bundle *b)
{
    fprintf(f, "#\n# usage: ./run.sh [RUNS]      RUNS: how many runs (default 20)\n"
               "# environment: TIMEOUT  seconds a run may take (default %g)\n"
               "#              LIBZMQ_PREFIX  the prefix of another libzmq (its lib/ holds libzmq.so.5)\n"
               "#              PYTHON  the interpreter that imports zmq (default python3)\n"
               "%s"
               "# A run counts as a reproduction when it shows: %s.\n"
               "set -u\n"
               "# Under env -i there is no PATH, and cc cannot find its own programs (cc1, as, ld).\n"
               "PATH=${PATH:-/usr/local/bin:/usr/bin:/bin}\n"
               "export PATH\n"
               "cd \"$(dirname \"$0\")\" || exit 2\n"
               "runs=${1:-20}\n"
               "timeout_s=${TIMEOUT:-%g}\n"
               "# %s\n"
               "contract=%s\n"
               "# A report counts only where its runtime ran: TSan's under TSan, CPython's from Python.\n"
               "sanitizer=%s\n"
               "client_kind=%s\n"
               "expected=",
            b->timeout_s,
            b->mode->perturb ? "#              SEED  the perturbation's seed (default: the one of the run that made this bundle)\n"
                             : "",
            b->expected, b->timeout_s,
            b->judged_by_exit ? "A program judged by what it did: exit 0 with no report is clean."
                              : "A case's contract: DONE as its last line, with its message accounting.",
            b->judged_by_exit ? "exit" : "done", b->mode->tsan_options ? "tsan" : "none",
            b->python ? "python" : "native");
    zr_fput_sh_word(f, b->expected);
    /* The watch ticks four times a second; a timeout like 1.2 s is 5 ticks.
     * RUNS is a plain number the shell can count to: no leading 0 ("00"
     * would pass as a number and run nothing), at most 6 digits (a longer
     * one is an "Illegal number" to test(1)). */
    fprintf(f, "\ncase $runs in\n"
               "    ''|*[!0-9]*|0*|???????*) echo \"run.sh: RUNS must be a whole number above 0 (at most 999999), not '$runs'\" >&2; exit 2 ;;\n"
               "esac\n"
               "ticks=$(awk -v t=\"$timeout_s\" 'BEGIN { if (t !~ /^[0-9]*\\.?[0-9]+$/ || t <= 0) exit 1\n"
               "    n = int(t * 4); if (n < t * 4) n++; print n }') ||\n"
               "    { echo \"run.sh: TIMEOUT must be a number of seconds above 0, not '$timeout_s'\" >&2; exit 2; }\n");
    if (b->mode->perturb)
        fprintf(f, "seed=${SEED:-%llu}\n"
                   "case $seed in\n"
                   "    ''|*[!0-9]*|0*|????????????????????*) echo \"run.sh: SEED must be a whole number above 0 (at most 19 digits), not '$seed'\" >&2; exit 2 ;;\n"
                   "esac\n",
                b->seed);
}

/* The scratch folder, and the builds of the server and the client (or
 * the Python check, and the build of the script's extension module). */
static void write_builds(FILE *f, const struct zr_bundle *b)
{
    fprintf(f, "tmp=$(mktemp -d \"${TMPDIR:-/tmp}/zmq-bundle.XXXXXX\")\n"
               "trap 'kill $server 2>/dev/null; rm -rf \"$tmp\"' EXIT INT TERM\n"
               "server=\n");
    if (zr_bundle_has_server(b))
        fprintf(f, "cc -O2 -g -o router_server router_server.c -lzmq || exit 2\n");
    if (b->mode->perturb)
        fprintf(f, "cc -shared -fPIC -O2 -std=gnu11 -fvisibility=hidden -D_GNU_SOURCE -DZMQ_OWNER_BUILDING_LIBRARY \\\n"
                   "    -o libzmq_perturb.so perturb/*.c -lpthread -ldl || exit 2\n");
    if (!b->python)
    {
        fprintf(f, "%s %s -o client ", b->cxx ? "c++" : "cc", b->mode->flavour->cflags);
        fput_local_file(f, zr_bundle_file_name(b->client_path));
        fprintf(f, " -lzmq -lpthread || exit 2\n");
    }
    else {
        fprintf(f, "python=${PYTHON:-python3}\n"
                   "\"$python\" -c 'import zmq' 2>/dev/null || { echo \"run.sh: $python cannot import zmq (apt-get install python3-zmq)\" >&2; exit 2; }\n"
                   "python=$(\"$python\" -c 'import sys; print(sys.executable)')  # the real binary: no shell under a preload\n");
        if (b->pymodule_path) {
            const char *module = zr_bundle_file_name(b->pymodule_path);
            char *stem = zr_strdup_printf("%.*s", (int)(strlen(module) - 2), module); /* without .c */
            fprintf(f, "cc -shared -fPIC %s $(python3-config --includes) -o ./", b->mode->flavour->cflags);
            zr_fput_sh_word(f, stem);
            fprintf(f, "\"$(python3-config --extension-suffix)\" ");
            fput_local_file(f, module);
            fprintf(f, " -lzmq -lpthread || exit 2\n");
            free(stem);
        }
    }
}

static void write_client_environment(FILE *f, const struct zr_bundle *b)
{
    /* The client's environment, for the client alone: the server, the shell
     * and its tools run as they are (a shell under TSan's preload crashes). */
    if (b->mode->tsan_options) {
        char *opts = zr_tsan_options(true, b->python, NULL, NULL);
        fprintf(f, "[ -n \"${LIBZMQ_PREFIX:-}\" ] && [ -e \"$LIBZMQ_PREFIX/lib/libzmq.so.5\" ] || {\n"
                   "    echo \"run.sh: set LIBZMQ_PREFIX to the prefix of a libzmq built with -fsanitize=thread (see the top of this file)\" >&2\n"
                   "    exit 2\n"
                   "}\n"
                   "client_env=\"LD_LIBRARY_PATH=$LIBZMQ_PREFIX/lib TSAN_OPTIONS=%s%s\"\n"
                   "norandom=\"setarch $(uname -m) -R\"  # TSan needs a fixed address layout on some kernels\n",
                opts, b->python ? " LD_PRELOAD=$(readlink -f \"$(cc -print-file-name=libtsan.so)\")" : "");
        free(opts);
    } else
        fprintf(f, "client_env=\"${LIBZMQ_PREFIX:+LD_LIBRARY_PATH=$LIBZMQ_PREFIX/lib}\"\n"
                   "norandom=\n");
    if (b->python)
        fprintf(f, "client_env=\"$client_env PYTHONFAULTHANDLER=1 PYTHONPATH=.\"\n");
    /* The interposer by its full path, so that a child that the client
     * starts elsewhere loads it too; ld.so splits LD_PRELOAD at spaces and
     * colons and the shell would expand a pattern in it: a folder whose path
     * holds any of these is named from the client's working directory. */
    if (b->mode->perturb)
        fprintf(f, "case $PWD in *[!A-Za-z0-9/._+-]*) perturb_lib=./libzmq_perturb.so ;; *) perturb_lib=$PWD/libzmq_perturb.so ;; esac\n"
                   "client_env=\"$client_env LD_PRELOAD=$perturb_lib ZMQ_OWNER_PERTURB=$seed\"\n");
}

void zr_run_sh_write_classifier(FILE *f)
{
    fprintf(f, "\n"
               "# What one run showed, in the harness's own order (its core/classify.c): a\n"
               "# word of $expected, or clean, or another word; error is no verdict at all\n"
               "# (the run could not start, or was killed from outside), never a reproduction.\n"
               "classify() {\n"
               "    if grep -qE 'SETUP-ERROR:|FATAL: ThreadSanitizer' \"$tmp/err\"; then echo error\n"
               "    elif [ \"$hung\" = no ] && [ \"$rc\" -gt 128 ] && ! signal_of_its_own $((rc - 128)); then echo error\n"
               "    elif [ \"$rc\" -eq 127 ] && ! grep -q '^DONE' \"$tmp/out\"; then echo error\n"
               "    elif [ \"${sanitizer:-tsan}\" = tsan ] && grep -q 'WARNING: ThreadSanitizer' \"$tmp/err\"; then echo tsan\n"
               "    elif [ \"$hung\" = no ] && [ \"$rc\" -eq 134 ] &&\n"
               "         grep -qE '^.+ \\(([^()]*/)?[A-Za-z0-9_]+\\.[ch]pp:[0-9]+\\)$' \"$tmp/err\"; then echo assert\n"
               "    elif [ \"${client_kind:-python}\" = python ] && grep '^Fatal Python error: ' \"$tmp/err\" |\n"
               "         grep -qvE '^Fatal Python error: (Segmentation fault|Aborted|Bus error|Floating point exception|Illegal instruction)'\n"
               "    then echo fatal-python\n"
               "    elif [ \"$hung\" = yes ]; then echo hang\n"
               "    elif [ \"$rc\" -gt 128 ]; then echo signal\n"
               "    elif [ \"$rc\" -ne 0 ]; then echo exit\n"
               "    elif [ \"${contract:-done}\" = done ] && ! grep -q '^DONE' \"$tmp/out\"; then echo exit\n"
               "    elif [ \"${contract:-done}\" = done ] && awk 'BEGIN { s = -1; r = -1 }\n"
               "              /^DONE/ { s = -1; r = -1\n"
               "                        for (i = 2; i <= NF; i++) { if ($i ~ /^sent=/) s = substr($i, 6) + 0\n"
               "                                                    if ($i ~ /^received=/) r = substr($i, 10) + 0 } }\n"
               "              END { exit !(s >= 0 && r < s) }' \"$tmp/out\"; then echo loss\n"
               "    elif [ -s \"$tmp/err\" ]; then echo noise\n"
               "    else echo clean\n"
               "    fi\n"
               "}\n"
               "\n"
               "# The signals a libzmq or CPython failure raises by itself (SIGILL, SIGTRAP,\n"
               "# SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSYS); any other came from outside.\n"
               "signal_of_its_own() {\n"
               "    case $1 in 4|5|6|7|8|11|31) return 0 ;; *) return 1 ;; esac\n"
               "}\n");
}

static void write_watch(FILE *f)
{
    fprintf(f, "\n# A run hangs when it outlives the timeout, or when it makes no progress for a\n"
               "# second (no CPU time used) before that.\n"
               "watch() {\n"
               "    pid=$1 waited=0 idle=0 last=\n"
               "    while kill -0 \"$pid\" 2>/dev/null; do\n"
               "        sleep 0.25\n"
               "        waited=$((waited + 1))\n"
               "        now=$(awk '{ print $14 + $15 }' \"/proc/$pid/stat\" 2>/dev/null) || break\n"
               "        if [ \"$now\" = \"$last\" ]; then idle=$((idle + 1)); else idle=0; fi\n"
               "        last=$now\n"
               "        if [ $idle -ge 4 ] || [ $waited -ge \"$ticks\" ]; then\n"
               "            hung=yes\n"
               "            if command -v eu-stack >/dev/null; then eu-stack -p \"$pid\" >\"$tmp/stacks\" 2>&1; fi\n"
               "            kill -KILL \"$pid\" 2>/dev/null\n"
               "            return\n"
               "        fi\n"
               "    done\n"
               "}\n");
}

/* One run: the server started and its endpoint read, the client run and
 * watched, what it showed said and counted. */
static void write_one_run(FILE *f, const struct zr_bundle *b)
{
    bool server = zr_bundle_has_server(b);
    if (server)
    {
        fprintf(f, "    ./router_server --bind \"ipc://$tmp/router\" --mode ");
        zr_fput_sh_word(f, b->server_mode);
        fprintf(f, " --delay-ms %d >\"$tmp/server.out\" 2>\"$tmp/server.err\" &\n"
                   "    server=$!\n"
                   "    n=0\n"
                   "    until grep -q '^ENDPOINT ' \"$tmp/server.out\" 2>/dev/null || [ $n -ge 100 ]; do sleep 0.05; n=$((n + 1)); done\n"
                   "    endpoint=$(sed -n 's/^ENDPOINT //p' \"$tmp/server.out\")\n",
                b->server_delay_ms);
    }
    else
        fprintf(f, "    endpoint=\"ipc://$tmp/nobody-listens-here\"\n");
    fprintf(f, "    hung=no\n    $norandom env $client_env %s", b->python ? "\"$python\" " : "");
    fput_local_file(f, b->python ? zr_bundle_file_name(b->client_path) : "client");
    if (b->endpoint_first)
        fprintf(f, " \"$endpoint\"");
    for (int i = 0; i < b->nargs; i++) {
        fputc(' ', f);
        fput_arg(f, b->args[i]);
    }
    fprintf(f, " >\"$tmp/out\" 2>\"$tmp/err\" &\n"
               "    client=$!\n"
               "    watch $client\n"
               "    wait $client 2>/dev/null\n"
               "    rc=$?\n");
    if (server)
        fprintf(f, "    kill $server 2>/dev/null\n    wait $server 2>/dev/null\n    server=\n");
    fprintf(f, "    what=$(classify)\n"
               /* The line that shows it: the same patterns as classify()'s. */
               "    line=$(grep -m1 -E 'WARNING: ThreadSanitizer|FATAL: ThreadSanitizer|SETUP-ERROR:|^.+ \\(([^()]*/)?[A-Za-z0-9_]+\\.[ch]pp:[0-9]+\\)$|Fatal Python error' \"$tmp/err\" |\n"
               "        sed 's/ (pid=[0-9]*)//')\n"
               "    case \" $expected \" in *\" $what \"*) reproduced=$((reproduced + 1)); mark=reproduced ;; *) mark=- ;; esac\n"
               "    echo \"run $i: $what${line:+: $line} ($mark)\"\n"
               "    echo \"$what${line:+: $line}\" >>\"$tmp/seen\"\n"
               "    if [ \"$mark\" = reproduced ] && [ ! -e first-report.txt ]; then\n"
               "        cat \"$tmp/err\" \"$tmp/stacks\" 2>/dev/null >first-report.txt\n"
               "    fi\n"
               "    rm -f \"$tmp/stacks\"\n"
               "    i=$((i + 1))\n");
}

int zr_write_run_sh(const struct zr_bundle *b, const char *dir)
{
    char *path = zr_strdup_printf("%s/run.sh", dir);
    FILE *f = fopen(path, "w");
    free(path);
    if (!f)
        return -1;
    write_preamble(f, b);
    write_settings(f, b);
    write_builds(f, b);
    write_client_environment(f, b);
    zr_run_sh_write_classifier(f);
    write_watch(f);
    fprintf(f, "\n# first-report.txt is this run's: one left by an earlier run is removed first.\n"
               "rm -f first-report.txt\n"
               "reproduced=0\n"
               ": >\"$tmp/seen\"\n"
               "i=1\n"
               "while [ $i -le \"$runs\" ]; do\n");
    write_one_run(f, b);
    fprintf(f, "done\n"
               "echo\n"
               "echo \"reproduced in $reproduced of $runs runs\"\n"
               "sort \"$tmp/seen\" | uniq -c | sort -rn\n"
               "[ -e first-report.txt ] && echo \"the first reproduction's output is in first-report.txt\"\n"
               "[ $reproduced -gt 0 ]\n");
    int rc = fclose(f) == 0 ? 0 : -1;
    char *p = zr_strdup_printf("%s/run.sh", dir);
    chmod(p, 0755);
    free(p);
    return rc;
}
