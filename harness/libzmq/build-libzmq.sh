#!/bin/sh
# Fetches and builds one libzmq for the harness. The runner (`zmq-repro
# build`) calls it twice: `resolve` to learn what a SOURCE really is (the
# identity that keys the cache: a tarball's sha256, a git commit, a package
# version), then, on a cache miss, `build` into a fresh private PREFIX. Both
# print key=value lines on stdout; the runner writes build-info.json from them.
#
# usage: build-libzmq.sh resolve SOURCE FLAVOUR
#        build-libzmq.sh build SOURCE FLAVOUR PREFIX
#   SOURCE   system                  the libzmq this machine has (Debian's libzmq5)
#            debian                  Debian's source package zeromq3 (apt-get source)
#            debian-binary:SUITE     Debian's binary package libzmq5 of SUITE (e.g. trixie),
#                                    unpacked into PREFIX; nothing is installed system-wide
#            /path/to/dir            a libzmq source tree (a git checkout: its commit)
#            /path/to/x.tar.gz       a release tarball
#            URL[#REF]               a git URL, optionally a tag, branch or commit after '#'
#   FLAVOUR  tsan    every C and C++ file built with -fsanitize=thread (for tsan mode);
#                    libzmq's own ENABLE_TSAN is not used: it turns memory-access
#                    instrumentation off, so it cannot see these races
#            debug   plain, with debug symbols (for stress and owner mode: hang stacks
#                    then name libzmq's own frames, which a stripped binary cannot)
#            binary  a prebuilt library as it is (system, debian-binary)
# Exit status: 0, or 2 with a one-line cause on stderr.
set -eu

die() { echo "build-libzmq.sh: $*" >&2; exit 2; }

[ $# -ge 3 ] || die "usage: build-libzmq.sh resolve SOURCE FLAVOUR | build SOURCE FLAVOUR PREFIX"
action=$1 source_spec=$2 flavour=$3
prefix=${4:-}

case "$source_spec" in
system) kind=system ;;
debian) kind=debian ;;
debian-binary:*) kind=debian-binary; suite=${source_spec#debian-binary:} ;;
*://*|git@*) kind=git ;;
*.tar.gz|*.tgz|*.tar.xz|*.tar.bz2) kind=tarball ;;
*) kind=dir ;;
esac

case "$kind:$flavour" in
system:binary|debian-binary:binary) ;;
system:*|debian-binary:*) die "$source_spec is a prebuilt library: its flavour is binary, not $flavour" ;;
*:tsan) flags="-fsanitize=thread -O1 -g -fno-omit-frame-pointer"; ldflags=-fsanitize=thread ;;
*:debug) flags="-O2 -g -fno-omit-frame-pointer"; ldflags= ;;
*:binary) die "only system and debian-binary:SUITE are prebuilt; build $source_spec as tsan or debug" ;;
*) die "unknown flavour '$flavour' (tsan, debug, binary)" ;;
esac
flags=${flags:-}
ldflags=${ldflags:-}

cache=${ZR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zmq-repro}
compiler=$(g++ --version 2>/dev/null | head -n 1) || compiler="g++ not found"

# The scratch folder (in the cache's tmp/) and how a stopped build ends.
. "$(cd "$(dirname "$0")/../scripts" && pwd)/build_scratch.sh"
make_scratch libzmq-build

# --- Debian's apt, pointed at a private list of one suite (debian-binary):
# harness/apt/private-apt.sh, shared with the Python builds. ---
private_apt=$(cd "$(dirname "$0")/../apt" && pwd)/private-apt.sh

binary_version() {
    sh "$private_apt" version "$suite" "$1"
}

