/* A case's header is its expectation: parsing it (in exactly one place), and
 * refusing a wrong one by file and line while the other cases still load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "catalog.h"
#include "case_spec.h"
#include "case_summary.h"
#include "text.h"

static int mode(const char *name)
{
    return zr_mode_index(zr_mode_find(name));
}

/* A release tarball or a package of that version. */
static const struct zr_libzmq_release *release(const char *version)
{
    static struct zr_libzmq_release r[8];
    static int next;
    struct zr_libzmq_release *one = &r[next++ % 8];
    *one = (struct zr_libzmq_release){ version, NULL, NULL, NULL };
    return one;
}

static const char c_header[] =
    "/* One DEALER used by a send thread and a receive thread.\n"
    " *\n"
    " * @family  shared-socket\n"
    " * @variant broken\n"
    " * @server  delay\n"
    " * @server-delay-ms 50\n"
    " * @expect tsan   TSAN:data-race:@libzmq\n"
    " * @expect stress ASSERT SIGNAL HANG:zmq_recv LOSS\n"
    " * @args stress   200000\n"
    " * @timeout stress 10\n"
    " * @stall stress 0.3\n"
    " * @upstream pyzmq#2094 libzmq#4649\n"
    " */\n"
    "#include <zmq.h>\n"
    "/* @notatag: tags live in the header comment only */\n"
    "int main(void) { return 0; }\n";

static const char py_header[] = "#!/usr/bin/env python3\n"
                                "# The single-owner poller.\n"
                                "#\n"
                                "# @family shared-socket\n"
                                "# @variant fixed\n"
                                "# @expect tsan CLEAN\n"
                                "# @pymodule nativeloop\n"
                                "import zmq\n"
                                "# @whatever after the header is not a tag\n";

static void parses_a_c_header(void **state)
{
    (void)state;
    struct zr_case_spec s;
    assert_int_equal(zr_case_spec_parse_text("cases/shared-socket/broken_two.c", c_header, &s), 0);
    assert_null(s.error);
    assert_string_equal(s.id, "shared-socket/broken_two");
    assert_int_equal(s.language, ZR_LANG_C);
    assert_int_equal(s.variant, ZR_VARIANT_BROKEN);
    assert_string_equal(s.server_mode, "delay");
    assert_int_equal(s.server_delay_ms, 50);
    assert_string_equal(s.upstream, "pyzmq#2094 libzmq#4649");
    const struct zr_mode_spec *tsan = &s.modes[mode("tsan")], *stress = &s.modes[mode("stress")];
    assert_true(tsan->enabled);
    assert_int_equal(tsan->expect.n, 1);
    assert_string_equal(tsan->expect.items[0].outcome, "TSAN");
    assert_string_equal(tsan->expect.items[0].text, "data-race:@libzmq");
    assert_true(tsan->timeout_s == 30);
    assert_int_equal(stress->expect.n, 4);
    assert_true(stress->timeout_s == 10);
    assert_true(stress->stall_s == 0.3);
    assert_int_equal(stress->nargs, 1);
    assert_string_equal(stress->args[0], "200000");
    assert_false(s.modes[mode("owner")].enabled);
    char text[256];
    zr_expectations_format(&stress->expect, text, sizeof text);
    assert_string_equal(text, "ASSERT SIGNAL HANG:zmq_recv LOSS");
    /* perturb, stated nowhere: by the stress lines, a copy of its own. */
    const struct zr_mode_spec *perturb = &s.modes[mode("perturb")];
    assert_true(perturb->enabled);
    assert_true(perturb->inherited);
    zr_expectations_format(&perturb->expect, text, sizeof text);
    assert_string_equal(text, "ASSERT SIGNAL HANG:zmq_recv LOSS");
    assert_int_equal(perturb->nargs, 1);
    assert_string_equal(perturb->args[0], "200000");
    assert_ptr_not_equal(perturb->args, stress->args);
    assert_true(perturb->timeout_s == 10);
    assert_true(perturb->stall_s == 0.3);
    zr_case_spec_free(&s);
}

