/* zmq-repro soak: the whole test suite again and again (ctest -j at twice
 * the cores) for a given time, and what a trustworthy harness must never
 * show across rounds: a verdict that changed, a process, temporary folder
 * or ipc endpoint left behind, a result file that does not parse, a broken
 * case that stopped reproducing. */
#include <ctype.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "commands.h"
#include "defaults.h"
#include "environment.h"
#include "files.h"
#include "process.h"
#include "text.h"

#define SOAK_ROUND_LIMIT_S 3600.0

/* ctest's JUnit file: each <testcase name=".." status="run|fail|notrun">. */
static json_t *read_junit(const char *path)
{
    json_t *tests = json_object();
    char *xml = zr_read_file(path, NULL);
    for (const char *p = xml; p && (p = strstr(p, "<testcase ")); p++) {
        const char *end = strchr(p, '>');
        const char *name = strstr(p, "name=\""), *status = strstr(p, "status=\"");
        if (!end || !name || name > end || !status || status > end)
            continue;
        name += 6;
        status += 8;
        char *n = zr_strdup_printf("%.*s", (int)strcspn(name, "\""), name);
        char *s = zr_strdup_printf("%.*s", (int)strcspn(status, "\""), status);
        /* A failure element inside the testcase also marks it failed. */
        const char *close = strstr(p, "</testcase>"), *failure = strstr(p, "<failure");
        if (failure && close && failure < close && !strcmp(s, "run")) {
            free(s);
            s = zr_strdup_printf("fail");
        }
        json_object_set_new(tests, n, json_string(s));
        free(n);
        free(s);
    }
    free(xml);
    return tests;
}

/* The case results of a round: case/mode/build -> {expectation, outcome, variant}; bad files counted. */
static json_t *read_results(const char *dir, int *files, int *unparseable, json_t *bad_list)
{
    json_t *cases = json_object();
    DIR *d = opendir(dir);
    if (!d)
        return cases;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char *path = zr_strdup_printf("%s/%s", dir, e->d_name);
        (*files)++;
        json_error_t jerr;
        json_t *doc = json_load_file(path, 0, &jerr);
        const char *id = json_string_value(json_object_get(doc, "case"));
        const char *mode = json_string_value(json_object_get(doc, "mode"));
        json_t *build = json_object_get(doc, "build");
        if (!doc || !id || !mode || !json_is_object(build)) {
            (*unparseable)++;
            json_array_append_new(bad_list, json_string(path));
        } else {
            char *key = zr_strdup_printf("%s [%s on %s]", id, mode, json_string_value(json_object_get(build, "name")));
            json_object_set_new(cases, key,
                                json_pack("{s:O, s:O, s:O}", "expectation", json_object_get(doc, "expectation"),
                                          "outcome", json_object_get(doc, "outcome"), "judged_as",
                                          json_object_get(doc, "judged_as")));
            free(key);
        }
        json_decref(doc);
        free(path);
    }
    closedir(d);
    return cases;
}

/* Processes started under the soak: their environment holds its TMPDIR. */
static int leftover_processes(const char *tmpdir, json_t *list, bool end_them)
{
    char *marker = zr_strdup_printf("TMPDIR=%s", tmpdir);
    size_t mlen = strlen(marker) + 1;
    int n = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]) || atoi(e->d_name) == getpid())
            continue;
        char path[64];
        snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
        size_t len;
        char *env = zr_read_file(path, &len);
        bool ours = false;
        for (size_t i = 0; env && i < len; i += strlen(env + i) + 1)
            if (!memcmp(env + i, marker, mlen)) {
                ours = true;
                break;
            }
        free(env);
        if (!ours)
            continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        char *cmd = zr_read_file(path, &len);
        for (size_t i = 0; cmd && i + 1 < len; i++)
            if (!cmd[i])
                cmd[i] = ' ';
        if (end_them)
            kill(atoi(e->d_name), SIGKILL);
        char *entry = zr_strdup_printf("%s %s", e->d_name, cmd ? cmd : "?");
        json_array_append_new(list, zr_json_text(entry));
        free(entry);
        free(cmd);
        n++;
    }
    if (d)
        closedir(d);
    free(marker);
    return n;
}

