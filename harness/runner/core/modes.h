/* The modes a case runs in, and the client flavours they are built in: one
 * table that the runner, the result files and the build (through
 * `zmq-repro cmake-cases`) all read. A new mode is one entry here. */
#ifndef ZR_MODES_H
#define ZR_MODES_H

#include <stdbool.h>

/* How a client program is compiled for a mode: the C cases and the Python
 * extension modules are built once per flavour, into clients/<flavour>/ and
 * pyext/<flavour>/, and bound to a libzmq build at run time. */
struct zr_flavour {
    const char *name;
    const char *cflags;
    const char *ldflags;
};

/* What a mode needs of the libzmq build it runs on. */
enum zr_build_need {
    ZR_NEEDS_INSTRUMENTED, /* built with -fsanitize=thread */
    ZR_NEEDS_PLAIN,        /* anything a process without TSan can load */
};

/* What a mode preloads into every client (LD_PRELOAD, in this order, before
 * whatever the user's own environment preloads). */
enum zr_preload {
    ZR_PRELOAD_TSAN_RUNTIME = 1 << 0, /* libtsan: an interpreter or prebuilt binary under TSan */
    ZR_PRELOAD_OWNER_CHECKER = 1 << 1, /* libzmq_owner.so: the socket-ownership checker */
};

struct zr_mode {
    const char *name;
    const char *summary;
    const struct zr_flavour *flavour;
    enum zr_build_need needs;
    const char *default_build; /* the build a run uses when none is named */
    unsigned preload;          /* enum zr_preload bits */
    bool tsan_options;         /* TSAN_OPTIONS: reports, suppressions */
    bool no_aslr;              /* TSan's shadow memory needs a fixed layout on this kernel */
    bool perturb;              /* the checker's interposer delays threads (ZMQ_OWNER_PERTURB, harness/owner/perturb.h) */
    double default_timeout_s;  /* the watchdog of a case that states none */
    /* A case with no @expect line for this mode runs in it all the same, by
     * that mode's lines (@expect, @args, @timeout, @stall), when it has them;
     * NULL: only by its own. */
    const char *else_as;
};

#define ZR_MAX_MODES 8

extern const struct zr_flavour zr_flavours[];
extern const int zr_nflavours;
extern const struct zr_mode zr_modes[];
extern const int zr_nmodes;

/* The mode of that name, or NULL. */
const struct zr_mode *zr_mode_find(const char *name);
/* Its index in zr_modes (for per-mode arrays). */
int zr_mode_index(const struct zr_mode *mode);
/* "tsan, stress, owner": the names, for messages. */
const char *zr_mode_names(void);

#endif
