/* The bundle's ISSUE.md. */
#ifndef ZR_ISSUE_MD_H
#define ZR_ISSUE_MD_H

#include "bundle_content.h"
#include "setup.h"

/* Writes dir/ISSUE.md. 0, or -1 when it cannot be written. */
int zr_write_issue_md(const struct zr_bundle *b, const struct zr_setup *setup, const char *dir);

/* The prose of a case's header comment, up to its first tag ("" when the
 * file has none). The one reader of that prose: core/case_spec.c parses the
 * header's tags and does not keep its words. */
char *zr_case_header_prose(const char *path);

#endif