/* Whatever is left under dir after a round: folders, files, ipc sockets
 * (walked in C, symbolic links not followed). */
static int leftover_files(const char *dir, int *sockets, json_t *list)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *path = zr_strdup_printf("%s/%s", dir, e->d_name);
        struct stat st;
        bool is_dir = false;
        if (lstat(path, &st) == 0) {
            if (S_ISSOCK(st.st_mode))
                (*sockets)++;
            is_dir = S_ISDIR(st.st_mode);
        }
        json_array_append_new(list, zr_json_text(path));
        n++;
        if (is_dir)
            n += leftover_files(path, sockets, list);
        free(path);
    }
    closedir(d);
    return n;
}

static void remove_contents(const char *dir)
{
    zr_remove_contents(dir);
}

/* One round: ctest -j JOBS -LE soak in the build folder. Returns ctest's exit status. */
static int run_round(const struct zr_options *o, const char *tmpdir, const char *results, const char *junit, int jobs,
                     double deadline, bool *stopped)
{
    *stopped = false;
    char jobs_text[16];
    snprintf(jobs_text, sizeof jobs_text, "%d", jobs);
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)"/usr/bin/ctest";
    argv[n++] = (char *)"-j";
    argv[n++] = jobs_text;
    argv[n++] = (char *)"-LE";
    argv[n++] = (char *)"soak|versions|python-ft";
    argv[n++] = (char *)"--output-junit";
    argv[n++] = (char *)junit;
    for (int i = 0; i < o->nlabels && n < 28; i++) {
        argv[n++] = (char *)"-L";
        argv[n++] = (char *)o->labels[i];
    }
    argv[n] = NULL;
    struct zr_env env;
    zr_env_init(&env);
    zr_env_set(&env, "TMPDIR", tmpdir);
    zr_env_set(&env, "ZR_RESULTS_DIR", results);
    char *log = zr_strdup_printf("%s.log", junit);
    struct zr_spawn s = { .argv = argv, .envp = env.vars, .out = ZR_OUTPUT_FILE(log), .err = ZR_OUTPUT_FILE(log),
                          .cwd = o->setup.build_dir };
    struct zr_proc p;
    char err[512];
    int status = -1;
    if (zr_spawn(&s, &p, err, sizeof err) == 0) {
        double limit = SOAK_ROUND_LIMIT_S * o->setup.multiplier, left = deadline - zr_now();
        zr_wait(&p, left < limit ? left : limit);
        /* The round's ctest is ended before its processes are looked for;
         * one that the soak's time limit stopped counts for nothing. */
        if (!zr_ended(&p)) {
            *stopped = !zr_interrupted();
            zr_kill_group(&p, SIGTERM);
        }
        zr_wait(&p, 10);
        zr_finish(&p);
        status = WIFEXITED(p.status) ? WEXITSTATUS(p.status) : -1;
    } else {
        fprintf(stderr, "zmq-repro: soak: %s (is ctest installed?)\n", err);
    }
    zr_env_free(&env);
    free(log);
    return status;
}

/* What the rounds found, summed. */
struct soak_totals {
    int flips, procs, files, sockets, unparseable, failed, not_reproduced, errors, stopped;
};

/* The tests of a round by their status, and those whose status differs
 * from the previous round's (each said and listed in flips). */
struct round_tests {
    int passed, failed, skipped, flips;
};

static struct round_tests count_tests(json_t *tests, json_t *previous, int round, json_t *flips)
{
    struct round_tests t = { 0, 0, 0, 0 };
    const char *name;
    json_t *st;
    json_object_foreach(tests, name, st) {
        const char *s = json_string_value(st);
        t.passed += !strcmp(s, "run");
        t.failed += !strcmp(s, "fail");
        t.skipped += !strcmp(s, "notrun") || !strcmp(s, "disabled");
        json_t *before = previous ? json_object_get(previous, name) : NULL;
        if (before && strcmp(json_string_value(before), s)) {
            t.flips++;
            char *what = zr_strdup_printf("round %d: %s %s -> %s", round, name, json_string_value(before), s);
            json_array_append_new(flips, json_string(what));
            fprintf(stderr, "  flip: %s\n", what);
            free(what);
        }
    }
    return t;
}

