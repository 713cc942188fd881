/* The libzmq an ELF file brings along: a binary linked with a RUNPATH (or
 * RPATH) to a libzmq of its own, as a test suite built in its own tree is.
 * The harness puts its build on LD_LIBRARY_PATH, which a RUNPATH gives way
 * to: such a suite would run on the harness's libzmq without a word. Read
 * from the file's section headers with every offset checked: the file is
 * someone else's. */
#include "elf_runpath.h"

#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text.h"

#define MAX_SECTIONS 4096
#define MAX_DYNAMIC (1 << 20)
#define MAX_STRTAB (8 << 20)

static void *read_at(int fd, off_t size, Elf64_Off off, Elf64_Xword len)
{
    if (len == 0 || off > (Elf64_Off)size || len > (Elf64_Xword)size - off)
        return NULL;
    char *buf = malloc(len + 1);
    if (!buf)
        return NULL;
    if (pread(fd, buf, len, (off_t)off) != (ssize_t)len) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* dir with $ORIGIN (or ${ORIGIN}) replaced by origin. */
static char *expand_origin(const char *dir, size_t n, const char *origin)
{
    char *out = zr_strdup_printf("%s", "");
    for (size_t i = 0; i < n;) {
        size_t skip = !strncmp(dir + i, "$ORIGIN", 7) ? 7 : !strncmp(dir + i, "${ORIGIN}", 9) ? 9 : 0;
        char *more = skip ? zr_strdup_printf("%s%s", out, origin) : zr_strdup_printf("%s%c", out, dir[i]);
        free(out);
        out = more;
        i += skip ? skip : 1;
    }
    return out;
}

/* The first dir of a search path that holds name, resolved; or NULL. */
static char *search(const char *runpath, const char *name, const char *origin)
{
    for (const char *p = runpath; *p;) {
        size_t n = strcspn(p, ":");
        char *dir = expand_origin(p, n, origin);
        char *candidate = zr_strdup_printf("%s/%s", *dir ? dir : ".", name);
        char *real = realpath(candidate, NULL);
        free(dir);
        free(candidate);
        if (real)
            return real;
        p += n + (p[n] == ':');
    }
    return NULL;
}

/* From a file's dynamic section: the libzmq it needs and its search path
 * (DT_RUNPATH, else DT_RPATH), as copies; false when it has not both. */
static bool needed_and_runpath(int fd, off_t size, const Elf64_Shdr *dynsec, const Elf64_Shdr *strsec, char **needed,
                               char **runpath)
{
    *needed = *runpath = NULL;
    if (dynsec->sh_size > MAX_DYNAMIC || strsec->sh_size > MAX_STRTAB)
        return false;
    Elf64_Dyn *dyn = read_at(fd, size, dynsec->sh_offset, dynsec->sh_size);
    char *strtab = read_at(fd, size, strsec->sh_offset, strsec->sh_size);
    const char *need = NULL, *run = NULL, *rpath = NULL;
    size_t ndyn = dyn && strtab ? dynsec->sh_size / sizeof *dyn : 0;
    for (size_t k = 0; k < ndyn && dyn[k].d_tag != DT_NULL; k++) {
        if (dyn[k].d_un.d_val >= strsec->sh_size)
            continue; /* a name outside its string table */
        const char *s = strtab + dyn[k].d_un.d_val;
        if (dyn[k].d_tag == DT_NEEDED && !strncmp(s, "libzmq.so", 9) && !strchr(s, '/'))
            need = s;
        else if (dyn[k].d_tag == DT_RUNPATH)
            run = s;
        else if (dyn[k].d_tag == DT_RPATH)
            rpath = s;
    }
    if (need && (run || rpath)) {
        *needed = zr_strdup_printf("%s", need);
        *runpath = zr_strdup_printf("%s", run ? run : rpath);
    }
    free(dyn);
    free(strtab);
    return *needed != NULL;
}

char *zr_elf_own_libzmq(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    Elf64_Ehdr eh;
    char *found = NULL;
    Elf64_Shdr *sh = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pread(fd, &eh, sizeof eh, 0) == (ssize_t)sizeof eh &&
        !memcmp(eh.e_ident, ELFMAG, SELFMAG) && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
        eh.e_shentsize == sizeof(Elf64_Shdr) && eh.e_shnum > 0 && eh.e_shnum <= MAX_SECTIONS)
        sh = read_at(fd, st.st_size, eh.e_shoff, (Elf64_Xword)eh.e_shnum * sizeof *sh);
    for (int i = 0; sh && i < eh.e_shnum; i++) {
        if (sh[i].sh_type != SHT_DYNAMIC || sh[i].sh_link >= eh.e_shnum)
            continue;
        char *needed, *runpath;
        if (needed_and_runpath(fd, st.st_size, &sh[i], &sh[sh[i].sh_link], &needed, &runpath)) {
            char *real = realpath(path, NULL);
            char *slash = real ? strrchr(real, '/') : NULL;
            if (slash)
                *slash = '\0';
            found = search(runpath, needed, slash ? real : ".");
            free(real);
            free(needed);
            free(runpath);
        }
        break; /* one dynamic section */
    }
    free(sh);
    close(fd);
    return found;
}
