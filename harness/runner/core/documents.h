/* The JSON documents the harness reads back from disk, each checked against
 * its schema before anything reads a field of it: a matrix folder merged
 * from another machine, a result handed to `bundle`, a bench file handed to
 * `compare` may hold anything. One table of fields per kind of document
 * (documents.c): each field's place ("builds[].name": the name of every
 * build), its JSON type, and whether it must be there. The code that reads
 * a checked document may then take every field of the table as its type.
 *
 * A document that does not hold is refused with the document and the field
 * named: "m/matrix.json: builds[1].name: missing (a string is needed)". */
#ifndef ZR_DOCUMENTS_H
#define ZR_DOCUMENTS_H

#include <stddef.h>

#include <jansson.h>

enum zr_document_kind {
    ZR_DOCUMENT_MATRIX, /* matrix.json of `zmq-repro matrix` or `merge`: read by merge */
    ZR_DOCUMENT_RESULT, /* the result of a `check` or `run`: read by bundle and minimize */
    ZR_DOCUMENT_BENCH,  /* the figures of `zmq-repro bench`: read by compare */
    ZR_DOCUMENT_BUILD,  /* a build's build-info.json: read by every command that opens a build */
    ZR_DOCUMENT_BISECT, /* the record of `zmq-repro bisect`: read by matrix and merge (--bisect) */
};

/* Checks doc against the schema of its kind; name is the document as the
 * message names it (its path). 0, or -1 with the first field that does not
 * hold named in err. */
int zr_document_check(json_t *doc, enum zr_document_kind kind, const char *name, char *err, size_t errlen);

/* Reads path and checks it: the document (json_decref it), or NULL with
 * why in err (it cannot be read, is no JSON, or does not hold). */
json_t *zr_document_load(const char *path, enum zr_document_kind kind, char *err, size_t errlen);

#endif
