/* Numbers from the command line and from case headers, and text kept in results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "files.h"
#include "text.h"

static void whole_numbers_are_range_checked(void **state)
{
    (void)state;
    long v;
    assert_int_equal(zr_parse_long("5", 1, 100000, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(zr_parse_long("5x", 1, 100000, &v), -1);
    assert_int_equal(zr_parse_long("4294967297", 1, 100000, &v), -1); /* atoi wrapped it to 1 */
    assert_int_equal(zr_parse_long("2147483647", 1, 100000, &v), -1); /* calloc of that many attempts */
    assert_int_equal(zr_parse_long("99999999999999999999999", 1, 100000, &v), -1);
    assert_int_equal(zr_parse_long("", 1, 10, &v), -1);
    assert_int_equal(zr_parse_long(" 3", 1, 10, &v), -1);
    assert_int_equal(zr_parse_long("0", 1, 10, &v), -1);
    assert_int_equal(zr_parse_long("-1", 0, 10, &v), -1);
}

static void decimal_numbers_are_finite_and_in_range(void **state)
{
    (void)state;
    double v;
    assert_int_equal(zr_parse_double("1.5", 0.001, 3600, &v), 0);
    assert_true(v == 1.5);
    assert_int_equal(zr_parse_double("nan", 0.001, 3600, &v), -1);
    assert_int_equal(zr_parse_double("inf", 0.001, 3600, &v), -1);
    assert_int_equal(zr_parse_double("abc", 0.001, 3600, &v), -1);
    assert_int_equal(zr_parse_double("-1", 0.001, 3600, &v), -1);
    assert_int_equal(zr_parse_double("1e9", 0.001, 3600, &v), -1);
}

/* Stray bytes in a client's stderr must not make jansson drop the report. */
static void reports_become_valid_utf8(void **state)
{
    (void)state;
    const char raw[] = "bad \xff\xfe bytes, cut \xe2\x82 and a NUL";
    char *clean = zr_utf8_sanitize(raw, sizeof raw - 1);
    json_t *s = json_string(clean);
    assert_non_null(s);
    assert_non_null(strstr(clean, "\xEF\xBF\xBD"));
    assert_non_null(strstr(clean, "and a NUL"));
    json_decref(s);
    free(clean);
    char *same = zr_utf8_sanitize("caf\xc3\xa9 \xe2\x82\xac", 9);
    assert_string_equal(same, "caf\xc3\xa9 \xe2\x82\xac");
    free(same);
}

static void a_cut_never_splits_a_character(void **state)
{
    (void)state;
    char buf[5];
    zr_copy(buf, sizeof buf, "ab\xe2\x82\xac"); /* "ab€": the euro sign does not fit whole */
    assert_string_equal(buf, "ab");
    json_t *s = json_string(buf);
    assert_non_null(s);
    json_decref(s);
}

static void words_are_never_dropped(void **state)
{
    (void)state;
    char line[4096] = "";
    for (int i = 0; i < 200; i++)
        strcat(line, "w ");
    int n;
    char **words = zr_split_words_alloc(line, &n);
    assert_non_null(words);
    assert_int_equal(n, 200);
    free(words);
}

/* Runs "printf %s WORD" through /bin/sh in the folder dir: what the shell
 * makes of the quoted word. */
static char *shell_reads(const char *dir, const char *word)
{
    char *script = zr_strdup_printf("printf %%s %s", word);
    char path[] = "/tmp/zr-test-sh-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char *cmd[] = { (char *)"/bin/sh", (char *)"-c", script, NULL };
    /* The test's own script, no user input: run it the plain way. */
    pid_t pid = fork();
    if (pid == 0) {
        int out = open(path, O_WRONLY | O_TRUNC);
        dup2(out, 1);
        if (chdir(dir) != 0)
            _exit(127);
        execv(cmd[0], cmd);
        _exit(127);
    }
    int status;
    waitpid(pid, &status, 0);
    char *got = zr_read_file(path, NULL);
    unlink(path);
    free(script);
    return got;
}

/* Every name written into a shell script stays one word, whatever it holds. */
static void shell_words_survive_any_name(void **state)
{
    (void)state;
    char dir[] = "/tmp/zr-test-quote-XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *names[] = { "y;touch B;$(touch B2).py", "it's", "'", "a b", "two\nlines", "`touch B3`", "$HOME",
                            "\\", "-n", "", "\"q\"", "*", NULL };
    for (int i = 0; names[i]; i++) {
        char *q = zr_sh_quote(names[i]);
        assert_int_equal(q[0], '\'');
        char *back = shell_reads(dir, q);
        assert_non_null(back);
        assert_string_equal(back, names[i]);
        free(back);
        free(q);
    }
    char *q = zr_sh_quote("it's");
    assert_string_equal(q, "'it'\\''s'");
    free(q);
    /* Nothing the names would run was run: the folder is still empty. */
    assert_int_equal(rmdir(dir), 0);
}

