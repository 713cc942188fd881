/* The test driver of libzmq_owner: runs each named scenario (a test program
 * or a Python script with the checker preloaded, some environment) a number
 * of times and checks every run against the scenario's expectation:
 *
 *   clean      exit 0, a DONE line, nothing at all on stderr
 *   verbose    as clean with ZMQ_OWNER_VERBOSE=1: stderr holds only the
 *              checker's start and exit lines, matching the given patterns
 *   abort      the checker's report, its SUMMARY matching one of the
 *              patterns, then SIGABRT; the time from the program's GO line
 *              to the SUMMARY is measured and must stay under a limit
 *   continue   the report once (ZMQ_OWNER_ON_OVERLAP=continue or a handoff),
 *              and the program still finishes: exit 0 and DONE
 *   unaffected the same stdout and exit status as without the checker,
 *              nothing on stderr
 *   tsan-race  with the ThreadSanitizer build (libtsan and
 *              libzmq_owner_tsan.so preloaded, ZMQ_OWNER_HANDOFF=tsan): a
 *              TSan data race on the checker's shadow, and DONE
 *   tsan-clean the same set-up: no ThreadSanitizer report, exit 0, DONE
 *
 * usage: owner_test_driver --lib LIBZMQ_OWNER_SO --bin DIR [--scripts DIR]
 *            [--python PYTHON] [--runs N] [--libzmq-dir DIR]
 *            [--loader LD_SO --loader-path DIR] [--expect-version X.Y.Z]
 *            [--tsan-lib LIBZMQ_OWNER_TSAN_SO --libtsan LIBTSAN_SO]
 *            [--show-report] SCENARIO...|all|list
 * The tsan-* scenarios are skipped without --tsan-lib and --libtsan, or
 * with --loader.
 * Exit status: 0 every scenario passed (or was skipped), 1 one failed,
 * 2 usage error.
 */
#include <fnmatch.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"

#define EXIT_SKIP 77
#define MAX_PATTERNS 3
#define TIME_LIMIT_S 30.0

enum expectation {
    EXPECT_CLEAN,
    EXPECT_VERBOSE,
    EXPECT_ABORT,
    EXPECT_CONTINUE,
    EXPECT_UNAFFECTED,
    EXPECT_TSAN_RACE,
    EXPECT_TSAN_CLEAN,
};

struct scenario {
    const char *name;
    const char *program; /* a test binary in --bin, or NAME.py in --scripts */
    const char *args[3];
    const char *env[4];
    enum expectation expect;
    /* abort, continue: accepted SUMMARY texts (after "SUMMARY: ");
     * verbose: patterns every checker line must match one of. fnmatch(3). */
    const char *patterns[MAX_PATTERNS];
    double max_detect_s; /* abort: from GO to SUMMARY */
};

