/* BROKEN on purpose: one DEALER used by a send thread and a receive thread at
 * once (pyzmq #2094, libzmq #4649). The checker must report SHARED_SOCKET
 * DEALER with zmq_recv (receiver) and zmq_send (sender).
 *
 * usage: shared_send_recv [MESSAGES [RCVTIMEO_MS]]   (default 100000, none)
 * Prints GO when both threads are about to start, DONE sent=N received=N at
 * the end (reached only with ZMQ_OWNER_ON_OVERLAP=continue). RCVTIMEO_MS
 * bounds each blocking receive: with the checker letting the program go on,
 * the broken pattern can lose a wake-up (the sender consumes the command the
 * receiver waits for) and would otherwise hang.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

#include "echo_router.h"

#define WINDOW 100 /* requests in flight at most */

static void *dealer; /* BROKEN: shared by sender() and receiver() */
static long messages;
static atomic_long sent, received;
/* The two threads start together and the sender stays at most WINDOW
 * requests ahead: on a busy machine a sender free to run could otherwise
 * finish all its sends before the receiver was first scheduled, and the two
 * would never be inside libzmq at the same time. */
static pthread_barrier_t start_together;

static void *sender(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start_together);
    while (sent < messages) {
        if (sent - atomic_load(&received) >= WINDOW) {
            sched_yield();
            continue;
        }
        if (zmq_send(dealer, "ping", 4, 0) == 4)
            sent++;
        else if (zmq_errno() != EINTR)
            break;
    }
    return NULL;
}

static void *receiver(void *arg)
{
    (void)arg;
    char buffer[16];
    pthread_barrier_wait(&start_together);
    while (received < messages) {
        if (zmq_recv(dealer, buffer, sizeof buffer, 0) >= 0)
            received++;
        else if (zmq_errno() != EINTR && zmq_errno() != EAGAIN)
            break;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    messages = argc > 1 ? atol(argv[1]) : 100000;
    int receive_timeout = argc > 2 ? atoi(argv[2]) : -1;
    if (messages <= 0 || argc > 3) {
        fprintf(stderr, "SETUP-ERROR: usage: %s [MESSAGES [RCVTIMEO_MS]]\n", argv[0]);
        return 3;
    }
    void *context = zmq_ctx_new();
    struct echo_router router;
    if (!context || echo_router_start(&router, context) != 0)
        setup_error("echo router");
    dealer = echo_router_connect_dealer(&router);
    if (zmq_setsockopt(dealer, ZMQ_RCVTIMEO, &receive_timeout, sizeof receive_timeout) != 0)
        setup_error("zmq_setsockopt");

    pthread_t send_thread, recv_thread;
    if (pthread_barrier_init(&start_together, NULL, 2) != 0)
        setup_error("pthread_barrier_init");
    printf("GO\n");
    fflush(stdout);
    if (pthread_create(&recv_thread, NULL, receiver, NULL) != 0
        || pthread_create(&send_thread, NULL, sender, NULL) != 0)
        setup_error("pthread_create");
    pthread_join(send_thread, NULL);
    pthread_join(recv_thread, NULL);

    printf("DONE sent=%ld received=%ld\n", atomic_load(&sent), atomic_load(&received));
    zmq_close(dealer);
    echo_router_stop(&router);
    zmq_ctx_term(context);
    return 0;
}
