#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Unpack some files of Debian's linux-source-SERIES package (the kernel
# tree as a tarball inside a .deb) into DEST, without the rest of the tree.
#
# usage: fetch-ksrc.sh BUILD_DIR SERIES DEST PATTERN...
#   PATTERN: tar member names under linux-source-SERIES/, wildcards allowed
set -eu
build=$(cd "$1" && pwd)
series=$2
dest=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$build/debs" "$dest"
sandbox=
[ "$(id -u)" != 0 ] || sandbox="-o APT::Sandbox::User=root"
# shellcheck disable=SC2086
(cd "$build/debs" &&
 "$here/apt-private.sh" "$build/apt" apt-get $sandbox download \
	"linux-source-$series") >&2
deb=$(ls "$build"/debs/linux-source-"$series"_*.deb | sort -V | tail -n 1)
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/linux-source-$series.tar.xz" |
	tar -xJ -C "$dest" --wildcards "$@"
