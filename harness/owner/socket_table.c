/* The socket table: open addressing with linear probing over a fixed array,
 * keyed by the socket pointer. The hot path is inline in socket_table.h;
 * here are the table's changes (under a mutex), the reading of another
 * thread's call for a report, and the socket types. */
#include "socket_table.h"

#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <time.h>

#define TABLE_LIMIT (TABLE_SIZE / 4 * 3)

struct socket_slot socket_table_slots[TABLE_SIZE];
static pthread_mutex_t table_mutex = PTHREAD_MUTEX_INITIALIZER; /* adds and removals */
static unsigned live_slots;                                        /* under table_mutex */
static _Atomic uint64_t sockets_added, retired_calls, retired_nested, untracked_sockets;

/* Under table_mutex: the slot of socket, or where to insert it (the first
 * tombstone on its probe sequence, else the empty slot that ends it). */
static struct socket_slot *probe_locked(const void *socket, bool *found)
{
    uintptr_t key = (uintptr_t)socket;
    unsigned index = home_index(socket);
    struct socket_slot *free_slot = NULL;
    *found = false;
    for (unsigned probe = 0; probe < TABLE_SIZE; probe++) {
        struct socket_slot *slot = &socket_table_slots[(index + probe) & (TABLE_SIZE - 1)];
        uintptr_t current = atomic_load_explicit(&slot->key, memory_order_relaxed);
        if (current == key) {
            *found = true;
            return slot;
        }
        if (current == SLOT_TOMBSTONE && !free_slot)
            free_slot = slot;
        if (current == SLOT_EMPTY)
            return free_slot ? free_slot : slot;
    }
    return free_slot;
}

/* Under table_mutex: adds the counters of a slot's previous socket to the totals. */
static void retire_counters_locked(struct socket_slot *slot)
{
    atomic_fetch_add_explicit(&retired_calls, atomic_load_explicit(&slot->calls, memory_order_relaxed),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&retired_nested,
                              atomic_load_explicit(&slot->nested_calls, memory_order_relaxed),
                              memory_order_relaxed);
}

/* Under table_mutex: a fresh state for a new socket in slot. The entry
 * number keeps counting across sockets, so that a stale word never matches.
 * creation, if not NULL, becomes the last call on the socket. */
static void reset_locked(struct socket_slot *slot, int type, const struct call_site *creation)
{
    uint64_t word = atomic_load_explicit(&slot->occupant, memory_order_relaxed);
    uint64_t free_word = (word & OCCUPANT_ENTRY_MASK) + OCCUPANT_ENTRY_ONE;
    atomic_store_explicit(&slot->type, type, memory_order_relaxed);
    atomic_store_explicit(&slot->thread_safe, socket_type_is_thread_safe(type), memory_order_relaxed);
    atomic_store_explicit(&slot->occupant, free_word, memory_order_relaxed);
    if (creation)
        slot_write_call_info(slot, free_word | (uint32_t)creation->tid, creation->call, creation->caller);
    else
        slot_write_call_info(slot, free_word, NULL, 0);
    atomic_store_explicit(&slot->migration_marked, 0, memory_order_relaxed);
    atomic_store_explicit(&slot->reported, 0, memory_order_relaxed);
    atomic_store_explicit(&slot->calls, 0, memory_order_relaxed);
    atomic_store_explicit(&slot->nested_calls, 0, memory_order_relaxed);
}

static struct socket_slot *insert_locked(const void *socket, int type, const struct call_site *creation,
                                         bool reset_existing)
{
    bool found;
    struct socket_slot *slot = probe_locked(socket, &found);
    if (found) {
        if (reset_existing) {
            retire_counters_locked(slot);
            reset_locked(slot, type, creation);
            atomic_fetch_add_explicit(&sockets_added, 1, memory_order_relaxed);
        }
        return slot;
    }
    if (!slot || live_slots >= TABLE_LIMIT) {
        atomic_fetch_add_explicit(&untracked_sockets, 1, memory_order_relaxed);
        return NULL;
    }
    reset_locked(slot, type, creation);
    /* Release: a thread that finds the key sees the fields written above. */
    atomic_store_explicit(&slot->key, (uintptr_t)socket, memory_order_release);
    live_slots++;
    atomic_fetch_add_explicit(&sockets_added, 1, memory_order_relaxed);
    return slot;
}

