/* The twin of broken_socket_after_ctx_shutdown.c (libzmq #3792): the worker
 * creates and binds its REP socket, then tells main it is ready; main calls
 * zmq_ctx_shutdown only after that, so the shutdown always finds the socket
 * and its blocked zmq_recv returns ETERM, whatever the libzmq version. Then
 * libzmq's canonical order (tests/test_ctx_destroy.cpp, test_ctx_shutdown):
 * the worker closes its own socket, main joins it, then zmq_ctx_term, which
 * returns at once. A worker whose zmq_socket fails (ETERM on >= 4.3.3 if a
 * shutdown came first, which this order excludes) still reports ready, so
 * main never waits for a socket that does not exist.
 *
 * Proves: CLEAN on every libzmq version (4.3.2 to 4.3.5 measured), in every
 * mode. The worker's zmq_recv must end with ETERM; any other result is
 * written to stderr (not CLEAN).
 *
 * @family hang-at-shutdown
 * @variant fixed
 * @twin hang-at-shutdown/broken_socket_after_ctx_shutdown
 * @server none
 * @upstream libzmq#3792 libzmq#3794
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @expect owner CLEAN
 * Watchdog, from 100 runs per mode on 4.3.4 of the fixed twin and of this
 * case (which must end CLEAN there): worst 38 ms tsan, 12 ms stress, 11 ms
 * owner; with two CPU hogs on a 2-core machine already at load 5-10: worst
 * 0.60 s tsan, 0.15 s stress, 0.10 s owner. tsan 1 s is 26x the idle and
 * 1.7x the overloaded worst; stress and owner 0.5 s are 40x the idle and
 * 3.4x/5x the overloaded worst. The hang itself (all threads asleep, no CPU)
 * is seen by the 0.5 s stall check, or at the latest by the watchdog.
 * @timeout tsan 1
 * @timeout stress 0.5
 * @timeout owner 0.5
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <zmq.h>

struct shared {
    void *ctx;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int ready;              /* worker: socket created and bound (1) or failed (-1) */
    int failed_errno;
    int recv_rc, recv_errno;
};

static void report_ready(struct shared *s, int ready)
{
    pthread_mutex_lock(&s->lock);
    s->ready = ready;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->lock);
}

static void *worker(void *arg)
{
    struct shared *s = arg;
    void *sock = zmq_socket(s->ctx, ZMQ_REP);  /* FIXED: before any shutdown */
    if (!sock) {
        s->failed_errno = zmq_errno();
        report_ready(s, -1);
        return NULL;
    }
    if (zmq_bind(sock, "inproc://before-shutdown") != 0) {
        s->failed_errno = zmq_errno();
        zmq_close(sock);
        report_ready(s, -1);
        return NULL;
    }
    report_ready(s, 1);                   /* now the shutdown may come */

    char buf[16];
    s->recv_rc = zmq_recv(sock, buf, sizeof buf, 0);  /* blocks until ETERM */
    s->recv_errno = zmq_errno();
    zmq_close(sock);                      /* the owner closes its socket */
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2 || !argv[1][0]) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT\n", argv[0]);
        return 3;
    }
    /* ENDPOINT (@server none) is not used: the socket binds to inproc, as in
     * the upstream report. */
    struct shared s = { .lock = PTHREAD_MUTEX_INITIALIZER,
                        .cond = PTHREAD_COND_INITIALIZER };
    s.ctx = zmq_ctx_new();
    if (!s.ctx) {
        fprintf(stderr, "SETUP-ERROR: zmq_ctx_new: %s\n", zmq_strerror(zmq_errno()));
        return 3;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, worker, &s) != 0) {
        fprintf(stderr, "SETUP-ERROR: pthread_create failed\n");
        return 3;
    }

    pthread_mutex_lock(&s.lock);          /* FIXED: no shutdown before the */
    while (!s.ready)                      /* worker's socket exists */
        pthread_cond_wait(&s.cond, &s.lock);
    int ready = s.ready;
    pthread_mutex_unlock(&s.lock);

    zmq_ctx_shutdown(s.ctx);              /* the blocked zmq_recv returns ETERM */
    pthread_join(t, NULL);                /* the worker closed its socket */
    zmq_ctx_term(s.ctx);                  /* nothing left open: returns at once */

    if (ready < 0) {
        fprintf(stderr, "SETUP-ERROR: the worker's socket: %s\n",
                zmq_strerror(s.failed_errno));
        return 3;
    }
    if (s.recv_rc != -1 || s.recv_errno != ETERM) {
        fprintf(stderr, "worker's blocked zmq_recv ended with rc=%d errno=%d (%s),"
                " not ETERM\n", s.recv_rc, s.recv_errno, zmq_strerror(s.recv_errno));
        return 1;
    }
    printf("DONE socket=created recv=ETERM\n");
    return 0;
}
