/* The TSan report parser (harness/runner/core/tsan_report.c), fed with reports
 * captured from real runs (fixtures/tsan_*.txt) and with garbage.
 *
 * The fixtures, and how each was produced (gcc 12 -fsanitize=thread -O1 -g,
 * libzmq 4.3.4 built fully instrumented, run under setarch -R with
 * TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1
 * atexit_sleep_ms=0" unless said otherwise; the C programs and their exact
 * commands are in fixtures/src/):
 *   tsan_data_race_mailbox.txt          cases/shared-socket/broken_send_recv_threads (already there)
 *   tsan_data_race_churn_zmq_recv.txt   src/churn.c, halt_on_error=0, one report cut from the run below:
 *                                       the first libzmq frame is the plain C zmq_recv (under memcpy)
 *   tsan_many_reports_churn_segv.txt    src/churn.c, halt_on_error=0, the whole stderr: 65 reports,
 *                                       then TSan's SEGV report ("==N==ERROR: ... ==N==ABORTING")
 *   tsan_thread_leak_socket_owner.txt   src/thread_leak.c
 *   tsan_lock_order_inversion_user_mutexes.txt  src/lock_order.c
 *   tsan_data_race_user_callback_io_thread.txt  src/user_race_io_thread.c: user code on ZMQbg/IO/0
 *   tsan_data_race_user_counter.txt     src/user_race_two_threads.c
 *   tsan_two_reports_race_then_leak.txt src/user_race_two_threads.c ENDPOINT leak, halt_on_error=0
 *   tsan_heap_use_after_free_zerocopy_callback.txt
 *       cases/finalize-race/broken_zerocopy_free_after_close.c built as above, run as
 *       ./broken_zerocopy_free_after_close ipc:///tmp/tsan-work/nobody-listens 1000
 *   tsan_data_race_pyzmq_two_threads.txt
 *       pyclients/shared-socket/broken_pyzmq_two_threads.py against harness/server/router_server
 *       (echo), the whole stderr (report, then faulthandler's Python stacks):
 *       PYTHONFAULTHANDLER=1 TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1
 *       atexit_sleep_ms=0 abort_on_error=1" LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtsan.so.2
 *       LD_LIBRARY_PATH=/tmp/shared-builds/4.3.4-tsan/lib setarch -R /usr/bin/python3.11
 *       broken_pyzmq_two_threads.py ENDPOINT 20000
 *   stderr_assert_cmake_abspath.txt, stderr_assert_cmake_abspath_errno.txt
 *       src/churn.c without TSan on the CMake build of 4.3.5 (absolute __FILE__ paths): no TSan report
 *
 * Build and run standalone:
 *   gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I harness/runner/core \
 *       -DZR_FIXTURES=\"$PWD/harness/tests/fixtures\" harness/tests/test_tsan_report.c \
 *       harness/runner/core/tsan_report.c -lcmocka -o test_tsan_report && ./test_tsan_report
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tsan_report.h"

/* ------------------------------------------- allocation failure, glibc */

/* glibc lets a program replace malloc, calloc, realloc and free (and its
 * own calls go to them too): these fail the allocation fail_after counts
 * down to, and count the blocks still live, while counting is on. Not
 * under a sanitizer, which has its own allocator. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ZR_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define ZR_UNDER_SANITIZER 1
#endif
#endif
#if defined(__GLIBC__) && !defined(ZR_UNDER_SANITIZER)
#define ZR_CAN_FAIL_ALLOCATIONS 1
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static bool counting;
static long fail_after = -1; /* allocations that succeed before one fails; -1: none fails */
static long live;

static bool this_allocation_fails(void)
{
    if (!counting || fail_after < 0)
        return false;
    return fail_after-- == 0;
}

void *malloc(size_t n)
{
    if (this_allocation_fails())
        return NULL;
    void *p = __libc_malloc(n);
    live += counting && p;
    return p;
}

void *calloc(size_t n, size_t size)
{
    if (this_allocation_fails())
        return NULL;
    void *p = __libc_calloc(n, size);
    live += counting && p;
    return p;
}

void *realloc(void *old, size_t n)
{
    if (this_allocation_fails())
        return NULL;
    void *p = __libc_realloc(old, n);
    live += counting && p && !old;
    return p;
}

void free(void *p)
{
    live -= counting && p;
    __libc_free(p);
}
#else
#define ZR_CAN_FAIL_ALLOCATIONS 0
#endif

/* ------------------------------------------------------------- helpers */

static char *read_whole_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

static char *fixture(const char *name)
{
    size_t n = strlen(ZR_FIXTURES) + strlen(name) + 2;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", ZR_FIXTURES, name);
    char *text = read_whole_file(path);
    if (!text)
        fail_msg("cannot read fixture %s", path);
    free(path);
    return text;
}

/* The first report of a fixture (which must have one). */
static struct zr_tsan_report first_report(const char *text)
{
    struct zr_tsan_report r;
    assert_int_equal(zr_tsan_parse(text, 0, &r), 1);
    return r;
}

static const char *base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void assert_starts_with(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)))
        fail_msg("\"%.80s\" does not start with \"%s\"", s, prefix);
}

static void assert_frame(const struct zr_frame *f, const char *func, const char *file, int line,
                         enum zr_frame_origin origin)
{
    assert_non_null(f);
    assert_string_equal(f->func, func);
    if (file) {
        assert_non_null(f->file);
        assert_string_equal(base(f->file), file);
    } else {
        assert_null(f->file);
    }
    assert_int_equal(f->line, line);
    assert_int_equal(f->origin, origin);
}

/* What one access is expected to show. NULL api/user: none in the stack. */
struct expected_access {
    const char *thread;
    const char *func, *file;
    int line;
    enum zr_frame_origin origin;
    const char *api;
    const char *user;
};

static void assert_access(const struct zr_stack *s, struct expected_access e)
{
    if (e.thread) {
        assert_non_null(s->thread);
        assert_string_equal(s->thread, e.thread);
    } else {
        assert_null(s->thread);
    }
    assert_frame(zr_stack_top(s), e.func, e.file, e.line, e.origin);
    const struct zr_frame *api = zr_stack_api_call(s);
    if (e.api) {
        assert_non_null(api);
        assert_string_equal(api->func, e.api);
    } else {
        assert_null(api);
    }
    const struct zr_frame *user = zr_stack_first(s, ZR_FRAME_USER);
    if (e.user) {
        assert_non_null(user);
        assert_string_equal(user->func, e.user);
    } else {
        assert_null(user);
    }
}

static void assert_signature(const struct zr_tsan_report *r, const char *want)
{
    char *sig = zr_tsan_signature_dup(r);
    assert_non_null(sig);
    assert_string_equal(sig, want);
    size_t len = strlen(want) + 1;
    char *buf = malloc(len);
    assert_non_null(buf);
    zr_tsan_signature(r, buf, len);
    assert_string_equal(buf, want);
    free(buf);
    free(sig);
}

/* The three expectations the brief names, and libzmq_internal. */
static void assert_verdicts(const struct zr_tsan_report *r, bool zmq_race, bool uaf, bool internal)
{
    assert_int_equal(zr_tsan_matches(r, "data-race:zmq::"), zmq_race);
    assert_int_equal(zr_tsan_matches(r, "heap-use-after-free"), uaf);
    assert_true(zr_tsan_matches(r, "*"));
    assert_int_equal(zr_tsan_libzmq_internal(r), internal);
}

