#!/bin/sh
# check --suite judges a pytest suite test by test: every TSan report is laid
# to the test that was running (harness/suite/zr_pytest_plugin.py), and
# --baseline runs it once more with no sanitizer to name the tests that fail
# only under TSan.
. "$(dirname "$0")/lib.sh"

/usr/bin/python3 -c 'import pytest' 2>/dev/null || { echo "skipped: no pytest for /usr/bin/python3 (apt-get install python3-pytest)"; exit 77; }
suite=$source_dir/harness/tests/suite/test_two_sockets.py
expect_exit 66 "the suite under TSan (its exit status passes through)" "$repro" check --suite --baseline --no-results -- \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider "$suite"
expect_output "in: .*test_two_sockets.py::test_shared_dealer("
expect_no_output "in: .*test_one_owner"
expect_no_output "in: python3"
expect_output "baseline: the same suite on system with no sanitizer exited with 0"
expect_output "fails only under TSan: .*test_two_sockets.py::test_slow_under_a_sanitizer"
expect_no_output "fails only under TSan: .*test_shared_dealer"
expect_no_leftovers
finish
