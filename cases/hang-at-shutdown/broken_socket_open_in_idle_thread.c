/* A worker thread owns a DEALER, does one request/reply with the server, and
 * then waits on a condition variable for the order to stop: it is idle, not
 * inside any zmq call, and its socket is still open. The main thread shuts
 * down by calling zmq_ctx_term first and only then tells the worker to stop.
 * zmq_ctx_term waits until every socket of the context is closed
 * (zmq_ctx_term(3)); a blocking zmq call in the worker would return ETERM,
 * but a thread that is not in a zmq call never learns of the termination, so
 * the socket is never closed and zmq_ctx_term never returns. LINGER is 0 and
 * nothing is unsent: the open socket alone is the hang. This is the "socket
 * left open in another thread" member of the pyzmq #2070 family (there: an
 * asyncio loop thread whose socket is never closed).
 *
 * Proves: HANG with main blocked in zmq_ctx_term (both modes). The fixed
 * twins: fixed_close_in_owner_before_term.c, fixed_ctx_shutdown_order.c.
 *
 * The watchdogs come from what the fixed twin,
 * fixed_close_in_owner_before_term.c, needs: its worst run took 0.03 s
 * (tsan), 0.06 s (stress, owner) in 50 unloaded runs of each mode (zmq-repro
 * bench -n 50 -L fixed -L hang-at-shutdown). The hang itself is found
 * earlier, by the no-progress watch (@stall, 0.5 s after every thread
 * sleeps); the watchdog catches it when a thread keeps spinning. A slower
 * machine scales both with ZR_TIMEOUT_MULTIPLIER.
 *
 * @family hang-at-shutdown
 * @variant broken
 * @server echo
 * @upstream pyzmq#2070
 * @expect tsan HANG:zmq_ctx_term
 * @expect stress HANG:zmq_ctx_term
 * @expect owner HANG:zmq_ctx_term
 * @timeout tsan 1
 * @timeout stress 1
 * @timeout owner 1
 */
#include <pthread.h>
#include <stdio.h>
#include <zmq.h>

struct shared {
    void *ctx;
    const char *endpoint;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int ready;          /* worker: setup done (1) or failed (-1) */
    int stop;           /* main: the worker may close its socket and return */
    int sent, received;
};

static void *worker(void *arg)
{
    struct shared *s = arg;
    void *sock = zmq_socket(s->ctx, ZMQ_DEALER);
    int linger = 0, rcvtimeo = 1000;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &rcvtimeo, sizeof rcvtimeo);
    int ok = zmq_connect(sock, s->endpoint) == 0;
    if (ok && zmq_send(sock, "ping", 4, 0) == 4) {
        s->sent = 1;
        char buf[16];
        if (zmq_recv(sock, buf, sizeof buf, 0) >= 0)
            s->received = 1;
    }
    ok = ok && s->received;               /* no reply in 1 s: no server */

    pthread_mutex_lock(&s->lock);
    s->ready = ok ? 1 : -1;
    pthread_cond_broadcast(&s->cond);
    while (!s->stop)                      /* idle: not in a zmq call */
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);

    zmq_close(sock);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT\n", argv[0]);
        return 3;
    }
    struct shared s = { .endpoint = argv[1],
                        .lock = PTHREAD_MUTEX_INITIALIZER,
                        .cond = PTHREAD_COND_INITIALIZER };
    s.ctx = zmq_ctx_new();
    pthread_t t;
    pthread_create(&t, NULL, worker, &s);

    pthread_mutex_lock(&s.lock);
    while (!s.ready)
        pthread_cond_wait(&s.cond, &s.lock);
    int ready = s.ready;
    pthread_mutex_unlock(&s.lock);
    if (ready < 0) {
        fprintf(stderr, "SETUP-ERROR: no round trip with %s\n", argv[1]);
        return 3;
    }

    zmq_ctx_term(s.ctx);      /* BROKEN: the worker's socket is still open */

    pthread_mutex_lock(&s.lock);
    s.stop = 1;               /* too late: never reached */
    pthread_cond_broadcast(&s.cond);
    pthread_mutex_unlock(&s.lock);
    pthread_join(t, NULL);

    printf("DONE sent=%d received=%d\n", s.sent, s.received);
    return 0;
}
