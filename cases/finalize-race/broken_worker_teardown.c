/* Main tears down a socket that a worker thread is still using.
 *
 * A worker thread owns a DEALER and runs request/reply round trips with the
 * server. When main decides to shut down, it does what a destructor or an
 * atexit handler often does: it closes every socket it knows of -- including
 * the worker's, from the main thread, while the worker is still inside
 * zmq_send/zmq_recv on it -- and terminates the context, and only then joins
 * the worker. zmq_close hands the socket to libzmq's reaper thread, which
 * polls its mailbox and finally deletes it, while the worker thread still
 * runs inside the same zmq::socket_base_t. Sockets are not thread safe
 * (zmq(7)); a socket must be closed by the thread that uses it, after that
 * thread has stopped using it (fixed_ctx_shutdown_order.c).
 *
 * This is the finalize race of zeroc-ice #3824/#3840 in plain C: the owner's
 * teardown runs while a thread it does not wait for is still inside the
 * library.
 *
 * Proves: under TSan (libzmq built instrumented), a data race inside libzmq
 * between main's zmq_close (or the reaper thread it hands the socket to) and
 * the worker's zmq_send/zmq_recv. Measured: 28 of 28 runs, 0.2 s each; the
 * race is met in zmq::pipe_t::terminate (pipe.cpp:432) in about half of them,
 * otherwise in zmq::socket_base_t::check_tag (socket_base.cpp:146) or
 * zmq::socket_base_t::close (socket_base.cpp:1420). Without a sanitizer
 * there is no reliable symptom (8 of 10 runs exited with one reply missing,
 * 1 hung, 1 looked clean), so the case runs in tsan mode only.
 *
 * @family finalize-race
 * @variant broken
 * @server echo
 * @upstream zeroc-ice#3824 zeroc-ice#3840
 * @expect tsan TSAN:data-race:@libzmq
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

struct worker {
    void *sock;
    long sent;     /* written by the worker, read by main after the join */
    long received;
    int started;   /* atomic: the worker has done its first round trip */
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char buf[64];
    for (;;) {
        int n = snprintf(buf, sizeof buf, "request %ld", w->sent);
        if (zmq_send(w->sock, buf, n, 0) == -1)
            break;                         /* ENOTSOCK / ETERM once main tore it down */
        w->sent++;
        if (zmq_recv(w->sock, buf, sizeof buf, 0) == -1)
            break;
        w->received++;
        __atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT\n", argv[0]);
        return 3;
    }
    void *ctx = zmq_ctx_new();
    struct worker w = { 0 };
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
    /* Let the worker get going: wait for its first reply, then a little more. */
    while (!__atomic_load_n(&w.started, __ATOMIC_ACQUIRE)) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    struct timespec ts = { 0, 20000000 };
    nanosleep(&ts, NULL);

    zmq_close(w.sock);   /* BROKEN: the worker is still inside zmq_send/zmq_recv */
    zmq_ctx_term(ctx);
    pthread_join(tid, NULL);

    printf("DONE sent=%ld received=%ld\n", w.sent, w.received);
    return 0;
}
