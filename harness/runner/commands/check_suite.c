/* zmq-repro check --suite -- ctest ...: another project's test suite on an
 * instrumented libzmq with the harness's suppressions. The suite's own
 * output and exit status pass through; every TSan report (one log file per
 * process) is summed up by its racing frame pair, so that a flood of
 * reports reads as a short list of distinct races. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "case_run.h"
#include "check.h"
#include "client.h"
#include "defaults.h"
#include "environment.h"
#include "files.h"
#include "loaded.h"
#include "process.h"
#include "suite_libzmq.h"
#include "text.h"
#include "tsan_report.h"

#define SUITE_TIMEOUT_S 7200.0

/* One distinct race: kind and the top frame of each access. */
struct race {
    char *key;
    int count;
    json_t *programs; /* object: program name -> count */
    char *example;
};

struct races {
    int n;
    struct race *items;
};

/* What zr_pytest_plugin marked: the span of one process's TSan log each test was running in. */
struct test_span {
    long pid;
    long start, end; /* log sizes at the test's start and end (end -1: it never ended) */
    char *nodeid;
};

struct test_marks {
    int n;
    struct test_span *items;
};

static void marks_read(const char *workdir, struct test_marks *m)
{
    memset(m, 0, sizeof *m);
    char *path = zr_strdup_printf("%s/test-marks", workdir);
    char *text = zr_read_file(path, NULL);
    free(path);
    for (char *line = text; line && *line;) {
        char *eol = strchr(line, '\n');
        if (eol)
            *eol = '\0';
        long pid, size;
        int used = 0;
        if (sscanf(line, "START %ld %ld %n", &pid, &size, &used) == 2 && used > 0) {
            struct test_span *more = realloc(m->items, (size_t)(m->n + 1) * sizeof *more);
            if (more) {
                m->items = more;
                m->items[m->n++] = (struct test_span){ pid, size, -1, zr_utf8_sanitize(line + used, strlen(line + used)) };
            }
        } else if (sscanf(line, "END %ld %ld %n", &pid, &size, &used) == 2 && used > 0) {
            for (int i = m->n - 1; i >= 0; i--)
                if (m->items[i].pid == pid && m->items[i].end < 0) {
                    m->items[i].end = size;
                    break;
                }
        }
        line = eol ? eol + 1 : NULL;
    }
    free(text);
}

/* The tests the marks say failed (RESULT failed), blank-separated; NULL when none were marked at all. */
static char *failed_tests(const char *workdir, int *nmarked)
{
    char *path = zr_strdup_printf("%s/test-marks", workdir);
    char *text = zr_read_file(path, NULL);
    free(path);
    char *failed = zr_strdup_printf("%s", "");
    *nmarked = 0;
    for (const char *line = text; line && *line;) {
        size_t n = strcspn(line, "\n");
        long pid;
        char outcome[32];
        int used = 0;
        if (sscanf(line, "RESULT %ld %31s %n", &pid, outcome, &used) == 2 && used > 0) {
            (*nmarked)++;
            if (strcmp(outcome, "passed") && strcmp(outcome, "skipped")) {
                char *more = zr_strdup_printf("%s%.*s\n", failed, (int)(n - (size_t)used), line + used);
                free(failed);
                failed = more;
            }
        }
        line += n + (line[n] == '\n');
    }
    free(text);
    return failed;
}

static void marks_free(struct test_marks *m)
{
    for (int i = 0; i < m->n; i++)
        free(m->items[i].nodeid);
    free(m->items);
}

/* The test that was running when pid's log reached offset, or NULL. */
static const char *test_at(const struct test_marks *m, long pid, size_t offset)
{
    for (int i = 0; i < m->n; i++) {
        const struct test_span *t = &m->items[i];
        if (t->pid == pid && (long)offset >= t->start && (t->end < 0 || (long)offset < t->end))
            return t->nodeid;
    }
    return NULL;
}

static struct race *find_or_add(struct races *rs, const char *key)
{
    for (int i = 0; i < rs->n; i++)
        if (!strcmp(rs->items[i].key, key))
            return &rs->items[i];
    struct race *more = realloc(rs->items, (size_t)(rs->n + 1) * sizeof *more);
    if (!more) {
        fputs("zmq-repro: out of memory\n", stderr);
        exit(2);
    }
    rs->items = more;
    rs->items[rs->n] = (struct race){ zr_strdup_printf("%s", key), 0, json_object(), NULL };
    return &rs->items[rs->n++];
}

