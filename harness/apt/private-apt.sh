#!/bin/sh
# Debian's apt pointed at a private list of one suite: package versions,
# dependency closures and .deb downloads of another Debian release, without
# touching this machine's apt set-up (its sources, lists, status or locks).
# Used by harness/libzmq/build-libzmq.sh (debian-binary:SUITE) and
# harness/python/build-python.sh (python:SUITE).
#
# usage: private-apt.sh version SUITE PACKAGE     the candidate version (empty when none)
#        private-apt.sh depends SUITE PACKAGE     its Depends field
#        private-apt.sh closure SUITE "EXCLUDED" PACKAGE...
#                      PACKAGE... and what they need (Depends and Pre-Depends,
#                      recursively, no Recommends), minus the space-separated
#                      names in EXCLUDED, one a line
#        private-apt.sh download SUITE DIR PACKAGE...   the .debs into DIR
#        private-apt.sh orig SUITE SOURCE   the upstream (orig) tarball of a source
#                      package: "VERSION FILE SHA256 URL", its sha256 as the
#                      suite's signed Sources index states it
#        private-apt.sh fetch-orig SUITE SOURCE DIR   that tarball into DIR
#                      (checked against that sha256); prints its path
# The lists live in $ZR_CACHE_DIR/apt-SUITE (apt-SUITE-src for the source
# index), refreshed once a day; the cache folder's path must not contain
# spaces (apt's options are word-split). Sources are fetched from the pool,
# not with `apt-get source`: the mirror serves the orig tarballs but not
# always the .dsc, and only the tarball is needed.
# Exit status: 0, or 2 with a one-line cause on stderr.
set -eu

die() { echo "private-apt.sh: $*" >&2; exit 2; }

[ $# -ge 3 ] || die "usage: private-apt.sh version|depends|closure|download SUITE ..."
action=$1 suite=$2
shift 2

cache=${ZR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zmq-repro}
mirror=http://deb.debian.org/debian
case "$action" in
orig|fetch-orig) aptdir=$cache/apt-$suite-src type=deb-src ;; # its Sources index only
*) aptdir=$cache/apt-$suite type=deb ;;
esac
mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial" || die "cannot create $aptdir"
echo "$type $mirror $suite main" >"$aptdir/sources.list"
# An empty status: this machine's installed packages neither satisfy nor
# shadow anything of the other suite.
: >"$aptdir/status"
apt_opts="-o Dir::Etc::SourceList=$aptdir/sources.list -o Dir::Etc::SourceParts=/dev/null
 -o Dir::State::Lists=$aptdir/lists -o Dir::Cache=$aptdir -o Dir::State::status=$aptdir/status
 -o Debug::NoLocking=1 -o APT::Sandbox::User=root"

log=$(mktemp "${TMPDIR:-/tmp}/private-apt.XXXXXX")
trap 'rm -f "$log"' EXIT INT TERM

if [ ! -s "$aptdir/updated" ] || [ -n "$(find "$aptdir/updated" -mmin +1440)" ]; then
    # shellcheck disable=SC2086
    apt-get $apt_opts update >"$log" 2>&1 ||
        die "apt-get update of suite $suite failed (no network, or no such suite): $(tail -n 2 "$log" | tr '\n' ' ')"
    # apt-get update says "failed to fetch" on a warning line yet exits 0 without a network.
    if grep -q '^[WE]: \(Failed to fetch\|Some index files failed\)' "$log"; then
        die "apt-get update of suite $suite could not fetch its lists: $(grep -m 1 '^[WE]:' "$log")"
    fi
    date >"$aptdir/updated"
fi

# "VERSION FILE SHA256 URL" of the orig tarball of source package $1 (the
# newest version the index holds), or nothing.
orig_of() {
    # shellcheck disable=SC2086
    apt-cache $apt_opts showsrc --only-source "$1" 2>/dev/null | awk -v mirror="$mirror" '
        function emit() { if (file != "" && dir != "") print ver, file, sum, mirror "/" dir "/" file; file = "" }
        /^$/ { emit() }
        /^Package: / { ver = ""; dir = ""; file = ""; insum = 0 }
        /^Version: / { ver = $2 }
        /^Directory: / { dir = $2 }
        /^[^ ]/ && !/^Checksums-Sha256:/ { insum = 0 }
        /^Checksums-Sha256:/ { insum = 1; next }
        insum && $3 ~ /\.orig\.tar\.(gz|xz|bz2)$/ { sum = $1; file = $3 }
        END { emit() }' |
        sort -V -k1,1 | tail -n 1
}

field() {
    # shellcheck disable=SC2086
    apt-cache $apt_opts show "$1" 2>/dev/null | sed -n "s/^$2: //p" | head -n 1
}

case "$action" in
version) field "$1" Version ;;
depends) field "$1" Depends ;;
closure)
    excluded=" $1 "
    shift
    # shellcheck disable=SC2086
    apt-cache $apt_opts depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
        --no-replaces --no-enhances "$@" 2>"$log" >"$log.out" ||
        { rm -f "$log.out"; die "apt-cache depends $* ($suite) failed: $(tail -n 1 "$log")"; }
    # Package lines start in column one; <name> is a virtual package.
    grep -v '^[[:space:]<]' "$log.out" | sort -u | while read -r pkg; do
        case "$excluded" in *" $pkg "*) ;; *) echo "$pkg" ;; esac
    done
    rm -f "$log.out" ;;
download)
    dir=$1
    shift
    # shellcheck disable=SC2086
    (cd "$dir" && apt-get $apt_opts download "$@") >"$log" 2>&1 ||
        die "apt-get download ($suite) failed: $(grep -m 1 '^E:' "$log" || tail -n 1 "$log")" ;;
orig)
    orig_of "$1" ;;
fetch-orig)
    what=$(orig_of "$1")
    [ -n "$what" ] || die "suite $suite has no source package $1"
    set -- "$1" "$2" $what
    [ -d "$2" ] || die "no folder $2"
    # apt's own downloader, checking the sha256 of the signed index.
    /usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$6" "$2/$4" "SHA256:$5" >"$log" 2>&1 ||
        die "download of $4 ($suite) failed: $(grep -m 1 '^E:' "$log" || tail -n 1 "$log")"
    echo "$2/$4" ;;
*) die "unknown action '$action' (version, depends, closure, download, orig, fetch-orig)" ;;
esac
