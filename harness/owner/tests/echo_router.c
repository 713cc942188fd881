/* The echo ROUTER of the owner test programs. See echo_router.h. */
#include "echo_router.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define MAX_PARTS 8

void setup_error(const char *what)
{
    fprintf(stderr, "SETUP-ERROR: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(3);
}

static void set_state(struct echo_router *router, int state)
{
    pthread_mutex_lock(&router->lock);
    router->state = state;
    pthread_cond_signal(&router->bound);
    pthread_mutex_unlock(&router->lock);
}

/* Echoes every message that is ready; returns -1 on an error other than EAGAIN. */
static int echo_ready_messages(void *socket)
{
    for (;;) {
        zmq_msg_t parts[MAX_PARTS];
        int count = 0, more = 1;
        while (more && count < MAX_PARTS) {
            zmq_msg_init(&parts[count]);
            if (zmq_msg_recv(&parts[count], socket, count == 0 ? ZMQ_DONTWAIT : 0) == -1) {
                int err = zmq_errno();
                for (int i = 0; i <= count; i++)
                    zmq_msg_close(&parts[i]);
                return err == EAGAIN && count == 0 ? 0 : -1;
            }
            more = zmq_msg_more(&parts[count]);
            count++;
        }
        for (int i = 0; i < count; i++) {
            if (zmq_msg_send(&parts[i], socket, i + 1 < count ? ZMQ_SNDMORE : 0) == -1) {
                for (int j = i; j < count; j++)
                    zmq_msg_close(&parts[j]);
                break; /* the peer is gone: drop the reply */
            }
        }
    }
}

static void *serve(void *arg)
{
    struct echo_router *router = arg;
    static atomic_int next_id;
    void *socket = zmq_socket(router->context, ZMQ_ROUTER);
    int zero = 0;
    snprintf(router->endpoint, sizeof router->endpoint, "inproc://owner-echo-%d", atomic_fetch_add(&next_id, 1));
    if (!socket || zmq_setsockopt(socket, ZMQ_LINGER, &zero, sizeof zero) != 0
        || zmq_setsockopt(socket, ZMQ_SNDHWM, &zero, sizeof zero) != 0
        || zmq_setsockopt(socket, ZMQ_RCVHWM, &zero, sizeof zero) != 0
        || zmq_bind(socket, router->endpoint) != 0) {
        fprintf(stderr, "echo_router: cannot bind %s: %s\n", router->endpoint, zmq_strerror(zmq_errno()));
        if (socket)
            zmq_close(socket);
        set_state(router, -1);
        return NULL;
    }
    set_state(router, 1);
    zmq_pollitem_t item = { socket, 0, ZMQ_POLLIN, 0 };
    while (!atomic_load(&router->stop)) {
        if (zmq_poll(&item, 1, 20) == -1 && zmq_errno() != EINTR)
            break;
        if ((item.revents & ZMQ_POLLIN) && echo_ready_messages(socket) == -1 && zmq_errno() != EINTR
            && zmq_errno() != ETERM)
            fprintf(stderr, "echo_router: %s\n", zmq_strerror(zmq_errno()));
    }
    zmq_close(socket);
    return NULL;
}

int echo_router_start(struct echo_router *router, void *context)
{
    memset(router, 0, sizeof *router);
    router->context = context;
    atomic_init(&router->stop, false);
    if (pthread_mutex_init(&router->lock, NULL) != 0 || pthread_cond_init(&router->bound, NULL) != 0)
        return -1;
    if (pthread_create(&router->thread, NULL, serve, router) != 0) {
        fprintf(stderr, "echo_router: pthread_create failed\n");
        return -1;
    }
    pthread_mutex_lock(&router->lock);
    while (router->state == 0)
        pthread_cond_wait(&router->bound, &router->lock);
    int state = router->state;
    pthread_mutex_unlock(&router->lock);
    if (state < 0) {
        pthread_join(router->thread, NULL);
        return -1;
    }
    return 0;
}

void echo_router_stop(struct echo_router *router)
{
    atomic_store(&router->stop, true);
    pthread_join(router->thread, NULL);
    pthread_mutex_destroy(&router->lock);
    pthread_cond_destroy(&router->bound);
}

void *echo_router_connect_dealer(struct echo_router *router)
{
    void *dealer = zmq_socket(router->context, ZMQ_DEALER);
    int zero = 0;
    if (!dealer)
        setup_error("zmq_socket");
    if (zmq_setsockopt(dealer, ZMQ_LINGER, &zero, sizeof zero) != 0)
        setup_error("zmq_setsockopt");
    if (zmq_connect(dealer, router->endpoint) != 0)
        setup_error("zmq_connect");
    return dealer;
}