static const struct scenario scenarios[] = {
    { "shared_send_recv", "shared_send_recv", { NULL }, { NULL }, EXPECT_ABORT,
      { "SHARED_SOCKET DEALER zmq_recv (receiver) | zmq_send (sender)",
        "SHARED_SOCKET DEALER zmq_send (sender) | zmq_recv (receiver)" }, 0.2 },
    { "poll_and_send", "poll_and_send", { NULL }, { NULL }, EXPECT_ABORT,
      { "SHARED_SOCKET DEALER zmq_poll (poller) | zmq_send (sender)",
        "SHARED_SOCKET DEALER zmq_send (sender) | zmq_poll (poller)" }, 0.2 },
    { "close_during_recv", "close_during_recv", { NULL }, { NULL }, EXPECT_ABORT,
      { "SHARED_SOCKET DEALER zmq_recv (receiver) | zmq_close (main)" }, 0.2 },
    { "proxy_shared", "proxy_shared", { NULL }, { NULL }, EXPECT_ABORT,
      { "SHARED_SOCKET DEALER zmq_proxy (run_proxy) | zmq_send (meddler)" }, 0.2 },
    { "overlap_continue", "shared_send_recv", { "20000", "100" }, { "ZMQ_OWNER_ON_OVERLAP=continue" },
      EXPECT_CONTINUE,
      { "SHARED_SOCKET DEALER zmq_recv (receiver) | zmq_send (sender)",
        "SHARED_SOCKET DEALER zmq_send (sender) | zmq_recv (receiver)" }, 0 },
    { "single_owner", "single_owner", { NULL }, { NULL }, EXPECT_CLEAN, { NULL }, 0 },
    { "socket_per_thread", "socket_per_thread", { NULL }, { NULL }, EXPECT_CLEAN, { NULL }, 0 },
    { "inproc_bridge", "inproc_bridge", { NULL }, { NULL }, EXPECT_CLEAN, { NULL }, 0 },
    { "mutex_handoff", "mutex_handoff", { NULL }, { NULL }, EXPECT_CLEAN, { NULL }, 0 },
    { "socket_churn", "socket_churn", { NULL }, { NULL }, EXPECT_CLEAN, { NULL }, 0 },
    /* 0 calls checked: every call on the CLIENT and SERVER was exempt. */
    { "thread_safe_client", "thread_safe_client", { NULL }, { "ZMQ_OWNER_VERBOSE=1" }, EXPECT_VERBOSE,
      { "active: checking socket ownership (on overlap: abort; handoff: off); forwarding to * (libzmq *)",
        "exit: checked 0 calls (0 nested) on 2 sockets; reported 0 overlaps, 0 handoffs" }, 0 },
    { "nested_calls", "nested_calls", { NULL }, { "ZMQ_OWNER_VERBOSE=1" }, EXPECT_VERBOSE,
      { "active: checking socket ownership (on overlap: abort; handoff: off); forwarding to * (libzmq *)",
        "exit: checked * calls ([1-9]* nested) on * sockets; reported 0 overlaps, 0 handoffs" }, 0 },
    { "handoff_report", "mutex_handoff", { NULL }, { "ZMQ_OWNER_HANDOFF=report" }, EXPECT_CONTINUE,
      { "SOCKET_HANDOFF DEALER zmq_connect (echo_router_connect_dealer) -> zmq_send (take_turns)" }, 0 },
    { "handoff_marked", "mutex_handoff", { "--mark" }, { "ZMQ_OWNER_HANDOFF=report" }, EXPECT_CLEAN,
      { NULL }, 0 },
    { "handoff_allowed", "mutex_handoff", { NULL },
      { "ZMQ_OWNER_HANDOFF=report", "ZMQ_OWNER_ALLOW_MIGRATION=1" }, EXPECT_CLEAN, { NULL }, 0 },
    { "handoff_report_churn", "socket_churn", { NULL }, { "ZMQ_OWNER_HANDOFF=report" }, EXPECT_CLEAN,
      { NULL }, 0 },
    { "handoff_report_bridge", "inproc_bridge", { NULL }, { "ZMQ_OWNER_HANDOFF=report" }, EXPECT_CLEAN,
      { NULL }, 0 },
    /* Perturb mode finds libzmq itself, behind the checker's own wrappers,
     * for the delays of libzmq's own waits and reads. */
    { "perturb_finds_libzmq", "single_owner", { NULL }, { "ZMQ_OWNER_PERTURB=7", "ZMQ_OWNER_VERBOSE=1" },
      EXPECT_VERBOSE,
      { "active: perturbing (seed 7); libzmq's own waits and reads delayed in */libzmq.so*",
        "exit: checked * calls (* nested) on * sockets; reported 0 overlaps, 0 handoffs" }, 0 },
    /* pyzmq loads libzmq in a local scope, where dlsym(RTLD_DEFAULT) does not look. */
    { "py_perturb_finds_libzmq", "py_single_poller.py", { NULL }, { "ZMQ_OWNER_PERTURB=7", "ZMQ_OWNER_VERBOSE=1" },
      EXPECT_VERBOSE,
      { "active: perturbing (seed 7); libzmq's own waits and reads delayed in */libzmq.so*",
        "exit: checked * calls (* nested) on * sockets; reported 0 overlaps, 0 handoffs" }, 0 },
    { "no_libzmq", "no_libzmq", { NULL }, { "ZMQ_OWNER_VERBOSE=1" }, EXPECT_UNAFFECTED, { NULL }, 0 },
    { "py_shared_dealer", "py_shared_dealer.py", { NULL }, { NULL }, EXPECT_ABORT,
      { "SHARED_SOCKET DEALER zmq_msg_recv (socket.cpython-*.so+0x*) | zmq_msg_send (socket.cpython-*.so+0x*)",
        "SHARED_SOCKET DEALER zmq_msg_send (socket.cpython-*.so+0x*) | zmq_msg_recv (socket.cpython-*.so+0x*)" },
      0.2 },
    { "py_single_poller", "py_single_poller.py", { NULL }, { NULL }, EXPECT_CLEAN, { NULL }, 0 },
    { "tsan_unsynchronized_handoff", "unsynchronized_handoff", { NULL }, { NULL }, EXPECT_TSAN_RACE, { NULL }, 0 },
    { "tsan_mutex_handoff", "mutex_handoff", { NULL }, { NULL }, EXPECT_TSAN_CLEAN, { NULL }, 0 },
    { "tsan_single_owner", "single_owner", { NULL }, { NULL }, EXPECT_TSAN_CLEAN, { NULL }, 0 },
    { "tsan_socket_churn", "socket_churn", { "500" }, { NULL }, EXPECT_TSAN_CLEAN, { NULL }, 0 },
    { "tsan_inproc_bridge", "inproc_bridge", { "1000" }, { NULL }, EXPECT_TSAN_CLEAN, { NULL }, 0 },
    { "tsan_py_single_poller", "py_single_poller.py", { "5000" }, { NULL }, EXPECT_TSAN_CLEAN, { NULL }, 0 },
};

