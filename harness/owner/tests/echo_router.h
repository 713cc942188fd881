/* An echo ROUTER for the owner test programs: a thread that creates, binds,
 * serves and closes its own socket, so that no socket of it ever crosses a
 * thread (the checker must have nothing to say about it). */
#ifndef OWNER_TEST_ECHO_ROUTER_H
#define OWNER_TEST_ECHO_ROUTER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct echo_router {
    void *context;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t bound;
    int state;                /* 0 starting, 1 bound, -1 failed (under lock) */
    atomic_bool stop;
    char endpoint[256];       /* where it listens, once bound */
};

/* Starts the echo thread on context, bound to an inproc endpoint of its own;
 * returns once it listens (0) or failed (-1, with a message on stderr). */
int echo_router_start(struct echo_router *router, void *context);

/* Stops the thread (it closes its socket) and joins it. */
void echo_router_stop(struct echo_router *router);

/* A DEALER on context connected to the router, LINGER 0 (exits on failure). */
void *echo_router_connect_dealer(struct echo_router *router);

/* For test programs: the message on stderr and exit status 3 (cases/README.md). */
void setup_error(const char *what);

#endif