static const struct zr_stack *other_with_role(const struct zr_tsan_report *r, enum zr_stack_role role, int nth)
{
    for (int i = 0; i < r->nother; i++)
        if (r->other[i].role == role && nth-- == 0)
            return &r->other[i];
    return NULL;
}

/* --------------------------------------------------- libzmq data races */

static void mailbox_race_is_a_libzmq_race(void **state)
{
    (void)state;
    char *text = fixture("tsan_data_race_mailbox.txt");
    struct zr_tsan_report r = first_report(text);
    assert_string_equal(r.kind, "data-race");
    assert_string_equal(r.headline, "WARNING: ThreadSanitizer: data race");
    assert_int_equal(r.pid, 28516);
    assert_false(r.truncated);
    assert_int_equal(r.start, 0);
    assert_int_equal(r.end, strlen(text));
    assert_int_equal(r.naccesses, 2);
    assert_access(&r.accesses[0], (struct expected_access){ "T4", "zmq::mailbox_t::recv", "mailbox.cpp", 72,
                                                            ZR_FRAME_LIBZMQ, "zmq_send", "sender" });
    assert_access(&r.accesses[1], (struct expected_access){ "T3", "zmq::mailbox_t::recv", "mailbox.cpp", 77,
                                                            ZR_FRAME_LIBZMQ, "zmq_recv", "receiver" });
    assert_string_equal(r.accesses[0].title, "Read of size 1 at 0x7b2c000000a8 by thread T4:");
    assert_string_equal(r.summary, "data race /tmp/libzmq-build.xE4czj/zeromq3-4.3.4/src/mailbox.cpp:72 in "
                                   "zmq::mailbox_t::recv(zmq::command_t*, int)");
    assert_signature(&r, "data-race zmq::mailbox_t::recv mailbox.cpp:72 | zmq::mailbox_t::recv mailbox.cpp:77");
    assert_verdicts(&r, true, false, false);
    assert_true(zr_tsan_matches(&r, "data-race:zmq::mailbox_t::recv"));
    assert_true(zr_tsan_matches(&r, "zmq::mailbox_t"));   /* the older "TSAN:zmq::" form */
    assert_true(zr_tsan_matches(&r, "data race:zmq::")); /* the kind as TSan prints it */
    assert_true(zr_tsan_matches(&r, "DATA-RACE"));
    assert_true(zr_tsan_matches(&r, "data-race:"));
    assert_true(zr_tsan_matches(&r, "data-race:@libzmq"));
    assert_false(zr_tsan_matches(&r, "data-race:@user"));
    assert_false(zr_tsan_matches(&r, "data-race:zmq::pipe_t"));
    assert_false(zr_tsan_matches(&r, "thread-leak"));

    /* Context: the heap block and the two threads, all created by main. */
    assert_int_equal(r.nother, 3);
    assert_int_equal(r.other[0].role, ZR_STACK_LOCATION);
    assert_string_equal(r.other[0].thread, "T0");
    assert_frame(&r.other[0].frames[0], "operator new", "tsan_new_delete.cpp", 76, ZR_FRAME_RUNTIME);
    assert_string_equal(r.other[0].frames[0].module, "libtsan.so.2");
    assert_frame(zr_stack_top(&r.other[0]), "zmq::socket_base_t::socket_base_t", "socket_base.cpp", 269,
                 ZR_FRAME_LIBZMQ);
    const struct zr_stack *t4 = zr_tsan_thread_creation(&r, "T4");
    assert_non_null(t4);
    assert_string_equal(t4->created_by, "T0");
    assert_null(t4->thread_name);
    assert_frame(zr_stack_top(t4), "main", "broken_send_recv_threads.c", 83, ZR_FRAME_USER);
    assert_null(zr_tsan_thread_creation(&r, "T0"));
    assert_int_equal(r.nnotes, 0);

    /* s_sendmsg: a plain C frame of libzmq between the method and the API. */
    assert_frame(&r.accesses[0].frames[3], "s_sendmsg", "zmq.cpp", 381, ZR_FRAME_LIBZMQ);
    assert_string_equal(r.accesses[0].frames[3].module, "libzmq.so.5");
    assert_string_equal(r.accesses[0].frames[5].module, "broken_send_recv_threads");

    struct zr_tsan_report next;
    assert_int_equal(zr_tsan_parse(text, r.end, &next), 0);
    zr_tsan_report_free(&r);
    free(text);
}

static void churn_race_whose_first_libzmq_frame_is_plain_c(void **state)
{
    (void)state;
    char *text = fixture("tsan_data_race_churn_zmq_recv.txt");
    struct zr_tsan_report r = first_report(text);
    assert_string_equal(r.kind, "data-race");
    assert_int_equal(r.naccesses, 2);
    /* memcpy (twice, libtsan's interceptor) is skipped: zmq_recv is the top. */
    assert_string_equal(r.accesses[0].frames[0].func, "memcpy");
    assert_int_equal(r.accesses[0].frames[0].origin, ZR_FRAME_RUNTIME);
    assert_access(&r.accesses[0], (struct expected_access){ "T3", "zmq_recv", "zmq.cpp", 533, ZR_FRAME_LIBZMQ,
                                                            "zmq_recv", "buffer_calls" });
    assert_access(&r.accesses[1],
                  (struct expected_access){ "T2", "zmq::shared_message_memory_allocator::allocate",
                                            "decoder_allocators.cpp", 84, ZR_FRAME_LIBZMQ, NULL, NULL });
    assert_string_equal(r.accesses[1].thread_name, "ZMQbg/IO/0");
    assert_null(r.accesses[0].thread_name);
    assert_string_equal(r.accesses[1].frames[2].func,
                        "zmq::decoder_base_t<zmq::v2_decoder_t, zmq::shared_message_memory_allocator>::get_buffer");
    assert_string_equal(r.summary, "data race /tmp/libzmq-build.hARzVG/zeromq3-4.3.4/src/zmq.cpp:533 in zmq_recv");
    assert_signature(&r, "data-race zmq_recv zmq.cpp:533 | zmq::shared_message_memory_allocator::allocate "
                         "decoder_allocators.cpp:84");
    /* "zmq::" matches through the I/O thread's access only; "zmq_recv" and
     * "@libzmq" name the user thread's access too. */
    assert_verdicts(&r, true, false, false);
    assert_true(zr_tsan_matches(&r, "data-race:zmq_recv"));
    assert_true(zr_tsan_matches(&r, "data-race:@libzmq"));
    zr_tsan_report_free(&r);
    free(text);
}

