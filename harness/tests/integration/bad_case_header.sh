#!/bin/sh
# One malformed case header: reported by file and line at configure time, by
# `list` and by its own ctest test; every other case still builds and runs.
. "$(dirname "$0")/lib.sh"

copy=$TMPDIR/src
mkdir -p "$copy"
(cd "$source_dir" && tar --exclude=./build --exclude=./results --exclude=./.git -cf - .) | (cd "$copy" && tar -xf -)
cat >"$copy/cases/shared-socket/broken_bad_header.c" <<'CASE'
/* A case with a wrong header.
 *
 * @family shared-socket
 * @variant broken
 * @expect tsan TSAN:data-race:@libzmq
 * @timeout tsan nan
 */
int main(void) { return 0; }
CASE
cmake -S "$copy" -B "$copy/build" -DCMAKE_BUILD_TYPE=Debug >"$TMPDIR/out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "configure goes on" || fail "configure failed (exit $rc)"
# (CMake wraps a warning's lines.)
expect_output "CMake Warning"
expect_output "broken_bad_header.c:6:"
expect_output "not 'nan'"
(cd "$copy/build" && ctest -N) >"$TMPDIR/out" 2>&1
expect_output "case-header/cases/shared-socket/broken_bad_header.c"
expect_output "shared-socket/broken_send_recv_threads/tsan"
cmake --build "$copy/build" --target zmq-repro -j 2 >/dev/null 2>&1 || fail "the build failed"
expect_exit 2 "list reports the bad case" "$copy/build/zmq-repro" list
expect_output "BAD .*broken_bad_header.c:6:"
expect_output "shared-socket/broken_send_recv_threads"
finish