/* The broken case-modes of a round whose expectation did not hold, and
 * apart from them the case-modes that ended in a harness ERROR (a watchdog
 * too short for the load, a server that died): never a verdict, so never
 * "not reproduced". */
static int count_not_reproduced(json_t *cases, int *errors)
{
    int n = 0;
    const char *name;
    json_t *c;
    json_object_foreach(cases, name, c) {
        const char *expectation = json_string_value(json_object_get(c, "expectation"));
        const char *judged_as = json_string_value(json_object_get(c, "judged_as"));
        if (expectation && !strcmp(expectation, "error"))
            (*errors)++;
        else if (judged_as && !strcmp(judged_as, "broken") && expectation && !strcmp(expectation, "not held"))
            n++;
    }
    return n;
}

/* One round run and looked at: its row appended to rounds, its findings
 * added to the totals. Its tests' statuses (for the next round's flips),
 * or NULL when it was interrupted. */
static json_t *soak_round(const struct zr_options *o, const char *base, const char *tmpdir, int round, int jobs,
                          double deadline, json_t *previous, json_t *flips, json_t *rounds, struct soak_totals *total)
{
    char *results = zr_strdup_printf("%s/round-%03d", base, round);
    char *junit = zr_strdup_printf("%s/round-%03d.xml", base, round);
    double round_start = zr_now();
    bool stopped;
    int status = run_round(o, tmpdir, results, junit, jobs, deadline, &stopped);
    json_t *tests = NULL;
    if (stopped) {
        /* Its tests were ended half-way: what they left is removed, not counted. */
        json_t *procs = json_array();
        leftover_processes(tmpdir, procs, true);
        json_decref(procs);
        remove_contents(tmpdir);
        total->stopped++;
        fprintf(stderr, "soak round %d: stopped at the time limit after %.0f s: not counted\n", round,
                zr_now() - round_start);
    } else if (!zr_interrupted()) {
        tests = read_junit(junit);
        int files = 0, unparseable = 0, sockets = 0;
        json_t *bad = json_array(), *procs = json_array(), *left = json_array();
        json_t *cases = read_results(results, &files, &unparseable, bad);
        int nprocs = leftover_processes(tmpdir, procs, false);
        int nfiles = leftover_files(tmpdir, &sockets, left);
        remove_contents(tmpdir);
        /* Verdicts: each test's status, and each case's outcome class. */
        struct round_tests t = count_tests(tests, previous, round, flips);
        int errors = 0, not_reproduced = count_not_reproduced(cases, &errors);
        double took = zr_now() - round_start;
        fprintf(stderr,
                "soak round %d: ctest exit %d, %d tests (%d passed, %d failed, %d skipped), %d flips, %d processes "
                "and %d files (%d ipc) left, %d of %d results unparseable, %d broken case-modes not reproduced, "
                "%d harness errors, %.0f s\n",
                round, status, t.passed + t.failed + t.skipped, t.passed, t.failed, t.skipped, t.flips, nprocs, nfiles,
                sockets, unparseable, files, not_reproduced, errors, took);
        json_array_append_new(rounds,
                              json_pack("{s:i, s:i, s:f, s:i, s:i, s:i, s:i, s:o, s:o, s:i, s:i, s:o, s:i, s:o, s:o}",
                                        "round", round, "ctest_exit", status, "seconds", took, "passed", t.passed,
                                        "failed", t.failed, "skipped", t.skipped, "flips", t.flips, "leftover_processes",
                                        procs, "leftover_files", left, "leftover_ipc", sockets, "results", files,
                                        "unparseable", bad, "broken_not_reproduced", not_reproduced, "cases", cases,
                                        "tests", json_deep_copy(tests)));
        json_object_set_new(json_array_get(rounds, json_array_size(rounds) - 1), "harness_errors", json_integer(errors));
        total->flips += t.flips;
        total->procs += nprocs;
        total->files += nfiles;
        total->sockets += sockets;
        total->unparseable += unparseable;
        total->failed += t.failed;
        total->not_reproduced += not_reproduced;
        total->errors += errors;
    }
    free(results);
    free(junit);
    return tests;
}