/* "tsan.test_hwm.4242" -> "test_hwm" (log_exe_name=1 puts the program's name in the file name). */
static char *program_of(const char *file)
{
    const char *start = file + strlen("tsan.");
    const char *dot = strrchr(start, '.');
    return zr_strdup_printf("%.*s", (int)(dot ? dot - start : (long)strlen(start)), start);
}

/* "tsan.python3.11.4242" -> 4242. */
static long pid_of(const char *file)
{
    const char *dot = strrchr(file, '.');
    return dot ? atol(dot + 1) : -1;
}

/* Every report of every process's log, by race; each counted under the
 * test that was running (pytest, through the plugin's marks) or else the
 * program (ctest: the test's own binary). */
static void collect(const char *dir, struct races *rs, int *total)
{
    struct test_marks marks;
    marks_read(dir, &marks);
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "tsan.", 5))
            continue;
        char *path = zr_strdup_printf("%s/%s", dir, e->d_name);
        char *text = zr_read_file(path, NULL);
        char *raw = program_of(e->d_name);
        char *program = zr_utf8_sanitize(raw, strlen(raw)); /* a JSON key: a Latin-1 name would drop its count */
        free(raw);
        size_t offset = 0;
        struct zr_tsan_report r;
        while (text && zr_tsan_parse(text, offset, &r) == 1) {
            char *sig = zr_tsan_signature_dup(&r);
            struct race *race = find_or_add(rs, sig ? sig : r.kind);
            race->count++;
            (*total)++;
            const char *test = test_at(&marks, pid_of(e->d_name), r.start);
            const char *where = test ? test : program;
            json_t *c = json_object_get(race->programs, where);
            json_object_set_new(race->programs, where, json_integer(c ? json_integer_value(c) + 1 : 1));
            if (!race->example)
                race->example = zr_utf8_sanitize(text + r.start, r.end - r.start);
            offset = r.end > offset ? r.end : offset + 1;
            free(sig);
            zr_tsan_report_free(&r);
        }
        free(program);
        free(text);
        free(path);
    }
    closedir(d);
    marks_free(&marks);
}

/* Every process that mapped a libzmq mapped the build's. The mismatches, or
 * NULL; each file mapped, with its version and how many processes mapped
 * it, into by_file. */
static char *library_mismatches(const char *workdir, const struct zr_build *build, json_t *by_file)
{
    char *logpath = zr_loaded_log_path(workdir);
    char *log = zr_read_file(logpath, NULL);
    free(logpath);
    struct zr_loaded *loaded;
    int n = zr_loaded_parse(log, &loaded);
    char *out = NULL;
    for (int i = 0; i < n; i++) {
        json_t *file = json_object_get(by_file, loaded[i].path);
        if (!file) {
            file = json_pack("{s:s, s:i}", "version", loaded[i].version ? loaded[i].version : "", "processes", 0);
            json_object_set_new(by_file, loaded[i].path, file);
        }
        json_object_set_new(file, "processes", json_integer(json_integer_value(json_object_get(file, "processes")) + 1));
    }
    for (int i = 0, bad = 0; i < n; i++)
        if (!zr_loaded_is_build(build, loaded[i].path) && bad++ < 5) {
            char *more = zr_strdup_printf("%s%spid %d loaded %s (%s)", out ? out : "", out ? "; " : "",
                                          (int)loaded[i].pid, loaded[i].path, loaded[i].version);
            free(out);
            out = more;
        }
    zr_loaded_free(loaded, n);
    free(log);
    return out;
}

static void races_free(struct races *rs)
{
    for (int i = 0; i < rs->n; i++) {
        free(rs->items[i].key);
        free(rs->items[i].example);
        json_decref(rs->items[i].programs);
    }
    free(rs->items);
}

