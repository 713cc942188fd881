/* The stop request arrives before the worker has created its first socket:
 * main calls zmq_ctx_shutdown on a context that has no socket yet, then the
 * worker creates a REP socket, binds it to inproc and blocks in zmq_recv.
 * zmq_ctx_shutdown(3) promises that blocking calls return ETERM, and since
 * libzmq 4.3.3 zmq_socket on a shut-down context fails with ETERM. On libzmq
 * up to 4.3.2 a context that was never started ignored the shutdown (ctx.cpp,
 * shutdown: `if (!_starting && !_terminating)`), so the worker's zmq_socket
 * starts the context as if nothing happened, nobody will ever stop the socket,
 * its zmq_recv never returns and main waits forever to join the worker.
 * This is libzmq #3792 ("zmq_ctx_shutdown has not effect before any socket is
 * created", 4.3.2; the REP bound to inproc and the blocking zmq_recv are the
 * issue's own code), fixed by PR #3794 (commit 36a8df2f, in 4.3.3). The
 * worker waits for main's shutdown before its zmq_socket: that forces the
 * interleaving a real program reaches by chance when its stop comes early.
 *
 * Proves: on libzmq <= 4.3.2, HANG with the worker blocked in zmq_recv (main
 * in pthread_join); on >= 4.3.3, zmq_socket fails with ETERM and the program
 * ends with DONE socket=ETERM (CLEAN). The twin that creates the socket before
 * the shutdown can happen is fixed_socket_before_ctx_shutdown.c. Measured
 * (20 runs per libzmq and mode): HANG in zmq_recv 20 of 20 on 4.3.2 in tsan,
 * plain and owner runs; CLEAN 20 of 20 on 4.3.3, 4.3.4 and 4.3.5; no TSan
 * report on any of them.
 *
 * @family hang-at-shutdown
 * @variant broken
 * @server none
 * @upstream libzmq#3792 libzmq#3794
 * @fixed-in 4.3.3 CLEAN
 * @expect tsan HANG:zmq_recv
 * @expect stress HANG:zmq_recv
 * @expect owner HANG:zmq_recv
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
#include <string.h>
#include <zmq.h>

struct shared {
    void *ctx;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int stop_requested;     /* main: zmq_ctx_shutdown has returned */
    int socket_errno;       /* worker: 0 socket created, else zmq_socket's errno */
    int bind_errno;         /* worker: 0 bound, else zmq_bind's errno */
    int recv_rc, recv_errno;
};

static void *worker(void *arg)
{
    struct shared *s = arg;

    pthread_mutex_lock(&s->lock);         /* the late start of the worker */
    while (!s->stop_requested)
        pthread_cond_wait(&s->cond, &s->lock);
    pthread_mutex_unlock(&s->lock);

    void *sock = zmq_socket(s->ctx, ZMQ_REP);  /* BROKEN: after the shutdown */
    if (!sock) {
        s->socket_errno = zmq_errno();    /* >= 4.3.3: ETERM */
        return NULL;
    }
    if (zmq_bind(sock, "inproc://after-shutdown") != 0) {
        s->bind_errno = zmq_errno();
        zmq_close(sock);
        return NULL;
    }
    char buf[16];
    s->recv_rc = zmq_recv(sock, buf, sizeof buf, 0);  /* <= 4.3.2: forever */
    s->recv_errno = zmq_errno();
    zmq_close(sock);
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

    zmq_ctx_shutdown(s.ctx);              /* stop requested: no socket yet */
    pthread_mutex_lock(&s.lock);
    s.stop_requested = 1;
    pthread_cond_broadcast(&s.cond);
    pthread_mutex_unlock(&s.lock);

    pthread_join(t, NULL);                /* <= 4.3.2: the worker never returns */
    zmq_ctx_term(s.ctx);

    if (s.socket_errno == ETERM) {
        printf("DONE socket=ETERM\n");
        return 0;
    }
    if (!s.socket_errno && !s.bind_errno && s.recv_rc == -1 && s.recv_errno == ETERM) {
        printf("DONE socket=created recv=ETERM\n");  /* also no hang */
        return 0;
    }
    /* Not reached on any libzmq measured: say what happened instead. */
    if (s.socket_errno || s.bind_errno)
        fprintf(stderr, "zmq_%s failed: %s\n", s.socket_errno ? "socket" : "bind",
                zmq_strerror(s.socket_errno ? s.socket_errno : s.bind_errno));
    else
        fprintf(stderr, "zmq_recv on the socket created after the shutdown ended"
                " with rc=%d errno=%d (%s), not ETERM\n", s.recv_rc, s.recv_errno,
                zmq_strerror(s.recv_errno));
    printf("DONE socket=%s\n", s.socket_errno ? "failed" : "created");
    return 1;
}