static void html_text_is_escaped(void **state)
{
    (void)state;
    char *e = zr_html_escape("<script>document.title='x'</script> & \"a\"");
    assert_string_equal(e, "&lt;script&gt;document.title=&#39;x&#39;&lt;/script&gt; &amp; &quot;a&quot;");
    free(e);
    e = zr_html_escape("\" onmouseover=\"alert(1)");
    assert_null(strchr(e, '"'));
    free(e);
}

static void markdown_cells_stay_cells(void **state)
{
    (void)state;
    char *e = zr_md_cell("a|b `code` <img src=x onerror=alert(1)>\nnext \\| &amp;");
    assert_string_equal(e, "a\\|b \\`code\\` &lt;img src=x onerror=alert(1)&gt; next \\\\\\| &amp;amp;");
    free(e);
}

static void terminal_text_has_no_controls(void **state)
{
    (void)state;
    char *e = zr_terminal_text("red \x1b[31m bell \a nl\nlatin1 \xe9 csi \xc2\x9b euro \xe2\x82\xac tab\t");
    assert_string_equal(e, "red \\x1b[31m bell \\x07 nl\\nlatin1 \\xe9 csi \\xc2\\x9b euro \xe2\x82\xac tab\\t");
    free(e);
}

static void file_names_are_judged_by_their_suffix(void **state)
{
    (void)state;
    assert_true(zr_name_has_suffix("/home/u/prog.c", ".c"));
    assert_false(zr_name_has_suffix("/home/u/tools.current/prog", ".c"));
    assert_false(zr_name_has_suffix("prog.cc", ".c"));
    assert_false(zr_name_has_suffix(".c", ".c"));
    assert_true(zr_name_has_suffix("a.py", ".py"));
}

static void paths_from_documents_stay_inside(void **state)
{
    (void)state;
    assert_true(zr_path_stays_inside("reports/a.txt"));
    assert_true(zr_path_stays_inside("reports/..a.txt"));
    assert_false(zr_path_stays_inside("../../payload.txt"));
    assert_false(zr_path_stays_inside("reports/../../x"));
    assert_false(zr_path_stays_inside("reports/.."));
    assert_false(zr_path_stays_inside("/etc/passwd"));
    assert_false(zr_path_stays_inside(""));
    assert_false(zr_path_stays_inside(NULL));
}

/* minimize holds only when the result shows the symptom in the required
 * share of its verification runs (half of them), not when it merely ran. */
static void a_share_of_runs_is_reached_or_not(void **state)
{
    (void)state;
    assert_false(zr_share_reached(0, 20, 1, 2)); /* 0 of 20: it ran, and showed nothing */
    assert_false(zr_share_reached(-1, 20, 1, 2)); /* no result read */
    assert_false(zr_share_reached(9, 20, 1, 2));
    assert_true(zr_share_reached(10, 20, 1, 2));
    assert_true(zr_share_reached(20, 20, 1, 2));
    assert_false(zr_share_reached(21, 20, 1, 2));
    assert_false(zr_share_reached(0, 0, 1, 2));
}

/* One byte of Latin-1 must not make a field vanish from JSON. */
static void json_text_keeps_stray_bytes(void **state)
{
    (void)state;
    json_t *s = zr_json_text("caf\xe9 assertion");
    assert_true(json_is_string(s));
    assert_non_null(strstr(json_string_value(s), "assertion"));
    json_decref(s);
    assert_true(json_is_null(s = zr_json_text(NULL)));
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_numbers_are_range_checked),
        cmocka_unit_test(decimal_numbers_are_finite_and_in_range),
        cmocka_unit_test(reports_become_valid_utf8),
        cmocka_unit_test(a_cut_never_splits_a_character),
        cmocka_unit_test(words_are_never_dropped),
        cmocka_unit_test(shell_words_survive_any_name),
        cmocka_unit_test(html_text_is_escaped),
        cmocka_unit_test(markdown_cells_stay_cells),
        cmocka_unit_test(terminal_text_has_no_controls),
        cmocka_unit_test(file_names_are_judged_by_their_suffix),
        cmocka_unit_test(paths_from_documents_stay_inside),
        cmocka_unit_test(a_share_of_runs_is_reached_or_not),
        cmocka_unit_test(json_text_keeps_stray_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