struct socket_slot *socket_table_add_new(const void *socket, int type, const struct call_site *creation)
{
    if ((uintptr_t)socket <= SLOT_TOMBSTONE)
        return NULL;
    pthread_mutex_lock(&table_mutex);
    struct socket_slot *slot = insert_locked(socket, type, creation, true);
    pthread_mutex_unlock(&table_mutex);
    return slot;
}

struct socket_slot *socket_table_learn(const void *socket, int type)
{
    if ((uintptr_t)socket <= SLOT_TOMBSTONE)
        return NULL;
    pthread_mutex_lock(&table_mutex);
    struct socket_slot *slot = insert_locked(socket, type, NULL, false);
    pthread_mutex_unlock(&table_mutex);
    return slot;
}

void socket_table_forget(struct socket_slot *slot, pid_t tid)
{
    pthread_mutex_lock(&table_mutex);
    uint64_t word = atomic_load_explicit(&slot->occupant, memory_order_relaxed);
    /* Only the thread that closed the socket in its outermost call removes
     * it. If zmq_socket already reused the address (the slot was reset, its
     * occupant is no longer tid), the slot belongs to the new socket. The
     * mutex also orders this close before the next zmq_socket, which for
     * ThreadSanitizer makes a slot's reuse by another thread no race. */
    if (occupant_tid(word) == tid && (word & OCCUPANT_DEPTH_MASK) == OCCUPANT_DEPTH_ONE) {
        retire_counters_locked(slot);
        atomic_store_explicit(&slot->occupant, word & OCCUPANT_ENTRY_MASK, RELEASE_ORDER);
        atomic_store_explicit(&slot->key, SLOT_TOMBSTONE, memory_order_release);
        live_slots--;
    } else {
        slot_leave(slot, tid);
    }
    pthread_mutex_unlock(&table_mutex);
}

void socket_table_clear_occupants(void)
{
    if (atomic_load_explicit(&sockets_added, memory_order_relaxed) == 0)
        return;
    for (unsigned i = 0; i < TABLE_SIZE; i++) {
        struct socket_slot *slot = &socket_table_slots[i];
        uint64_t word = atomic_load_explicit(&slot->occupant, memory_order_relaxed);
        atomic_store_explicit(&slot->occupant, word & OCCUPANT_ENTRY_MASK, memory_order_relaxed);
    }
}

/* One attempt at the call info of the entry word belongs to: the fields are
 * that entry's if info_entry names it before they are read and the occupant
 * word still names it after (see slot_write_call_info). The acquire loads
 * keep the second load of the occupant after the fields; if a field came
 * from a later occupant, its compare-and-swap on the occupant word happened
 * before, and the second load sees it. (No fences: GCC does not support
 * atomic_thread_fence under -fsanitize=thread.) */
static bool read_call_info_of(struct socket_slot *slot, uint64_t word, struct call_site *out)
{
    uint64_t entry = word & ~OCCUPANT_DEPTH_MASK;
    if (atomic_load_explicit(&slot->info_entry, memory_order_acquire) != entry)
        return false;
    const char *call = atomic_load_explicit(&slot->info_call, memory_order_acquire);
    uintptr_t caller = atomic_load_explicit(&slot->info_caller, memory_order_acquire);
    uint64_t after = atomic_load_explicit(&slot->occupant, memory_order_acquire);
    if ((after & OCCUPANT_ENTRY_MASK) != (word & OCCUPANT_ENTRY_MASK))
        return false;
    out->tid = occupant_tid(word);
    out->call = call;
    out->caller = caller;
    return true;
}