/* A case's own perturb lines win over its stress ones. */
static void states_its_own_perturb_lines(void **state)
{
    (void)state;
    static const char header[] = "/* A case.\n"
                                 " * @family shared-socket\n"
                                 " * @variant broken\n"
                                 " * @expect stress HANG\n"
                                 " * @args stress 1000\n"
                                 " * @expect perturb ASSERT\n"
                                 " * @timeout perturb 3\n"
                                 " */\n";
    struct zr_case_spec s;
    assert_int_equal(zr_case_spec_parse_text("cases/shared-socket/broken_own.c", header, &s), 0);
    const struct zr_mode_spec *perturb = &s.modes[mode("perturb")];
    assert_true(perturb->enabled);
    assert_false(perturb->inherited);
    assert_string_equal(perturb->expect.items[0].outcome, "ASSERT");
    assert_int_equal(perturb->nargs, 0);
    assert_true(perturb->timeout_s == 3);
    zr_case_spec_free(&s);
}

static void parses_a_python_header(void **state)
{
    (void)state;
    struct zr_case_spec s;
    assert_int_equal(zr_case_spec_parse_text("pyclients/shared-socket/fixed_poller.py", py_header, &s), 0);
    assert_int_equal(s.language, ZR_LANG_PYTHON);
    assert_int_equal(s.variant, ZR_VARIANT_FIXED);
    assert_string_equal(s.server_mode, "echo");
    assert_string_equal(s.pymodule, "nativeloop");
    assert_true(s.modes[mode("tsan")].enabled);
    assert_false(s.modes[mode("stress")].enabled);
    assert_false(s.modes[mode("perturb")].enabled); /* no stress lines to run it by */
    zr_case_spec_free(&s);
}

/* A header with one line replaced: the error must name that line. */
static void refused(const char *line, int lineno, const char *needle)
{
    char text[2048];
    snprintf(text, sizeof text,
             "/* A case.\n"          /* 1 */
             " * @family f\n"        /* 2 */
             " * @variant broken\n"  /* 3 */
             " * @expect tsan CLEAN\n" /* 4 */
             "%s\n"                  /* 5 */
             " */\n",
             line);
    struct zr_case_spec s;
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c", text, &s), -1);
    assert_non_null(s.error);
    char where[64];
    snprintf(where, sizeof where, "cases/f/x.c:%d: ", lineno);
    if (!strstr(s.error, where) || !strstr(s.error, needle))
        fail_msg("for '%s' the error was: %s (wanted %s ... %s)", line, s.error, where, needle);
    zr_case_spec_free(&s);
}

