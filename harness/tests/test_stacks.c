/* Hang signatures from real stacks (eu-stack) and real faulthandler dumps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "progress.h"
#include "stacks.h"
#include "text.h"

static char *fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ZR_FIXTURES, name);
    char *text = zr_read_file(path, NULL);
    assert_non_null(text);
    return text;
}

static char *native_summary(const char *name)
{
    char *text = fixture(name);
    struct zr_native_stacks s;
    assert_int_equal(zr_native_stacks_parse(text, &s), 0);
    assert_true(s.nthreads > 0);
    char *summary = zr_native_hang_summary(&s);
    zr_native_stacks_free(&s);
    free(text);
    return summary;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void keeps_every_frame_from_the_api_call_inward(void **state)
{
    (void)state;
    char *s = native_summary("eu_stack_hang_ctx_term_tsan.txt");
    assert_string_equal(s, "zmq_ctx_term -> zmq::ctx_t::terminate -> zmq::mailbox_t::recv -> zmq::signaler_t::wait");
    free(s);
}

/* Twenty threads blocked in zmq_recv and main in zmq_ctx_term: nothing falls
 * out, and the main thread comes first (a cap of 16 threads or 8 frames lost it). */
static void keeps_every_thread_main_first(void **state)
{
    (void)state;
    char *s = native_summary("eu_stack_hang_many_threads.txt");
    assert_true(!strncmp(s, "zmq_ctx_term", 12));
    assert_int_equal(count(s, "zmq_recv"), 20);
    assert_int_equal(count(s, " | "), 20);
    free(s);
}

static void names_the_gil_handover(void **state)
{
    (void)state;
    char *s = native_summary("eu_stack_hang_native_thread_gil.txt");
    assert_non_null(strstr(s, "PyGILState_Ensure -> PyEval_RestoreThread"));
    free(s);
}

static void python_bus_hang_names_the_script_line(void **state)
{
    (void)state;
    char *s = native_summary("eu_stack_hang_python_bus_tsan.txt");
    assert_non_null(strstr(s, "zmq_ctx_term -> zmq::ctx_t::terminate"));
    free(s);
    char *err = fixture("stderr_faulthandler_python_bus_tsan.txt");
    char *py = zr_python_hang_summary(err);
    assert_non_null(py);
    assert_true(!strncmp(py, "main: broken_threaddevice_bus.py:", 33));
    assert_non_null(strstr(py, "zmq/sugar/context.py"));
    assert_non_null(strstr(py, " term"));
    free(py);
    free(err);
}

/* Both threads of one shared socket, and main (first) joining them. */
static void python_shared_socket_names_both_threads(void **state)
{
    (void)state;
    char *s = native_summary("eu_stack_hang_python_shared_socket_stress.txt");
    assert_non_null(strstr(s, "zmq_msg_recv"));
    assert_non_null(strstr(s, "zmq_msg_send"));
    free(s);
    char *err = fixture("stderr_faulthandler_python_shared_socket_stress.txt");
    char *py = zr_python_hang_summary(err);
    assert_non_null(py);
    assert_true(!strncmp(py, "main: broken_pyzmq_two_threads.py:76 main", 41));
    assert_non_null(strstr(py, "broken_pyzmq_two_threads.py:64 sender -> zmq/sugar/socket.py:620 send"));
    assert_non_null(strstr(py, "broken_pyzmq_two_threads.py:69 receiver"));
    free(py);
    free(err);
}

static void no_python_stacks_is_null(void **state)
{
    (void)state;
    assert_null(zr_python_hang_summary("Assertion failed: false (src/object.cpp:170)\n"));
    assert_null(zr_python_hang_summary(""));
}

static void a_process_with_no_zmq_thread_says_so(void **state)
{
    (void)state;
    struct zr_native_stacks s;
    assert_int_equal(zr_native_stacks_parse("PID 5 - process\nTID 5:\n#0  0x00007f0000001000 nanosleep - /lib/libc.so.6\n"
                                            "#1  0x0000000000401000 main - /tmp/prog\n",
                                            &s),
                     0);
    char *summary = zr_native_hang_summary(&s);
    assert_string_equal(summary, "no thread in a libzmq call or taking the GIL");
    free(summary);
    zr_native_stacks_free(&s);
}

/* Waits are judged by their arguments: a deadline makes a wait bounded.
 * The lines are /proc/PID/task/TID/syscall as the kernel prints them. */