#define SCENARIO_COUNT (sizeof scenarios / sizeof scenarios[0])

struct options {
    const char *lib, *bin, *scripts, *python, *libzmq_dir, *loader, *loader_path, *expect_version;
    const char *tsan_lib, *libtsan;
    int runs;
    bool show_report;
};

/* --- Building a run's command line and environment ------------------------ */

struct command {
    char *argv[16];
    char *env[10];
    char storage[4][2 * PATH_MAX + 64];
};

static bool is_python(const struct scenario *s)
{
    size_t n = strlen(s->program);
    return n > 3 && strcmp(s->program + n - 3, ".py") == 0;
}

static bool is_tsan(const struct scenario *s)
{
    return s->expect == EXPECT_TSAN_RACE || s->expect == EXPECT_TSAN_CLEAN;
}

static void build_command(const struct options *o, const struct scenario *s, bool with_checker,
                          struct command *c)
{
    int a = 0, e = 0;
    if (with_checker && is_tsan(s)) {
        /* TSan's runtime first: the checker's TSan build needs it loaded. */
        snprintf(c->storage[0], sizeof c->storage[0], "LD_PRELOAD=%s %s", o->libtsan, o->tsan_lib);
        c->env[e++] = c->storage[0];
        snprintf(c->storage[3], sizeof c->storage[3], "TSAN_OPTIONS=suppressions=%s/tsan_suppressions.txt",
                 o->scripts);
        c->env[e++] = c->storage[3];
        c->env[e++] = "ZMQ_OWNER_HANDOFF=tsan";
    } else if (with_checker && o->loader) {
        /* A libzmq that needs another glibc: its own dynamic loader runs the
         * program, with the checker given to it as a preload. */
        c->argv[a++] = (char *)o->loader;
        c->argv[a++] = "--library-path";
        c->argv[a++] = (char *)o->loader_path;
        c->argv[a++] = "--preload";
        c->argv[a++] = (char *)o->lib;
    } else if (with_checker) {
        snprintf(c->storage[0], sizeof c->storage[0], "LD_PRELOAD=%s", o->lib);
        c->env[e++] = c->storage[0];
    }
    if (o->libzmq_dir) {
        snprintf(c->storage[1], sizeof c->storage[1], "LD_LIBRARY_PATH=%s", o->libzmq_dir);
        c->env[e++] = c->storage[1];
    }
    if (is_python(s)) {
        c->argv[a++] = (char *)o->python;
        snprintf(c->storage[2], sizeof c->storage[2], "%s/%s", o->scripts, s->program);
    } else {
        snprintf(c->storage[2], sizeof c->storage[2], "%s/%s", o->bin, s->program);
    }
    c->argv[a++] = c->storage[2];
    for (int i = 0; i < 3 && s->args[i]; i++)
        c->argv[a++] = (char *)s->args[i];
    c->argv[a] = NULL;
    for (int i = 0; i < 4 && s->env[i]; i++)
        c->env[e++] = (char *)s->env[i];
    c->env[e] = NULL;
}