static void refuses_each_wrong_tag_by_line(void **state)
{
    (void)state;
    refused(" * @server bogus", 5, "@server is echo, slow, delay, sink or none, not 'bogus'");
    refused(" * @timeout tsan abc", 5, "not 'abc'");
    refused(" * @timeout tsan -1", 5, "not '-1'");
    refused(" * @timeout tsan nan", 5, "not 'nan'"); /* nan disabled the watchdog */
    refused(" * @timeout tsan 0", 5, "not '0'");
    refused(" * @expect stresss CLEAN", 5, "unknown mode 'stresss'");
    refused(" * @expect owner CRASH", 5, "unknown outcome 'CRASH'");
    refused(" * @expcet stress CLEAN", 5, "unknown tag @expcet: did you mean @expect?");
    refused(" * @famly f", 5, "did you mean @family?");
    refused(" * @server-delay-ms 10x", 5, "from 0 to 60000, not '10x'");
    refused(" * @server-delay-ms 4294967297", 5, "not '4294967297'");
    refused(" * @family f", 5, "@family is given twice");
    refused(" * @expect tsan HANG", 5, "@expect tsan is given twice");
    refused(" * @fixed-in 4.3 CLEAN", 5, "such as 4.3.3");
    refused(" * @python-unaffected 3 CLEAN", 5, "<3.12, >=3.14, 3.11 or 3.13t, not '3'");
    refused(" * @python-unaffected <=3.12 CLEAN", 5, "not '<=3.12'");
    refused(" * @python-unaffected >=3.14", 5, "needs a range and the outcomes");
    refused(" * @python-unaffected >=3.13t CLEAN", 5, "3.11 or 3.13t, not '>=3.13t'");
    refused(" * @python-unaffected 3.13x CLEAN", 5, "not '3.13x'");
    refused(" * @args stress 1", 5, "which has no @expect line");
    refused(" * @pymodule nativeloop", 5, "@pymodule is for Python cases");
    refused(" * @expect stress", 5, "needs at least one outcome");
    refused(" * @expect stress HANG:", 5, "'HANG:' has an empty text");
    refused(" * @expect stress TSAN:bogus-kind", 5, "not a kind of TSan report");
    refused(" * @expect stress CLEAN ASSERT", 5, "mixes CLEAN with ASSERT");
    refused(" * @expect stress ERROR", 5, "ERROR is the harness's own outcome");
    refused(" * @expect stress CLEAN:x", 5, "CLEAN takes no text");
    refused(" * @twin shared-socket/broken_send_recv_threads", 1, "@twin is for a fixed case");
    refused(" * @twin broken_send_recv_threads", 5, "@twin names a case as family/name");
}

/* check --expect reads its words with the headers' parser: the same rules. */
static void expectation_words_follow_the_header_rules(void **state)
{
    (void)state;
    static const char *const good[] = { "CLEAN", "TSAN:data-race:@libzmq", "TSAN:zmq::mailbox_t", "TSAN:*",
                                        "TSAN:Data_Race:zmq::", "HANG:zmq_ctx_term ASSERT SIGNAL", "NOISE CLEAN" };
    static const char *const bad[] = { "", "   ", "TSAN:bogus-kind", "ASSERT:", "CLEAN ASSERT", "TIMEOUT" };
    for (size_t i = 0; i < sizeof good / sizeof good[0] + sizeof bad / sizeof bad[0]; i++) {
        bool ok = i < sizeof good / sizeof good[0];
        char *text = zr_strdup_printf("%s", ok ? good[i] : bad[i - sizeof good / sizeof good[0]]);
        int n = 0;
        char **words = zr_split_words_alloc(text, &n);
        struct zr_expect_list list = { 0 };
        char err[512] = "";
        int rc = zr_expect_parse_words(n, words, &list, err, sizeof err);
        if ((rc == 0) != ok)
            fail_msg("'%s': %s (%s)", ok ? good[i] : bad[i - sizeof good / sizeof good[0]],
                     ok ? "refused" : "accepted", err);
        zr_expect_list_free(&list);
        free(words);
        free(text);
    }
}

static void refuses_a_header_without_family_or_variant(void **state)
{
    (void)state;
    struct zr_case_spec s;
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c", "/* @variant fixed\n * @expect tsan CLEAN\n */\n", &s), -1);
    assert_non_null(strstr(s.error, "@family"));
    zr_case_spec_free(&s);
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c", "/* @family f\n * @expect tsan CLEAN\n */\n", &s), -1);
    assert_non_null(strstr(s.error, "@variant"));
    zr_case_spec_free(&s);
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c", "/* @family f\n * @variant fixed\n */\n", &s), -1);
    assert_non_null(strstr(s.error, "no @expect line"));
    zr_case_spec_free(&s);
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.txt", py_header, &s), -1);
    zr_case_spec_free(&s);
}

