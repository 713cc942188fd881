/* Writing results: folders, atomic JSON files, and the checks that a place
 * is writable before a long run starts (a result that cannot be written is
 * an error found at once, not after the run). */
#ifndef ZR_FILES_H
#define ZR_FILES_H

#include <jansson.h>
#include <stdbool.h>
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

/* "20261123T101500Z" (format NULL) or any strftime format, in UTC. */
void zr_utc_stamp(char *buf, size_t len, const char *format);

/* A JSON string of s made valid UTF-8 (zr_utf8_sanitize), or JSON null for
 * NULL: jansson refuses a string with one byte of Latin-1, and the field
 * would vanish from the document. */
json_t *zr_json_text(const char *s);

/* True when path, read from a document in some folder, names a place inside
 * that folder: not empty, not absolute, no ".." component. */
bool zr_path_stays_inside(const char *path);

/* Copies the file from (a regular file or a character device such as
 * /dev/null; never through a symbolic link at its last component) to to
 * (created or truncated): 0, or -1 with the cause in err. */
int zr_copy_file(const char *from, const char *to, char *err, size_t errlen);

/* The sha256 of a file's bytes in hex (sha256sum, no shell), or NULL; malloc'd. */
char *zr_file_sha256(const char *path);

/* The files in order, one after the other, into to: 0, or -1 with the cause. */
int zr_join_files(const char *const *from, int n, const char *to, char *err, size_t errlen);

/* The first name (in strcmp order) in dir that ends in suffix, as dir/name,
 * malloc'd; NULL when there is none. */
char *zr_first_file_with_suffix(const char *dir, const char *suffix);

/* True when dir exists and holds anything. */
bool zr_dir_has_entries(const char *dir);

/* Removes everything inside dir (not dir itself), symbolic links not followed. */
void zr_remove_contents(const char *dir);

#endif