static void pyzmq_race_with_faulthandler_after_it(void **state)
{
    (void)state;
    char *text = fixture("tsan_data_race_pyzmq_two_threads.txt");
    struct zr_tsan_report r = first_report(text);
    assert_string_equal(r.kind, "data-race");
    assert_int_equal(r.pid, 26426);
    assert_int_equal(r.naccesses, 2);
    /* pyzmq's extension is stripped: its frames are "<null> <null> (module+off)". */
    assert_access(&r.accesses[0], (struct expected_access){ "T4", "zmq::mailbox_t::recv", "mailbox.cpp", 72,
                                                            ZR_FRAME_LIBZMQ, "zmq_msg_send", NULL });
    assert_access(&r.accesses[1], (struct expected_access){ "T3", "zmq::mailbox_t::recv", "mailbox.cpp", 77,
                                                            ZR_FRAME_LIBZMQ, "zmq_msg_recv", NULL });
    for (int i = 0; i < 2; i++) {
        const struct zr_frame *binding = zr_stack_first(&r.accesses[i], ZR_FRAME_BINDING);
        assert_frame(binding, "<null>", NULL, 0, ZR_FRAME_BINDING);
        assert_string_equal(binding->module, "socket.cpython-311-x86_64-linux-gnu.so");
    }
    /* Python threads: created by the interpreter ("PyThread_start_new_thread <null>"). */
    const struct zr_stack *t4 = zr_tsan_thread_creation(&r, "T4");
    assert_non_null(t4);
    assert_frame(zr_stack_top(t4), "PyThread_start_new_thread", NULL, 0, ZR_FRAME_PYTHON);
    assert_string_equal(zr_stack_top(t4)->module, "python3.11");
    assert_signature(&r, "data-race zmq::mailbox_t::recv mailbox.cpp:72 | zmq::mailbox_t::recv mailbox.cpp:77");
    assert_verdicts(&r, true, false, false);

    /* The report ends at its closing line; faulthandler's block follows and
     * is no report. */
    assert_false(r.truncated);
    assert_starts_with(text + r.end, "Fatal Python error: Aborted\n");
    struct zr_tsan_report next;
    assert_int_equal(zr_tsan_parse(text, r.end, &next), 0);
    zr_tsan_report_free(&r);
    free(text);
}

/* ------------------------------------- reports that are not libzmq's races */

static void thread_leak_is_not_a_libzmq_race(void **state)
{
    (void)state;
    char *text = fixture("tsan_thread_leak_socket_owner.txt");
    struct zr_tsan_report r = first_report(text);
    assert_string_equal(r.kind, "thread-leak");
    assert_string_equal(r.headline, "WARNING: ThreadSanitizer: thread leak");
    /* The leaked thread's creation IS the bug. */
    assert_int_equal(r.naccesses, 1);
    assert_int_equal(r.accesses[0].role, ZR_STACK_THREAD);
    assert_string_equal(r.accesses[0].created_by, "T0");
    assert_access(&r.accesses[0],
                  (struct expected_access){ "T1", "main", "thread_leak.c", 49, ZR_FRAME_USER, NULL, "main" });
    assert_int_equal(r.nother, 0);
    assert_string_equal(r.summary, "thread leak /work/main/harness/tests/fixtures/src/thread_leak.c:49 in main");
    assert_signature(&r, "thread-leak main thread_leak.c:49");
    assert_verdicts(&r, false, false, false);
    assert_true(zr_tsan_matches(&r, "thread-leak"));
    assert_true(zr_tsan_matches(&r, "thread-leak:main"));
    assert_false(zr_tsan_matches(&r, "*:zmq::"));
    zr_tsan_report_free(&r);
    free(text);
}

static void lock_order_inversion_in_user_code(void **state)
{
    (void)state;
    char *text = fixture("tsan_lock_order_inversion_user_mutexes.txt");
    struct zr_tsan_report r = first_report(text);
    assert_string_equal(r.kind, "lock-order-inversion");
    assert_string_equal(r.headline, "WARNING: ThreadSanitizer: lock-order-inversion (potential deadlock)");
    assert_int_equal(r.naccesses, 2);
    assert_int_equal(r.accesses[0].role, ZR_STACK_ACQUIRE);
    /* pthread_mutex_lock, the interceptor, is skipped. */
    assert_access(&r.accesses[0], (struct expected_access){ "T1", "accounts_then_journal", "lock_order.c", 42,
                                                            ZR_FRAME_USER, NULL, "accounts_then_journal" });
    assert_access(&r.accesses[1], (struct expected_access){ "T4", "journal_then_accounts", "lock_order.c", 53,
                                                            ZR_FRAME_USER, NULL, "journal_then_accounts" });
    /* second_deadlock_stack=1: where each held mutex was taken, by the same thread. */
    const struct zr_stack *held = other_with_role(&r, ZR_STACK_HELD, 1);
    assert_non_null(held);
    assert_string_equal(held->thread, "T4");
    assert_frame(zr_stack_top(held), "journal_then_accounts", "lock_order.c", 52, ZR_FRAME_USER);
    assert_non_null(other_with_role(&r, ZR_STACK_THREAD, 1));
    assert_int_equal(r.nnotes, 1);
    assert_starts_with(r.notes[0], "Cycle in lock order graph: M15 ");
    assert_string_equal(r.summary, "lock-order-inversion (potential deadlock) "
                                   "/work/main/harness/tests/fixtures/src/lock_order.c:42 in accounts_then_journal");
    assert_signature(&r, "lock-order-inversion accounts_then_journal lock_order.c:42 | journal_then_accounts "
                         "lock_order.c:53");
    assert_verdicts(&r, false, false, false);
    assert_true(zr_tsan_matches(&r, "lock-order-inversion:journal_then"));
    zr_tsan_report_free(&r);
    free(text);
}

static void user_race_on_a_thread_libzmq_created(void **state)
{
    (void)state;
    char *text = fixture("tsan_data_race_user_callback_io_thread.txt");
    struct zr_tsan_report r = first_report(text);
    assert_string_equal(r.kind, "data-race");
    assert_int_equal(r.naccesses, 2);
    assert_access(&r.accesses[0], (struct expected_access){ "T2", "release_payload", "user_race_io_thread.c", 31,
                                                            ZR_FRAME_USER, NULL, "release_payload" });
    assert_string_equal(r.accesses[0].thread_name, "ZMQbg/IO/0");
    assert_access(&r.accesses[1], (struct expected_access){ "T0", "main", "user_race_io_thread.c", 54,
                                                            ZR_FRAME_USER, NULL, "main" });
    /* libzmq frames are there (the callback's caller, the thread's creation):
     * the old "first libzmq frame anywhere" took them for the bug. */
    assert_frame(zr_stack_first(&r.accesses[0], ZR_FRAME_LIBZMQ), "zmq::msg_t::close", "msg.cpp", 287,
                 ZR_FRAME_LIBZMQ);
    const struct zr_stack *io = zr_tsan_thread_creation(&r, "T2");
    assert_non_null(io);
    assert_string_equal(io->thread_name, "ZMQbg/IO/0");
    assert_frame(zr_stack_top(io), "zmq::thread_t::start", "thread.cpp", 268, ZR_FRAME_LIBZMQ);
    assert_string_equal(zr_stack_api_call(io)->func, "zmq_socket");
    assert_int_equal(r.nnotes, 1);
    assert_starts_with(r.notes[0], "Location is global 'released' of size 4 at ");
    assert_signature(&r, "data-race release_payload user_race_io_thread.c:31 | main user_race_io_thread.c:54");
    assert_verdicts(&r, false, false, false);
    assert_true(zr_tsan_matches(&r, "data-race:@user"));
    assert_false(zr_tsan_matches(&r, "data-race:@libzmq"));
    zr_tsan_report_free(&r);
    free(text);
}

static void user_race_between_user_threads(void **state)
{
    (void)state;
    char *text = fixture("tsan_data_race_user_counter.txt");
    struct zr_tsan_report r = first_report(text);
    assert_string_equal(r.kind, "data-race");
    assert_int_equal(r.naccesses, 2);
    assert_access(&r.accesses[0], (struct expected_access){ "T2", "client", "user_race_two_threads.c", 44,
                                                            ZR_FRAME_USER, NULL, "client" });
    assert_access(&r.accesses[1], (struct expected_access){ "T1", "client", "user_race_two_threads.c", 44,
                                                            ZR_FRAME_USER, NULL, "client" });
    assert_int_equal(r.nnotes, 1);
    assert_starts_with(r.notes[0], "Location is global 'round_trips'");
    assert_int_equal(r.nother, 2);
    assert_string_equal(r.summary, "data race /work/main/harness/tests/fixtures/src/user_race_two_threads.c:44 in client");
    assert_signature(&r, "data-race client user_race_two_threads.c:44 | client user_race_two_threads.c:44");
    assert_verdicts(&r, false, false, false);
    zr_tsan_report_free(&r);
    free(text);
}

