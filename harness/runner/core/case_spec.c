#include "case_spec.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "defaults.h"
#include "outcomes.h"
#include "text.h"
#include "tsan_report.h"

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

int zr_expect_parse_option(const char *text, struct zr_expect_list *list, char *err, size_t errlen)
{
    char *words_text;
    if (!strcmp(text, "clean"))
        words_text = zr_strdup_printf("CLEAN NOISE"); /* text on stderr that is no report is still clean */
    else if (!strcmp(text, "hang"))
        words_text = zr_strdup_printf("HANG");
    else if (!strcmp(text, "any-failure")) {
        words_text = zr_strdup_printf("%s", "");
        /* A program's own non-zero exit is no failure of libzmq's or of threads'. */
        for (int i = 0; i < zr_noutcomes; i++)
            if (zr_outcome_is_reported_failure(zr_outcomes[i].name)) {
                char *more = zr_strdup_printf("%s %s", words_text, zr_outcomes[i].name);
                free(words_text);
                words_text = more;
            }
    } else
        words_text = zr_strdup_printf("%s", text);
    int n = 0;
    char **words = zr_split_words_alloc(words_text, &n);
    int rc = zr_expect_parse_words(n, words, list, err, errlen);
    if (rc != 0) {
        char *why = zr_strdup_printf("%s", err);
        snprintf(err, errlen, "--expect '%s': %s (or clean, hang, any-failure)", text, why);
        free(why);
    }
    free(words);
    free(words_text);
    return rc;
}

/* --- The parser's state: the spec being filled and the line it is on. --- */

