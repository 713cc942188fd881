/* The checker's reports. See report.h and README.md for the format. */
#include "report.h"

#include "owner_config.h"
#include "symbolize.h"

#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAMES 64

/* One report at a time: the text buffer and the capture state are shared. */
static pthread_mutex_t report_mutex = PTHREAD_MUTEX_INITIALIZER;
static char report_buffer[64 * 1024];
static size_t report_length;
static _Atomic unsigned long overlaps_reported, handoffs_reported;

/* --- Text, without stdio or malloc ---------------------------------------- */

static void add_text(const char *text)
{
    size_t n = strlen(text);
    size_t room = sizeof report_buffer - 1 - report_length;
    if (n > room)
        n = room;
    memcpy(report_buffer + report_length, text, n);
    report_length += n;
}

static void add_unsigned(uintmax_t value, unsigned base)
{
    char digits[32];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[value % base];
        value /= base;
    } while (value && n < (int)sizeof digits);
    char text[36];
    int t = 0;
    if (base == 16) {
        text[t++] = '0';
        text[t++] = 'x';
    }
    while (n > 0)
        text[t++] = digits[--n];
    text[t] = '\0';
    add_text(text);
}

static void begin_line(void)
{
    add_text("==");
    add_unsigned((uintmax_t)getpid(), 10);
    add_text("== zmq-owner: ");
}

static void end_line(void)
{
    add_text("\n");
}

