/* Result documents: what they name (the case, how it was judged, the build,
 * every attempt with the library it really loaded), and that they are
 * written atomically. */
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
#include "figures.h"
#include "files.h"
#include "text.h"

static const char header[] = "// @family shared-socket\n// @variant broken\n// @expect tsan TSAN:data-race:@libzmq\n"
                             "// @fixed-in 4.3.9 CLEAN\n";

static void fake_run(struct zr_case_spec *spec, struct zr_build *build, struct zr_case_run *run,
                     struct zr_attempt *attempts)
{
    assert_int_equal(zr_case_spec_parse_text("cases/shared-socket/broken_two.c", header, spec), 0);
    memset(build, 0, sizeof *build);
    build->name = "debian-tsan";
    build->info = json_pack("{s:s, s:s, s:b, s:s}", "version", "4.3.4", "origin", "Debian source package zeromq3_4.3.4-6",
                            "instrumented", 1, "library", "/cache/store/k/lib/libzmq.so.5.2.4");
    memset(run, 0, sizeof *run);
    memset(attempts, 0, 2 * sizeof *attempts);
    run->spec = spec;
    run->mode = zr_mode_index(zr_mode_find("tsan"));
    run->build = build;
    run->judged = zr_case_judgement(spec, run->mode, &(struct zr_libzmq_release){ "4.3.4", NULL, NULL, NULL }, NULL);
    run->max_attempts = 5;
    run->n = 2;
    run->met = 1;
    run->deciding = 1;
    run->time_to_first_s = 0.61;
    run->attempts = attempts;
    run->status_text = "reproduced";
    strcpy(attempts[0].verdict.outcome, "CLEAN");
    attempts[0].verdict.signature = "";
    attempts[0].verdict.symptom = "";
    strcpy(attempts[1].verdict.outcome, "TSAN");
    attempts[1].verdict.signature = "data-race zmq::mailbox_t::recv mailbox.cpp:72 | zmq::mailbox_t::recv mailbox.cpp:77";
    attempts[1].verdict.symptom = "data-race zmq::mailbox_t::recv | zmq::mailbox_t::recv";
    attempts[1].verdict.report = "WARNING: ThreadSanitizer: data race (pid=1)";
    attempts[1].verdict.sent = attempts[1].verdict.received = -1;
    attempts[1].server = (struct zr_server_view){ .present = true, .received = 10, .replied = 10 };
    attempts[1].loaded_path = "/cache/store/k/lib/libzmq.so.5";
    attempts[1].loaded_version = "4.3.4";
}

static void result_names_case_judgement_build_and_library(void **state)
{
    (void)state;
    struct zr_case_spec spec;
    struct zr_build build;
    struct zr_case_run run;
    struct zr_attempt attempts[2];
    fake_run(&spec, &build, &run, attempts);
    json_t *doc = zr_case_run_json(&run, json_object());
    assert_string_equal(json_string_value(json_object_get(doc, "kind")), "run");
    assert_string_equal(json_string_value(json_object_get(doc, "case")), "shared-socket/broken_two");
    assert_string_equal(json_string_value(json_object_get(doc, "judged_as")), "broken");
    assert_true(json_is_null(json_object_get(doc, "fixed_upstream_in")));
    assert_string_equal(json_string_value(json_object_get(doc, "outcome")), "TSAN");
    assert_string_equal(json_string_value(json_object_get(doc, "expectation")), "held");
    json_t *b = json_object_get(doc, "build");
    assert_string_equal(json_string_value(json_object_get(b, "name")), "debian-tsan");
    assert_string_equal(json_string_value(json_object_get(b, "version")), "4.3.4");
    json_t *a = json_array_get(json_object_get(doc, "attempts"), 1);
    assert_string_equal(json_string_value(json_object_get(a, "report")), "WARNING: ThreadSanitizer: data race (pid=1)");
    json_t *loaded = json_object_get(a, "loaded_libzmq");
    assert_string_equal(json_string_value(json_object_get(loaded, "path")), "/cache/store/k/lib/libzmq.so.5");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "server"), "replied")), 10);
    json_decref(doc);
    /* On a version that fixed it, the same case is judged as fixed. */
    struct zr_judgement j = zr_case_judgement(&spec, run.mode, &(struct zr_libzmq_release){ "4.3.10", NULL, NULL, NULL }, NULL);
    assert_int_equal(j.as, ZR_VARIANT_FIXED);
    json_decref(build.info);
    zr_case_spec_free(&spec);
}

/* The median time to detect counts the reproductions only; the time per
 * reproduction counts every judged attempt, the clean ones too. */
static void time_per_reproduction_counts_the_clean_attempts(void **state)
{
    (void)state;
    struct zr_case_spec spec;
    struct zr_build build;
    struct zr_case_run run;
    struct zr_attempt attempts[2];
    fake_run(&spec, &build, &run, attempts);
    attempts[0].verdict_s = 2.0; /* CLEAN, after its whole run */
    attempts[1].verdict_s = 0.5; /* TSAN */
    struct zr_expectation any_tsan = { "TSAN", NULL };
    run.judged.expect = &(struct zr_expect_list){ 1, &any_tsan };
    json_t *figures = zr_figures(&run);
    assert_true(json_number_value(json_object_get(figures, "median_detect_s")) == 0.5);
    assert_true(json_number_value(json_object_get(figures, "time_per_detect_s")) == 2.5);
    json_decref(figures);
    /* No reproduction: no time per reproduction. */
    strcpy(attempts[1].verdict.outcome, "CLEAN");
    run.met = 0;
    figures = zr_figures(&run);
    assert_true(json_is_null(json_object_get(figures, "time_per_detect_s")));
    json_decref(figures);
    json_decref(build.info);
    zr_case_spec_free(&spec);
}

static void results_are_written_atomically(void **state)
{
    (void)state;
    char dir[] = "/tmp/zr-test-results.XXXXXX";
    assert_non_null(mkdtemp(dir));
    json_t *doc = json_pack("{s:s}", "case", "x");
    char path[2048], err[256];
    assert_int_equal(zr_write_result(dir, "stem", doc, path, sizeof path, err, sizeof err), 0);
    json_error_t jerr;
    json_t *back = json_load_file(path, 0, &jerr);
    assert_non_null(back);
    json_decref(back);
    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            files++;
            assert_null(strstr(e->d_name, ".tmp"));
        }
    closedir(d);
    assert_int_equal(files, 1);
    unlink(path);
    rmdir(dir);
    json_decref(doc);
}

/* --results or --json into a place that cannot be written: found before the run. */
static void unwritable_places_are_found_before_a_run(void **state)
{
    (void)state;
    char err[512];
    assert_int_equal(zr_check_writable_dir("/proc/zr-no-such-folder", err, sizeof err), -1);
    assert_int_equal(zr_check_writable_dir("/etc/passwd/results", err, sizeof err), -1);
    assert_int_equal(zr_check_writable_file("/proc/zr-no/figures.json", err, sizeof err), -1);
    assert_int_equal(zr_check_writable_file("/tmp", err, sizeof err), -1);
    assert_int_equal(zr_check_writable_dir("/tmp", err, sizeof err), 0);
    assert_int_equal(zr_check_writable_file("/tmp/zr-figures-test.json", err, sizeof err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(result_names_case_judgement_build_and_library),
        cmocka_unit_test(time_per_reproduction_counts_the_clean_attempts),
        cmocka_unit_test(results_are_written_atomically),
        cmocka_unit_test(unwritable_places_are_found_before_a_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
