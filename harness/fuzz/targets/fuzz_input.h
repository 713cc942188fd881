/* What every fuzz target shares: the fuzzer's bytes as NUL-terminated text
 * (the parsers read C strings, as the harness hands them what a process
 * printed), and the bytes split into fields at the record separator 0x1e,
 * so that one input can carry a program's stdout, stderr and stacks. */
#ifndef ZR_FUZZ_INPUT_H
#define ZR_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ZR_FUZZ_SEPARATOR '\x1e'

/* data[0..size) as a malloc'd string (a NUL inside ends the text early, as
 * it would for the harness). */
static inline char *zr_fuzz_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

/* Splits text in place at the separator into at most max fields; the
 * missing ones are "". Returns how many were found. */
static inline int zr_fuzz_fields(char *text, char **fields, int max)
{
    int n = 0;
    char *p = text;
    while (n < max) {
        fields[n++] = p;
        char *sep = strchr(p, ZR_FUZZ_SEPARATOR);
        if (!sep)
            break;
        *sep = '\0';
        p = sep + 1;
    }
    for (int i = n; i < max; i++)
        fields[i] = (char *)"";
    return n;
}

#endif