static void use_after_free_by_a_zero_copy_callback(void **state)
{
    (void)state;
    char *text = fixture("tsan_heap_use_after_free_zerocopy_callback.txt");
    struct zr_tsan_report r = first_report(text);
    assert_string_equal(r.kind, "heap-use-after-free");
    assert_int_equal(r.naccesses, 2);
    assert_access(&r.accesses[0], (struct expected_access){ "T2", "release_payload",
                                                            "broken_zerocopy_free_after_close.c", 61, ZR_FRAME_USER,
                                                            NULL, "release_payload" });
    assert_string_equal(r.accesses[0].thread_name, "ZMQbg/IO/0");
    /* The free: free() (libtsan) skipped, main is the top. */
    assert_frame(&r.accesses[1].frames[0], "free", "tsan_interceptors_posix.cpp", 706, ZR_FRAME_RUNTIME);
    assert_access(&r.accesses[1], (struct expected_access){ "T0", "main", "broken_zerocopy_free_after_close.c",
                                                            105, ZR_FRAME_USER, NULL, "main" });
    assert_string_equal(r.summary, "heap-use-after-free "
                                   "/work/main/cases/finalize-race/broken_zerocopy_free_after_close.c:61 in release_payload");
    assert_signature(&r, "heap-use-after-free release_payload broken_zerocopy_free_after_close.c:61 | main "
                         "broken_zerocopy_free_after_close.c:105");
    assert_verdicts(&r, false, true, false);
    assert_true(zr_tsan_matches(&r, "heap-use-after-free:release_payload"));
    zr_tsan_report_free(&r);
    free(text);
}

/* ------------------------------------------------ several reports a text */

static void two_reports_are_read_in_order(void **state)
{
    (void)state;
    char *text = fixture("tsan_two_reports_race_then_leak.txt");
    struct zr_tsan_report first = first_report(text);
    assert_string_equal(first.kind, "data-race");
    assert_int_equal(first.start, 0);
    assert_starts_with(text + first.end, "==================\nWARNING: ThreadSanitizer: thread leak");
    assert_signature(&first, "data-race client user_race_two_threads.c:44 | client user_race_two_threads.c:44");
    assert_verdicts(&first, false, false, false);

    struct zr_tsan_report second;
    assert_int_equal(zr_tsan_parse(text, first.end, &second), 1);
    assert_string_equal(second.kind, "thread-leak");
    assert_int_equal(second.start, first.end);
    assert_int_equal(second.pid, first.pid);
    assert_access(&second.accesses[0], (struct expected_access){ "T2", "main", "user_race_two_threads.c", 62,
                                                                 ZR_FRAME_USER, NULL, "main" });
    assert_signature(&second, "thread-leak main user_race_two_threads.c:62");
    assert_verdicts(&second, false, false, false);
    /* "ThreadSanitizer: reported 2 warnings" follows: no third report. */
    assert_string_equal(text + second.end, "ThreadSanitizer: reported 2 warnings\n");
    struct zr_tsan_report third;
    assert_int_equal(zr_tsan_parse(text, second.end, &third), 0);

    /* An offset inside the first report finds the second one. */
    struct zr_tsan_report again;
    assert_int_equal(zr_tsan_parse(text, 40, &again), 1);
    assert_string_equal(again.kind, "thread-leak");
    zr_tsan_report_free(&again);
    zr_tsan_report_free(&first);
    zr_tsan_report_free(&second);
    free(text);
}

/* The whole stderr of one churn run: 65 warnings and a deadly signal. */
static void many_reports_of_one_churn_run(void **state)
{
    (void)state;
    char *text = fixture("tsan_many_reports_churn_segv.txt");
    size_t offset = 0, previous_end = 0;
    int count = 0, races = 0, zmq_prefix = 0, libzmq_top = 0, unrestored = 0;
    bool seen_sleep = false, seen_stl = false, seen_delete = false, seen_return_type = false;
    struct zr_tsan_report r;
    while (zr_tsan_parse(text, offset, &r) == 1) {
        assert_true(r.start >= previous_end);
        assert_true(r.end > r.start);
        assert_false(r.truncated);
        assert_int_equal(r.pid, 27176);
        assert_non_null(r.summary);
        assert_false(zr_tsan_libzmq_internal(&r));
        assert_true(r.naccesses >= 1);
        count++;
        if (!strcmp(r.kind, "data-race")) {
            races++;
            assert_int_equal(r.naccesses, 2);
            zmq_prefix += zr_tsan_matches(&r, "data-race:zmq::");
            libzmq_top += zr_tsan_matches(&r, "data-race:@libzmq");
        }
        for (int i = 0; i < r.naccesses; i++) {
            unrestored += r.accesses[i].unrestored;
            if (r.accesses[i].unrestored)
                assert_int_equal(r.accesses[i].nframes, 0);
        }
        seen_sleep |= other_with_role(&r, ZR_STACK_SLEEP, 0) != NULL;
        const struct zr_frame *top = zr_stack_top(&r.accesses[0]);
        if (top && !strcmp(top->func, "std::_Rb_tree<zmq::own_t*, zmq::own_t*, std::_Identity<zmq::own_t*>, "
                                      "std::less<zmq::own_t*>, std::allocator<zmq::own_t*> >::equal_range")) {
            /* libzmq's race, in STL code inlined into libzmq. */
            seen_stl = true;
            assert_int_equal(top->origin, ZR_FRAME_LIBZMQ);
            assert_false(zr_tsan_matches(&r, "data-race:zmq::"));
            assert_true(zr_tsan_matches(&r, "data-race:@libzmq"));
            assert_string_equal(zr_stack_api_call(&r.accesses[0])->func, "zmq_disconnect");
            assert_string_equal(zr_stack_first(&r.accesses[0], ZR_FRAME_USER)->func, "churn");
            assert_non_null(other_with_role(&r, ZR_STACK_SLEEP, 0));
        }
        if (strstr(r.summary, "tsan_new_delete.cpp:126 in operator delete(void*)")) {
            seen_delete = true;
            assert_string_equal(r.accesses[0].frames[0].func, "operator delete");
            assert_int_equal(r.accesses[0].frames[0].origin, ZR_FRAME_RUNTIME);
            assert_string_equal(zr_stack_top(&r.accesses[0])->func,
                                "std::__new_allocator<std::_Rb_tree_node<zmq::own_t*> >::deallocate");
        }
        for (int i = 0; i < r.naccesses; i++)
            for (int k = 0; k < r.accesses[i].nframes; k++)
                if (!strcmp(r.accesses[i].frames[k].func, "std::vector<zmq::pipe_t*, std::allocator<zmq::pipe_t*> "
                                                          ">::_M_realloc_insert<zmq::pipe_t* const&>"))
                    seen_return_type = true; /* printed as "void std::vector<..>::_M_realloc_insert<..>(..)" */
        if (!strcmp(r.kind, "segv")) {
            assert_starts_with(text + r.start, "ThreadSanitizer:DEADLYSIGNAL\n==27176==ERROR: ");
            assert_starts_with(r.headline, "ERROR: ThreadSanitizer: SEGV on unknown address 0x000000000058 (pc ");
            assert_int_equal(r.end, strlen(text));
            assert_int_equal(r.naccesses, 1);
            assert_null(r.accesses[0].title);
            assert_int_equal(r.accesses[0].nframes, 12);
            assert_access(&r.accesses[0], (struct expected_access){ NULL, "zmq::pipe_t::read", "pipe.cpp", 199,
                                                                    ZR_FRAME_LIBZMQ, "zmq_recv", "buffer_calls" });
            assert_string_equal(r.summary, "SEGV /tmp/libzmq-build.hARzVG/zeromq3-4.3.4/src/pipe.cpp:199 in "
                                           "zmq::pipe_t::read(zmq::msg_t*)");
            assert_int_equal(r.nnotes, 3);
            assert_string_equal(r.notes[0], "==27176==The signal is caused by a READ memory access.");
            assert_string_equal(r.notes[2], "ThreadSanitizer can not provide additional info.");
            assert_signature(&r, "segv zmq::pipe_t::read pipe.cpp:199");
            assert_true(zr_tsan_matches(&r, "segv:zmq::pipe_t::read"));
            assert_false(zr_tsan_matches(&r, "data-race:zmq::"));
        }
        if (count == 2) {
            /* The second report: the previous write's stack was lost. */
            assert_true(r.accesses[1].unrestored);
            assert_string_equal(r.accesses[1].thread, "T3");
            assert_null(zr_stack_top(&r.accesses[1]));
            assert_signature(&r, "data-race zmq::mailbox_t::recv mailbox.cpp:72 | ?");
            assert_true(zr_tsan_matches(&r, "data-race:zmq::"));
        }
        previous_end = r.end;
        offset = r.end;
        zr_tsan_report_free(&r);
    }
    assert_int_equal(count, 66);
    assert_int_equal(races, 64);
    /* 9 of the 64 libzmq races have no "zmq::" function on top of either
     * access (STL code inlined in libzmq); every one is "@libzmq". */
    assert_int_equal(zmq_prefix, 55);
    assert_int_equal(libzmq_top, 64);
    assert_int_equal(unrestored, 10);
    assert_true(seen_sleep && seen_stl && seen_delete && seen_return_type);
    free(text);
}

