#!/bin/sh
# A case file of a user's own, outside cases/ and pyclients/, in a folder
# that is not its family and under a name with blanks and quotes: `list`,
# `run` and `matrix` take it by its path, its family from its @family tag.
. "$(dirname "$0")/lib.sh"

mine="$TMPDIR/my bugs"
mkdir -p "$mine"
sed 's/@family shared-socket/@family mybugs/' "$source_dir/cases/shared-socket/broken_send_recv_threads.c" \
    >"$mine/it's shared.c"
sed 's/@family shared-socket/@family mybugs/' "$source_dir/pyclients/shared-socket/fixed_single_thread_poller.py" \
    >"$mine/poller.py"
printf '/* no header */\nint main(void) { return 0; }\n' >"$mine/plain.c"

expect_exit 0 "list takes a case file by its path" "$repro" list "$mine/it's shared.c"
expect_output "mybugs/it's shared .*tsan"
expect_exit 0 "a C case from outside reproduces in tsan mode" "$repro" run "$mine/it's shared.c" -m tsan -n 3 --no-results -q
expect_output "PASS mybugs/it's shared \[tsan"
expect_exit 0 "a Python case from outside stays clean" "$repro" run "$mine/poller.py" -m stress -n 1 --no-results -q
expect_output "PASS mybugs/poller \[stress"
expect_exit 0 "a matrix of a case from outside (its cells are the runner's children)" \
    "$repro" matrix "$mine/it's shared.c" -m tsan -b debian-tsan -n 1 -o "$TMPDIR/m"
grep -q "mybugs/it's shared\*\*.* tsan: reproduced 1/1" "$TMPDIR/m/matrix.md" && ok "the matrix says reproduced" ||
    fail "the matrix does not say reproduced: $(grep mybugs "$TMPDIR/m/matrix.md")"
expect_exit 2 "a file without a header is no case" "$repro" run "$mine/plain.c"
expect_output "no case header with a @family"
expect_output "zmq-repro check -- "
expect_no_leftovers
finish
