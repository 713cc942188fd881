/* libzr_loaded.so, part two: the open sockets of the process, on a stock
 * libzmq. When ZR_SOCKETS_LOG names a file, every zmq_socket, zmq_close,
 * ZMQ_LINGER, connect, bind, send and context termination appends one line
 * to it (probe_log.h), so that the runner can tell, while zmq_ctx_term
 * hangs, which sockets it waits for, who made them and where:
 *
 *   SOCKET pid=.. sock=0x.. ctx=0x.. type=DEALER tid=.. thread=.. module=.. offset=0x.. [py_file=.. py_line=..]
 *   LINGER sock=.. value=..      CONNECT|BIND sock=.. endpoint=..
 *   SENT sock=.. n=.. (the first message, then at powers of two, and at term)
 *   CLOSE sock=.. n=..           TERM ctx=.. call=zmq_ctx_term tid=.. thread=..
 *   TERM_DONE ctx=.. rc=..       SHUTDOWN ctx=..       BLOCKY ctx=.. value=..
 *
 * Every call is forwarded unchanged to the next definition (libzmq, or a
 * checker preloaded after this one), errno included. The only state is a
 * fixed table of message counts per socket: a lock-free lookup and one
 * relaxed load and store per send; a socket the full table cannot take is still logged,
 * marked tracked=0 (its count is then unknown), never dropped. No lock of
 * libc or pthreads is taken, nothing is allocated: the table's spin lock is
 * made of C11 atomics, invisible to ThreadSanitizer, so a preloaded probe
 * never orders two threads' calls and hides a race. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "probe_log.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* --- The next definition of each function --------------------------------- */

#define MAX_OBJECTS 512

struct loaded_objects {
    const char *names[MAX_OBJECTS];
    int count;
};

static int collect_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct loaded_objects *objects = data;
    if (objects->count < MAX_OBJECTS)
        objects->names[objects->count++] = info->dlpi_name;
    return 0;
}

/* The definition of name in the object at path itself (dlsym on a handle
 * also searches the object's dependencies), or NULL. */
static void *own_definition(const char *path, const char *name)
{
    void *handle = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);
    if (!handle)
        return NULL;
    void *f = dlsym(handle, name);
    Dl_info where;
    if (!f || !dladdr(f, &where) || !where.dli_fname || strcmp(where.dli_fname, path))
        f = NULL;
    dlclose(handle); /* NOLOAD: the object stays as loaded as it was */
    return f;
}

/* RTLD_NEXT, and when libzmq was dlopen'ed into a local scope (pyzmq's
 * extension), which RTLD_NEXT does not see: the first object loaded after
 * this one that defines name itself. dlopen only once dl_iterate_phdr has
 * returned (it holds the loader's lock while it calls back). */
static void *find_next(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (f)
        return f;
    Dl_info self;
    if (!dladdr((void *)find_next, &self) || !self.dli_fname)
        return NULL;
    struct loaded_objects objects = { .count = 0 };
    dl_iterate_phdr(collect_object, &objects);
    int after_us = 0;
    for (int i = 0; i < objects.count && !f; i++) {
        const char *path = objects.names[i];
        if (!path || !path[0])
            continue;
        if (after_us)
            f = own_definition(path, name);
        else
            after_us = !strcmp(path, self.dli_fname);
    }
    return f;
}

void *next_of_lookup(_Atomic(void *) *cache, const char *name)
{
    void *f = find_next(name);
    atomic_store_explicit(cache, f, memory_order_relaxed);
    return f;
}

/* --- The table of message counts ------------------------------------------ */

#define SLOTS 8192 /* a power of two */
#define MAX_PROBES 128
#define SLOT_EMPTY ((uintptr_t)0)
#define SLOT_GONE ((uintptr_t)1)

struct slot {
    _Atomic uintptr_t sock;
    _Atomic uintptr_t ctx;
    _Atomic unsigned long sent;
};

static struct slot table[SLOTS];
static atomic_flag table_lock = ATOMIC_FLAG_INIT;

static void lock_table(void)
{
    while (atomic_flag_test_and_set_explicit(&table_lock, memory_order_acquire))
        sched_yield();
}

static void unlock_table(void)
{
    atomic_flag_clear_explicit(&table_lock, memory_order_release);
}

/* A fork in another thread while the lock is held would leave it held in the child. */
__attribute__((constructor)) static void guard_fork(void)
{
    pthread_atfork(lock_table, unlock_table, unlock_table);
}

static size_t home_of(uintptr_t sock)
{
    return (size_t)(((uint64_t)sock >> 4) * UINT64_C(0x9E3779B97F4A7C15) >> 40) & (SLOTS - 1);
}