static void texts_without_a_tsan_report(void **state)
{
    (void)state;
    static const char *const names[] = {
        "stderr_assert_cmake_abspath.txt", "stderr_assert_cmake_abspath_errno.txt", "stderr_assert_pipe_394.txt",
        "stderr_fatal_python_error.txt",   "stderr_faulthandler_sigsegv.txt",       "eu_stack_hang_ctx_term_tsan.txt",
        "eu_stack_hang_python_bus_tsan.txt",    NULL,
    };
    for (int i = 0; names[i]; i++) {
        char *text = fixture(names[i]);
        struct zr_tsan_report r;
        assert_int_equal(zr_tsan_parse(text, 0, &r), 0);
        free(text);
    }
}

/* ---------------------------------------------- shapes met in the wild */

/* Parses one synthetic report given as text; the caller frees it. */
static struct zr_tsan_report parse_text(const char *text)
{
    struct zr_tsan_report r;
    assert_int_equal(zr_tsan_parse(text, 0, &r), 1);
    return r;
}

static void frame_shapes(void **state)
{
    (void)state;
    const char *text =
        "==================\n"
        "WARNING: ThreadSanitizer: data race (pid=7)\n"
        "  Write of size 8 at 0x7b0400000000 by thread T3 (mutexes: write M12):\n"
        "    #0 std::function<void ()>::operator()() const /usr/include/c++/12/bits/std_function.h:591 (prog+0x1234) (BuildId: 0123abcd)\n"
        "    #1 foo()::{lambda(int)#1}::operator()(int) const /home/me/my project/src/a b.cpp:12:5 (my prog+0x10)\n"
        "    #2 (anonymous namespace)::bar(int) ./rel/x.cpp:3 (prog+0x20) [inlined]\n"
        "    #3 operator new(unsigned long) ../../../../src/libsanitizer/tsan/tsan_new_delete.cpp:64 (libtsan.so.2+0x87323)\n"
        "    #4 std::_Rb_tree_node<int>* std::_Rb_tree<int, int>::_M_create_node<int const&>(int const&) /usr/include/c++/12/bits/stl_tree.h:641 (libzmq.so.5+0x74d60)\n"
        "    #5 pthread_mutex_lock /llvm/compiler-rt/lib/tsan/rtl/tsan_interceptors_posix.cpp:1300 (prog+0x99)\n"
        "    #6 start_thread nptl/pthread_create.c:442 (libc.so.6+0x891f4)\n"
        "    #7 0x7f00deadbeef in plain_c /src/plain.c:9\n"
        "    #8 <null> <null> (<unknown module>)\n"
        "    #9 helper <null> (/usr/lib/python3/dist-packages/zmq/backend/cython/socket.cpython-311-x86_64-linux-gnu.so+0x1)\n"
        "    #10 f.constprop.0 /src/f.c:1 (_zmq.cpython-312-x86_64-linux-gnu.so+0x2)\n"
        "    #11 PyEval_EvalFrameDefault <null> (libpython3.11.so.1.0+0x3)\n"
        "    #12 zmq::x::y() const [clone .cold] /src/y.cpp:4 (libzmq.so.5.2.4+0x5)\n"
        "\n"
        "  Previous read of size 8 at 0x7b0400000000 by main thread:\n"
        "    #0 operator<<(std::ostream&, int) /src/o.cpp:7 (prog+0x30)\n"
        "\n"
        "  Mutex M12 (0x7b0800000000) created at:\n"
        "    #0 pthread_mutex_init ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1227 (libtsan.so.2+0x4bee1)\n"
        "    #1 main /src/m.c:3 (prog+0x40)\n"
        "\n"
        "  Thread T3 'worker 1' (tid=42, running) created by thread T1 at:\n"
        "    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x5e686)\n"
        "    #1 spawn /src/m.c:9 (prog+0x50)\n"
        "\n"
        "SUMMARY: ThreadSanitizer: data race /usr/include/c++/12/bits/std_function.h:591 in std::function<void ()>::operator()() const\n"
        "==================\n";
    struct zr_tsan_report r = parse_text(text);
    const struct zr_stack *s = &r.accesses[0];
    assert_int_equal(s->nframes, 13);
    assert_string_equal(s->thread, "T3");
    assert_string_equal(s->thread_name, "worker 1");
    assert_frame(&s->frames[0], "std::function<void ()>::operator()", "std_function.h", 591, ZR_FRAME_USER);
    assert_string_equal(s->frames[0].module, "prog");
    assert_frame(&s->frames[1], "foo()::{lambda(int)#1}::operator()", "a b.cpp", 12, ZR_FRAME_USER);
    assert_string_equal(s->frames[1].file, "/home/me/my project/src/a b.cpp");
    assert_string_equal(s->frames[1].module, "my prog");
    assert_frame(&s->frames[2], "(anonymous namespace)::bar", "x.cpp", 3, ZR_FRAME_USER);
    assert_string_equal(s->frames[2].file, "./rel/x.cpp");
    assert_frame(&s->frames[3], "operator new", "tsan_new_delete.cpp", 64, ZR_FRAME_RUNTIME);
    assert_frame(&s->frames[4], "std::_Rb_tree<int, int>::_M_create_node<int const&>", "stl_tree.h", 641,
                 ZR_FRAME_LIBZMQ);
    assert_frame(&s->frames[5], "pthread_mutex_lock", "tsan_interceptors_posix.cpp", 1300, ZR_FRAME_RUNTIME);
    assert_frame(&s->frames[6], "start_thread", "pthread_create.c", 442, ZR_FRAME_RUNTIME);
    assert_frame(&s->frames[7], "plain_c", "plain.c", 9, ZR_FRAME_USER);
    assert_null(s->frames[7].module);
    assert_frame(&s->frames[8], "<null>", NULL, 0, ZR_FRAME_USER);
    assert_null(s->frames[8].module);
    assert_frame(&s->frames[9], "helper", NULL, 0, ZR_FRAME_BINDING);
    assert_frame(&s->frames[10], "f.constprop.0", "f.c", 1, ZR_FRAME_BINDING);
    assert_frame(&s->frames[11], "PyEval_EvalFrameDefault", NULL, 0, ZR_FRAME_PYTHON);
    assert_frame(&s->frames[12], "zmq::x::y", "y.cpp", 4, ZR_FRAME_LIBZMQ);
    assert_frame(zr_stack_top(&r.accesses[1]), "operator<<", "o.cpp", 7, ZR_FRAME_USER);
    assert_string_equal(r.accesses[1].thread, "T0");

    const struct zr_stack *mutex = other_with_role(&r, ZR_STACK_MUTEX, 0);
    assert_non_null(mutex);
    assert_string_equal(mutex->title, "Mutex M12 (0x7b0800000000) created at:");
    assert_null(mutex->thread);
    const struct zr_stack *t3 = zr_tsan_thread_creation(&r, "T3");
    assert_non_null(t3);
    assert_string_equal(t3->created_by, "T1");
    assert_signature(&r, "data-race std::function<void ()>::operator() std_function.h:591 | operator<< o.cpp:7");
    assert_true(zr_tsan_matches(&r, "data-race:std::function"));
    zr_tsan_report_free(&r);
}

