#include "case_spec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static const char *const known_outcomes[] = {
    "CLEAN", "NOISE", "TSAN", "ASSERT", "FATAL_PYTHON", "SIGNAL", "HANG", "LOSS", "EXIT", NULL,
};

const char *zr_mode_name(enum zr_mode mode)
{
    return mode == ZR_MODE_TSAN ? "tsan" : "stress";
}

int zr_mode_from_name(const char *name, enum zr_mode *mode)
{
    if (!strcmp(name, "tsan"))
        *mode = ZR_MODE_TSAN;
    else if (!strcmp(name, "stress"))
        *mode = ZR_MODE_STRESS;
    else
        return -1;
    return 0;
}

const char *zr_language_name(enum zr_language lang)
{
    return lang == ZR_LANG_C ? "c" : "python";
}

const char *zr_variant_name(enum zr_variant variant)
{
    return variant == ZR_VARIANT_BROKEN ? "broken" : "fixed";
}

static bool outcome_known(const char *name)
{
    for (int i = 0; known_outcomes[i]; i++)
        if (!strcmp(known_outcomes[i], name))
            return true;
    return false;
}

/* Strips the comment marker of a C or Python comment line: leading blanks,
 * then one of slash-star, "//", "*", "#". Returns the rest, or NULL if the line is
 * not a tag line. */
static char *tag_start(char *line)
{
    while (isspace((unsigned char)*line))
        line++;
    if (!strncmp(line, "/*", 2) || !strncmp(line, "//", 2))
        line += 2;
    else if (*line == '*' || *line == '#')
        line++;
    else
        return NULL;
    while (isspace((unsigned char)*line))
        line++;
    return *line == '@' ? line + 1 : NULL;
}

static int mode_arg(char **words, int nwords, enum zr_mode *mode, const char *tag, char *err, size_t errlen)
{
    if (nwords < 2 || zr_mode_from_name(words[1], mode) != 0) {
        snprintf(err, errlen, "@%s needs a mode (tsan or stress) first", tag);
        return -1;
    }
    return 0;
}

static int parse_tag(struct zr_case_spec *spec, char *rest, char *err, size_t errlen)
{
    char *words[ZR_MAX_ARGS + 4];
    int n = zr_split_words(rest, words, (int)(sizeof words / sizeof words[0]));
    enum zr_mode mode;

    if (n == 0)
        return 0;
    const char *tag = words[0];
    if (!strcmp(tag, "family") && n == 2) {
        zr_copy(spec->family, sizeof spec->family, words[1]);
    } else if (!strcmp(tag, "variant") && n == 2) {
        if (!strcmp(words[1], "broken"))
            spec->variant = ZR_VARIANT_BROKEN;
        else if (!strcmp(words[1], "fixed"))
            spec->variant = ZR_VARIANT_FIXED;
        else {
            snprintf(err, errlen, "@variant is broken or fixed, not '%s'", words[1]);
            return -1;
        }
    } else if (!strcmp(tag, "server") && n == 2) {
        const char *m = words[1];
        if (strcmp(m, "echo") && strcmp(m, "slow") && strcmp(m, "delay") && strcmp(m, "sink") && strcmp(m, "none")) {
            snprintf(err, errlen, "@server is echo, slow, delay, sink or none, not '%s'", m);
            return -1;
        }
        zr_copy(spec->server_mode, sizeof spec->server_mode, m);
    } else if (!strcmp(tag, "server-delay-ms") && n == 2) {
        spec->server_delay_ms = atoi(words[1]);
    } else if (!strcmp(tag, "pymodule") && n == 2) {
        zr_copy(spec->pymodule, sizeof spec->pymodule, words[1]);
    } else if (!strcmp(tag, "upstream")) {
        spec->upstream[0] = '\0';
        for (int i = 1; i < n; i++) {
            if (i > 1)
                strncat(spec->upstream, " ", sizeof spec->upstream - strlen(spec->upstream) - 1);
            strncat(spec->upstream, words[i], sizeof spec->upstream - strlen(spec->upstream) - 1);
        }
    } else if (!strcmp(tag, "expect")) {
        if (mode_arg(words, n, &mode, tag, err, errlen))
            return -1;
        struct zr_mode_spec *m = &spec->modes[mode];
        if (n < 3 || n - 2 > ZR_MAX_EXPECT) {
            snprintf(err, errlen, "@expect %s needs 1 to %d outcomes", words[1], ZR_MAX_EXPECT);
            return -1;
        }
        m->enabled = true;
        m->nexpect = 0;
        for (int i = 2; i < n; i++) {
            struct zr_expectation *e = &m->expect[m->nexpect++];
            char *colon = strchr(words[i], ':');
            e->signature_text[0] = '\0';
            if (colon) {
                *colon = '\0';
                zr_copy(e->signature_text, sizeof e->signature_text, colon + 1);
            }
            zr_copy(e->outcome, sizeof e->outcome, words[i]);
            if (!outcome_known(e->outcome)) {
                snprintf(err, errlen, "@expect %s: unknown outcome '%s'", words[1], e->outcome);
                return -1;
            }
        }
    } else if (!strcmp(tag, "args")) {
        if (mode_arg(words, n, &mode, tag, err, errlen))
            return -1;
        struct zr_mode_spec *m = &spec->modes[mode];
        m->nargs = 0;
        for (int i = 2; i < n && m->nargs < ZR_MAX_ARGS; i++)
            zr_copy(m->args[m->nargs++], sizeof m->args[0], words[i]);
    } else if (!strcmp(tag, "timeout")) {
        if (mode_arg(words, n, &mode, tag, err, errlen))
            return -1;
        if (n != 3 || atof(words[2]) <= 0) {
            snprintf(err, errlen, "@timeout %s needs a number of seconds", words[1]);
            return -1;
        }
        spec->modes[mode].timeout_s = atof(words[2]);
    }
    /* Other @words (e.g. in prose) are not tags of ours: ignored. */
    return 0;
}

