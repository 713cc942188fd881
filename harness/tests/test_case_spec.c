/* A case's header is its expectation: parsing it, and judging outcomes by it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "case_spec.h"

static const char c_header[] =
    "/* One DEALER used by a send thread and a receive thread.\n"
    " *\n"
    " * @family  shared-socket\n"
    " * @variant broken\n"
    " * @server  delay\n"
    " * @server-delay-ms 50\n"
    " * @expect tsan   TSAN:zmq::\n"
    " * @expect stress ASSERT SIGNAL HANG:zmq_recv LOSS\n"
    " * @args stress   200000\n"
    " * @timeout stress 10\n"
    " * @upstream pyzmq#2094 libzmq#4649\n"
    " */\n"
    "#include <zmq.h>\n"
    "int main(void) { /* @notatag in code */ return 0; }\n";

static const char py_header[] =
    "# The single-owner poller.\n"
    "#\n"
    "# @family shared-socket\n"
    "# @variant fixed\n"
    "# @expect tsan CLEAN\n"
    "# @pymodule nativeloop\n"
    "import zmq\n";

static void parses_a_c_header(void **state)
{
    (void)state;
    struct zr_case_spec s;
    char err[256];
    assert_int_equal(zr_case_spec_parse_text("cases/shared-socket/broken_two.c", c_header, &s, err, sizeof err), 0);
    assert_string_equal(s.id, "shared-socket/broken_two");
    assert_int_equal(s.language, ZR_LANG_C);
    assert_int_equal(s.variant, ZR_VARIANT_BROKEN);
    assert_string_equal(s.server_mode, "delay");
    assert_int_equal(s.server_delay_ms, 50);
    assert_string_equal(s.upstream, "pyzmq#2094 libzmq#4649");
    assert_true(s.modes[ZR_MODE_TSAN].enabled);
    assert_int_equal(s.modes[ZR_MODE_TSAN].nexpect, 1);
    assert_string_equal(s.modes[ZR_MODE_TSAN].expect[0].outcome, "TSAN");
    assert_string_equal(s.modes[ZR_MODE_TSAN].expect[0].signature_text, "zmq::");
    assert_int_equal(s.modes[ZR_MODE_TSAN].timeout_s, 30);
    assert_int_equal(s.modes[ZR_MODE_STRESS].nexpect, 4);
    assert_int_equal(s.modes[ZR_MODE_STRESS].timeout_s, 10);
    assert_int_equal(s.modes[ZR_MODE_STRESS].nargs, 1);
    assert_string_equal(s.modes[ZR_MODE_STRESS].args[0], "200000");
}

static void parses_a_python_header(void **state)
{
    (void)state;
    struct zr_case_spec s;
    char err[256];
    assert_int_equal(zr_case_spec_parse_text("pyclients/shared-socket/fixed_poller.py", py_header, &s, err, sizeof err), 0);
    assert_int_equal(s.language, ZR_LANG_PYTHON);
    assert_int_equal(s.variant, ZR_VARIANT_FIXED);
    assert_string_equal(s.server_mode, "echo");
    assert_string_equal(s.pymodule, "nativeloop");
    assert_true(s.modes[ZR_MODE_TSAN].enabled);
    assert_false(s.modes[ZR_MODE_STRESS].enabled);
}

static void judges_outcomes_by_the_expectation(void **state)
{
    (void)state;
    struct zr_case_spec s;
    char err[256];
    zr_case_spec_parse_text("cases/f/x.c", c_header, &s, err, sizeof err);
    const struct zr_mode_spec *tsan = &s.modes[ZR_MODE_TSAN], *stress = &s.modes[ZR_MODE_STRESS];
    assert_true(zr_expectation_met(tsan, "TSAN", "data race zmq::mailbox_t::recv mailbox.cpp:72"));
    assert_false(zr_expectation_met(tsan, "TSAN", "data race main x.c:3"));
    assert_false(zr_expectation_met(tsan, "HANG", "zmq_recv"));
    assert_true(zr_expectation_met(stress, "HANG", "zmq_recv | zmq_send"));
    assert_false(zr_expectation_met(stress, "HANG", "zmq_ctx_term"));
    assert_true(zr_expectation_met(stress, "LOSS", "sent=10 received=9"));
    assert_false(zr_expectation_met(stress, "CLEAN", ""));
    char text[256];
    zr_expectations_format(stress, text, sizeof text);
    assert_string_equal(text, "ASSERT SIGNAL HANG:zmq_recv LOSS");
}

static void refuses_a_wrong_header(void **state)
{
    (void)state;
    struct zr_case_spec s;
    char err[256];
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c", "/* @family f\n * @variant broken\n */\n", &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "no @expect line"));
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c", "// @family f\n// @variant maybe\n", &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "broken or fixed"));
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c", "// @family f\n// @variant fixed\n// @expect tsan CRASH\n", &s,
                                             err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown outcome 'CRASH'"));
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c", "// @variant fixed\n// @expect tsan CLEAN\n", &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "@family"));
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.txt", py_header, &s, err, sizeof err), -1);
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c", "// @family f\n// @variant fixed\n// @expect never CLEAN\n", &s,
                                             err, sizeof err), -1);
    assert_non_null(strstr(err, "tsan or stress"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_c_header),
        cmocka_unit_test(parses_a_python_header),
        cmocka_unit_test(judges_outcomes_by_the_expectation),
        cmocka_unit_test(refuses_a_wrong_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
