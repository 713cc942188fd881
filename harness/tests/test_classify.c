/* The classifier, fed with outputs captured from real runs (fixtures/). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "classify.h"
#include "text.h"

static char *fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ZR_FIXTURES, name);
    char *text = zr_read_file(path, NULL);
    assert_non_null(text);
    return text;
}

static struct zr_verdict classify_exit(int code, const char *out, const char *err)
{
    struct zr_run_output run = { true, code, 0, false, out, err, NULL };
    struct zr_verdict v;
    zr_classify(&run, &v);
    return v;
}

static void tsan_data_race_names_the_first_libzmq_frame(void **state)
{
    (void)state;
    char *err = fixture("tsan_data_race_mailbox.txt");
    struct zr_verdict v = classify_exit(66, "", err);
    assert_string_equal(v.outcome, "TSAN");
    assert_string_equal(v.signature, "data race zmq::mailbox_t::recv mailbox.cpp:72");
    assert_non_null(v.report);
    assert_true(!strncmp(v.report, "==================", 18));
    assert_non_null(strstr(v.report, "SUMMARY: ThreadSanitizer"));
    zr_verdict_free(&v);
    free(err);
}

static void tsan_report_outranks_the_done_line(void **state)
{
    (void)state;
    char *err = fixture("tsan_data_race_mailbox.txt");
    struct zr_verdict v = classify_exit(0, "DONE sent=10 received=10\n", err);
    assert_string_equal(v.outcome, "TSAN");
    zr_verdict_free(&v);
    free(err);
}

static void errno_style_abort_is_an_assertion(void **state)
{
    (void)state;
    char *err = fixture("stderr_assert_pipe_394.txt");
    struct zr_run_output run = { false, -1, SIGABRT, false, "", err, NULL };
    struct zr_verdict v;
    zr_classify(&run, &v);
    assert_string_equal(v.outcome, "ASSERT");
    assert_string_equal(v.signature, "Bad address (src/pipe.cpp:394)");
    zr_verdict_free(&v);
    free(err);
}

static void assertion_failed_line_is_an_assertion(void **state)
{
    (void)state;
    char sig[256];
    assert_true(zr_find_libzmq_abort("noise\nAssertion failed: false (src/object.cpp:170)\n", sig, sizeof sig));
    assert_string_equal(sig, "Assertion failed: false (src/object.cpp:170)");
    assert_true(zr_find_libzmq_abort("Assertion failed: check () (src/msg.cpp:414)\n", sig, sizeof sig));
    assert_string_equal(sig, "Assertion failed: check () (src/msg.cpp:414)");
    assert_false(zr_find_libzmq_abort("Traceback (most recent call last):\n  File \"x.py\", line 3\n", sig, sizeof sig));
}

static void faulthandler_segfault_is_a_signal_not_a_fatal_error(void **state)
{
    (void)state;
    char *err = fixture("stderr_faulthandler_sigsegv.txt");
    struct zr_run_output run = { false, -1, SIGSEGV, false, "", err, NULL };
    struct zr_verdict v;
    zr_classify(&run, &v);
    assert_string_equal(v.outcome, "SIGNAL");
    assert_string_equal(v.signature, "SIGSEGV");
    assert_non_null(strstr(v.report, "most recent call first"));
    zr_verdict_free(&v);
    free(err);
}

static void cpython_fatal_error(void **state)
{
    (void)state;
    char *err = fixture("stderr_fatal_python_error.txt");
    struct zr_run_output run = { false, -1, SIGABRT, false, "", err, NULL };
    struct zr_verdict v;
    zr_classify(&run, &v);
    assert_string_equal(v.outcome, "FATAL_PYTHON");
    assert_non_null(strstr(v.signature, "Fatal Python error: "));
    assert_non_null(strstr(v.signature, "GIL held"));
    zr_verdict_free(&v);
    free(err);
}

static void hang_names_the_blocked_frame(void **state)
{
    (void)state;
    char *stacks = fixture("gdb_hang_ctx_term_tsan.txt");
    struct zr_run_output run = { false, -1, SIGKILL, true, "", "", stacks };
    struct zr_verdict v;
    zr_classify(&run, &v);
    assert_string_equal(v.outcome, "HANG");
    /* libzmq's own I/O and reaper threads idle in epoll: not named. */
    assert_string_equal(v.signature,
                        "zmq_ctx_term -> zmq::ctx_t::terminate -> zmq::mailbox_t::recv -> zmq::signaler_t::wait");
    zr_verdict_free(&v);
    free(stacks);
}

