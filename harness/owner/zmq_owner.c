/* libzmq_owner: a socket-ownership checker preloaded into a program that uses
 * libzmq (README.md). Every libzmq function that takes a socket is wrapped
 * here: the wrapper records the call's entry on the socket (socket_table.c),
 * reports two threads inside calls on one socket at once (an overlap, always
 * a bug) and, optionally, a change of owner thread nobody marked (a
 * handoff), and forwards to the real function (real_libzmq.c).
 *
 * Each wrapper is the same three steps: enter_socket(), the real call,
 * leave_socket(). The return address is taken in the wrapper itself, so a
 * report names the function that called libzmq.
 */
#include "zmq_owner.h"

#include "owner_config.h"
#include "perturb.h"
#include "real_libzmq.h"
#include "report.h"
#include "socket_table.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#ifdef ZMQ_OWNER_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* Draft API (not in zmq.h without ZMQ_BUILD_DRAFT_API); 4.3.3's signature. */
__attribute__((visibility("default"))) int zmq_socket_monitor_versioned(void *socket, const char *endpoint,
                                                                        uint64_t events, int event_version,
                                                                        int type);

/* --- Start-up ---------------------------------------------------------------- */

static struct real_libzmq real;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static _Atomic int initialized;

/* The kernel tid of the calling thread, cached. initial-exec: the library is
 * preloaded, so its TLS is in the static block and reaching it takes no call
 * to __tls_get_addr. */
static __thread pid_t cached_tid __attribute__((tls_model("initial-exec")));

static inline pid_t current_tid(void)
{
    if (cached_tid == 0)
        cached_tid = gettid();
    return cached_tid;
}

/* In the child of fork() only the forking thread exists, with a new tid. */
static void after_fork_in_child(void)
{
    cached_tid = 0;
    socket_table_clear_occupants();
    perturb_after_fork_in_child();
}

/* Runs once, at the first wrapped call: the library does nothing at all in a
 * program that never calls libzmq. */
static void initialize(void)
{
    owner_config_load();
    real_libzmq_resolve(&real);
    bool libzmq_code_found = perturb_set_libzmq(real.module_base);
    report_prepare();
    if (pthread_atfork(NULL, NULL, after_fork_in_child) != 0)
        report_warning("pthread_atfork failed: a forked child may report stale threads", NULL, NULL);
    if (!real.msg_send)
        report_warning("no libzmq found to forward to: every call fails with ENOTSUP", NULL, NULL);
    if (owner_config.verbose && owner_config.perturb) {
        report_perturb_banner(owner_config.perturb_seed,
                              libzmq_code_found && real.module_path[0] ? real.module_path : NULL);
    } else if (owner_config.verbose) {
        int major = 0, minor = 0, patch = 0;
        if (real.version)
            real.version(&major, &minor, &patch);
        report_banner(real.path[0] ? real.path : "(nothing)", major, minor, patch);
    }
    atomic_store_explicit(&initialized, 1, memory_order_release);
}

static inline const struct real_libzmq *libzmq(void)
{
    if (!atomic_load_explicit(&initialized, memory_order_acquire))
        pthread_once(&init_once, initialize);
    return &real;
}

__attribute__((destructor)) static void at_exit(void)
{
    if (atomic_load_explicit(&initialized, memory_order_acquire) && owner_config.verbose) {
        struct table_statistics stats = socket_table_statistics();
        report_statistics(&stats);
    }
}

/* What a wrapper does when this libzmq lacks the function (libzmq's own
 * answer to an unsupported feature). */
static int unsupported(void)
{
    errno = ENOTSUP;
    return -1;
}

/* --- Entering and leaving a call on a socket ------------------------------- */

/* The slot of a socket never seen before (created before the checker saw
 * it), learnt by asking libzmq its type once. NULL: not checked (not a
 * socket, or the table is full). This and the reporting paths are marked
 * cold, which keeps them out of the wrappers' hot path. */
__attribute__((cold, noinline)) static struct socket_slot *learn(const struct real_libzmq *zmq, void *socket)
{
    if (!socket || !zmq->getsockopt)
        return NULL;
    int type;
    size_t length = sizeof type;
    int saved_errno = errno;
    int rc = zmq->getsockopt(socket, ZMQ_TYPE, &type, &length);
    errno = saved_errno; /* the wrapped call sets its own */
    if (rc != 0)
        return NULL; /* not a socket (closed?): the real call will say so */
    return socket_table_learn(socket, type);
}

