/* A test program, not a case: a thread named worker-1 makes a PULL socket,
 * binds it to ENDPOINT and then waits for ever without closing it, while the
 * main thread calls zmq_ctx_term, which waits for that socket's close (the
 * owner never closes it: a hang). With "clean", the worker closes its socket
 * and ends before the main thread terminates the context (a correct program).
 * Prints TERMINATING before zmq_ctx_term and DONE after it.
 *
 * usage: term_hang_other_thread ENDPOINT hang|clean
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

struct worker {
    void *ctx;
    const char *endpoint;
    int clean;
    int ready;
    pthread_mutex_t lock;
    pthread_cond_t changed;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    pthread_setname_np(pthread_self(), "worker-1");
    void *pull = zmq_socket(w->ctx, ZMQ_PULL);
    if (!pull || zmq_bind(pull, w->endpoint) != 0)
        fprintf(stderr, "SETUP-ERROR: %s\n", zmq_strerror(zmq_errno()));
    if (w->clean)
        zmq_close(pull);
    pthread_mutex_lock(&w->lock);
    w->ready = 1;
    pthread_cond_signal(&w->changed);
    pthread_mutex_unlock(&w->lock);
    while (!w->clean)
        pause(); /* owns its socket for ever */
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[2], "hang") && strcmp(argv[2], "clean"))) {
        fprintf(stderr, "SETUP-ERROR: usage: %s ENDPOINT hang|clean\n", argv[0]);
        return 3;
    }
    struct worker w = { zmq_ctx_new(), argv[1], !strcmp(argv[2], "clean"), 0, PTHREAD_MUTEX_INITIALIZER,
                        PTHREAD_COND_INITIALIZER };
    pthread_t thread;
    pthread_create(&thread, NULL, worker_main, &w);
    pthread_mutex_lock(&w.lock);
    while (!w.ready)
        pthread_cond_wait(&w.changed, &w.lock);
    pthread_mutex_unlock(&w.lock);
    if (w.clean)
        pthread_join(thread, NULL);
    printf("TERMINATING\n");
    fflush(stdout);
    zmq_ctx_term(w.ctx);
    printf("DONE\n");
    return 0;
}
