/* The schemas of the documents the harness reads back (documents.h), and
 * the one walker that checks a document against them.
 *
 * A field's place is a path: "builds" (a member of the document),
 * "builds[]" (every element of the list), "builds[].name" (the name of
 * every element), "hosts{}" (every member of an object, whatever its key).
 * The table lists a container before what it holds; a member whose
 * container is absent (an optional one) is not looked for. Required is
 * what the readers cannot do without; an optional field, when present,
 * must still be of its type: the readers take it as such. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "documents.h"
#include "files.h"

enum field_type {
    F_STRING,
    F_INTEGER,
    F_NUMBER, /* an integer or a real */
    F_BOOLEAN,
    F_OBJECT,
    F_ARRAY,
    F_PATH, /* a string naming a file inside the document's folder: relative, without .. */
};

enum {
    OPTIONAL = 0,
    REQUIRED = 1,
    NULLABLE = 2, /* null stands for "not known" (a median of no runs) */
};

struct field {
    const char *path;
    enum field_type type;
    int flags;
};

struct schema {
    const char *what;               /* "the matrix.json of `zmq-repro matrix`" */
    const char *const kinds[8];     /* the values "kind" may have */
    const struct field *fields;     /* ended by a NULL path */
};

/* matrix.json: what merge copies and matches (the builds' names and keys,
 * the rows' and cells' case, mode and build, the report files) and what the
 * page and the table show of it. */
static const struct field matrix_fields[] = {
    { "name", F_STRING, OPTIONAL },
    { "finished_at", F_STRING, OPTIONAL },
    { "attempts", F_INTEGER, OPTIONAL },
    { "wall_s", F_NUMBER, OPTIONAL },
    { "hosts", F_OBJECT, OPTIONAL },
    { "hosts{}", F_OBJECT, REQUIRED },
    { "hosts{}.os", F_STRING, OPTIONAL },
    { "hosts{}.kernel", F_STRING, OPTIONAL },
    { "hosts{}.cpus", F_INTEGER, OPTIONAL },
    { "builds", F_ARRAY, REQUIRED },
    { "builds[]", F_OBJECT, REQUIRED },
    { "builds[].name", F_STRING, REQUIRED },
    { "builds[].key", F_STRING, OPTIONAL },
    { "builds[].host", F_STRING, OPTIONAL },
    { "builds[].version", F_STRING, OPTIONAL },
    { "builds[].flavour", F_STRING, OPTIONAL },
    { "builds[].origin", F_STRING, OPTIONAL },
    { "builds[].error", F_STRING, OPTIONAL },
    { "rows", F_ARRAY, REQUIRED },
    { "rows[]", F_OBJECT, REQUIRED },
    { "rows[].case", F_STRING, REQUIRED },
    { "rows[].mode", F_STRING, REQUIRED },
    { "rows[].twin", F_STRING, OPTIONAL },
    { "rows[].bisect", F_OBJECT, OPTIONAL },
    { "rows[].bisect.commit", F_STRING, OPTIONAL },
    { "rows[].bisect.from", F_STRING, OPTIONAL },
    { "rows[].bisect.to", F_STRING, OPTIONAL },
    { "rows[].bisect.looking_for", F_STRING, OPTIONAL },
    { "rows[].bisect.mode", F_STRING, OPTIONAL },
    { "rows[].bisect.date", F_STRING, OPTIONAL },
    { "rows[].bisect.subject", F_STRING, OPTIONAL },
    { "cells", F_ARRAY, REQUIRED },
    { "cells[]", F_OBJECT, REQUIRED },
    { "cells[].case", F_STRING, REQUIRED },
    { "cells[].mode", F_STRING, REQUIRED },
    { "cells[].build", F_STRING, REQUIRED },
    { "cells[].status", F_STRING, REQUIRED },
    { "cells[].reason", F_STRING, OPTIONAL },
    { "cells[].host", F_STRING, OPTIONAL },
    { "cells[].report", F_PATH, OPTIONAL },
    { "cells[].judged_as", F_STRING, OPTIONAL },
    { "cells[].variant", F_STRING, OPTIONAL },
    { "cells[].attempts", F_INTEGER, OPTIONAL },
    { "cells[].meeting_expectation", F_INTEGER, OPTIONAL },
    { "cells[].errors", F_INTEGER, OPTIONAL },
    { "cells[].median_detect_s", F_NUMBER, NULLABLE },
    { "cells[].time_per_detect_s", F_NUMBER, NULLABLE },
    { "cells[].median_run_s", F_NUMBER, NULLABLE },
    { "cells[].python_unaffected", F_BOOLEAN, OPTIONAL },
    { "cells[].symptoms", F_OBJECT, OPTIONAL },
    { "cells[].symptoms{}", F_INTEGER, REQUIRED },
    { "cells[].locations", F_OBJECT, OPTIONAL },
    { "cells[].locations{}", F_STRING, REQUIRED },
    { NULL, F_STRING, 0 },
};