static void hang_without_debug_symbols_names_the_api_call(void **state)
{
    (void)state;
    char sig[256];
    char *stacks = fixture("gdb_hang_ctx_term_stress.txt");
    zr_hang_signature(stacks, sig, sizeof sig);
    assert_string_equal(sig, "zmq_ctx_term");
    free(stacks);
    stacks = fixture("gdb_hang_python_shared_socket_stress.txt");
    zr_hang_signature(stacks, sig, sizeof sig);
    assert_string_equal(sig, "zmq_msg_recv | zmq_msg_send");
    free(stacks);
}

static void hang_of_python_term(void **state)
{
    (void)state;
    char sig[256];
    char *stacks = fixture("gdb_hang_python_bus_tsan.txt");
    zr_hang_signature(stacks, sig, sizeof sig);
    assert_non_null(strstr(sig, "zmq_ctx_term -> zmq::ctx_t::terminate"));
    free(stacks);
}

static void hang_report_keeps_the_end_of_a_huge_stderr(void **state)
{
    (void)state;
    size_t n = 4 * 1024 * 1024;
    char *err = malloc(n + 64);
    memset(err, 'x', n);
    strcpy(err + n, "\nFatal Python error: Aborted\n");
    struct zr_run_output run = { false, -1, SIGKILL, true, "", err, "Thread 1 (LWP 1):\n#0  zmq_ctx_term ()\n" };
    struct zr_verdict v;
    zr_classify(&run, &v);
    assert_string_equal(v.outcome, "HANG");
    assert_true(strlen(v.report) < 100 * 1024);
    assert_non_null(strstr(v.report, "Fatal Python error: Aborted"));
    zr_verdict_free(&v);
    free(err);
}

static void done_line_accounts_for_every_message(void **state)
{
    (void)state;
    struct zr_verdict v = classify_exit(0, "DONE sent=100 received=100\n", "");
    assert_string_equal(v.outcome, "CLEAN");
    assert_int_equal(v.sent, 100);
    v = classify_exit(0, "progress\nDONE sent=100 received=97\n", "");
    assert_string_equal(v.outcome, "LOSS");
    assert_string_equal(v.signature, "sent=100 received=97");
    v = classify_exit(0, "DONE\n", "");
    assert_string_equal(v.outcome, "CLEAN");
}

static void stderr_in_a_clean_run_is_noise(void **state)
{
    (void)state;
    struct zr_verdict v = classify_exit(0, "DONE\n", "Exception in callback None()\nTraceback ...\n");
    assert_string_equal(v.outcome, "NOISE");
    assert_string_equal(v.signature, "Exception in callback None()");
    zr_verdict_free(&v);
}

static void exit_without_done_is_not_clean(void **state)
{
    (void)state;
    struct zr_verdict v = classify_exit(0, "", "");
    assert_string_equal(v.outcome, "EXIT");
    v = classify_exit(1, "", "Traceback (most recent call last):\nzmq.error.ZMQError: Operation not supported\n");
    assert_string_equal(v.outcome, "EXIT");
    assert_string_equal(v.signature, "exit 1: zmq.error.ZMQError: Operation not supported");
    zr_verdict_free(&v);
}

static void harness_failures_are_errors(void **state)
{
    (void)state;
    struct zr_verdict v = classify_exit(3, "", "SETUP-ERROR: zmq_connect(bogus): Invalid argument\n");
    assert_string_equal(v.outcome, "ERROR");
    assert_string_equal(v.signature, "SETUP-ERROR: zmq_connect(bogus): Invalid argument");
    zr_verdict_free(&v);
    v = classify_exit(66, "", "FATAL: ThreadSanitizer: unexpected memory mapping 0x7f0000000000-0x7f0000001000\n");
    assert_string_equal(v.outcome, "ERROR");
    zr_verdict_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tsan_data_race_names_the_first_libzmq_frame),
        cmocka_unit_test(tsan_report_outranks_the_done_line),
        cmocka_unit_test(errno_style_abort_is_an_assertion),
        cmocka_unit_test(assertion_failed_line_is_an_assertion),
        cmocka_unit_test(faulthandler_segfault_is_a_signal_not_a_fatal_error),
        cmocka_unit_test(cpython_fatal_error),
        cmocka_unit_test(hang_names_the_blocked_frame),
        cmocka_unit_test(hang_without_debug_symbols_names_the_api_call),
        cmocka_unit_test(hang_of_python_term),
        cmocka_unit_test(hang_report_keeps_the_end_of_a_huge_stderr),
        cmocka_unit_test(done_line_accounts_for_every_message),
        cmocka_unit_test(stderr_in_a_clean_run_is_noise),
        cmocka_unit_test(exit_without_done_is_not_clean),
        cmocka_unit_test(harness_failures_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
