/* The sockets a hung zmq_ctx_term waits for, and what the runner says of
 * them, from socket logs that libzr_loaded.so wrote in real runs of the
 * programs in harness/tests/progs/ (term_hang_unsent.c, .py and
 * term_hang_other_thread.c), each killed while it hung. The C programs'
 * modules may be gone when this runs: the sites are then named from the log
 * ("term_hang_unsent+0x116f") instead of addr2line's "term_hang_unsent.c:22". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diagnosis.h"
#include "open_sockets.h"
#include "text.h"

static char *fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ZR_FIXTURES, name);
    char *text = zr_read_file(path, NULL);
    assert_non_null(text);
    return text;
}

/* The pid of the log's first line. */
static long first_pid(const char *text)
{
    const char *p = strstr(text, "pid=");
    assert_non_null(p);
    return atol(p + 4);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static char *diagnose_fixture(const char *name)
{
    char *text = fixture(name);
    char *d = zr_diagnose_term_hang(text, first_pid(text));
    free(text);
    return d;
}

static void c_open_socket_with_unsent_message(void **state)
{
    (void)state;
    char *text = fixture("sockets_log_c_unsent_open.txt");
    struct zr_term_wait w;
    assert_int_equal(zr_open_sockets_parse(text, first_pid(text), &w), 1);
    assert_string_equal(w.call, "zmq_ctx_term");
    assert_int_equal(w.nopen, 1);
    assert_int_equal(w.nlingering, 0);
    assert_string_equal(w.open[0].type, "DEALER");
    assert_int_equal(w.open[0].linger, -1);
    assert_false(w.open[0].linger_set);
    assert_int_equal(w.open[0].sent, 1);
    assert_int_equal(w.open[0].nendpoints, 1);
    assert_string_equal(w.open[0].endpoints[0], "ipc:///tmp/zr-fixture/nobody");
    assert_int_equal(w.open[0].tid, w.tid);
    assert_false(w.untracked);
    zr_term_wait_free(&w);

    char *d = zr_diagnose_term_hang(text, first_pid(text));
    assert_non_null(d);
    assert_non_null(strstr(d, "your program: zmq_ctx_term waits for 1 socket that is still open:\n"));
    assert_non_null(strstr(d, "  DEALER created at "));
    assert_non_null(strstr(d, "term_hang_unsent"));
    assert_non_null(strstr(d, "LINGER -1, the default"));
    assert_non_null(strstr(d, "its 1 message sent to ipc:///tmp/zr-fixture/nobody"));
    assert_non_null(strstr(d, "fix: close every socket in the thread that owns it before zmq_ctx_term"));
    assert_non_null(strstr(d, "libzmq #2586, pyzmq #991"));
    assert_null(strstr(d, "pyzmq:"));
    free(d);
    free(text);
}

static void c_closed_socket_lingers(void **state)
{
    (void)state;
    char *text = fixture("sockets_log_c_unsent_closed.txt");
    struct zr_term_wait w;
    assert_int_equal(zr_open_sockets_parse(text, first_pid(text), &w), 1);
    assert_int_equal(w.nopen, 0);
    assert_int_equal(w.nlingering, 1);
    assert_int_equal(w.lingering[0].sent, 1);
    zr_term_wait_free(&w);
    char *d = zr_diagnose_term_hang(text, first_pid(text));
    assert_non_null(d);
    assert_non_null(strstr(d, "waits for 1 closed socket with LINGER -1"));
    assert_non_null(strstr(d, "DEALER created at "));
    assert_non_null(
        strstr(d, "closed with LINGER -1 (the default) after sending 1 message to ipc:///tmp/zr-fixture/nobody"));
    free(d);
    free(text);
}

static void c_socket_left_open_in_another_thread(void **state)
{
    (void)state;
    char *text = fixture("sockets_log_c_other_thread.txt");
    struct zr_term_wait w;
    assert_int_equal(zr_open_sockets_parse(text, first_pid(text), &w), 1);
    assert_int_equal(w.nopen, 1);
    assert_string_equal(w.open[0].type, "PULL");
    assert_string_equal(w.open[0].thread, "worker-1");
    assert_true(w.open[0].tid != w.tid);
    assert_int_equal(w.open[0].sent, 0);
    zr_term_wait_free(&w);
    char *d = zr_diagnose_term_hang(text, first_pid(text));
    assert_non_null(d);
    assert_non_null(strstr(d, "  PULL still open in thread worker-1 (tid "));
    assert_non_null(strstr(d, ", not the one in term), created at "));
    assert_non_null(strstr(d, "term_hang_other_thread"));
    assert_non_null(strstr(d, "close it there (its owner) before term"));
    assert_non_null(strstr(d, "it sent nothing"));
    free(d);
    free(text);
}

static void python_open_socket_names_the_script_line(void **state)
{
    (void)state;
    char *d = diagnose_fixture("sockets_log_python_unsent_open.txt");
    assert_non_null(d);
    assert_non_null(
        strstr(d, "your program: zmq_ctx_destroy (pyzmq's ctx.term()) waits for 1 socket that is still open"));
    /* dealer = ctx.socket(zmq.DEALER), in connect(): the user's line, not pyzmq's sugar/context.py */
    assert_non_null(strstr(d, "  DEALER created at term_hang_unsent.py:14 in thread MainThread, never closed"));
    assert_non_null(strstr(d, "LINGER -1, the default"));
    assert_non_null(strstr(d, "pyzmq: sock.close(linger=0)"));
    free(d);
}

/* pyzmq #2070's bus (the suite's hang-at-shutdown/broken_threaddevice_bus,
 * stress mode): the asyncio loop thread's SUB is never closed. */
static void python_bus_names_the_loop_thread_socket(void **state)
{
    (void)state;
    char *d = diagnose_fixture("sockets_log_python_threaddevice_bus.txt");
    assert_non_null(d);
    assert_non_null(strstr(d, "  SUB still open in thread async-subscribers-loop (tid "));
    assert_non_null(strstr(d, "created at broken_threaddevice_bus.py:81: close it there (its owner) before term"));
    assert_int_equal(count(d, "\n  "), 1);
    free(d);
}

/* libzmq_owner.so preloaded before the probe (owner mode): the probe's
 * caller is the checker's wrapper, which is not named as the program's line. */
static void the_ownership_checker_is_not_the_creation_site(void **state)
{
    (void)state;
    char *d = diagnose_fixture("sockets_log_c_owner_preloaded_first.txt");
    assert_non_null(d);
    assert_non_null(strstr(d, "DEALER created at an unknown line (the ownership checker's zmq_socket is between"));
    assert_null(strstr(d, "zmq_owner.c"));
    free(d);
}

/* A correct program: its term returned (TERM_DONE), nothing to say. */
static void correct_programs_get_no_diagnosis(void **state)
{
    (void)state;
    const char *names[] = { "sockets_log_c_linger0.txt", "sockets_log_c_other_thread_clean.txt",
                            "sockets_log_python_linger0.txt" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *text = fixture(names[i]);
        struct zr_term_wait w;
        assert_int_equal(zr_open_sockets_parse(text, first_pid(text), &w), 0);
        assert_null(zr_diagnose_term_hang(text, first_pid(text)));
        free(text);
    }
    assert_null(zr_diagnose_term_hang(NULL, 1));
    assert_null(zr_diagnose_term_hang("", 1));
}

/* An endpoint with a blank, a '%' and a newline followed by a forged CLOSE
 * line: escaped by the probe, one endpoint again here, and no control
 * character reaches the diagnosis. */
static void a_forged_line_stays_inside_its_value(void **state)
{
    (void)state;
    char *text = fixture("sockets_log_c_forged_endpoint.txt");
    assert_int_equal(count(text, "\n"), 5);
    struct zr_term_wait w;
    assert_int_equal(zr_open_sockets_parse(text, first_pid(text), &w), 1);
    assert_int_equal(w.nopen, 1);
    assert_string_equal(w.open[0].endpoints[0], "ipc:///tmp/zr-fixture/x y%\nCLOSE pid=1 sock=0x1");
    zr_term_wait_free(&w);
    char *d = zr_diagnose_term_hang(text, first_pid(text));
    assert_non_null(d);
    assert_int_equal(count(d, "\n"), 2);
    assert_non_null(strstr(d, "ipc:///tmp/zr-fixture/x y%?CLOSE pid=1 sock=0x1"));
    free(d);
    free(text);
}

/* Two processes appended to one log: each is read on its own. */
static void each_process_is_read_on_its_own(void **state)
{
    (void)state;
    char *text = fixture("sockets_log_two_processes.txt");
    long hung = first_pid(text);
    const char *second = strstr(strstr(text, "LINGER pid="), "pid=");
    long clean = atol(second + 4);
    assert_true(hung != clean);
    char *d = zr_diagnose_term_hang(text, hung);
    assert_non_null(d);
    assert_non_null(strstr(d, "ipc:///tmp/zr-fixture/a"));
    assert_null(strstr(d, "ipc:///tmp/zr-fixture/b"));
    free(d);
    assert_null(zr_diagnose_term_hang(text, clean));
    assert_null(zr_diagnose_term_hang(text, 1));
    free(text);
}

/* The log read while the program writes it: a last line without its
 * newline is not read (no TERM yet: nothing to say; a cut SOCKET line: no
 * socket). */
static void a_line_being_written_is_not_read(void **state)
{
    (void)state;
    char *text = fixture("sockets_log_c_unsent_open.txt");
    char *term = strstr(text, "TERM pid=");
    assert_non_null(term);
    term[10] = '\0';
    assert_null(zr_diagnose_term_hang(text, first_pid(text)));
    struct zr_term_wait w;
    assert_int_equal(zr_open_sockets_parse(text, first_pid(text), &w), 0);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(c_open_socket_with_unsent_message),
        cmocka_unit_test(c_closed_socket_lingers),
        cmocka_unit_test(c_socket_left_open_in_another_thread),
        cmocka_unit_test(python_open_socket_names_the_script_line),
        cmocka_unit_test(python_bus_names_the_loop_thread_socket),
        cmocka_unit_test(the_ownership_checker_is_not_the_creation_site),
        cmocka_unit_test(correct_programs_get_no_diagnosis),
        cmocka_unit_test(a_forged_line_stays_inside_its_value),
        cmocka_unit_test(each_process_is_read_on_its_own),
        cmocka_unit_test(a_line_being_written_is_not_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
