/* CLEAN: one thread owns a DEALER and drives it with zmq_poll, a pipelined
 * window of requests, zmq_send and zmq_recv. The checker must say nothing.
 *
 * usage: single_owner [MESSAGES]   (default 20000)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

#include "echo_router.h"

#define WINDOW 50

int main(int argc, char **argv)
{
    long messages = argc > 1 ? atol(argv[1]) : 20000;
    if (messages <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s [MESSAGES]\n", argv[0]);
        return 3;
    }
    void *context = zmq_ctx_new();
    struct echo_router router;
    if (!context || echo_router_start(&router, context) != 0)
        setup_error("echo router");
    void *dealer = echo_router_connect_dealer(&router);

    long sent = 0, received = 0;
    zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
    while (received < messages) {
        while (sent < messages && sent - received < WINDOW && zmq_send(dealer, "ping", 4, ZMQ_DONTWAIT) == 4)
            sent++;
        if (zmq_poll(&item, 1, 1000) == -1 && zmq_errno() != EINTR)
            break;
        char buffer[16];
        while (zmq_recv(dealer, buffer, sizeof buffer, ZMQ_DONTWAIT) >= 0)
            received++;
    }
    printf("DONE sent=%ld received=%ld\n", sent, received);
    zmq_close(dealer);
    echo_router_stop(&router);
    zmq_ctx_term(context);
    return received == messages ? 0 : 1;
}
