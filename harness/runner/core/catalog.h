/* The cases of the repository, found where cases/README.md says they live:
 * cases/<family>/<name>.c and pyclients/<family>/<name>.py. A case whose
 * header is wrong stays in the catalog with its error, so that it is
 * reported (by `list`, by its own ctest test) while the others still run. */
#ifndef ZR_CATALOG_H
#define ZR_CATALOG_H

#include "case_spec.h"

struct zr_catalog {
    struct zr_case_spec *cases;
    int n;
    int nbad; /* cases with an error */
};

/* Reads every case under source_dir; -1 with the cause in err only when the
 * folders themselves cannot be listed. */
int zr_catalog_load(const char *source_dir, struct zr_catalog *cat, char *err, size_t errlen);
void zr_catalog_free(struct zr_catalog *cat);

/* Adds a case file from outside the repository's folders (its header read
 * with zr_case_spec_parse_outside). The catalog owns it; NULL when it is
 * not a case file (no .c or .py), else the spec (with its error, if any). */
struct zr_case_spec *zr_catalog_add_outside(struct zr_catalog *cat, const char *path);

/* A case by id (family/name) or by the path of its file; NULL if none. */
const struct zr_case_spec *zr_catalog_find(const struct zr_catalog *cat, const char *name);

/* True when the case in that mode carries the label (family, language,
 * variant or mode name). */
bool zr_case_has_label(const struct zr_case_spec *spec, int mode, const char *label);

/* True when some case in some mode carries the label. */
bool zr_label_known(const struct zr_catalog *cat, const char *label);

/* How the runner's children name the case: its id, or for a case from
 * outside the repository, its absolute path. */
const char *zr_case_ref(const struct zr_case_spec *spec);

#endif
