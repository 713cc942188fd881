#include "case_spec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static const char *const known_outcomes[] = {
    "CLEAN", "NOISE", "TSAN", "ASSERT", "FATAL_PYTHON", "SIGNAL", "HANG", "LOSS", "EXIT", "SHARED_SOCKET", "HANDOFF", "TIMEOUT", NULL,
};

static const char *const server_modes[] = { "echo", "slow", "delay", "sink", "none", NULL };

#define MAX_TIMEOUT_S 3600.0
#define MAX_SERVER_DELAY_MS 60000

const char *zr_language_name(enum zr_language lang)
{
    return lang == ZR_LANG_C ? "c" : "python";
}

const char *zr_variant_name(enum zr_variant variant)
{
    return variant == ZR_VARIANT_BROKEN ? "broken" : "fixed";
}

static bool in_list(const char *const *list, const char *word)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(list[i], word))
            return true;
    return false;
}

bool zr_outcome_known(const char *outcome)
{
    return in_list(known_outcomes, outcome);
}

/* --- The parser's state: the spec being filled and the line it is on. --- */

struct parser {
    struct zr_case_spec *spec;
    int line;
    bool seen_family, seen_variant, seen_server, seen_delay, seen_pymodule, seen_upstream, seen_fixed_in;
    bool seen_args[ZR_MAX_MODES], seen_timeout[ZR_MAX_MODES], seen_stall[ZR_MAX_MODES];
    int mode_tag_line[ZR_MAX_MODES]; /* the line of a mode's @args, @timeout or @stall */
};

static int fail(struct parser *p, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    free(p->spec->error);
    p->spec->error = zr_strdup_printf("%s:%d: %s", p->spec->path, p->line, what);
    return -1;
}

static char *dup_or_die(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        fputs("zmq-repro: out of memory\n", stderr);
        exit(2);
    }
    return d;
}

static int once(struct parser *p, bool *seen, const char *tag)
{
    if (*seen)
        return fail(p, "@%s is given twice", tag);
    *seen = true;
    return 0;
}

/* A number of seconds: finite, above zero, at most an hour. */
static int parse_seconds(struct parser *p, const char *tag, const char *word, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(word, &end);
    if (errno || end == word || *end || !isfinite(v) || v <= 0 || v > MAX_TIMEOUT_S)
        return fail(p, "@%s needs a number of seconds above 0 and at most %.0f, not '%s'", tag, MAX_TIMEOUT_S, word);
    *out = v;
    return 0;
}

static int parse_mode(struct parser *p, const char *tag, int nwords, char **words, int *mode)
{
    if (nwords < 2)
        return fail(p, "@%s needs a mode first (%s)", tag, zr_mode_names());
    const struct zr_mode *m = zr_mode_find(words[1]);
    if (!m)
        return fail(p, "@%s: unknown mode '%s' (modes: %s)", tag, words[1], zr_mode_names());
    *mode = zr_mode_index(m);
    return 0;
}

/* OUTCOME or OUTCOME:text; TSAN's text is KIND or KIND:FRAME. */
static int parse_expectations(struct parser *p, const char *tag, int nwords, char **words,
                              struct zr_expect_list *list)
{
    if (nwords < 1)
        return fail(p, "@%s needs at least one outcome (%s)", tag, "e.g. CLEAN, TSAN:data-race:zmq::, HANG:zmq_ctx_term");
    list->items = calloc((size_t)nwords, sizeof *list->items);
    if (!list->items)
        return fail(p, "out of memory");
    for (int i = 0; i < nwords; i++) {
        char *colon = strchr(words[i], ':');
        if (colon)
            *colon = '\0';
        if (!zr_outcome_known(words[i]))
            return fail(p, "@%s: unknown outcome '%s' (outcomes: CLEAN NOISE TSAN ASSERT FATAL_PYTHON SIGNAL HANG "
                           "LOSS EXIT SHARED_SOCKET HANDOFF)",
                        tag, words[i]);
        if (colon && !colon[1])
            return fail(p, "@%s: '%s:' has an empty text after the colon", tag, words[i]);
        struct zr_expectation *e = &list->items[list->n++];
        e->outcome = dup_or_die(words[i]);
        e->text = colon ? dup_or_die(colon + 1) : NULL;
    }
    return 0;
}

static int parse_version(struct parser *p, const char *word)
{
    int a, b, c, n = 0;
    if (sscanf(word, "%d.%d.%d%n", &a, &b, &c, &n) != 3 || word[n] || a < 0 || b < 0 || c < 0)
        return fail(p, "@fixed-in needs a libzmq version such as 4.3.3, not '%s'", word);
    return 0;
}