/* --- Checking one run ------------------------------------------------------ */

/* The text after "==PID== zmq-owner: " of each checker line, one at a time:
 * returns the next line (copied into line) or NULL. */
static const char *next_checker_line(const char **cursor, char *line, size_t size)
{
    while (**cursor) {
        const char *start = *cursor;
        const char *end = strchr(start, '\n');
        size_t length = end ? (size_t)(end - start) : strlen(start);
        *cursor = end ? end + 1 : start + length;
        const char *marker = strstr(start, "== zmq-owner: ");
        if (start[0] != '=' || start[1] != '=' || !marker || marker > start + length)
            continue;
        const char *text = marker + strlen("== zmq-owner: ");
        size_t n = length - (size_t)(text - start);
        if (n >= size)
            n = size - 1;
        memcpy(line, text, n);
        line[n] = '\0';
        return line;
    }
    return NULL;
}

static int count_occurrences(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
        n++;
    return n;
}

static bool has_done_line(const char *out)
{
    return strncmp(out, "DONE", 4) == 0 || strstr(out, "\nDONE");
}

static bool matches_any(const char *text, const char *const patterns[MAX_PATTERNS], int *which)
{
    for (int i = 0; i < MAX_PATTERNS && patterns[i]; i++) {
        if (fnmatch(patterns[i], text, 0) == 0) {
            if (which)
                *which = i;
            return true;
        }
    }
    return false;
}

/* Every line on stderr must be a checker line (and a well-formed one). */
static bool stderr_is_only_checker_lines(const char *err)
{
    for (const char *line = err; *line;) {
        const char *end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) : strlen(line);
        const char *marker = strstr(line, "== zmq-owner: ");
        if (line[0] != '=' || line[1] != '=' || !marker || marker > line + length)
            return false;
        line = end ? end + 1 : line + length;
    }
    return true;
}

struct verdict {
    bool ok;
    bool skipped;
    char why[512];
    char summary[512]; /* the SUMMARY text, if any */
    int pattern;       /* which accepted pattern it matched */
    double detect_s;   /* abort: GO to SUMMARY */
};

static void find_summary(const char *err, struct verdict *v)
{
    char line[1024];
    const char *cursor = err;
    v->summary[0] = '\0';
    while (next_checker_line(&cursor, line, sizeof line))
        if (strncmp(line, "SUMMARY: ", 9) == 0 && !v->summary[0])
            snprintf(v->summary, sizeof v->summary, "%.500s", line + 9);
}

