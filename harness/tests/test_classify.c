/* The classifier, fed with outputs captured from real runs (fixtures/), and
 * with every way the harness itself can fail: none of them may ever be
 * counted as a reproduction. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

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

static struct zr_verdict classify(struct zr_run_output run)
{
    struct zr_verdict v;
    zr_classify(&run, &v);
    return v;
}

static struct zr_verdict classify_exit(int code, const char *out, const char *err)
{
    return classify((struct zr_run_output){ .exited = true, .exit_code = code, .out = out, .err = err });
}

/* An expectation list from words such as "TSAN:data-race:@libzmq". */
static bool met(const struct zr_verdict *v, const char *expectation)
{
    char outcome[64], *colon;
    snprintf(outcome, sizeof outcome, "%s", expectation);
    colon = strchr(outcome, ':');
    struct zr_expectation e = { outcome, NULL };
    if (colon) {
        *colon = '\0';
        e.text = colon + 1;
    }
    struct zr_expect_list list = { 1, &e };
    return zr_expectation_met(&list, v);
}

static void tsan_race_in_libzmq_names_both_accesses(void **state)
{
    (void)state;
    char *err = fixture("tsan_data_race_mailbox.txt");
    struct zr_verdict v = classify_exit(66, "", err);
    assert_string_equal(v.outcome, "TSAN");
    assert_string_equal(v.signature, "data-race zmq::mailbox_t::recv mailbox.cpp:72 | zmq::mailbox_t::recv mailbox.cpp:77");
    assert_string_equal(v.symptom, "data-race zmq::mailbox_t::recv | zmq::mailbox_t::recv");
    assert_string_equal(v.location, "mailbox.cpp:72 | mailbox.cpp:77");
    assert_true(met(&v, "TSAN:data-race:@libzmq"));
    assert_true(met(&v, "TSAN:data-race:zmq::mailbox_t"));
    assert_false(met(&v, "TSAN:heap-use-after-free"));
    assert_false(v.libzmq_internal);
    assert_true(!strncmp(v.report, "==================", 18));
    zr_verdict_free(&v);
    free(err);
}

/* Reports whose context stacks (thread creation, allocation) are in libzmq,
 * but whose accesses are not: never a libzmq race. */
static void tsan_reports_outside_libzmq_are_not_credited_to_it(void **state)
{
    (void)state;
    static const char *const names[] = {
        "tsan_thread_leak_socket_owner.txt",
        "tsan_lock_order_inversion_user_mutexes.txt",
        "tsan_data_race_user_callback_io_thread.txt",
        "tsan_data_race_user_counter.txt",
        NULL,
    };
    for (int i = 0; names[i]; i++) {
        char *err = fixture(names[i]);
        struct zr_verdict v = classify_exit(66, "", err);
        assert_string_equal(v.outcome, "TSAN");
        if (met(&v, "TSAN:data-race:@libzmq") || met(&v, "TSAN:zmq::"))
            fail_msg("%s was credited to libzmq: %s", names[i], v.signature);
        zr_verdict_free(&v);
        free(err);
    }
}

static void tsan_use_after_free_is_its_kind(void **state)
{
    (void)state;
    char *err = fixture("tsan_heap_use_after_free_zerocopy_callback.txt");
    struct zr_verdict v = classify_exit(66, "", err);
    assert_true(met(&v, "TSAN:heap-use-after-free"));
    assert_false(met(&v, "TSAN:data-race"));
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
    struct zr_verdict v = classify((struct zr_run_output){ .signal = SIGABRT, .out = "", .err = err });
    assert_string_equal(v.outcome, "ASSERT");
    assert_string_equal(v.signature, "Bad address (src/pipe.cpp:394)");
    assert_string_equal(v.symptom, "Bad address (src/pipe.cpp)");
    assert_string_equal(v.location, "src/pipe.cpp:394");
    /* What it means, and whose doing it usually is. */
    assert_non_null(v.diagnosis);
    assert_non_null(strstr(v.diagnosis, "one socket used by two threads"));
    zr_verdict_free(&v);
    free(err);
}