# --- resolve: what SOURCE is, before anything is built. ---
resolve() {
    case "$kind" in
    system)
        lib=$(ldconfig -p | sed -n 's/^[[:space:]]*libzmq\.so\.5 .*=> //p' | head -n 1)
        [ -n "$lib" ] || die "no libzmq.so.5 on this machine: apt-get install libzmq5 (ci/setup-debian.sh does)"
        lib=$(readlink -f "$lib")
        pkg=$(dpkg-query -S "$lib" 2>/dev/null | sed 's/:.*//' | head -n 1) || pkg=
        if [ -n "$pkg" ]; then
            origin="Debian package $pkg $(dpkg-query -W -f='${Version}' "$pkg")"
        else
            origin="unpackaged library $lib"
        fi
        identity="system $origin $(sha256sum "$lib" | cut -d' ' -f1)"
        stem=system ;;
    debian)
        command -v apt-get >/dev/null || die "apt-get not found: the debian source needs Debian or Ubuntu"
        ver=$(apt-cache showsrc zeromq3 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1)
        [ -n "$ver" ] || die "no source package zeromq3 known to apt (is there a deb-src entry? ci/setup-debian.sh adds one)"
        identity="debian source zeromq3 $ver"
        origin="Debian source package zeromq3_$ver"
        stem=debian ;;
    debian-binary)
        ver=$(binary_version libzmq5)
        [ -n "$ver" ] || die "suite $suite has no package libzmq5"
        identity="debian binary libzmq5 $ver $suite"
        origin="Debian binary package libzmq5 $ver ($suite)"
        stem=$suite ;;
    tarball)
        [ -f "$source_spec" ] || die "no such tarball: $source_spec"
        sum=$(sha256sum "$source_spec" | cut -d' ' -f1)
        identity="tarball sha256 $sum"
        origin="tarball $(basename "$source_spec") sha256 $sum"
        stem=$(basename "$source_spec" | sed 's/\.\(tar\.gz\|tgz\|tar\.xz\|tar\.bz2\)$//; s/^libzmq-//; s/^zeromq-//') ;;
    git)
        command -v git >/dev/null || die "git not found: apt-get install git"
        url=${source_spec%%#*}
        ref=HEAD
        case "$source_spec" in *'#'*) ref=${source_spec#*#} ;; esac
        if printf '%s' "$ref" | grep -qE '^[0-9a-f]{40}$'; then
            commit=$ref
        else
            commit=$(git ls-remote "$url" "$ref" "refs/tags/$ref^{}" 2>"$work/ls-remote.log" | sort -k2 | tail -n 1 | cut -f1)
            [ -n "$commit" ] || die "git ls-remote $url $ref found nothing: $(tail -n 1 "$work/ls-remote.log")"
        fi
        identity="git commit $commit"
        origin="git $url at $commit ($ref)"
        stem=$(printf '%s' "$ref" | tr '/' '-') ;;
    dir)
        [ -f "$source_spec/CMakeLists.txt" ] && [ -f "$source_spec/include/zmq.h" ] ||
            die "$source_spec is neither system, debian, debian-binary:SUITE, a tarball, a git URL nor a libzmq source tree"
        src=$(cd "$source_spec" && pwd)
        if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
            commit=$(git -C "$src" rev-parse HEAD)
            dirty=$(git -C "$src" status --porcelain --untracked-files=no | head -c 1)
            if [ -n "$dirty" ]; then
                diffsum=$(git -C "$src" diff HEAD | sha256sum | cut -d' ' -f1)
                identity="git commit $commit with changes $diffsum"
                origin="source tree $src at $commit with uncommitted changes"
            else
                identity="git commit $commit"
                origin="source tree $src at $commit"
            fi
            stem=$(basename "$src")-$(printf '%s' "$commit" | cut -c1-10)
        else
            treesum=$(cd "$src" && find . -type f -not -path './.git/*' -print0 | LC_ALL=C sort -z |
                xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
            identity="source tree sha256 $treesum"
            origin="source tree $src (files sha256 $treesum)"
            stem=$(basename "$src")
        fi ;;
    esac
    # A prebuilt library does not depend on this machine's compiler.
    [ "$flavour" = binary ] && compiler=
    key=$(printf '%s\n%s\n%s\n%s\n' "$identity" "$flavour" "$flags" "$compiler" | sha256sum | cut -c1-16)
    echo "kind=$kind"
    echo "identity=$identity"
    echo "origin=$origin"
    echo "stem=$stem"
    echo "flavour=$flavour"
    echo "flags=$flags"
    echo "compiler=$compiler"
    echo "key=$key"
}

# --- build: fetch and build into PREFIX (a fresh directory of the runner's). ---
fetch_source() {
    case "$kind" in
    debian)
        command -v dpkg-source >/dev/null || die "dpkg-source not found: apt-get install dpkg-dev"
        (cd "$work" && in_background apt-get source -qq zeromq3 >"$work/apt-source.log" 2>&1) ||
            die "apt-get source zeromq3 failed (is there a deb-src entry? ci/setup-debian.sh adds one): $(tail -n 2 "$work/apt-source.log")"
        src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'zeromq3-*' | head -n 1) ;;
    tarball)
        in_background tar -xf "$source_spec" -C "$work" || die "cannot unpack $source_spec"
        src=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1) ;;
    git)
        in_background git clone -q "$url" "$work/src" 2>"$work/clone.log" || die "git clone $url failed: $(tail -n 1 "$work/clone.log")"
        git -C "$work/src" checkout -q "$commit" || die "no commit $commit in $url"
        src=$work/src ;;
    dir) ;;
    esac
    [ -n "$src" ] && [ -f "$src/CMakeLists.txt" ] || die "no libzmq source tree found in $source_spec"
}