static void check_run(const struct options *o, const struct scenario *s, const struct spawn_result *r,
                      const struct spawn_result *reference, struct verdict *v)
{
    memset(v, 0, sizeof *v);
    v->pattern = -1;
    v->detect_s = -1;
    find_summary(r->err, v);
    if (r->timed_out) {
        snprintf(v->why, sizeof v->why, "timed out after %.0f s", TIME_LIMIT_S);
        return;
    }
    if (r->exit_status == EXIT_SKIP && (s->expect == EXPECT_CLEAN || s->expect == EXPECT_VERBOSE)) {
        v->ok = v->skipped = true;
        snprintf(v->why, sizeof v->why, "%.200s", r->out);
        return;
    }
    switch (s->expect) {
    case EXPECT_CLEAN:
        if (r->exit_status != 0 || !has_done_line(r->out) || r->err_length > 0)
            snprintf(v->why, sizeof v->why, "not clean: exit %d signal %d, %s, stderr: %.300s", r->exit_status,
                     r->signal, has_done_line(r->out) ? "DONE" : "no DONE", r->err);
        else
            v->ok = true;
        return;
    case EXPECT_VERBOSE: {
        if (r->exit_status != 0 || !has_done_line(r->out) || !stderr_is_only_checker_lines(r->err)) {
            snprintf(v->why, sizeof v->why, "not clean: exit %d signal %d, stderr: %.300s", r->exit_status,
                     r->signal, r->err);
            return;
        }
        char line[1024];
        const char *cursor = r->err;
        int seen = 0;
        while (next_checker_line(&cursor, line, sizeof line)) {
            if (!matches_any(line, s->patterns, NULL)) {
                snprintf(v->why, sizeof v->why, "unexpected checker line: %.300s", line);
                return;
            }
            if (o->expect_version && strncmp(line, "active:", 7) == 0) {
                char wanted[64];
                snprintf(wanted, sizeof wanted, "(libzmq %s)", o->expect_version);
                if (!strstr(line, wanted)) {
                    snprintf(v->why, sizeof v->why, "forwards to another libzmq than %s: %.300s",
                             o->expect_version, line);
                    return;
                }
            }
            seen++;
        }
        if (seen != 2)
            snprintf(v->why, sizeof v->why, "expected the start and exit lines, saw %d checker lines", seen);
        else
            v->ok = true;
        return;
    }
    case EXPECT_ABORT:
        if (!v->summary[0]) {
            snprintf(v->why, sizeof v->why, "no report: exit %d signal %d, stderr: %.300s", r->exit_status,
                     r->signal, r->err);
            return;
        }
        if (!matches_any(v->summary, s->patterns, &v->pattern)) {
            snprintf(v->why, sizeof v->why, "unexpected SUMMARY: %.400s", v->summary);
            return;
        }
        if (r->signal != 6) {
            snprintf(v->why, sizeof v->why, "reported but did not abort: exit %d signal %d", r->exit_status,
                     r->signal);
            return;
        }
        if (!stderr_is_only_checker_lines(r->err)) {
            snprintf(v->why, sizeof v->why, "something else on stderr: %.300s", r->err);
            return;
        }
        if (r->go_at < 0) {
            snprintf(v->why, sizeof v->why, "reported before the program's GO line");
            return;
        }
        v->detect_s = r->summary_at - r->go_at;
        if (v->detect_s > s->max_detect_s) {
            snprintf(v->why, sizeof v->why, "reported %.3f s after GO (limit %.3f s)", v->detect_s,
                     s->max_detect_s);
            return;
        }
        v->ok = true;
        return;
    case EXPECT_CONTINUE:
        if (!v->summary[0] || !matches_any(v->summary, s->patterns, &v->pattern)) {
            snprintf(v->why, sizeof v->why, "no or unexpected SUMMARY: %.400s", v->summary);
            return;
        }
        if (count_occurrences(r->err, "zmq-owner: SUMMARY:") != 1) {
            snprintf(v->why, sizeof v->why, "%d reports, expected one", count_occurrences(r->err, "SUMMARY:"));
            return;
        }
        if (r->exit_status != 0 || !has_done_line(r->out) || !stderr_is_only_checker_lines(r->err)) {
            snprintf(v->why, sizeof v->why, "did not go on to the end: exit %d signal %d, stdout: %.200s",
                     r->exit_status, r->signal, r->out);
            return;
        }
        v->ok = true;
        return;
    case EXPECT_TSAN_RACE:
        if (!strstr(r->err, "WARNING: ThreadSanitizer: data race")
            || !strstr(r->err, "tsan_socket_used_by_this_thread") || !has_done_line(r->out))
            snprintf(v->why, sizeof v->why, "no TSan race on the checker's shadow: exit %d signal %d, stderr: %.300s",
                     r->exit_status, r->signal, r->err);
        else
            v->ok = true;
        return;
    case EXPECT_TSAN_CLEAN:
        if (r->exit_status != 0 || !has_done_line(r->out) || r->err_length > 0)
            snprintf(v->why, sizeof v->why, "not clean: exit %d signal %d, stderr: %.400s", r->exit_status,
                     r->signal, r->err);
        else
            v->ok = true;
        return;
    case EXPECT_UNAFFECTED:
        if (r->err_length > 0 || r->exit_status != reference->exit_status || strcmp(r->out, reference->out) != 0)
            snprintf(v->why, sizeof v->why, "differs from the run without the checker: exit %d/%d, stderr: %.300s",
                     r->exit_status, reference->exit_status, r->err);
        else
            v->ok = true;
        return;
    }
}