int zr_case_spec_parse_text(const char *path, const char *text, struct zr_case_spec *spec, char *err,
                            size_t errlen)
{
    memset(spec, 0, sizeof *spec);
    zr_copy(spec->path, sizeof spec->path, path);
    zr_copy(spec->server_mode, sizeof spec->server_mode, "echo");
    spec->server_delay_ms = 10;
    spec->variant = ZR_VARIANT_FIXED;
    spec->modes[ZR_MODE_TSAN].timeout_s = 30;
    spec->modes[ZR_MODE_STRESS].timeout_s = 10;

    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || (strcmp(dot, ".c") && strcmp(dot, ".py"))) {
        snprintf(err, errlen, "%s: a case is a .c or a .py file", path);
        return -1;
    }
    spec->language = !strcmp(dot, ".c") ? ZR_LANG_C : ZR_LANG_PYTHON;
    snprintf(spec->name, sizeof spec->name, "%.*s", (int)(dot - base), base);

    bool variant_seen = false;
    char *copy = strdup(text);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *rest = tag_start(line);
        if (!rest)
            continue;
        if (!strncmp(rest, "variant", 7))
            variant_seen = true;
        if (parse_tag(spec, rest, err, errlen) != 0) {
            char cause[256];
            zr_copy(cause, sizeof cause, err);
            snprintf(err, errlen, "%s: %s", path, cause);
            free(copy);
            return -1;
        }
    }
    free(copy);

    if (!spec->family[0] || !variant_seen) {
        snprintf(err, errlen, "%s: the header must name @family and @variant", path);
        return -1;
    }
    if (!spec->modes[ZR_MODE_TSAN].enabled && !spec->modes[ZR_MODE_STRESS].enabled) {
        snprintf(err, errlen, "%s: no @expect line, so the case runs in no mode", path);
        return -1;
    }
    snprintf(spec->id, sizeof spec->id, "%s/%s", spec->family, spec->name);
    return 0;
}

int zr_case_spec_parse_file(const char *path, struct zr_case_spec *spec, char *err, size_t errlen)
{
    char *text = zr_read_file(path, NULL);
    if (!text) {
        snprintf(err, errlen, "%s: cannot read the case file", path);
        return -1;
    }
    int rc = zr_case_spec_parse_text(path, text, spec, err, errlen);
    free(text);
    return rc;
}

bool zr_expectation_met(const struct zr_mode_spec *mode, const char *outcome, const char *signature)
{
    for (int i = 0; i < mode->nexpect; i++) {
        const struct zr_expectation *e = &mode->expect[i];
        if (strcmp(e->outcome, outcome))
            continue;
        if (!e->signature_text[0] || (signature && strstr(signature, e->signature_text)))
            return true;
    }
    return false;
}

void zr_expectations_format(const struct zr_mode_spec *mode, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; i < mode->nexpect; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s%s%s", i ? " " : "", mode->expect[i].outcome,
                 mode->expect[i].signature_text[0] ? ":" : "", mode->expect[i].signature_text);
    }
}
