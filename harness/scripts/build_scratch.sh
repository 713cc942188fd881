# Sourced by the build scripts (harness/libzmq/build-libzmq.sh,
# harness/python/build-python.sh): their scratch folder and how a stopped
# build ends.
#   make_scratch NAME   sets work to a fresh $cache/tmp/NAME.PID.XXXXXX
# The folder lives in the cache and carries this shell's pid: what a build
# killed outright (SIGKILL) leaves there, the runner removes at its next
# start once that pid is gone. Stopped (SIGINT, or SIGTERM, which the
# runner's death sends through PR_SET_PDEATHSIG), the build ends its whole
# process group (the runner starts it in one of its own): configure, cmake,
# make and the compilers with it, and removes its scratch folder. The long
# steps run through in_background: a shell runs a trap only once its
# foreground command has ended, and `wait` is interrupted at once.
# Needs: cache, die.

make_scratch() {
    mkdir -p "$cache/tmp" || die "cannot create $cache/tmp (set ZR_CACHE_DIR to a writable place)"
    work=$(mktemp -d "$cache/tmp/$1.$$.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    trap stop_build INT TERM
}

stop_build() {
    trap '' INT TERM
    kill -TERM 0 2>/dev/null
    wait
    rm -rf "$work"
    exit 143
}

in_background() {
    "$@" &
    wait $!
}
