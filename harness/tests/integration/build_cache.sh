#!/bin/sh
# The build cache after a build killed outright, and its pruning, in a
# private cache (ZR_CACHE_DIR): SIGKILL of `zmq-repro build` in the middle
# of compiling ends cmake, make and the compilers (the script hears of the
# runner's death through PR_SET_PDEATHSIG) and removes the scratch folder;
# the half store entry goes at the next start. `builds --prune` removes the
# builds bisect made, store entries no name points to, and leftovers of
# builds whose process is gone; the user's own builds stay.
. "$(dirname "$0")/lib.sh"

cache=$TMPDIR/cache
export ZR_CACHE_DIR="$cache"

# --- SIGKILL in the middle of the compile (Debian's source package, as the default builds). ---
"$repro" build debian --flavour debug >"$TMPDIR/build.log" 2>&1 &
runner=$!
i=0
until pgrep -f -- "cmake --build $cache/tmp/libzmq-build" >/dev/null; do
    i=$((i + 1))
    if [ $i -gt 1200 ] || ! kill -0 $runner 2>/dev/null; then break; fi
    sleep 0.1
done
if ! pgrep -f -- "cmake --build $cache/tmp/libzmq-build" >/dev/null; then
    if grep -q "apt-get source zeromq3 failed" "$TMPDIR/build.log"; then
        echo "skipped: Debian's source package cannot be fetched here"
        kill -KILL $runner 2>/dev/null
        exit 77
    fi
    fail "the build never reached its compile"
    sed 's/^/    /' "$TMPDIR/build.log" | tail -n 20
else
    ok "the compile runs (cmake --build)"
    kill -KILL $runner
    wait $runner 2>/dev/null
    i=0
    while pgrep -f -- "$cache" >/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    if pgrep -f -- "$cache" >/dev/null; then
        fail "processes of the killed build are still running:"
        pgrep -a -f -- "$cache" | sed 's/^/    /'
    else
        ok "nothing of the killed build runs any more (cmake, make, compilers)"
    fi
    if ls -d "$cache"/tmp/libzmq-build.* >/dev/null 2>&1; then
        fail "the scratch folder is still there: $(ls -d "$cache"/tmp/libzmq-build.*)"
    else
        ok "the scratch folder was removed"
    fi
    ls -d "$cache"/store/*.tmp-$runner >/dev/null 2>&1 && ok "the half store entry is there until the next start"
fi

# --- The next start removes what the dead build left; --prune what no one uses. ---
expect_exit 0 "build system" "$repro" build system
expect_output "removing what a stopped build (pid $runner) left"
if ls -d "$cache"/store/*.tmp-* "$cache"/tmp/*.$runner.* >/dev/null 2>&1; then fail "a half store entry or a folder of the killed runner is left"; else ok "nothing of the killed runner is left"; fi
key=$(basename "$(readlink "$cache/builds/system")")
# A build of a bisection step (as bisect-step writes it), an orphan, a dead build's scratch folder.
cp -r "$cache/store/$key" "$cache/store/feedfacefeedface"
python3 - "$cache/store/feedfacefeedface/build-info.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d["made_by"] = "bisect"
json.dump(d, open(p, "w"))
PY
ln -s ../store/feedfacefeedface "$cache/builds/libzmq-0123456789-debug"
cp -r "$cache/store/$key" "$cache/store/0000000000000000"
dead=$(sh -c 'echo $$')
mkdir -p "$cache/tmp/libzmq-build.$dead.AbCdEf/build" && echo x >"$cache/tmp/libzmq-build.$dead.AbCdEf/build/x.o"
mkdir -p "$cache/tmp/libzmq-build.$$.LiveOn"
expect_exit 0 "builds --prune" "$repro" builds --prune
expect_output "removed libzmq-0123456789-debug (made by bisect)"
expect_output "removed store entry feedfacefeedface"
expect_output "removed store entry 0000000000000000"
expect_output "removing what a stopped build (pid $dead) left"
expect_output "freed .* MB"
[ -d "$cache/store/$key" ] && [ -L "$cache/builds/system" ] && ok "the user's own build stays" || fail "system was pruned"
[ -d "$cache/tmp/libzmq-build.$$.LiveOn" ] && ok "a live build's scratch folder stays" || fail "a live build's folder was removed"
expect_exit 2 "builds --prune with a name" "$repro" builds --prune system
expect_output "takes no names"
expect_no_leftovers
finish
