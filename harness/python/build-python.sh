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
# this machine's glibc is mixed in. The runner makes sys.executable a
# launcher beside the interpreter (harness/python/python_launcher.c) that
# starts it that way again; at build time there is none (compileall runs
# with one process).
# Exit status: 0, or 2 with a one-line cause on stderr.
set -eu

die() { echo "build-python.sh: $*" >&2; exit 2; }

[ $# -ge 2 ] || die "usage: build-python.sh resolve SOURCE | build SOURCE PREFIX"
action=$1 source_spec=$2
prefix=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
apt="$here/../apt/private-apt.sh"

case "$source_spec" in
python:3.13t|python:3.13t-tsan) suite=forky ;;
python:?*) suite=${source_spec#python:} ;;
*) die "a Python build is python:SUITE (python:bookworm, python:trixie, python:sid), not '$source_spec'" ;;
esac
host_suite=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null || true)

# The scratch folder (in the cache's tmp/) and how a stopped build ends.
cache=${ZR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zmq-repro}
. "$here/../scripts/build_scratch.sh"
make_scratch python-build

# Packages that a dependency closure names but an interpreter never loads
# (tzdata's debconf and what debconf pulls in), and libzmq5 (see above).
EXCLUDED="libzmq5 debconf cdebconf dpkg tar libdebian-installer4 libnewt0.52 libslang2 libtextwrap1"

# --- python:3.13t: free-threaded CPython built from Debian's source tarballs. ---
ft_tsan=no
[ "$source_spec" = python:3.13t-tsan ] && ft_tsan=yes
ft_configure="--disable-gil --disable-test-modules --without-ensurepip"
[ "$ft_tsan" = yes ] && ft_configure="$ft_configure --with-thread-sanitizer"
ft_pyzmq_cflags="-O2 -g -fPIC"

# "VERSION FILE SHA256 URL" of a source package's orig tarball in $suite.
orig() {
    what=$(sh "$apt" orig "$suite" "$1") || exit 2
    [ -n "$what" ] || die "suite $suite has no source package $1 (its orig tarball is what python:3.13t is built from)"
    printf '%s\n' "$what"
}

resolve_freethreaded() {
    command -v apt-get >/dev/null || die "apt-get not found: $source_spec is built from Debian's source tarballs"
    command -v gcc >/dev/null || die "gcc not found: run ci/setup-debian.sh first"
    o=$(orig python3.13)
    # shellcheck disable=SC2086
    set -- $o
    pyver=$1 pytar=$2 pysum=$3
    o=$(orig pyzmq)
    # shellcheck disable=SC2086
    set -- $o
    zmqver=$1 zmqtar=$2 zmqsum=$3
    o=$(orig cython)
    # shellcheck disable=SC2086
    set -- $o
    cyver=$1 cytar=$2 cysum=$3
    compiler=$(gcc --version | head -n 1)
    upstream=$(printf '%s' "$pytar" | sed 's/^python3\.13_//; s/\.orig\.tar\..*//')
    identity="python free-threaded $pytar sha256 $pysum, $zmqtar sha256 $zmqsum, $cytar sha256 $cysum, configure $ft_configure, pyzmq cflags $ft_pyzmq_cflags, $compiler"
    echo "kind=python"
    echo "python_source=built"
    echo "suite=$suite"
    echo "interpreter=python3.13t"
    echo "identity=$identity"
    echo "origin=CPython $upstream built with $ft_configure from Debian's python3.13 $pyver source ($suite), pyzmq from Debian's pyzmq $zmqver source, Cython $cyver"
    echo "stem=${source_spec}"
    echo "flavour=binary"
    echo "configure_flags=$ft_configure"
    echo "compiler=$compiler"
    echo "free_threaded=yes"
    echo "thread_sanitizer=$ft_tsan"
    echo "python_tarball=$pytar"
    echo "python_tarball_sha256=$pysum"
    echo "pyzmq_tarball=$zmqtar"
    echo "pyzmq_tarball_sha256=$zmqsum"
    echo "cython_tarball=$cytar"
    echo "cython_tarball_sha256=$cysum"
    echo "key=$(printf 'python\n%s\n' "$identity" | sha256sum | cut -c1-16)"
}

