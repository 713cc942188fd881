#!/bin/sh
# A client that loads another libzmq than the build it was asked to run on
# (here an RPATH, which beats LD_LIBRARY_PATH) is ERROR, never a verdict on
# the wrong library; the result names the library really loaded.
. "$(dirname "$0")/lib.sh"

system_lib_dir=$(dirname "$(ldconfig -p | sed -n 's/^[[:space:]]*libzmq\.so\.5 .*=> //p' | head -n 1)")
cc -O1 -g -o "$TMPDIR/rpath_client" "$source_dir/harness/tests/progs/steady_client.c" \
    -Wl,--disable-new-dtags,-rpath,"$system_lib_dir" -lzmq || { fail "cannot build the test client"; finish; }

expect_exit 2 "RPATH to the system libzmq, run on debian-tsan" \
    "$repro" check -t ipc -m tsan -b debian-tsan --server echo --no-results -q -- "$TMPDIR/rpath_client" '{endpoint}' 0.2
expect_output "the client loaded /.*/libzmq.so.5"
expect_output "not the library of build debian-tsan"

# The same program without the RPATH runs on the build it was given.
cc -O1 -g -o "$TMPDIR/plain_client" "$source_dir/harness/tests/progs/steady_client.c" -lzmq
expect_exit 0 "no RPATH, run on debian-tsan" \
    "$repro" check -t ipc -m tsan -b debian-tsan --server echo --no-results -q -- "$TMPDIR/plain_client" '{endpoint}' 0.2
expect_output "loaded: .*store/.*/lib/libzmq.so"

# A test suite one of whose processes maps another libzmq than the build's.
expect_exit 2 "a suite process that loads another libzmq" "$repro" check --suite -b debian-tsan --no-results -- \
    /usr/bin/python3 -c 'import ctypes; ctypes.CDLL("/usr/lib/x86_64-linux-gnu/libzmq.so.5")'
expect_output "some processes loaded another libzmq than build debian-tsan: pid [0-9]* loaded /usr/lib/x86_64-linux-gnu/libzmq.so.5"

# A build whose library file was replaced after it was built (here by
# Debian's plain libzmq of the same version): no verdict on it.
copy=$TMPDIR/replaced-build
cp -a "$("$repro" builds debian-tsan)" "$copy"
orig=$("$repro" builds debian-tsan)
sed -i "s|$orig|$copy|g" "$copy/build-info.json"
expect_exit 0 "a copied build, its library intact, runs" \
    "$repro" run shared-socket/fixed_single_owner_poll -m tsan -n 1 -t ipc --no-results -b "$copy"
lib=$(sed -n 's/.*"library": "\(.*\)",*/\1/p' "$copy/build-info.json")
cp /usr/lib/x86_64-linux-gnu/libzmq.so.5 "$lib"
expect_exit 2 "the same build after its library was replaced" \
    "$repro" run shared-socket/fixed_single_owner_poll -m tsan -n 1 -t ipc --no-results -b "$copy"
expect_output "is not the file that was built"
expect_output "zmq-repro build .* --rebuild"

expect_no_leftovers
finish
