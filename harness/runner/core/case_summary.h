/* The line a person reads first about a case: the first sentence of its
 * header comment (up to its first ". " or ": "), for the version matrix's
 * rows. */
#ifndef ZR_CASE_SUMMARY_H
#define ZR_CASE_SUMMARY_H

/* The summary of the case file at path (a C block comment or Python's
 * leading # lines), at most about 160 characters; "" when the file has no
 * header. The caller frees it. */
char *zr_case_summary(const char *path);

#endif
