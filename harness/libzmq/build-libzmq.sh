#!/bin/sh
# Builds libzmq fully instrumented by ThreadSanitizer (-fsanitize=thread on
# every C and C++ file) into PREFIX, and writes PREFIX/build-info.json that
# names exactly what was built. libzmq's own ENABLE_TSAN switch is not used:
# it turns memory-access instrumentation off, so it cannot see these races.
#
# usage: build-libzmq.sh SOURCE PREFIX
#   SOURCE  debian              Debian's source package zeromq3 (apt-get source)
#           /path/to/dir        an unpacked libzmq source tree
#           /path/to/x.tar.gz   a release tarball
#           URL[#REF]           a git URL, optionally a tag or commit after '#'
#   PREFIX  where lib/, include/ and build-info.json go; an existing PREFIX
#           with a build-info.json for the same SOURCE is kept (a cache hit).
set -eu

die() { echo "build-libzmq.sh: $*" >&2; exit 2; }

[ $# -eq 2 ] || die "usage: build-libzmq.sh SOURCE PREFIX (see the comment at the top)"
source_spec=$1
prefix=$2
case "$prefix" in /*) ;; *) prefix=$(pwd)/$prefix ;; esac

if [ -f "$prefix/build-info.json" ] && grep -qF "\"source\": \"$source_spec\"" "$prefix/build-info.json"; then
    echo "build-libzmq.sh: cached build in $prefix"
    exit 0
fi

command -v cmake >/dev/null || die "cmake not found: run ci/setup-debian.sh first"
command -v g++ >/dev/null || die "g++ not found: run ci/setup-debian.sh first"

work=$(mktemp -d "${TMPDIR:-/tmp}/libzmq-build.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

case "$source_spec" in
debian)
    command -v dpkg-source >/dev/null || die "dpkg-source not found: apt-get install dpkg-dev"
    (cd "$work" && apt-get source -qq zeromq3 >"$work/apt-source.log" 2>&1) ||
        die "apt-get source zeromq3 failed (is there a deb-src entry? ci/setup-debian.sh adds one): $(tail -n 3 "$work/apt-source.log")"
    src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'zeromq3-*' | head -n 1)
    origin="Debian source package $(basename "$(ls "$work"/zeromq3_*.dsc)" .dsc)"
    ;;
*.tar.gz|*.tgz|*.tar.xz|*.tar.bz2)
    [ -f "$source_spec" ] || die "no such tarball: $source_spec"
    tar -xf "$source_spec" -C "$work" || die "cannot unpack $source_spec"
    src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    origin="tarball $(basename "$source_spec") sha256 $(sha256sum "$source_spec" | cut -d' ' -f1)"
    ;;
*://*|git@*)
    command -v git >/dev/null || die "git not found: apt-get install git"
    url=${source_spec%%#*}
    ref=
    case "$source_spec" in *'#'*) ref=${source_spec#*#} ;; esac
    git clone -q "$url" "$work/src" || die "git clone $url failed"
    if [ -n "$ref" ]; then git -C "$work/src" checkout -q "$ref" || die "no such ref: $ref"; fi
    src=$work/src
    origin="git $url at $(git -C "$src" rev-parse HEAD)${ref:+ ($ref)}"
    ;;
*)
    [ -f "$source_spec/CMakeLists.txt" ] || die "$source_spec is neither 'debian', a tarball, a git URL nor a libzmq source tree"
    src=$(cd "$source_spec" && pwd)
    origin="source tree $src"
    ;;
esac
[ -n "$src" ] && [ -f "$src/CMakeLists.txt" ] || die "no libzmq source tree found in $source_spec"

flags="-fsanitize=thread -O1 -g -fno-omit-frame-pointer"
echo "build-libzmq.sh: building $origin with '$flags' (about a minute on 2 cores)"
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
    -DBUILD_TESTS=OFF -DBUILD_STATIC=OFF -DWITH_DOCS=OFF -DWITH_PERF_TOOL=OFF \
    -DWITH_LIBSODIUM=OFF -DENABLE_CURVE=OFF -DENABLE_DRAFTS=OFF -DENABLE_CPACK=OFF \
    >"$work/configure.log" 2>&1 || { tail -n 20 "$work/configure.log" >&2; die "cmake configure of libzmq failed"; }
cmake --build "$work/build" -j "$(nproc)" >"$work/build.log" 2>&1 ||
    { tail -n 30 "$work/build.log" >&2; die "libzmq build failed"; }
rm -rf "$prefix"
cmake --install "$work/build" >"$work/install.log" 2>&1 || die "libzmq install failed"

version=$(sed -n 's/^#define ZMQ_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' "$prefix/include/zmq.h" | paste -sd.)
lib=$(readlink -f "$prefix/lib/libzmq.so.5")
cat >"$prefix/build-info.json.tmp" <<JSON
{
  "name": "libzmq $version tsan",
  "version": "$version",
  "source": "$source_spec",
  "origin": "$origin",
  "instrumented": true,
  "flags": "$flags",
  "compiler": "$(g++ --version | head -n 1)",
  "library": "$lib",
  "library_sha256": "$(sha256sum "$lib" | cut -d' ' -f1)",
  "built_at": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
JSON
mv "$prefix/build-info.json.tmp" "$prefix/build-info.json"
echo "build-libzmq.sh: libzmq $version installed in $prefix"
