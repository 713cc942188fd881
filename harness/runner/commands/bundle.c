/* zmq-repro bundle: a standalone reproduction to file upstream. A folder
 * and a .tar.gz that need nothing of this repository: the client's source
 * and the ROUTER server's as plain files that build with one cc line each,
 * run.sh (builds, runs N times with a timeout, prints what it saw and how
 * often), ISSUE.md in the shape of libzmq's issue template (and pyzmq's
 * fields for Python) holding the real report of the run that made the
 * bundle and the rate measured here, and that report in full.
 *
 * From a case (run here, N attempts) or from the result file of a `check`
 * or `run` (its attempts and report are used as they are). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"
#include "case_run.h"
#include "config.h"
#include "environment.h"
#include "figures.h"
#include "files.h"
#include "outcomes.h"
#include "process.h"
#include "text.h"

#define REPORT_LINES_IN_ISSUE 60

/* What a bundle is made of, whatever it was made from. */
struct bundle {
    char *name;        /* folder name: family-name-mode */
    char *title;       /* one line */
    char *description; /* the case header's prose, or a note for a user's program */
    char *client_path; /* the source or script to copy */
    bool python;
    char *pymodule_path; /* an extension module's source, or NULL */
    char *server_mode;   /* echo... or none */
    int server_delay_ms;
    char **args;
    int nargs;
    const struct zr_mode *mode;
    double timeout_s;
    char *expected;    /* run.sh's classes that count as a reproduction: "tsan", "hang assert signal loss" */
    char *verdict;     /* the verdict line of the run that made the bundle */
    char *report;      /* its report text */
    int met, n;
    double median_detect_s;
    json_t *build;     /* build-info of the build it ran on */
    json_t *python_env; /* {version, pyzmq} or NULL */
};

static void free_bundle(struct bundle *b)
{
    free(b->name);
    free(b->title);
    free(b->description);
    free(b->client_path);
    free(b->pymodule_path);
    free(b->server_mode);
    for (int i = 0; i < b->nargs; i++)
        free(b->args[i]);
    free(b->args);
    free(b->expected);
    free(b->verdict);
    free(b->report);
    json_decref(b->build);
    json_decref(b->python_env);
}

/* The prose of a case's header comment, up to its first tag. */
static char *header_prose(const char *path)
{
    char *text = zr_read_file(path, NULL);
    if (!text)
        return zr_strdup_printf("%s", "");
    bool python = strstr(path, ".py") != NULL;
    char *out = zr_strdup_printf("%s", "");
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (python ? *p != '#' : (*p != '/' && *p != '*'))
            break;
        if (!strncmp(p, "#!", 2)) {
            line = next;
            continue;
        }
        p += !strncmp(p, "/*", 2) ? 2 : (*p == '*' || *p == '#') ? 1 : 0;
        if (!strncmp(p, "*/", 2))
            break;
        while (*p == ' ')
            p++;
        if (*p == '@')
            break;
        char *more = zr_strdup_printf("%s%s\n", out, p);
        free(out);
        out = more;
        line = next;
    }
    free(text);
    /* Trim the trailing blank lines. */
    size_t len = strlen(out);
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
        out[--len] = '\0';
    return out;
}

/* The outcomes of an expectation as run.sh's classes. */
static char *classes_of(const struct zr_expect_list *list)
{
    char *out = zr_strdup_printf("%s", "");
    for (int i = 0; i < list->n; i++) {
        const struct zr_outcome *o = zr_outcome_find(list->items[i].outcome);
        const char *class = o ? o->bundle_class : NULL;
        if (class && !strstr(out, class)) {
            char *more = zr_strdup_printf("%s%s%s", out, *out ? " " : "", class);
            free(out);
            out = more;
        }
    }
    return out;
}

/* --- Writing the folder. --- */

static int copy_into(const char *from, const char *dir, const char *name, char *err, size_t errlen)
{
    size_t len;
    char *text = zr_read_file(from, &len);
    char *to = zr_strdup_printf("%s/%s", dir, name);
    FILE *f = text ? fopen(to, "w") : NULL;
    int rc = f && fwrite(text, 1, len, f) == len ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc != 0)
        snprintf(err, errlen, "cannot copy %s into %s: %s", from, to, strerror(errno));
    free(text);
    free(to);
    return rc;
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* A shell word in single quotes. */

