#include "bundle_content.h"

#include <stdlib.h>
#include <string.h>

void zr_bundle_free(struct zr_bundle *b)
{
    free(b->name);
    free(b->title);
    free(b->description);
    free(b->client_path);
    free(b->pymodule_path);
    free(b->server_mode);
    for (int i = 0; i < b->nargs; i++)
        free(b->args[i]);
    free(b->args);
    free(b->expected);
    free(b->verdict);
    free(b->report);
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
