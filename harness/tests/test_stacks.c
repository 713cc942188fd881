/* Hang signatures from real stacks (eu-stack) and real faulthandler dumps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
