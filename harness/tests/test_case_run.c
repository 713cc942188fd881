/* Result documents: what they name, and that they are written atomically. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "case_run.h"

static void fake_run(struct zr_case_spec *spec, struct zr_case_run *run, struct zr_attempt *attempts)
{
    char err[256];
    assert_int_equal(zr_case_spec_parse_text("cases/shared-socket/broken_two.c",
                                             "// @family shared-socket\n// @variant broken\n// @expect tsan TSAN:zmq::\n",
                                             spec, err, sizeof err), 0);
    memset(run, 0, sizeof *run);
    memset(attempts, 0, 2 * sizeof *attempts);
    run->spec = spec;
    run->mode = ZR_MODE_TSAN;
    run->max_attempts = 5;
    run->n = 2;
    run->met = 1;
    run->deciding = 1;
    run->time_to_first_s = 0.61;
    run->attempts = attempts;
    strcpy(attempts[0].verdict.outcome, "CLEAN");
    strcpy(attempts[1].verdict.outcome, "TSAN");
    strcpy(attempts[1].verdict.signature, "data race zmq::mailbox_t::recv mailbox.cpp:72");
    attempts[1].verdict.report = "WARNING: ThreadSanitizer: data race (pid=1)";
    attempts[1].verdict.sent = attempts[1].verdict.received = -1;
    attempts[1].server_received = 10;
    attempts[1].server_replied = 10;
    attempts[1].server_unroutable = 0;
    strcpy(run->status_text, "reproduced");
}

static void result_names_case_outcome_and_build(void **state)
{
    (void)state;
    struct zr_case_spec spec;
    struct zr_case_run run;
    struct zr_attempt attempts[2];
    fake_run(&spec, &run, attempts);
    json_t *env = json_pack("{s:{s:s, s:s}}", "libzmq", "name", "libzmq 4.3.4 tsan", "library_sha256", "c6a6");
    json_t *doc = zr_case_run_json(&run, env);
    assert_string_equal(json_string_value(json_object_get(doc, "case")), "shared-socket/broken_two");
    assert_string_equal(json_string_value(json_object_get(doc, "outcome")), "TSAN");
    assert_string_equal(json_string_value(json_object_get(doc, "signature")),
                        "data race zmq::mailbox_t::recv mailbox.cpp:72");
    assert_string_equal(json_string_value(json_object_get(doc, "expectation")), "held");
    json_t *lib = json_object_get(json_object_get(doc, "environment"), "libzmq");
    assert_string_equal(json_string_value(json_object_get(lib, "name")), "libzmq 4.3.4 tsan");
    json_t *a = json_array_get(json_object_get(doc, "attempts"), 1);
    assert_string_equal(json_string_value(json_object_get(a, "report")), "WARNING: ThreadSanitizer: data race (pid=1)");
    assert_true(json_is_null(json_object_get(a, "sent")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "server"), "replied")), 10);
    json_decref(doc);
    json_decref(env);
}

static void result_is_written_atomically(void **state)
{
    (void)state;
    char dir[] = "/tmp/zmq-repro-test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[256], path[1400], err[512];
    snprintf(sub, sizeof sub, "%s/results/runs", dir);
    json_t *doc = json_pack("{s:s}", "case", "x/y");
    assert_int_equal(zr_write_result(sub, "x-y-tsan", doc, path, sizeof path, err, sizeof err), 0);
    json_error_t jerr;
    json_t *back = json_load_file(path, 0, &jerr);
    assert_non_null(back);
    assert_string_equal(json_string_value(json_object_get(back, "case")), "x/y");
    /* Nothing but the finished file is left in the directory. */
    DIR *d = opendir(sub);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' || strstr(e->d_name, ".tmp"))
            files++, assert_null(strstr(e->d_name, ".tmp"));
    closedir(d);
    assert_int_equal(files, 1);
    unlink(path);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/results", dir);
    rmdir(sub);
    rmdir(dir);
    json_decref(doc);
    json_decref(back);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(result_names_case_outcome_and_build),
        cmocka_unit_test(result_is_written_atomically),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
