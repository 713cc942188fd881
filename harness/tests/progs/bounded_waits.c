/* A test program, not a case: a correct client that spends SECONDS in waits
 * that all have a deadline, then prints DONE. The no-progress watch must
 * never call it a hang, however long each wait lasts (the stall window is
 * 0.5 s). MODE is one of
 *   poll       zmq_poll(1000 ms) on a DEALER nobody writes to, again and again
 *   sleep      one nanosleep of SECONDS
 *   heartbeat  a heartbeat to the server every 100 ms, its reply read with zmq_poll
 *   thread     a thread doing the poll loop while main waits in pthread_join
 *              (a wait with no deadline, next to one that has one)
 *   hang       not correct: a thread doing the poll loop on a context of its
 *              own, forever, while main hangs in zmq_ctx_term (one message
 *              unsent, the default LINGER, nobody at ENDPOINT): a HANG found
 *              by the watchdog, whose signature names zmq_ctx_term and not
 *              the bounded zmq_poll beside it
 *
 * usage: bounded_waits ENDPOINT MODE SECONDS
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static double seconds;
static void *ctx;
static const char *endpoint;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *dealer(void)
{
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero);
    if (zmq_connect(sock, endpoint) != 0) {
        fprintf(stderr, "SETUP-ERROR: zmq_connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        exit(3);
    }
    return sock;
}

/* zmq_poll with a 1000 ms deadline until SECONDS have passed. */
static void *poll_loop(void *arg)
{
    (void)arg;
    void *sock = dealer();
    double end = now_s() + seconds;
    while (now_s() < end) {
        zmq_pollitem_t items[] = { { sock, 0, ZMQ_POLLIN, 0 } };
        zmq_poll(items, 1, 1000);
    }
    zmq_close(sock);
    return NULL;
}

/* A heartbeat every 100 ms; the replies are read as they come. */
static void heartbeat_loop(void)
{
    void *sock = dealer();
    double end = now_s() + seconds, next = now_s();
    while (now_s() < end) {
        if (now_s() >= next) {
            zmq_send(sock, "hb", 2, 0);
            next += 0.1;
        }
        zmq_pollitem_t items[] = { { sock, 0, ZMQ_POLLIN, 0 } };
        long wait_ms = (long)((next - now_s()) * 1000);
        if (zmq_poll(items, 1, wait_ms > 0 ? wait_ms : 0) > 0) {
            char buf[8];
            zmq_recv(sock, buf, sizeof buf, ZMQ_DONTWAIT);
        }
    }
    zmq_close(sock);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT MODE SECONDS\n", argv[0]);
        return 3;
    }
    endpoint = argv[1];
    const char *mode = argv[2];
    seconds = atof(argv[3]);
    ctx = zmq_ctx_new();
    if (!strcmp(mode, "poll")) {
        poll_loop(NULL);
    } else if (!strcmp(mode, "sleep")) {
        struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
        nanosleep(&ts, NULL);
    } else if (!strcmp(mode, "heartbeat")) {
        heartbeat_loop();
    } else if (!strcmp(mode, "hang")) {
        pthread_t t;
        seconds = 3600;
        pthread_create(&t, NULL, poll_loop, NULL); /* on ctx, made above */
        void *own = zmq_ctx_new();
        void *sock = zmq_socket(own, ZMQ_DEALER);
        zmq_connect(sock, endpoint);
        zmq_send(sock, "lost", 4, 0);
        zmq_close(sock);
        zmq_ctx_term(own); /* never returns: the message cannot leave */
    } else if (!strcmp(mode, "thread")) {
        pthread_t t;
        pthread_create(&t, NULL, poll_loop, NULL);
        pthread_join(t, NULL);
    } else {
        fprintf(stderr, "SETUP-ERROR: unknown mode %s\n", mode);
        return 3;
    }
    zmq_ctx_term(ctx);
    printf("DONE\n");
    return 0;
}
