#include "compile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "process.h"
#include "text.h"

static const char *suffix_of(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot ? dot : "";
}

bool zr_source_is_cxx(const char *path)
{
    const char *s = suffix_of(path);
    return !strcmp(s, ".cpp") || !strcmp(s, ".cc") || !strcmp(s, ".cxx") || !strcmp(s, ".C");
}

bool zr_source_compiles(const char *path)
{
    return !strcmp(suffix_of(path), ".c") || zr_source_is_cxx(path);
}

/* Appends the blank-separated words of flags (the project's own constants). */
static int add_words(const char *flags, char **argv, int n, char **copies)
{
    *copies = zr_strdup_printf("%s", flags);
    int count = 0;
    char **words = zr_split_words_alloc(*copies, &count);
    for (int i = 0; words && i < count; i++)
        argv[n++] = words[i];
    free(words);
    return n;
}

/* include_dirs: NULL for a program; for an extension module, a
 * colon-separated list (a Python's headers): built -shared -fPIC. */
static int compile_with(const struct zr_flavour *flavour, const char *source, const char *out, const char *include_dirs,
                        char *err, size_t errlen)
{
    /* A source named "-x" is a file, not an option of the compiler. */
    char *src = source[0] == '-' ? zr_strdup_printf("./%s", source) : zr_strdup_printf("%s", source);
    char *cflags = NULL, *ldflags = NULL;
    char *argv[64];
    int n = 0;
    const char *compiler = zr_source_is_cxx(source) ? "c++" : "cc";
    char *path = zr_find_in_path(compiler);
    if (!path) {
        snprintf(err, errlen, "no %s on PATH to compile %s (apt-get install %s)", compiler, source,
                 zr_source_is_cxx(source) ? "g++" : "gcc");
        return -1;
    }
    argv[n++] = path;
    n = add_words(flavour->cflags, argv, n, &cflags);
    char *includes = include_dirs ? zr_strdup_printf("%s", include_dirs) : NULL;
    char *include_args[8] = { 0 };
    if (includes) {
        argv[n++] = (char *)"-shared";
        argv[n++] = (char *)"-fPIC";
        int k = 0;
        for (char *dir = strtok(includes, ":"); dir && k < 8; dir = strtok(NULL, ":"))
            argv[n++] = include_args[k++] = zr_strdup_printf("-I%s", dir);
    }
    argv[n++] = (char *)"-o";
    argv[n++] = (char *)out;
    argv[n++] = src;
    n = add_words(flavour->ldflags, argv, n, &ldflags);
    argv[n++] = (char *)"-lzmq";
    argv[n++] = (char *)"-lpthread";
    argv[n] = NULL;
    fprintf(stderr, "compile:");
    for (int i = 0; i < n; i++)
        fprintf(stderr, " %s", argv[i]);
    fprintf(stderr, "\n");
    fflush(stderr);
    struct zr_spawn s = { .argv = argv, .out = ZR_OUTPUT_FD(2), .err = ZR_OUTPUT_FD(2) };
    int status = zr_run_to_end(&s, 600, err, errlen);
    if (status > 0)
        snprintf(err, errlen, "%s does not compile (the compiler's message is above)", source);
    free(path);
    free(src);
    free(cflags);
    free(ldflags);
    free(includes);
    for (int k = 0; k < 8; k++)
        free(include_args[k]);
    return status == 0 ? 0 : -1;
}

int zr_compile(const struct zr_flavour *flavour, const char *source, const char *out, char *err, size_t errlen)
{
    return compile_with(flavour, source, out, NULL, err, errlen);
}

int zr_compile_module(const struct zr_flavour *flavour, const char *source, const char *out, const char *include_dirs,
                      char *err, size_t errlen)
{
    return compile_with(flavour, source, out, include_dirs ? include_dirs : "", err, errlen);
}