/* The build of the one mode, opened and checked: 0, or -1 with the cause printed. */
static int open_suite_build(const struct zr_options *o, const struct zr_mode *mode, struct zr_build *build)
{
    char err[1024];
    if (o->nmodes > 1) {
        fprintf(stderr, "zmq-repro: check --suite runs in one mode\n");
        return -1;
    }
    if (zr_builds_for_mode(o, mode, build, 1, err, sizeof err) != 1) {
        fprintf(stderr, "zmq-repro: check --suite [%s]: %s\n", mode->name,
                err[0] ? err : "none of the builds named with -b fits the mode");
        return -1;
    }
    if (zr_preflight_mode(&o->setup, mode, build, false, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        zr_build_close(build);
        return -1;
    }
    return 0;
}

/* The suppressions file TSan reads: the harness's, or (--known-bugs) the
 * harness's entries and the known bugs joined into one in workdir, since
 * TSan takes one file. NULL with the cause printed when they cannot be
 * joined: without them the suite would run and claim the known bugs suppressed. */
static char *suite_suppressions(const struct zr_options *o, const char *workdir)
{
    if (!o->known_bugs)
        return zr_strdup_printf("%s", o->setup.suppressions);
    char err[1024];
    char *suppressions = zr_strdup_printf("%s/suppressions.txt", workdir);
    char *known = zr_strdup_printf("%s/harness/tsan/known-libzmq-bugs.txt", o->setup.source_dir);
    const char *parts[] = { o->setup.suppressions, known };
    int joined = zr_join_files(parts, 2, suppressions, err, sizeof err);
    free(known);
    if (joined != 0) {
        fprintf(stderr, "zmq-repro: check --suite: cannot join the suppressions: %s\n", err);
        free(suppressions);
        return NULL;
    }
    return suppressions;
}

/* The suite's command line and environment: the whole suite runs on, every
 * report kept, one log file per process named after its program. 0, or -1
 * with the cause printed. */
/* The word after which pytest takes its own options: "pytest", "py.test",
 * or the "pytest" of "-m pytest"; -1 when the suite is no pytest run. */
static int pytest_word(char **argv)
{
    for (int i = 0; argv[i]; i++) {
        const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        if (!strcmp(base, "pytest") || !strcmp(base, "py.test") || !strcmp(base, "pytest-3"))
            return i;
        if (!strcmp(argv[i], "-m") && argv[i + 1] && !strcmp(argv[i + 1], "pytest"))
            return i + 1;
    }
    return -1;
}

/* A pytest suite gets zr_pytest_plugin (harness/suite/), which marks each
 * test's start and end, so that every report is laid to its test. */
static void use_pytest_plugin(const struct zr_options *o, const char *workdir, struct zr_client_cmd *cmd)
{
    int at = pytest_word(cmd->argv);
    if (at < 0)
        return;
    int n = 0;
    while (cmd->argv[n])
        n++;
    char **argv = calloc((size_t)n + 3, sizeof *argv);
    for (int i = 0, k = 0; i < n; i++) {
        argv[k++] = cmd->argv[i];
        if (i == at) {
            argv[k++] = zr_strdup_printf("-p");
            argv[k++] = zr_strdup_printf("zr_pytest_plugin");
        }
    }
    free(cmd->argv);
    cmd->argv = argv;
    char *dir = zr_strdup_printf("%s/harness/suite", o->setup.source_dir);
    const char *had = zr_env_get(&cmd->env, "PYTHONPATH");
    char *path = had && *had ? zr_strdup_printf("%s:%s", dir, had) : zr_strdup_printf("%s", dir);
    zr_env_set(&cmd->env, "PYTHONPATH", path);
    char *marks = zr_strdup_printf("%s/test-marks", workdir);
    zr_env_set(&cmd->env, "ZR_TEST_MARKS", marks);
    free(marks);
    free(path);
    free(dir);
}

static int prepare_suite(const struct zr_options *o, const struct zr_mode *mode, const struct zr_build *build,
                         int nargs, char **args, const char *workdir, struct zr_client_cmd *cmd)
{
    char err[1024];
    struct zr_program prog = { .argc = nargs, .argv = args, .keep_user_env = true };
    if (zr_client_prepare(&o->setup, mode, build, &prog, "", workdir, cmd, err, sizeof err) != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        return -1;
    }
    char *suppressions = suite_suppressions(o, workdir);
    if (!suppressions) {
        zr_client_cmd_free(cmd);
        return -1;
    }
    if (mode->tsan_options) {
        /* Every report of the whole suite, one log per process. */
        char *opts = zr_tsan_options(false, false, suppressions, workdir);
        zr_env_set(&cmd->env, "TSAN_OPTIONS", opts);
        free(opts);
    }
    free(suppressions);
    use_pytest_plugin(o, workdir, cmd);
    char *exe = cmd->argv[0];
    if (!strchr(exe, '/')) {
        /* A command name: the child's execve needs its path. */
        char *found = zr_find_program(exe);
        if (found) {
            cmd->argv[0] = found;
            free(exe);
        }
    }
    return 0;
}

/* How the suite ran. */
struct suite_run {
    int status; /* its exit status, 128 + its signal, or -1 when it did not finish */
    bool ended;
    double wall, limit;
};

/* The suite run to its end (or --timeout); cmd is freed. 0, or -1 with the cause printed. */
static int run_suite(const struct zr_options *o, struct zr_client_cmd *cmd, struct suite_run *run)
{
    char err[1024];
    struct zr_spawn s = { .argv = cmd->argv, .envp = cmd->env.vars, .out = ZR_OUTPUT_FD(1), .err = ZR_OUTPUT_FD(2),
                          .no_aslr = cmd->no_aslr };
    struct zr_proc p;
    double start = zr_now();
    int rc = zr_spawn(&s, &p, err, sizeof err);
    zr_client_cmd_free(cmd);
    if (rc != 0) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        return -1;
    }
    run->limit = (o->timeout_s > 0 ? o->timeout_s : SUITE_TIMEOUT_S) * o->setup.multiplier;
    run->ended = zr_wait(&p, run->limit);
    zr_finish(&p);
    run->wall = zr_now() - start;
    run->status = !run->ended ? -1 : WIFEXITED(p.status) ? WEXITSTATUS(p.status) : 128 + WTERMSIG(p.status);
    return 0;
}

