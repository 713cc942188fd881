/* Shutting down a context while a worker thread is blocked in its socket:
 * the order of libzmq's own test_ctx_shutdown (tests/test_ctx_destroy.cpp).
 *
 * A worker thread owns a DEALER (created by main and handed over once, at
 * pthread_create), runs request/reply round trips with the server, and then
 * blocks in zmq_recv waiting for a reply that will never come. Main shuts
 * down without touching the worker's socket:
 *   1. zmq_ctx_shutdown: every blocking call on the context's sockets returns
 *      -1 with errno ETERM;
 *   2. the worker sees ETERM, closes its own socket, and returns;
 *   3. main joins the worker;
 *   4. zmq_ctx_term, which now has no open socket to wait for.
 * Each socket is used and closed by one thread only, and nothing is freed
 * while libzmq or another thread may still use it. This is the fix of
 * broken_worker_teardown.c, and the C form of what zeroc-ice PR #3838 did for
 * Python: the owner waits for the thread that is still inside the library
 * before tearing anything down.
 *
 * Proves: no TSan report; a clean exit with every request answered.
 * Measured: clean in 10 of 10 runs in each mode.
 *
 * @family finalize-race
 * @variant fixed
 * @twin finalize-race/broken_worker_teardown
 * @server echo
 * @upstream zeroc-ice#3824 zeroc-ice#3840 zeroc-ice#3838
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @args tsan 1000
 * @args stress 2000
 * @expect owner CLEAN
 * @args owner 2000
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

struct worker {
    void *sock;    /* owned by the worker thread from pthread_create on */
    long count;    /* round trips before it blocks */
    long sent;     /* written by the worker, read by main after the join */
    long received;
    int last_errno;
    int idle;      /* atomic: the worker is done and about to block in zmq_recv */
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char buf[64];
    while (w->sent < w->count) {
        int n = snprintf(buf, sizeof buf, "request %ld", w->sent);
        if (zmq_send(w->sock, buf, n, 0) == -1)
            break;
        w->sent++;
        if (zmq_recv(w->sock, buf, sizeof buf, 0) == -1)
            break;
        w->received++;
    }
    __atomic_store_n(&w->idle, 1, __ATOMIC_RELEASE);
    /* Nothing was asked: this blocks until zmq_ctx_shutdown makes it fail. */
    if (zmq_recv(w->sock, buf, sizeof buf, 0) == -1)
        w->last_errno = errno;
    zmq_close(w->sock); /* FIXED: closed by its owner, after its last use */
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT COUNT\n", argv[0]);
        return 3;
    }
    char *end;
    long count = strtol(argv[2], &end, 10);
    if (*end || count <= 0) {
        fprintf(stderr, "SETUP-ERROR: COUNT must be a positive integer: %s\n", argv[2]);
        return 3;
    }
    void *ctx = zmq_ctx_new();
    struct worker w = { 0 };
    w.count = count;
    w.sock = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(w.sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(w.sock, argv[1]) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", argv[1], zmq_strerror(errno));
        zmq_close(w.sock);
        zmq_ctx_term(ctx);
        return 3;
    }

    pthread_t tid;
    pthread_create(&tid, NULL, worker_main, &w);
    /* Wait until the worker is done and (almost surely) blocked in zmq_recv;
       were it not yet inside, its zmq_recv would fail with ETERM at once. */
    while (!__atomic_load_n(&w.idle, __ATOMIC_ACQUIRE)) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    struct timespec ts = { 0, 20000000 };
    nanosleep(&ts, NULL);

    zmq_ctx_shutdown(ctx);   /* 1. the worker's zmq_recv returns ETERM */
    pthread_join(tid, NULL); /* 2-3. it has closed its socket and returned */
    zmq_ctx_term(ctx);       /* 4. no socket left to wait for */

    if (w.last_errno != ETERM)
        fprintf(stderr, "worker's blocked zmq_recv ended with: %s\n",
                w.last_errno ? zmq_strerror(w.last_errno) : "a message");
    printf("DONE sent=%ld received=%ld\n", w.sent, w.received);
    return 0;
}