static void kinds_and_single_stack_reports(void **state)
{
    (void)state;
    static const struct {
        const char *headline, *kind;
    } kinds[] = {
        { "signal-unsafe call inside of a signal", "signal-unsafe-call" },
        { "destroy of a locked mutex", "destroy-of-locked-mutex" },
        { "unlock of an unlocked mutex (or by a wrong thread)", "unlock-of-unlocked-mutex" },
        { "double lock of a mutex", "double-lock" },
        { "signal handler spoils errno", "signal-handler-spoils-errno" },
        { "data race on vptr (ctor/dtor vs virtual call)", "data-race-on-vptr" },
        { "heap-use-after-free (virtual call vs free)", "heap-use-after-free" },
        { "use of an invalid mutex (e.g. uninitialized or destroyed)", "use-of-invalid-mutex" },
        { "Some New Kind (with a suffix)", "some-new-kind" },
        { NULL, NULL },
    };
    for (int i = 0; kinds[i].headline; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "==================\nWARNING: ThreadSanitizer: %s (pid=9)\n"
                 "    #0 pthread_mutex_unlock ../../../../src/libsanitizer/x.inc:1 (libtsan.so.2+0x1)\n"
                 "    #1 handler /src/h.c:5 (prog+0x2)\n\n"
                 "  and:\n    #0 main /src/h.c:9 (prog+0x3)\n\n"
                 "SUMMARY: ThreadSanitizer: %s /src/h.c:5 in handler\n==================\n",
                 kinds[i].headline, kinds[i].headline);
        struct zr_tsan_report r = parse_text(text);
        assert_string_equal(r.kind, kinds[i].kind);
        assert_int_equal(r.pid, 9);
        /* An untitled stack under the headline and "and:" are both the bug. */
        assert_int_equal(r.naccesses, 2);
        assert_null(r.accesses[0].title);
        assert_string_equal(r.accesses[1].title, "and:");
        assert_frame(zr_stack_top(&r.accesses[0]), "handler", "h.c", 5, ZR_FRAME_USER);
        assert_true(zr_tsan_matches(&r, kinds[i].kind));
        assert_true(zr_tsan_matches(&r, kinds[i].headline)); /* as TSan prints it */
        zr_tsan_report_free(&r);
    }
}

/* Not a fixture: none of the runs captured here met one. Both accesses on
 * libzmq's own threads, no user frame; SECOND names the second access's
 * thread ("thread T3", the reaper, or "main thread"). */
#define LIBZMQ_THREADS_RACE(SECOND)                                                                          \
    "==================\n"                                                                                   \
    "WARNING: ThreadSanitizer: data race (pid=1)\n"                                                          \
    "  Write of size 4 at 0x1 by thread T2:\n"                                                               \
    "    #0 zmq::object_t::set_tid(unsigned int) /b/src/object.cpp:63 (libzmq.so.5+0x1)\n"                   \
    "    #1 thread_routine /b/src/thread.cpp:257 (libzmq.so.5+0x2)\n"                                        \
    "    #2 start_thread nptl/pthread_create.c:442 (libc.so.6+0x3)\n"                                        \
    "\n"                                                                                                     \
    "  Previous read of size 4 at 0x1 by " SECOND ":\n"                                                      \
    "    #0 zmq::object_t::get_tid() const /b/src/object.cpp:68 (libzmq.so.5+0x4)\n"                         \
    "\n"                                                                                                     \
    "  Thread T2 'ZMQbg/IO/0' (tid=5, running) created by main thread at:\n"                                 \
    "    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x5)\n" \
    "    #1 zmq::thread_t::start(void (*)(void*), void*, char const*) /b/src/thread.cpp:268 (libzmq.so.5+0x6)\n" \
    "    #2 zmq_socket /b/src/zmq.cpp:259 (libzmq.so.5+0x7)\n"                                               \
    "    #3 main /u/m.c:3 (prog+0x8)\n"                                                                      \
    "\n"                                                                                                     \
    "  Thread T3 'ZMQbg/Reaper' (tid=6, running) created by main thread at:\n"                               \
    "    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x5)\n" \
    "    #1 zmq::thread_t::start(void (*)(void*), void*, char const*) /b/src/thread.cpp:268 (libzmq.so.5+0x6)\n" \
    "    #2 main /u/m.c:3 (prog+0x8)\n"                                                                      \
    "\n"                                                                                                     \
    "SUMMARY: ThreadSanitizer: data race /b/src/object.cpp:63 in zmq::object_t::set_tid(unsigned int)\n"     \
    "==================\n"

static void race_between_libzmq_threads_is_internal(void **state)
{
    (void)state;
    struct zr_tsan_report r = parse_text(LIBZMQ_THREADS_RACE("thread T3"));
    assert_true(zr_tsan_libzmq_internal(&r));
    assert_string_equal(r.accesses[0].thread_name, "ZMQbg/IO/0");
    assert_string_equal(r.accesses[1].thread_name, "ZMQbg/Reaper");
    assert_true(zr_tsan_matches(&r, "data-race:zmq::object_t"));
    zr_tsan_report_free(&r);

    /* The same race with the second access on the main thread is not. */
    r = parse_text(LIBZMQ_THREADS_RACE("main thread"));
    assert_string_equal(r.accesses[1].thread, "T0");
    assert_false(zr_tsan_libzmq_internal(&r));
    zr_tsan_report_free(&r);

    /* Nor with a thread TSan did not say the creation of. */
    r = parse_text(LIBZMQ_THREADS_RACE("thread T9"));
    assert_false(zr_tsan_libzmq_internal(&r));
    zr_tsan_report_free(&r);
}