/* --- Running scenarios ------------------------------------------------------ */

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static bool run_scenario(const struct options *o, const struct scenario *s)
{
    if (is_tsan(s) && (!o->tsan_lib || !o->libtsan || o->loader)) {
        printf("SKIP owner/%s: needs --tsan-lib and --libtsan (and no --loader)\n", s->name);
        return true;
    }
    struct spawn_result reference;
    bool have_reference = false;
    if (s->expect == EXPECT_UNAFFECTED) {
        struct command c;
        build_command(o, s, false, &c);
        if (spawn_and_capture(c.argv, c.env, TIME_LIMIT_S, &reference) != 0) {
            printf("FAIL owner/%s: cannot run %s\n", s->name, c.argv[0]);
            return false;
        }
        have_reference = true;
    }

    double *detect = calloc((size_t)o->runs, sizeof *detect);
    int passed = 0, skipped = 0, detected = 0, pattern_counts[MAX_PATTERNS] = { 0 };
    char first_failure[1024] = "";
    struct spawn_result shown = { 0 };
    bool have_shown = false;
    for (int run = 0; run < o->runs; run++) {
        struct command c;
        build_command(o, s, true, &c);
        struct spawn_result r;
        if (spawn_and_capture(c.argv, c.env, TIME_LIMIT_S, &r) != 0) {
            printf("FAIL owner/%s: cannot run %s\n", s->name, c.argv[0]);
            free(detect);
            return false;
        }
        struct verdict v;
        check_run(o, s, &r, have_reference ? &reference : NULL, &v);
        if (v.ok) {
            passed++;
            skipped += v.skipped;
            if (v.pattern >= 0)
                pattern_counts[v.pattern]++;
            if (v.detect_s >= 0)
                detect[detected++] = v.detect_s;
        } else if (!first_failure[0]) {
            snprintf(first_failure, sizeof first_failure, "run %d: %s", run + 1, v.why);
        }
        if (o->show_report && !have_shown && r.err_length > 0) {
            shown = r;
            have_shown = true;
        } else {
            spawn_result_free(&r);
        }
        if (skipped)
            break; /* a skip is a property of the libzmq, not of the run */
    }

    bool ok = passed == (skipped ? 1 : o->runs);
    if (skipped) {
        printf("SKIP owner/%s: %s", s->name, first_failure[0] ? first_failure : "skipped\n");
    } else {
        printf("%s owner/%s: %d of %d runs as expected", ok ? "PASS" : "FAIL", s->name, passed, o->runs);
        if (detected > 0) {
            qsort(detect, (size_t)detected, sizeof *detect, compare_doubles);
            printf("; reported %.2f ms after GO (median), worst %.2f ms", detect[detected / 2] * 1e3,
                   detect[detected - 1] * 1e3);
        }
        for (int i = 0; i < MAX_PATTERNS && s->patterns[i]; i++)
            if (pattern_counts[i] && (s->expect == EXPECT_ABORT || s->expect == EXPECT_CONTINUE))
                printf("\n    %3d x %s", pattern_counts[i], s->patterns[i]);
        printf("\n");
        if (!ok)
            printf("    first failure: %s\n", first_failure);
    }
    if (have_shown) {
        printf("    --- stderr of the first run with output ---\n%s    ---\n", shown.err);
        spawn_result_free(&shown);
    }
    if (have_reference)
        spawn_result_free(&reference);
    free(detect);
    fflush(stdout);
    return ok;
}

