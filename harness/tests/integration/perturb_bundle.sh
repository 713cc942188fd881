#!/bin/sh
# Perturb mode replays and travels: every seed a run draws is one --seed
# takes back and the result's JSON holds as it is (below 2^63); --seed
# gives every attempt that seed; a bundle made in perturb mode carries the
# interposer's source and the seed of the run that made it, and its run.sh,
# from an empty folder with a bare environment, builds the interposer,
# preloads it with that seed (or SEED) and shows libzmq's failure.
. "$(dirname "$0")/lib.sh"

mkdir -p "$results"
seeds_of() { # the seeds of a result's attempts, one per line
    python3 -c 'import json, sys
for a in json.load(open(sys.argv[1]))["attempts"]: print(a.get("seed", "none"))' "$1"
}

# 1. Drawn seeds: eight runs, every seed a whole number from 1 to 2^63 - 1.
expect_exit 0 "a fixed case in perturb mode, 8 runs" "$repro" run shared-socket/fixed_socket_per_thread -m perturb \
    -n 8 -t ipc -q -r "$results/drawn"
result=$(ls "$results"/drawn/*.json | head -n 1)
seeds_of "$result" >"$TMPDIR/out"
if [ "$(grep -cE '^[1-9][0-9]{0,18}$' "$TMPDIR/out")" -eq 8 ] &&
    awk '{ if (length($1) == 19 && $1 > "9223372036854775807") exit 1 }' "$TMPDIR/out"; then
    ok "8 seeds, each from 1 to 2^63 - 1"
else
    fail "the seeds kept are not 8 whole numbers from 1 to 2^63 - 1"
    sed 's/^/    /' "$TMPDIR/out"
fi
first=$(head -n 1 "$TMPDIR/out")

# 2. That seed given back: accepted, and every attempt ran with it.
expect_exit 0 "--seed with a drawn seed" "$repro" run shared-socket/fixed_socket_per_thread -m perturb -n 2 -t ipc \
    -q --seed "$first" -r "$results/replay"
result=$(ls "$results"/replay/*.json | head -n 1)
seeds_of "$result" >"$TMPDIR/out"
if [ "$(sort -u "$TMPDIR/out")" = "$first" ]; then ok "both attempts ran with seed $first"; else
    fail "the attempts' seeds are not $first"
    sed 's/^/    /' "$TMPDIR/out"
fi
expect_exit 2 "--seed 2^63" "$repro" run shared-socket/fixed_socket_per_thread -m perturb --seed 9223372036854775808

# 3. A bundle in perturb mode: the interposer's source and the seed.
expect_exit 0 "a perturb bundle of a broken case" "$repro" bundle shared-socket/broken_send_recv_threads -m perturb \
    -n 10 -t ipc -q -o "$TMPDIR/b"
bundle=$TMPDIR/b/shared-socket-broken_send_recv_threads-perturb
seed=$(sed -n 's/^seed=\${SEED:-\([0-9]*\)}$/\1/p' "$bundle/run.sh")
if [ -n "$seed" ] && grep -q "ZMQ_OWNER_PERTURB=$seed " "$bundle/ISSUE.md"; then ok "run.sh and ISSUE.md carry seed $seed"
else fail "run.sh and ISSUE.md do not carry the same seed ('$seed')"; fi
tar -tzf "$TMPDIR/b/shared-socket-broken_send_recv_threads-perturb.tar.gz" >"$TMPDIR/out"
expect_output "perturb/perturb_schedule.c$"
expect_output "perturb/zmq_owner.h$"
mkdir -p "$TMPDIR/empty"
tar -xzf "$TMPDIR/b/shared-socket-broken_send_recv_threads-perturb.tar.gz" -C "$TMPDIR/empty"
expect_exit 0 "its run.sh, from an empty folder with a bare environment" \
    sh -c 'cd "$1"/* && env -i PATH=/usr/bin:/bin TIMEOUT=10 ./run.sh 3' sh "$TMPDIR/empty"
expect_output "reproduced in [123] of 3 runs"
# The library it built is the interposer, and it reads the seed.
expect_exit 0 "the built interposer reads ZMQ_OWNER_PERTURB" \
    sh -c 'cd "$1"/* && env -i PATH=/usr/bin:/bin LD_PRELOAD="$PWD/libzmq_perturb.so" ZMQ_OWNER_PERTURB=not-a-seed \
        python3 -c "import zmq; c = zmq.Context(); c.socket(zmq.DEALER).close(); c.term()"' sh "$TMPDIR/empty"
expect_output "ignoring ZMQ_OWNER_PERTURB=not-a-seed"
expect_exit 2 "run.sh with a SEED that is no number" \
    sh -c 'cd "$1"/* && SEED="1; touch pwned" ./run.sh 1' sh "$TMPDIR/empty"
expect_output "SEED must be a whole number"
if ls "$TMPDIR"/empty/*/pwned >/dev/null 2>&1; then fail "SEED ran as shell code"; else ok "SEED is no shell code"; fi

# 4. From a check's result in perturb mode: the failing attempt's seed.
expect_exit 0 "check -m perturb of a shared socket" "$repro" check -m perturb -t ipc -n 5 --server echo \
    --expect any-failure -r "$results/check" -- "$source_dir/cases/shared-socket/broken_send_recv_threads.c" \
    '{endpoint}' 200000 10
result=$(ls "$results"/check/*.json | head -n 1)
expect_exit 0 "its bundle" "$repro" bundle "$result" -o "$TMPDIR/c"
failing=$(python3 -c 'import json, sys
print(next(a["seed"] for a in json.load(open(sys.argv[1]))["attempts"] if a["outcome"] != "CLEAN"))' "$result")
cp "$TMPDIR"/c/*/run.sh "$TMPDIR/out"
expect_output "^seed=\${SEED:-$failing}$"

[ "$failures" -eq 0 ]