/* The result of a check or run: what bundle makes its folder from (the
 * program, its mode and language, how it was judged, the attempt whose
 * report proves it) and minimize's count of the attempts that met it. */
static const struct field result_fields[] = {
    { "file", F_STRING, REQUIRED },
    { "mode", F_STRING, REQUIRED },
    { "language", F_STRING, REQUIRED },
    { "judged_as", F_STRING, REQUIRED },
    { "server", F_STRING, NULLABLE },
    { "command", F_ARRAY, NULLABLE },
    { "command[]", F_STRING, REQUIRED },
    { "done_contract", F_BOOLEAN, OPTIONAL },
    { "diagnosis", F_STRING, NULLABLE },
    { "expect", F_ARRAY, OPTIONAL },
    { "expect[]", F_STRING, REQUIRED },
    { "attempts_run", F_INTEGER, OPTIONAL },
    { "attempts_meeting_expectation", F_INTEGER, OPTIONAL },
    { "build", F_OBJECT, OPTIONAL },
    { "build.name", F_STRING, OPTIONAL },
    { "build.version", F_STRING, OPTIONAL },
    { "build.origin", F_STRING, OPTIONAL },
    { "build.instrumented", F_BOOLEAN, OPTIONAL },
    { "environment", F_OBJECT, OPTIONAL },
    { "environment.python", F_OBJECT, NULLABLE },
    { "environment.python.version", F_STRING, NULLABLE },
    { "environment.python.pyzmq", F_STRING, NULLABLE },
    { "attempts", F_ARRAY, REQUIRED },
    { "attempts[]", F_OBJECT, REQUIRED },
    { "attempts[].outcome", F_STRING, REQUIRED },
    { "attempts[].signature", F_STRING, NULLABLE },
    { "attempts[].symptom", F_STRING, NULLABLE },
    { "attempts[].report", F_STRING, NULLABLE },
    { "attempts[].diagnosis", F_STRING, NULLABLE },
    { "attempts[].seed", F_INTEGER, OPTIONAL },
    { NULL, F_STRING, 0 },
};

/* The figures of a bench: what compare sets side by side. */
static const struct field bench_fields[] = {
    { "builds", F_OBJECT, OPTIONAL },
    { "builds{}", F_OBJECT, REQUIRED },
    { "builds{}.version", F_STRING, REQUIRED },
    { "builds{}.origin", F_STRING, REQUIRED },
    { "cases", F_ARRAY, REQUIRED },
    { "cases[]", F_OBJECT, REQUIRED },
    { "cases[].case", F_STRING, REQUIRED },
    { "cases[].mode", F_STRING, REQUIRED },
    { "cases[].rate", F_NUMBER, REQUIRED },
    { "cases[].attempts", F_INTEGER, REQUIRED },
    { "cases[].median_detect_s", F_NUMBER, NULLABLE },
    { "cases[].time_per_detect_s", F_NUMBER, NULLABLE },
    { NULL, F_STRING, 0 },
};

/* A build's build-info.json: a build folder named with -b may come from
 * anywhere, and its texts reach the terminal, result files and the page. */