/* The Levenshtein distance, for "did you mean". */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return 99;
    int d[33][33];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
            d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
    return d[la][lb];
}

static const char *const known_tags[] = {
    "family", "variant", "server", "server-delay-ms", "pymodule", "upstream",
    "expect", "args", "timeout", "stall", "fixed-in", NULL,
};

static int unknown_tag(struct parser *p, const char *tag)
{
    const char *best = NULL;
    int best_d = 3;
    for (int i = 0; known_tags[i]; i++) {
        int d = distance(tag, known_tags[i]);
        if (d < best_d) {
            best_d = d;
            best = known_tags[i];
        }
    }
    if (best)
        return fail(p, "unknown tag @%s: did you mean @%s?", tag, best);
    return fail(p, "unknown tag @%s (tags: family variant server server-delay-ms pymodule upstream expect args "
                   "timeout stall fixed-in)",
                tag);
}

static int exactly_one(struct parser *p, const char *tag, int nwords)
{
    return nwords == 2 ? 0 : fail(p, "@%s takes exactly one word", tag);
}

static int parse_tag(struct parser *p, int n, char **w)
{
    struct zr_case_spec *s = p->spec;
    const char *tag = w[0];
    int mode;

    if ((!strcmp(tag, "args") || !strcmp(tag, "timeout") || !strcmp(tag, "stall")) && n >= 2 && zr_mode_find(w[1]))
        p->mode_tag_line[zr_mode_index(zr_mode_find(w[1]))] = p->line;

    if (!strcmp(tag, "family")) {
        if (once(p, &p->seen_family, tag) || exactly_one(p, tag, n))
            return -1;
        if (strcmp(w[1], s->family))
            return fail(p, "@family is '%s' but the file is in the folder of family '%s': move it or fix the tag", w[1],
                        s->family);
    } else if (!strcmp(tag, "variant")) {
        if (once(p, &p->seen_variant, tag) || exactly_one(p, tag, n))
            return -1;
        if (!strcmp(w[1], "broken"))
            s->variant = ZR_VARIANT_BROKEN;
        else if (!strcmp(w[1], "fixed"))
            s->variant = ZR_VARIANT_FIXED;
        else
            return fail(p, "@variant is broken or fixed, not '%s'", w[1]);
    } else if (!strcmp(tag, "server")) {
        if (once(p, &p->seen_server, tag) || exactly_one(p, tag, n))
            return -1;
        if (!in_list(server_modes, w[1]))
            return fail(p, "@server is echo, slow, delay, sink or none, not '%s'", w[1]);
        free(s->server_mode);
        s->server_mode = dup_or_die(w[1]);
    } else if (!strcmp(tag, "server-delay-ms")) {
        if (once(p, &p->seen_delay, tag) || exactly_one(p, tag, n))
            return -1;
        long v;
        if (zr_parse_long(w[1], 0, MAX_SERVER_DELAY_MS, &v) != 0)
            return fail(p, "@server-delay-ms needs a whole number of milliseconds from 0 to %d, not '%s'",
                        MAX_SERVER_DELAY_MS, w[1]);
        s->server_delay_ms = (int)v;
    } else if (!strcmp(tag, "pymodule")) {
        if (once(p, &p->seen_pymodule, tag) || exactly_one(p, tag, n))
            return -1;
        if (s->language != ZR_LANG_PYTHON)
            return fail(p, "@pymodule is for Python cases");
        for (const char *c = w[1]; *c; c++)
            if (!isalnum((unsigned char)*c) && *c != '_')
                return fail(p, "@pymodule names a module (letters, digits, _), not '%s'", w[1]);
        s->pymodule = dup_or_die(w[1]);
    } else if (!strcmp(tag, "upstream")) {
        if (once(p, &p->seen_upstream, tag))
            return -1;
        if (n < 2)
            return fail(p, "@upstream needs at least one reference, e.g. libzmq#4649");
        s->upstream = zr_join_words(w + 1, n - 1);
    } else if (!strcmp(tag, "fixed-in")) {
        if (once(p, &p->seen_fixed_in, tag))
            return -1;
        if (n < 3)
            return fail(p, "@fixed-in needs a version and the outcomes every run must show there, e.g. @fixed-in 4.3.3 CLEAN");
        if (parse_version(p, w[1]))
            return -1;
        s->fixed_in = dup_or_die(w[1]);
        return parse_expectations(p, tag, n - 2, w + 2, &s->fixed_expect);
    } else if (!strcmp(tag, "expect")) {
        if (parse_mode(p, tag, n, w, &mode))
            return -1;
        struct zr_mode_spec *m = &s->modes[mode];
        if (m->enabled)
            return fail(p, "@expect %s is given twice", w[1]);
        m->enabled = true;
        return parse_expectations(p, tag, n - 2, w + 2, &m->expect);
    } else if (!strcmp(tag, "args")) {
        if (parse_mode(p, tag, n, w, &mode) || once(p, &p->seen_args[mode], "args for this mode"))
            return -1;
        struct zr_mode_spec *m = &s->modes[mode];
        m->args = calloc((size_t)n, sizeof *m->args);
        if (!m->args)
            return fail(p, "out of memory");
        for (int i = 2; i < n; i++)
            m->args[m->nargs++] = dup_or_die(w[i]);
    } else if (!strcmp(tag, "timeout")) {
        if (parse_mode(p, tag, n, w, &mode) || once(p, &p->seen_timeout[mode], "timeout for this mode"))
            return -1;
        if (n != 3)
            return fail(p, "@timeout %s takes one number of seconds", w[1]);
        return parse_seconds(p, tag, w[2], &s->modes[mode].timeout_s);
    } else if (!strcmp(tag, "stall")) {
        if (parse_mode(p, tag, n, w, &mode) || once(p, &p->seen_stall[mode], "stall for this mode"))
            return -1;
        if (n != 3)
            return fail(p, "@stall %s takes one number of seconds, or off", w[1]);
        if (!strcmp(w[2], "off")) {
            s->modes[mode].stall_s = 0;
            return 0;
        }
        return parse_seconds(p, tag, w[2], &s->modes[mode].stall_s);
    } else {
        return unknown_tag(p, tag);
    }
    return 0;
}

