/* ISSUE.md of a bundle, in the shape of libzmq's issue template (and
 * pyzmq's fields for Python): the case's own words, the environment, the
 * steps, the client's source, the real report of the run that made the
 * bundle and the rate measured here. */
#include "issue_md.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "environment.h"
#include "files.h"
#include "process.h"
#include "text.h"

#define REPORT_LINES_IN_ISSUE 60

/* The prose of a case's header comment, up to its first tag. */
char *zr_case_header_prose(const char *path)
{
    char *text = zr_read_file(path, NULL);
    if (!text)
        return zr_strdup_printf("%s", "");
    bool python = zr_name_has_suffix(path, ".py");
    char *out = zr_strdup_printf("%s", "");
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        if (python ? *p != '#' : (*p != '/' && *p != '*'))
            break;
        if (!strncmp(p, "#!", 2)) {
            line = next;
            continue;
        }
        p += !strncmp(p, "/*", 2) ? 2 : (*p == '*' || *p == '#') ? 1 : 0;
        if (!strncmp(p, "*/", 2))
            break;
        while (*p == ' ')
            p++;
        if (*p == '@')
            break;
        char *more = zr_strdup_printf("%s%s\n", out, p);
        free(out);
        out = more;
        line = next;
    }
    free(text);
    /* Trim the trailing blank lines. */
    size_t len = strlen(out);
    while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
        out[--len] = '\0';
    return out;
}

static void fence(FILE *f, const char *lang, const char *text, int max_lines)
{
    fprintf(f, "```%s\n", lang);
    int lines = 0;
    for (const char *p = text; *p; p++) {
        if (max_lines > 0 && lines >= max_lines) {
            fprintf(f, "... (the whole report is in report.txt)\n");
            break;
        }
        fputc(*p, f);
        if (*p == '\n')
            lines++;
    }
    if (text[0] && text[strlen(text) - 1] != '\n')
        fputc('\n', f);
    fprintf(f, "```\n");
}

static char *compiler_line(void)
{
    char *argv[] = { (char *)"cc", (char *)"--version", NULL };
    char *line = zr_first_line_of(argv, 30);
    return line ? line : zr_strdup_printf("unknown");
}

/* How the interpreter's zmq was installed: the Debian package that holds it,
 * if any (the folder of its zmq, the package dpkg says holds it, its version). */
static char *pyzmq_origin(const char *python)
{
    char *where[] = { (char *)python, (char *)"-c", (char *)"import zmq, os; print(os.path.dirname(zmq.__file__))",
                      NULL };
    char *dir = zr_first_line_of(where, 30);
    char *owner = NULL, *line = NULL;
    if (dir) {
        char *search[] = { (char *)"dpkg-query", (char *)"-S", dir, NULL };
        owner = zr_first_line_of(search, 30); /* "python3-zmq: /usr/lib/python3/dist-packages/zmq" */
    }
    if (owner && strchr(owner, ':')) {
        *strchr(owner, ':') = '\0';
        char *show[] = { (char *)"dpkg-query", (char *)"-W", (char *)"-f=Debian package ${Package} ${Version}", owner,
                         NULL };
        line = zr_first_line_of(show, 30);
    }
    free(dir);
    free(owner);
    return line ? line : zr_strdup_printf("not from a Debian package (pip or a source build)");
}

/* The title, the case's words and how often it reproduced here. */
static void write_description(FILE *f, const struct zr_bundle *b)
{
    fprintf(f, "# Issue description\n\n%s\n\n%s\n\n", b->title, b->description);
    fprintf(f, "Reproduced here in %d of %d runs", b->met, b->n);
    if (b->median_detect_s >= 0)
        fprintf(f, " (median time to the symptom: %.2f s)", b->median_detect_s);
    fprintf(f, ", %s.\n\n", b->mode->tsan_options ? "under ThreadSanitizer with libzmq itself built with -fsanitize=thread"
                                                  : "with no sanitizer");
    if (b->mode->perturb)
        fprintf(f, "To make it fail in seconds rather than hours, run.sh preloads an interposer (`perturb/`, built "
                   "into `libzmq_perturb.so`) that delays a few threads at their libzmq calls, drawn from a seed "
                   "(%llu here; `SEED=N ./run.sh` for another). It never prints, asserts or aborts: the failure "
                   "shown is libzmq's own, and the program fails the same way without it, only later.\n\n",
                b->seed);
}