static inline struct socket_slot *find_or_learn(const struct real_libzmq *zmq, void *socket)
{
    struct socket_slot *slot = socket_table_find(socket);
    return slot ? slot : learn(zmq, socket);
}

/* Set while a fatal overlap is reported: every other thread that then
 * enters a libzmq call on any socket waits there, so that the program's
 * other threads stop touching the damaged socket until the abort. */
static _Atomic int stopping;

__attribute__((cold, noinline)) static void wait_for_the_abort(void)
{
    for (;;)
        pause();
}

__attribute__((cold, noinline)) static void on_overlap(void *socket, struct socket_slot *slot, pid_t tid,
                                                       const char *call, uintptr_t caller)
{
    if (owner_config.on_overlap == OVERLAP_ABORT)
        atomic_store_explicit(&stopping, 1, memory_order_relaxed);
    /* One report per socket: if another thread reported it already (and,
     * with abort, is about to end the process), go on without occupying it. */
    if (!slot_claim_report(slot, REPORTED_OVERLAP))
        return;
    struct call_site inside, mine = { tid, call, caller };
    slot_read_occupant_call(slot, tid, &inside);
    report_overlap(socket, slot_type(slot), &inside, &mine, owner_config.on_overlap == OVERLAP_ABORT);
}

__attribute__((cold, noinline)) static void on_handoff(void *socket, struct socket_slot *slot,
                                                       const struct call_site *previous, pid_t tid,
                                                       const char *call, uintptr_t caller)
{
    struct call_site mine = { tid, call, caller };
    if (slot_take_migration_mark(slot) || owner_config.allow_migration)
        return;
    if (slot_claim_report(slot, REPORTED_HANDOFF))
        report_handoff(socket, slot_type(slot), previous, &mine);
}

/* The plain store ThreadSanitizer watches (ZMQ_OWNER_HANDOFF=tsan): two calls
 * on one socket in two threads with no happens-before edge between them are
 * a data race on the slot's shadow. Not inlined, so that TSan's stacks name it. */
#ifdef ZMQ_OWNER_TSAN
__attribute__((noinline)) static void tsan_socket_used_by_this_thread(struct socket_slot *slot, pid_t tid)
{
    slot->tsan_shadow = tid;
}
#endif

static inline void note_use_for_tsan(struct socket_slot *slot, pid_t tid)
{
#ifdef ZMQ_OWNER_TSAN
    if (owner_config.handoff == HANDOFF_TSAN)
        tsan_socket_used_by_this_thread(slot, tid);
#else
    (void)slot;
    (void)tid;
#endif
}

/* libzmq frees a closed socket later, in its reaper thread, and the
 * allocator may give the same address to a zmq_socket in another thread
 * before the closing thread is back from zmq_close: the new socket's slot
 * is the old one's. The new socket's calls must not race with the old
 * socket's, so the close releases the shadow and the creation acquires it:
 * the edge TSan cannot see through libzmq's reaper and the allocator. */
static inline void note_close_for_tsan(struct socket_slot *slot)
{
#ifdef ZMQ_OWNER_TSAN
    if (slot && owner_config.handoff == HANDOFF_TSAN)
        __tsan_release((void *)&slot->tsan_shadow);
#else
    (void)slot;
#endif
}

static inline void note_creation_for_tsan(struct socket_slot *slot, pid_t tid)
{
#ifdef ZMQ_OWNER_TSAN
    if (owner_config.handoff == HANDOFF_TSAN)
        __tsan_acquire((void *)&slot->tsan_shadow);
#endif
    note_use_for_tsan(slot, tid);
}

/* The entry of a wrapped call on socket: the slot to leave afterwards, or
 * NULL when the socket is not checked. */
static inline struct socket_slot *enter_socket(const struct real_libzmq *zmq, void *socket, const char *call,
                                               void *caller)
{
    if (__builtin_expect(atomic_load_explicit(&stopping, memory_order_relaxed), 0))
        wait_for_the_abort();
    if (__builtin_expect(owner_config.perturb, 0)) {
        perturb_point();
        return NULL; /* the overlaps it makes are libzmq's to fail on, not ours to report */
    }
    struct socket_slot *slot = find_or_learn(zmq, socket);
    if (!slot)
        return NULL;
    pid_t tid = current_tid();
    struct call_site previous;
    bool check_handoff = owner_config.handoff == HANDOFF_REPORT;
    switch (slot_enter(slot, tid, call, (uintptr_t)caller, check_handoff ? &previous : NULL)) {
    case ENTRY_EXEMPT:
        return NULL;
    case ENTRY_OVERLAP:
        on_overlap(socket, slot, tid, call, (uintptr_t)caller);
        break;
    case ENTRY_FIRST:
        if (check_handoff && previous.tid != 0 && previous.tid != tid)
            on_handoff(socket, slot, &previous, tid, call, (uintptr_t)caller);
        break;
    case ENTRY_NESTED:
        break;
    }
    note_use_for_tsan(slot, tid);
    return slot;
}

