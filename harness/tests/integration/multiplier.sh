#!/bin/sh
# ZR_TIMEOUT_MULTIPLIER scales ctest's limits when ctest runs (the same
# variable scales the runner's watchdogs), rounded up.
. "$(dirname "$0")/lib.sh"

limit() {
    (cd "$build" && env ${1:+ZR_TIMEOUT_MULTIPLIER=$1} ctest --show-only=json-v1 -R '^hang-at-shutdown/fixed_bounded_linger/stress$') |
        python3 -c 'import json, sys; t = json.load(sys.stdin)["tests"][0]; print(next(p["value"] for p in t["properties"] if p["name"] == "TIMEOUT"))'
}
base=$(limit "")
triple=$(limit 3)
rounded=$(limit 2.5)
[ -n "$base" ] && [ "$triple" = "$(python3 -c "print(float($base) * 3)")" ] && ok "TIMEOUT $base -> $triple with 3" ||
    fail "TIMEOUT $base with no multiplier, $triple with 3"
[ "$rounded" = "$triple" ] && ok "2.5 rounds up to 3" || fail "2.5 gave $rounded"
expect_exit 2 "a multiplier that is not a number" env ZR_TIMEOUT_MULTIPLIER=nan "$repro" list
finish
