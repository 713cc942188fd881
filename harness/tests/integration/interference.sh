#!/bin/sh
# A dead or stopped ROUTER server, or a client killed from outside, is a
# harness ERROR (exit 2), never a reproduction and never "not fixed".
. "$(dirname "$0")/lib.sh"

# Starts the runner on a steady client (10 s of requests and replies) in the
# background, expecting $1 (default clean); its pid in $runner.
check_steady() {
    "$repro" check -t ipc -m stress --server echo --expect "${1:-clean}" --no-results -q -- \
        "$progs/steady_client" '{endpoint}' 10 >"$TMPDIR/out" 2>&1 &
    runner=$!
}

# Halfway: the client has had its first reply.
halfway() {
    wait_for_line "$TMPDIR/zmq-repro-attempt.*/client.out" "first reply" || fail "the client never had a reply"
}

# kill -9 of the server halfway.
check_steady
server=$(wait_for_process "router_server --bind ipc://$TMPDIR") || fail "no server started"
halfway
kill -KILL "$server"
wait "$runner"
rc=$?
[ $rc -eq 2 ] && ok "server killed: exit 2" || fail "server killed: exit $rc, wanted 2"
expect_output "ERROR check"
expect_output "the ROUTER server was killed by SIGKILL during the attempt"
expect_no_output "NOT FIXED"

# The server stopped (SIGSTOP) halfway: stalled, not a lost wake-up.
check_steady
server=$(wait_for_process "router_server --bind ipc://$TMPDIR") || fail "no server started"
halfway
kill -STOP "$server"
wait "$runner"
rc=$?
[ $rc -eq 2 ] && ok "server stopped: exit 2" || fail "server stopped: exit $rc, wanted 2"
expect_output "the ROUTER server was stopped"
expect_no_output "HANG"

# kill -9 of the client: not a symptom libzmq can raise.
check_steady
client=$(wait_for_process "steady_client ipc://$TMPDIR") || fail "no client started"
halfway
kill -KILL "$client"
wait "$runner"
rc=$?
[ $rc -eq 2 ] && ok "client killed: exit 2" || fail "client killed: exit $rc, wanted 2"
expect_output "killed from outside by SIGKILL"

# Expecting a hang, the client left waiting by a killed server is not one:
# ERROR, not "reproduced". (The steady client, not a broken case: a broken
# case can reproduce before the server is found and killed.)
check_steady hang
server=$(wait_for_process "router_server --bind ipc://$TMPDIR") || fail "no server started"
halfway
kill -KILL "$server"
wait "$runner"
rc=$?
[ $rc -eq 2 ] && ok "expecting a hang, server killed: exit 2" || fail "expecting a hang, server killed: exit $rc, wanted 2"
expect_output "the ROUTER server was killed by SIGKILL"
expect_no_output "reproduced"

expect_no_leftovers
finish