void slot_read_occupant_call(struct socket_slot *slot, pid_t me, struct call_site *inside)
{
    inside->tid = 0;
    inside->call = NULL;
    inside->caller = 0;
    for (int attempt = 0; attempt < 500; attempt++) {
        uint64_t word = atomic_load_explicit(&slot->occupant, memory_order_acquire);
        /* If the thread left already, its call is the last one recorded. */
        if (occupant_tid(word) == 0 || occupant_tid(word) == me)
            word = atomic_load_explicit(&slot->info_entry, memory_order_acquire);
        if (occupant_tid(word) == 0 || occupant_tid(word) == me)
            continue;
        inside->tid = occupant_tid(word);
        if (read_call_info_of(slot, word, inside))
            return;
        /* The occupant has not written its call yet (preempted right after
         * taking the slot): give it time. */
        if (attempt < 100) {
            sched_yield();
        } else {
            struct timespec pause = { 0, 40 * 1000 };
            nanosleep(&pause, NULL);
        }
    }
}

void slot_mark_migration(struct socket_slot *slot)
{
    atomic_store_explicit(&slot->migration_marked, 1, memory_order_relaxed);
}

bool slot_take_migration_mark(struct socket_slot *slot)
{
    return atomic_exchange_explicit(&slot->migration_marked, 0, memory_order_relaxed) != 0;
}

bool slot_claim_report(struct socket_slot *slot, int kind)
{
    return (atomic_fetch_or_explicit(&slot->reported, kind, memory_order_relaxed) & kind) == 0;
}

int slot_type(const struct socket_slot *slot)
{
    return atomic_load_explicit(&slot->type, memory_order_relaxed);
}

struct table_statistics socket_table_statistics(void)
{
    struct table_statistics stats = { 0, 0, 0, 0 };
    pthread_mutex_lock(&table_mutex);
    stats.sockets = atomic_load_explicit(&sockets_added, memory_order_relaxed);
    stats.calls = atomic_load_explicit(&retired_calls, memory_order_relaxed);
    stats.nested_calls = atomic_load_explicit(&retired_nested, memory_order_relaxed);
    stats.untracked = atomic_load_explicit(&untracked_sockets, memory_order_relaxed);
    if (stats.sockets > 0) {
        for (unsigned i = 0; i < TABLE_SIZE; i++) {
            struct socket_slot *slot = &socket_table_slots[i];
            if (atomic_load_explicit(&slot->key, memory_order_relaxed) <= SLOT_TOMBSTONE)
                continue;
            stats.calls += atomic_load_explicit(&slot->calls, memory_order_relaxed);
            stats.nested_calls += atomic_load_explicit(&slot->nested_calls, memory_order_relaxed);
        }
    }
    pthread_mutex_unlock(&table_mutex);
    return stats;
}

/* libzmq's numbers (zmq.h; 12 and up are draft types). */
static const char *const type_names[] = {
    "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB", "STREAM",
    "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "DGRAM", "PEER", "CHANNEL",
};

const char *socket_type_name(int type)
{
    if (type >= 0 && (size_t)type < sizeof type_names / sizeof type_names[0])
        return type_names[type];
    return "UNKNOWN";
}

bool socket_type_is_thread_safe(int type)
{
    /* The draft types built on the thread-safe socket base. ZMQ_DGRAM (18)
     * is a draft type too, but not thread safe. */
    switch (type) {
    case 12: /* ZMQ_SERVER */
    case 13: /* ZMQ_CLIENT */
    case 14: /* ZMQ_RADIO */
    case 15: /* ZMQ_DISH */
    case 16: /* ZMQ_GATHER */
    case 17: /* ZMQ_SCATTER */
    case 19: /* ZMQ_PEER */
    case 20: /* ZMQ_CHANNEL */
        return true;
    default:
        return false;
    }
}
