/* BROKEN on purpose, for ZMQ_OWNER_HANDOFF=tsan: thread A uses a DEALER,
 * then thread B takes it over as soon as a relaxed atomic flag says A is
 * done. The two threads are never inside calls at the same time (no
 * overlap), but nothing orders A's last call before B's first: the flag is
 * relaxed, no full memory barrier as zmq(7) requires. Run with
 * LD_PRELOAD="libtsan.so.2 libzmq_owner_tsan.so": ThreadSanitizer must
 * report a data race in tsan_socket_used_by_this_thread, between
 * first_owner and second_owner.
 *
 * usage: unsynchronized_handoff
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <zmq.h>

#include "echo_router.h"

static void *dealer;
static atomic_int first_done; /* BROKEN: relaxed, so no happens-before */
static long received;

static void round_trips(int count)
{
    char buffer[16];
    for (int i = 0; i < count; i++)
        if (zmq_send(dealer, "ping", 4, 0) == 4 && zmq_recv(dealer, buffer, sizeof buffer, 0) >= 0)
            received++;
}

static void *first_owner(void *arg)
{
    (void)arg;
    round_trips(10);
    atomic_store_explicit(&first_done, 1, memory_order_relaxed);
    return NULL;
}

static void *second_owner(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&first_done, memory_order_relaxed))
        sched_yield();
    round_trips(10);
    return NULL;
}

int main(void)
{
    void *context = zmq_ctx_new();
    struct echo_router router;
    if (!context || echo_router_start(&router, context) != 0)
        setup_error("echo router");
    dealer = echo_router_connect_dealer(&router);
    pthread_t a, b;
    if (pthread_create(&b, NULL, second_owner, NULL) != 0 || pthread_create(&a, NULL, first_owner, NULL) != 0)
        setup_error("pthread_create");
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    printf("DONE sent=20 received=%ld\n", received);
    zmq_close(dealer);
    echo_router_stop(&router);
    zmq_ctx_term(context);
    return 0;
}