static struct slot *find_slot(uintptr_t sock)
{
    size_t i = home_of(sock);
    for (int probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) & (SLOTS - 1)) {
        uintptr_t k = atomic_load_explicit(&table[i].sock, memory_order_acquire);
        if (k == sock)
            return &table[i];
        if (k == SLOT_EMPTY)
            return NULL;
    }
    return NULL;
}

static int add_slot(uintptr_t sock, uintptr_t ctx)
{
    lock_table();
    struct slot *free_slot = NULL;
    size_t i = home_of(sock);
    for (int probe = 0; probe < MAX_PROBES; probe++, i = (i + 1) & (SLOTS - 1)) {
        uintptr_t k = atomic_load_explicit(&table[i].sock, memory_order_relaxed);
        if (k == sock) { /* its close was not seen: the slot is reused */
            free_slot = &table[i];
            break;
        }
        if (k == SLOT_EMPTY) {
            free_slot = free_slot ? free_slot : &table[i];
            break;
        }
        if (k == SLOT_GONE && !free_slot)
            free_slot = &table[i];
    }
    if (free_slot) {
        atomic_store_explicit(&free_slot->ctx, ctx, memory_order_relaxed);
        atomic_store_explicit(&free_slot->sent, 0, memory_order_relaxed);
        atomic_store_explicit(&free_slot->sock, sock, memory_order_release);
    }
    unlock_table();
    return free_slot != NULL;
}

/* Removes the socket; its count, or -1 when it was not in the table. */
static long remove_slot(uintptr_t sock)
{
    lock_table();
    struct slot *s = find_slot(sock);
    long sent = -1;
    if (s) {
        sent = (long)atomic_load_explicit(&s->sent, memory_order_relaxed);
        atomic_store_explicit(&s->sock, SLOT_GONE, memory_order_release);
    }
    unlock_table();
    return sent;
}

/* --- Lines ----------------------------------------------------------------- */

static const char *type_name(int type)
{
    static const char *const names[] = { "PAIR",   "PUB",  "SUB",    "REQ",    "REP",   "DEALER", "ROUTER",
                                         "PULL",   "PUSH", "XPUB",   "XSUB",   "STREAM", "SERVER", "CLIENT",
                                         "RADIO",  "DISH", "GATHER", "SCATTER", "DGRAM", "PEER",   "CHANNEL" };
    return type >= 0 && type < (int)(sizeof names / sizeof *names) ? names[type] : "UNKNOWN";
}

/* module=PATH offset=0x..: what addr2line -e PATH takes (an address in the
 * file: less the load base for a shared object or PIE, as is for ET_EXEC),
 * and symbol=name+0x.. when the dynamic symbols name it. */
static void add_c_site(struct probe_line *l, uintptr_t return_address)
{
    uintptr_t call = return_address - 1; /* the call instruction, not the one after */
    Dl_info info;
    if (!dladdr((void *)call, &info) || !info.dli_fbase) {
        probe_line_add(l, "caller", "0x%lx", (unsigned long)call);
        return;
    }
    const ElfW(Ehdr) *ehdr = info.dli_fbase;
    uintptr_t offset = ehdr->e_type == ET_EXEC ? call : call - (uintptr_t)info.dli_fbase;
    char resolved[PATH_MAX];
    const char *module = info.dli_fname;
    /* The main program can be named as it was started ("./client"). */
    if (module && module[0] != '/' && realpath(module, resolved))
        module = resolved;
    probe_line_add_escaped(l, "module", module);
    probe_line_add(l, "offset", "0x%lx", (unsigned long)offset);
    if (info.dli_sname && info.dli_saddr) {
        char symbol[600];
        snprintf(symbol, sizeof symbol, "%s+0x%lx", info.dli_sname, (unsigned long)(call - (uintptr_t)info.dli_saddr));
        probe_line_add_escaped(l, "symbol", symbol);
    }
}

static void log_socket(void *sock, void *ctx, int type, int tracked, uintptr_t return_address)
{
    struct probe_line l;
    probe_line_start(&l, "SOCKET");
    probe_line_add(&l, "sock", "%p", sock);
    probe_line_add(&l, "ctx", "%p", ctx);
    probe_line_add(&l, "type", "%s", type_name(type));
    probe_line_add_thread(&l);
    add_c_site(&l, return_address);
    struct python_site py;
    if (probe_python_site(&py)) {
        probe_line_add_escaped(&l, "py_file", py.file);
        probe_line_add(&l, "py_line", "%d", py.line);
        probe_line_add_escaped(&l, "py_func", py.func);
        if (py.thread[0])
            probe_line_add_escaped(&l, "py_thread", py.thread);
        if (py.gil >= 0)
            probe_line_add(&l, "py_gil", "%d", py.gil);
    }
    if (!tracked)
        probe_line_add(&l, "tracked", "0");
    probe_line_write(&l);
}

