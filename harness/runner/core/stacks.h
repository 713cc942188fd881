/* The stacks of a hung client: taken with eu-stack (elfutils; about 70 ms
 * on a TSan process, where gdb needs a second), parsed, and summed up into
 * the hang's signature: where each application thread is blocked inside
 * libzmq (or waiting for the GIL), the main thread first, and for Python
 * the script line that blocks, from faulthandler's stacks. */
#ifndef ZR_STACKS_H
#define ZR_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct zr_native_frame {
    char *func;   /* "zmq::ctx_t::terminate", or "" when the module has no symbol there */
    char *module; /* "/usr/lib/x86_64-linux-gnu/libzmq.so.5.2.4", or "" */
    char *source; /* "/src/ctx.cpp:209:43", or NULL */
};

struct zr_native_thread {
    int tid;
    int nframes;
    struct zr_native_frame *frames; /* innermost first */
};

struct zr_native_stacks {
    int pid;
    int nthreads;
    struct zr_native_thread *threads;
};

/* Parses eu-stack's output (-i -s -m). 0, or -1 when out of memory. */
int zr_native_stacks_parse(const char *text, struct zr_native_stacks *s);
void zr_native_stacks_free(struct zr_native_stacks *s);

/* The blocked frames of every thread that is inside a libzmq API call or
 * taking the GIL, outermost first, threads separated by " | ", the main
 * thread first: "zmq_ctx_term -> zmq::ctx_t::terminate -> zmq::mailbox_t::recv".
 * Every such thread and frame is kept. malloc'd. */
char *zr_native_hang_summary(const struct zr_native_stacks *s);

/* The same at the level of the API: the innermost libzmq API call (or GIL
 * frame) of each such thread, main first: "zmq_recv | zmq_send". It names a
 * hang the same way on every build, stripped or with symbols. malloc'd. */
char *zr_native_hang_calls(const struct zr_native_stacks *s);

/* From faulthandler's dump of every Python thread: each thread of the
 * program itself (main first), as the script's innermost line and the
 * innermost call: "main: bus.py:127 main -> zmq/sugar/context.py:217 term".
 * NULL when the text has no Python stacks. malloc'd. */
char *zr_python_hang_summary(const char *faulthandler_text);

/* Runs the stack tool on a live process; its output (malloc'd), or NULL with
 * the cause in err. */
char *zr_capture_stacks(const char *tool, pid_t pid, const char *workdir, double timeout_s, char *err, size_t errlen);

struct zr_tree;
struct zr_tree_sample;

/* The stacks of every process of a client's tree (the client first), each
 * under header lines naming it by pid and command line, the threads that
 * waited with no deadline in the watch's last sample, and each thread's
 * stack mapping. The tree should be stopped (SIGSTOP), so that every stack
 * comes from one moment. NULL with the cause in err when the client's own
 * stacks cannot be taken. malloc'd. */
char *zr_capture_tree_stacks(const char *tool, struct zr_tree *tree, const struct zr_tree_sample *last,
                             const char *workdir, double timeout_s, char *err, size_t errlen);

/* The hang's summary and calls (as zr_native_hang_summary and
 * zr_native_hang_calls) over such stacks, or over a single eu-stack output:
 * only the threads that waited with no deadline (every thread when none of
 * them is in a libzmq call), the client's first; a descendant's named as
 * "pid N (prog): ..." in the summary and "child (prog): ..." in the calls.
 * Both malloc'd. */
void zr_tree_hang_signature(const char *stacks, char **native, char **calls);

/* zr_python_hang_summary of the client's faulthandler dump, keeping only the
 * Python threads whose native thread waited with no deadline (matched by
 * the stack mappings in stacks); all of them when that leaves none. */
char *zr_tree_python_summary(const char *faulthandler_text, const char *stacks);

/* Whether stacks can be taken here: the tool runs and may attach to a child
 * of the runner. Checked once, on a short-lived child. 0, or -1 with what to
 * do in err. */
int zr_stack_tool_check(const char *tool, char *err, size_t errlen);

#endif
