#!/bin/sh
# Every document the harness reads back is checked against its schema
# (harness/runner/core/documents.c) before a field of it is read: real
# documents (the committed comparison's matrix.json, the result of a real
# run, the figures of a real bench), each damaged by hand the way a file
# from another machine can be, are refused with exit 2 (never a crash),
# naming the document and the field, and nothing is written.
. "$(dirname "$0")/lib.sh"

# damage SRC DST PYTHON-STATEMENT: DST is SRC's document d after the statement.
damage() {
    python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
}

# --- matrix.json, read by merge.
mkdir -p "$TMPDIR/good"
cp "$source_dir/results/comparison/matrix.json" "$TMPDIR/good/matrix.json"
expect_exit 0 "merge of the real comparison" "$repro" merge "$TMPDIR/merged-good" "$TMPDIR/good"
# merge_refused DESCRIPTION STATEMENT MESSAGE: the damaged copy is refused, naming the field.
merge_refused() {
    rm -rf "$TMPDIR/bad" "$TMPDIR/merged"
    mkdir -p "$TMPDIR/bad"
    damage "$TMPDIR/good/matrix.json" "$TMPDIR/bad/matrix.json" "$2"
    expect_exit 2 "merge of a matrix.json with $1" "$repro" merge "$TMPDIR/merged" "$TMPDIR/bad"
    expect_output "$TMPDIR/bad/matrix.json: $3"
    [ ! -e "$TMPDIR/merged" ] && ok "nothing written" || fail "merge wrote $TMPDIR/merged"
}
merge_refused "a build without its name" "del d['builds'][1]['name']" \
    'builds\[1\].name: missing (a string is needed)'
merge_refused "a numeric build name" "d['builds'][1]['name'] = 4" \
    'builds\[1\].name: an integer where a string is needed'
merge_refused "a build that is a number" "d['builds'][2] = 7" \
    'builds\[2\]: an integer where an object is needed'
merge_refused "a row without its case" "del d['rows'][3]['case']" 'rows\[3\].case: missing (a string is needed)'
merge_refused "a row's bisect commit that is a number" "d['rows'][3]['bisect'] = {'commit': 5}" \
    'rows\[3\].bisect.commit: an integer where a string is needed'
merge_refused "a row's bisect that is a list" "d['rows'][3]['bisect'] = ['36a8df2f']" \
    'rows\[3\].bisect: a list where an object is needed'
merge_refused "a cell that is a string" "d['cells'][5] = 'ran'" 'cells\[5\]: a string where an object is needed'
merge_refused "a cell without its build" "del d['cells'][0]['build']" 'cells\[0\].build: missing'
merge_refused "a symptom count that is text" "d['cells'][0]['symptoms'] = {'HANG x': 'many'}" \
    'cells\[0\].symptoms\["HANG x"\]: a string where an integer is needed'
merge_refused "hosts that are a list" "d['hosts'] = []" 'hosts: a list where an object is needed'
merge_refused "no builds" "del d['builds']" 'builds: missing (a list is needed)'
merge_refused "a report path out of the folder" "d['cells'][0]['report'] = '../../payload.txt'" \
    'cells\[0\].report: "../../payload.txt" is not a path inside the folder'
rm -rf "$TMPDIR/bad" && mkdir -p "$TMPDIR/bad"
damage "$TMPDIR/good/matrix.json" "$TMPDIR/bad/matrix.json" "d['kind'] = 'bench'"
expect_exit 2 "merge of a bench document" "$repro" merge "$TMPDIR/merged" "$TMPDIR/bad"
expect_output 'is not the matrix.json of .zmq-repro matrix. (a bench document)'
echo '[1, 2]' >"$TMPDIR/bad/matrix.json"
expect_exit 2 "merge of a matrix.json that is a list" "$repro" merge "$TMPDIR/merged" "$TMPDIR/bad"
expect_output 'is not the matrix.json of .zmq-repro matrix. (a list, not an object)'

# --- A run's result, read by bundle: a real one that bundles, then damaged copies.
expect_exit 0 "a real run that reproduces" "$repro" run hang-at-shutdown/broken_default_linger_unsent -m stress -n 1 \
    -t ipc -q -r "$results"