compile() {
    command -v cmake >/dev/null || die "cmake not found: run ci/setup-debian.sh first"
    command -v g++ >/dev/null || die "g++ not found: run ci/setup-debian.sh first"
    launcher=
    if command -v ccache >/dev/null; then
        # The source sits in a fresh temporary folder each time: hash paths relative to it.
        launcher="-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
        export CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=1
    fi
    echo "build-libzmq.sh: building $origin ($flavour: $flags)" >&2
    # Newer compilers warn where old releases did not; a warning must not stop a build.
    in_background cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=None $launcher \
        -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
        -DCMAKE_SHARED_LINKER_FLAGS="$ldflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
        -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
        -DBUILD_TESTS=OFF -DBUILD_STATIC=OFF -DWITH_DOCS=OFF -DWITH_PERF_TOOL=OFF -DLIBZMQ_WERROR=OFF \
        -DWITH_LIBSODIUM=OFF -DENABLE_CURVE=OFF -DENABLE_DRAFTS=OFF -DENABLE_CPACK=OFF \
        >"$work/configure.log" 2>&1 || { tail -n 20 "$work/configure.log" >&2; die "cmake configure of libzmq failed"; }
    in_background cmake --build "$work/build" -j "$(nproc)" >"$work/build.log" 2>&1 ||
        { tail -n 30 "$work/build.log" >&2; die "libzmq build failed"; }
    in_background cmake --install "$work/build" >"$work/install.log" 2>&1 || die "libzmq install failed: $(tail -n 2 "$work/install.log")"
    cp "$work/build.log" "$prefix/build.log"
    version=$(sed -n 's/^#define ZMQ_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' "$prefix/include/zmq.h" | paste -sd.)
    lib=$(readlink -f "$prefix/lib/libzmq.so.5")
}

# The newest GLIBC_x.y version a library needs.
glibc_needed() {
    readelf -V "$1" 2>/dev/null | grep -o 'GLIBC_2\.[0-9]*' | sed 's/GLIBC_//' | sort -V | tail -n 1
}

# The Debian package of a shared library by its soname: libsodium.so.26 ->
# libsodium26, libgcc_s.so.1 -> libgcc-s1, libstdc++.so.6 -> libstdc++6.
package_of_soname() {
    printf '%s\n' "$1" | sed 's/\.so\./ /; s/_/-/g' | awk '{ n = $1; v = $2; if (n ~ /[0-9]$/) n = n "-"; print n v }'
}

# The highest GLIBCXX_ version a library needs, or that one offers.
glibcxx_of() {
    objdump -T "$1" 2>/dev/null | grep -o 'GLIBCXX_[0-9][0-9.]*' | sed 's/GLIBCXX_//' | sort -V | tail -n 1
}

# The libraries libzmq5 of the suite needs that this machine lacks, or has
# too old (libstdc++ without the GLIBCXX_ version it asks for): that suite's
# own, unpacked beside it (sid's libzmq5 needs libsodium26 and a newer
# libstdc++ than bookworm's).
unpack_dependencies() {
    pkgs=
    for soname in $(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        case $soname in libc.so.*|libm.so.*|ld-linux*|libpthread.so.*|libdl.so.*|librt.so.*) continue ;; esac
        ldconfig -p | grep -q "^[[:space:]]*$soname " || pkgs="$pkgs $(package_of_soname "$soname")"
    done
    host_cxx=$(ldconfig -p | sed -n 's/^[[:space:]]*libstdc++\.so\.6 .*=> //p' | head -n 1)
    need_cxx=$(glibcxx_of "$lib")
    have_cxx=$([ -n "$host_cxx" ] && glibcxx_of "$(readlink -f "$host_cxx")")
    if [ -n "$need_cxx" ] && [ "$(printf '%s\n%s\n' "$need_cxx" "${have_cxx:-0}" | sort -V | tail -n 1)" != "$have_cxx" ]; then
        pkgs="$pkgs libstdc++6 libgcc-s1"
    fi
    for pkg in $pkgs; do
        sh "$private_apt" download "$suite" "$work" "$pkg" ||
            die "libzmq5 of $suite needs $pkg, which this machine lacks, and it could not be downloaded"
        dpkg-deb -x "$work"/"$(printf '%s' "$pkg" | sed 's/+/%2b/g')"_*.deb "$prefix" 2>/dev/null ||
            dpkg-deb -x "$(ls "$work"/"$pkg"_*.deb | head -n 1)" "$prefix" || die "cannot unpack $pkg"
        echo "dependency=$pkg" >&2
    done
}

