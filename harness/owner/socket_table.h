/* The checker's knowledge of each libzmq socket: a fixed-size table keyed by
 * the socket pointer, and who is inside a call on each socket right now.
 *
 * The hot path, a call on a known socket by its owner, is the lookup and the
 * entry and exit below, inline in every wrapper: a probe of an
 * open-addressing table, one compare-and-swap to enter, one store to leave.
 * Only adding or removing a socket takes a mutex (zmq_socket, zmq_close, the
 * first sight of a socket created before the checker saw it), and only the
 * way to a report does anything more (socket_table.c).
 */
#ifndef ZMQ_OWNER_SOCKET_TABLE_H
#define ZMQ_OWNER_SOCKET_TABLE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SOCKET_TYPE_UNKNOWN (-1)

/* 16384 slots of 128 bytes: 2 MiB of address space, of which only the pages
 * of slots in use are ever touched. libzmq allows 1023 sockets per context by
 * default; past 3/4 full a new socket is not checked (and counted). */
#define TABLE_BITS 14
#define TABLE_SIZE (1u << TABLE_BITS)

#define SLOT_EMPTY ((uintptr_t)0)
#define SLOT_TOMBSTONE ((uintptr_t)1)

/* The occupant word of a slot: who is inside a call on the socket.
 *   bits  0..31  kernel tid of the thread inside (0: nobody)
 *   bits 32..43  depth of its calls (libzmq calling its own exported
 *                functions through the PLT re-enters on the same socket)
 *   bits 44..63  entry number, so that the words of two occupancies differ
 *                even when one thread enters twice (the call info below is
 *                tagged with it)
 * Only a thread that sees tid 0 writes the word, with a compare-and-swap;
 * while a thread occupies the slot, it alone writes the word. */
#define OCCUPANT_TID_MASK UINT64_C(0x00000000ffffffff)
#define OCCUPANT_DEPTH_ONE (UINT64_C(1) << 32)
#define OCCUPANT_DEPTH_MASK UINT64_C(0x00000fff00000000)
#define OCCUPANT_ENTRY_ONE (UINT64_C(1) << 44)
#define OCCUPANT_ENTRY_MASK UINT64_C(0xfffff00000000000)

/* Memory orders of the occupancy handover. In the normal build the thread
 * that takes a free socket acquires what the previous occupant released, so
 * the call info it reads for a handoff report is complete. In the TSan build
 * (ZMQ_OWNER_HANDOFF=tsan) they must be relaxed: an acquire/release pair here
 * would be a happens-before edge between any two threads that use the socket
 * one after the other, and would hide from TSan exactly the missing
 * synchronisation the shadow write is there to expose. On x86 both emit the
 * same instructions. */
#ifdef ZMQ_OWNER_TSAN
enum { OCCUPY_ORDER = memory_order_relaxed, RELEASE_ORDER = memory_order_relaxed };
#else
enum { OCCUPY_ORDER = memory_order_acquire, RELEASE_ORDER = memory_order_release };
#endif

/* One call on a socket as seen at its entry: which thread, which libzmq
 * function, and the return address into the code that called it. */
struct call_site {
    pid_t tid;        /* kernel thread id; 0 when not known */
    const char *call; /* "zmq_send"; NULL when not known */
    uintptr_t caller; /* __builtin_return_address(0) of the wrapper; 0 when not known */
};

/* One socket. Every field is atomic because threads that do not occupy the
 * socket read it (to report an overlap) while the occupant writes it. Aligned
 * to a cache line so that two sockets used by two threads never share one. */
struct socket_slot {
    _Atomic uintptr_t key;          /* the socket pointer, or SLOT_EMPTY / SLOT_TOMBSTONE */
    _Atomic int type;               /* ZMQ_DEALER..., or SOCKET_TYPE_UNKNOWN */
    _Atomic bool thread_safe;       /* a thread-safe type: never checked */
    _Atomic uint64_t occupant;      /* see OCCUPANT_* above */
    /* The outermost call of the last occupancy, written by its occupant:
     * info_entry is the occupant word (without depth) it belongs to. */
    _Atomic uint64_t info_entry;
    _Atomic(const char *) info_call;
    _Atomic uintptr_t info_caller;
    _Atomic int migration_marked;   /* zmq_owner_migrate() was called: the next change of owner is legal */
    _Atomic int reported;           /* REPORTED_* bits: one report of each kind per socket */
    _Atomic uint64_t calls;         /* statistics: outermost calls checked */
    _Atomic uint64_t nested_calls;  /* statistics: same-thread re-entries */
    /* Written with a plain store in every call by the ThreadSanitizer build
     * (ZMQ_OWNER_HANDOFF=tsan), so that TSan reports two uses of the socket
     * by two threads with no happens-before edge between them. */
    volatile long tsan_shadow;
} __attribute__((aligned(64)));

