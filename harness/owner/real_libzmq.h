/* The real libzmq functions the wrappers forward to, found at the first call. */
#ifndef ZMQ_OWNER_REAL_LIBZMQ_H
#define ZMQ_OWNER_REAL_LIBZMQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <zmq.h>

/* Every pointer may be NULL: a function this libzmq does not export (an
 * older version, or a draft function in a build without drafts). */
struct real_libzmq {
    void *(*socket)(void *context, int type);
    int (*close)(void *socket);
    int (*send)(void *socket, const void *buffer, size_t length, int flags);
    int (*send_const)(void *socket, const void *buffer, size_t length, int flags);
    int (*recv)(void *socket, void *buffer, size_t length, int flags);
    int (*msg_send)(zmq_msg_t *message, void *socket, int flags);
    int (*msg_recv)(zmq_msg_t *message, void *socket, int flags);
    int (*sendmsg)(void *socket, zmq_msg_t *message, int flags);
    int (*recvmsg)(void *socket, zmq_msg_t *message, int flags);
    int (*sendiov)(void *socket, struct iovec *iov, size_t count, int flags);
    int (*recviov)(void *socket, struct iovec *iov, size_t *count, int flags);
    int (*setsockopt)(void *socket, int option, const void *value, size_t length);
    int (*getsockopt)(void *socket, int option, void *value, size_t *length);
    int (*bind)(void *socket, const char *endpoint);
    int (*connect)(void *socket, const char *endpoint);
    int (*unbind)(void *socket, const char *endpoint);
    int (*disconnect)(void *socket, const char *endpoint);
    int (*socket_monitor)(void *socket, const char *endpoint, int events);
    /* Draft; 4.3.2 has four parameters, 4.3.3 and later five (type). */
    int (*socket_monitor_versioned)(void *socket, const char *endpoint, uint64_t events,
                                    int event_version, int type);
    int (*poll)(zmq_pollitem_t *items, int count, long timeout);
    int (*proxy)(void *frontend, void *backend, void *capture);
    int (*proxy_steerable)(void *frontend, void *backend, void *capture, void *control);
    int (*device)(int type, void *frontend, void *backend);
    void (*version)(int *major, int *minor, int *patch);
    char path[512]; /* the module the functions come from */
    /* The load address of libzmq itself, behind any other wrapper the
     * functions above may be (the runner's libzr_loaded.so): the module that
     * defines zmq_msg_init, which no wrapper defines. NULL if not found. */
    void *module_base;
    char module_path[512];
};

/* Finds the functions: dlsym(RTLD_NEXT), or, when libzmq was loaded in a
 * local scope that RTLD_NEXT does not search (a Python extension module
 * loaded with RTLD_LOCAL, as pyzmq is), the loaded object that exports them.
 * Called once, by the first wrapped call. */
void real_libzmq_resolve(struct real_libzmq *real);

#endif
