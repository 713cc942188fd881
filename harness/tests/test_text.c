/* Numbers from the command line and from case headers, and text kept in results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_numbers_are_range_checked),
        cmocka_unit_test(decimal_numbers_are_finite_and_in_range),
        cmocka_unit_test(reports_become_valid_utf8),
        cmocka_unit_test(a_cut_never_splits_a_character),
        cmocka_unit_test(words_are_never_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