/* Only atomics: errno, set by the real call, is left alone. */
static inline void leave_socket(struct socket_slot *slot)
{
    if (slot)
        slot_leave(slot, current_tid());
    else if (__builtin_expect(owner_config.perturb, 0))
        perturb_point();
}

/* For the calls that take several sockets: NULL entries are skipped. */
static void enter_sockets(const struct real_libzmq *zmq, void *const *sockets, int count,
                          const char *call, void *caller)
{
    for (int i = 0; i < count; i++)
        if (sockets[i])
            (void)enter_socket(zmq, sockets[i], call, caller);
}

static void leave_sockets(void *const *sockets, int count)
{
    for (int i = 0; i < count; i++)
        if (sockets[i])
            leave_socket(socket_table_find(sockets[i]));
}

/* --- The public API of the checker ------------------------------------------ */

void zmq_owner_migrate(void *socket)
{
    struct socket_slot *slot = find_or_learn(libzmq(), socket);
    if (slot)
        slot_mark_migration(slot);
}

/* --- The wrappers ----------------------------------------------------------- */

void *zmq_socket(void *context, int type)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->socket) {
        errno = ENOTSUP;
        return NULL;
    }
    void *socket = zmq->socket(context, type);
    if (!socket)
        return NULL;
    struct call_site creation = { current_tid(), "zmq_socket", (uintptr_t)__builtin_return_address(0) };
    struct socket_slot *slot = socket_table_add_new(socket, type, &creation);
    if (slot)
        note_creation_for_tsan(slot, creation.tid);
    return socket;
}

int zmq_close(void *socket)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->close)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_close", __builtin_return_address(0));
    note_close_for_tsan(slot);
    int rc = zmq->close(socket);
    if (slot && rc == 0)
        socket_table_forget(slot, current_tid()); /* leaves the call too */
    else
        leave_socket(slot);
    return rc;
}

int zmq_send(void *socket, const void *buffer, size_t length, int flags)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->send)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_send", __builtin_return_address(0));
    int rc = zmq->send(socket, buffer, length, flags);
    leave_socket(slot);
    return rc;
}

int zmq_send_const(void *socket, const void *buffer, size_t length, int flags)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->send_const)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_send_const", __builtin_return_address(0));
    int rc = zmq->send_const(socket, buffer, length, flags);
    leave_socket(slot);
    return rc;
}

int zmq_recv(void *socket, void *buffer, size_t length, int flags)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->recv)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_recv", __builtin_return_address(0));
    int rc = zmq->recv(socket, buffer, length, flags);
    leave_socket(slot);
    return rc;
}

int zmq_msg_send(zmq_msg_t *message, void *socket, int flags)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->msg_send)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_msg_send", __builtin_return_address(0));
    int rc = zmq->msg_send(message, socket, flags);
    leave_socket(slot);
    return rc;
}

int zmq_msg_recv(zmq_msg_t *message, void *socket, int flags)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->msg_recv)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_msg_recv", __builtin_return_address(0));
    int rc = zmq->msg_recv(message, socket, flags);
    leave_socket(slot);
    return rc;
}

int zmq_sendmsg(void *socket, zmq_msg_t *message, int flags)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->sendmsg)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_sendmsg", __builtin_return_address(0));
    int rc = zmq->sendmsg(socket, message, flags);
    leave_socket(slot);
    return rc;
}

int zmq_recvmsg(void *socket, zmq_msg_t *message, int flags)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->recvmsg)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_recvmsg", __builtin_return_address(0));
    int rc = zmq->recvmsg(socket, message, flags);
    leave_socket(slot);
    return rc;
}

int zmq_sendiov(void *socket, struct iovec *iov, size_t count, int flags)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->sendiov)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_sendiov", __builtin_return_address(0));
    int rc = zmq->sendiov(socket, iov, count, flags);
    leave_socket(slot);
    return rc;
}