static void report_amid_other_output(void **state)
{
    (void)state;
    const char *text =
        "starting 4 workers\n"
        "partial line then WARNING: ThreadSanitizer: data race (pid=3)\n"
        "  Read of size 4 at 0x1 by thread T1:\n"
        "    #0 f /s/f.c:1 (p+0x1)\n"
        "a line another thread printed\n"
        "    #1 g /s/f.c:2 (p+0x2)\n"
        "\n"
        "SUMMARY: ThreadSanitizer: data race /s/f.c:1 in f\n"
        "==================\n"
        "DONE sent=3 received=3\n";
    struct zr_tsan_report r = parse_text(text);
    assert_int_equal(r.start, strstr(text, "WARNING") - text);
    assert_string_equal(r.headline, "WARNING: ThreadSanitizer: data race");
    assert_int_equal(r.naccesses, 1);
    assert_int_equal(r.accesses[0].nframes, 2);
    assert_int_equal(r.nnotes, 1);
    assert_string_equal(r.notes[0], "a line another thread printed");
    assert_string_equal(text + r.end, "DONE sent=3 received=3\n");
    assert_signature(&r, "data-race f f.c:1");
    zr_tsan_report_free(&r);
}

/* Every prefix of a real report parses: a report cut anywhere. */
static void every_prefix_of_a_report(void **state)
{
    (void)state;
    char *text = fixture("tsan_data_race_mailbox.txt");
    size_t len = strlen(text);
    size_t mark = (size_t)(strstr(text, "WARNING: ThreadSanitizer: ") - text);
    const char *summary = strstr(text, "SUMMARY: ThreadSanitizer: ");
    size_t summary_end = (size_t)(summary - text) + strcspn(summary, "\n") + 1;
    for (size_t n = 0; n <= len; n++) {
        char *cut = malloc(n + 1);
        assert_non_null(cut);
        memcpy(cut, text, n);
        cut[n] = '\0';
        struct zr_tsan_report r;
        int got = zr_tsan_parse(cut, 0, &r);
        if (n < mark + strlen("WARNING: ThreadSanitizer: ")) {
            assert_int_equal(got, 0);
        } else {
            assert_int_equal(got, 1);
            assert_true(r.end <= n && r.start < r.end);
            /* Complete once its SUMMARY line is; the closing ===== is optional. */
            assert_int_equal(r.truncated, n < summary_end);
            assert_int_equal(r.summary != NULL, n > (size_t)(summary - text) + strlen("SUMMARY: ThreadSanitizer: "));
            assert_true(r.naccesses <= 2);
            char *sig = zr_tsan_signature_dup(&r);
            assert_non_null(sig);
            free(sig);
            zr_tsan_report_free(&r);
        }
        free(cut);
    }
    free(text);
}

/* --------------------------------------------------------------- garbage */

static void garbage_texts(void **state)
{
    (void)state;
    struct zr_tsan_report r;
    assert_int_equal(zr_tsan_parse(NULL, 0, &r), 0);
    assert_int_equal(zr_tsan_parse("", 0, &r), 0);
    assert_int_equal(zr_tsan_parse("abc", 99, &r), 0);
    assert_int_equal(zr_tsan_parse("ThreadSanitizer: ", 0, &r), 0);
    assert_int_equal(zr_tsan_parse("WARNING: ThreadSanitizer:", 0, &r), 0);
    zr_tsan_report_free(NULL);

    /* The WARNING line alone. */
    assert_int_equal(zr_tsan_parse("WARNING: ThreadSanitizer: ", 0, &r), 1);
    assert_string_equal(r.kind, "");
    assert_true(r.truncated);
    assert_int_equal(r.naccesses, 0);
    assert_true(zr_tsan_matches(&r, "*"));
    assert_false(zr_tsan_matches(&r, "*:zmq::"));
    assert_false(zr_tsan_libzmq_internal(&r));
    zr_tsan_report_free(&r);
    assert_int_equal(zr_tsan_parse("WARNING: ThreadSanitizer: data race (pid=1", 0, &r), 1);
    assert_string_equal(r.kind, "data-race");
    assert_string_equal(r.headline, "WARNING: ThreadSanitizer: data race");
    zr_tsan_report_free(&r);
    assert_int_equal(zr_tsan_parse("WARNING: ThreadSanitizer: data race (pid=12)", 0, &r), 1);
    assert_string_equal(r.kind, "data-race");
    assert_int_equal(r.pid, 12);
    assert_signature(&r, "data-race");
    zr_tsan_report_free(&r);
    /* The pid right after the mark: its space is cut with the pid, and the
     * description is empty, not read past the headline's end (found by
     * harness/fuzz's fuzz_tsan_report and fuzz_classify). */
    assert_int_equal(zr_tsan_parse("WARNING: ThreadSanitizer: (pid=3)\n", 0, &r), 1);
    assert_string_equal(r.headline, "WARNING: ThreadSanitizer:");
    assert_string_equal(r.kind, "");
    assert_int_equal(r.pid, 3);
    zr_tsan_report_free(&r);
    assert_int_equal(zr_tsan_parse("==4==ERROR: ThreadSanitizer: (pid=4)\n==4==ABORTING\n", 0, &r), 1);
    assert_non_null(r.kind);
    zr_tsan_report_free(&r);

    /* Lines cut short, malformed titles and frames. */
    static const char *const bits[] = {
        "    #", "    #0", "    #0 ", "    #0 foo (", "    #0 foo (lib+0x", "    #0 foo (lib+0xZZ)",
        "    #0 foo /a:", "    #0 foo /a:99999999999999", "    #0 ) ( ) (", "    #0 operator", "    #0 operator new",
        "    #0 f( /x.c:1 (p+0x1)", "    #0 <null>", "  Thread T", "  Thread T1 'abc", "  Thread T1 'abc' created by thread T:",
        "  Read of size 8 at 0x1 by thread T:", "  Mutex M1 previously acquired by the same thread here:",
        "    [failed to restore the stack]", "==1==", "==1==ABORTING", "  :", ":", "SUMMARY: ThreadSanitizer: ",
        NULL,
    };
    for (int i = 0; bits[i]; i++) {
        for (int with_newline = 0; with_newline < 2; with_newline++) {
            char text[256];
            snprintf(text, sizeof text, "WARNING: ThreadSanitizer: data race (pid=1)\n%s%s", bits[i],
                     with_newline ? "\n" : "");
            assert_int_equal(zr_tsan_parse(text, 0, &r), 1);
            char *sig = zr_tsan_signature_dup(&r);
            assert_non_null(sig);
            free(sig);
            zr_tsan_libzmq_internal(&r);
            zr_tsan_matches(&r, "data-race:zmq::");
            zr_tsan_report_free(&r);
        }
    }
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void one_megabyte_of_random_bytes(void **state)
{
    (void)state;
    size_t n = 1 << 20;
    char *text = malloc(n + 1);
    assert_non_null(text);
    uint64_t seed = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < n; i++) {
        char c = (char)(next_random(&seed) & 0xff);
        text[i] = c ? c : '\n'; /* no NUL: the whole megabyte is read */
    }
    text[n] = '\0';
    struct zr_tsan_report r;
    assert_int_equal(zr_tsan_parse(text, 0, &r), 0);

    /* The same bytes, made of TSan's own pieces, with reports in them. */
    static const char *const pieces[] = {
        "WARNING: ThreadSanitizer: data race (pid=1)\n", "ERROR: ThreadSanitizer: SEGV on unknown address 0x0\n",
        "==================\n", "SUMMARY: ThreadSanitizer: data race x\n", "  Read of size 8 at 0x1 by thread T1:\n",
        "    #0 zmq::f(int) /s/a.cpp:1 (libzmq.so.5+0x1)\n", "    #1 <null> <null> (python3.11+0x2)\n",
        "  Thread T1 'n' (tid=1, running) created by main thread at:\n", "\n", "(", ")", "<", ">", " ", ":", "#",
        "operator", "0x", "+0x", "==1==ABORTING\n", "[failed to restore the stack]\n", "and:\n", "by the same thread:\n",
    };
    size_t npieces = sizeof pieces / sizeof pieces[0];
    size_t used = 0;
    while (used < n) {
        const char *p = pieces[next_random(&seed) % npieces];
        size_t k = strlen(p);
        if (used + k > n)
            break;
        memcpy(text + used, p, k);
        used += k;
    }
    text[used] = '\0';
    size_t offset = 0;
    int reports = 0;
    int got;
    while ((got = zr_tsan_parse(text, offset, &r)) == 1) {
        assert_true(r.start >= offset && r.end > r.start && r.end <= used);
        char *sig = zr_tsan_signature_dup(&r);
        assert_non_null(sig);
        free(sig);
        zr_tsan_matches(&r, "data-race:zmq::");
        zr_tsan_libzmq_internal(&r);
        offset = r.end;
        reports++;
        zr_tsan_report_free(&r);
    }
    assert_int_equal(got, 0);
    assert_true(reports > 100);
    free(text);
}

