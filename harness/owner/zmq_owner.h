/* libzmq_owner: the public API of the socket-ownership checker.
 *
 * The checker is a library preloaded into a program (LD_PRELOAD=libzmq_owner.so,
 * see README.md); a program needs nothing of it to be checked. This header is
 * for a program that hands a socket from one thread to another on purpose and
 * wants ZMQ_OWNER_HANDOFF=report to accept the handover.
 *
 * zmq_owner_migrate() is declared weak, so a program can call it whether or
 * not the checker is loaded, and need not link against it:
 *
 *     #include "zmq_owner.h"
 *
 *     pthread_mutex_lock(&lock);
 *     owner = THREAD_B;                   // the handover, under the mutex
 *     if (zmq_owner_migrate)              // NULL without the checker
 *         zmq_owner_migrate(socket);
 *     pthread_cond_signal(&turn);
 *     pthread_mutex_unlock(&lock);
 *
 * Without this header, declare it yourself the same way:
 *
 *     extern void zmq_owner_migrate(void *socket) __attribute__((weak));
 *
 * (From Python: ctypes.CDLL(None) has the attribute zmq_owner_migrate only
 * when the checker is preloaded; pass ctypes.c_void_p(sock.underlying).)
 */
#ifndef ZMQ_OWNER_H
#define ZMQ_OWNER_H

#ifdef __cplusplus
extern "C" {
#endif

/* Declares that socket is being handed to another thread through a full
 * memory barrier (a mutex, a condition variable, a thread start or join), as
 * zmq(7) requires: the next change of the thread that uses socket is not
 * reported as a SOCKET_HANDOFF. Call it from either thread, before the new
 * owner's first call. Does nothing for a thread-safe socket type, and nothing
 * unless ZMQ_OWNER_HANDOFF=report. */
#ifdef ZMQ_OWNER_BUILDING_LIBRARY
__attribute__((visibility("default"))) void zmq_owner_migrate(void *socket);
#else
void zmq_owner_migrate(void *socket) __attribute__((weak));
#endif

#ifdef __cplusplus
}
#endif

#endif