/* The harness's own answer to "my usage or libzmq?", first. */
static void write_diagnosis(FILE *f, const struct zr_bundle *b)
{
    if (!b->diagnosis)
        return;
    fprintf(f, "What the harness found (zmq-repro's diagnosis):\n\n");
    fence(f, "", b->diagnosis, 0);
    fprintf(f, "\n");
}

/* The bundle of a usage error: what the program does wrong and its fix,
 * not a libzmq bug report. */
static void write_usage_error(FILE *f, const struct zr_bundle *b)
{
    fprintf(f, "# A usage error, not a libzmq bug\n\n%s\n\n", b->title);
    fprintf(f, "The harness's diagnosis says the failure is the program's own doing:\n\n");
    fence(f, "", b->diagnosis, 0);
    fprintf(f, "\nReproduced here in %d of %d runs, %s. The steps below show it; the fix is the program's (zmq(7): "
               "a socket is not thread safe; give each socket one owner thread, close every socket in its own "
               "thread before zmq_ctx_term, or set ZMQ_LINGER).\n",
            b->met, b->n, b->mode->tsan_options ? "under ThreadSanitizer" : "with no sanitizer");
}

static void write_environment(FILE *f, const struct zr_bundle *b, const struct zr_setup *setup, json_t *host)
{
    const char *version = json_string_value(json_object_get(b->build, "version"));
    const char *origin = json_string_value(json_object_get(b->build, "origin"));
    char *cc = compiler_line();
    fprintf(f, "# Environment\n\n");
    fprintf(f, "* libzmq version (commit hash if unreleased): %s (%s)%s\n", version ? version : "?",
            origin ? origin : "?",
            json_is_true(json_object_get(b->build, "instrumented")) ? ", built with -fsanitize=thread" : "");
    fprintf(f, "* OS: %s, kernel %s, %s, %lld CPUs\n", json_string_value(json_object_get(host, "os")),
            json_string_value(json_object_get(host, "kernel")), json_string_value(json_object_get(host, "machine")),
            (long long)json_integer_value(json_object_get(host, "cpus")));
    fprintf(f, "* Compiler: %s\n", cc);
    if (b->python) {
        /* A Python build (--python python:SUITE) says where it came from. */
        char *how = setup->python_build ? zr_strdup_printf("%s", zr_build_field(setup->python_build, "origin"))
                                        : pyzmq_origin(setup->python);
        /* From the result's environment: null in a result whose probe could not import zmq. */
        const char *pyzmq = json_string_value(json_object_get(b->python_env, "pyzmq"));
        const char *py_version = json_string_value(json_object_get(b->python_env, "version"));
        fprintf(f, "* What pyzmq version? %s\n", pyzmq ? pyzmq : "?");
        fprintf(f, "* What libzmq version? %s (pyzmq links the system libzmq.so.5)\n", version ? version : "?");
        fprintf(f, "* Python version (and how it was installed): %s, %s; pyzmq: %s\n",
                py_version ? py_version : "?", setup->python, how);
        free(how);
    }
    free(cc);
}