struct parser {
    struct zr_case_spec *spec;
    int line;
    bool seen_family, seen_variant, seen_server, seen_delay, seen_pymodule, seen_upstream, seen_fixed_in, seen_broken_since, seen_twin;
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

/* A TSAN text is KIND, KIND:FRAME or a frame alone ("zmq::mailbox_t"). */
static bool tsan_text_ok(const char *text)
{
    const char *colon = strchr(text, ':');
    if (colon && colon[1] == ':')
        return true;
    return zr_tsan_kind_known(text, colon ? (size_t)(colon - text) : strlen(text));
}

static int expect_word(char *word, struct zr_expectation *e, char *err, size_t errlen)
{
    char *colon = strchr(word, ':');
    if (colon)
        *colon = '\0';
    const char *text = colon ? colon + 1 : NULL;
    if (zr_outcome_is_harness(word)) {
        snprintf(err, errlen, "%s is the harness's own outcome, never an expectation", word);
        return -1;
    }
    if (!zr_outcome_expectable(word)) {
        snprintf(err, errlen, "unknown outcome '%s' (outcomes: %s)", word, zr_outcome_expectable_names());
        return -1;
    }
    if (text && !*text) {
        snprintf(err, errlen, "'%s:' has an empty text after the colon", word);
        return -1;
    }
    if (text && zr_outcome_is_clean(word)) {
        snprintf(err, errlen, "'%s:%s': %s takes no text", word, text, word);
        return -1;
    }
    if (text && !strcmp(word, "TSAN") && !tsan_text_ok(text)) {
        snprintf(err, errlen, "'TSAN:%s': not a kind of TSan report (data-race, heap-use-after-free, thread-leak, "
                              "lock-order-inversion, ..., or *) nor a frame such as zmq::mailbox_t",
                 text);
        return -1;
    }
    e->outcome = dup_or_die(word);
    e->text = text ? dup_or_die(text) : NULL;
    return 0;
}

int zr_expect_parse_words(int nwords, char **words, struct zr_expect_list *list, char *err, size_t errlen)
{
    if (nwords < 1) {
        snprintf(err, errlen, "needs at least one outcome (e.g. CLEAN, TSAN:data-race:zmq::, HANG:zmq_ctx_term)");
        return -1;
    }
    list->items = calloc((size_t)nwords, sizeof *list->items);
    if (!list->items) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int clean = -1, failure = -1;
    for (int i = 0; i < nwords; i++) {
        if (expect_word(words[i], &list->items[list->n], err, errlen) != 0)
            return -1;
        if (zr_outcome_is_clean(list->items[list->n].outcome))
            clean = list->n;
        else
            failure = list->n;
        list->n++;
    }
    if (clean >= 0 && failure >= 0) {
        snprintf(err, errlen, "mixes %s with %s: an expectation is either a clean run or a failure",
                 list->items[clean].outcome, list->items[failure].outcome);
        return -1;
    }
    return 0;
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
    char err[512];
    if (zr_expect_parse_words(nwords, words, list, err, sizeof err) != 0)
        return fail(p, "@%s: %s", tag, err);
    return 0;
}

static int parse_version(struct parser *p, const char *tag, const char *word)
{
    int a, b, c, n = 0;
    if (sscanf(word, "%d.%d.%d%n", &a, &b, &c, &n) != 3 || word[n] || a < 0 || b < 0 || c < 0)
        return fail(p, "@%s needs a libzmq version such as 4.3.3, not '%s'", tag, word);
    return 0;
}

/* @python-unaffected RANGE OUTCOMES...: RANGE is <X.Y (below), >=X.Y (from
 * it on), X.Y (that minor version, any patch level) or X.Yt (that minor
 * version's free-threaded build only). */
/* @python-unaffected (a broken case) and @python-shows (a fixed case): the
 * same RANGE OUTCOMES; w[0] is which. */
static int parse_python_rule(struct parser *p, int n, char **w)
{
    struct zr_case_spec *s = p->spec;
    bool shows = !strcmp(w[0], "python-shows");
    int mode = -1;
    if (shows) {
        /* @python-shows MODE RANGE OUTCOMES: an interpreter's own report is one mode's. */
        if (n < 4)
            return fail(p, "@python-shows needs a mode, a range and the outcomes every run shows there, e.g. "
                           "@python-shows tsan 3.13 TSAN:thread-leak");
        const struct zr_mode *m = zr_mode_find(w[1]);
        if (!m)
            return fail(p, "@python-shows: no mode '%s'", w[1]);
        mode = zr_mode_index(m);
        w++;
        n--;
    }
    if (n < 3)
        return fail(p, "@%s needs a range and the outcomes every run must show there, e.g. @%s <3.12 CLEAN", w[0],
                    w[0]);
    if (s->npython_rules == ZR_MAX_PYTHON_RULES)
        return fail(p, "at most %d @python-unaffected and @python-shows lines", ZR_MAX_PYTHON_RULES);
    const char *range = w[1];
    char op = '=';
    if (!strncmp(range, "<", 1) && range[1] != '=') {
        op = '<';
        range += 1;
    } else if (!strncmp(range, ">=", 2)) {
        op = '>';
        range += 2;
    }
    int a, b, used = 0;
    if (sscanf(range, "%d.%d%n", &a, &b, &used) != 2 || (range[used] && (strcmp(range + used, "t") || op != '=')) ||
        a < 2 || b < 0)
        return fail(p, "@%s needs a range of Python versions: <3.12, >=3.14, 3.11 or 3.13t, not '%s'", w[0], w[1]);
    struct zr_python_rule *r = &s->python_rules[s->npython_rules++];
    r->op = op;
    r->version = dup_or_die(range);
    r->shows = shows;
    r->mode = mode;
    return parse_expectations(p, w[0], n - 2, w + 2, &r->expect);
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

static int exactly_one(struct parser *p, const char *tag, int nwords)
{
    return nwords == 2 ? 0 : fail(p, "@%s takes exactly one word", tag);
}

/* --- One function per tag, and the table that names them. --- */

static int tag_family(struct parser *p, int n, char **w)
{
    struct zr_case_spec *s = p->spec;
    if (once(p, &p->seen_family, w[0]) || exactly_one(p, w[0], n))
        return -1;
    if (!s->outside) {
        if (strcmp(w[1], s->family))
            return fail(p, "@family is '%s' but the file is in the folder of family '%s': move it or fix the tag", w[1],
                        s->family);
        return 0;
    }
    if (strchr(w[1], '/'))
        return fail(p, "@family is one word without '/', not '%s'", w[1]);
    free(s->family);
    free(s->id);
    s->family = dup_or_die(w[1]);
    s->id = zr_strdup_printf("%s/%s", s->family, s->name);
    return 0;
}

static int tag_variant(struct parser *p, int n, char **w)
{
    if (once(p, &p->seen_variant, w[0]) || exactly_one(p, w[0], n))
        return -1;
    if (!strcmp(w[1], "broken"))
        p->spec->variant = ZR_VARIANT_BROKEN;
    else if (!strcmp(w[1], "fixed"))
        p->spec->variant = ZR_VARIANT_FIXED;
    else
        return fail(p, "@variant is broken or fixed, not '%s'", w[1]);
    return 0;
}

static int tag_server(struct parser *p, int n, char **w)
{
    if (once(p, &p->seen_server, w[0]) || exactly_one(p, w[0], n))
        return -1;
    if (!in_list(server_modes, w[1]))
        return fail(p, "@server is echo, slow, delay, sink or none, not '%s'", w[1]);
    free(p->spec->server_mode);
    p->spec->server_mode = dup_or_die(w[1]);
    return 0;
}

static int tag_server_delay(struct parser *p, int n, char **w)
{
    if (once(p, &p->seen_delay, w[0]) || exactly_one(p, w[0], n))
        return -1;
    long v;
    if (zr_parse_long(w[1], 0, MAX_SERVER_DELAY_MS, &v) != 0)
        return fail(p, "@server-delay-ms needs a whole number of milliseconds from 0 to %d, not '%s'",
                    MAX_SERVER_DELAY_MS, w[1]);
    p->spec->server_delay_ms = (int)v;
    return 0;
}

static int tag_pymodule(struct parser *p, int n, char **w)
{
    if (once(p, &p->seen_pymodule, w[0]) || exactly_one(p, w[0], n))
        return -1;
    if (p->spec->language != ZR_LANG_PYTHON)
        return fail(p, "@pymodule is for Python cases");
    for (const char *c = w[1]; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_')
            return fail(p, "@pymodule names a module (letters, digits, _), not '%s'", w[1]);
    p->spec->pymodule = dup_or_die(w[1]);
    return 0;
}

static int tag_upstream(struct parser *p, int n, char **w)
{
    if (once(p, &p->seen_upstream, w[0]))
        return -1;
    if (n < 2)
        return fail(p, "@upstream needs at least one reference, e.g. libzmq#4649");
    p->spec->upstream = zr_join_words(w + 1, n - 1);
    return 0;
}

static int tag_fixed_in(struct parser *p, int n, char **w)
{
    if (once(p, &p->seen_fixed_in, w[0]))
        return -1;
    if (n < 3)
        return fail(p, "@fixed-in needs a version and the outcomes every run must show there, e.g. @fixed-in 4.3.3 CLEAN");
    if (parse_version(p, w[0], w[1]))
        return -1;
    p->spec->fixed_in = dup_or_die(w[1]);
    return parse_expectations(p, w[0], n - 2, w + 2, &p->spec->fixed_expect);
}

static int tag_broken_since(struct parser *p, int n, char **w)
{
    if (once(p, &p->seen_broken_since, w[0]))
        return -1;
    if (n < 3)
        return fail(p, "@broken-since needs the version that brought the bug in and the outcomes every run must show "
                       "before it, e.g. @broken-since 4.3.0 CLEAN");
    if (parse_version(p, w[0], w[1]))
        return -1;
    p->spec->broken_since = dup_or_die(w[1]);
    return parse_expectations(p, w[0], n - 2, w + 2, &p->spec->before_expect);
}

static int tag_expect(struct parser *p, int n, char **w)
{
    int mode;
    if (parse_mode(p, w[0], n, w, &mode))
        return -1;
    struct zr_mode_spec *m = &p->spec->modes[mode];
    if (m->enabled)
        return fail(p, "@expect %s is given twice", w[1]);
    m->enabled = true;
    return parse_expectations(p, w[0], n - 2, w + 2, &m->expect);
}

static int tag_args(struct parser *p, int n, char **w)
{
    int mode;
    if (parse_mode(p, w[0], n, w, &mode) || once(p, &p->seen_args[mode], "args for this mode"))
        return -1;
    struct zr_mode_spec *m = &p->spec->modes[mode];
    m->args = calloc((size_t)n, sizeof *m->args);
    if (!m->args)
        return fail(p, "out of memory");
    for (int i = 2; i < n; i++)
        m->args[m->nargs++] = dup_or_die(w[i]);
    return 0;
}

static int tag_timeout(struct parser *p, int n, char **w)
{
    int mode;
    if (parse_mode(p, w[0], n, w, &mode) || once(p, &p->seen_timeout[mode], "timeout for this mode"))
        return -1;
    if (n != 3)
        return fail(p, "@timeout %s takes one number of seconds", w[1]);
    return parse_seconds(p, w[0], w[2], &p->spec->modes[mode].timeout_s);
}

static int tag_stall(struct parser *p, int n, char **w)
{
    int mode;
    if (parse_mode(p, w[0], n, w, &mode) || once(p, &p->seen_stall[mode], "stall for this mode"))
        return -1;
    if (n != 3)
        return fail(p, "@stall %s takes one number of seconds, or off", w[1]);
    if (!strcmp(w[2], "off")) {
        p->spec->modes[mode].stall_s = 0;
        return 0;
    }
    return parse_seconds(p, w[0], w[2], &p->spec->modes[mode].stall_s);
}

static int tag_twin(struct parser *p, int n, char **w)
{
    if (once(p, &p->seen_twin, w[0]) || exactly_one(p, w[0], n))
        return -1;
    if (!strchr(w[1], '/'))
        return fail(p, "@twin names a case as family/name, not '%s'", w[1]);
    p->spec->twin = dup_or_die(w[1]);
    return 0;
}

static const struct {
    const char *name;
    int (*parse)(struct parser *p, int n, char **w);
} tag_table[] = {
    { "twin", tag_twin },
    { "family", tag_family },       { "variant", tag_variant },     { "server", tag_server },
    { "server-delay-ms", tag_server_delay }, { "pymodule", tag_pymodule }, { "upstream", tag_upstream },
    { "fixed-in", tag_fixed_in },   { "broken-since", tag_broken_since },   { "python-unaffected", parse_python_rule }, { "python-shows", parse_python_rule }, { "expect", tag_expect },
    { "args", tag_args },           { "timeout", tag_timeout },     { "stall", tag_stall },
};

/* A tag of no entry of tag_table: the nearest name, or the whole list. */
static int unknown_tag(struct parser *p, const char *tag)
{
    const char *best = NULL;
    int best_d = 3;
    char all[256] = "";
    for (size_t i = 0; i < sizeof tag_table / sizeof tag_table[0]; i++) {
        int d = distance(tag, tag_table[i].name);
        if (d < best_d) {
            best_d = d;
            best = tag_table[i].name;
        }
        size_t used = strlen(all);
        snprintf(all + used, sizeof all - used, "%s%s", used ? " " : "", tag_table[i].name);
    }
    if (best)
        return fail(p, "unknown tag @%s: did you mean @%s?", tag, best);
    return fail(p, "unknown tag @%s (tags: %s)", tag, all);
}

static int parse_tag(struct parser *p, int n, char **w)
{
    const char *tag = w[0];
    /* A mode's tag is reported at its own line when the mode has no @expect. */
    if ((!strcmp(tag, "args") || !strcmp(tag, "timeout") || !strcmp(tag, "stall")) && n >= 2 && zr_mode_find(w[1]))
        p->mode_tag_line[zr_mode_index(zr_mode_find(w[1]))] = p->line;
    for (size_t i = 0; i < sizeof tag_table / sizeof tag_table[0]; i++)
        if (!strcmp(tag, tag_table[i].name))
            return tag_table[i].parse(p, n, w);
    return unknown_tag(p, tag);
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
    if (!s->family[0] && !s->outside) {
        s->error = zr_strdup_printf("%s: a case lives in the folder of its family (cases/<family>/ or pyclients/<family>/)",
                                    s->path);
        return -1;
    }
    return 0;
}

/* A mode the case states nothing for, run by the lines of its else_as mode
 * (core/modes.c): a copy of them, freed as its own. */
static void inherit_mode(struct zr_mode_spec *to, const struct zr_mode_spec *from)
{
    to->enabled = true;
    to->inherited = true;
    to->expect.n = from->expect.n;
    to->expect.items = calloc((size_t)from->expect.n + 1, sizeof *to->expect.items);
    if (!to->expect.items)
        abort();
    for (int i = 0; i < from->expect.n; i++) {
        to->expect.items[i].outcome = dup_or_die(from->expect.items[i].outcome);
        to->expect.items[i].text = from->expect.items[i].text ? dup_or_die(from->expect.items[i].text) : NULL;
    }
    to->nargs = from->nargs;
    to->args = calloc((size_t)from->nargs + 1, sizeof *to->args);
    if (!to->args)
        abort();
    for (int i = 0; i < from->nargs; i++)
        to->args[i] = dup_or_die(from->args[i]);
    to->timeout_s = from->timeout_s;
    to->stall_s = from->stall_s;
}

static int parse_text(const char *path, const char *text, bool outside, struct zr_case_spec *s)
{
    memset(s, 0, sizeof *s);
    s->outside = outside;
    s->path = dup_or_die(path);
    s->server_mode = dup_or_die("echo");
    s->server_delay_ms = ZR_DEFAULT_SERVER_DELAY_MS;
    s->variant = ZR_VARIANT_FIXED;
    if (identify(s) != 0)
        return -1;
    for (int m = 0; m < zr_nmodes; m++) {
        s->modes[m].timeout_s = zr_modes[m].default_timeout_s;
        s->modes[m].stall_s = ZR_DEFAULT_STALL_S;
    }

    struct parser p = { .spec = s };
    if (parse_header(&p, text) != 0)
        return -1;

    p.line = 1;
    if (!p.seen_family && s->outside)
        return fail(&p, "no case header with a @family (cases/README.md says what a case file states); to run a "
                        "program of your own as it is: zmq-repro check -- %s",
                    s->path);
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
    for (int m = 0; m < zr_nmodes; m++) {
        const struct zr_mode *as = zr_modes[m].else_as ? zr_mode_find(zr_modes[m].else_as) : NULL;
        if (as && !s->modes[m].enabled && s->modes[zr_mode_index(as)].enabled)
            inherit_mode(&s->modes[m], &s->modes[zr_mode_index(as)]);
    }
    if (s->twin && s->variant != ZR_VARIANT_FIXED)
        return fail(&p, "@twin is for a fixed case (the broken case its clean runs rule out)");
    if (s->fixed_in && s->variant != ZR_VARIANT_BROKEN)
        return fail(&p, "@fixed-in is for a broken case (a bug that a later libzmq fixed)");
    if (s->broken_since && s->variant != ZR_VARIANT_BROKEN)
        return fail(&p, "@broken-since is for a broken case (a bug that a libzmq release brought in)");
    if (s->broken_since && s->fixed_in && zr_version_compare(s->broken_since, s->fixed_in) >= 0)
        return fail(&p, "@broken-since %s is not before @fixed-in %s", s->broken_since, s->fixed_in);
    for (int i = 0; i < s->npython_rules; i++) {
        bool shows = s->python_rules[i].shows;
        if (!shows && s->variant != ZR_VARIANT_BROKEN)
            return fail(&p, "@python-unaffected is for a broken case (a bug that some Pythons cannot show)");
        if (shows && s->variant != ZR_VARIANT_FIXED)
            return fail(&p, "@python-shows is for a fixed case (what some Pythons show instead of a clean run)");
        if (s->language != ZR_LANG_PYTHON)
            return fail(&p, "@%s is for Python cases", shows ? "python-shows" : "python-unaffected");
    }
    return 0;
}

int zr_case_spec_parse_text(const char *path, const char *text, struct zr_case_spec *s)
{
    return parse_text(path, text, false, s);
}

static int parse_file(const char *path, bool outside, struct zr_case_spec *spec)
{
    char *text = zr_read_file(path, NULL);
    if (!text) {
        memset(spec, 0, sizeof *spec);
        spec->path = dup_or_die(path);
        spec->id = dup_or_die(path);
        spec->error = zr_strdup_printf("%s: cannot read the case file", path);
        return -1;
    }
    int rc = parse_text(path, text, outside, spec);
    free(text);
    return rc;
}

int zr_case_spec_parse_file(const char *path, struct zr_case_spec *spec)
{
    return parse_file(path, false, spec);
}

int zr_case_spec_parse_outside(const char *path, struct zr_case_spec *spec)
{
    return parse_file(path, true, spec);
}

void zr_expect_list_free(struct zr_expect_list *list)
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
    free(s->program_dir);
    if (s->program) {
        for (int i = 0; i < s->program->argc; i++)
            free(s->program->argv[i]);
        free(s->program->argv);
        free(s->program->expect);
        free(s->program);
    }
    free(s->server_mode);
    free(s->pymodule);
    free(s->upstream);
    free(s->twin);
    free(s->fixed_in);
    free(s->broken_since);
    zr_expect_list_free(&s->before_expect);
    for (int i = 0; i < s->npython_rules; i++) {
        free(s->python_rules[i].version);
        zr_expect_list_free(&s->python_rules[i].expect);
    }
    free(s->error);
    zr_expect_list_free(&s->fixed_expect);
    for (int m = 0; m < ZR_MAX_MODES; m++) {
        zr_expect_list_free(&s->modes[m].expect);
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

bool zr_python_rule_matches(const struct zr_python_rule *rule, const char *python_version)
{
    if (!python_version || !*python_version)
        return false;
    if (rule->op == '<')
        return zr_version_compare(python_version, rule->version) < 0;
    if (rule->op == '>')
        return zr_version_compare(python_version, rule->version) >= 0;
    /* X.Yt: a free-threaded interpreter, whose version the run gives as 3.13.15t. */
    size_t n = strlen(rule->version), len = strlen(python_version);
    if (n && rule->version[n - 1] == 't') {
        if (python_version[len - 1] != 't')
            return false;
        n--;
    }
    return !strncmp(python_version, rule->version, n) &&
           (python_version[n] == '\0' || python_version[n] == '.' || python_version[n] == 't');
}

int zr_release_holds(const struct zr_libzmq_release *r, const char *v, char *why, size_t len)
{
    why[0] = '\0';
    if (!r || !r->version || !*r->version)
        return -1;
    if (!r->commit) /* a release tarball or a package: its number is its release */
        return zr_version_compare(r->version, v) >= 0 ? 1 : -1;
    if (r->release)
        return zr_version_compare(r->release, v) >= 0 ? 1 : -1;
    if (r->contains_release && zr_version_compare(r->contains_release, v) >= 0)
        return 1;
    /* Before the release that precedes v was even out: the number it
     * reports is that release's, lower than v. */
    if (zr_version_compare(r->version, v) < 0)
        return -1;
    if (r->contains_release)
        snprintf(why, len,
                 "libzmq at commit %.12s comes after release %s and is not release %s (it reports %s, the number of "
                 "the next release): whether it holds what %s changed cannot be told from its version",
                 r->commit, r->contains_release, v, r->version, v);
    else
        snprintf(why, len,
                 "libzmq at commit %.12s was built without the release tags of its history (it reports %s, which a "
                 "commit after the release before has too): whether it holds what %s changed cannot be told; build it "
                 "from a checkout with its tags",
                 r->commit, r->version, v);
    return 0;
}

struct zr_judgement zr_case_judgement(const struct zr_case_spec *spec, int mode, const struct zr_libzmq_release *lz,
                                      const char *python_version)
{
    struct zr_judgement j = { .as = spec->variant, .expect = &spec->modes[mode].expect };
    char why[sizeof j.unknown_why];
    if (lz && lz->version && *lz->version) {
        int holds = spec->broken_since ? zr_release_holds(lz, spec->broken_since, why, sizeof why) : 1;
        if (holds < 0) {
            j.as = ZR_VARIANT_FIXED;
            j.expect = &spec->before_expect;
            j.predates_bug = true;
            return j;
        }
        if (holds == 0) {
            j.version_unknown = true;
            snprintf(j.unknown_why, sizeof j.unknown_why, "%s (the bug came in %s: @broken-since)", why,
                     spec->broken_since);
            return j;
        }
        holds = spec->fixed_in ? zr_release_holds(lz, spec->fixed_in, why, sizeof why) : -1;
        if (holds > 0) {
            j.as = ZR_VARIANT_FIXED;
            j.expect = &spec->fixed_expect;
            j.fixed_upstream = true;
            return j;
        }
        if (holds == 0) {
            j.version_unknown = true;
            snprintf(j.unknown_why, sizeof j.unknown_why, "%s (the fix came in %s: @fixed-in)", why, spec->fixed_in);
            return j;
        }
    }
    for (int i = 0; i < spec->npython_rules; i++)
        if ((spec->python_rules[i].mode < 0 || spec->python_rules[i].mode == mode) &&
            zr_python_rule_matches(&spec->python_rules[i], python_version)) {
            j.as = ZR_VARIANT_FIXED;
            j.expect = &spec->python_rules[i].expect;
            j.python_unaffected = !spec->python_rules[i].shows;
            j.python_shows = spec->python_rules[i].shows;
            break;
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