static const struct field build_fields[] = {
    { "key", F_STRING, REQUIRED },
    { "flavour", F_STRING, REQUIRED },
    { "origin", F_STRING, REQUIRED },
    { "identity", F_STRING, REQUIRED },
    { "version", F_STRING, OPTIONAL },
    { "library", F_STRING, OPTIONAL },
    { "lib_dir", F_STRING, OPTIONAL },
    { "library_sha256", F_STRING, OPTIONAL },
    { "instrumented", F_BOOLEAN, OPTIONAL },
    { "loader", F_STRING, OPTIONAL },
    { "loader_path", F_STRING, OPTIONAL },
    { "python", F_STRING, OPTIONAL },
    { "include_dirs", F_STRING, OPTIONAL },
    { "source", F_STRING, OPTIONAL },
    { "stem", F_STRING, OPTIONAL },
    { "compiler", F_STRING, OPTIONAL },
    { "flags", F_STRING, OPTIONAL },
    { "built_at", F_STRING, OPTIONAL },
    { "commit", F_STRING, OPTIONAL },
    { "release", F_STRING, OPTIONAL },
    { "contains_release", F_STRING, OPTIONAL },
    { "made_by", F_STRING, OPTIONAL },
    { "also_from", F_ARRAY, OPTIONAL },
    { "also_from[]", F_STRING, REQUIRED },
    { "python_version", F_STRING, OPTIONAL },
    { "pyzmq_version", F_STRING, OPTIONAL },
    { "free_threaded", F_STRING, OPTIONAL }, /* "yes": the build script's word */
    { "schema", F_INTEGER, OPTIONAL },
    { NULL, F_STRING, 0 },
};

/* The record of a bisection: which commit changed a case's verdict, shown
 * on the matrix rows of that case. It may come from another machine. */
static const struct field bisect_fields[] = {
    { "schema", F_INTEGER, OPTIONAL },
    { "case", F_STRING, REQUIRED },
    { "mode", F_STRING, REQUIRED },
    { "looking_for", F_STRING, REQUIRED },
    { "from", F_STRING, REQUIRED },
    { "to", F_STRING, REQUIRED },
    { "commit", F_STRING, REQUIRED },
    { "date", F_STRING, OPTIONAL },
    { "subject", F_STRING, OPTIONAL },
    { "source", F_STRING, OPTIONAL },
    { "attempts", F_INTEGER, OPTIONAL },
    { "wall_s", F_NUMBER, OPTIONAL },
    { "steps", F_ARRAY, OPTIONAL },
    { "steps[]", F_STRING, REQUIRED },
    { "finished_at", F_STRING, OPTIONAL },
    { "host", F_STRING, OPTIONAL },
    { NULL, F_STRING, 0 },
};

static const struct schema schemas[] = {
    [ZR_DOCUMENT_MATRIX] = { "the matrix.json of `zmq-repro matrix`", { "matrix", NULL }, matrix_fields },
    [ZR_DOCUMENT_RESULT] = { "the result of `zmq-repro check` or `run`", { "check", "run", NULL }, result_fields },
    [ZR_DOCUMENT_BENCH] = { "the figures of `zmq-repro bench`", { "bench", NULL }, bench_fields },
    [ZR_DOCUMENT_BUILD] = { "the build-info.json of `zmq-repro build`",
                            { "system", "debian", "debian-binary", "tarball", "git", "dir", "python" },
                            build_fields },
    [ZR_DOCUMENT_BISECT] = { "the record of `zmq-repro bisect`", { "bisect", NULL }, bisect_fields },
};

static const char *type_name(enum field_type t)
{
    switch (t) {
    case F_STRING: return "a string";
    case F_INTEGER: return "an integer";
    case F_NUMBER: return "a number";
    case F_BOOLEAN: return "true or false";
    case F_OBJECT: return "an object";
    case F_ARRAY: return "a list";
    case F_PATH: return "a path inside the folder";
    }
    return "?";
}

static const char *json_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a real number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

static bool has_type(const json_t *v, enum field_type t)
{
    switch (t) {
    case F_STRING:
    case F_PATH: return json_is_string(v);
    case F_INTEGER: return json_is_integer(v);
    case F_NUMBER: return json_is_number(v);
    case F_BOOLEAN: return json_is_boolean(v);
    case F_OBJECT: return json_is_object(v);
    case F_ARRAY: return json_is_array(v);
    }
    return false;
}

/* One walk of a field's path over a document. */
struct walk {
    const struct field *field;
    const char *name; /* the document's */
    char *err;
    size_t errlen;
};

/* Checks the value found at the end of the path (NULL: absent); where is
 * the concrete place ("builds[1].name"). */
