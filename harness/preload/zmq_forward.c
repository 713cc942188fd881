/* libzr_loaded.so, part three: plain forwarders for the libzmq functions
 * that the probe does not follow but that a checker preloaded before it
 * (libzmq_owner.so, harness/owner/real_libzmq.c) looks up with RTLD_NEXT.
 * Such a checker finds the probe's zmq_msg_send there and takes RTLD_NEXT
 * for all of libzmq; when libzmq was dlopen'ed into a local scope (pyzmq's
 * extension), the functions the probe did not define would then be missing
 * (its zmq_recv would fail). Each forwards to the next definition,
 * unchanged (under TSan with the caller's frame: probe_tsan_enter). The
 * draft API's functions are left out: a stock libzmq has none. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "probe_log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <zmq.h>

int zmq_recv(void *sock, void *buf, size_t len, int flags)
{
    static _Atomic(void *) cache;
    int (*real)(void *, void *, size_t, int) = (int (*)(void *, void *, size_t, int))next_of(&cache, "zmq_recv");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(sock, buf, len, flags);
    probe_tsan_exit();
    return rc;
}

int zmq_msg_recv(zmq_msg_t *msg, void *sock, int flags)
{
    static _Atomic(void *) cache;
    int (*real)(zmq_msg_t *, void *, int) = (int (*)(zmq_msg_t *, void *, int))next_of(&cache, "zmq_msg_recv");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(msg, sock, flags);
    probe_tsan_exit();
    return rc;
}

int zmq_recvmsg(void *sock, zmq_msg_t *msg, int flags)
{
    static _Atomic(void *) cache;
    int (*real)(void *, zmq_msg_t *, int) = (int (*)(void *, zmq_msg_t *, int))next_of(&cache, "zmq_recvmsg");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(sock, msg, flags);
    probe_tsan_exit();
    return rc;
}

int zmq_recviov(void *sock, struct iovec *iov, size_t *count, int flags)
{
    static _Atomic(void *) cache;
    int (*real)(void *, struct iovec *, size_t *, int) =
        (int (*)(void *, struct iovec *, size_t *, int))next_of(&cache, "zmq_recviov");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(sock, iov, count, flags);
    probe_tsan_exit();
    return rc;
}

int zmq_getsockopt(void *sock, int option, void *value, size_t *size)
{
    static _Atomic(void *) cache;
    int (*real)(void *, int, void *, size_t *) = (int (*)(void *, int, void *, size_t *))next_of(&cache,
                                                                                                 "zmq_getsockopt");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(sock, option, value, size);
    probe_tsan_exit();
    return rc;
}

int zmq_unbind(void *sock, const char *endpoint)
{
    static _Atomic(void *) cache;
    int (*real)(void *, const char *) = (int (*)(void *, const char *))next_of(&cache, "zmq_unbind");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(sock, endpoint);
    probe_tsan_exit();
    return rc;
}

int zmq_disconnect(void *sock, const char *endpoint)
{
    static _Atomic(void *) cache;
    int (*real)(void *, const char *) = (int (*)(void *, const char *))next_of(&cache, "zmq_disconnect");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(sock, endpoint);
    probe_tsan_exit();
    return rc;
}

int zmq_socket_monitor(void *sock, const char *endpoint, int events)
{
    static _Atomic(void *) cache;
    int (*real)(void *, const char *, int) = (int (*)(void *, const char *, int))next_of(&cache, "zmq_socket_monitor");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(sock, endpoint, events);
    probe_tsan_exit();
    return rc;
}

int zmq_poll(zmq_pollitem_t *items, int nitems, long timeout)
{
    static _Atomic(void *) cache;
    int (*real)(zmq_pollitem_t *, int, long) = (int (*)(zmq_pollitem_t *, int, long))next_of(&cache, "zmq_poll");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(items, nitems, timeout);
    probe_tsan_exit();
    return rc;
}

int zmq_proxy(void *frontend, void *backend, void *capture)
{
    static _Atomic(void *) cache;
    int (*real)(void *, void *, void *) = (int (*)(void *, void *, void *))next_of(&cache, "zmq_proxy");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(frontend, backend, capture);
    probe_tsan_exit();
    return rc;
}

int zmq_proxy_steerable(void *frontend, void *backend, void *capture, void *control)
{
    static _Atomic(void *) cache;
    int (*real)(void *, void *, void *, void *) =
        (int (*)(void *, void *, void *, void *))next_of(&cache, "zmq_proxy_steerable");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(frontend, backend, capture, control);
    probe_tsan_exit();
    return rc;
}

int zmq_device(int type, void *frontend, void *backend)
{
    static _Atomic(void *) cache;
    int (*real)(int, void *, void *) = (int (*)(int, void *, void *))next_of(&cache, "zmq_device");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(__builtin_return_address(0));
    int rc = real(type, frontend, backend);
    probe_tsan_exit();
    return rc;
}

void zmq_version(int *major, int *minor, int *patch)
{
    static _Atomic(void *) cache;
    void (*real)(int *, int *, int *) = (void (*)(int *, int *, int *))next_of(&cache, "zmq_version");
    if (real) {
        probe_tsan_enter(__builtin_return_address(0));
        real(major, minor, patch);
        probe_tsan_exit();
        return;
    }
    *major = *minor = *patch = -1;
}
