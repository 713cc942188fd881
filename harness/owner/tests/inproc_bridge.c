/* CLEAN: worker threads that need the server talk to the owner thread over
 * inproc PAIR sockets of their own; only the owner (main) touches the DEALER.
 * The checker must say nothing.
 *
 * usage: inproc_bridge [MESSAGES_PER_WORKER]   (default 5000)
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

#include "echo_router.h"

#define WORKERS 3

static void *context;
static long messages;
static long replies[WORKERS];

static void *worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://owner-bridge-%d", id);
    void *pair = zmq_socket(context, ZMQ_PAIR);
    if (!pair || zmq_connect(pair, endpoint) != 0)
        setup_error("worker zmq_connect");
    char buffer[16];
    for (long i = 0; i < messages; i++) {
        if (zmq_send(pair, &id, sizeof id, 0) != sizeof id)
            break;
        if (zmq_recv(pair, buffer, sizeof buffer, 0) < 0)
            break;
        replies[id]++;
    }
    zmq_close(pair);
    return NULL;
}

int main(int argc, char **argv)
{
    messages = argc > 1 ? atol(argv[1]) : 5000;
    if (messages <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s [MESSAGES_PER_WORKER]\n", argv[0]);
        return 3;
    }
    context = zmq_ctx_new();
    struct echo_router router;
    if (!context || echo_router_start(&router, context) != 0)
        setup_error("echo router");
    void *dealer = echo_router_connect_dealer(&router);

    /* The owner binds every bridge before the workers start. */
    void *bridges[WORKERS];
    zmq_pollitem_t items[WORKERS + 1];
    for (int i = 0; i < WORKERS; i++) {
        char endpoint[64];
        snprintf(endpoint, sizeof endpoint, "inproc://owner-bridge-%d", i);
        bridges[i] = zmq_socket(context, ZMQ_PAIR);
        if (!bridges[i] || zmq_bind(bridges[i], endpoint) != 0)
            setup_error("zmq_bind");
        items[i] = (zmq_pollitem_t){ bridges[i], 0, ZMQ_POLLIN, 0 };
    }
    items[WORKERS] = (zmq_pollitem_t){ dealer, 0, ZMQ_POLLIN, 0 };
    pthread_t threads[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        if (pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i) != 0)
            setup_error("pthread_create");

    /* Forward each request (the worker id) to the server, each reply back. */
    long forwarded = 0, answered = 0;
    while (answered < WORKERS * messages) {
        if (zmq_poll(items, WORKERS + 1, 1000) == -1 && zmq_errno() != EINTR)
            break;
        int id;
        for (int i = 0; i < WORKERS; i++)
            if ((items[i].revents & ZMQ_POLLIN) && zmq_recv(bridges[i], &id, sizeof id, 0) == sizeof id
                && zmq_send(dealer, &id, sizeof id, 0) == sizeof id)
                forwarded++;
        if ((items[WORKERS].revents & ZMQ_POLLIN) && zmq_recv(dealer, &id, sizeof id, 0) == sizeof id
            && id >= 0 && id < WORKERS && zmq_send(bridges[id], "pong", 4, 0) == 4)
            answered++;
    }
    for (int i = 0; i < WORKERS; i++)
        pthread_join(threads[i], NULL);
    long received = 0;
    for (int i = 0; i < WORKERS; i++) {
        received += replies[i];
        zmq_close(bridges[i]);
    }
    zmq_close(dealer);
    echo_router_stop(&router);
    zmq_ctx_term(context);
    printf("DONE sent=%ld received=%ld\n", forwarded, received);
    return received == WORKERS * messages ? 0 : 1;
}