static void log_count(void *sock, unsigned long n)
{
    struct probe_line l;
    probe_line_start(&l, "SENT");
    probe_line_add(&l, "sock", "%p", sock);
    probe_line_add(&l, "n", "%lu", n);
    probe_line_write(&l);
}

static void log_endpoint(const char *event, void *sock, const char *endpoint)
{
    struct probe_line l;
    probe_line_start(&l, event);
    probe_line_add(&l, "sock", "%p", sock);
    probe_line_add_escaped(&l, "endpoint", endpoint);
    probe_line_write(&l);
}

static void log_context(const char *event, void *ctx, const char *call, int with_thread)
{
    struct probe_line l;
    probe_line_start(&l, event);
    probe_line_add(&l, "ctx", "%p", ctx);
    probe_line_add(&l, "call", "%s", call);
    if (with_thread)
        probe_line_add_thread(&l);
    probe_line_write(&l);
}

/* Set while a thread is inside a send or a term wrapper: libzmq's own
 * zmq_sendmsg calls zmq_msg_send, and its zmq_ctx_destroy and zmq_term call
 * zmq_ctx_term, through the dynamic linker, hence through us again. Only
 * the outermost call counts. Initial-exec: the library is preloaded, and
 * its TLS is then a plain offset (no __tls_get_addr on every send). */
static _Thread_local int in_send __attribute__((tls_model("initial-exec")));
static _Thread_local int in_term __attribute__((tls_model("initial-exec")));

/* One message more on sock (a part sent without ZMQ_SNDMORE ends one). */
static void count_send(void *sock, int rc, int flags)
{
    if (rc < 0 || (flags & ZMQ_SNDMORE) || !probe_log_enabled())
        return;
    struct slot *s = find_slot((uintptr_t)sock);
    if (!s)
        return;
    /* A load and a store, not a locked add: only the socket's owner sends on
     * it (a program that shares one loses a count at worst, not a line). */
    unsigned long n = atomic_load_explicit(&s->sent, memory_order_relaxed) + 1;
    atomic_store_explicit(&s->sent, n, memory_order_relaxed);
    if ((n & (n - 1)) == 0) {
        int saved = errno;
        log_count(sock, n);
        errno = saved;
    }
}

/* At term: the last count of every socket of ctx that is still open. */
static void log_counts_of(void *ctx)
{
    for (size_t i = 0; i < SLOTS; i++) {
        uintptr_t sock = atomic_load_explicit(&table[i].sock, memory_order_acquire);
        if (sock <= SLOT_GONE || atomic_load_explicit(&table[i].ctx, memory_order_relaxed) != (uintptr_t)ctx)
            continue;
        log_count((void *)sock, atomic_load_explicit(&table[i].sent, memory_order_relaxed));
    }
}

/* --- The wrappers ---------------------------------------------------------- */

void *zmq_socket(void *ctx, int type)
{
    static _Atomic(void *) cache;
    void *caller = __builtin_return_address(0);
    void *(*real)(void *, int) = (void *(*)(void *, int))next_of(&cache, "zmq_socket");
    if (!real) {
        errno = ENOSYS;
        return NULL;
    }
    probe_tsan_enter(caller);
    void *sock = real(ctx, type);
    probe_tsan_exit();
    if (!sock || !probe_log_enabled())
        return sock;
    int saved = errno;
    int tracked = add_slot((uintptr_t)sock, (uintptr_t)ctx);
    log_socket(sock, ctx, type, tracked, (uintptr_t)caller);
    errno = saved;
    return sock;
}

int zmq_close(void *sock)
{
    static _Atomic(void *) cache;
    void *caller = __builtin_return_address(0);
    int (*real)(void *) = (int (*)(void *))next_of(&cache, "zmq_close");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    if (!probe_log_enabled()) {
        probe_tsan_enter(caller);
        int forwarded = real(sock);
        probe_tsan_exit();
        return forwarded;
    }
    /* Written before the socket is closed: once it is, libzmq may give its
     * address to a new socket, whose SOCKET line must come after this one. */
    long sent = remove_slot((uintptr_t)sock);
    struct probe_line l;
    probe_line_start(&l, "CLOSE");
    probe_line_add(&l, "sock", "%p", sock);
    if (sent >= 0)
        probe_line_add(&l, "n", "%ld", sent);
    probe_line_add_thread(&l);
    int gil = probe_python_gil(); /* late in the program: after its imports */
    if (gil >= 0)
        probe_line_add(&l, "py_gil", "%d", gil);
    probe_line_write(&l);
    probe_tsan_enter(caller);
    int rc = real(sock);
    probe_tsan_exit();
    if (rc != 0) {
        int saved = errno;
        probe_line_start(&l, "CLOSE_FAILED");
        probe_line_add(&l, "sock", "%p", sock);
        probe_line_add(&l, "errno", "%d", saved);
        probe_line_write(&l);
        errno = saved;
    }
    return rc;
}