static void usage(FILE *to)
{
    fprintf(to, "usage: owner_test_driver --lib LIBZMQ_OWNER_SO --bin DIR [--scripts DIR] [--python PYTHON]\n"
                "         [--runs N] [--libzmq-dir DIR] [--loader LD_SO --loader-path DIR]\n"
                "         [--expect-version X.Y.Z] [--tsan-lib LIBZMQ_OWNER_TSAN_SO --libtsan LIBTSAN_SO]\n"
                "         [--show-report] SCENARIO...|all|list\n");
}

int main(int argc, char **argv)
{
    struct options o = { .python = "/usr/bin/python3", .runs = 20 };
    int first_scenario = argc;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--show-report") == 0) {
            o.show_report = true;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            first_scenario = i;
            break;
        }
        if (!value) {
            usage(stderr);
            return 2;
        }
        i++;
        if (strcmp(a, "--lib") == 0) o.lib = value;
        else if (strcmp(a, "--bin") == 0) o.bin = value;
        else if (strcmp(a, "--scripts") == 0) o.scripts = value;
        else if (strcmp(a, "--python") == 0) o.python = value;
        else if (strcmp(a, "--runs") == 0) o.runs = atoi(value);
        else if (strcmp(a, "--libzmq-dir") == 0) o.libzmq_dir = value;
        else if (strcmp(a, "--loader") == 0) o.loader = value;
        else if (strcmp(a, "--loader-path") == 0) o.loader_path = value;
        else if (strcmp(a, "--expect-version") == 0) o.expect_version = value;
        else if (strcmp(a, "--tsan-lib") == 0) o.tsan_lib = value;
        else if (strcmp(a, "--libtsan") == 0) o.libtsan = value;
        else {
            usage(stderr);
            return 2;
        }
    }
    if (first_scenario < argc && strcmp(argv[first_scenario], "list") == 0) {
        for (size_t i = 0; i < SCENARIO_COUNT; i++)
            printf("%s\n", scenarios[i].name);
        return 0;
    }
    if (!o.lib || !o.bin || o.runs <= 0 || first_scenario == argc || (o.loader && !o.loader_path)) {
        usage(stderr);
        return 2;
    }
    if (!o.scripts)
        o.scripts = o.bin;

    bool all_ok = true;
    for (int i = first_scenario; i < argc; i++) {
        bool all = strcmp(argv[i], "all") == 0, found = all;
        for (size_t k = 0; k < SCENARIO_COUNT; k++) {
            if (all || strcmp(argv[i], scenarios[k].name) == 0) {
                found = true;
                all_ok &= run_scenario(&o, &scenarios[k]);
            }
        }
        if (!found) {
            fprintf(stderr, "owner_test_driver: no scenario '%s' (list shows them)\n", argv[i]);
            return 2;
        }
    }
    return all_ok ? 0 : 1;
}
