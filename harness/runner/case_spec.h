/* A case's own statement of what it proves: the @tags in its header comment
 * (see cases/README.md), read straight from the case file so that there is
 * no second list to keep in step. */
#ifndef ZR_CASE_SPEC_H
#define ZR_CASE_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#define ZR_MAX_EXPECT 8
#define ZR_MAX_ARGS 8

enum zr_mode { ZR_MODE_TSAN, ZR_MODE_STRESS, ZR_MODE_COUNT };
enum zr_language { ZR_LANG_C, ZR_LANG_PYTHON };
enum zr_variant { ZR_VARIANT_BROKEN, ZR_VARIANT_FIXED };

/* One accepted outcome: OUTCOME, or OUTCOME:text where text must appear in
 * the signature. */
struct zr_expectation {
    char outcome[16];
    char signature_text[96];
};

struct zr_mode_spec {
    bool enabled; /* the case has an @expect line for this mode */
    int nexpect;
    struct zr_expectation expect[ZR_MAX_EXPECT];
    int nargs;
    char args[ZR_MAX_ARGS][64];
    double timeout_s;
};

struct zr_case_spec {
    char id[128];     /* family/name */
    char name[96];
    char family[32];
    char path[512];   /* the case file */
    enum zr_language language;
    enum zr_variant variant;
    char server_mode[16]; /* echo, slow, delay, sink, none */
    int server_delay_ms;
    char pymodule[64];
    char upstream[256];
    struct zr_mode_spec modes[ZR_MODE_COUNT];
};

/* Parses the tags of the case file at path. On failure returns -1 and
 * writes a one-line cause into err. */
int zr_case_spec_parse_file(const char *path, struct zr_case_spec *spec, char *err, size_t errlen);

/* The same from text already read (path gives the language and the id). */
int zr_case_spec_parse_text(const char *path, const char *text, struct zr_case_spec *spec, char *err,
                            size_t errlen);

const char *zr_mode_name(enum zr_mode mode);
int zr_mode_from_name(const char *name, enum zr_mode *mode);
const char *zr_language_name(enum zr_language lang);
const char *zr_variant_name(enum zr_variant variant);

/* True when an outcome with this signature is one the mode expects. */
bool zr_expectation_met(const struct zr_mode_spec *mode, const char *outcome, const char *signature);

/* "TSAN:zmq:: ASSERT" into buf, for messages. */
void zr_expectations_format(const struct zr_mode_spec *mode, char *buf, size_t len);

#endif
