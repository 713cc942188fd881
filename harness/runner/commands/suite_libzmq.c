/* check --suite: a suite whose binaries carry a RUNPATH to a libzmq of
 * their own (a project's tests built in its own tree) would run on the
 * build's libzmq instead, since LD_LIBRARY_PATH outranks RUNPATH, and the
 * loaded-library probe would see nothing wrong. Said before the suite runs. */
#include "suite_libzmq.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf_runpath.h"
#include "files.h"
#include "process.h"
#include "text.h"

#define MAX_FILES 50000 /* files looked at in the suite's folder */
#define MAX_DEPTH 8
#define MAX_SHOWN 5

struct scan {
    const char *library; /* the build's, resolved */
    char *library_sha;   /* its sha256, once asked */
    int files, own;
    char *shown;         /* "binary -> its libzmq" lines */
};

static struct scan *scanning; /* nftw has no user pointer */

/* The file the binary brings is the build's own (the same file, or the same bytes). */
static bool same_library(struct scan *s, const char *lib)
{
    if (!strcmp(lib, s->library))
        return true;
    if (!s->library_sha)
        s->library_sha = zr_file_sha256(s->library);
    char *sha = zr_file_sha256(lib);
    bool same = sha && s->library_sha && !strcmp(sha, s->library_sha);
    free(sha);
    return same;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    struct scan *s = scanning;
    if (type == FTW_D && ftw->level > 0 && (ftw->level > MAX_DEPTH || !strcmp(path + ftw->base, ".git")))
        return FTW_SKIP_SUBTREE;
    if (type != FTW_F || st->st_size < 64)
        return FTW_CONTINUE;
    if (++s->files > MAX_FILES)
        return FTW_STOP;
    char *lib = zr_elf_own_libzmq(path);
    if (lib && !same_library(s, lib) && s->own++ < MAX_SHOWN) {
        char *more = zr_strdup_printf("%s  %s -> %s\n", s->shown ? s->shown : "", path, lib);
        free(s->shown);
        s->shown = more;
    }
    free(lib);
    return FTW_CONTINUE;
}

int zr_suite_own_libzmq(const struct zr_build *build, bool build_asked, const char *folder)
{
    char *library = realpath(zr_build_field(build, "library") ? zr_build_field(build, "library") : "", NULL);
    if (!library)
        return 0; /* the build's library is checked before every run, with its own message */
    struct scan s = { library, NULL, 0, 0, NULL };
    scanning = &s;
    nftw(folder, visit, 32, FTW_PHYS | FTW_ACTIONRETVAL);
    scanning = NULL;
    int rc = 0;
    if (s.own) {
        fprintf(stderr, "check --suite: %d binar%s in %s bring%s a libzmq of %s own (RUNPATH), which build %s would "
                        "replace:\n",
                s.own, s.own == 1 ? "y" : "ies", folder, s.own == 1 ? "s" : "", s.own == 1 ? "its" : "their",
                build->name);
        zr_fput_terminal(stderr, s.shown);
        if (s.own > MAX_SHOWN)
            fprintf(stderr, "  and %d more\n", s.own - MAX_SHOWN);
        if (build_asked) {
            fprintf(stderr, "check --suite: running them on build %s, as -b asks\n", build->name);
        } else {
            fprintf(stderr, "ERROR: the suite would run on another libzmq than its own. Make its libzmq a build "
                            "(zmq-repro build /path/to/its/libzmq/source --flavour tsan --name its-own) and pass "
                            "-b its-own, or pass -b %s to run it on %s knowingly\n",
                    build->name, build->name);
            rc = -1;
        }
    }
    if (s.files > MAX_FILES)
        fprintf(stderr, "check --suite: looked at the first %d files of %s only\n", MAX_FILES, folder);
    free(s.library_sha);
    free(s.shown);
    free(library);
    return rc;
}
