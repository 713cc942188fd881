/* A structured parser of ThreadSanitizer reports.
 *
 * A TSan report is a headline ("WARNING: ThreadSanitizer: data race (pid=N)")
 * followed by titled stacks: the stacks that ARE the bug (the two racing
 * accesses of a race, the use and the free of a use-after-free, the mutex
 * acquisitions of a lock-order inversion, the leaked thread's creation) and
 * stacks that only give context (where the memory was allocated, where each
 * thread and mutex was created). A signature taken from "the first libzmq
 * frame anywhere in the report" mistakes a thread leak, a lock-order
 * inversion or a race in user code on a libzmq-created thread for a libzmq
 * race, because libzmq frames are in their context stacks. This module tells
 * the two apart, so that the signature comes from the accesses.
 *
 * Also parsed: the deadly-signal reports of the runtime ("==N==ERROR:
 * ThreadSanitizer: SEGV on unknown address ..." up to "==N==ABORTING"), whose
 * one stack is the crash.
 *
 * C11 and libc only. Every string is allocated; nothing is truncated. */
#ifndef ZR_TSAN_REPORT_H
#define ZR_TSAN_REPORT_H

#include <stdbool.h>
#include <stddef.h>

/* One frame of a TSan stack: "#3 s_sendmsg /path/src/zmq.cpp:381 (libzmq.so.5+0xb46da)". */
struct zr_frame {
    char *func;   /* "zmq::mailbox_t::recv" without the argument list, the return type of a
                     template or the clone suffix ("operator new", "std::function<void ()>::operator()"
                     kept whole); "<null>" when TSan had no symbol */
    char *file;   /* the path as printed, or NULL */
    int line;     /* 0 when unknown */
    char *module; /* "libzmq.so.5", "broken_send_recv_threads", "libtsan.so.2",
                     "socket.cpython-311-x86_64-linux-gnu.so", ... or NULL */
    enum zr_frame_origin {
        ZR_FRAME_USER,
        ZR_FRAME_LIBZMQ,
        ZR_FRAME_RUNTIME, /* libtsan, libc, libstdc++, libgcc_s, ld.so (and a static runtime: libsanitizer/ or compiler-rt/ sources) */
        ZR_FRAME_PYTHON,  /* the interpreter and libpython */
        ZR_FRAME_BINDING  /* pyzmq's extension modules (cppzmq is header-only, so user) */
    } origin;
};

/* What a stack is, from its title. */
enum zr_stack_role {
    ZR_STACK_ACCESS,   /* "Read of size 1 at .. by thread T4:", "Previous write ..", "and:", an untitled
                          stack right under the headline (signal-unsafe call, SEGV, ...) */
    ZR_STACK_ACQUIRE,  /* "Mutex M16 acquired here while holding mutex M15 in thread T1:" */
    ZR_STACK_HELD,     /* "Mutex M15 previously acquired by the same thread here:" */
    ZR_STACK_THREAD,   /* "Thread T2 'ZMQbg/IO/0' (tid=.., running) created by main thread at:" */
    ZR_STACK_LOCATION, /* "Location is heap block of size 176 at .. allocated by main thread:" */
    ZR_STACK_MUTEX,    /* "Mutex M10 (0x..) created at:" */
    ZR_STACK_SLEEP,    /* "As if synchronized via sleep:" */
    ZR_STACK_OTHER     /* any other title */
};

struct zr_stack {
    char *title;       /* the line above the frames without its indentation, e.g. "Write of size 8 at
                          0x7b.. by thread T2:"; NULL for an untitled stack */
    enum zr_stack_role role;
    char *thread;      /* whose stack: "T2", "T0" for the main thread; for a ZR_STACK_THREAD stack the
                          thread created; NULL when the title names none */
    char *thread_name; /* "ZMQbg/IO/0" when TSan knows the thread's name (pthread_setname_np), else NULL;
                          filled in for accesses too, from the thread's creation stack */
    char *created_by;  /* ZR_STACK_THREAD only: the creating thread ("T0"), else NULL */
    bool unrestored;   /* "[failed to restore the stack]": TSan lost it; nframes is 0 */
    int nframes;
    struct zr_frame *frames;
};

