/* CLEAN: four threads, each with a DEALER of its own, created, used and
 * closed in that thread. The checker must say nothing.
 *
 * usage: socket_per_thread [MESSAGES_PER_THREAD]   (default 5000)
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

#include "echo_router.h"

#define THREADS 4

static struct echo_router router;
static long messages;
static atomic_long total_sent, total_received;

static void *worker(void *arg)
{
    (void)arg;
    void *dealer = echo_router_connect_dealer(&router);
    long sent = 0, received = 0;
    char buffer[16];
    while (received < messages) {
        if (zmq_send(dealer, "ping", 4, 0) == 4)
            sent++;
        else if (zmq_errno() != EINTR)
            break;
        if (zmq_recv(dealer, buffer, sizeof buffer, 0) >= 0)
            received++;
        else if (zmq_errno() != EINTR)
            break;
    }
    zmq_close(dealer);
    atomic_fetch_add(&total_sent, sent);
    atomic_fetch_add(&total_received, received);
    return NULL;
}

int main(int argc, char **argv)
{
    messages = argc > 1 ? atol(argv[1]) : 5000;
    if (messages <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s [MESSAGES_PER_THREAD]\n", argv[0]);
        return 3;
    }
    void *context = zmq_ctx_new();
    if (!context || echo_router_start(&router, context) != 0)
        setup_error("echo router");
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&threads[i], NULL, worker, NULL) != 0)
            setup_error("pthread_create");
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);
    echo_router_stop(&router);
    zmq_ctx_term(context);
    printf("DONE sent=%ld received=%ld\n", atomic_load(&total_sent), atomic_load(&total_received));
    return atomic_load(&total_received) == THREADS * messages ? 0 : 1;
}
