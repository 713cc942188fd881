// A worker thread that starts late: by the time it creates its REP socket,
// main has already asked the context to shut down. main then joins the worker.
// Written the way a user reports it (libzmq #3792): no harness conventions, no
// output. Where zmq_socket fails after zmq_ctx_shutdown (libzmq >= 4.3.3) it
// exits 0; on 4.3.2 the worker's zmq_recv never returns and main waits for ever.
#include <pthread.h>
#include <stdio.h>
#include <zmq.h>

static void *ctx;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int stopping;

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    while (!stopping)
        pthread_cond_wait(&cond, &lock);
    pthread_mutex_unlock(&lock);
    void *rep = zmq_socket(ctx, ZMQ_REP);
    if (!rep)
        return NULL;
    zmq_bind(rep, "inproc://jobs");
    char buf[16];
    zmq_recv(rep, buf, sizeof buf, 0);
    zmq_close(rep);
    return NULL;
}

int main(void)
{
    ctx = zmq_ctx_new();
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    zmq_ctx_shutdown(ctx);
    pthread_mutex_lock(&lock);
    stopping = 1;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    zmq_ctx_term(ctx);
    return 0;
}
