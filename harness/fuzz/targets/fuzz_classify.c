/* The classification of an attempt (core/classify.c) on any output: the
 * first bytes choose how the process ended and what the harness saw
 * (exit or signal, watchdog, stall, which runtimes were loaded, the
 * server's state); the rest is the client's stdout, stderr and stacks,
 * separated by 0x1e. Also the libzmq assertion line, CPython's fatal error
 * and the DONE line on their own, and the expectations on the verdict. */
#include "classify.h"
#include "fuzz_input.h"

static const char *const outcomes[] = { "TSAN", "ASSERT", "SIGNAL", "HANG", "LOSS", "EXIT", "SHARED_SOCKET",
                                        "FATAL_PYTHON", "CLEAN", "NOISE" };
static const char *const texts[] = { NULL, "zmq_recv", "object.cpp", "data-race:@libzmq", "SIGSEGV", "*" };

static void expectations(const struct zr_verdict *v, uint8_t pick)
{
    struct zr_expectation e[2] = {
        { (char *)outcomes[pick % 10], (char *)texts[(pick >> 4) % 6] },
        { (char *)outcomes[(pick >> 2) % 10], (char *)texts[pick % 6] },
    };
    struct zr_expect_list list = { 2, e };
    zr_expectation_met(&list, v);
    zr_expectation_undecidable(&list, v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    uint8_t flags = data[0], code = data[1], server_flags = data[2], pick = data[3];
    char *text = zr_fuzz_text(data + 4, size - 4);
    char *f[3];
    zr_fuzz_fields(text, f, 3);
    size_t nerr = strlen(f[1]);

    char *sig = NULL, *symptom = NULL, *location = NULL;
    if (zr_find_libzmq_abort(f[1], nerr, &sig, &symptom, &location)) {
        free(sig);
        free(symptom);
        free(location);
    }
    sig = NULL;
    if (zr_find_fatal_python(f[1], nerr, &sig))
        free(sig);
    long long sent, received;
    zr_find_done(f[0], &sent, &received);
    free(zr_output_tail(f[1], code % 40, (size_t)pick * 16));
    zr_signal_is_symptom(code);

    struct zr_server_view server = { .present = true, .died = server_flags & 1, .stalled = server_flags & 2,
                                     .how = (char *)"killed by SIGKILL", .received = server_flags & 4 ? 5 : -1,
                                     .replied = server_flags & 8 ? 5 : 3, .unroutable = 0, .held = 0,
                                     .err_text = (char *)"" };
    struct zr_run_output run = {
        .exited = flags & 1,
        .exit_code = code,
        .signal = code % 65,
        .timed_out = flags & 2,
        .stalled = flags & 4,
        .out = f[0],
        .err = f[1],
        .err_before_hang = nerr * pick / 255,
        .stacks = (server_flags & 16) ? f[2] : NULL,
        .stacks_error = (server_flags & 16) ? NULL : "eu-stack cannot attach",
        .server = (server_flags & 32) ? &server : NULL,
        .judged_by_exit = flags & 8,
        .progressing = flags & 16,
        .progress_note = (flags & 16) ? "the client's stderr grew" : NULL,
        .left_behind = (server_flags & 64) ? "pid 7 (sleep)" : NULL,
        .tsan_absent = flags & 32,
        .owner_absent = flags & 64,
        .python_absent = flags & 128,
    };
    struct zr_verdict v;
    zr_classify(&run, &v);
    expectations(&v, pick);
    zr_verdict_free(&v);
    free(text);
    return 0;
}
