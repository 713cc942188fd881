/* A test program: what the runner says of a hang in zmq_ctx_term, from a
 * socket log written by libzr_loaded.so (ZR_SOCKETS_LOG).
 *
 * usage: zr-diagnose-sockets LOG PID
 * Prints the diagnosis (exit 0), or "no diagnosis" (exit 1); 2: bad usage
 * or an unreadable log. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "diagnosis.h"
#include "text.h"

int main(int argc, char **argv)
{
    long pid;
    if (argc != 3 || zr_parse_long(argv[2], 1, 1L << 30, &pid) != 0) {
        fprintf(stderr, "usage: %s LOG PID\n", argv[0]);
        return 2;
    }
    if (access(argv[1], R_OK) != 0) {
        fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[1]);
        return 2;
    }
    char *diagnosis = zr_diagnose_term_hang_file(argv[1], pid);
    printf("%s\n", diagnosis ? diagnosis : "no diagnosis");
    int rc = diagnosis ? 0 : 1;
    free(diagnosis);
    return rc;
}