/* --- Finding the header comment and its tag lines. --- */

/* The text of a header line without its comment marker, or NULL when the
 * line is no longer part of the header comment. *in_block tracks a C
 * block comment. */
static char *header_content(char *line, enum zr_language lang, bool *in_block, bool *ended)
{
    char *p = line;
    while (isspace((unsigned char)*p))
        p++;
    if (lang == ZR_LANG_PYTHON) {
        if (*p == '#')
            return p + 1;
        if (!*p)
            return p; /* a blank line inside the leading comments */
        *ended = true;
        return NULL;
    }
    if (*in_block) {
        char *close = strstr(p, "*/");
        if (close) {
            *close = '\0';
            *in_block = false;
            *ended = true;
        }
        if (*p == '*')
            p++;
        return p;
    }
    if (!strncmp(p, "/*", 2)) {
        p += 2;
        char *close = strstr(p, "*/");
        if (close) {
            *close = '\0';
            *ended = true;
        } else {
            *in_block = true;
        }
        return p;
    }
    if (!strncmp(p, "//", 2))
        return p + 2;
    if (!*p)
        return p;
    *ended = true;
    return NULL;
}

static int parse_header(struct parser *p, const char *text)
{
    char *copy = dup_or_die(text);
    bool in_block = false, ended = false;
    int rc = 0;
    char *line = copy;
    p->line = 0;
    while (line && !ended && rc == 0) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        p->line++;
        /* A shebang line before the header of a Python case. */
        if (p->line == 1 && !strncmp(line, "#!", 2)) {
            line = next;
            continue;
        }
        char *content = header_content(line, p->spec->language, &in_block, &ended);
        if (!content)
            break;
        while (isspace((unsigned char)*content))
            content++;
        if (content[0] == '@' && isalpha((unsigned char)content[1])) {
            int nwords = 0;
            char **words = zr_split_words_alloc(content + 1, &nwords);
            if (!words)
                rc = fail(p, "out of memory");
            else
                rc = parse_tag(p, nwords, words);
            free(words);
        }
        line = next;
    }
    free(copy);
    return rc;
}

/* --- The whole case. --- */

/* Family and name from cases/<family>/<name>.c or pyclients/<family>/<name>.py. */
static int identify(struct zr_case_spec *s)
{
    const char *base = strrchr(s->path, '/');
    base = base ? base + 1 : s->path;
    const char *dot = strrchr(base, '.');
    if (!dot || (strcmp(dot, ".c") && strcmp(dot, ".py"))) {
        s->error = zr_strdup_printf("%s: a case is a .c or a .py file", s->path);
        return -1;
    }
    s->language = !strcmp(dot, ".c") ? ZR_LANG_C : ZR_LANG_PYTHON;
    s->name = zr_strdup_printf("%.*s", (int)(dot - base), base);
    const char *dir_end = base > s->path ? base - 1 : s->path;
    const char *dir = dir_end;
    while (dir > s->path && dir[-1] != '/')
        dir--;
    s->family = zr_strdup_printf("%.*s", (int)(dir_end - dir), dir);
    s->id = zr_strdup_printf("%s/%s", s->family, s->name);
    if (!s->family[0]) {
        s->error = zr_strdup_printf("%s: a case lives in the folder of its family (cases/<family>/ or pyclients/<family>/)",
                                    s->path);
        return -1;
    }
    return 0;
}