/* A CMake-built libzmq embeds absolute paths: the same outcome as any build. */
static void cmake_build_assertions_are_assertions(void **state)
{
    (void)state;
    char *err = fixture("stderr_assert_cmake_abspath.txt");
    struct zr_verdict v = classify((struct zr_run_output){ .signal = SIGABRT, .out = "", .err = err });
    assert_string_equal(v.outcome, "ASSERT");
    assert_string_equal(v.signature, "Assertion failed: check () (src/msg.cpp:387)");
    assert_string_equal(v.symptom, "Assertion failed: check () (src/msg.cpp)");
    zr_verdict_free(&v);
    free(err);
    err = fixture("stderr_assert_cmake_abspath_errno.txt");
    v = classify((struct zr_run_output){ .signal = SIGABRT, .out = "", .err = err });
    assert_string_equal(v.outcome, "ASSERT");
    assert_string_equal(v.signature, "Bad address (src/pipe.cpp:367)");
    zr_verdict_free(&v);
    free(err);
}

static void the_assertion_of_pyzmq_2094(void **state)
{
    (void)state;
    char *sig, *symptom, *location;
    const char *err = "noise\nAssertion failed: false (src/object.cpp:170)\n";
    assert_true(zr_find_libzmq_abort(err, strlen(err), &sig, &symptom, &location));
    assert_string_equal(sig, "Assertion failed: false (src/object.cpp:170)");
    free(sig);
    free(symptom);
    free(location);
    const char *py = "Traceback (most recent call last):\n  File \"x.py\", line 3\n";
    assert_false(zr_find_libzmq_abort(py, strlen(py), &sig, &symptom, &location));
}

static void fatal_python_error_but_not_faulthandler_signal_lines(void **state)
{
    (void)state;
    char *err = fixture("stderr_fatal_python_error.txt");
    struct zr_verdict v = classify((struct zr_run_output){ .signal = SIGABRT, .out = "", .err = err });
    assert_string_equal(v.outcome, "FATAL_PYTHON");
    zr_verdict_free(&v);
    free(err);
    err = fixture("stderr_faulthandler_sigsegv.txt");
    v = classify((struct zr_run_output){ .signal = SIGSEGV, .out = "", .err = err });
    assert_string_equal(v.outcome, "SIGNAL");
    assert_string_equal(v.signature, "SIGSEGV");
    zr_verdict_free(&v);
    free(err);
}

/* kill -9 from outside is not a symptom that libzmq can raise. */
static void a_client_killed_from_outside_is_an_error(void **state)
{
    (void)state;
    int outside[] = { SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1 };
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        struct zr_verdict v = classify((struct zr_run_output){ .signal = outside[i], .out = "", .err = "" });
        assert_string_equal(v.outcome, "ERROR");
        assert_non_null(strstr(v.signature, "killed from outside"));
        zr_verdict_free(&v);
    }
}

static struct zr_server_view server(long long received, long long replied)
{
    return (struct zr_server_view){ .present = true, .received = received, .replied = replied, .unroutable = 0,
                                    .held = 0 };
}

/* kill -9 of the server during an attempt: ERROR with the server's words,
 * whatever the client showed. */
static void a_dead_or_stopped_server_is_an_error(void **state)
{
    (void)state;
    char *err = fixture("tsan_data_race_mailbox.txt");
    struct zr_server_view dead = server(10, 10);
    dead.died = true;
    dead.how = "was killed by SIGKILL";
    dead.err_text = "router_server: something\n";
    struct zr_verdict v = classify((struct zr_run_output){ .timed_out = true, .out = "", .err = "", .server = &dead });
    assert_string_equal(v.outcome, "ERROR");
    assert_non_null(strstr(v.signature, "the ROUTER server was killed by SIGKILL"));
    zr_verdict_free(&v);
    v = classify((struct zr_run_output){ .exited = true, .exit_code = 66, .out = "", .err = err, .server = &dead });
    assert_string_equal(v.outcome, "ERROR");
    zr_verdict_free(&v);
    struct zr_server_view stopped = server(10, 10);
    stopped.stalled = true;
    stopped.how = "was stopped (state T)";
    v = classify((struct zr_run_output){ .stalled = true, .out = "", .err = "", .server = &stopped });
    assert_string_equal(v.outcome, "ERROR");
    zr_verdict_free(&v);
    free(err);
}

