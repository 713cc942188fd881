/* Spawning children (core/process.c): what they print is kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "files.h"
#include "process.h"
#include "text.h"

/* stdout and stderr into one file: every line of both is there, in order.
 * (Two separate opens of the file wrote over each other: git bisect run's
 * log lost the lines of its first steps.) */
static void one_file_for_both_outputs_keeps_every_line(void **state)
{
    (void)state;
    char dir[] = "/tmp/zr-test-process.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *log = zr_strdup_printf("%s/log", dir);
    char *argv[] = { (char *)"/bin/sh", (char *)"-c",
                     (char *)"for i in 1 2 3 4 5 6; do echo out$i; echo err$i >&2; done", NULL };
    struct zr_spawn s = { .argv = argv, .out = ZR_OUTPUT_FILE(log), .err = ZR_OUTPUT_FILE(log) };
    char err[256];
    assert_int_equal(zr_run_to_end(&s, 30.0, err, sizeof err), 0);
    char *text = zr_read_file(log, NULL);
    assert_non_null(text);
    assert_string_equal(text, "out1\nerr1\nout2\nerr2\nout3\nerr3\nout4\nerr4\nout5\nerr5\nout6\nerr6\n");
    free(text);
    unlink(log);
    rmdir(dir);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_file_for_both_outputs_keeps_every_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
