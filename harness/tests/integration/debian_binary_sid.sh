#!/bin/sh
# debian-binary:sid brings what sid's libzmq5 needs and this machine lacks
# (libsodium26, a newer libstdc++ and libgcc), from sid itself, beside it:
# a fixed case is clean on it and a broken one reproduces. Needs Debian's
# mirrors: skipped without them.
. "$(dirname "$0")/lib.sh"

if ! "$repro" build debian-binary:sid >"$TMPDIR/out" 2>&1; then
    if grep -qiE "could not be downloaded|download .* failed|Temporary failure|Could not resolve|unreachable" "$TMPDIR/out"; then
        echo "skipped: Debian's mirrors cannot be reached: $(tail -n 1 "$TMPDIR/out")"
        exit 77
    fi
    fail "build debian-binary:sid: $(tail -n 3 "$TMPDIR/out")"
    finish
fi
ok "debian-binary:sid built"
prefix=$("$repro" builds sid-binary)
[ -n "$(find "$prefix" -name 'libsodium.so.26*' | head -n 1)" ] && ok "libsodium26 beside it" || fail "no libsodium26 in $prefix"
expect_exit 0 "a fixed case on sid's libzmq" "$repro" run shared-socket/fixed_single_owner_poll -m stress -b sid-binary -n 2 -t ipc --no-results
expect_output "CLEAN in 2 of 2 runs"
expect_output "loaded: .*/libzmq.so.5 (zmq_version 4.3.5)"
expect_exit 0 "a broken case on sid's libzmq" "$repro" run shared-socket/broken_send_recv_threads -m owner -b sid-binary -t ipc --no-results
expect_output "reproduced"
expect_no_leftovers
finish