/* A hang is a lost wake-up only when the server answered every request. */
static void a_hang_with_unanswered_requests_is_an_error(void **state)
{
    (void)state;
    struct zr_server_view behind = server(10, 7);
    struct zr_verdict v = classify((struct zr_run_output){ .timed_out = true, .out = "", .err = "", .server = &behind,
                                                           .stacks_error = "none" });
    assert_string_equal(v.outcome, "ERROR");
    assert_non_null(strstr(v.signature, "had not answered 3 of 10"));
    zr_verdict_free(&v);
    struct zr_server_view answered = server(10, 10);
    char *stacks = fixture("eu_stack_hang_python_shared_socket_stress.txt");
    v = classify((struct zr_run_output){ .stalled = true, .out = "", .err = "", .server = &answered, .stacks = stacks });
    assert_string_equal(v.outcome, "HANG");
    assert_true(met(&v, "HANG:zmq_msg_recv"));
    zr_verdict_free(&v);
    free(stacks);
}

/* What the client printed after the harness's own SIGABRT (faulthandler, or
 * a report that abort provoked) never outranks the hang that caused it. */
static void text_after_the_harness_stepped_in_is_not_evidence(void **state)
{
    (void)state;
    char *report = fixture("tsan_data_race_mailbox.txt");
    char *stacks = fixture("eu_stack_hang_ctx_term_tsan.txt");
    char *err = zr_strdup_printf("some output before\n%s", report);
    struct zr_verdict v = classify((struct zr_run_output){ .timed_out = true, .signal = SIGABRT, .out = "", .err = err,
                                                           .err_before_hang = strlen("some output before\n"),
                                                           .stacks = stacks });
    assert_string_equal(v.outcome, "HANG");
    assert_string_equal(v.signature, "zmq_ctx_term -> zmq::ctx_t::terminate -> zmq::mailbox_t::recv -> zmq::signaler_t::wait");
    zr_verdict_free(&v);
    /* Before the hang, the same report is the verdict. */
    v = classify((struct zr_run_output){ .timed_out = true, .out = "", .err = err, .err_before_hang = strlen(err),
                                         .stacks = stacks });
    assert_string_equal(v.outcome, "TSAN");
    zr_verdict_free(&v);
    free(err);
    free(report);
    free(stacks);
}

static void a_python_hang_names_the_script_line(void **state)
{
    (void)state;
    char *stacks = fixture("eu_stack_hang_python_bus_tsan.txt");
    char *err = fixture("stderr_faulthandler_python_bus_tsan.txt");
    struct zr_verdict v = classify((struct zr_run_output){ .timed_out = true, .signal = SIGABRT, .out = "", .err = err,
                                                           .err_before_hang = 0, .stacks = stacks });
    assert_string_equal(v.outcome, "HANG");
    assert_non_null(strstr(v.signature, "zmq_ctx_term"));
    assert_non_null(strstr(v.signature, "|| py main: broken_threaddevice_bus.py:"));
    assert_true(met(&v, "HANG:zmq_ctx_term"));
    zr_verdict_free(&v);
    free(stacks);
    free(err);
}

/* No stacks (no eu-stack, no ptrace): still a HANG, saying why, and a
 * HANG:frame expectation can be judged neither way. */
static void a_hang_without_stacks_says_why(void **state)
{
    (void)state;
    struct zr_verdict v = classify((struct zr_run_output){ .timed_out = true, .out = "", .err = "",
                                                           .stacks_error = "ptrace is not permitted" });
    assert_string_equal(v.outcome, "HANG");
    assert_true(v.stacks_missing);
    assert_non_null(strstr(v.signature, "ptrace is not permitted"));
    struct zr_expectation e = { "HANG", "zmq_ctx_term" };
    struct zr_expect_list list = { 1, &e };
    assert_false(zr_expectation_met(&list, &v));
    assert_true(zr_expectation_undecidable(&list, &v));
    assert_true(met(&v, "HANG"));
    zr_verdict_free(&v);
}