/* The family is the folder: a header that says otherwise is wrong. */
static void refuses_a_family_other_than_the_folder(void **state)
{
    (void)state;
    struct zr_case_spec s;
    assert_int_equal(zr_case_spec_parse_text("cases/hang-at-shutdown/x.c",
                                             "/* @family shared-socket\n * @variant fixed\n * @expect tsan CLEAN\n */\n", &s),
                     -1);
    assert_non_null(strstr(s.error, "cases/hang-at-shutdown/x.c:1: @family is 'shared-socket'"));
    zr_case_spec_free(&s);
}

static void keeps_every_argument(void **state)
{
    (void)state;
    char text[8192] = "/* @family f\n * @variant fixed\n * @expect stress CLEAN\n * @args stress";
    for (int i = 0; i < 40; i++)
        strcat(text, " 12345678901234567890123456789012345678901234567890123456789012345678901234567890");
    strcat(text, "\n */\n");
    struct zr_case_spec s;
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c", text, &s), 0);
    assert_int_equal(s.modes[mode("stress")].nargs, 40);
    assert_int_equal((int)strlen(s.modes[mode("stress")].args[39]), 80);
    zr_case_spec_free(&s);
}

/* The #3824 crash shows on 3.12 and 3.13 only: 3.11 ends the native thread
 * with pthread_exit, 3.14 hangs it (gh-87135); both exit 0. */
static void judges_by_the_version_of_the_interpreter(void **state)
{
    (void)state;
    struct zr_case_spec s;
    const char *text = "# @family f\n# @variant broken\n# @expect stress FATAL_PYTHON:Segmentation\n"
                       "# @python-unaffected <3.12 CLEAN\n# @python-unaffected >=3.14 CLEAN\n";
    assert_int_equal(zr_case_spec_parse_text("pyclients/f/x.py", text, &s), 0);
    int m = mode("stress");
    struct zr_judgement on313 = zr_case_judgement(&s, m, release("4.3.4"), "3.13.5");
    assert_int_equal(on313.as, ZR_VARIANT_BROKEN);
    assert_false(on313.python_unaffected);
    assert_string_equal(on313.expect->items[0].outcome, "FATAL_PYTHON");
    struct zr_judgement on311 = zr_case_judgement(&s, m, release("4.3.4"), "3.11.2");
    assert_int_equal(on311.as, ZR_VARIANT_FIXED);
    assert_true(on311.python_unaffected);
    assert_string_equal(on311.expect->items[0].outcome, "CLEAN");
    assert_int_equal(zr_case_judgement(&s, m, release("4.3.4"), "3.14.10").as, ZR_VARIANT_FIXED);
    assert_int_equal(zr_case_judgement(&s, m, release("4.3.4"), "3.12.0").as, ZR_VARIANT_BROKEN);
    assert_int_equal(zr_case_judgement(&s, m, release("4.3.4"), NULL).as, ZR_VARIANT_BROKEN); /* unknown: as the case says */
    zr_case_spec_free(&s);
    /* @python-shows: a fixed case held, in one mode and on some interpreters, to what they show instead. */
    assert_int_equal(zr_case_spec_parse_text("pyclients/f/x.py",
                                             "# @family f\n# @variant fixed\n# @expect tsan CLEAN\n"
                                             "# @expect stress CLEAN\n# @python-shows tsan 3.13 TSAN:thread-leak\n",
                                             &s),
                     0);
    struct zr_judgement shows = zr_case_judgement(&s, mode("tsan"), release("4.3.4"), "3.13.5");
    assert_true(shows.python_shows);
    assert_false(shows.python_unaffected);
    assert_string_equal(shows.expect->items[0].outcome, "TSAN");
    assert_false(zr_case_judgement(&s, mode("stress"), release("4.3.4"), "3.13.5").python_shows);
    assert_false(zr_case_judgement(&s, mode("tsan"), release("4.3.4"), "3.11.2").python_shows);
    zr_case_spec_free(&s);
    assert_int_equal(zr_case_spec_parse_text("pyclients/f/x.py",
                                             "# @family f\n# @variant broken\n# @expect tsan HANG\n"
                                             "# @python-shows tsan 3.13 CLEAN\n",
                                             &s),
                     -1);
    assert_non_null(strstr(s.error, "@python-shows is for a fixed case"));
    zr_case_spec_free(&s);
    /* X.Y is that minor version at any patch level, not 3.1 for 3.13. */
    struct zr_python_rule minor = { '=', (char *)"3.1", { 0, NULL } };
    assert_false(zr_python_rule_matches(&minor, "3.13.5"));
    assert_true(zr_python_rule_matches(&minor, "3.1.4"));
    /* X.Yt is that minor version's free-threaded build (3.13.15t) only; the
     * other ranges take a free-threaded build by its number. */
    struct zr_python_rule ft = { '=', (char *)"3.13t", { 0, NULL } }, below = { '<', (char *)"3.14", { 0, NULL } };
    struct zr_python_rule plain = { '=', (char *)"3.13", { 0, NULL } };
    assert_true(zr_python_rule_matches(&ft, "3.13.15t"));
    assert_false(zr_python_rule_matches(&ft, "3.13.5"));
    assert_false(zr_python_rule_matches(&ft, "3.14.0t"));
    assert_true(zr_python_rule_matches(&below, "3.13.15t"));
    assert_true(zr_python_rule_matches(&plain, "3.13.15t"));
    /* Only a broken Python case can say that some Pythons cannot show its bug. */
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c",
                                             "/* @family f\n * @variant broken\n * @expect stress HANG\n"
                                             " * @python-unaffected <3.12 CLEAN\n */\n",
                                             &s),
                     -1);
    assert_non_null(strstr(s.error, "for Python cases"));
    zr_case_spec_free(&s);
    assert_int_equal(zr_case_spec_parse_text("pyclients/f/x.py",
                                             "# @family f\n# @variant fixed\n# @expect stress CLEAN\n"
                                             "# @python-unaffected <3.12 CLEAN\n",
                                             &s),
                     -1);
    assert_non_null(strstr(s.error, "for a broken case"));
    zr_case_spec_free(&s);
}