/* The table itself, for the inline lookup below; socket_table.c owns it. */
extern struct socket_slot socket_table_slots[TABLE_SIZE];

enum {
    REPORTED_OVERLAP = 1,
    REPORTED_HANDOFF = 2,
};

enum entry_kind {
    ENTRY_FIRST,   /* the thread now occupies the socket */
    ENTRY_NESTED,  /* the thread already occupied it */
    ENTRY_OVERLAP, /* another thread is inside a call on it: the bug */
    ENTRY_EXEMPT,  /* a thread-safe socket type: not checked */
};

static inline pid_t occupant_tid(uint64_t word)
{
    return (pid_t)(word & OCCUPANT_TID_MASK);
}

static inline unsigned home_index(const void *socket)
{
    /* Fibonacci hashing: socket objects are allocated at nearby, aligned
     * addresses; the multiply spreads them over the whole table. */
    return (unsigned)(((uintptr_t)socket * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - TABLE_BITS));
}

/* The slot of a socket, or NULL if the table does not know it. */
static inline struct socket_slot *socket_table_find(const void *socket)
{
    uintptr_t key = (uintptr_t)socket;
    unsigned index = home_index(socket);
    for (unsigned probe = 0; probe < TABLE_SIZE; probe++) {
        struct socket_slot *slot = &socket_table_slots[(index + probe) & (TABLE_SIZE - 1)];
        /* Acquire: pairs with the release that published the slot's fields. */
        uintptr_t found = atomic_load_explicit(&slot->key, memory_order_acquire);
        if (found == key)
            return slot;
        if (found == SLOT_EMPTY)
            return NULL;
    }
    return NULL;
}

/* The call info is a seqlock whose version is the occupant word of the entry
 * it describes (socket_table.c reads it). The occupant stores it with
 * release after taking the slot; the word changed at that compare-and-swap,
 * so a reader that sees the same word before and after reading the fields
 * knows they are that entry's. */
static inline void slot_write_call_info(struct socket_slot *slot, uint64_t entry, const char *call,
                                        uintptr_t caller)
{
    atomic_store_explicit(&slot->info_call, call, memory_order_release);
    atomic_store_explicit(&slot->info_caller, caller, memory_order_release);
    atomic_store_explicit(&slot->info_entry, entry, memory_order_release);
}

/* The outermost call of the slot's last occupancy (or its creation); tid 0
 * if none. Only meaningful to the thread that occupies the slot now, before
 * it writes its own (slot_enter does that). */
static inline void slot_read_last_call(struct socket_slot *slot, struct call_site *last)
{
    uint64_t entry = atomic_load_explicit(&slot->info_entry, memory_order_relaxed);
    last->tid = occupant_tid(entry);
    last->call = atomic_load_explicit(&slot->info_call, memory_order_relaxed);
    last->caller = atomic_load_explicit(&slot->info_caller, memory_order_relaxed);
}

/* The entry of a call by thread tid. With previous not NULL, ENTRY_FIRST
 * also fills it with the outermost call of the previous occupant (for the
 * handoff check). After ENTRY_OVERLAP, slot_read_occupant_call() names the
 * thread inside. */