static void the_harness_finding_about_the_library_is_an_error(void **state)
{
    (void)state;
    char *err = fixture("tsan_data_race_mailbox.txt");
    struct zr_verdict v = classify((struct zr_run_output){ .exited = true, .exit_code = 66, .out = "", .err = err,
                                                           .harness_error = "the client loaded /usr/lib/libzmq.so.5" });
    assert_string_equal(v.outcome, "ERROR");
    assert_string_equal(v.signature, "the client loaded /usr/lib/libzmq.so.5");
    zr_verdict_free(&v);
    free(err);
}

static void setup_errors_and_tsan_failing_to_start_are_errors(void **state)
{
    (void)state;
    struct zr_verdict v = classify_exit(3, "", "SETUP-ERROR: zmq_connect tcp://x: Invalid argument\n");
    assert_string_equal(v.outcome, "ERROR");
    zr_verdict_free(&v);
    v = classify_exit(66, "", "FATAL: ThreadSanitizer: unexpected memory mapping 0x7b0000\n");
    assert_string_equal(v.outcome, "ERROR");
    zr_verdict_free(&v);
    v = classify_exit(127, "", "");
    assert_string_equal(v.outcome, "ERROR");
    zr_verdict_free(&v);
}

static void owner_checker_reports_are_their_own_outcome(void **state)
{
    (void)state;
    const char *err = "==42== zmq-owner: ERROR: socket 0x55 (DEALER) used by two threads at once; SHARED_SOCKET DEALER "
                      "zmq_recv (receiver) | zmq_send (sender)\n"
                      "==42== zmq-owner:   thread 44 is in zmq_send, called from sender+0x1c\n"
                      "==42== zmq-owner: SUMMARY: SHARED_SOCKET DEALER zmq_recv (receiver) | zmq_send (sender)\n";
    struct zr_verdict v = classify((struct zr_run_output){ .signal = SIGABRT, .out = "", .err = err });
    assert_string_equal(v.outcome, "SHARED_SOCKET");
    assert_string_equal(v.signature, "DEALER zmq_recv (receiver) | zmq_send (sender)");
    assert_true(met(&v, "SHARED_SOCKET:DEALER"));
    assert_non_null(strstr(v.report, "zmq-owner: ERROR"));
    zr_verdict_free(&v);
}

/* A crash in another thread before the checker's report was finished: its
 * first line, written at once, still names the overlap. */
static void an_owner_report_cut_short_by_a_crash(void **state)
{
    (void)state;
    const char *err = "==42== zmq-owner: ERROR: socket 0x55 (DEALER) used by two threads at once; SHARED_SOCKET DEALER "
                      "zmq_recv (worker) | zmq_send (worker)\n"
                      "==42== zmq-owner:   thread 44 was inside zmq_recv, called from worker+0x1c\n";
    struct zr_verdict v = classify((struct zr_run_output){ .signal = SIGSEGV, .out = "", .err = err });
    assert_string_equal(v.outcome, "SHARED_SOCKET");
    assert_string_equal(v.signature, "DEALER zmq_recv (worker) | zmq_send (worker)");
    assert_non_null(strstr(v.report, "thread 44 was inside"));
    zr_verdict_free(&v);
}

static void clean_noise_loss_and_exit(void **state)
{
    (void)state;
    struct zr_server_view answered = server(10, 10);
    struct zr_verdict v = classify_exit(0, "DONE sent=10 received=10\n", "");
    assert_string_equal(v.outcome, "CLEAN");
    zr_verdict_free(&v);
    v = classify_exit(0, "DONE\n", "Exception in callback ... ContextTerminated\n");
    assert_string_equal(v.outcome, "NOISE");
    zr_verdict_free(&v);
    v = classify((struct zr_run_output){ .exited = true, .out = "DONE sent=10 received=9\n", .err = "", .server = &answered });
    assert_string_equal(v.outcome, "LOSS");
    zr_verdict_free(&v);
    struct zr_server_view behind = server(10, 9);
    v = classify((struct zr_run_output){ .exited = true, .out = "DONE sent=10 received=9\n", .err = "", .server = &behind });
    assert_string_equal(v.outcome, "ERROR");
    zr_verdict_free(&v);
    v = classify_exit(1, "", "zmq_recv: Interrupted system call\n");
    assert_string_equal(v.outcome, "EXIT");
    assert_string_equal(v.signature, "exit 1: zmq_recv: Interrupted system call");
    zr_verdict_free(&v);
    v = classify_exit(0, "no done line\n", "");
    assert_string_equal(v.outcome, "EXIT");
    zr_verdict_free(&v);
}

