/* BROKEN on purpose: one thread waits on a DEALER with zmq_poll while another
 * sends on it. The checker must report SHARED_SOCKET DEALER with zmq_poll
 * (poller) and zmq_send (sender), in either order.
 *
 * usage: poll_and_send [MESSAGES]   (default 100000)
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

#include "echo_router.h"

static void *dealer; /* BROKEN: shared by poller() and sender() */
static long messages;
static atomic_bool sending_done;

static void *poller(void *arg)
{
    (void)arg;
    zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
    while (!atomic_load(&sending_done))
        if (zmq_poll(&item, 1, 10) == -1 && zmq_errno() != EINTR)
            break;
    return NULL;
}

static void *sender(void *arg)
{
    (void)arg;
    for (long sent = 0; sent < messages;) {
        if (zmq_send(dealer, "ping", 4, 0) == 4)
            sent++;
        else if (zmq_errno() != EINTR)
            break;
    }
    atomic_store(&sending_done, true);
    return NULL;
}

int main(int argc, char **argv)
{
    messages = argc > 1 ? atol(argv[1]) : 100000;
    if (messages <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s [MESSAGES]\n", argv[0]);
        return 3;
    }
    void *context = zmq_ctx_new();
    struct echo_router router;
    if (!context || echo_router_start(&router, context) != 0)
        setup_error("echo router");
    dealer = echo_router_connect_dealer(&router);

    pthread_t poll_thread, send_thread;
    printf("GO\n");
    fflush(stdout);
    if (pthread_create(&poll_thread, NULL, poller, NULL) != 0
        || pthread_create(&send_thread, NULL, sender, NULL) != 0)
        setup_error("pthread_create");
    pthread_join(send_thread, NULL);
    pthread_join(poll_thread, NULL);

    printf("DONE sent=%ld received=0\n", messages);
    zmq_close(dealer);
    echo_router_stop(&router);
    zmq_ctx_term(context);
    return 0;
}