int zmq_recviov(void *socket, struct iovec *iov, size_t *count, int flags)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->recviov)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_recviov", __builtin_return_address(0));
    int rc = zmq->recviov(socket, iov, count, flags);
    leave_socket(slot);
    return rc;
}

int zmq_setsockopt(void *socket, int option, const void *value, size_t length)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->setsockopt)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_setsockopt", __builtin_return_address(0));
    int rc = zmq->setsockopt(socket, option, value, length);
    leave_socket(slot);
    return rc;
}

int zmq_getsockopt(void *socket, int option, void *value, size_t *length)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->getsockopt)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_getsockopt", __builtin_return_address(0));
    int rc = zmq->getsockopt(socket, option, value, length);
    leave_socket(slot);
    return rc;
}

int zmq_bind(void *socket, const char *endpoint)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->bind)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_bind", __builtin_return_address(0));
    int rc = zmq->bind(socket, endpoint);
    leave_socket(slot);
    return rc;
}

int zmq_connect(void *socket, const char *endpoint)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->connect)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_connect", __builtin_return_address(0));
    int rc = zmq->connect(socket, endpoint);
    leave_socket(slot);
    return rc;
}

int zmq_unbind(void *socket, const char *endpoint)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->unbind)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_unbind", __builtin_return_address(0));
    int rc = zmq->unbind(socket, endpoint);
    leave_socket(slot);
    return rc;
}

int zmq_disconnect(void *socket, const char *endpoint)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->disconnect)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_disconnect", __builtin_return_address(0));
    int rc = zmq->disconnect(socket, endpoint);
    leave_socket(slot);
    return rc;
}

int zmq_socket_monitor(void *socket, const char *endpoint, int events)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->socket_monitor)
        return unsupported();
    struct socket_slot *slot = enter_socket(zmq, socket, "zmq_socket_monitor", __builtin_return_address(0));
    int rc = zmq->socket_monitor(socket, endpoint, events);
    leave_socket(slot);
    return rc;
}

int zmq_socket_monitor_versioned(void *socket, const char *endpoint, uint64_t events, int event_version,
                                 int type)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->socket_monitor_versioned)
        return unsupported();
    struct socket_slot *slot =
        enter_socket(zmq, socket, "zmq_socket_monitor_versioned", __builtin_return_address(0));
    /* 4.3.2's version takes no type: the extra register argument is ignored. */
    int rc = zmq->socket_monitor_versioned(socket, endpoint, events, event_version, type);
    leave_socket(slot);
    return rc;
}

int zmq_poll(zmq_pollitem_t *items, int count, long timeout)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->poll)
        return unsupported();
    void *caller = __builtin_return_address(0);
    /* Items with a NULL socket are plain file descriptors. libzmq's own
     * zmq_poll calls zmq_getsockopt on each socket: a nested call. */
    for (int i = 0; items && i < count; i++)
        if (items[i].socket)
            (void)enter_socket(zmq, items[i].socket, "zmq_poll", caller);
    int rc = zmq->poll(items, count, timeout);
    for (int i = 0; items && i < count; i++)
        if (items[i].socket)
            leave_socket(socket_table_find(items[i].socket));
    return rc;
}

int zmq_proxy(void *frontend, void *backend, void *capture)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->proxy)
        return unsupported();
    void *sockets[] = { frontend, backend, capture };
    enter_sockets(zmq, sockets, 3, "zmq_proxy", __builtin_return_address(0));
    int rc = zmq->proxy(frontend, backend, capture);
    leave_sockets(sockets, 3);
    return rc;
}

int zmq_proxy_steerable(void *frontend, void *backend, void *capture, void *control)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->proxy_steerable)
        return unsupported();
    void *sockets[] = { frontend, backend, capture, control };
    enter_sockets(zmq, sockets, 4, "zmq_proxy_steerable", __builtin_return_address(0));
    int rc = zmq->proxy_steerable(frontend, backend, capture, control);
    leave_sockets(sockets, 4);
    return rc;
}

int zmq_device(int type, void *frontend, void *backend)
{
    const struct real_libzmq *zmq = libzmq();
    if (!zmq->device)
        return unsupported();
    void *sockets[] = { frontend, backend };
    enter_sockets(zmq, sockets, 2, "zmq_device", __builtin_return_address(0));
    int rc = zmq->device(type, frontend, backend);
    leave_sockets(sockets, 2);
    return rc;
}