/* Invalid UTF-8 in stderr must not drop the report from the JSON. */
static void reports_are_valid_utf8(void **state)
{
    (void)state;
    struct zr_verdict v = classify_exit(1, "", "bad \xff bytes\n");
    json_t *s = json_string(v.report);
    assert_non_null(s);
    json_decref(s);
    zr_verdict_free(&v);
}

/* A user's program (check without --done) is judged by what it did: exit 0
 * with nothing wrong is CLEAN without DONE, stderr that is no report is
 * NOISE, a DONE line's accounting means nothing, and a non-zero exit keeps
 * the end of both outputs as its report. */
/* A report counts only where its runtime was there: what a program prints
 * in the same format is its own text. */
static void reports_need_their_runtime(void **state)
{
    (void)state;
    /* libzmq's line from a program that did not abort. */
    struct zr_verdict v = classify((struct zr_run_output){ .exited = true, .out = "",
                                                           .err = "retrying connection (myapp.cpp:42)\n",
                                                           .judged_by_exit = true });
    assert_string_equal(v.outcome, "NOISE");
    zr_verdict_free(&v);
    v = classify((struct zr_run_output){ .exited = true, .exit_code = 1, .out = "",
                                         .err = "Assertion failed: false (src/object.cpp:170)\n", .judged_by_exit = true });
    assert_string_equal(v.outcome, "EXIT");
    zr_verdict_free(&v);
    /* A ThreadSanitizer block where no TSan runtime was loaded. */
    char *tsan = fixture("tsan_data_race_mailbox.txt");
    v = classify((struct zr_run_output){ .exited = true, .out = "", .err = tsan, .tsan_absent = true,
                                         .judged_by_exit = true });
    assert_string_equal(v.outcome, "NOISE");
    zr_verdict_free(&v);
    v = classify((struct zr_run_output){ .exited = true, .exit_code = 66, .out = "", .err = tsan });
    assert_string_equal(v.outcome, "TSAN");
    zr_verdict_free(&v);
    free(tsan);
    /* The checker's SUMMARY where the checker was not loaded. */
    v = classify((struct zr_run_output){ .exited = true, .out = "",
                                         .err = "==1== zmq-owner: SUMMARY: SHARED_SOCKET DEALER zmq_recv (a) | zmq_send (b)\n",
                                         .owner_absent = true, .judged_by_exit = true });
    assert_string_equal(v.outcome, "NOISE");
    zr_verdict_free(&v);
    /* CPython's fatal error printed by a C program. */
    v = classify((struct zr_run_output){ .exited = true, .exit_code = 1, .out = "",
                                         .err = "Fatal Python error: PyThreadState_Get: no current thread\n",
                                         .python_absent = true, .judged_by_exit = true });
    assert_string_equal(v.outcome, "EXIT");
    zr_verdict_free(&v);
}

/* One line of 200 KB on stderr: what is kept of it is capped, the cut marked. */
static void a_huge_line_is_capped(void **state)
{
    (void)state;
    size_t n = 200 * 1024;
    char *err = malloc(n + 2);
    memset(err, 'x', n);
    err[n] = '\n';
    err[n + 1] = '\0';
    struct zr_verdict v = classify((struct zr_run_output){ .exited = true, .out = "", .err = err, .judged_by_exit = true });
    assert_string_equal(v.outcome, "NOISE");
    assert_true(strlen(v.signature) < 8 * 1024);
    assert_non_null(strstr(v.signature, "bytes cut]"));
    assert_true(strlen(v.symptom) < 8 * 1024);
    assert_true(strlen(v.report) <= 64 * 1024 + 64);
    zr_verdict_free(&v);
    free(err);
}

