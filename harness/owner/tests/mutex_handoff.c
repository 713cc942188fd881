/* CLEAN with ZMQ_OWNER_HANDOFF=off (a legal migration): a DEALER created by
 * main passes to thread A, then back and forth between A and B, then back to
 * main, each time through one mutex and condition variable: the giver makes
 * its last call, then takes the mutex to pass the turn; the taker waits for
 * its turn under the same mutex before its first call. zmq(7): a socket may
 * migrate between threads after a full memory barrier.
 *
 * With ZMQ_OWNER_HANDOFF=report the first change of owner is reported
 * (SOCKET_HANDOFF), unless --mark (zmq_owner_migrate() at every handover) or
 * ZMQ_OWNER_ALLOW_MIGRATION=1.
 *
 * usage: mutex_handoff [--mark] [BATCHES]   (default 20 batches of 20 round trips)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "../zmq_owner.h"
#include "echo_router.h"

#define ROUND_TRIPS 20

enum turn { TURN_MAIN, TURN_A, TURN_B };

static void *dealer; /* used by whoever has the turn */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static enum turn turn = TURN_MAIN;
static long batches, batches_done, sent, received;
static int mark_migration;

static void wait_for_turn(enum turn mine)
{
    pthread_mutex_lock(&lock);
    while (turn != mine)
        pthread_cond_wait(&turn_changed, &lock);
    pthread_mutex_unlock(&lock);
}

static void pass_turn(enum turn next)
{
    pthread_mutex_lock(&lock);
    turn = next;
    if (mark_migration && zmq_owner_migrate) /* NULL without the checker */
        zmq_owner_migrate(dealer);
    pthread_cond_broadcast(&turn_changed);
    pthread_mutex_unlock(&lock);
}

static void *take_turns(void *arg)
{
    enum turn mine = (enum turn)(long)arg;
    enum turn other = mine == TURN_A ? TURN_B : TURN_A;
    pthread_setname_np(pthread_self(), mine == TURN_A ? "worker-a" : "worker-b");
    for (;;) {
        wait_for_turn(mine);
        if (batches_done == batches) {
            pass_turn(TURN_MAIN); /* the other worker has finished already */
            return NULL;
        }
        char buffer[16];
        for (int i = 0; i < ROUND_TRIPS; i++) {
            if (zmq_send(dealer, "ping", 4, 0) == 4)
                sent++;
            if (zmq_recv(dealer, buffer, sizeof buffer, 0) >= 0)
                received++;
        }
        int last = ++batches_done == batches;
        pass_turn(other); /* after the last batch, the other worker hands it to main */
        if (last)
            return NULL;
    }
}

int main(int argc, char **argv)
{
    int arg = 1;
    if (arg < argc && strcmp(argv[arg], "--mark") == 0) {
        mark_migration = 1;
        arg++;
    }
    batches = arg < argc ? atol(argv[arg]) : 20;
    if (batches <= 0) {
        fprintf(stderr, "SETUP-ERROR: usage: %s [--mark] [BATCHES]\n", argv[0]);
        return 3;
    }
    void *context = zmq_ctx_new();
    struct echo_router router;
    if (!context || echo_router_start(&router, context) != 0)
        setup_error("echo router");
    dealer = echo_router_connect_dealer(&router);

    pthread_t a, b;
    if (pthread_create(&a, NULL, take_turns, (void *)(long)TURN_A) != 0
        || pthread_create(&b, NULL, take_turns, (void *)(long)TURN_B) != 0)
        setup_error("pthread_create");
    pass_turn(TURN_A);
    wait_for_turn(TURN_MAIN);
    pthread_join(a, NULL);
    pthread_join(b, NULL);

    printf("DONE sent=%ld received=%ld\n", sent, received);
    zmq_close(dealer);
    echo_router_stop(&router);
    zmq_ctx_term(context);
    return received == batches * ROUND_TRIPS ? 0 : 1;
}
