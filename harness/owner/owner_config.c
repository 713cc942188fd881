/* The checker's settings from the environment. See owner_config.h. */
#include "owner_config.h"

#include "report.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

/* The ThreadSanitizer build exists for ZMQ_OWNER_HANDOFF=tsan: its default. */
struct owner_config owner_config = {
    .on_overlap = OVERLAP_ABORT,
#ifdef ZMQ_OWNER_TSAN
    .handoff = HANDOFF_TSAN,
#else
    .handoff = HANDOFF_OFF,
#endif
    .allow_migration = false,
    .verbose = false,
    .log_fd = 2,
};

static bool is_set(const char *value)
{
    return value && value[0];
}

static bool is_true(const char *value)
{
    return is_set(value) && strcmp(value, "0") != 0 && strcmp(value, "no") != 0
           && strcmp(value, "off") != 0 && strcmp(value, "false") != 0;
}

void owner_config_load(void)
{
    /* The log file first, so that the warnings below go to it. */
    const char *log = getenv("ZMQ_OWNER_LOG");
    if (is_set(log)) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0)
            owner_config.log_fd = fd;
        else
            report_warning("cannot open ZMQ_OWNER_LOG=", log, "; reporting on stderr");
    }

    const char *on_overlap = getenv("ZMQ_OWNER_ON_OVERLAP");
    if (is_set(on_overlap)) {
        if (strcmp(on_overlap, "abort") == 0)
            owner_config.on_overlap = OVERLAP_ABORT;
        else if (strcmp(on_overlap, "continue") == 0)
            owner_config.on_overlap = OVERLAP_CONTINUE;
        else
            report_warning("ignoring ZMQ_OWNER_ON_OVERLAP=", on_overlap, " (abort or continue)");
    }

    const char *handoff = getenv("ZMQ_OWNER_HANDOFF");
    if (is_set(handoff)) {
        if (strcmp(handoff, "off") == 0)
            owner_config.handoff = HANDOFF_OFF;
        else if (strcmp(handoff, "report") == 0)
            owner_config.handoff = HANDOFF_REPORT;
        else if (strcmp(handoff, "tsan") == 0) {
#ifdef ZMQ_OWNER_TSAN
            owner_config.handoff = HANDOFF_TSAN;
#else
            report_warning("ignoring ZMQ_OWNER_HANDOFF=", handoff,
                           ": it needs libzmq_owner_tsan.so (the ThreadSanitizer build)");
#endif
        } else {
            report_warning("ignoring ZMQ_OWNER_HANDOFF=", handoff, " (off, report or tsan)");
        }
    }

    /* Perturbation: the program runs on into the overlaps it is made to have. */
    const char *seed = getenv("ZMQ_OWNER_PERTURB");
    if (is_set(seed)) {
        char *end;
        unsigned long long v = strtoull(seed, &end, 10);
        if (*end)
            report_warning("ignoring ZMQ_OWNER_PERTURB=", seed, " (a seed: a whole number)");
        else {
            owner_config.perturb = true;
            owner_config.perturb_seed = v;
            owner_config.handoff = HANDOFF_OFF;
        }
    }

    owner_config.allow_migration = is_true(getenv("ZMQ_OWNER_ALLOW_MIGRATION"));
    owner_config.verbose = is_true(getenv("ZMQ_OWNER_VERBOSE"));
}
