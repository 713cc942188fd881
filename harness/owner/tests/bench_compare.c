/* The overhead figure of libzmq_owner: runs bench_throughput without and
 * with the checker preloaded, alternating (so that a slow spell of the
 * machine hits both sides alike), ROUNDS times each, and prints both medians
 * and the overhead of the checker:
 *
 *   without: msgs_per_s median 2431000 (10 runs: ...)
 *   with:    msgs_per_s median 2290000 (10 runs: ...)
 *   overhead: 5.8% (median of without / median of with - 1)
 *
 * usage: bench_compare --lib LIBZMQ_OWNER_SO --bench BENCH_THROUGHPUT
 *            [--rounds N] [--max-overhead PERCENT] [--env NAME=VALUE]
 *            [-- BENCH_ARGS...]
 * --env is set for the runs with the checker: ZMQ_OWNER_PERTURB=SEED makes
 * them perturb mode's runs, so that its cost is stated against stress mode's
 * (no checker, no delays).
 * Exit status: 0, or 1 if the overhead exceeds --max-overhead (when given)
 * or a run failed, 2 usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spawn.h"

#define MAX_ROUNDS 200

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *values, int count)
{
    double sorted[MAX_ROUNDS];
    memcpy(sorted, values, sizeof *values * (size_t)count);
    qsort(sorted, (size_t)count, sizeof *sorted, compare_doubles);
    return count % 2 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
}

/* One run: its msgs_per_s, and the CPU time it used per round trip. */
static int run_once(char *const argv[], const char *lib, const char *extra_env, long round_trips, double *rate,
                    double *cpu_ns)
{
    char preload[4096];
    char *env[3] = { NULL, NULL, NULL };
    if (lib) {
        snprintf(preload, sizeof preload, "LD_PRELOAD=%s", lib);
        env[0] = preload;
        env[1] = (char *)extra_env;
    }
    struct spawn_result r;
    if (spawn_and_capture(argv, env, 120.0, &r) != 0)
        return -1;
    const char *line = strstr(r.out, "msgs_per_s=");
    int ok = r.exit_status == 0 && line && r.err_length == 0;
    if (ok) {
        *rate = atof(line + strlen("msgs_per_s="));
        *cpu_ns = r.cpu_s * 1e9 / (double)round_trips;
    }
    else
        fprintf(stderr, "bench_compare: run failed (exit %d signal %d): %s%s\n", r.exit_status, r.signal, r.out,
                r.err);
    spawn_result_free(&r);
    return ok ? 0 : -1;
}

static void print_side(const char *name, double *values, int count)
{
    printf("%s msgs_per_s median %.0f (%d runs:", name, median(values, count), count);
    for (int i = 0; i < count; i++)
        printf(" %.0f", values[i]);
    printf(")\n");
}

int main(int argc, char **argv)
{
    const char *lib = NULL, *bench = NULL, *extra_env = NULL;
    int rounds = 10;
    double max_overhead = -1;
    char *bench_argv[16] = { NULL };
    int b = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            for (i++; i < argc && b < 15; i++)
                bench_argv[b++] = argv[i];
            break;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "bench_compare: %s needs a value\n", argv[i]);
            return 2;
        }
        if (strcmp(argv[i], "--lib") == 0) lib = argv[++i];
        else if (strcmp(argv[i], "--bench") == 0) bench = argv[++i];
        else if (strcmp(argv[i], "--rounds") == 0) rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--max-overhead") == 0) max_overhead = atof(argv[++i]);
        else if (strcmp(argv[i], "--env") == 0 && strchr(argv[i + 1], '=')) extra_env = argv[++i];
        else {
            fprintf(stderr, "bench_compare: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!lib || !bench || rounds <= 0 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "usage: bench_compare --lib LIBZMQ_OWNER_SO --bench BENCH_THROUGHPUT [--rounds N]\n"
                        "           [--max-overhead PERCENT] [--env NAME=VALUE] [-- BENCH_ARGS...]\n");
        return 2;
    }
    bench_argv[0] = (char *)bench;

    /* bench_throughput's own default, unless the arguments give it. */
    long round_trips = bench_argv[1] && bench_argv[2] ? atol(bench_argv[2]) : 200000;
    double without[MAX_ROUNDS], with[MAX_ROUNDS], cpu_without[MAX_ROUNDS], cpu_with[MAX_ROUNDS];
    for (int round = 0; round < rounds; round++) {
        /* Alternate which side goes first, too. */
        int first_with = round % 2;
        for (int side = 0; side < 2; side++) {
            int checked = side == first_with;
            int rc = checked ? run_once(bench_argv, lib, extra_env, round_trips, &with[round], &cpu_with[round])
                             : run_once(bench_argv, NULL, NULL, round_trips, &without[round], &cpu_without[round]);
            if (rc != 0)
                return 1;
        }
    }
    print_side("without:", without, rounds);
    print_side("with:   ", with, rounds);
    double overhead = (median(without, rounds) / median(with, rounds) - 1) * 100;
    printf("overhead: %.1f%% (median without / median with - 1)\n", overhead);
    double cpu_before = median(cpu_without, rounds), cpu_after = median(cpu_with, rounds);
    printf("cpu: without %.1f ns/msg, with %.1f ns/msg (medians): overhead %.1f%%\n", cpu_before, cpu_after,
           (cpu_after / cpu_before - 1) * 100);
    return max_overhead >= 0 && overhead > max_overhead ? 1 : 0;
}
