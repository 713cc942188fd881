/* Writing results: folders, atomic JSON files, and the checks that a place
 * is writable before a long run starts (a result that cannot be written is
 * an error found at once, not after the run). */
#ifndef ZR_FILES_H
#define ZR_FILES_H

#include <jansson.h>
#include <stddef.h>

/* mkdir -p; 0 or -1 with errno. */
int zr_mkdirs(const char *dir);

/* doc into path through a temporary file in the same folder renamed into
 * place: a reader never sees half a file. -1 with the cause in err. */
int zr_write_json_atomically(const char *path, json_t *doc, char *err, size_t errlen);

/* 0 when files can be created in dir (made if missing), else -1 with what to
 * do in err. */
int zr_check_writable_dir(const char *dir, char *err, size_t errlen);

/* 0 when path can be written (its folder exists and is writable, and path
 * is not a folder), else -1 with the cause in err. */
int zr_check_writable_file(const char *path, char *err, size_t errlen);

/* The path of the program name: as given when it holds a '/', else the
 * first executable of that name in PATH (/usr/bin:/bin when PATH is unset
 * or empty). malloc'd, or NULL when there is none. */
char *zr_find_in_path(const char *name);

/* "20261123T101500Z" (format NULL) or any strftime format, in UTC. */
void zr_utc_stamp(char *buf, size_t len, const char *format);

#endif