static void judges_by_the_version_of_the_build(void **state)
{
    (void)state;
    struct zr_case_spec s;
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c",
                                             "/* @family f\n * @variant broken\n * @expect stress HANG:zmq_recv\n"
                                             " * @fixed-in 4.3.3 CLEAN\n */\n",
                                             &s),
                     0);
    int m = mode("stress");
    struct zr_judgement old = zr_case_judgement(&s, m, release("4.3.2"), NULL);
    assert_int_equal(old.as, ZR_VARIANT_BROKEN);
    assert_string_equal(old.expect->items[0].outcome, "HANG");
    struct zr_judgement new = zr_case_judgement(&s, m, release("4.3.5"), "3.13.5");
    assert_int_equal(new.as, ZR_VARIANT_FIXED);
    assert_true(new.fixed_upstream);
    assert_string_equal(new.expect->items[0].outcome, "CLEAN");
    assert_int_equal(zr_case_judgement(&s, m, release("4.3.3"), NULL).as, ZR_VARIANT_FIXED);
    assert_int_equal(zr_case_judgement(&s, m, NULL, NULL).as, ZR_VARIANT_BROKEN);
    zr_case_spec_free(&s);
    assert_int_equal(zr_version_compare("4.3.10", "4.3.9"), 1);
    assert_int_equal(zr_version_compare("4.3", "4.3.0"), 0);
    assert_int_equal(zr_version_compare("4.2.5", "4.3.0"), -1);
}

/* Every commit after v4.3.2 reports 4.3.3: only the tags in its history say
 * whether 4.3.3's fix is in it. */
