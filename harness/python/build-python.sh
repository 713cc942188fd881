#!/bin/sh
# Fetches one Python with pyzmq for the harness (`zmq-repro build python:SUITE`).
# Like harness/libzmq/build-libzmq.sh, the runner calls it twice: `resolve`
# (what the suite's interpreter and pyzmq are: the identity that keys the
# cache), then, on a cache miss, `build` into a fresh private PREFIX. Both
# print key=value lines; the runner writes build-info.json from them and
# probes the result by running it.
#
# usage: build-python.sh resolve SOURCE
#        build-python.sh build SOURCE PREFIX
#   SOURCE  python:bookworm   this machine's /usr/bin/python3.11 with Debian's
#                             python3-zmq (nothing is fetched)
#           python:SUITE      the default python3.X of a Debian suite (trixie:
#                             3.13, sid: 3.14) with that suite's python3-zmq and
#                             libpython3.X-dev (the headers, for the harness's
#                             extension modules), unpacked with their library
#                             dependencies and that suite's glibc into PREFIX.
#                             NOT libzmq5: the run's libzmq build supplies
#                             libzmq, so every Python combines with every build.
# A fetched interpreter runs as PREFIX/.../ld-linux-x86-64.so.2 --library-path
# DIRS PREFIX/usr/bin/python3.X: under its own suite's loader, so nothing of
# this machine's glibc is mixed in. Anything that re-executes sys.executable
# (multiprocessing's forkserver, compileall -j) skips that loader and fails
# with "GLIBC_2.x not found".
# Exit status: 0, or 2 with a one-line cause on stderr.
set -eu

die() { echo "build-python.sh: $*" >&2; exit 2; }

[ $# -ge 2 ] || die "usage: build-python.sh resolve SOURCE | build SOURCE PREFIX"
action=$1 source_spec=$2
prefix=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
apt="$here/../apt/private-apt.sh"

case "$source_spec" in
python:?*) suite=${source_spec#python:} ;;
*) die "a Python build is python:SUITE (python:bookworm, python:trixie, python:sid), not '$source_spec'" ;;
esac
host_suite=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null || true)

# The scratch folder lives in the cache with this shell's pid in its name:
# what a killed build leaves, the runner removes at its next start.
cache=${ZR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zmq-repro}
mkdir -p "$cache/tmp" || die "cannot create $cache/tmp (set ZR_CACHE_DIR to a writable place)"
work=$(mktemp -d "$cache/tmp/python-build.$$.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'trap "" INT TERM; kill -TERM 0 2>/dev/null; wait; rm -rf "$work"; exit 143' INT TERM

# Packages that a dependency closure names but an interpreter never loads
# (tzdata's debconf and what debconf pulls in), and libzmq5 (see above).
EXCLUDED="libzmq5 debconf cdebconf dpkg tar libdebian-installer4 libnewt0.52 libslang2 libtextwrap1"

resolve() {
    if [ "$suite" = "$host_suite" ] && [ "$suite" = bookworm ]; then
        [ -x /usr/bin/python3.11 ] || die "no /usr/bin/python3.11 on this machine: apt-get install python3"
        pyver=$(dpkg-query -W -f='${Version}' python3.11 2>/dev/null) || die "python3.11 is not installed from Debian"
        zmqver=$(dpkg-query -W -f='${Version}' python3-zmq 2>/dev/null) ||
            die "python3-zmq is not installed: apt-get install python3-zmq"
        interp=python3.11
        kind=system
    else
        command -v apt-get >/dev/null || die "apt-get not found: python:$suite needs Debian's apt"
        deps=$(sh "$apt" depends "$suite" python3) || exit 2 # its cause is on stderr
        interp=$(printf '%s\n' "$deps" | sed -n 's/^\(python3\.[0-9]*\).*/\1/p')
        [ -n "$interp" ] || die "suite $suite has no python3 package"
        pyver=$(sh "$apt" version "$suite" "$interp")
        zmqver=$(sh "$apt" version "$suite" python3-zmq)
        [ -n "$zmqver" ] || die "suite $suite has no python3-zmq"
        kind=fetched
    fi
    identity="python $suite $interp $pyver python3-zmq $zmqver"
    echo "kind=python"
    echo "python_source=$kind"
    echo "suite=$suite"
    echo "interpreter=$interp"
    echo "identity=$identity"
    echo "origin=Debian $interp $pyver and python3-zmq $zmqver ($suite)"
    echo "stem=python:$suite"
    echo "flavour=binary"
    echo "key=$(printf 'python\n%s\n' "$identity" | sha256sum | cut -c1-16)"
}

fetch() {
    mkdir -p "$work/debs"
    sh "$apt" closure "$suite" "$EXCLUDED" "$interp" python3-zmq >"$work/packages"
    echo "libpython${interp#python}-dev" >>"$work/packages" # headers only: not its dependencies
    echo "build-python.sh: fetching $(wc -l <"$work/packages") packages of $suite" >&2
    # shellcheck disable=SC2046
    sh "$apt" download "$suite" "$work/debs" $(cat "$work/packages")
    for deb in "$work"/debs/*.deb; do
        dpkg-deb -x "$deb" "$prefix" || die "cannot unpack $(basename "$deb")"
    done
    loader=$prefix/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
    [ -f "$loader" ] || loader=$(find "$prefix" -name 'ld-linux-*.so.*' -type f | head -n 1)
    [ -n "$loader" ] && [ -f "$loader" ] || die "the libc6 of $suite holds no dynamic loader"
    python=$prefix/usr/bin/$interp
    [ -x "$python" ] || die "the $interp package of $suite holds no usr/bin/$interp"
    libpath=$(for d in lib/x86_64-linux-gnu usr/lib/x86_64-linux-gnu; do
        [ -d "$prefix/$d" ] && printf '%s:' "$prefix/$d"; done)
    libpath=${libpath%:}
    # Debian's .debs hold no .pyc; without them every start compiles the
    # standard library again (1.2 s for `import zmq, asyncio`, 0.35 s after).
    # One process: compileall -j re-executes sys.executable without the loader.
    "$loader" --library-path "$libpath" "$python" -m compileall -q \
        "$prefix/usr/lib/$interp" "$prefix/usr/lib/python3/dist-packages" >"$work/compileall.log" 2>&1 ||
        die "compileall in $interp of $suite failed: $(tail -n 1 "$work/compileall.log")"
    echo "python=$python"
    echo "loader=$loader"
    echo "loader_path=$libpath"
    echo "include_dirs=$prefix/usr/include/$interp:$prefix/usr/include"
}

build() {
    [ -n "$prefix" ] || die "build needs a PREFIX"
    [ -d "$prefix" ] && [ -z "$(ls -A "$prefix")" ] || die "PREFIX $prefix must be an existing empty directory"
    resolve >"$work/resolved"
    interp=$(sed -n 's/^interpreter=//p' "$work/resolved")
    if grep -q '^python_source=system' "$work/resolved"; then
        [ -f "/usr/include/$interp/Python.h" ] ||
            echo "build-python.sh: no /usr/include/$interp/Python.h (apt-get install ${interp}-dev): extension modules cannot be built for it" >&2
        echo "python=/usr/bin/$interp"
        echo "include_dirs=/usr/include/$interp:/usr/include"
    else
        fetch
    fi
}

case "$action" in
resolve) resolve ;;
build) build ;;
*) die "unknown action '$action' (resolve, build)" ;;
esac
