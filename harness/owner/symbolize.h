/* Naming a code address for a report: function+offset and module, from the
 * dynamic symbols (dladdr) or, for a function that is not exported (a static
 * function of the program, the usual thread entry point), from the module's
 * own .symtab read from its file. No malloc: safe to use in any thread, at
 * any time, without the heap. */
#ifndef ZMQ_OWNER_SYMBOLIZE_H
#define ZMQ_OWNER_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>

struct symbol {
    bool has_function;
    char function[256];         /* as in the symbol table (C++ names stay mangled) */
    uintptr_t function_offset;  /* address - function start */
    bool has_module;
    char module[512];           /* path of the executable or shared object */
    uintptr_t module_offset;    /* address - load bias: what addr2line -e module takes */
};

/* Names address, a return address when is_return_address (then the call
 * instruction before it is what gets looked up, which matters when the call
 * is the last instruction of a function). */
void symbolize(uintptr_t address, bool is_return_address, struct symbol *out);

/* The last component of a module path. */
const char *module_basename(const char *path);

/* true if address lies in the module that holds this library. */
bool address_in_this_library(uintptr_t address);

#endif
