/* Lines of the socket log (ZR_SOCKETS_LOG), written by socket_log.c and
 * python_site.c of libzr_loaded.so: built on the stack, written with one
 * raw write(2) each, so that lines of several threads or processes never mix
 * and ThreadSanitizer sees no synchronisation of ours (a libc write() would
 * be a release on TSan's shared file clock, which a read() of any file in
 * another thread acquires: it could hide the very races a case shows). */
#ifndef ZR_PROBE_LOG_H
#define ZR_PROBE_LOG_H

#include <stdatomic.h>
#include <stddef.h>

struct probe_line {
    char text[3072];
    size_t len;
    int truncated;
};

/* Starts a line with its event word and the pid. */
void probe_line_start(struct probe_line *l, const char *event);

/* Appends " key=value" with the value formatted. */
void probe_line_add(struct probe_line *l, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Appends " key=value" with a value from the program (a path, an endpoint,
 * a thread name): every byte outside '!'..'~', and '%', is written %XX, so
 * that a blank, a newline or a '%' in it can neither split nor forge a line. */
void probe_line_add_escaped(struct probe_line *l, const char *key, const char *value);

/* " tid=.. thread=..": the calling thread, its kernel id and name. */
void probe_line_add_thread(struct probe_line *l);

/* Ends the line and appends it to ZR_SOCKETS_LOG (nothing when unset). */
void probe_line_write(struct probe_line *l);

/* True when ZR_SOCKETS_LOG is set: the probe records sockets. Inline, as
 * the two below: they are on every forwarded call. */
extern int probe_logging;
static inline int probe_log_enabled(void)
{
    return probe_logging;
}

/* The next definition of a libzmq function after this library's (RTLD_NEXT,
 * or the libzmq that pyzmq dlopen'ed into a local scope), looked up at the
 * first call and kept in *cache; NULL when there is none (socket_log.c). */
void *next_of_lookup(_Atomic(void *) *cache, const char *name);
static inline void *next_of(_Atomic(void *) *cache, const char *name)
{
    void *f = atomic_load_explicit(cache, memory_order_relaxed);
    return f ? f : next_of_lookup(cache, name);
}

/* Under ThreadSanitizer (its runtime preloaded), around each forwarded
 * call: TSan's stacks are its own shadow stacks, in which every frame is
 * pushed by the instrumented callee with its return address; libzmq's
 * zmq_send would push an address in this (uninstrumented) wrapper, and the
 * program's line that called the wrapper would be lost, so the wrapper
 * pushes it itself, as an instrumented function would. Nothing else of TSan
 * is touched (no synchronisation). Without TSan: nothing. */
extern void (*probe_tsan_func_entry)(void *);
extern void (*probe_tsan_func_exit)(void);
static inline void probe_tsan_enter(void *caller)
{
    if (probe_tsan_func_entry)
        probe_tsan_func_entry(caller);
}
static inline void probe_tsan_exit(void)
{
    if (probe_tsan_func_exit)
        probe_tsan_func_exit();
}

/* The Python frame that created a socket, when the calling thread holds the
 * GIL of a CPython in this process (python_site.c); 0 when there is none. */
struct python_site {
    char file[1024];
    char func[256];
    int line;
    char thread[256];
    int gil; /* free-threaded CPython: 1 the GIL is enabled, 0 not; -1 otherwise */
};
int probe_python_site(struct python_site *site);

/* The same GIL state, on its own (for the CLOSE line); -1 when unknown. */
int probe_python_gil(void);

#endif
