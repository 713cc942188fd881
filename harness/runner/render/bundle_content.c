#include "bundle_content.h"

#include <stdlib.h>
#include <string.h>

/* What libzmq_owner.so is built from (harness/owner/CMakeLists.txt,
 * ZMQ_OWNER_SOURCES), with its headers; the bundle test builds it from
 * these alone. */
const char *const zr_bundle_perturb_files[] = {
    "zmq_owner.c",    "real_libzmq.c", "socket_table.c", "report.c",      "symbolize.c", "owner_config.c",
    "perturb.c",      "perturb_schedule.c", "zmq_owner.h", "real_libzmq.h", "socket_table.h", "report.h",
    "symbolize.h",    "owner_config.h", "perturb.h", NULL,
};

void zr_bundle_free(struct zr_bundle *b)
{
    char *texts[] = { b->name,        b->title,    b->description, b->client_path, b->pymodule_path,
                      b->server_mode, b->expected, b->verdict,     b->report,        b->diagnosis };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        free(texts[i]);
    for (int i = 0; i < b->nargs; i++)
        free(b->args[i]);
    free(b->args);
    json_decref(b->build);
    json_decref(b->python_env);
}

bool zr_bundle_has_server(const struct zr_bundle *b)
{
    return strcmp(b->server_mode, "none") != 0;
}

const char *zr_bundle_file_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}