int zmq_setsockopt(void *sock, int option, const void *value, size_t size)
{
    static _Atomic(void *) cache;
    void *caller = __builtin_return_address(0);
    int (*real)(void *, int, const void *, size_t) = (int (*)(void *, int, const void *, size_t))
        next_of(&cache, "zmq_setsockopt");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(caller);
    int rc = real(sock, option, value, size);
    probe_tsan_exit();
    if (rc == 0 && option == ZMQ_LINGER && size == sizeof(int) && value && probe_log_enabled()) {
        int saved = errno;
        struct probe_line l;
        probe_line_start(&l, "LINGER");
        probe_line_add(&l, "sock", "%p", sock);
        probe_line_add(&l, "value", "%d", *(const int *)value);
        probe_line_write(&l);
        errno = saved;
    }
    return rc;
}

int zmq_connect(void *sock, const char *endpoint)
{
    static _Atomic(void *) cache;
    void *caller = __builtin_return_address(0);
    int (*real)(void *, const char *) = (int (*)(void *, const char *))next_of(&cache, "zmq_connect");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(caller);
    int rc = real(sock, endpoint);
    probe_tsan_exit();
    if (rc == 0 && probe_log_enabled()) {
        int saved = errno;
        log_endpoint("CONNECT", sock, endpoint);
        errno = saved;
    }
    return rc;
}

int zmq_bind(void *sock, const char *endpoint)
{
    static _Atomic(void *) cache;
    void *caller = __builtin_return_address(0);
    int (*real)(void *, const char *) = (int (*)(void *, const char *))next_of(&cache, "zmq_bind");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(caller);
    int rc = real(sock, endpoint);
    probe_tsan_exit();
    if (rc == 0 && probe_log_enabled()) {
        int saved = errno;
        log_endpoint("BIND", sock, endpoint);
        errno = saved;
    }
    return rc;
}

/* zmq_send and zmq_send_const: the same signature and the same count. The
 * caller is the wrapper's own return address (TSan's frame, the site). */
static int send_bytes(_Atomic(void *) *cache, const char *name, void *caller, void *sock, const void *buf,
                      size_t len, int flags)
{
    int (*real)(void *, const void *, size_t, int) = (int (*)(void *, const void *, size_t, int))next_of(cache, name);
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    if (in_send) {
        probe_tsan_enter(caller);
        int forwarded = real(sock, buf, len, flags);
        probe_tsan_exit();
        return forwarded;
    }
    in_send = 1;
    probe_tsan_enter(caller);
    int rc = real(sock, buf, len, flags);
    probe_tsan_exit();
    in_send = 0;
    count_send(sock, rc, flags);
    return rc;
}

int zmq_send(void *sock, const void *buf, size_t len, int flags)
{
    static _Atomic(void *) cache;
    return send_bytes(&cache, "zmq_send", __builtin_return_address(0), sock, buf, len, flags);
}

int zmq_send_const(void *sock, const void *buf, size_t len, int flags)
{
    static _Atomic(void *) cache;
    return send_bytes(&cache, "zmq_send_const", __builtin_return_address(0), sock, buf, len, flags);
}

int zmq_sendiov(void *sock, struct iovec *iov, size_t count, int flags)
{
    static _Atomic(void *) cache;
    void *caller = __builtin_return_address(0);
    int (*real)(void *, struct iovec *, size_t, int) =
        (int (*)(void *, struct iovec *, size_t, int))next_of(&cache, "zmq_sendiov");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    if (in_send) {
        probe_tsan_enter(caller);
        int forwarded = real(sock, iov, count, flags);
        probe_tsan_exit();
        return forwarded;
    }
    in_send = 1;
    probe_tsan_enter(caller);
    int rc = real(sock, iov, count, flags);
    probe_tsan_exit();
    in_send = 0;
    count_send(sock, rc, flags);
    return rc;
}

/* zmq_msg_send and the older zmq_sendmsg: one message, the arguments in
 * either order (sock_first for zmq_sendmsg), the same count. */