static void write_report(void)
{
    const char *p = report_buffer;
    size_t left = report_length;
    while (left > 0) {
        ssize_t n = write(owner_config.log_fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n;
        left -= (size_t)n;
    }
    report_length = 0;
}

/* --- Threads, calls and backtraces ----------------------------------------- */

/* Reads /proc/self/task/TID/comm into name (empty on failure). */
static void read_thread_name(pid_t tid, char *name, size_t size)
{
    char path[64] = "/proc/self/task/";
    size_t len = strlen(path);
    char digits[16];
    int n = 0;
    for (pid_t t = tid; t > 0 && n < (int)sizeof digits; t /= 10)
        digits[n++] = (char)('0' + t % 10);
    while (n > 0)
        path[len++] = digits[--n];
    memcpy(path + len, "/comm", 6);
    name[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t got = read(fd, name, size - 1);
    close(fd);
    name[got > 0 ? got : 0] = '\0';
    name[strcspn(name, "\n")] = '\0';
}

/* "thread 4244 \"receiver\"": the name only when the program set one, i.e.
 * when it differs from the main thread's (which threads inherit). */
static void add_thread(pid_t tid)
{
    add_text("thread ");
    add_unsigned((uintmax_t)tid, 10);
    if (tid == getpid()) {
        add_text(" (main)");
        return;
    }
    char name[32], main_name[32];
    read_thread_name(tid, name, sizeof name);
    read_thread_name(getpid(), main_name, sizeof main_name);
    if (name[0] && strcmp(name, main_name) != 0) {
        add_text(" \"");
        add_text(name);
        add_text("\"");
    }
}

/* "receiver+0x3a (/path/prog+0x1a2b)", or "/path/prog+0x1a2b" when no
 * symbol covers the address. */
static void add_code_address(uintptr_t address, bool is_return_address)
{
    struct symbol sym;
    symbolize(address, is_return_address, &sym);
    if (sym.has_function) {
        add_text(sym.function);
        add_text("+");
        add_unsigned(sym.function_offset, 16);
        add_text(sym.has_module ? " (" : "");
    }
    if (sym.has_module) {
        add_text(sym.module);
        add_text("+");
        add_unsigned(sym.module_offset, 16);
        add_text(sym.has_function ? ")" : "");
    } else if (!sym.has_function) {
        add_unsigned(address, 16);
    }
}

/* The caller as the SUMMARY names it: the function, else module+0xoffset. */
static void add_caller_short(uintptr_t caller)
{
    if (!caller) {
        add_text("unknown");
        return;
    }
    struct symbol sym;
    symbolize(caller, true, &sym);
    if (sym.has_function) {
        add_text(sym.function);
    } else if (sym.has_module) {
        add_text(module_basename(sym.module));
        add_text("+");
        add_unsigned(sym.module_offset, 16);
    } else {
        add_unsigned(caller, 16);
    }
}

/* "zmq_recv, called from receiver+0x3a (/path/prog+0x1a2b)" */
static void add_call(const struct call_site *site)
{
    add_text(site->call ? site->call : "an unknown call (it left before its call could be read)");
    if (site->caller) {
        add_text(", called from ");
        add_code_address(site->caller, true);
    }
}

/* Frames from the top, leaving out those inside this library, and, for a
 * backtrace taken in a signal handler, the signal return trampoline that
 * follows them (the frame after it is the interrupted one). */
static void add_backtrace(void *const *frames, int count, bool from_signal_handler)
{
    int shown = 0;
    bool skip_trampoline = from_signal_handler;
    for (int i = 0; i < count; i++) {
        uintptr_t address = (uintptr_t)frames[i];
        if (address_in_this_library(address))
            continue;
        if (skip_trampoline) {
            skip_trampoline = false;
            continue;
        }
        begin_line();
        add_text("    #");
        add_unsigned((uintmax_t)shown++, 10);
        add_text(" ");
        add_unsigned(address, 16);
        add_text(" in ");
        add_code_address(address, true);
        end_line();
    }
    if (shown == 0) {
        begin_line();
        add_text("    (no frames)");
        end_line();
    }
}

/* --- The backtrace of the other thread, by signal -------------------------- */

/* The thread that entered first is asked for its own backtrace with a signal
 * (only when the process is about to abort: the signal interrupts its
 * blocking libzmq call with EINTR). Its handler records the frames and then
 * holds the thread still while the report is written, so that it does not
 * run on and print before the abort; never for more than 2 s. */
static _Atomic pid_t capture_target;
static _Atomic int captured_count = -1;
static _Atomic int capture_release;
static void *captured_frames[MAX_FRAMES];

static void capture_handler(int signal_number)
{
    (void)signal_number;
    int saved_errno = errno;
    if ((pid_t)syscall(SYS_gettid) == atomic_load(&capture_target)) {
        int n = backtrace(captured_frames, MAX_FRAMES);
        atomic_store_explicit(&captured_count, n, memory_order_release);
        struct timespec pause = { 0, 10 * 1000 * 1000 };
        for (int i = 0; i < 200 && !atomic_load(&capture_release); i++)
            nanosleep(&pause, NULL);
    }
    errno = saved_errno;
}

static int capture_backtrace_of(pid_t tid)
{
    /* A real-time signal programs rarely use; SIGRTMIN itself and the two
     * below it are glibc's. The old action is not restored: the process is
     * about to abort. */
    int signal_number = SIGRTMAX - 3;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = capture_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (sigaction(signal_number, &action, NULL) != 0)
        return -1;
    atomic_store(&capture_target, tid);
    atomic_store(&captured_count, -1);
    if (syscall(SYS_tgkill, getpid(), tid, signal_number) != 0)
        return -1;
    struct timespec pause = { 0, 1000 * 1000 };
    for (int i = 0; i < 200; i++) {
        int n = atomic_load_explicit(&captured_count, memory_order_acquire);
        if (n >= 0)
            return n;
        nanosleep(&pause, NULL);
    }
    return -1;
}

/* --- The reports ------------------------------------------------------------ */

void report_prepare(void)
{
    void *frames[2];
    (void)backtrace(frames, 2);
}

static void add_summary_call(const struct call_site *site)
{
    add_text(site->call ? site->call : "unknown");
    add_text(" (");
    add_caller_short(site->caller);
    add_text(")");
}

static void add_socket(const void *socket, int type)
{
    add_text("socket ");
    add_unsigned((uintptr_t)socket, 16);
    add_text(" (");
    add_text(socket_type_name(type));
    add_text(")");
}

void report_overlap(const void *socket, int type, const struct call_site *first,
                    const struct call_site *second, bool fatal)
{
    pthread_mutex_lock(&report_mutex);
    atomic_fetch_add(&overlaps_reported, 1);
    /* The finding first, in a write of its own: the backtraces below take a
     * while, and in a program that shares a socket among many threads
     * another thread may crash in libzmq meanwhile. This line alone names
     * the overlap (its tail is the SUMMARY's). */
    begin_line();
    add_text("ERROR: ");
    add_socket(socket, type);
    add_text(" used by two threads at once; SHARED_SOCKET ");
    add_text(socket_type_name(type));
    add_text(" ");
    add_summary_call(first);
    add_text(" | ");
    add_summary_call(second);
    end_line();
    write_report();

    void *frames[MAX_FRAMES];
    int count = backtrace(frames, MAX_FRAMES);

    begin_line();
    add_text("  ");
    add_thread(first->tid);
    add_text(" was inside ");
    add_call(first);
    end_line();
    begin_line();
    add_text("  ");
    add_thread(second->tid);
    add_text(" entered ");
    add_call(second);
    end_line();

    begin_line();
    add_text("  backtrace of ");
    add_thread(second->tid);
    add_text(":");
    end_line();
    add_backtrace(frames, count, false);

    if (fatal && first->tid != 0) {
        int other = capture_backtrace_of(first->tid);
        begin_line();
        add_text("  backtrace of ");
        add_thread(first->tid);
        add_text(other >= 0 ? " (interrupted by this report; it may have left the call):"
                            : ": not available (the thread did not answer the signal)");
        end_line();
        if (other >= 0)
            add_backtrace(captured_frames, other, true);
    }

    if (fatal && dlsym(RTLD_DEFAULT, "Py_IsInitialized")) {
        begin_line();
        add_text("  (Python: run the interpreter with -X faulthandler to get every thread's Python stack after this report.)");
        end_line();
    }
    begin_line();
    add_text("  libzmq sockets are not thread safe (zmq(7)): use each socket from one thread at a time,");
    end_line();
    begin_line();
    add_text("  and move it to another thread only through a full memory barrier (a mutex, a thread join).");
    end_line();
    begin_line();
    add_text("SUMMARY: SHARED_SOCKET ");
    add_text(socket_type_name(type));
    add_text(" ");
    add_summary_call(first);
    add_text(" | ");
    add_summary_call(second);
    end_line();
    write_report();
    if (fatal) {
        atomic_store(&capture_release, 1);
        abort(); /* with report_mutex held: nothing else is printed */
    }
    pthread_mutex_unlock(&report_mutex);
}

void report_handoff(const void *socket, int type, const struct call_site *previous,
                    const struct call_site *next)
{
    void *frames[MAX_FRAMES];
    int count = backtrace(frames, MAX_FRAMES);

    pthread_mutex_lock(&report_mutex);
    atomic_fetch_add(&handoffs_reported, 1);
    begin_line();
    add_text("WARNING: ");
    add_socket(socket, type);
    add_text(" moved to another thread with no migration marked");
    end_line();
    begin_line();
    add_text("  ");
    add_thread(previous->tid);
    add_text(" used it last: ");
    add_call(previous);
    end_line();
    begin_line();
    add_text("  ");
    add_thread(next->tid);
    add_text(" uses it now: ");
    add_call(next);
    end_line();
    begin_line();
    add_text("  backtrace of ");
    add_thread(next->tid);
    add_text(":");
    end_line();
    add_backtrace(frames, count, false);
    begin_line();
    add_text("  zmq(7) lets a socket move between threads only after a full memory barrier. If this handover");
    end_line();
    begin_line();
    add_text("  is synchronised (a mutex, a thread start or join), call zmq_owner_migrate(socket) there or set");
    end_line();
    begin_line();
    add_text("  ZMQ_OWNER_ALLOW_MIGRATION=1; to have ThreadSanitizer judge it, use libzmq_owner_tsan.so.");
    end_line();
    begin_line();
    add_text("SUMMARY: SOCKET_HANDOFF ");
    add_text(socket_type_name(type));
    add_text(" ");
    add_summary_call(previous);
    add_text(" -> ");
    add_summary_call(next);
    end_line();
    write_report();
    pthread_mutex_unlock(&report_mutex);
}

static const char *handoff_mode_name(enum handoff_mode mode)
{
    switch (mode) {
    case HANDOFF_REPORT:
        return "report";
    case HANDOFF_TSAN:
        return "tsan";
    case HANDOFF_OFF:
    default:
        return "off";
    }
}

void report_banner(const char *libzmq_path, int major, int minor, int patch)
{
    pthread_mutex_lock(&report_mutex);
    begin_line();
    add_text("active: checking socket ownership (on overlap: ");
    add_text(owner_config.on_overlap == OVERLAP_ABORT ? "abort" : "continue");
    add_text("; handoff: ");
    add_text(handoff_mode_name(owner_config.handoff));
    if (owner_config.allow_migration)
        add_text("; migration allowed");
    add_text("); forwarding to ");
    add_text(libzmq_path);
    add_text(" (libzmq ");
    add_unsigned((uintmax_t)major, 10);
    add_text(".");
    add_unsigned((uintmax_t)minor, 10);
    add_text(".");
    add_unsigned((uintmax_t)patch, 10);
    add_text(")");
    end_line();
    write_report();
    pthread_mutex_unlock(&report_mutex);
}

void report_perturb_banner(unsigned long long seed, const char *libzmq_module)
{
    pthread_mutex_lock(&report_mutex);
    begin_line();
    add_text("active: perturbing (seed ");
    add_unsigned((uintmax_t)seed, 10);
    if (libzmq_module) {
        add_text("); libzmq's own waits and reads delayed in ");
        add_text(libzmq_module);
    } else {
        add_text("); libzmq not found: only the socket calls are delayed");
    }
    end_line();
    write_report();
    pthread_mutex_unlock(&report_mutex);
}

void report_statistics(const struct table_statistics *stats)
{
    pthread_mutex_lock(&report_mutex);
    begin_line();
    add_text("exit: checked ");
    add_unsigned(stats->calls, 10);
    add_text(" calls (");
    add_unsigned(stats->nested_calls, 10);
    add_text(" nested) on ");
    add_unsigned(stats->sockets, 10);
    add_text(" sockets");
    if (stats->untracked) {
        add_text(" (");
        add_unsigned(stats->untracked, 10);
        add_text(" more not checked: table full)");
    }
    add_text("; reported ");
    add_unsigned(atomic_load(&overlaps_reported), 10);
    add_text(" overlaps, ");
    add_unsigned(atomic_load(&handoffs_reported), 10);
    add_text(" handoffs");
    end_line();
    write_report();
    pthread_mutex_unlock(&report_mutex);
}

void report_warning(const char *a, const char *b, const char *c)
{
    pthread_mutex_lock(&report_mutex);
    begin_line();
    add_text("WARNING: ");
    add_text(a);
    if (b)
        add_text(b);
    if (c)
        add_text(c);
    end_line();
    write_report();
    pthread_mutex_unlock(&report_mutex);
}
