#include "compile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "process.h"
#include "text.h"

bool zr_source_is_cxx(const char *path)
{
    static const char *const suffixes[] = { ".cpp", ".cc", ".cxx", ".c++", ".C", NULL };
    for (int i = 0; suffixes[i]; i++)
        if (zr_name_has_suffix(path, suffixes[i]))
            return true;
    return false;
}

bool zr_source_compiles(const char *path)
{
    return zr_name_has_suffix(path, ".c") || zr_source_is_cxx(path);
}

/* The compiler's argument vector: the flavour gives the flags (the
 * project's own blank-separated constants in modes.c, split into words);
 * the source and the output are one word each, whatever their names hold. */
struct compile_line {
    char *argv[64];
    int argc;
    char *cflags, *ldflags; /* the copies the flag words point into */
    char *includes, *include_args[8];
    int nincludes;
};

static void add_flag_words(struct compile_line *c, char *flags)
{
    int n = 0;
    char **words = zr_split_words_alloc(flags, &n);
    for (int i = 0; words && i < n && c->argc < 56; i++)
        c->argv[c->argc++] = words[i];
    free(words);
}

/* include_dirs: NULL for a program; for an extension module, a
 * colon-separated list (a Python's headers): built -shared -fPIC. */
static void compile_line_make(struct compile_line *c, const struct zr_flavour *flavour, char *compiler,
                              const char *source, const char *out, const char *include_dirs)
{
    memset(c, 0, sizeof *c);
    c->cflags = zr_strdup_printf("%s", flavour->cflags);
    c->ldflags = zr_strdup_printf("%s", flavour->ldflags);
    c->argv[c->argc++] = compiler;
    add_flag_words(c, c->cflags);
    if (include_dirs) {
        c->includes = zr_strdup_printf("%s", include_dirs);
        c->argv[c->argc++] = (char *)"-shared";
        c->argv[c->argc++] = (char *)"-fPIC";
        for (char *save = NULL, *dir = strtok_r(c->includes, ":", &save); dir && c->nincludes < 8;
             dir = strtok_r(NULL, ":", &save))
            c->argv[c->argc++] = c->include_args[c->nincludes++] = zr_strdup_printf("-I%s", dir);
    }
    c->argv[c->argc++] = (char *)"-o";
    c->argv[c->argc++] = (char *)out;
    c->argv[c->argc++] = (char *)source;
    add_flag_words(c, c->ldflags);
    c->argv[c->argc++] = (char *)"-lzmq";
    c->argv[c->argc++] = (char *)"-lpthread";
    c->argv[c->argc] = NULL;
}

/* A word as the shell needs it to mean itself: as it is when it is made of
 * harmless characters, else single-quoted. */
static void print_sh_word(FILE *f, const char *w)
{
    bool plain = *w != '\0';
    for (const char *c = w; *c && plain; c++)
        plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                strchr("_-./=+,:@%", *c);
    if (plain)
        fputs(w, f);
    else
        zr_fput_sh_word(f, w);
}

static void print_compiler_output(const char *who, const char *logpath)
{
    char *log = zr_read_file(logpath, NULL);
    if (log && *log) {
        fprintf(stderr, "%s: the compiler said:\n", who);
        for (const char *line = log; *line;) {
            size_t n = strcspn(line, "\n");
            char *one = zr_strdup_printf("%.*s", (int)n, line);
            fputs("  ", stderr);
            zr_fput_terminal(stderr, one);
            fputc('\n', stderr);
            free(one);
            line += n + (line[n] == '\n');
        }
    }
    free(log);
}

static int compile_with(const char *who, const struct zr_flavour *flavour, const char *source, const char *out,
                        const char *include_dirs, char *err, size_t errlen)
{
    const char *cc = zr_source_is_cxx(source) ? "c++" : "cc";
    char *compiler = zr_find_program(cc);
    if (!compiler) {
        snprintf(err, errlen, "no %s on PATH to compile %s (apt-get install %s)", cc, source,
                 zr_source_is_cxx(source) ? "g++" : "gcc");
        return -1;
    }
    /* A source named "-x" is a file, not an option of the compiler. */
    char *src = source[0] == '-' ? zr_strdup_printf("./%s", source) : zr_strdup_printf("%s", source);
    struct compile_line line;
    compile_line_make(&line, flavour, compiler, src, out, include_dirs);
    fflush(stdout);
    fprintf(stderr, "%s: %s", who, cc);
    for (int i = 1; i < line.argc; i++) {
        fputc(' ', stderr);
        print_sh_word(stderr, line.argv[i]);
    }
    fputc('\n', stderr);
    char *logpath = zr_strdup_printf("%s.compile.log", out);
    int status = -1;
    int logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (logfd < 0)
        snprintf(err, errlen, "cannot create %s: %s", logpath, strerror(errno));
    else {
        struct zr_spawn s = { .argv = line.argv, .out = ZR_OUTPUT_FD(logfd), .err = ZR_OUTPUT_FD(logfd) };
        status = zr_run_to_end(&s, 600, err, errlen);
        close(logfd);
        print_compiler_output(who, logpath);
    }
    if (status > 0)
        snprintf(err, errlen, "%s does not compile (the compiler's message is above)", source);
    unlink(logpath);
    free(logpath);
    free(line.cflags);
    free(line.ldflags);
    free(line.includes);
    for (int k = 0; k < line.nincludes; k++)
        free(line.include_args[k]);
    free(compiler);
    free(src);
    return status == 0 ? 0 : -1;
}

int zr_compile(const char *who, const struct zr_flavour *flavour, const char *source, const char *out, char *err,
               size_t errlen)
{
    return compile_with(who, flavour, source, out, NULL, err, errlen);
}

int zr_compile_module(const struct zr_flavour *flavour, const char *source, const char *out, const char *include_dirs,
                      char *err, size_t errlen)
{
    return compile_with("compile", flavour, source, out, include_dirs, err, errlen);
}