static int send_message(_Atomic(void *) *cache, const char *name, void *caller, zmq_msg_t *msg, void *sock, int flags,
                        bool sock_first)
{
    void *f = next_of(cache, name);
    if (!f) {
        errno = ENOSYS;
        return -1;
    }
    int (*msg_first)(zmq_msg_t *, void *, int) = (int (*)(zmq_msg_t *, void *, int))f;
    int (*socket_first)(void *, zmq_msg_t *, int) = (int (*)(void *, zmq_msg_t *, int))f;
    bool counted = !in_send;
    in_send = 1;
    probe_tsan_enter(caller);
    int rc = sock_first ? socket_first(sock, msg, flags) : msg_first(msg, sock, flags);
    probe_tsan_exit();
    if (counted) {
        in_send = 0;
        count_send(sock, rc, flags);
    }
    return rc;
}

int zmq_msg_send(zmq_msg_t *msg, void *sock, int flags)
{
    static _Atomic(void *) cache;
    return send_message(&cache, "zmq_msg_send", __builtin_return_address(0), msg, sock, flags, false);
}

int zmq_sendmsg(void *sock, zmq_msg_t *msg, int flags)
{
    static _Atomic(void *) cache;
    return send_message(&cache, "zmq_sendmsg", __builtin_return_address(0), msg, sock, flags, true);
}

/* zmq_ctx_term, zmq_ctx_destroy and zmq_term: the line before the call (it
 * may never return), the counts of the context's open sockets, and a line
 * when it returns. */
static int logged_term(int (*real)(void *), void *ctx, const char *call, void *caller)
{
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    if (!probe_log_enabled() || in_term) {
        probe_tsan_enter(caller);
        int forwarded = real(ctx);
        probe_tsan_exit();
        return forwarded;
    }
    log_context("TERM", ctx, call, 1);
    log_counts_of(ctx);
    in_term = 1;
    probe_tsan_enter(caller);
    int rc = real(ctx);
    probe_tsan_exit();
    int saved = errno;
    in_term = 0;
    struct probe_line l;
    probe_line_start(&l, "TERM_DONE");
    probe_line_add(&l, "ctx", "%p", ctx);
    probe_line_add(&l, "rc", "%d", rc);
    if (rc != 0)
        probe_line_add(&l, "errno", "%d", saved);
    probe_line_write(&l);
    errno = saved;
    return rc;
}

int zmq_ctx_term(void *ctx)
{
    static _Atomic(void *) cache;
    void *caller = __builtin_return_address(0);
    int (*real)(void *) = (int (*)(void *))next_of(&cache, "zmq_ctx_term");
    return logged_term(real, ctx, "zmq_ctx_term", caller);
}

int zmq_ctx_destroy(void *ctx)
{
    static _Atomic(void *) cache;
    void *caller = __builtin_return_address(0);
    int (*real)(void *) = (int (*)(void *))next_of(&cache, "zmq_ctx_destroy");
    return logged_term(real, ctx, "zmq_ctx_destroy", caller);
}

int zmq_term(void *ctx)
{
    static _Atomic(void *) cache;
    void *caller = __builtin_return_address(0);
    int (*real)(void *) = (int (*)(void *))next_of(&cache, "zmq_term");
    return logged_term(real, ctx, "zmq_term", caller);
}

int zmq_ctx_shutdown(void *ctx)
{
    static _Atomic(void *) cache;
    void *caller = __builtin_return_address(0);
    int (*real)(void *) = (int (*)(void *))next_of(&cache, "zmq_ctx_shutdown");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(caller);
    int rc = real(ctx);
    probe_tsan_exit();
    if (rc == 0 && probe_log_enabled()) {
        int saved = errno;
        log_context("SHUTDOWN", ctx, "zmq_ctx_shutdown", 1);
        errno = saved;
    }
    return rc;
}

/* ZMQ_BLOCKY 0 makes the context's new sockets LINGER 0 (zmq_ctx_set(3)). */
int zmq_ctx_set(void *ctx, int option, int value)
{
    static _Atomic(void *) cache;
    void *caller = __builtin_return_address(0);
    int (*real)(void *, int, int) = (int (*)(void *, int, int))next_of(&cache, "zmq_ctx_set");
    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    probe_tsan_enter(caller);
    int rc = real(ctx, option, value);
    probe_tsan_exit();
    if (rc == 0 && option == ZMQ_BLOCKY && probe_log_enabled()) {
        int saved = errno;
        struct probe_line l;
        probe_line_start(&l, "BLOCKY");
        probe_line_add(&l, "ctx", "%p", ctx);
        probe_line_add(&l, "value", "%d", value);
        probe_line_write(&l);
        errno = saved;
    }
    return rc;
}
