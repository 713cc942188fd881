/* A listener thread owns a SUB socket and waits for the main thread's word
 * to stop; the main thread calls zmq_ctx_term first, meaning to say the
 * word afterwards. zmq_ctx_term waits for every socket to be closed, the
 * thread waits for the word: neither moves. libzmq #2586's answer ("you
 * have to close all open sockets prior to terminating the context") and
 * pyzmq #991 ("term blocks: there are still open sockets somewhere").
 *
 * @server none
 * @upstream libzmq#2586 pyzmq#991
 * @expect tsan HANG:zmq_ctx_term
 * @expect stress HANG:zmq_ctx_term
 * @expect perturb HANG:zmq_ctx_term
 * @expect owner HANG:zmq_ctx_term
 * @says still open in thread
 */
#include <pthread.h>
#include <stdbool.h>
#include <zmq.h>

static void *ctx;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool started, stop;

static void *listener(void *arg)
{
    (void)arg;
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_connect(sub, "inproc://updates");
    pthread_mutex_lock(&lock);
    started = true;
    pthread_cond_broadcast(&changed);
    while (!stop)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    zmq_close(sub);
    return NULL;
}

int main(void)
{
    ctx = zmq_ctx_new();
    pthread_t t;
    pthread_create(&t, NULL, listener, NULL);
    pthread_mutex_lock(&lock);
    while (!started)
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    zmq_ctx_term(ctx); /* waits for the listener's socket */
    pthread_mutex_lock(&lock);
    stop = true;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);
    return 0;
}