static void judges_a_commit_by_the_releases_in_its_history(void **state)
{
    (void)state;
    struct zr_case_spec s;
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c",
                                             "/* @family f\n * @variant broken\n * @expect stress HANG:zmq_recv\n"
                                             " * @fixed-in 4.3.3 CLEAN\n */\n",
                                             &s),
                     0);
    int m = mode("stress");
    const char *commit = "36a8df2f1d3e0c4b5a6978a1b2c3d4e5f6a7b8c9";
    struct zr_libzmq_release unreleased = { "4.3.3", commit, NULL, "4.3.2" };
    struct zr_judgement j = zr_case_judgement(&s, m, &unreleased, NULL);
    assert_true(j.version_unknown);
    assert_false(j.fixed_upstream);
    assert_non_null(strstr(j.unknown_why, "comes after release 4.3.2 and is not release 4.3.3"));
    assert_non_null(strstr(j.unknown_why, "@fixed-in"));
    struct zr_libzmq_release tagged = { "4.3.3", commit, "4.3.3", "4.3.3" };
    assert_true(zr_case_judgement(&s, m, &tagged, NULL).fixed_upstream);
    struct zr_libzmq_release later = { "4.3.4", commit, NULL, "4.3.3" };
    assert_true(zr_case_judgement(&s, m, &later, NULL).fixed_upstream);
    struct zr_libzmq_release before = { "4.3.2", commit, NULL, "4.3.1" };
    j = zr_case_judgement(&s, m, &before, NULL);
    assert_false(j.version_unknown);
    assert_int_equal(j.as, ZR_VARIANT_BROKEN);
    struct zr_libzmq_release no_tags = { "4.3.3", commit, NULL, NULL };
    j = zr_case_judgement(&s, m, &no_tags, NULL);
    assert_true(j.version_unknown);
    assert_non_null(strstr(j.unknown_why, "without the release tags"));
    zr_case_spec_free(&s);
}

/* A regression: judged as fixed on the releases before the one that brought it in. */
static void judges_a_regression_by_its_lower_bound(void **state)
{
    (void)state;
    struct zr_case_spec s;
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c",
                                             "/* @family f\n * @variant broken\n * @expect stress HANG:zmq_recv\n"
                                             " * @broken-since 4.3.0 CLEAN NOISE\n * @fixed-in 4.3.3 CLEAN\n */\n",
                                             &s),
                     0);
    int m = mode("stress");
    struct zr_judgement old = zr_case_judgement(&s, m, release("4.2.5"), NULL);
    assert_int_equal(old.as, ZR_VARIANT_FIXED);
    assert_true(old.predates_bug);
    assert_int_equal(old.expect->n, 2);
    assert_int_equal(zr_case_judgement(&s, m, release("4.3.1"), NULL).as, ZR_VARIANT_BROKEN);
    assert_true(zr_case_judgement(&s, m, release("4.3.5"), NULL).fixed_upstream);
    struct zr_libzmq_release between = { "4.3.0", "0123456789abcdef", NULL, "4.2.5" };
    assert_true(zr_case_judgement(&s, m, &between, NULL).version_unknown);
    zr_case_spec_free(&s);
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c",
                                             "/* @family f\n * @variant broken\n * @expect stress HANG\n"
                                             " * @broken-since 4.3.3 CLEAN\n * @fixed-in 4.3.3 CLEAN\n */\n",
                                             &s),
                     -1);
    assert_non_null(strstr(s.error, "is not before @fixed-in"));
    zr_case_spec_free(&s);
    assert_int_equal(zr_case_spec_parse_text("cases/f/x.c",
                                             "/* @family f\n * @variant fixed\n * @expect stress CLEAN\n"
                                             " * @broken-since 4.3.0 CLEAN\n */\n",
                                             &s),
                     -1);
    assert_non_null(strstr(s.error, "for a broken case"));
    zr_case_spec_free(&s);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* One bad header and one duplicate name: both reported, the good case still loads. */