struct zr_tsan_report {
    char *kind;         /* normalised, no spaces: "data-race", "heap-use-after-free", "thread-leak",
                           "lock-order-inversion", "signal-unsafe-call", "destroy-of-locked-mutex",
                           "unlock-of-unlocked-mutex", "double-lock", "signal-handler-spoils-errno",
                           "data-race-on-vptr", "segv" ... */
    char *headline;     /* the WARNING (or ERROR) line as printed, without "(pid=N)" or "==N==" */
    long pid;           /* from "(pid=N)" or "==N==", -1 when not printed */
    int naccesses;      /* the stacks that ARE the bug (see zr_stack_role) */
    struct zr_stack *accesses;
    int nother;         /* every other stack */
    struct zr_stack *other;
    int nnotes;         /* the report's lines that are neither a stack title nor a frame: "Location is
                           global 'x' of size 4 at ..", "Cycle in lock order graph: ..", "And 2 more
                           similar thread leaks.", "==N==The signal is caused by a READ memory access.",
                           or lines of other output interleaved with the report */
    char **notes;
    char *summary;      /* the SUMMARY line without "SUMMARY: ThreadSanitizer: ", or NULL */
    bool truncated;     /* the text ended (or another report began) before the report's end */
    size_t start, end;  /* the report's span in the text: from its opening ===== line (or the
                           DEADLYSIGNAL / headline line) up to and including its closing line
                           (=====, ==N==ABORTING, or SUMMARY when nothing closes it) and that
                           line's newline: zr_tsan_parse(text, r.end, ..) finds the next report */
};

/* Parses the first complete or truncated report at or after text+offset.
 * Returns 1 and fills r when a report was found, 0 when none, -1 on out of
 * memory (r is then left empty). r needs zr_tsan_report_free after a 1. */
int zr_tsan_parse(const char *text, size_t offset, struct zr_tsan_report *r);
void zr_tsan_report_free(struct zr_tsan_report *r);

/* The first frame of a stack that is not the sanitizer runtime or libc
 * (interceptors such as memcpy, pthread_mutex_lock are skipped), or NULL. */
const struct zr_frame *zr_stack_top(const struct zr_stack *s);
/* The first frame of the given origin in a stack, or NULL (e.g. the user's
 * own frame that led into libzmq). */
const struct zr_frame *zr_stack_first(const struct zr_stack *s, enum zr_frame_origin origin);
/* The outermost libzmq API entry point (a function named zmq_* in libzmq)
 * of a stack, or NULL: "zmq_msg_send". */
const struct zr_frame *zr_stack_api_call(const struct zr_stack *s);
/* The stack that created thread ("T2"), among the report's stacks, or NULL
 * (always NULL for the main thread, "T0"). */
const struct zr_stack *zr_tsan_thread_creation(const struct zr_tsan_report *r, const char *thread);

/* The signature: kind, then the top frame of each access, " | " between
 * them: "data-race zmq::mailbox_t::recv mailbox.cpp:72 | zmq::mailbox_t::recv
 * mailbox.cpp:77". Only the basename of the file is kept; a frame with no
 * file shows its module in parentheses; an access with no top frame is "?".
 * zr_tsan_signature writes into buf (always terminated, cut at len);
 * zr_tsan_signature_dup allocates it whole (NULL on out of memory). */
void zr_tsan_signature(const struct zr_tsan_report *r, char *buf, size_t len);
char *zr_tsan_signature_dup(const struct zr_tsan_report *r);

/* True when the report matches an expectation text "KIND" or "KIND:FRAME".
 * KIND is compared with the normalised kind ("data race" and "data-race" are
 * the same); "*" accepts any kind. FRAME is a prefix of the top frame's
 * function of at least one access; "KIND" alone accepts any access. FRAME
 * "@libzmq" (or "@user", "@runtime", "@python", "@binding") instead asks
 * that the top frame of at least one access has that origin: a race in
 * libzmq's inlined STL code ("std::_Rb_tree<zmq::own_t*..>::erase") or in a
 * plain C function of zmq.cpp ("zmq_recv") is a libzmq race that no function
 * prefix "zmq::" names. An expectation that starts with a frame
 * ("zmq::mailbox_t", the form of the older "TSAN:zmq::") is read as "*:FRAME". */
bool zr_tsan_matches(const struct zr_tsan_report *r, const char *expectation);

/* True when KIND (n chars) names a kind of report TSan prints ("data race",
 * "heap-use-after-free", "*"...), normalised as zr_tsan_matches does. */
bool zr_tsan_kind_known(const char *kind, size_t n);

/* True when no access has a user frame (user, python or binding origin) and
 * every access thread was created inside libzmq: a race in libzmq's own
 * threads (a libzmq bug or a missing suppression), not the user's. False
 * when an access stack could not be restored: then nobody knows. */
bool zr_tsan_libzmq_internal(const struct zr_tsan_report *r);

/* The origin of a frame from its module and file (exposed for the tests). */
enum zr_frame_origin zr_frame_origin_of(const char *module, const char *file);

#endif
