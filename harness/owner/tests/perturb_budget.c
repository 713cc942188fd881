/* Perturb mode's delays stay a bounded share of the run (perturb.c: 20 %):
 * THREADS threads, each with a socket of its own, call zmq_getsockopt in a
 * loop for RUN_S seconds and time what they spend inside the calls, which
 * is where the delays are. Run with the checker preloaded and
 * ZMQ_OWNER_PERTURB=SEED (a seed that makes some of these threads slow).
 * The time counted must be the time slept: a delay of 1 us asked lasts some
 * 60 us (the kernel's timer slack), and counting what was asked let the
 * slow threads spend nearly all their time asleep.
 *
 * Prints "inside calls: X s of Y s of wall time" and exits 0 when X is
 * under MAX_SHARE of Y and some delay happened (more than MIN_SHARE), 1
 * otherwise. */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <zmq.h>

#define THREADS 4
#define RUN_S 0.5
#define MAX_SHARE 0.6 /* 20 % of wall time asleep, with room for a loaded machine */
#define MIN_SHARE 0.01
#define WORK_S 2e-6

static void *context;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *caller(void *arg)
{
    double *inside = arg;
    void *socket = zmq_socket(context, ZMQ_DEALER);
    double end = now_s() + RUN_S;
    for (double t = now_s(); t < end;) {
        int type;
        size_t size = sizeof type;
        zmq_getsockopt(socket, ZMQ_TYPE, &type, &size);
        double after = now_s();
        *inside += after - t;
        /* The program's own work between calls, so that a call (12 ns
         * without a delay) is a small share of the thread's time and the
         * machine's preemptions seldom land inside one. */
        for (t = after; t < after + WORK_S;)
            t = now_s();
    }
    zmq_close(socket);
    return NULL;
}

int main(void)
{
    context = zmq_ctx_new();
    pthread_t threads[THREADS];
    double inside[THREADS] = { 0 }, start = now_s();
    for (int i = 0; i < THREADS; i++)
        pthread_create(&threads[i], NULL, caller, &inside[i]);
    double total = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        total += inside[i];
    }
    double wall = now_s() - start;
    zmq_ctx_term(context);
    printf("inside calls: %.3f s of %.3f s of wall time (%d threads; at most %.0f %% allowed)\n", total, wall, THREADS,
           MAX_SHARE * 100);
    return total < MAX_SHARE * wall && total > MIN_SHARE * wall ? 0 : 1;
}
