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
# The lists live in $ZR_CACHE_DIR/apt-SUITE, refreshed once a day; the cache
# folder's path must not contain spaces (apt's options are word-split).
# Exit status: 0, or 2 with a one-line cause on stderr.
set -eu

die() { echo "private-apt.sh: $*" >&2; exit 2; }

[ $# -ge 3 ] || die "usage: private-apt.sh version|depends|closure|download SUITE ..."
action=$1 suite=$2
shift 2

cache=${ZR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zmq-repro}
aptdir=$cache/apt-$suite
mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial" || die "cannot create $aptdir"
echo "deb http://deb.debian.org/debian $suite main" >"$aptdir/sources.list"
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
*) die "unknown action '$action' (version, depends, closure, download)" ;;
esac