static void print_soak_summary(int nrounds, double wall, int jobs, const struct soak_totals *total)
{
    printf("soak: %d round%s in %.1f minutes, ctest -j %d\n", nrounds, nrounds == 1 ? "" : "s", wall / 60, jobs);
    if (total->stopped)
        printf("  a round stopped at the time limit, not counted (a round of this suite takes minutes: give "
               "--minutes more than one round)\n");
    printf("  verdict flips between rounds: %d\n", total->flips);
    printf("  failed tests: %d\n", total->failed);
    printf("  broken case-modes not reproduced in a round: %d\n", total->not_reproduced);
    printf("  harness errors (counted apart: never a verdict): %d\n", total->errors);
    printf("  processes left behind: %d\n", total->procs);
    printf("  temporary files and folders left behind: %d (ipc endpoints: %d)\n", total->files, total->sockets);
    printf("  result files that do not parse: %d\n", total->unparseable);
}

int zr_cmd_soak(const struct zr_options *o)
{
    double minutes = o->minutes > 0 ? o->minutes : 30;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = o->jobs > 0 ? o->jobs : (int)(2 * (cores > 0 ? cores : 1));
    char err[1024];
    char stamp[32];
    zr_utc_stamp(stamp, sizeof stamp, NULL);
    char *base = o->out_dir ? zr_strdup_printf("%s", o->out_dir)
                            : zr_strdup_printf("%s/results/soak/%s", o->setup.source_dir, stamp);
    char *tmpdir = zr_strdup_printf("%s/tmp", base);
    if (zr_check_writable_dir(base, err, sizeof err) != 0 || zr_mkdirs(tmpdir) != 0) {
        fprintf(stderr, "zmq-repro: soak: %s: name another folder with --out\n", err);
        free(base);
        free(tmpdir);
        return ZR_EXIT_USAGE;
    }
    fprintf(stderr, "soak: ctest -j %d for %g minutes in %s; rounds and findings in %s\n", jobs, minutes,
            o->setup.build_dir, base);
    double start = zr_now(), deadline = start + minutes * 60;
    json_t *rounds = json_array(), *previous = NULL, *flips = json_array();
    struct soak_totals total = { 0 };
    for (int round = 1; zr_now() < deadline && !zr_interrupted(); round++) {
        json_t *tests = soak_round(o, base, tmpdir, round, jobs, deadline, previous, flips, rounds, &total);
        if (!tests)
            break;
        json_decref(previous);
        previous = tests;
    }
    json_decref(previous);
    int nrounds = (int)json_array_size(rounds);
    double wall = zr_now() - start;
    print_soak_summary(nrounds, wall, jobs, &total);
    json_t *doc = json_pack("{s:i, s:s, s:s, s:f, s:f, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:b, s:o, s:o, s:o}",
                            "schema", ZR_SCHEMA_SOAK, "kind", "soak", "started_at", stamp, "minutes", minutes, "wall_s", wall, "jobs",
                            jobs, "rounds_run", nrounds, "flips", total.flips, "failed", total.failed,
                            "broken_not_reproduced", total.not_reproduced, "leftover_processes", total.procs,
                            "leftover_files", total.files, "unparseable", total.unparseable, "interrupted",
                            zr_interrupted() != 0, "host", zr_host_json(), "flip_list", flips, "rounds", rounds);
    json_object_set_new(doc, "harness_errors", json_integer(total.errors));
    json_object_set_new(doc, "rounds_stopped", json_integer(total.stopped));
    char *path = zr_strdup_printf("%s/soak.json", base);
    if (zr_write_json_atomically(path, doc, err, sizeof err) == 0)
        printf("  report: %s\n", path);
    else
        fprintf(stderr, "zmq-repro: %s\n", err);
    json_decref(doc);
    free(path);
    rmdir(tmpdir);
    free(tmpdir);
    free(base);
    if (zr_interrupted())
        return zr_interrupted_exit_code();
    bool clean = nrounds > 0 && !total.flips && !total.failed && !total.not_reproduced && !total.procs &&
                 !total.files && !total.unparseable;
    return clean ? ZR_EXIT_HELD : ZR_EXIT_NOT_HELD;
}