unpack_binary() {
    sh "$private_apt" download "$suite" "$work" libzmq5 || die "the download of libzmq5 ($suite) failed"
    dpkg-deb -x "$work"/libzmq5_*.deb "$prefix" || die "cannot unpack libzmq5"
    lib=$(readlink -f "$(find "$prefix" -name 'libzmq.so.5' | head -n 1)")
    [ -f "$lib" ] || die "the libzmq5 package of $suite holds no libzmq.so.5"
    unpack_dependencies
    version=$(binary_version libzmq5 | sed 's/-.*//; s/^[0-9]*://; s/+.*//')
    # A library built for a newer glibc than this machine's cannot be loaded
    # by this machine's dynamic loader: bring that suite's glibc along and
    # run the client under its loader (the runner does, from loader=).
    need=$(glibc_needed "$lib")
    have=$(getconf GNU_LIBC_VERSION | cut -d' ' -f2)
    if [ -n "$need" ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | tail -n 1)" != "$have" ]; then
        sh "$private_apt" download "$suite" "$work" libc6 ||
            die "libzmq5 of $suite needs glibc $need (this machine has $have) and libc6 of $suite could not be downloaded"
        dpkg-deb -x "$work"/libc6_*.deb "$prefix" || die "cannot unpack libc6"
        loader=$(find "$prefix" -name 'ld-linux-*.so.*' -type f | head -n 1)
        [ -n "$loader" ] || loader=$(readlink -f "$(find "$prefix" -name 'ld-linux-*.so.*' | head -n 1)")
        echo "loader=$loader"
        echo "loader_path=$(dirname "$lib")"
        echo "loader_reason=libzmq5 of $suite needs glibc $need; this machine has $have"
    fi
}

# A build from a git commit reports the number of the next release (libzmq
# bumps it right after a release), so that number cannot say whether a fix
# released later is in it: the release tags its history holds can. Versions
# only (vX.Y.Z), the newest first.
release_tags() {
    git -C "$src" tag "$@" --list 'v[0-9]*' 2>/dev/null | sed 's/^v//' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | sort -V -r
}

release_position() {
    [ -n "${commit:-}" ] && [ -n "${src:-}" ] && git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || return 0
    echo "commit=$commit"
    contains=$(release_tags --merged "$commit" | head -n 1)
    if [ -n "$contains" ]; then echo "contains_release=$contains"; else echo "release_history=absent"; fi
    # Uncommitted changes on top of a tag are not that release.
    at=$(release_tags --points-at "$commit" | head -n 1)
    [ -n "$at" ] && [ -z "${diffsum:-}" ] && echo "release=$at"
    return 0
}

build() {
    [ -n "$prefix" ] || die "build needs a PREFIX"
    [ -d "$prefix" ] && [ -z "$(ls -A "$prefix")" ] || die "PREFIX $prefix must be an existing empty directory"
    resolve >"$work/resolved"
    case "$kind" in
    system)
        lib=$(readlink -f "$(ldconfig -p | sed -n 's/^[[:space:]]*libzmq\.so\.5 .*=> //p' | head -n 1)")
        version=$(pkg-config --modversion libzmq 2>/dev/null || true)
        if [ -n "$pkg" ]; then version=$(dpkg-query -W -f='${Version}' "$pkg" | sed 's/-.*//; s/^[0-9]*://'); fi ;;
    debian-binary) unpack_binary ;;
    *) fetch_source; compile; release_position ;;
    esac
    echo "version=$version"
    echo "library=$lib"
    echo "library_sha256=$(sha256sum "$lib" | cut -d' ' -f1)"
    echo "lib_dir=$(dirname "$lib")"
}

case "$action" in
resolve) resolve ;;
build) build ;;
*) die "unknown action '$action' (resolve, build)" ;;
esac