static int write_run_sh(const struct bundle *b, const char *dir)
{
    char *path = zr_strdup_printf("%s/run.sh", dir);
    FILE *f = fopen(path, "w");
    free(path);
    if (!f)
        return -1;
    bool tsan = b->mode->tsan_options;
    bool server = strcmp(b->server_mode, "none") != 0;
    const char *client = base_of(b->client_path);
    fprintf(f, "#!/bin/sh\n"
               "# %s\n"
               "#\n"
               "# Builds and runs this reproduction RUNS times (default 20), each with a\n"
               "# timeout, and prints what each run showed and how often. Needs a C compiler\n"
               "# and libzmq's headers (Debian: apt-get install build-essential libzmq3-dev%s).\n",
            b->title, b->python ? " python3-zmq" : "");
    if (tsan)
        fprintf(f, "# It runs under ThreadSanitizer, which sees inside libzmq only when libzmq\n"
                   "# itself is built with -fsanitize=thread: set LIBZMQ_PREFIX to the prefix of such a\n"
                   "# build (its lib/ holds libzmq.so.5), e.g. from libzmq's source:\n"
                   "#   cmake -S libzmq -B build -DCMAKE_C_FLAGS=-fsanitize=thread -DCMAKE_CXX_FLAGS=-fsanitize=thread \\\n"
                   "#     -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread -DBUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=$HOME/libzmq-tsan\n"
                   "#   cmake --build build && cmake --install build\n");
    else
        fprintf(f, "# The client runs on the system's libzmq, or on the one whose prefix is in\n"
                   "# LIBZMQ_PREFIX (its lib/ holds libzmq.so.5): another version.\n");
    fprintf(f, "#\n# usage: ./run.sh [RUNS]      environment: TIMEOUT (seconds a run may take, default %g)\n"
               "# A run counts as a reproduction when it shows: %s.\n"
               "set -u\n"
               "cd \"$(dirname \"$0\")\"\n"
               "runs=${1:-20}\n"
               "timeout_s=${TIMEOUT:-%g}\n"
               "expected=\"%s\"\n",
            b->timeout_s, b->expected, b->timeout_s, b->expected);
    /* The watch ticks four times a second; a timeout like 1.2 s is 5 ticks. */
    fprintf(f, "case $runs in ''|*[!0-9]*|0) echo \"run.sh: RUNS must be a whole number above 0, not '$runs'\" >&2; exit 2 ;; esac\n"
               "ticks=$(awk -v t=\"$timeout_s\" 'BEGIN { if (t !~ /^[0-9]*\\.?[0-9]+$/ || t <= 0) exit 1\n"
               "    n = int(t * 4); if (n < t * 4) n++; print n }') ||\n"
               "    { echo \"run.sh: TIMEOUT must be a number of seconds above 0, not '$timeout_s'\" >&2; exit 2; }\n");
    fprintf(f, "tmp=$(mktemp -d \"${TMPDIR:-/tmp}/zmq-bundle.XXXXXX\")\n"
               "trap 'kill $server 2>/dev/null; rm -rf \"$tmp\"' EXIT INT TERM\n"
               "server=\n");
    if (server)
        fprintf(f, "cc -O2 -g -o router_server router_server.c -lzmq || exit 2\n");
    if (!b->python)
        fprintf(f, "cc %s -o client %s -lzmq -lpthread || exit 2\n", b->mode->flavour->cflags, client);
    else {
        fprintf(f, "python=${PYTHON:-python3}\n"
                   "\"$python\" -c 'import zmq' 2>/dev/null || { echo \"run.sh: $python cannot import zmq (apt-get install python3-zmq)\" >&2; exit 2; }\n"
                   "python=$(\"$python\" -c 'import sys; print(sys.executable)')  # the real binary: no shell under a preload\n");
        if (b->pymodule_path)
            fprintf(f, "cc -shared -fPIC %s $(python3-config --includes) -o \"%.*s$(python3-config --extension-suffix)\" "
                       "%s -lzmq -lpthread || exit 2\n",
                    b->mode->flavour->cflags,
                    (int)(strlen(base_of(b->pymodule_path)) - 2), base_of(b->pymodule_path), base_of(b->pymodule_path));
    }
    /* The client's environment, for the client alone: the server, the shell
     * and its tools run as they are (a shell under TSan's preload crashes). */
    if (tsan)
        fprintf(f, "[ -n \"${LIBZMQ_PREFIX:-}\" ] && [ -e \"$LIBZMQ_PREFIX/lib/libzmq.so.5\" ] || {\n"
                   "    echo \"run.sh: set LIBZMQ_PREFIX to the prefix of a libzmq built with -fsanitize=thread (see the top of this file)\" >&2\n"
                   "    exit 2\n"
                   "}\n"
                   "client_env=\"LD_LIBRARY_PATH=$LIBZMQ_PREFIX/lib TSAN_OPTIONS=halt_on_error=1:abort_on_error=%d:exitcode=66:atexit_sleep_ms=0%s\"\n"
                   "norandom=\"setarch $(uname -m) -R\"  # TSan needs a fixed address layout on some kernels\n",
                b->python ? 1 : 0, b->python ? " LD_PRELOAD=$(readlink -f \"$(cc -print-file-name=libtsan.so)\")" : "");
    else
        fprintf(f, "client_env=\"${LIBZMQ_PREFIX:+LD_LIBRARY_PATH=$LIBZMQ_PREFIX/lib}\"\n"
                   "norandom=\n");
    if (b->python)
        fprintf(f, "client_env=\"$client_env PYTHONFAULTHANDLER=1 PYTHONPATH=.\"\n");
    fprintf(f, "\n# What one run showed: a word of $expected, or clean, or another word.\n"
               "classify() {\n"
               "    if grep -q 'WARNING: ThreadSanitizer' \"$tmp/err\"; then echo tsan\n"
               "    elif grep -qE '^Assertion failed: |\\((/[^()]*/)?src/[A-Za-z0-9_]+\\.[ch]pp:[0-9]+\\)$' \"$tmp/err\"; then echo assert\n"
               "    elif grep -q '^Fatal Python error: [^SAFBI]' \"$tmp/err\"; then echo fatal-python\n"
               "    elif [ \"$hung\" = yes ]; then echo hang\n"
               "    elif [ \"$rc\" -gt 128 ]; then echo signal\n"
               "    elif ! grep -q '^DONE' \"$tmp/out\"; then echo exit\n"
               "    elif grep -qE '^DONE sent=[0-9]+ received=[0-9]+' \"$tmp/out\" &&\n"
               "         awk '/^DONE/ { split($2, s, \"=\"); split($3, r, \"=\"); exit !(r[2] < s[2]) }' \"$tmp/out\"; then echo loss\n"
               "    elif [ -s \"$tmp/err\" ]; then echo noise\n"
               "    else echo clean\n"
               "    fi\n"
               "}\n"
               "\n# A run hangs when it outlives the timeout, or when it makes no progress for a\n"
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
               "}\n"
               "\nreproduced=0\n"
               ": >\"$tmp/seen\"\n"
               "i=1\n"
               "while [ $i -le \"$runs\" ]; do\n");
    if (server)
        fprintf(f, "    ./router_server --bind \"ipc://$tmp/router\" --mode %s --delay-ms %d >\"$tmp/server.out\" 2>\"$tmp/server.err\" &\n"
                   "    server=$!\n"
                   "    n=0\n"
                   "    until grep -q '^ENDPOINT ' \"$tmp/server.out\" 2>/dev/null || [ $n -ge 100 ]; do sleep 0.05; n=$((n + 1)); done\n"
                   "    endpoint=$(sed -n 's/^ENDPOINT //p' \"$tmp/server.out\")\n",
                b->server_mode, b->server_delay_ms);
    else
        fprintf(f, "    endpoint=\"ipc://$tmp/nobody-listens-here\"\n");
    fprintf(f, "    hung=no\n    $norandom env $client_env %s", b->python ? "\"$python\" " : "");
    fprintf(f, "./%s \"$endpoint\"", b->python ? client : "client");
    for (int i = 0; i < b->nargs; i++) {
        fputc(' ', f);
        zr_fput_sh_word(f, b->args[i]);
    }
    fprintf(f, " >\"$tmp/out\" 2>\"$tmp/err\" &\n"
               "    client=$!\n"
               "    watch $client\n"
               "    wait $client 2>/dev/null\n"
               "    rc=$?\n");
    if (server)
        fprintf(f, "    kill $server 2>/dev/null\n    wait $server 2>/dev/null\n    server=\n");
    fprintf(f, "    what=$(classify)\n"
               "    line=$(grep -m1 -E 'WARNING: ThreadSanitizer|Assertion failed|\\(.*src/.*:[0-9]+\\)$|Fatal Python error' \"$tmp/err\" |\n"
               "        sed 's/ (pid=[0-9]*)//')\n"
               "    case \" $expected \" in *\" $what \"*) reproduced=$((reproduced + 1)); mark=reproduced ;; *) mark=- ;; esac\n"
               "    echo \"run $i: $what${line:+: $line} ($mark)\"\n"
               "    echo \"$what${line:+: $line}\" >>\"$tmp/seen\"\n"
               "    if [ \"$mark\" = reproduced ] && [ ! -e first-report.txt ]; then\n"
               "        cat \"$tmp/err\" \"$tmp/stacks\" 2>/dev/null >first-report.txt\n"
               "    fi\n"
               "    rm -f \"$tmp/stacks\"\n"
               "    i=$((i + 1))\n"
               "done\n"
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

static void fence(FILE *f, const char *lang, const char *text, int max_lines)
{
    fprintf(f, "```%s\n", lang);
    int lines = 0;
    for (const char *p = text; *p; p++) {
        if (max_lines > 0 && lines >= max_lines) {
            fprintf(f, "... (the whole report is in report.txt)\n");
            break;
        }
        fputc(*p, f);
        if (*p == '\n')
            lines++;
    }
    if (text[0] && text[strlen(text) - 1] != '\n')
        fputc('\n', f);
    fprintf(f, "```\n");
}

static char *compiler_line(void)
{
    char *line = zr_command_first_line("cc --version 2>/dev/null");
    return line ? line : zr_strdup_printf("unknown");
}

/* How the interpreter's zmq was installed: the Debian package that holds it, if any. */
static char *pyzmq_origin(const char *python)
{
    char *cmd = zr_strdup_printf("p=$('%s' -c 'import zmq, os; print(os.path.dirname(zmq.__file__))' 2>/dev/null) && "
                                 "dpkg-query -S \"$p\" 2>/dev/null | head -n 1 | cut -d: -f1 | "
                                 "xargs -r dpkg-query -W -f='Debian package ${Package} ${Version}'",
                                 python);
    char *line = zr_command_first_line(cmd);
    free(cmd);
    return line ? line : zr_strdup_printf("not from a Debian package (pip or a source build)");
}

static int write_issue(const struct bundle *b, const struct zr_setup *setup, const char *dir)
{
    char *path = zr_strdup_printf("%s/ISSUE.md", dir);
    FILE *f = fopen(path, "w");
    free(path);
    if (!f)
        return -1;
    json_t *host = zr_host_json();
    const char *version = json_string_value(json_object_get(b->build, "version"));
    const char *origin = json_string_value(json_object_get(b->build, "origin"));
    char *cc = compiler_line();
    bool server = strcmp(b->server_mode, "none") != 0;
    fprintf(f, "# Issue description\n\n%s\n\n%s\n\n", b->title, b->description);
    fprintf(f, "Reproduced here in %d of %d runs", b->met, b->n);
    if (b->median_detect_s >= 0)
        fprintf(f, " (median time to the symptom: %.2f s)", b->median_detect_s);
    fprintf(f, ", %s.\n\n", b->mode->tsan_options ? "under ThreadSanitizer with libzmq itself built with -fsanitize=thread"
                                                  : "with no sanitizer");
    fprintf(f, "# Environment\n\n");
    fprintf(f, "* libzmq version (commit hash if unreleased): %s (%s)%s\n", version ? version : "?",
            origin ? origin : "?",
            json_is_true(json_object_get(b->build, "instrumented")) ? ", built with -fsanitize=thread" : "");
    fprintf(f, "* OS: %s, kernel %s, %s, %lld CPUs\n", json_string_value(json_object_get(host, "os")),
            json_string_value(json_object_get(host, "kernel")), json_string_value(json_object_get(host, "machine")),
            (long long)json_integer_value(json_object_get(host, "cpus")));
    fprintf(f, "* Compiler: %s\n", cc);
    if (b->python) {
        /* A Python build (--python python:SUITE) says where it came from. */
        char *how = setup->python_build ? zr_strdup_printf("%s", zr_build_field(setup->python_build, "origin"))
                                        : pyzmq_origin(setup->python);
        fprintf(f, "* What pyzmq version? %s\n", json_string_value(json_object_get(b->python_env, "pyzmq")));
        fprintf(f, "* What libzmq version? %s (pyzmq links the system libzmq.so.5)\n", version ? version : "?");
        fprintf(f, "* Python version (and how it was installed): %s, %s; pyzmq: %s\n",
                json_string_value(json_object_get(b->python_env, "version")), setup->python, how);
        free(how);
    }
    fprintf(f, "\n# Minimal test code / Steps to reproduce the issue\n\n");
    if (b->python)
        fprintf(f, "1. %s: the script is `%s` (nothing to build)\n",
                server ? "Build the peer with `cc -O2 -g -o router_server router_server.c -lzmq`" : "Nothing to build",
                base_of(b->client_path));
    else
        fprintf(f, "1. Build%s`cc %s -o client %s -lzmq -lpthread`\n",
                server ? " the peer with `cc -O2 -g -o router_server router_server.c -lzmq` and the client with "
                       : " the client: ",
                b->mode->flavour->cflags, base_of(b->client_path));
    if (server)
        fprintf(f, "2. Start the peer, a ROUTER that echoes every request: `./router_server --bind 'tcp://127.0.0.1:*' "
                   "--mode %s` (it prints the endpoint it bound).\n",
                b->server_mode);
    fprintf(f, "%d. Run the client against it: `%s%s ENDPOINT", server ? 3 : 2, b->python ? "python3 " : "./",
            b->python ? base_of(b->client_path) : "client");
    for (int i = 0; i < b->nargs; i++)
        fprintf(f, " %s", b->args[i]);
    fprintf(f, "`%s\n", server ? "" : " (ENDPOINT: any ipc:// path where nothing listens)");
    fprintf(f, "%d. Or all of it, N times, with a timeout per run: `%s./run.sh 20`\n\n", server ? 4 : 3,
            b->mode->tsan_options ? "LIBZMQ_PREFIX=/prefix/of/libzmq-built-with-tsan " : "");
    char *source = zr_read_file(b->client_path, NULL);
    fence(f, b->python ? "python" : "c", source ? source : "", 0);
    free(source);
    if (server)
        fprintf(f, "\nThe peer is `router_server.c` in the same folder: plain C, one thread, a ROUTER that replies to "
                   "each request.\n");
    fprintf(f, "\n# What's the actual result? (include assertion message & call stack if applicable)\n\n");
    fprintf(f, "%s\n\n", b->verdict);
    fence(f, "", b->report ? b->report : "(no report text)", REPORT_LINES_IN_ISSUE);
    fprintf(f, "\n# What's the expected result?\n\n");
    if (!strcmp(b->expected, "hang"))
        fprintf(f, "The program finishes: every blocking call returns and `zmq_ctx_term` returns once every socket is "
                   "closed; it prints DONE and exits 0.\n");
    else
        fprintf(f, "The program finishes, prints DONE with every reply received, and exits 0, with nothing on stderr "
                   "(under ThreadSanitizer: no report).\n");
    fprintf(f, "\n---\nMade by zmq-repro %s on %s. The folder holds the client, %srun.sh and report.txt (the whole "
               "report of the run above).\n",
            ZR_VERSION, json_string_value(json_object_get(host, "hostname")), server ? "the peer, " : "");
    json_decref(host);
    free(cc);
    return fclose(f) == 0 ? 0 : -1;
}

static int write_bundle(const struct bundle *b, const struct zr_setup *setup, const char *out_dir, char *err,
                        size_t errlen)
{
    char *dir = zr_strdup_printf("%s/%s", out_dir, b->name);
    int rc = -1;
    if (zr_mkdirs(dir) != 0) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        goto out;
    }
    if (copy_into(b->client_path, dir, base_of(b->client_path), err, errlen) != 0)
        goto out;
    if (b->pymodule_path && copy_into(b->pymodule_path, dir, base_of(b->pymodule_path), err, errlen) != 0)
        goto out;
    if (strcmp(b->server_mode, "none")) {
        char *server = zr_strdup_printf("%s/harness/server/router_server.c", setup->source_dir);
        char *stats = zr_strdup_printf("%s/harness/server/server_stats.h", setup->source_dir);
        int c = copy_into(server, dir, "router_server.c", err, errlen) || copy_into(stats, dir, "server_stats.h", err, errlen);
        free(server);
        free(stats);
        if (c)
            goto out;
    }
    char *report = zr_strdup_printf("%s/report.txt", dir);
    FILE *f = fopen(report, "w");
    free(report);
    if (!f || fprintf(f, "%s\n\n%s", b->verdict, b->report ? b->report : "") < 0 || fclose(f) != 0) {
        snprintf(err, errlen, "cannot write report.txt in %s", dir);
        goto out;
    }
    if (write_run_sh(b, dir) != 0 || write_issue(b, setup, dir) != 0) {
        snprintf(err, errlen, "cannot write run.sh or ISSUE.md in %s", dir);
        goto out;
    }
    char *tarball = zr_strdup_printf("%s/%s.tar.gz", out_dir, b->name);
    char *argv[] = { (char *)"/bin/tar", (char *)"-czf", tarball, (char *)"-C", (char *)out_dir, b->name, NULL };
    struct zr_spawn s = { .argv = argv, .out = ZR_OUTPUT_NULL, .err = ZR_OUTPUT_FD(2) };
    int status = zr_run_to_end(&s, 600, err, errlen);
    if (status == 0) {
        printf("bundle: %s/\n        %s\n", dir, tarball);
        rc = 0;
    } else if (status > 0) {
        snprintf(err, errlen, "tar failed on %s", dir);
    }
    free(tarball);
out:
    free(dir);
    return rc;
}

/* --- From a case: run it here. --- */

static int bundle_case(const struct zr_options *o, const struct zr_case_spec *spec, struct bundle *b, char *err,
                       size_t errlen)
{
    const struct zr_mode *mode = o->nmodes ? o->modes[0] : NULL;
    if (!mode) /* the symptom users see, when the case has it */
        mode = spec->modes[zr_mode_index(zr_mode_find("stress"))].enabled ? zr_mode_find("stress") : zr_mode_find("tsan");
    int m = zr_mode_index(mode);
    /* A bundle carries the client, the server and a sanitizer set-up, not the harness's preloads. */
    if (!spec->modes[m].enabled || (mode->preload & ZR_PRELOAD_OWNER_CHECKER)) {
        snprintf(err, errlen, "%s has no %s mode a bundle can carry (tsan or stress)", spec->id, mode->name);
        return -1;
    }
    if (spec->variant != ZR_VARIANT_BROKEN) {
        snprintf(err, errlen, "%s is a fixed case: a bundle reproduces a failure", spec->id);
        return -1;
    }
    struct zr_build build;
    if (zr_builds_for_mode(o, mode, &build, 1, err, errlen) != 1) {
        if (!err[0])
            snprintf(err, errlen, "no build named with -b fits %s mode", mode->name);
        return -1;
    }
    json_t *env = zr_preflight(&o->setup, spec, m, &build, err, errlen);
    if (!env) {
        zr_build_close(&build);
        return -1;
    }
    int attempts = o->attempts ? o->attempts : 10;
    fprintf(stderr, "bundle: running %s [%s on %s] %d times\n", spec->id, mode->name, build.name, attempts);
    struct zr_case_run run;
    zr_case_run(&o->setup, spec, m, &build, attempts, true, NULL, NULL, &run);
    json_t *figures = zr_figures(&run);
    const struct zr_attempt *d = run.deciding >= 0 ? &run.attempts[run.deciding] : NULL;
    int rc = 0;
    if (run.status != ZR_HELD || !d) {
        snprintf(err, errlen, "%s did not reproduce here (%s): nothing to bundle", spec->id, run.status_text);
        rc = -1;
    } else {
        b->name = zr_strdup_printf("%s-%s-%s", spec->family, spec->name, mode->name);
        b->title = zr_strdup_printf("%s: %s %s (%s mode)", spec->id, d->verdict.outcome, d->verdict.symptom, mode->name);
        b->description = header_prose(spec->path);
        b->client_path = zr_strdup_printf("%s", spec->path);
        b->python = spec->language == ZR_LANG_PYTHON;
        if (spec->pymodule)
            b->pymodule_path = zr_strdup_printf("%s/pyclients/ext/%s.c", o->setup.source_dir, spec->pymodule);
        b->server_mode = zr_strdup_printf("%s", spec->server_mode);
        b->server_delay_ms = spec->server_delay_ms;
        b->nargs = spec->modes[m].nargs;
        b->args = calloc((size_t)b->nargs + 1, sizeof *b->args);
        for (int i = 0; i < b->nargs; i++)
            b->args[i] = zr_strdup_printf("%s", spec->modes[m].args[i]);
        b->mode = mode;
        b->timeout_s = spec->modes[m].timeout_s;
        b->expected = classes_of(&spec->modes[m].expect);
        b->verdict = zr_strdup_printf("%s %s", d->verdict.outcome, d->verdict.signature);
        b->report = d->verdict.report ? zr_strdup_printf("%s", d->verdict.report) : NULL;
        b->met = run.met;
        b->n = run.n;
        json_t *t = json_object_get(figures, "median_detect_s");
        b->median_detect_s = json_is_number(t) ? json_number_value(t) : -1;
        b->build = json_deep_copy(build.info);
        b->python_env = json_incref(json_object_get(env, "python"));
    }
    json_decref(figures);
    json_decref(env);
    zr_case_run_free(&run);
    zr_build_close(&build);
    return rc;
}

/* --- From a result file of `check` or `run`. --- */

static int bundle_result(const struct zr_options *o, const char *path, struct bundle *b, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    const char *kind = json_string_value(json_object_get(doc, "kind"));
    if (!doc || !kind || (strcmp(kind, "check") && strcmp(kind, "run"))) {
        snprintf(err, errlen, "%s is not the result of `zmq-repro check` or `run`%s%s", path, doc ? "" : ": ",
                 doc ? "" : jerr.text);
        json_decref(doc);
        return -1;
    }
    const char *file = json_string_value(json_object_get(doc, "file"));
    const char *mode = json_string_value(json_object_get(doc, "mode"));
    json_t *attempts = json_object_get(doc, "attempts");
    /* The attempt whose report proves it: the first with a report that is not CLEAN. */
    json_t *d = NULL, *a;
    size_t i;
    int met = (int)json_integer_value(json_object_get(doc, "attempts_meeting_expectation"));
    json_array_foreach(attempts, i, a) if (!d && json_object_get(a, "report") &&
                                           !zr_outcome_is_clean(json_string_value(json_object_get(a, "outcome")))) d = a;
    bool source = file && (strstr(file, ".c") || strstr(file, ".py") || strstr(file, ".cpp") || strstr(file, ".cc"));
    const struct zr_mode *m = mode ? zr_mode_find(mode) : NULL;
    if (!d || !source || !m || (m->preload & ZR_PRELOAD_OWNER_CHECKER)) {
        snprintf(err, errlen, "%s: %s", path,
                 !source ? "the program is not a source file or script: a bundle carries source"
                 : !d    ? "no attempt with a report: nothing to file"
                         : "only tsan and stress results can be bundled");
        json_decref(doc);
        return -1;
    }
    const char *base = base_of(file);
    b->name = zr_strdup_printf("%.*s-%s", (int)strcspn(base, "."), base, mode);
    b->title = zr_strdup_printf("%s: %s %s (%s mode)", base, json_string_value(json_object_get(d, "outcome")),
                                json_string_value(json_object_get(d, "symptom")), mode);
    b->description = !strcmp(kind, "run") ? header_prose(file)
                                          : zr_strdup_printf("A program of ours, run with `zmq-repro check`.");
    b->client_path = zr_strdup_printf("%s", file);
    b->python = !strcmp(json_string_value(json_object_get(doc, "language")), "python");
    const char *server = json_string_value(json_object_get(doc, "server"));
    b->server_mode = zr_strdup_printf("%s", server ? server : "echo");
    b->server_delay_ms = 10;
    json_t *cmd = json_object_get(doc, "command");
    size_t ncmd = cmd ? json_array_size(cmd) : 0;
    b->args = calloc(ncmd + 1, sizeof *b->args);
    for (size_t k = 1; k < ncmd; k++) {
        const char *arg = json_string_value(json_array_get(cmd, k));
        /* The endpoint is run.sh's first argument to the client, always. */
        if (arg && strcmp(arg, "{endpoint}"))
            b->args[b->nargs++] = zr_strdup_printf("%s", arg);
    }
    b->mode = m;
    b->timeout_s = o->timeout_s > 0 ? o->timeout_s : 10;
    json_t *expect = json_object_get(doc, "expect");
    char *classes = zr_strdup_printf("%s", "");
    json_array_foreach(expect, i, a) {
        const char *e = json_string_value(a);
        struct zr_expectation one = { zr_strdup_printf("%.*s", (int)strcspn(e, ":"), e), NULL };
        struct zr_expect_list list = { 1, &one };
        char *c = classes_of(&list);
        char *more = zr_strdup_printf("%s%s%s", classes, *classes && *c ? " " : "", c);
        free(classes);
        free(c);
        free(one.outcome);
        classes = more;
    }
    if (!*classes) {
        /* Expected clean: a failure of any kind is what the bundle shows. */
        free(classes);
        classes = zr_strdup_printf("tsan assert signal hang loss exit fatal-python");
    }
    b->expected = classes;
    b->verdict = zr_strdup_printf("%s %s", json_string_value(json_object_get(d, "outcome")),
                                  json_string_value(json_object_get(d, "signature")));
    b->report = zr_strdup_printf("%s", json_string_value(json_object_get(d, "report")));
    b->met = !strcmp(json_string_value(json_object_get(doc, "judged_as")), "fixed")
                 ? (int)json_integer_value(json_object_get(doc, "attempts_run")) - met
                 : met;
    b->n = (int)json_integer_value(json_object_get(doc, "attempts_run"));
    b->median_detect_s = -1;
    b->build = json_deep_copy(json_object_get(doc, "build"));
    b->python_env = json_incref(json_object_get(json_object_get(doc, "environment"), "python"));
    json_decref(doc);
    return 0;
}

int zr_cmd_bundle(const struct zr_options *o, const struct zr_catalog *cat, int nargs, char **args)
{
    if (nargs != 1) {
        fprintf(stderr, "zmq-repro: bundle takes one CASE or the result JSON of a check or run\n");
        return ZR_EXIT_USAGE;
    }
    char err[1024] = "";
    const char *out = o->out_dir ? o->out_dir : "bundles";
    if (zr_check_writable_dir(out, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s: name another folder with --out\n", err);
        return ZR_EXIT_USAGE;
    }
    struct bundle b;
    memset(&b, 0, sizeof b);
    const struct zr_case_spec *spec = zr_catalog_find(cat, args[0]);
    int rc;
    if (spec && !spec->error)
        rc = bundle_case(o, spec, &b, err, sizeof err);
    else if (strstr(args[0], ".json"))
        rc = bundle_result(o, args[0], &b, err, sizeof err);
    else {
        snprintf(err, sizeof err, "%s", spec ? spec->error : "no such case or result file (see `zmq-repro list`)");
        rc = -1;
    }
    if (rc == 0)
        rc = write_bundle(&b, &o->setup, out, err, sizeof err);
    free_bundle(&b);
    if (rc != 0) {
        fprintf(stderr, "zmq-repro: bundle: %s\n", err);
        return zr_interrupted() ? zr_interrupted_exit_code() : ZR_EXIT_USAGE;
    }
    return ZR_EXIT_HELD;
}