static void a_bad_case_does_not_take_the_others_down(void **state)
{
    (void)state;
    char dir[] = "/tmp/zr-test-catalog.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/cases", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/cases/fam", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/pyclients", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/pyclients/fam", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/cases/fam/good.c", dir);
    write_file(path, "/* @family fam\n * @variant fixed\n * @expect stress CLEAN\n */\n");
    snprintf(path, sizeof path, "%s/cases/fam/bad.c", dir);
    write_file(path, "/* @family fam\n * @variant fixed\n * @expect stress CLEAN\n * @timeout stress nan\n */\n");
    snprintf(path, sizeof path, "%s/pyclients/fam/good.py", dir);
    write_file(path, "# @family fam\n# @variant fixed\n# @expect stress CLEAN\n");
    struct zr_catalog cat;
    char err[256];
    assert_int_equal(zr_catalog_load(dir, &cat, err, sizeof err), 0);
    assert_int_equal(cat.n, 3);
    assert_int_equal(cat.nbad, 2);
    const struct zr_case_spec *good = NULL, *bad = NULL, *dup = NULL;
    for (int i = 0; i < cat.n; i++) {
        if (strstr(cat.cases[i].path, "good.c"))
            good = &cat.cases[i];
        if (strstr(cat.cases[i].path, "bad.c"))
            bad = &cat.cases[i];
        if (strstr(cat.cases[i].path, "good.py"))
            dup = &cat.cases[i];
    }
    assert_non_null(good);
    assert_null(good->error);
    assert_non_null(strstr(bad->error, "bad.c:4: @timeout needs a number of seconds"));
    assert_non_null(strstr(dup->error, "two cases are named fam/good"));
    zr_catalog_free(&cat);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* The line the version matrix names a case by: its header's first sentence. */
static void summarises_a_header_by_its_first_sentence(void **state)
{
    (void)state;
    char dir[] = "/tmp/zr-summary.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char c[600], py[600], none[600];
    snprintf(c, sizeof c, "%s/a.c", dir);
    snprintf(py, sizeof py, "%s/b.py", dir);
    snprintf(none, sizeof none, "%s/c.c", dir);
    FILE *f = fopen(c, "w");
    fputs("/* The stop request arrives before the worker has created its first socket:\n"
          " * main calls zmq_ctx_shutdown. More.\n *\n * @family x\n */\n", f);
    fclose(f);
    f = fopen(py, "w");
    fputs("#!/usr/bin/env python3\n# One pyzmq DEALER shared by two Python threads. Then\n# more.\n", f);
    fclose(f);
    f = fopen(none, "w");
    fputs("int main(void) { return 0; }\n", f);
    fclose(f);
    char *s = zr_case_summary(c);
    assert_string_equal(s, "The stop request arrives before the worker has created its first socket");
    free(s);
    s = zr_case_summary(py);
    assert_string_equal(s, "One pyzmq DEALER shared by two Python threads");
    free(s);
    s = zr_case_summary(none);
    assert_string_equal(s, "");
    free(s);
    s = zr_case_summary("/nonexistent/case.c");
    assert_string_equal(s, "");
    free(s);
    unlink(c);
    unlink(py);
    unlink(none);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_a_c_header),
        cmocka_unit_test(parses_a_python_header),
        cmocka_unit_test(states_its_own_perturb_lines),
        cmocka_unit_test(refuses_each_wrong_tag_by_line),
        cmocka_unit_test(expectation_words_follow_the_header_rules),
        cmocka_unit_test(refuses_a_header_without_family_or_variant),
        cmocka_unit_test(refuses_a_family_other_than_the_folder),
        cmocka_unit_test(keeps_every_argument),
        cmocka_unit_test(judges_by_the_version_of_the_build),
        cmocka_unit_test(judges_a_commit_by_the_releases_in_its_history),
        cmocka_unit_test(judges_a_regression_by_its_lower_bound),
        cmocka_unit_test(judges_by_the_version_of_the_interpreter),
        cmocka_unit_test(a_bad_case_does_not_take_the_others_down),
        cmocka_unit_test(summarises_a_header_by_its_first_sentence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
