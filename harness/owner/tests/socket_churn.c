/* CLEAN: two threads each create, use and close DEALERs over and over, so
 * that a socket's memory is soon reused for a new socket by the other
 * thread. The checker must follow each new socket (no overlap, and with
 * ZMQ_OWNER_HANDOFF=report no handoff either: a new socket at an old
 * address starts with its creator as owner).
 *
 * usage: socket_churn [SOCKETS_PER_THREAD]   (default 2000)
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

#include "echo_router.h"

static struct echo_router router;

/* zmq_close is asynchronous: libzmq's reaper thread frees a closed socket's
 * slot and file descriptor a little later. Churning faster than it reaps
 * runs into the context's socket limit (EMFILE): wait for it then. */
static void *new_dealer(void)
{
    for (int attempt = 0; attempt < 1000; attempt++) {
        void *dealer = zmq_socket(router.context, ZMQ_DEALER);
        if (dealer) {
            int zero = 0;
            if (zmq_setsockopt(dealer, ZMQ_LINGER, &zero, sizeof zero) != 0
                || zmq_connect(dealer, router.endpoint) != 0)
                setup_error("zmq_connect");
            return dealer;
        }
        if (zmq_errno() != EMFILE)
            break;
        struct timespec pause = { 0, 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    setup_error("zmq_socket");
    return NULL;
}
static long sockets;
static atomic_long total_sent, total_received;

static void *churn(void *arg)
{
    (void)arg;
    long sent = 0, received = 0;
    char buffer[16];
    for (long i = 0; i < sockets; i++) {
        void *dealer = new_dealer();
        if (zmq_send(dealer, "ping", 4, 0) == 4)
            sent++;
        if (zmq_recv(dealer, buffer, sizeof buffer, 0) >= 0)
            received++;
        zmq_close(dealer);
    }
    atomic_fetch_add(&total_sent, sent);
    atomic_fetch_add(&total_received, received);
    return NULL;
}

int main(int argc, char **argv)
{
    sockets = argc > 1 ? atol(argv[1]) : 2000;
    if (sockets <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s [SOCKETS_PER_THREAD]\n", argv[0]);
        return 3;
    }
    void *context = zmq_ctx_new();
    if (!context || echo_router_start(&router, context) != 0)
        setup_error("echo router");
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        if (pthread_create(&threads[i], NULL, churn, NULL) != 0)
            setup_error("pthread_create");
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    echo_router_stop(&router);
    zmq_ctx_term(context);
    printf("DONE sent=%ld received=%ld\n", atomic_load(&total_sent), atomic_load(&total_received));
    return atomic_load(&total_received) == atomic_load(&total_sent) ? 0 : 1;
}