static inline enum entry_kind slot_enter(struct socket_slot *slot, pid_t tid, const char *call,
                                         uintptr_t caller, struct call_site *previous)
{
    if (atomic_load_explicit(&slot->thread_safe, memory_order_relaxed))
        return ENTRY_EXEMPT;
    uint64_t word = atomic_load_explicit(&slot->occupant, memory_order_relaxed);
    uint64_t claimed;
    do {
        if (occupant_tid(word) == tid) {
            /* Only the occupant writes the word while it is inside. The
             * depth saturates rather than wrap into the entry number. */
            if ((word & OCCUPANT_DEPTH_MASK) != OCCUPANT_DEPTH_MASK)
                atomic_store_explicit(&slot->occupant, word + OCCUPANT_DEPTH_ONE, memory_order_relaxed);
            uint64_t nested = atomic_load_explicit(&slot->nested_calls, memory_order_relaxed);
            atomic_store_explicit(&slot->nested_calls, nested + 1, memory_order_relaxed);
            return ENTRY_NESTED;
        }
        if (occupant_tid(word) != 0)
            return ENTRY_OVERLAP;
        claimed = ((word & OCCUPANT_ENTRY_MASK) + OCCUPANT_ENTRY_ONE) | OCCUPANT_DEPTH_ONE | (uint32_t)tid;
        /* A failed exchange reloads word: look again at who is there. */
    } while (!atomic_compare_exchange_weak_explicit(&slot->occupant, &word, claimed, OCCUPY_ORDER,
                                                    memory_order_relaxed));
    if (previous)
        slot_read_last_call(slot, previous);
    slot_write_call_info(slot, claimed & ~OCCUPANT_DEPTH_MASK, call, caller);
    uint64_t calls = atomic_load_explicit(&slot->calls, memory_order_relaxed);
    atomic_store_explicit(&slot->calls, calls + 1, memory_order_relaxed);
    return ENTRY_FIRST;
}

/* The end of a call by thread tid. A no-op for a call that never occupied
 * the slot (one that overlapped another thread's, with
 * ZMQ_OWNER_ON_OVERLAP=continue): a thread always sees its own last store
 * to the word, so if it does not find itself there it is not inside. */
static inline void slot_leave(struct socket_slot *slot, pid_t tid)
{
    uint64_t word = atomic_load_explicit(&slot->occupant, memory_order_relaxed);
    if (occupant_tid(word) != tid)
        return;
    if ((word & OCCUPANT_DEPTH_MASK) > OCCUPANT_DEPTH_ONE)
        atomic_store_explicit(&slot->occupant, word - OCCUPANT_DEPTH_ONE, memory_order_relaxed);
    else
        atomic_store_explicit(&slot->occupant, word & OCCUPANT_ENTRY_MASK, RELEASE_ORDER);
}

/* After ENTRY_OVERLAP: the call of the thread inside, as far as it can be
 * read (it may be about to write it, or have left). Waits for it at most
 * about 20 ms. Only on the way to a report. */
void slot_read_occupant_call(struct socket_slot *slot, pid_t me, struct call_site *inside);

/* A socket zmq_socket just returned: inserts it, or resets the slot if the
 * pointer was in use before (a socket freed and its memory reused), and
 * records the creation as the socket's first call. NULL if the table is full. */
struct socket_slot *socket_table_add_new(const void *socket, int type, const struct call_site *creation);

/* A socket seen for the first time in a call (created before the checker
 * saw it): inserts it with the type libzmq reported, or returns the slot if
 * another thread inserted it meanwhile. NULL if the table is full. */
struct socket_slot *socket_table_learn(const void *socket, int type);

/* After zmq_close succeeded in thread tid: forgets the socket if tid is the
 * slot's occupant in its outermost call (else only leaves the call). */
void socket_table_forget(struct socket_slot *slot, pid_t tid);

/* Forgets every thread inside a call: for the child of fork(), where only the
 * forking thread exists. */
void socket_table_clear_occupants(void);

/* zmq_owner_migrate(): the next change of the slot's owner thread is legal. */
void slot_mark_migration(struct socket_slot *slot);

/* true (once) if a migration was marked since the last change of owner. */
bool slot_take_migration_mark(struct socket_slot *slot);

/* true if this call is the first of its kind to be reported for the slot. */
bool slot_claim_report(struct socket_slot *slot, int kind);

int slot_type(const struct socket_slot *slot);

struct table_statistics {
    uint64_t sockets;      /* sockets ever added */
    uint64_t calls;        /* outermost calls checked */
    uint64_t nested_calls; /* same-thread re-entries */
    uint64_t untracked;    /* sockets not checked because the table was full */
};
struct table_statistics socket_table_statistics(void);

/* Socket types, by libzmq's numbers (zmq.h). */
const char *socket_type_name(int type);
bool socket_type_is_thread_safe(int type);

#endif