/* The numbered steps: build, start the peer, run the client, or run.sh. */
static void write_steps(FILE *f, const struct zr_bundle *b)
{
    bool server = zr_bundle_has_server(b);
    fprintf(f, "\n# Minimal test code / Steps to reproduce the issue\n\n");
    char *client = zr_sh_quote(zr_bundle_file_name(b->client_path));
    if (b->python)
        fprintf(f, "1. %s: the script is `%s` (nothing to build)\n",
                server ? "Build the peer with `cc -O2 -g -o router_server router_server.c -lzmq`" : "Nothing to build",
                client);
    else
        fprintf(f, "1. Build%s`%s %s -o client ./%s -lzmq -lpthread`\n",
                server ? " the peer with `cc -O2 -g -o router_server router_server.c -lzmq` and the client with "
                       : " the client: ",
                b->cxx ? "c++" : "cc", b->mode->flavour->cflags, client);
    if (b->mode->perturb)
        fprintf(f, "   and the interposer that delays threads: `cc -shared -fPIC -O2 -std=gnu11 -fvisibility=hidden "
                   "-D_GNU_SOURCE -DZMQ_OWNER_BUILDING_LIBRARY -o libzmq_perturb.so perturb/*.c -lpthread -ldl`\n");
    if (server)
    {
        fprintf(f, "2. Start the peer, a ROUTER that echoes every request: `./router_server --bind 'tcp://127.0.0.1:*' "
                   "--mode ");
        zr_fput_sh_word(f, b->server_mode);
        fprintf(f, "` (it prints the endpoint it bound).\n");
    }
    /* As it was run: a case takes the endpoint first; a program where it asked for it. */
    bool endpoint = b->endpoint_first;
    for (int i = 0; i < b->nargs; i++)
        endpoint |= strstr(b->args[i], "{endpoint}") != NULL;
    char *perturb = b->mode->perturb
                        ? zr_strdup_printf("LD_PRELOAD=./libzmq_perturb.so ZMQ_OWNER_PERTURB=%llu ", b->seed)
                        : zr_strdup_printf("%s", "");
    fprintf(f, "%d. Run the client%s: `%s%s%s%s", server ? 3 : 2, server ? " against it" : "", perturb,
            b->python ? "python3 ./" : "./", b->python ? client : "client", b->endpoint_first ? " ENDPOINT" : "");
    free(client);
    free(perturb);
    for (int i = 0; i < b->nargs; i++) {
        fputc(' ', f);
        const char *at = strstr(b->args[i], "{endpoint}");
        if (at)
            fprintf(f, "%.*sENDPOINT%s", (int)(at - b->args[i]), b->args[i], at + strlen("{endpoint}"));
        else
            zr_fput_sh_word(f, b->args[i]);
    }
    fprintf(f, "`%s\n", server || !endpoint ? "" : " (ENDPOINT: any ipc:// path where nothing listens)");
    fprintf(f, "%d. Or all of it, N times, with a timeout per run: `%s./run.sh 20`\n\n", server ? 4 : 3,
            b->mode->tsan_options ? "LIBZMQ_PREFIX=/prefix/of/libzmq-built-with-tsan " : "");
}

/* The client's source, and where the peer is. */
static void write_test_code(FILE *f, const struct zr_bundle *b)
{
    char *source = zr_read_file(b->client_path, NULL);
    fence(f, b->python ? "python" : b->cxx ? "cpp" : "c", source ? source : "", 0);
    free(source);
    if (zr_bundle_has_server(b))
        fprintf(f, "\nThe peer is `router_server.c` in the same folder: plain C, one thread, a ROUTER that replies to "
                   "each request.\n");
}

static void write_results(FILE *f, const struct zr_bundle *b)
{
    fprintf(f, "\n# What's the actual result? (include assertion message & call stack if applicable)\n\n");
    fprintf(f, "%s\n\n", b->verdict);
    fence(f, "", b->report ? b->report : "(no report text)", REPORT_LINES_IN_ISSUE);
    fprintf(f, "\n# What's the expected result?\n\n");
    if (b->judged_by_exit)
        fprintf(f, "The program finishes and exits 0, with no report from ThreadSanitizer, libzmq or CPython.\n");
    else if (!strcmp(b->expected, "hang"))
        fprintf(f, "The program finishes: every blocking call returns and `zmq_ctx_term` returns once every socket is "
                   "closed; it prints DONE and exits 0.\n");
    else
        fprintf(f, "The program finishes, prints DONE with every reply received, and exits 0, with nothing on stderr "
                   "(under ThreadSanitizer: no report).\n");
}

int zr_write_issue_md(const struct zr_bundle *b, const struct zr_setup *setup, const char *dir)
{
    char *path = zr_strdup_printf("%s/ISSUE.md", dir);
    FILE *f = fopen(path, "w");
    free(path);
    if (!f)
        return -1;
    json_t *host = zr_host_json();
    if (b->usage_error && !b->as_bug) {
        write_usage_error(f, b);
        write_steps(f, b);
        write_test_code(f, b);
        write_results(f, b);
        fprintf(f, "\n---\nMade by zmq-repro %s. To file it upstream all the same (if libzmq should catch this "
                   "use), make the bundle again with --as-bug: libzmq's issue template.\n",
                ZR_VERSION);
        json_decref(host);
        return fclose(f) == 0 ? 0 : -1;
    }
    write_description(f, b);
    write_diagnosis(f, b);
    write_environment(f, b, setup, host);
    write_steps(f, b);
    write_test_code(f, b);
    write_results(f, b);
    fprintf(f, "\n---\nMade by zmq-repro %s on %s. The folder holds the client, %srun.sh and report.txt (the whole "
               "report of the run above).\n",
            ZR_VERSION, json_string_value(json_object_get(host, "hostname")), zr_bundle_has_server(b) ? "the peer, " : "");
    json_decref(host);
    return fclose(f) == 0 ? 0 : -1;
}
