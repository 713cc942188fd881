#!/bin/sh
# Perturb mode delays libzmq's own waits and reads, which it knows by the
# module they are called from. That module is libzmq itself, as the runner
# loads it: behind the runner's own wrapper (libzr_loaded.so, preloaded
# after the checker, defines the socket calls too) and, for Python, in the
# local scope pyzmq loads it in. Both were once missed, and the delays
# inside libzmq silently never happened. The checker's start line says
# where it found libzmq (ZMQ_OWNER_VERBOSE, kept from the user's
# environment for a program run with `--`).
. "$(dirname "$0")/lib.sh"

cat >"$TMPDIR/one_socket.c" <<'PROGRAM'
#include <stdio.h>
#include <zmq.h>
int main(void)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    zmq_close(s);
    zmq_ctx_term(ctx);
    printf("DONE\n");
    return 0;
}
PROGRAM
cat >"$TMPDIR/one_socket.py" <<'PROGRAM'
import zmq
ctx = zmq.Context()
ctx.socket(zmq.DEALER).close()
ctx.term()
print("DONE")
PROGRAM

for program in one_socket.c one_socket.py; do
    expect_exit 0 "$program in perturb mode" env ZMQ_OWNER_VERBOSE=1 "$repro" run -m perturb -n 1 --no-results \
        -- "$TMPDIR/$program"
    if grep -qE "libzmq's own waits and reads delayed in [^ ]*/libzmq\.so" "$TMPDIR/out"; then
        ok "$program: libzmq's own waits and reads are delayed, in libzmq"
    else
        fail "$program: the checker did not find libzmq for the delays inside it"
        sed 's/^/    /' "$TMPDIR/out" | tail -n 20
    fi
    expect_no_output "libzr_loaded.so"
done
exit $((failures != 0))
