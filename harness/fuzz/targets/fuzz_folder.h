/* A private folder for the targets that run a command on a document (merge,
 * bundle, compare read files and write folders): made once per process in
 * ZR_FUZZ_TMPDIR (else /dev/shm or TMPDIR), emptied of what each input's command wrote. */
#ifndef ZR_FUZZ_FOLDER_H
#define ZR_FUZZ_FOLDER_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline const char *zr_fuzz_folder(void)
{
    static char dir[256];
    if (!dir[0]) {
        /* run.sh and replay.sh name a folder of their own, removed after the
         * run (a crash skips the atexit); else memory, not the disk. */
        const char *base = getenv("ZR_FUZZ_TMPDIR");
        if (!base)
            base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        snprintf(dir, sizeof dir, "%s/zr-fuzz.XXXXXX", base);
        if (!mkdtemp(dir))
            abort();
    }
    return dir;
}

static inline int zr_fuzz_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Removes path and everything under it (what a command wrote). */
static inline void zr_fuzz_remove(const char *path)
{
    nftw(path, zr_fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void zr_fuzz_write(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "w");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
}

/* At exit, the folder goes. */
static inline void zr_fuzz_cleanup(void)
{
    zr_fuzz_remove(zr_fuzz_folder());
}

#endif