result=$(ls "$results"/*.json | head -n 1)
expect_exit 0 "bundle of the real result" "$repro" bundle -o "$TMPDIR/bundles-good" "$result"
bundle_refused() {
    rm -rf "$TMPDIR/bundles" && mkdir -p "$TMPDIR/bundles"
    damage "$result" "$TMPDIR/damaged.json" "$2"
    expect_exit 2 "bundle of a result with $1" "$repro" bundle -o "$TMPDIR/bundles" "$TMPDIR/damaged.json"
    expect_output "$TMPDIR/damaged.json: $3"
    [ -z "$(ls "$TMPDIR/bundles")" ] && ok "nothing written" || fail "bundle wrote $(ls "$TMPDIR/bundles")"
}
bundle_refused "an attempt without its outcome" "del d['attempts'][0]['outcome']" \
    'attempts\[0\].outcome: missing (a string is needed)'
bundle_refused "no language" "del d['language']" 'language: missing (a string is needed)'
bundle_refused "no judged_as" "del d['judged_as']" 'judged_as: missing (a string is needed)'
bundle_refused "attempts that are an object" "d['attempts'] = {}" 'attempts: an object where a list is needed'
bundle_refused "an attempt that is null" "d['attempts'][0] = None" 'attempts\[0\]: null where an object is needed'
bundle_refused "a numeric expectation" "d['expect'] = [1]" 'expect\[0\]: an integer where a string is needed'
bundle_refused "a Python environment that is text" "d.setdefault('environment', {})['python'] = '3.11'" \
    'environment.python: a string where an object is needed'
damage "$result" "$TMPDIR/damaged.json" "d['kind'] = 'matrix'"
expect_exit 2 "bundle of a matrix document" "$repro" bundle -o "$TMPDIR/bundles" "$TMPDIR/damaged.json"
expect_output 'is not the result of .zmq-repro check. or .run. (a matrix document)'

# --- A bench's figures, read by compare.
expect_exit 0 "a real bench" "$repro" bench hang-at-shutdown/fixed_bounded_linger -m stress -n 1 -t ipc \
    -j "$TMPDIR/bench.json"
expect_exit 0 "compare of the real bench with itself" "$repro" compare "$TMPDIR/bench.json" "$TMPDIR/bench.json"
compare_refused() {
    damage "$TMPDIR/bench.json" "$TMPDIR/damaged-bench.json" "$2"
    expect_exit 2 "compare of a bench with $1" "$repro" compare "$TMPDIR/bench.json" "$TMPDIR/damaged-bench.json"
    expect_output "$TMPDIR/damaged-bench.json: $3"
}
compare_refused "a row without its rate" "del d['cases'][0]['rate']" 'cases\[0\].rate: missing (a number is needed)'
compare_refused "attempts as text" "d['cases'][0]['attempts'] = '20'" \
    'cases\[0\].attempts: a string where an integer is needed'
compare_refused "a build without its version" "del d['builds']['system']['version']" \
    'builds\["system"\].version: missing (a string is needed)'
compare_refused "a row that is a number" "d['cases'][0] = 3" 'cases\[0\]: an integer where an object is needed'

# A build folder named with -b: its build-info.json is checked the same way.
system_info=$("$repro" builds system)/build-info.json
build_refused() { # WHAT PYTHON-STATEMENT FIELD-MESSAGE
    mkdir -p "$TMPDIR/damaged-build"
    python3 - "$system_info" "$TMPDIR/damaged-build/build-info.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
    expect_exit 2 "a build whose build-info.json has $1" \
        "$repro" run shared-socket/fixed_socket_per_thread -m stress -b "$TMPDIR/damaged-build" --no-results
    expect_output "$TMPDIR/damaged-build/build-info.json.*$3"
}
# Every build this machine made holds to the same schema.
expect_exit 0 "the builds made here" "$repro" builds
expect_no_output "build-info.json"
build_refused "a numeric origin" "d['origin'] = 5" 'origin: an integer where a string is needed'
build_refused "no key" "del d['key']" 'key: missing (a string is needed)'
build_refused "a version that is a list" "d['version'] = ['4.3.4']" 'version: a list where a string is needed'
build_refused "an unknown kind" "d['kind'] = '<script>'" 'is not the build-info.json of .zmq-repro build.'

expect_no_leftovers
finish
