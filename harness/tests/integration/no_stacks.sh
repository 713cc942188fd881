#!/bin/sh
# No stack tool (or no ptrace): a hang is still reported, without stacks and
# saying why; a case that needs the blocked frame to be judged is skipped
# (exit 77), never failed nor passed; a fixed case is judged as usual.
. "$(dirname "$0")/lib.sh"

expect_exit 77 "a hang case without a stack tool is skipped" \
    "$repro" run hang-at-shutdown/broken_default_linger_unsent -m stress -t ipc --no-results --stack-tool /nonexistent/eu-stack
expect_output "SKIP"
# Said before the attempts, and again in the verdict: why the hang cannot be judged.
expect_output "note: no stack tool at /nonexistent/eu-stack"
expect_output "their stacks could not be taken (stacks not taken: no stack tool at /nonexistent/eu-stack"
expect_exit 0 "a fixed case without a stack tool" \
    "$repro" run hang-at-shutdown/fixed_bounded_linger -m stress -t ipc --no-results --stack-tool /nonexistent/eu-stack
expect_exit 77 "the same through ZR_STACK_TOOL" env ZR_STACK_TOOL=/nonexistent/eu-stack \
    "$repro" run hang-at-shutdown/broken_default_linger_unsent -m stress -t ipc --no-results
expect_no_leftovers
finish