# TARBALL unpacked into $work/src; $unpacked is the folder it made. Not
# called in a $( ) subshell, which would hold off this shell's traps.
unpack() {
    dest=$work/src/$(basename "$1")
    mkdir -p "$dest"
    in_background tar -xf "$1" -C "$dest" || die "cannot unpack $(basename "$1")"
    unpacked=
    for top in "$dest"/*; do [ -d "$top" ] && unpacked=$top; done
    [ -n "$unpacked" ] || die "$(basename "$1") holds no top folder"
}

build_freethreaded() {
    command -v make >/dev/null || die "make not found: run ci/setup-debian.sh first"
    [ -f /usr/include/zmq.h ] || die "no /usr/include/zmq.h: apt-get install libzmq3-dev (pyzmq is compiled against it)"
    # Debian's own python3 (not one a PATH such as pyenv's puts first).
    host_python=/usr/bin/python3
    [ -x "$host_python" ] || host_python=$(command -v python3) || die "no python3 on this machine: Cython runs under it"
    mkdir -p "$work/dl"
    for pkg in python3.13 pyzmq cython; do
        in_background sh "$apt" fetch-orig "$suite" "$pkg" "$work/dl" >/dev/null || exit 2
    done
    unpack "$work"/dl/python3.13_*.orig.tar.*
    pysrc=$unpacked
    unpack "$work"/dl/pyzmq_*.orig.tar.*
    zmqsrc=$unpacked
    unpack "$work"/dl/cython_*.orig.tar.*
    cysrc=$unpacked
    echo "build-python.sh: building CPython ($ft_configure) in $pysrc: about 4.5 minutes of CPU, longer on a busy machine" >&2
    # The machine is shared: the compile runs niced, two jobs at most.
    # env -C, not a ( cd ) subshell: a trap of this shell runs only once its
    # foreground command ends, and a subshell would be one.
    # shellcheck disable=SC2086
    in_background env -C "$pysrc" nice -n 15 ./configure --prefix="$prefix" $ft_configure >"$work/configure.log" 2>&1 ||
        { tail -n 20 "$work/configure.log" >&2; die "CPython's configure failed"; }
    in_background nice -n 15 make -C "$pysrc" -j2 >"$work/make.log" 2>&1 ||
        { tail -n 30 "$work/make.log" >&2; die "CPython's build failed"; }
    # make install compiles the standard library's .pyc (levels 0-2), two jobs.
    in_background nice -n 15 make -C "$pysrc" install COMPILEALL_OPTS=-j2 >"$work/install.log" 2>&1 ||
        { tail -n 20 "$work/install.log" >&2; die "CPython's install failed"; }
    cp "$work/make.log" "$prefix/build.log"
    python=$prefix/bin/python3.13t
    [ -x "$python" ] || die "CPython's install made no $python"
    ext_suffix=$("$python" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))') ||
        die "the new interpreter $python does not start"
    site=$("$python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')

    echo "build-python.sh: building pyzmq for it (Cython as pure Python under $host_python)" >&2
    # Debian's tarball is Cython's sources only: run as pure Python, no
    # compiled Cython needed. pyzmq's CMakeLists runs the same command.
    in_background env -C "$zmqsrc" PYTHONPATH="$cysrc" nice -n 15 "$host_python" -m cython \
        --output-file "$work/_zmq.c" --module-name zmq.backend.cython._zmq zmq/backend/cython/_zmq.py \
        >"$work/cython.log" 2>&1 || { tail -n 20 "$work/cython.log" >&2; die "Cython failed on pyzmq's _zmq.py"; }
    cp -R "$zmqsrc/zmq" "$site/zmq"
    # shellcheck disable=SC2086
    in_background nice -n 15 gcc $ft_pyzmq_cflags -shared -I"$prefix/include/python3.13t" -I"$zmqsrc/zmq/utils" \
        "$work/_zmq.c" -o "$site/zmq/backend/cython/_zmq$ext_suffix" -lzmq >"$work/cc.log" 2>&1 ||
        { tail -n 20 "$work/cc.log" >&2; die "pyzmq's _zmq module does not compile against $python"; }
    # One process: the new interpreter's .pyc for pyzmq, written once here.
    in_background nice -n 15 "$python" -m compileall -q "$site/zmq" >"$work/compileall.log" 2>&1 ||
        die "compileall of pyzmq failed: $(tail -n 1 "$work/compileall.log")"
    echo "python=$python"
    echo "include_dirs=$prefix/include/python3.13t:$prefix/include"
}

resolve() {
    case "$source_spec" in python:3.13t|python:3.13t-tsan) resolve_freethreaded; return ;; esac
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
    if grep -q '^python_source=built' "$work/resolved"; then
        build_freethreaded
    elif grep -q '^python_source=system' "$work/resolved"; then
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
