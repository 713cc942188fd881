/* A program that never touches libzmq (not even linked to it), with a few
 * threads: with the checker preloaded, it must behave exactly as without
 * (same output, nothing on stderr, exit 0), even with ZMQ_OWNER_VERBOSE=1.
 */
#include <pthread.h>
#include <stdio.h>

static long counts[4];

static void *count(void *arg)
{
    long *slot = arg;
    for (long i = 0; i < 100000; i++)
        (*slot)++;
    return NULL;
}

int main(void)
{
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        if (pthread_create(&threads[i], NULL, count, &counts[i]) != 0)
            return 1;
    long total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        total += counts[i];
    }
    printf("DONE sent=%ld received=%ld\n", total, total);
    return 0;
}
