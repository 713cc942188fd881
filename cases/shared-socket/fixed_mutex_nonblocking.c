/* A shared DEALER made safe with a lock: a send thread and a receive thread
 * share it, but every zmq call on it is ZMQ_DONTWAIT and made while holding
 * one mutex. The mutex gives the full memory barrier zmq(7) requires when a
 * socket passes between threads, and no thread ever blocks inside libzmq
 * while holding it. Waiting for readiness happens outside the lock, by
 * sleeping briefly and retrying: a blocking zmq_poll or zmq_recv on the
 * socket outside the lock would be an unguarded call on a shared socket,
 * which is the bug itself.
 *
 * Proves: CLEAN under TSan with an instrumented libzmq and under stress:
 * every request answered (DONE sent=N received=N). The broken twin is
 * broken_send_recv_threads.c (the same two threads, no lock, blocking calls).
 *
 * @family shared-socket
 * @variant fixed
 * @twin shared-socket/broken_send_recv_threads
 * @server echo
 * @upstream pyzmq#2094 libzmq#4649 libzmq#4477 libzmq#3582 libzmq#3200
 * @expect tsan CLEAN
 * @expect stress CLEAN
 * @args tsan 20000
 * @args stress 200000
 * @expect owner CLEAN
 * @args owner 50000
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

static void *sock; /* shared, but only touched with lock held */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long n, sent, received;

static void wait_outside_lock(void)
{
    struct timespec ts = { 0, 50 * 1000 };
    nanosleep(&ts, NULL);
}

static void *sender(void *arg)
{
    (void)arg;
    while (sent < n) {
        pthread_mutex_lock(&lock);
        int rc = zmq_send(sock, "ping", 4, ZMQ_DONTWAIT);
        int err = zmq_errno();
        pthread_mutex_unlock(&lock);
        if (rc == 4)
            sent++;
        else if (err == EAGAIN || err == EINTR)
            wait_outside_lock(); /* at the send high-water mark */
        else {
            fprintf(stderr, "zmq_send: %s\n", zmq_strerror(err));
            break;
        }
    }
    return NULL;
}

static void *receiver(void *arg)
{
    (void)arg;
    char buf[16];
    while (received < n) {
        pthread_mutex_lock(&lock);
        int rc = zmq_recv(sock, buf, sizeof buf, ZMQ_DONTWAIT);
        int err = zmq_errno();
        pthread_mutex_unlock(&lock);
        if (rc >= 0)
            received++;
        else if (err == EAGAIN || err == EINTR)
            wait_outside_lock();
        else {
            fprintf(stderr, "zmq_recv: %s\n", zmq_strerror(err));
            break;
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (n = atol(argv[2])) <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT MESSAGES\n", argv[0]);
        return 3;
    }
    void *ctx = zmq_ctx_new();
    sock = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(sock, argv[1]) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", argv[1],
                zmq_strerror(zmq_errno()));
        return 3;
    }

    pthread_t s, r;
    pthread_create(&r, NULL, receiver, NULL);
    pthread_create(&s, NULL, sender, NULL);
    pthread_join(s, NULL);
    pthread_join(r, NULL);

    printf("DONE sent=%ld received=%ld\n", sent, received);
    zmq_close(sock); /* both users joined: main owns the socket again */
    zmq_ctx_term(ctx);
    return 0;
}
