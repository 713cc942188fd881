/* BROKEN on purpose: main closes a DEALER while another thread is blocked in
 * zmq_recv on it. The checker must report SHARED_SOCKET DEALER zmq_recv
 * (receiver) | zmq_close (main). Only meaningful with the default
 * ZMQ_OWNER_ON_OVERLAP=abort: what libzmq does next is undefined.
 *
 * usage: close_during_recv
 * Prints GO right before the zmq_close.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <zmq.h>

#include "echo_router.h"

static void *dealer; /* BROKEN: closed by main while receiver() is inside zmq_recv */

static void *receiver(void *arg)
{
    (void)arg;
    char buffer[16];
    while (zmq_recv(dealer, buffer, sizeof buffer, 0) == -1 && zmq_errno() == EINTR)
        ;
    return NULL;
}

int main(void)
{
    void *context = zmq_ctx_new();
    struct echo_router router;
    if (!context || echo_router_start(&router, context) != 0)
        setup_error("echo router");
    dealer = echo_router_connect_dealer(&router);

    pthread_t recv_thread;
    if (pthread_create(&recv_thread, NULL, receiver, NULL) != 0)
        setup_error("pthread_create");
    struct timespec settle = { 0, 100 * 1000 * 1000 }; /* the receiver is blocked by then */
    nanosleep(&settle, NULL);
    printf("GO\n");
    fflush(stdout);
    zmq_close(dealer);

    zmq_ctx_shutdown(context);
    pthread_join(recv_thread, NULL);
    echo_router_stop(&router);
    zmq_ctx_term(context);
    printf("DONE sent=0 received=0\n");
    return 0;
}