static void ten_thousand_frames_and_a_long_name(void **state)
{
    (void)state;
    size_t name_len = 100 * 1000;
    size_t cap = 10000 * 80 + 2 * name_len + 1024;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, "==================\nWARNING: ThreadSanitizer: data race (pid=5)\n"
                                           "  Read of size 8 at 0x1 by thread T1:\n");
    for (int i = 0; i < 10000; i++)
        n += (size_t)snprintf(text + n, cap - n, "    #%d zmq::f%d(int) /s/src/f.cpp:%d (libzmq.so.5+0x%x)\n", i, i,
                              i + 1, i);
    n += (size_t)snprintf(text + n, cap - n, "\n  Previous write of size 8 at 0x1 by main thread:\n    #0 ");
    memset(text + n, 'x', name_len); /* a kilobytes-long template instance */
    n += name_len;
    n += (size_t)snprintf(text + n, cap - n, "<int>(int) /s/long.cpp:3 (prog+0x1)\n\n"
                                             "SUMMARY: ThreadSanitizer: data race /s/src/f.cpp:1 in zmq::f0(int)\n"
                                             "==================\n");
    struct zr_tsan_report r = parse_text(text);
    assert_int_equal(r.naccesses, 2);
    assert_int_equal(r.accesses[0].nframes, 10000);
    assert_string_equal(r.accesses[0].frames[9999].func, "zmq::f9999");
    assert_int_equal(r.accesses[0].frames[9999].line, 10000);
    const struct zr_frame *top = zr_stack_top(&r.accesses[1]);
    assert_int_equal(strlen(top->func), name_len + strlen("<int>"));
    assert_int_equal(r.end, n);
    /* The signature is whole when allocated, cut (and terminated) in a buffer. */
    char *sig = zr_tsan_signature_dup(&r);
    assert_non_null(sig);
    assert_true(strlen(sig) > name_len);
    char small[16];
    zr_tsan_signature(&r, small, sizeof small);
    assert_string_equal(small, "data-race zmq::");
    zr_tsan_signature(&r, small, 1);
    assert_string_equal(small, "");
    zr_tsan_signature(&r, small, 0);
    free(sig);
    zr_tsan_report_free(&r);
    free(text);
}

/* Every allocation of a parse fails in turn: -1, an empty report, nothing
 * leaked; and the parse that finally succeeds gives the same signature. */
static void every_allocation_failure_is_survived(void **state)
{
    (void)state;
#if ZR_CAN_FAIL_ALLOCATIONS
    /* Under valgrind (or another preloaded allocator) these replacements
     * are themselves replaced: nothing to inject into. */
    void *(*volatile allocate)(size_t) = malloc; /* so that the compiler cannot elide the probe */
    fail_after = 0;
    counting = true;
    void *probe = allocate(1);
    counting = false;
    fail_after = -1;
    if (probe) {
        free(probe);
        skip();
    }
    static const char *const names[] = {
        "tsan_data_race_mailbox.txt", "tsan_lock_order_inversion_user_mutexes.txt",
        "tsan_data_race_user_callback_io_thread.txt", "tsan_thread_leak_socket_owner.txt", NULL,
    };
    for (int i = 0; names[i]; i++) {
        char *text = fixture(names[i]);
        struct zr_tsan_report whole = first_report(text);
        char *want = zr_tsan_signature_dup(&whole);
        assert_non_null(want);
        long failures = 0;
        for (long k = 0;; k++) {
            struct zr_tsan_report r;
            live = 0;
            fail_after = k;
            counting = true;
            int got = zr_tsan_parse(text, 0, &r);
            char *sig = NULL;
            if (got == 1) {
                sig = zr_tsan_signature_dup(&r);
                (void)zr_tsan_matches(&r, "data-race:zmq::"); /* allocates too */
            }
            bool nothing_failed = fail_after >= 0; /* the countdown never reached its failure */
            if (got == 1 && nothing_failed)
                assert_string_equal(sig, want);
            free(sig);
            if (got == 1)
                zr_tsan_report_free(&r);
            counting = false;
            fail_after = -1;
            assert_int_equal(live, 0);
            if (got == -1) {
                assert_null(r.kind);
                assert_int_equal(r.naccesses, 0);
                failures++;
            } else {
                assert_int_equal(got, 1);
            }
            if (nothing_failed)
                break;
        }
        print_message("%s: %ld allocation failures survived\n", names[i], failures);
        assert_true(failures > 10);
        free(want);
        zr_tsan_report_free(&whole);
        free(text);
    }
#else
    skip();
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mailbox_race_is_a_libzmq_race),
        cmocka_unit_test(churn_race_whose_first_libzmq_frame_is_plain_c),
        cmocka_unit_test(pyzmq_race_with_faulthandler_after_it),
        cmocka_unit_test(thread_leak_is_not_a_libzmq_race),
        cmocka_unit_test(lock_order_inversion_in_user_code),
        cmocka_unit_test(user_race_on_a_thread_libzmq_created),
        cmocka_unit_test(user_race_between_user_threads),
        cmocka_unit_test(use_after_free_by_a_zero_copy_callback),
        cmocka_unit_test(two_reports_are_read_in_order),
        cmocka_unit_test(many_reports_of_one_churn_run),
        cmocka_unit_test(texts_without_a_tsan_report),
        cmocka_unit_test(frame_shapes),
        cmocka_unit_test(kinds_and_single_stack_reports),
        cmocka_unit_test(race_between_libzmq_threads_is_internal),
        cmocka_unit_test(report_amid_other_output),
        cmocka_unit_test(every_prefix_of_a_report),
        cmocka_unit_test(garbage_texts),
        cmocka_unit_test(one_megabyte_of_random_bytes),
        cmocka_unit_test(ten_thousand_frames_and_a_long_name),
        cmocka_unit_test(every_allocation_failure_is_survived),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
