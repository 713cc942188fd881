/* The checker's settings, read once from the environment (README.md). */
#ifndef ZMQ_OWNER_CONFIG_H
#define ZMQ_OWNER_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

enum overlap_action {
    OVERLAP_ABORT,    /* report, then abort(): the default */
    OVERLAP_CONTINUE, /* report once per socket, then let the program go on */
};

enum handoff_mode {
    HANDOFF_OFF,    /* the default: only overlaps are checked */
    HANDOFF_REPORT, /* report a change of owner thread the program did not mark */
    HANDOFF_TSAN,   /* write a shadow variable per call for ThreadSanitizer (TSan build only) */
};

struct owner_config {
    enum overlap_action on_overlap; /* ZMQ_OWNER_ON_OVERLAP=abort|continue */
    enum handoff_mode handoff;      /* ZMQ_OWNER_HANDOFF=off|report|tsan */
    bool allow_migration;           /* ZMQ_OWNER_ALLOW_MIGRATION=1 */
    bool verbose;                   /* ZMQ_OWNER_VERBOSE=1 */
    int log_fd;                     /* ZMQ_OWNER_LOG=FILE (appended), else 2 */
    bool perturb;                   /* ZMQ_OWNER_PERTURB=SEED: delay calls instead of reporting (perturb.h) */
    uint64_t perturb_seed;
};

/* Set once by owner_config_load(), read-only afterwards. */
extern struct owner_config owner_config;

/* Reads the environment; a value it does not understand is reported with a
 * warning line and the default is kept. */
void owner_config_load(void);

#endif
