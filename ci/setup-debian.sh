#!/bin/sh
# Installs every Debian package the harness needs, and the source of the
# libzmq that is built fully TSan-instrumented (Debian's source package
# zeromq3). Idempotent; run as root (or through sudo) on Debian or Ubuntu.
set -eu

if [ "$(id -u)" -ne 0 ]; then
    echo "setup-debian.sh: must run as root (try: sudo $0)" >&2
    exit 2
fi

export DEBIAN_FRONTEND=noninteractive

# deb-src entries are needed for `apt-get source zeromq3`; add them for the
# suites this machine already uses, once.
if ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    . /etc/os-release
    case "$ID" in
    debian)
        printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s %s-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
            "$VERSION_CODENAME" "$VERSION_CODENAME" > /etc/apt/sources.list.d/zmq-repro-src.sources ;;
    ubuntu)
        printf 'Types: deb-src\nURIs: http://archive.ubuntu.com/ubuntu\nSuites: %s %s-updates\nComponents: main universe\nSigned-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg\n' \
            "$VERSION_CODENAME" "$VERSION_CODENAME" > /etc/apt/sources.list.d/zmq-repro-src.sources ;;
    esac
fi

apt-get update -qq
# elfutils: eu-stack, the stacks of a hung client. ccache: libzmq builds
# (one per version and flavour) reuse what they can. chromium: the test that
# opens the version matrix's page as a person sees it; cmark-gfm: the test that
# renders matrix.md as GitHub would. python3-pytest: the test of check --suite
# on a pytest suite. libffi-dev ... uuid-dev: the standard library's C modules
# of python:3.13t (CPython built here).
apt-get install -y -qq --no-install-recommends \
    build-essential cmake pkg-config procps util-linux elfutils ccache git chromium cmark-gfm \
    dpkg-dev ca-certificates xz-utils \
    libzmq3-dev libzmq5 cppzmq-dev \
    python3 python3-dev python3-zmq python3-pytest \
    libffi-dev libssl-dev zlib1g-dev libbz2-dev liblzma-dev libsqlite3-dev uuid-dev \
    libcmocka-dev libjansson-dev \
    >/dev/null
echo "setup-debian.sh: packages installed"
