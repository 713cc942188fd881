/* One DEALER that migrates between threads, legally: main creates and
 * connects it, thread A does a batch of request/reply round trips on it, then
 * hands it to thread B, B does another batch and hands it back to main, which
 * closes it and terminates the context. Every handover goes through one mutex
 * and condition variable: the giver makes its last call on the socket, then
 * takes the mutex, passes the turn and unlocks; the taker waits for its turn
 * under the same mutex before its first call. At no time are two threads
 * inside calls on the socket.
 *
 * zmq(7): "Individual sockets are not thread safe ... it is possible to
 * migrate a socket from one thread to another with a full memory barrier."
 * The unlock by the giver and the lock by the taker are that barrier (a
 * release and an acquire, a happens-before edge TSan sees). This is the
 * migration pyzmq #2094 and libzmq #4649 get wrong by using one socket from
 * two threads at the same time; here each thread has the socket to itself
 * for its whole batch.
 *
 * Proves: CLEAN under TSan with an instrumented libzmq (no race on the
 * socket's internals across the handovers), under stress (every request
 * answered, DONE sent=N received=N), and with the socket-ownership checker
 * preloaded (no SHARED_SOCKET report: the handovers never overlap).
 *
 * @family shared-socket
 * @variant fixed
 * @twin shared-socket/broken_send_recv_threads
 * @server echo
 * @upstream pyzmq#2094 libzmq#4649
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @expect owner CLEAN
 * @args tsan 2000
 * @args stress 20000
 * @args owner 20000
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

enum turn { TURN_MAIN, TURN_A, TURN_B };

static void *sock; /* used only by the thread whose turn it is */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static enum turn turn = TURN_MAIN; /* under lock */
static long batch_a, batch_b, sent, received;
static int failed;

static void wait_for_turn(enum turn mine)
{
    pthread_mutex_lock(&lock);
    while (turn != mine)
        pthread_cond_wait(&turn_changed, &lock);
    pthread_mutex_unlock(&lock);
}

/* Called after the giver's last call on the socket. */
static void pass_turn(enum turn next)
{
    pthread_mutex_lock(&lock);
    turn = next;
    pthread_cond_broadcast(&turn_changed);
    pthread_mutex_unlock(&lock);
}

/* One request, its reply: the reply must carry the request's number. */
static void round_trips(long count)
{
    for (long i = 0; i < count && !failed; i++) {
        long request = sent, reply = -1;
        if (zmq_send(sock, &request, sizeof request, 0) != sizeof request) {
            fprintf(stderr, "zmq_send: %s\n", zmq_strerror(zmq_errno()));
            failed = 1;
            break;
        }
        sent++;
        int rc;
        while ((rc = zmq_recv(sock, &reply, sizeof reply, 0)) == -1 && zmq_errno() == EINTR)
            ;
        if (rc == -1) {
            fprintf(stderr, "zmq_recv: %s\n", zmq_strerror(zmq_errno()));
            failed = 1;
            break;
        }
        if (rc == sizeof reply && reply == request)
            received++;
    }
}

static void *thread_a(void *arg)
{
    (void)arg;
    wait_for_turn(TURN_A);
    round_trips(batch_a);
    pass_turn(TURN_B);
    return NULL;
}

static void *thread_b(void *arg)
{
    (void)arg;
    wait_for_turn(TURN_B);
    round_trips(batch_b);
    pass_turn(TURN_MAIN);
    return NULL;
}

int main(int argc, char **argv)
{
    long n;
    if (argc != 3 || (n = atol(argv[2])) <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT MESSAGES\n", argv[0]);
        return 3;
    }
    batch_a = n / 2;
    batch_b = n - batch_a;

    void *ctx = zmq_ctx_new();
    sock = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(sock, argv[1]) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", argv[1], zmq_strerror(zmq_errno()));
        return 3;
    }

    pthread_t a, b;
    if (pthread_create(&a, NULL, thread_a, NULL) != 0 || pthread_create(&b, NULL, thread_b, NULL) != 0) {
        fprintf(stderr, "SETUP-ERROR: pthread_create: %s\n", strerror(errno));
        return 3;
    }
    pass_turn(TURN_A); /* main's last call on the socket was zmq_connect */
    wait_for_turn(TURN_MAIN);
    pthread_join(a, NULL);
    pthread_join(b, NULL);

    printf("DONE sent=%ld received=%ld\n", sent, received);
    zmq_close(sock); /* main's turn again: the socket is back */
    zmq_ctx_term(ctx);
    return failed;
}