/* Each distinct race on the terminal, and as the result's list. */
static json_t *print_races(const struct races *rs)
{
    json_t *races = json_array();
    for (int i = 0; i < rs->n; i++) {
        struct race *r = &rs->items[i];
        /* The reports' and programs' own text: escaped for the terminal. */
        printf("  %5d  ", r->count);
        zr_fput_terminal(stdout, r->key);
        const char *name;
        json_t *count;
        printf("\n         in:");
        json_object_foreach(r->programs, name, count) {
            putchar(' ');
            zr_fput_terminal(stdout, name);
            printf("(%lld)", (long long)json_integer_value(count));
        }
        printf("\n");
        /* The reports' own bytes: valid UTF-8, or jansson drops the entry. */
        json_array_append_new(races, json_pack("{s:o, s:i, s:O, s:o}", "race", zr_json_text(r->key), "count", r->count,
                                               "programs", r->programs, "example",
                                               zr_json_text(r->example ? r->example : "")));
    }
    return races;
}

static void write_suite_result(const struct zr_options *o, const struct zr_mode *mode, const struct zr_build *build,
                               int nargs, char **args, const struct suite_run *run, int total, json_t *races,
                               const char *mismatch, json_t *loaded)
{
    char err[1024];
    json_t *doc = json_pack("{s:i, s:s, s:o, s:s, s:o, s:i, s:f, s:i, s:O, s:o, s:o}", "schema", ZR_SCHEMA_SUITE, "kind",
                            "suite", "command", json_array(), "mode", mode->name, "build", json_deep_copy(build->info),
                            "exit_status", run->status, "wall_s", run->wall, "reports", total, "races", races, "host",
                            zr_host_json(), "library_mismatch", mismatch ? json_string(mismatch) : json_null());
    for (int i = 0; i < nargs; i++)
        json_array_append_new(json_object_get(doc, "command"), zr_json_text(args[i]));
    json_object_set_new(json_object_get(doc, "build"), "name", json_string(build->name));
    json_object_set(doc, "loaded_libzmq", loaded);
    char path[2048];
    if (zr_write_result(o->results_dir, "suite", doc, path, sizeof path, err, sizeof err) == 0)
        printf("result: %s\n", path);
    else
        printf("result not written: %s\n", err);
    json_decref(doc);
}

/* What the suite's processes reported, said and written. True when the
 * harness could not judge it (another libzmq loaded, or no end in time). */
static bool report_suite(const struct zr_options *o, const struct zr_mode *mode, const struct zr_build *build,
                         int nargs, char **args, const char *workdir, const struct suite_run *run)
{
    struct races rs = { 0, NULL };
    int total = 0;
    collect(workdir, &rs, &total);
    json_t *loaded = json_object();
    char *mismatch = library_mismatches(workdir, build, loaded);
    printf("\ncheck --suite: %s exited with %d after %.1f s; %d TSan report%s, %d distinct\n", args[0], run->status,
           run->wall, total, total == 1 ? "" : "s", rs.n);
    /* The suite's status passes through; where it is one the harness gives
     * a meaning of its own, say whose it is. */
    if (run->ended && (run->status == ZR_EXIT_USAGE || run->status == ZR_EXIT_SKIPPED || run->status == 130 ||
                       run->status == 143))
        printf("  (exit %d is the suite's own status%s, not the harness's \"%s\")\n", run->status,
               run->status == 130 ? ": it was ended by SIGINT" : run->status == 143 ? ": it was ended by SIGTERM" : "",
               run->status == ZR_EXIT_USAGE     ? "usage or environment error"
               : run->status == ZR_EXIT_SKIPPED ? "could not be judged"
                                                : "interrupted");
    json_t *races = print_races(&rs);
    if (mismatch) {
        printf("ERROR: some processes loaded another libzmq than build %s: ", build->name);
        zr_fput_terminal(stdout, mismatch);
        putchar('\n');
    }
    if (!run->ended)
        printf("ERROR: the suite did not finish within %.0f s (--timeout)\n", run->limit);
    if (!o->no_results)
        write_suite_result(o, mode, build, nargs, args, run, total, races, mismatch, loaded);
    json_decref(loaded);
    json_decref(races);
    races_free(&rs);
    bool harness_error = mismatch || !run->ended;
    free(mismatch);
    return harness_error;
}

