#!/bin/sh
# A TMPDIR of 150 characters (a checkout deep in a user's folders, a soak's
# results folder): an ipc endpoint under it would pass the 107 bytes of a
# Unix socket path. The endpoint goes to a short private folder instead, and
# that folder is removed.
. "$(dirname "$0")/lib.sh"

long=$TMPDIR/$(printf '%070d' 0)/$(printf '%070d' 0)
mkdir -p "$long"
before=$(ls -d /tmp/zmq-repro-ipc.* 2>/dev/null | wc -l)
expect_exit 0 "a case over ipc with a 150-character TMPDIR" env TMPDIR="$long" \
    "$repro" run shared-socket/fixed_single_owner_poll -m stress -t ipc -n 1 --no-results
expect_output "PASS shared-socket/fixed_single_owner_poll"
expect_no_output "File name too long"
after=$(ls -d /tmp/zmq-repro-ipc.* 2>/dev/null | wc -l)
[ "$after" -le "$before" ] && ok "the short ipc folder is removed" || fail "ipc folders left: $(ls -d /tmp/zmq-repro-ipc.*)"
expect_no_leftovers
finish
