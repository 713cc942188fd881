/* The adversarial form of the shared-socket bug: four threads send and
 * receive with ZMQ_DONTWAIT on one DEALER while a fifth disconnects and
 * reconnects that same DEALER every 0.2 ms. Non-blocking calls do not make a
 * socket shareable: every call still runs the socket's command processing and
 * touches its pipes, and zmq_disconnect tears pipes down under the other
 * threads. The crash family of pyzmq #2094, libzmq #4649, #4477, #3582 and
 * #3200; zmq(7): "Individual sockets are not thread safe".
 *
 * Runs until SECONDS have passed or MESSAGES were sent, then prints DONE.
 * Replies are lost by design (a disconnect drops the queued ones), so DONE
 * carries no accounting: a clean finish only means nothing crashed this time.
 *
 * Proves: under TSan, a data race inside libzmq at once. Without TSan
 * (Debian libzmq 4.3.4): an abort from libzmq within seconds, e.g.
 * "Assertion failed: check () (src/msg.cpp:414)",
 * "Assertion failed: msg.flags () & msg_t::more (src/pipe.cpp:269)",
 * "Bad address (src/pipe.cpp:394)", or SIGSEGV / SIGFPE, or a hang.
 * Measured here: 10 of 10 stress runs died, all within 1.4 s.
 *
 * @family shared-socket
 * @variant broken
 * @server echo
 * @upstream pyzmq#2094 libzmq#4649 libzmq#4477 libzmq#3582 libzmq#3200
 * @expect tsan TSAN:data-race:@libzmq
 * @expect stress ASSERT SIGNAL HANG
 * @args tsan 5 100000
 * @args stress 8 50000000
 * @expect owner SHARED_SOCKET
 * @args owner 8 50000000
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

#define WORKERS 4

static void *sock; /* BROKEN: shared by every thread below */
static const char *endpoint;
static int stop;
static long sends, replies;

static int stopping(void) { return __atomic_load_n(&stop, __ATOMIC_RELAXED); }

static void *worker(void *arg)
{
    (void)arg;
    char buf[16];
    while (!stopping()) {
        if (zmq_send(sock, "ping", 4, ZMQ_DONTWAIT) == 4)
            __atomic_add_fetch(&sends, 1, __ATOMIC_RELAXED);
        while (zmq_recv(sock, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
            __atomic_add_fetch(&replies, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static void *churn(void *arg)
{
    (void)arg;
    struct timespec pause = { 0, 200 * 1000 };
    while (!stopping()) {
        zmq_disconnect(sock, endpoint);
        zmq_connect(sock, endpoint);
        nanosleep(&pause, NULL);
    }
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    double seconds;
    long max_messages;
    if (argc != 4 || (seconds = atof(argv[2])) <= 0 || (max_messages = atol(argv[3])) <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT SECONDS MESSAGES\n", argv[0]);
        return 3;
    }
    endpoint = argv[1];
    void *ctx = zmq_ctx_new();
    sock = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(sock, endpoint) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", endpoint,
                zmq_strerror(zmq_errno()));
        return 3;
    }

    pthread_t threads[WORKERS + 1];
    for (int i = 0; i < WORKERS; i++)
        pthread_create(&threads[i], NULL, worker, NULL);
    pthread_create(&threads[WORKERS], NULL, churn, NULL);

    double deadline = now() + seconds;
    struct timespec tick = { 0, 10 * 1000 * 1000 };
    while (now() < deadline && __atomic_load_n(&sends, __ATOMIC_RELAXED) < max_messages)
        nanosleep(&tick, NULL);
    __atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
    for (int i = 0; i <= WORKERS; i++)
        pthread_join(threads[i], NULL);

    /* No "sent=" here: losses are expected under churn, not a finding. */
    printf("churn survived: %ld requests, %ld replies\n", sends, replies);
    printf("DONE\n");
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return 0;
}
