#include "setup.h"

#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "text.h"

int zr_setup_defaults(struct zr_setup *s, char *err, unsigned long errlen)
{
    s->source_dir = ZR_SOURCE_DIR;
    s->build_dir = ZR_BUILD_DIR;
    s->server = ZR_BUILD_DIR "/router_server";
    s->python = ZR_PYTHON;
    s->libtsan = ZR_LIBTSAN;
    s->owner_lib = ZR_BUILD_DIR "/libzmq_owner.so";
    s->loaded_probe = ZR_BUILD_DIR "/libzr_loaded.so";
    s->suppressions = ZR_SOURCE_DIR "/harness/tsan/suppressions.txt";
    s->stack_tool = getenv("ZR_STACK_TOOL") && *getenv("ZR_STACK_TOOL") ? getenv("ZR_STACK_TOOL") : ZR_STACK_TOOL;
    s->build_script = ZR_SOURCE_DIR "/harness/libzmq/build-libzmq.sh";
    s->transport = "tcp";
    s->multiplier = 1;
    s->verbose = 0;
    const char *m = getenv("ZR_TIMEOUT_MULTIPLIER");
    if (m && *m && zr_parse_double(m, 1, 100, &s->multiplier) != 0) {
        snprintf(err, errlen, "ZR_TIMEOUT_MULTIPLIER must be a number from 1 to 100, not '%s'", m);
        return -1;
    }
    return 0;
}
