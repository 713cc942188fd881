/* BROKEN on purpose: a thread runs zmq_proxy between a ROUTER and a DEALER
 * (the proxy owns both sockets for as long as it runs) while another thread
 * sends on the proxy's DEALER. The checker must report SHARED_SOCKET DEALER
 * zmq_proxy (run_proxy) | zmq_send (meddler).
 *
 * usage: proxy_shared
 * Prints GO right before the meddling thread starts.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <zmq.h>

#include "echo_router.h"

static void *frontend, *backend; /* owned by the proxy while it runs */

static void *run_proxy(void *arg)
{
    (void)arg;
    zmq_proxy(frontend, backend, NULL);
    return NULL;
}

static void *meddler(void *arg)
{
    (void)arg;
    for (int i = 0; i < 1000; i++)
        zmq_send(backend, "ping", 4, ZMQ_DONTWAIT); /* BROKEN: the proxy's socket */
    return NULL;
}

int main(void)
{
    void *context = zmq_ctx_new();
    struct echo_router router;
    if (!context || echo_router_start(&router, context) != 0)
        setup_error("echo router");
    frontend = zmq_socket(context, ZMQ_ROUTER);
    backend = echo_router_connect_dealer(&router);
    int zero = 0;
    if (!frontend || zmq_setsockopt(frontend, ZMQ_LINGER, &zero, sizeof zero) != 0
        || zmq_bind(frontend, "inproc://owner-proxy-front") != 0)
        setup_error("zmq_bind");

    pthread_t proxy_thread, meddling_thread;
    if (pthread_create(&proxy_thread, NULL, run_proxy, NULL) != 0)
        setup_error("pthread_create");
    struct timespec settle = { 0, 100 * 1000 * 1000 }; /* the proxy is running by then */
    nanosleep(&settle, NULL);
    printf("GO\n");
    fflush(stdout);
    if (pthread_create(&meddling_thread, NULL, meddler, NULL) != 0)
        setup_error("pthread_create");
    pthread_join(meddling_thread, NULL);

    zmq_ctx_shutdown(context); /* ends the proxy (ETERM) */
    pthread_join(proxy_thread, NULL);
    zmq_close(frontend);
    zmq_close(backend);
    echo_router_stop(&router);
    zmq_ctx_term(context);
    printf("DONE sent=0 received=0\n");
    return 0;
}