int zr_case_spec_parse_text(const char *path, const char *text, struct zr_case_spec *s)
{
    memset(s, 0, sizeof *s);
    s->path = dup_or_die(path);
    s->server_mode = dup_or_die("echo");
    s->server_delay_ms = 10;
    s->variant = ZR_VARIANT_FIXED;
    if (identify(s) != 0)
        return -1;
    for (int m = 0; m < zr_nmodes; m++) {
        s->modes[m].timeout_s = zr_modes[m].default_timeout_s;
        s->modes[m].stall_s = 0.5;
    }

    struct parser p = { .spec = s };
    if (parse_header(&p, text) != 0)
        return -1;

    p.line = 1;
    if (!p.seen_family)
        return fail(&p, "the header comment must name the case's @family (%s)", s->family);
    if (!p.seen_variant)
        return fail(&p, "the header comment must say @variant broken or @variant fixed");
    bool any = false;
    for (int m = 0; m < zr_nmodes; m++) {
        any |= s->modes[m].enabled;
        if (!s->modes[m].enabled && (p.seen_args[m] || p.seen_timeout[m] || p.seen_stall[m])) {
            p.line = p.mode_tag_line[m];
            return fail(&p, "@args, @timeout or @stall for mode %s, which has no @expect line", zr_modes[m].name);
        }
    }
    if (!any)
        return fail(&p, "no @expect line, so the case runs in no mode");
    if (s->fixed_in && s->variant != ZR_VARIANT_BROKEN)
        return fail(&p, "@fixed-in is for a broken case (a bug that a later libzmq fixed)");
    return 0;
}

int zr_case_spec_parse_file(const char *path, struct zr_case_spec *spec)
{
    char *text = zr_read_file(path, NULL);
    if (!text) {
        memset(spec, 0, sizeof *spec);
        spec->path = dup_or_die(path);
        spec->id = dup_or_die(path);
        spec->error = zr_strdup_printf("%s: cannot read the case file", path);
        return -1;
    }
    int rc = zr_case_spec_parse_text(path, text, spec);
    free(text);
    return rc;
}

static void free_expect(struct zr_expect_list *list)
{
    for (int i = 0; i < list->n; i++) {
        free(list->items[i].outcome);
        free(list->items[i].text);
    }
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

void zr_case_spec_free(struct zr_case_spec *s)
{
    free(s->path);
    free(s->id);
    free(s->name);
    free(s->family);
    free(s->server_mode);
    free(s->pymodule);
    free(s->upstream);
    free(s->fixed_in);
    free(s->error);
    free_expect(&s->fixed_expect);
    for (int m = 0; m < ZR_MAX_MODES; m++) {
        free_expect(&s->modes[m].expect);
        for (int i = 0; i < s->modes[m].nargs; i++)
            free(s->modes[m].args[i]);
        free(s->modes[m].args);
    }
    memset(s, 0, sizeof *s);
}

int zr_version_compare(const char *a, const char *b)
{
    /* Component by component; a missing component counts as 0 ("4.3" == "4.3.0"). */
    for (;;) {
        char *ea, *eb;
        long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
        if (x != y)
            return x < y ? -1 : 1;
        bool more_a = *ea == '.', more_b = *eb == '.';
        if (!more_a && !more_b)
            return 0;
        a = more_a ? ea + 1 : ea;
        b = more_b ? eb + 1 : eb;
    }
}

struct zr_judgement zr_case_judgement(const struct zr_case_spec *spec, int mode, const char *libzmq_version)
{
    struct zr_judgement j = { spec->variant, &spec->modes[mode].expect, false };
    if (spec->fixed_in && libzmq_version && *libzmq_version && zr_version_compare(libzmq_version, spec->fixed_in) >= 0) {
        j.as = ZR_VARIANT_FIXED;
        j.expect = &spec->fixed_expect;
        j.fixed_upstream = true;
    }
    return j;
}

void zr_expectations_format(const struct zr_expect_list *list, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; i < list->n; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s%s%s", i ? " " : "", list->items[i].outcome,
                 list->items[i].text ? ":" : "", list->items[i].text ? list->items[i].text : "");
    }
}