static int check_value(const struct walk *w, const json_t *v, const char *where)
{
    const struct field *f = w->field;
    const char *needed = type_name(f->type);
    if (!v) {
        if (!(f->flags & REQUIRED))
            return 0;
        snprintf(w->err, w->errlen, "%s: %s: missing (%s is needed)", w->name, where, needed);
        return -1;
    }
    if (json_is_null(v) && (f->flags & NULLABLE))
        return 0;
    if (!has_type(v, f->type)) {
        snprintf(w->err, w->errlen, "%s: %s: %s where %s is needed", w->name, where, json_type_name(v), needed);
        return -1;
    }
    if (f->type == F_PATH && !zr_path_stays_inside(json_string_value(v))) {
        /* Cut: it is shown whole nowhere, and may be as long as the document. */
        snprintf(w->err, w->errlen, "%s: %s: \"%.200s\" is not a path inside the folder (relative, without ..)",
                 w->name, where, json_string_value(v));
        return -1;
    }
    return 0;
}

/* Follows rest (what is left of the path) from v, at where. */
static int walk_at(const struct walk *w, const json_t *v, const char *rest, const char *where)
{
    if (*rest == '.')
        rest++;
    if (!strncmp(rest, "[]", 2) || !strncmp(rest, "{}", 2)) {
        /* Every element or member; a container of another type was refused
         * at its own entry, which comes first. */
        if (!strncmp(rest, "[]", 2) && json_is_array(v)) {
            for (size_t i = 0; i < json_array_size(v); i++) {
                char here[512];
                snprintf(here, sizeof here, "%s[%zu]", where, i);
                if (!*(rest + 2) ? check_value(w, json_array_get(v, i), here)
                                 : walk_at(w, json_array_get(v, i), rest + 2, here))
                    return -1;
            }
        } else if (!strncmp(rest, "{}", 2) && json_is_object(v)) {
            const char *key;
            json_t *member;
            json_object_foreach((json_t *)v, key, member) {
                char here[512];
                snprintf(here, sizeof here, "%s[\"%.100s\"]", where, key);
                if (!*(rest + 2) ? check_value(w, member, here) : walk_at(w, member, rest + 2, here))
                    return -1;
            }
        }
        return 0;
    }
    size_t n = strcspn(rest, ".[{");
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)n, rest);
    char here[512];
    snprintf(here, sizeof here, "%s%s%s", where, *where ? "." : "", key);
    const json_t *child = json_is_object(v) ? json_object_get(v, key) : NULL;
    if (!rest[n])
        return check_value(w, child, here);
    /* An absent or null container: its own entry said whether it may be. */
    return child && !json_is_null(child) ? walk_at(w, child, rest + n, here) : 0;
}

int zr_document_check(json_t *doc, enum zr_document_kind kind, const char *name, char *err, size_t errlen)
{
    const struct schema *s = &schemas[kind];
    if (!json_is_object(doc)) {
        snprintf(err, errlen, "%s is not %s (%s, not an object)", name, s->what, json_type_name(doc));
        return -1;
    }
    const char *k = json_string_value(json_object_get(doc, "kind"));
    bool known = false;
    for (int i = 0; k && s->kinds[i]; i++)
        known = known || !strcmp(k, s->kinds[i]);
    if (!known) {
        char kinds[160] = "";
        for (int i = 0; s->kinds[i]; i++)
            snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s\"%s\"", i ? " or " : "", s->kinds[i]);
        snprintf(err, errlen, "%s is not %s (a %.40s document): kind: %s is needed", name, s->what,
                 k ? k : "different", kinds);
        return -1;
    }
    for (const struct field *f = s->fields; f->path; f++) {
        struct walk w = { f, name, err, errlen };
        if (walk_at(&w, doc, f->path, "") != 0)
            return -1;
    }
    return 0;
}

json_t *zr_document_load(const char *path, enum zr_document_kind kind, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *doc = json_load_file(path, 0, &jerr);
    if (!doc) {
        snprintf(err, errlen, "cannot read %s: %s (line %d)", path, jerr.text, jerr.line);
        return NULL;
    }
    if (zr_document_check(doc, kind, path, err, errlen) != 0) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}