/* --baseline: the same suite once more with no sanitizer, on the plain
 * build of the stress mode, and the tests that fail only under TSan: a
 * slower run that outlasts a test's own waits is not a race. Only a pytest
 * suite says which tests failed (the plugin's marks). */
static void run_baseline(const struct zr_options *o, int nargs, char **args, const char *tsan_workdir)
{
    char err[1024];
    const struct zr_mode *plain = zr_mode_find("stress");
    struct zr_build build;
    struct zr_options po = *o;
    po.nbuilds = 0; /* the plain mode's own default build */
    if (zr_builds_for_mode(&po, plain, &build, 1, err, sizeof err) != 1) {
        printf("baseline: no plain build (%s)\n", err);
        return;
    }
    char *workdir = zr_make_workdir("baseline", err, sizeof err);
    struct zr_client_cmd cmd;
    struct suite_run run;
    if (workdir && prepare_suite(&po, plain, &build, nargs, args, workdir, &cmd) == 0 && run_suite(&po, &cmd, &run) == 0) {
        int marked_tsan = 0, marked_plain = 0;
        char *under_tsan = failed_tests(tsan_workdir, &marked_tsan), *plainly = failed_tests(workdir, &marked_plain);
        printf("\nbaseline: the same suite on %s with no sanitizer exited with %d after %.1f s\n", build.name,
               run.status, run.wall);
        if (!marked_tsan || !marked_plain)
            printf("  (not a pytest suite: only the exit statuses compare)\n");
        for (const char *line = under_tsan; marked_plain && *line;) {
            size_t n = strcspn(line, "\n");
            char *test = zr_strdup_printf("%.*s\n", (int)n, line);
            if (!strstr(plainly, test)) {
                test[n] = '\0';
                printf("  fails only under TSan: ");
                zr_fput_terminal(stdout, test);
                printf("\n");
            }
            free(test);
            line += n + (line[n] == '\n');
        }
        free(under_tsan);
        free(plainly);
    }
    zr_remove_tree(workdir);
    zr_build_close(&build);
}

int zr_check_suite(const struct zr_options *o, int nargs, char **args)
{
    const struct zr_mode *mode = o->nmodes ? o->modes[0] : zr_mode_find("tsan");
    char err[1024];
    struct zr_build build;
    if (open_suite_build(o, mode, &build) != 0)
        return ZR_EXIT_USAGE;
    char cwd[4096];
    if (zr_suite_own_libzmq(&build, o->nbuilds > 0, getcwd(cwd, sizeof cwd) ? cwd : ".") != 0) {
        zr_build_close(&build);
        return ZR_EXIT_USAGE;
    }
    char *workdir = zr_make_workdir("suite", err, sizeof err);
    if (!workdir) {
        fprintf(stderr, "zmq-repro: %s\n", err);
        zr_build_close(&build);
        return ZR_EXIT_USAGE;
    }
    struct zr_client_cmd cmd;
    struct suite_run run;
    int rc = ZR_EXIT_USAGE;
    bool ran = false;
    if (prepare_suite(o, mode, &build, nargs, args, workdir, &cmd) == 0) {
        fprintf(stderr, "check --suite: %s [%s on %s, libzmq %s], suppressions %s%s\n", args[0], mode->name,
                build.name, zr_build_field(&build, "version"), o->setup.suppressions,
                o->known_bugs ? " and the known libzmq bugs" : "");
        if (run_suite(o, &cmd, &run) == 0) {
            ran = true;
            bool harness_error = report_suite(o, mode, &build, nargs, args, workdir, &run);
            rc = harness_error ? ZR_EXIT_USAGE : run.status;
            if (o->baseline && !zr_interrupted())
                run_baseline(o, nargs, args, workdir);
        }
    }
    zr_remove_tree(workdir);
    zr_build_close(&build);
    if (ran && zr_interrupted())
        return zr_interrupted_exit_code();
    return rc;
}
