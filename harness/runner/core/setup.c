#include "setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "text.h"

int zr_setup_defaults(struct zr_setup *s, char *err, unsigned long errlen)
{
    s->source_dir = ZR_SOURCE_DIR;
    s->build_dir = ZR_BUILD_DIR;
    s->server = ZR_BUILD_DIR "/router_server";
    s->python = ZR_PYTHON;
    s->python_build = NULL;
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

int zr_setup_use_python(struct zr_setup *s, const char *name_or_path, char *err, unsigned long errlen)
{
    struct stat st;
    bool folder = stat(name_or_path, &st) == 0 && S_ISDIR(st.st_mode); /* a Python build's folder */
    bool program = !folder && (strchr(name_or_path, '/') ||
                               (!zr_source_is_python(name_or_path) && access(name_or_path, X_OK) == 0));
    if (program) {
        if (access(name_or_path, X_OK) != 0) {
            snprintf(err, errlen, "%s: no such program (name an interpreter that imports zmq, or a Python build)",
                     name_or_path);
            return -1;
        }
        s->python = name_or_path;
        s->python_build = NULL;
        return 0;
    }
    /* Opened for the whole run: every client started in it names this build. */
    struct zr_build *b = calloc(1, sizeof *b);
    if (!b || zr_python_build_open(name_or_path, b, err, errlen) != 0) {
        free(b);
        return -1;
    }
    s->python = zr_build_field(b, "python");
    s->python_build = b;
    return 0;
}