static void programs_are_judged_by_what_they_did(void **state)
{
    (void)state;
    struct zr_server_view answered = server(10, 10);
    struct zr_verdict v = classify((struct zr_run_output){ .exited = true, .out = "", .err = "", .judged_by_exit = true });
    assert_string_equal(v.outcome, "CLEAN");
    zr_verdict_free(&v);
    v = classify((struct zr_run_output){ .exited = true, .out = "got 200 replies\n", .err = "", .judged_by_exit = true });
    assert_string_equal(v.outcome, "CLEAN");
    zr_verdict_free(&v);
    v = classify((struct zr_run_output){ .exited = true, .out = "", .err = "a warning\n", .judged_by_exit = true });
    assert_string_equal(v.outcome, "NOISE");
    zr_verdict_free(&v);
    v = classify((struct zr_run_output){ .exited = true, .out = "DONE sent=10 received=9\n", .err = "",
                                         .server = &answered, .judged_by_exit = true });
    assert_string_equal(v.outcome, "CLEAN");
    assert_int_equal(v.sent, -1);
    zr_verdict_free(&v);
    v = classify((struct zr_run_output){ .exited = true, .exit_code = 1, .out = "starting\nconnecting\n",
                                         .err = "bind: Address already in use\n", .judged_by_exit = true });
    assert_string_equal(v.outcome, "EXIT");
    assert_string_equal(v.signature, "exit 1: bind: Address already in use");
    assert_non_null(strstr(v.report, "connecting"));
    assert_non_null(strstr(v.report, "Address already in use"));
    zr_verdict_free(&v);
    /* A report still decides, DONE or not. */
    v = classify((struct zr_run_output){ .signal = SIGABRT, .out = "",
                                         .err = "Assertion failed: check () (src/msg.cpp:414)\n", .judged_by_exit = true });
    assert_string_equal(v.outcome, "ASSERT");
    zr_verdict_free(&v);
}

/* The tail of a long output: its last lines, cut at whole characters. */
static void output_tails_are_the_last_lines(void **state)
{
    (void)state;
    char *t = zr_output_tail("a\nb\nc\nd\n", 2, 100);
    assert_string_equal(t, "c\nd");
    free(t);
    t = zr_output_tail("", 20, 100);
    assert_string_equal(t, "");
    free(t);
    t = zr_output_tail("\xc3\xa9\xc3\xa9\xc3\xa9", 20, 3);
    assert_string_equal(t, "\xc3\xa9");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tsan_race_in_libzmq_names_both_accesses),
        cmocka_unit_test(tsan_reports_outside_libzmq_are_not_credited_to_it),
        cmocka_unit_test(tsan_use_after_free_is_its_kind),
        cmocka_unit_test(tsan_report_outranks_the_done_line),
        cmocka_unit_test(errno_style_abort_is_an_assertion),
        cmocka_unit_test(cmake_build_assertions_are_assertions),
        cmocka_unit_test(the_assertion_of_pyzmq_2094),
        cmocka_unit_test(fatal_python_error_but_not_faulthandler_signal_lines),
        cmocka_unit_test(a_client_killed_from_outside_is_an_error),
        cmocka_unit_test(a_dead_or_stopped_server_is_an_error),
        cmocka_unit_test(a_hang_with_unanswered_requests_is_an_error),
        cmocka_unit_test(text_after_the_harness_stepped_in_is_not_evidence),
        cmocka_unit_test(a_python_hang_names_the_script_line),
        cmocka_unit_test(a_hang_without_stacks_says_why),
        cmocka_unit_test(the_harness_finding_about_the_library_is_an_error),
        cmocka_unit_test(setup_errors_and_tsan_failing_to_start_are_errors),
        cmocka_unit_test(owner_checker_reports_are_their_own_outcome),
        cmocka_unit_test(an_owner_report_cut_short_by_a_crash),
        cmocka_unit_test(clean_noise_loss_and_exit),
        cmocka_unit_test(reports_are_valid_utf8),
        cmocka_unit_test(programs_are_judged_by_what_they_did),
        cmocka_unit_test(a_huge_line_is_capped),
        cmocka_unit_test(reports_need_their_runtime),
        cmocka_unit_test(output_tails_are_the_last_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
