#ifndef ZR_ELF_RUNPATH_H
#define ZR_ELF_RUNPATH_H

/* The libzmq the ELF file at path loads through its own RUNPATH or RPATH
 * (resolved, with $ORIGIN expanded), when it needs one and its search path
 * holds it; else NULL (not ELF, no libzmq, no such path). malloc'd. */
char *zr_elf_own_libzmq(const char *path);

#endif