static void waits_are_judged_by_their_arguments(void **state)
{
    (void)state;
    long nr;
    assert_int_equal(zr_wait_of_syscall("7 0x0 0x0 0x3e8 0x8 0x0 0x7ffc0bd81ad7 0x7ffc0bd81b90 0x7fd7823ec26f", &nr),
                     ZR_WAIT_BOUNDED);
    assert_int_equal(nr, 7);
    assert_int_equal(zr_wait_of_syscall("7 0x7f00 0x1 0xffffffff 0x8 0x0 0x0 0x7ffc0bd81b90 0x7fd7823ec26f", &nr),
                     ZR_WAIT_UNBOUNDED);
    /* futex FUTEX_WAIT_BITSET|PRIVATE|CLOCK_REALTIME with a timeout (CPython's take_gil), and without one (a join). */
    assert_int_equal(zr_wait_of_syscall("202 0x55d0 0x189 0x0 0x7ffd1000 0x0 0xffffffff 0x7ffd0f00 0x7f12", &nr),
                     ZR_WAIT_BOUNDED);
    assert_int_equal(zr_wait_of_syscall("202 0x7f5c 0x80 0x2 0x0 0x0 0x0 0x7ffd0f00 0x7f12", &nr), ZR_WAIT_UNBOUNDED);
    assert_int_equal(zr_wait_of_syscall("202 0x7f5c 0x189 0x0 0x0 0x0 0xffffffff 0x7ffd0f00 0x7f12", &nr),
                     ZR_WAIT_UNBOUNDED);
    assert_int_equal(zr_wait_of_syscall("232 0x3 0x7f00 0x100 0x3e8 0x0 0x0 0x7ffd 0x7f12", &nr), ZR_WAIT_BOUNDED);
    assert_int_equal(zr_wait_of_syscall("232 0x3 0x7f00 0x100 0xffffffff 0x0 0x0 0x7ffd 0x7f12", &nr),
                     ZR_WAIT_UNBOUNDED);
    assert_int_equal(zr_wait_of_syscall("271 0x7f00 0x1 0x7ffd2000 0x0 0x8 0x0 0x7ffd 0x7f12", &nr), ZR_WAIT_BOUNDED);
    assert_int_equal(zr_wait_of_syscall("271 0x7f00 0x1 0x0 0x0 0x8 0x0 0x7ffd 0x7f12", &nr), ZR_WAIT_UNBOUNDED);
    assert_int_equal(zr_wait_of_syscall("35 0x7ffd2000 0x7ffd2000 0x0 0x0 0x0 0x0 0x7ffd 0x7f12", &nr), ZR_WAIT_BOUNDED);
    assert_int_equal(zr_wait_of_syscall("230 0x1 0x0 0x7ffd2000 0x7ffd2000 0x0 0x0 0x7ffd 0x7f12", &nr),
                     ZR_WAIT_BOUNDED);
    assert_int_equal(zr_wait_of_syscall("61 0x1234 0x7ffd2000 0x0 0x0 0x0 0x0 0x7ffd 0x7f12", &nr), ZR_WAIT_UNBOUNDED);
    assert_int_equal(zr_wait_of_syscall("0 0x3 0x7ffd2000 0x400 0x0 0x0 0x0 0x7ffd 0x7f12", &nr), ZR_WAIT_UNBOUNDED);
    assert_int_equal(zr_wait_of_syscall("running", &nr), ZR_WAIT_RUNNING);
    assert_int_equal(zr_wait_of_syscall("-1 0x7ffd 0x7f12", &nr), ZR_WAIT_UNKNOWN);
}

/* A tree's stacks: only the threads that waited with no deadline make the
 * signature (the Python ones matched by their stack mappings); a child's
 * threads are named by its pid and program. */
static void tree_signature_keeps_the_threads_with_no_deadline(void **state)
{
    (void)state;
    char *client = fixture("eu_stack_hang_python_shared_socket_stress.txt");
    char *child = fixture("eu_stack_hang_ctx_term_tsan.txt");
    char *text = zr_strdup_printf("=== process 7073 (the client): /usr/bin/python3.11 x.py ipc://e ===\n"
                                  "=== waiting with no deadline: 7073 7077 ===\n"
                                  "=== stack of thread 7077: 7fd4d4300000-7fd4d4b4b000 ===\n"
                                  "=== stack of thread 7078: 7fd4d4b4b000-7fd4d5350000 ===\n%s"
                                  "=== process 6794 (a child of the client): /tmp/prog ipc://e ===\n"
                                  "=== waiting with no deadline: 6794 ===\n%s",
                                  client, child);
    char *native, *calls;
    zr_tree_hang_signature(text, &native, &calls);
    assert_non_null(strstr(native, "zmq_msg_recv"));
    assert_null(strstr(native, "zmq_msg_send"));
    assert_non_null(strstr(native, " ; pid 6794 (prog): zmq_ctx_term -> zmq::ctx_t::terminate"));
    assert_non_null(strstr(calls, " ; child (prog): zmq_ctx_term"));
    assert_null(strstr(calls, "6794"));
    char *err = fixture("stderr_faulthandler_python_shared_socket_stress.txt");
    char *py = zr_tree_python_summary(err, text);
    assert_true(!strncmp(py, "main: broken_pyzmq_two_threads.py:76 main", 41));
    /* One of the two socket threads, not both. */
    assert_true((strstr(py, " sender") != NULL) != (strstr(py, " receiver") != NULL));
    free(py);
    free(err);
    free(native);
    free(calls);
    free(text);
    free(client);
    free(child);
}

/* A single eu-stack output (no headers) is summed up as it always was. */
static void tree_signature_of_one_process_is_unchanged(void **state)
{
    (void)state;
    char *text = fixture("eu_stack_hang_ctx_term_tsan.txt");
    char *native, *calls;
    zr_tree_hang_signature(text, &native, &calls);
    assert_string_equal(native, "zmq_ctx_term -> zmq::ctx_t::terminate -> zmq::mailbox_t::recv -> zmq::signaler_t::wait");
    assert_string_equal(calls, "zmq_ctx_term");
    free(native);
    free(calls);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keeps_every_frame_from_the_api_call_inward),
        cmocka_unit_test(keeps_every_thread_main_first),
        cmocka_unit_test(names_the_gil_handover),
        cmocka_unit_test(python_bus_hang_names_the_script_line),
        cmocka_unit_test(python_shared_socket_names_both_threads),
        cmocka_unit_test(no_python_stacks_is_null),
        cmocka_unit_test(a_process_with_no_zmq_thread_says_so),
        cmocka_unit_test(waits_are_judged_by_their_arguments),
        cmocka_unit_test(tree_signature_keeps_the_threads_with_no_deadline),
        cmocka_unit_test(tree_signature_of_one_process_is_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
