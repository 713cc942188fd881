/* Prints an output captured from a real run (a fixture of
 * harness/tests/fixtures/) as its own stderr, and ends the way that run
 * ended: the same bytes reach the harness's classifier (core/classify.c)
 * and a bundle's run.sh classifier, which
 * harness/tests/integration/run_sh_classifier.sh holds to agreeing.
 *
 * usage: emit_output ENDPOINT FILE HOW [STDOUT-LINE]
 *   HOW: exit:N (exit N), abort (SIGABRT, as libzmq's and CPython's aborts
 *   end), signal:N (that signal, default action), hang (waits forever).
 *   STDOUT-LINE (e.g. "DONE sent=5 received=5") is printed on stdout first.
 * The endpoint is not used; libzmq is loaded and a context made, so that
 * the harness sees a program that ran on its build. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static void copy_to_stderr(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        perror(path);
        exit(2);
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, stderr);
    fclose(in);
    fflush(stderr);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: emit_output ENDPOINT FILE HOW [STDOUT-LINE]\n");
        return 2;
    }
    void *ctx = zmq_ctx_new();
    if (argc > 4) {
        printf("%s\n", argv[4]);
        fflush(stdout);
    }
    copy_to_stderr(argv[2]);
    const char *how = argv[3];
    if (!strncmp(how, "exit:", 5)) {
        zmq_ctx_term(ctx);
        return atoi(how + 5);
    }
    if (!strcmp(how, "abort"))
        abort();
    if (!strncmp(how, "signal:", 7)) {
        int sig = atoi(how + 7);
        signal(sig, SIG_DFL);
        raise(sig);
    }
    if (!strcmp(how, "hang"))
        for (;;)
            pause();
    fprintf(stderr, "emit_output: HOW is exit:N, abort, signal:N or hang, not %s\n", how);
    return 2;
}
