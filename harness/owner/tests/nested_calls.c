/* CLEAN: calls that re-enter libzmq's exported functions on the same socket
 * in the same thread (libzmq's zmq_poll calls zmq_getsockopt, zmq_sendmsg
 * and zmq_sendiov call zmq_msg_send through the PLT), two threads each on
 * its own socket. The checker must say nothing; with ZMQ_OWNER_VERBOSE=1 its
 * exit line shows the nested calls it allowed.
 *
 * usage: nested_calls [ROUNDS]   (default 2000)
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <zmq.h>

#include "echo_router.h"

static struct echo_router router;
static long rounds;
static atomic_long total_sent, total_received;

static int receive_one(void *dealer)
{
    zmq_pollitem_t item = { dealer, 0, ZMQ_POLLIN, 0 };
    if (zmq_poll(&item, 1, 2000) != 1)
        return -1;
    zmq_msg_t message;
    zmq_msg_init(&message);
    int rc = zmq_recvmsg(dealer, &message, 0);
    zmq_msg_close(&message);
    return rc;
}

static void *worker(void *arg)
{
    (void)arg;
    void *dealer = echo_router_connect_dealer(&router);
    long sent = 0, received = 0;
    for (long i = 0; i < rounds; i++) {
        zmq_msg_t message;
        zmq_msg_init_size(&message, 4);
        memcpy(zmq_msg_data(&message), "ping", 4);
        if (zmq_sendmsg(dealer, &message, 0) == 4)
            sent++;
        else
            zmq_msg_close(&message);
        if (receive_one(dealer) >= 0)
            received++;

        struct iovec parts[1] = { { "pong", 4 } };
        if (zmq_sendiov(dealer, parts, 1, 0) >= 0)
            sent++;
        if (receive_one(dealer) >= 0)
            received++;
    }
    zmq_close(dealer);
    atomic_fetch_add(&total_sent, sent);
    atomic_fetch_add(&total_received, received);
    return NULL;
}

int main(int argc, char **argv)
{
    rounds = argc > 1 ? atol(argv[1]) : 2000;
    if (rounds <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s [ROUNDS]\n", argv[0]);
        return 3;
    }
    void *context = zmq_ctx_new();
    if (!context || echo_router_start(&router, context) != 0)
        setup_error("echo router");
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        if (pthread_create(&threads[i], NULL, worker, NULL) != 0)
            setup_error("pthread_create");
    for (int i = 0; i < 2; i++)
        pthread_join(threads[i], NULL);
    echo_router_stop(&router);
    zmq_ctx_term(context);
    printf("DONE sent=%ld received=%ld\n", atomic_load(&total_sent), atomic_load(&total_received));
    return atomic_load(&total_received) == atomic_load(&total_sent) ? 0 : 1;
}
