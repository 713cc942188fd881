/* Address to function+offset and module. See symbolize.h. */
#include "symbolize.h"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void copy_text(char *to, size_t size, const char *from)
{
    size_t n = strnlen(from, size - 1);
    memcpy(to, from, n);
    to[n] = '\0';
}

const char *module_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

bool address_in_this_library(uintptr_t address)
{
    Dl_info mine, theirs;
    if (!dladdr((void *)&address_in_this_library, &mine) || !dladdr((void *)address, &theirs))
        return false;
    return mine.dli_fbase == theirs.dli_fbase;
}

/* The file mapped at address, from /proc/self/maps: the main program's link
 * map has no name, and /proc/self/exe is the dynamic loader itself when the
 * program was started as "ld-linux-x86-64.so.2 PROGRAM". */
static bool mapped_file_of(uintptr_t address, char *path, size_t size)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char line[PATH_MAX + 256];
    size_t used = 0;
    bool found = false;
    for (;;) {
        ssize_t n = read(fd, line + used, sizeof line - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
        line[used] = '\0';
        char *start = line, *end;
        while (!found && (end = strchr(start, '\n'))) {
            *end = '\0';
            /* "start-end perms offset dev inode   path" */
            char *cursor;
            uintptr_t low = strtoull(start, &cursor, 16);
            uintptr_t high = *cursor == '-' ? strtoull(cursor + 1, &cursor, 16) : 0;
            char *name = strchr(cursor, '/');
            if (address >= low && address < high && name) {
                copy_text(path, size, name);
                found = true;
            }
            start = end + 1;
        }
        if (found)
            break;
        used = strlen(start);
        memmove(line, start, used);
        if (used == sizeof line - 1)
            used = 0; /* a line longer than any path: drop it */
    }
    close(fd);
    return found;
}

/* The function of the module's .symtab (read from its file) that contains
 * file_address (an address as the file's symbols give them, i.e. minus the
 * load bias). The file is mapped, searched and unmapped: reports are rare. */
static bool find_in_symtab(const char *path, uintptr_t file_address, char *name, size_t name_size,
                           uintptr_t *start)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
        close(fd);
        return false;
    }
    size_t size = (size_t)st.st_size;
    const unsigned char *file = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (file == MAP_FAILED)
        return false;

    bool found = false;
    const Elf64_Ehdr *header = (const Elf64_Ehdr *)file;
    if (memcmp(header->e_ident, ELFMAG, SELFMAG) != 0 || header->e_ident[EI_CLASS] != ELFCLASS64
        || header->e_shentsize != sizeof(Elf64_Shdr) || header->e_shoff > size
        || header->e_shnum > (size - header->e_shoff) / sizeof(Elf64_Shdr))
        goto done;
    const Elf64_Shdr *sections = (const Elf64_Shdr *)(file + header->e_shoff);
    for (unsigned s = 0; s < header->e_shnum && !found; s++) {
        const Elf64_Shdr *symtab = &sections[s];
        if (symtab->sh_type != SHT_SYMTAB || symtab->sh_link >= header->e_shnum)
            continue;
        const Elf64_Shdr *strtab = &sections[symtab->sh_link];
        if (symtab->sh_offset > size || symtab->sh_size > size - symtab->sh_offset
            || strtab->sh_offset > size || strtab->sh_size > size - strtab->sh_offset)
            continue;
        const Elf64_Sym *symbols = (const Elf64_Sym *)(file + symtab->sh_offset);
        size_t count = symtab->sh_size / sizeof(Elf64_Sym);
        for (size_t i = 0; i < count; i++) {
            const Elf64_Sym *sym = &symbols[i];
            if (ELF64_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_shndx == SHN_UNDEF
                || sym->st_name >= strtab->sh_size)
                continue;
            if (file_address < sym->st_value || file_address >= sym->st_value + sym->st_size)
                continue;
            const char *text = (const char *)(file + strtab->sh_offset + sym->st_name);
            size_t room = strtab->sh_size - sym->st_name;
            size_t n = strnlen(text, room < name_size - 1 ? room : name_size - 1);
            memcpy(name, text, n);
            name[n] = '\0';
            *start = sym->st_value;
            found = true;
            break;
        }
    }
done:
    munmap((void *)file, size);
    return found;
}

void symbolize(uintptr_t address, bool is_return_address, struct symbol *out)
{
    memset(out, 0, sizeof *out);
    uintptr_t lookup = is_return_address && address > 0 ? address - 1 : address;
    Dl_info info;
    struct link_map *map = NULL;
    if (!dladdr1((void *)lookup, &info, (void **)&map, RTLD_DL_LINKMAP) || !map)
        return;

    /* The main program's link map has an empty name. */
    out->has_module = true;
    if (map->l_name && map->l_name[0])
        copy_text(out->module, sizeof out->module, map->l_name);
    else if (!mapped_file_of(lookup, out->module, sizeof out->module))
        copy_text(out->module, sizeof out->module, info.dli_fname ? info.dli_fname : "?");
    const char *file = out->module;
    out->module_offset = address - map->l_addr;

    if (info.dli_sname && info.dli_saddr) {
        copy_text(out->function, sizeof out->function, info.dli_sname);
        out->function_offset = address - (uintptr_t)info.dli_saddr;
        out->has_function = true;
        return;
    }
    uintptr_t start = 0;
    if (find_in_symtab(file, lookup - map->l_addr, out->function, sizeof out->function, &start)) {
        out->function_offset = address - (start + map->l_addr);
        out->has_function = true;
    }
}
